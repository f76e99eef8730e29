"""A plan with its change log on, crawled over three days from a real HTTP server on 127.0.0.1.

Day 1 shows an older entry; day 2 a new one (the real render ``kausal2026b/cl_v1``); day 3 an
admin save that moves only the action's timestamp. Exactly one ``change_log.added`` (day 2), and
day 3 gives nothing beyond the usual touched-only ``updated.changed``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from diffs.compare import diff
from helpers import REAL, real_pages
from scraper import parse
from sitesrv import SiteServer
from storage import queries
from storage.store import Store
from vahti.app.crawl import Crawler
from vahti.config import SiteConfig
from vahti.events import ChangeEvent
from vahti.record import Measure, dump_json, predates

if not REAL.is_dir():
    real_pages()  # fails in CI, skips (saying why) elsewhere

CL = REAL / "kausal2026b" / "cl_v1.html"
DAY_2 = CL.read_text(encoding="utf-8") if CL.is_file() else ""
# The entry of day 1: another author, message and moment, everywhere the page carries them
# (the server HTML's "updated" line, author, dialog, and the RSC payload).
DAY_1 = (DAY_2.replace("Toimenpiteen kuvausta tarkennettu ja yhteyshenkilöt päivitetty.", "Aikataulu päivitetty.")
         .replace("Liisa", "Matti").replace("Virtanen", "Meikäläinen")
         .replace("02.03.2026", "16.02.2026").replace("2026-03-02T10:15:00", "2026-02-16T09:00:00")
         .replace("2026-03-02T10:20:00", "2026-02-16T09:05:00"))
# An admin save: only the action's own timestamp moves; the change log and its line stay.
DAY_3 = DAY_2.replace("2026-03-02T10:20:00", "2026-03-03T08:00:00")


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(timeout_sleep=1.0) as srv:
        srv.site.set("/robots.txt", "User-Agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        srv.site.set("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
                     f'schemas/sitemap/0.9"><url><loc>{srv.url}/actions/91</loc></url></urlset>', "application/xml")
        yield srv


def crawl_day(srv: SiteServer, store: Store, page: str) -> None:
    srv.site.set("/actions/91", page)
    srv.site.last_modified += 86_400
    crawler = Crawler(SiteConfig(url=srv.url, rate=500.0, retries=1, backoff=0.05, timeout=2.0, list_page=False),
                      store)
    try:
        summary = crawler.crawl()
    finally:
        crawler.close()
    assert summary.totals()["failed"] == 0, summary.pages


def events(store: Store) -> list[ChangeEvent]:
    with store.reading() as session:
        return queries.events(session)


def test_the_day_pages_parse_as_the_story_says() -> None:
    url = "https://ilmastovahti.hel.fi/actions/91"
    day1, day2, day3 = (parse(p, url).record for p in (DAY_1, DAY_2, DAY_3))
    assert day1 and day2 and day3 and day1.change_log and day2.change_log and day3.change_log
    assert (day1.change_log.author, day1.change_log.message, str(day1.change_log.updated_on)) == (
        "Matti Meikäläinen", "Aikataulu päivitetty.", "2026-02-16")
    assert day2.change_log == day3.change_log and day2.updated_on == day3.updated_on
    assert day2.updated_at != day3.updated_at


def test_three_days_give_one_change_log_entry_and_a_touched_only_save(server: SiteServer, store: Store) -> None:
    crawl_day(server, store, DAY_1)
    assert [e.kind for e in events(store)] == ["measure.added"]

    crawl_day(server, store, DAY_2)
    day2 = events(store)[1:]
    logs = [e for e in day2 if e.kind == "change_log.added"]
    assert len(logs) == 1
    log = logs[0]
    assert (log.subject, log.after) == ("Liisa Virtanen", "Toimenpiteen kuvausta tarkennettu ja yhteyshenkilöt päivitetty.")
    assert log.before == "Aikataulu päivitetty."
    assert "2026-03-02" in log.summary and "Liisa Virtanen" in log.summary
    assert sorted(e.kind for e in day2) == ["change_log.added", "updated.changed"]
    assert all("touched_only" not in e.flags for e in day2)

    crawl_day(server, store, DAY_3)
    day3 = events(store)[1 + len(day2):]
    assert [(e.kind, e.flags) for e in day3] == [("updated.changed", ("touched_only",))]


def test_a_record_stored_before_the_fields_keeps_its_hash_and_gives_no_event() -> None:
    """A record written before ``continuous`` and ``change_log`` existed reads them as defaults,
    hashes as before, and a new parse that fills them in is no event."""
    record = parse(DAY_2, "https://ilmastovahti.hel.fi/actions/91").record
    assert record is not None
    old_data = record.to_dict()
    del old_data["continuous"], old_data["change_log"]
    old = Measure.from_dict(old_data)
    assert old.change_log is None and old.continuous is False
    assert old.content_hash() == hashlib.sha256(dump_json(old_data).encode("utf-8")).hexdigest()
    assert predates(dump_json(old_data)) == ["continuous", "change_log"]
    assert diff(old, record, old_unobserved=predates(dump_json(old_data))) == []
    assert [c.kind for c in diff(old, record)] == ["change_log.added"]  # what the rule prevents
