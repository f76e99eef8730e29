"""Whatever a page or a stored record says, outputs carry it as text: terminal, logs, Atom, e-mail, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging

import feedparser

from diffs.alerts.atom import feed_xml
from diffs.alerts.mail import compose
from diffs.render import event_lines
from storage.export import write
from storage.store import FetchInfo, Store
from vahti.app.events import FLAP_WINDOW
from vahti.app.ingest import ingest
from vahti.events import ChangeEvent
from vahti.logs import TextFormatter
from scraper import parse
from vahti.samples.pages import app_router_page
from vahti.samples.spec import spec_91

AT = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
NASTY = "Task \x1b]0;pwned\x07\x1b[2J\r\nFORGED 2026-12-01 INFO vahti: all fine\x00\x85"


def _event(summary: str = NASTY) -> ChangeEvent:
    return ChangeEvent(site="https://x.example", measure="91", kind="task.added", subject=NASTY, before=None,
                       after=NASTY, summary=summary, observed_at=AT, from_version=1, to_version=2,
                       url="https://x.example/actions/91", name=f"Name{NASTY}")


def test_terminal_lines_show_control_characters_never_obey_them() -> None:
    for line in event_lines(_event()):
        assert "\x1b" not in line and "\x07" not in line and "\r" not in line and "\x00" not in line
        assert "\\x1b]0;pwned\\x07" in line


def test_a_log_line_cannot_be_split_or_forged() -> None:
    record = logging.LogRecord("vahti.crawl", logging.WARNING, __file__, 1, "failed %s: %s", ("url", NASTY), None)
    line = TextFormatter().format(record)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\\r\\nFORGED" in line


def test_the_atom_feed_stays_well_formed() -> None:
    feed = feedparser.parse(feed_xml([_event()], title=f"t{NASTY}", feed_id="tag:x,2019:feed:t"))
    assert not feed.bozo and "FORGED" in feed.entries[0].title


def test_an_email_subject_is_one_line() -> None:
    mail = compose([_event()], subscription="desk", idempotency_key="k", sender="a@x", to="b@x", names={},
                   leave="unsubscribe")
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]


def test_csv_cells_are_never_formulas(store: Store, tmp_path: object) -> None:
    spec = spec_91("fi")
    spec["name"] = '=HYPERLINK("http://evil.example","click")'
    body = app_router_page(spec).encode()
    url = "https://ilmastovahti.hel.fi/actions/91"
    ingest(store, site="https://ilmastovahti.hel.fi", url=url, fetch=FetchInfo(AT, 200), result=parse(body, url),
           body=body)
    out = io.StringIO()
    with store.reading() as s:
        write(s, "versions", "csv", out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["name"].startswith("'=HYPERLINK")


def test_a_flapping_updated_date_is_flagged_and_no_flaps_leaves_it_out(store: Store) -> None:
    url = "https://ilmastovahti.hel.fi/actions/91"
    days = ["2020-05-20", "2020-06-01", "2020-05-20"]  # moved, and moved back within the flap window
    for i, day in enumerate(days):
        spec = spec_91("fi")
        spec["updated_day"] = day
        body = app_router_page(spec).encode()
        ingest(store, site="https://ilmastovahti.hel.fi", url=url, fetch=FetchInfo(AT + dt.timedelta(hours=i), 200),
               result=parse(body, url), body=body)
    assert dt.timedelta(hours=2) < FLAP_WINDOW
    from storage import queries

    with store.reading() as s:
        updated = [e for e in queries.events(s) if e.kind == "updated.changed"]
    assert len(updated) == 2 and all("flap" in e.flags for e in updated)
