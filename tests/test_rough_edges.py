"""The small things a user meets first: days that include themselves, clear refusals, one-line errors,
files that ship in the wheel, feeds that parse."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import feedparser

from diffs.alerts.atom import feed_xml
from diffs.compare import diff
from helpers import PAGES, ROOT, vahti, vahti_here
from scraper import parse
from vahti.events import ChangeEvent
from vahti.samples.pages import classic_page
from vahti.samples.spec import spec_91


def _db_with_events(tmp_path: Path) -> str:
    db = str(tmp_path / "vahti.db")
    url = "https://ilmastovahti.hel.fi/actions/91"
    spec = spec_91("fi")
    for day, updated in ((1, "2020-05-20"), (2, "2020-06-02")):
        spec["updated_day"] = updated
        page = tmp_path / f"p{day}.html"
        page.write_text(classic_page(spec, with_json=False), encoding="utf-8")
        vahti_here("import", str(page), "--url", url, "--at", f"2026-12-0{day}T08:00:00Z", "--db", db)
    return db


def test_since_a_day_includes_that_day_and_until_excludes_it(tmp_path: Path) -> None:
    db = _db_with_events(tmp_path)
    today = vahti_here("changes", "--since", "2026-12-02", "--db", db, "--json").stdout.splitlines()
    assert [json.loads(x)["kind"] for x in today] == ["updated.changed"]  # observed 08:00 that day
    before = vahti_here("changes", "--until", "2026-12-02", "--db", db, "--json").stdout.splitlines()
    assert [json.loads(x)["kind"] for x in before] == ["measure.added"]
    newest = vahti_here("changes", "--reverse", "--limit", "1", "--db", db).stdout
    assert "updated" in newest.lower() and "91 Yhteistyö koulujen ja oppilaitosten kanssa" in newest


def test_show_as_of_a_day_before_anything_was_recorded_says_so(tmp_path: Path) -> None:
    db = _db_with_events(tmp_path)
    out = vahti_here("show", "91", "--as-of", "2026-11-30", "--db", db, check=2)
    assert "was not yet recorded at 2026-11-30 23:59 UTC; its first version was recorded 2026-12-01 08:00" \
        in out.stderr
    assert "Yhteistyö" in vahti_here("show", "91", "--as-of", "2026-12-01", "--db", db).stdout


def test_updated_at_is_compared_as_an_instant() -> None:
    body = classic_page(spec_91("fi"))
    a = parse(body, "https://ilmastovahti.hel.fi/actions/91").record
    assert a is not None
    b = a.__class__.from_dict({**a.to_dict(), "updated_at": "2020-05-20T10:12:00+03:00"})
    assert a.updated_at is not None and a.updated_at.isoformat() == "2020-05-20T07:12:00+00:00"
    assert diff(a, b) == []  # the same instant in another offset
    c = a.__class__.from_dict({**a.to_dict(), "updated_at": "2020-05-21T11:30:00+03:00"})
    (change,) = diff(a, c)
    assert "saved 08:30 UTC" in change.summary


def test_a_subscription_is_not_replaced_without_replace(tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    vahti_here("subscribe", "desk", "--email", "desk@example.org", "--kind", "task.*", "--daily", "--db", db)
    refused = vahti_here("subscribe", "desk", "--email", "other@example.org", "--db", db, check=2)
    assert refused.stderr.startswith("vahti: subscription 'desk' already exists") and "--replace" in refused.stderr
    assert "vahti: vahti" not in refused.stderr
    vahti_here("subscribe", "desk", "--email", "other@example.org", "--replace", "--db", db)
    (sub,) = json.loads(vahti_here("subscriptions", "--db", db, "--json").stdout)
    assert sub["target"] == "other@example.org"


def test_json_is_honoured_or_refused_and_empty_outputs_say_why(tmp_path: Path) -> None:
    db = _db_with_events(tmp_path)
    rows = vahti_here("export", "--json", "--db", db).stdout.splitlines()
    assert len(rows) == 2 and json.loads(rows[0])["version"] == 1
    refused = vahti_here("feed", "--json", "--db", db, check=2)
    assert "vahti changes --json" in refused.stderr
    empty = vahti_here("deliveries", "--db", db)
    assert empty.stdout == "" and "nothing queued" in empty.stderr
    none = vahti_here("changes", "--since", "2030-01-01", "--db", db)
    assert "no changes stored since 2030-01-01" in none.stderr


def test_a_database_that_cannot_be_opened_is_one_line_exit_2_and_no_password() -> None:
    out = vahti("history", "91", "--db", "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x", check=2)
    assert out.stderr.count("\n") == 1 and "cannot open the database" in out.stderr
    assert "s3cret" not in out.stderr and "Traceback" not in out.stderr


def test_the_feed_names_measures_and_versions_its_ids_hold_no_space_and_flaps_are_marked() -> None:
    at = dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    events = [ChangeEvent(site="https://x.example", measure="91", kind="measure.added", subject="A",
                          before=None, after="A", summary="New measure: A", observed_at=at, from_version=None,
                          to_version=1, url="https://x.example/sv/actions/91", name="Åtgärd A", language="sv"),
              ChangeEvent(site="https://x.example", measure="91", kind="task.completed", subject="T",
                          before="open", after="completed", summary="Task completed: T", observed_at=at,
                          from_version=1, to_version=2, url="https://x.example/sv/actions/91", flags=("flap",),
                          name="Åtgärd A", language="sv")]
    feed = feedparser.parse(feed_xml(events, title="t", feed_id="tag:vahti.invalid,2019:feed:all changes"))
    assert not feed.bozo
    entries = {e.title: e for e in feed.entries}
    assert "x.example 91 Åtgärd A (sv): Task completed: T" in entries
    text = " ".join(e.summary for e in feed.entries)
    assert "Version None" not in text and "Version 1, the first." in text and "Flap: undone within 48 h." in text
    raw = feed_xml(events, title="t", feed_id="x").decode()
    assert all(" " not in i for i in [e.id for e in feed.entries])
    assert raw


def test_the_wheel_ships_its_data_files(tmp_path: Path) -> None:
    """Built as pip builds it and installed: the files vahti reads at run time are there."""
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("vahti-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("vahti/data/vahti.example.toml", "vahti/data/datasette-metadata.yml", "vahti/measure.schema.json",
                   "vahti/samples/templates/app_router.html", "storage/migrations/script.py.mako",
                   "storage/migrations/versions/0006_site_health.py", "vahti/py.typed", "cli.py", "scheduler.py",
                   "diffs/report/templates/overview.html", "diffs/report/static/report.js",
                   "diffs/report/static/chart.umd.min.js", "diffs/report/static/chart.js-LICENSE.md"):
        assert needed in names, needed
    # Installed as pip installs it, into a folder of its own (a fresh virtualenv's pip costs seconds more to
    # make and tests nothing more): the files vahti reads at run time are there, and are the ones read.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    probe = ("from importlib.resources import files; v = files('vahti'); r = files('diffs.report'); "
             "print(str(v).startswith(%r), len(v.joinpath('data', 'vahti.example.toml').read_text()) > 100, "
             "len(v.joinpath('data', 'datasette-metadata.yml').read_text()) > 100, "
             "v.joinpath('samples', 'templates', 'classic.html').is_file(), "
             "r.joinpath('templates', 'measure.html').is_file(), "
             "r.joinpath('static', 'chart.umd.min.js').read_bytes().startswith(b'/*!'))" % str(target))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(target)})
    assert out.stdout.split() == ["True"] * 6, out.stderr
    assert PAGES.exists()
