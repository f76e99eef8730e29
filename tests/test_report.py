"""The web report (``vahti report``): what its pages say, what they link to, what they refuse to do.

The pages are read here as files; ``test_report_browser.py`` opens them in Chromium.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import feedparser
import pytest

from diffs.report.build import EVIDENCE_GUARD
from diffs.report.compare import MAX_TOKENS, compare, word_segments
from diffs.report.overview import Overview
from helpers import run_cli, shared_once
from report_archive import HOSTILE, NOW, SITE, T0, build_archive
from storage.store import Store
from vahti.app.report import ReportResult, build_report
from vahti.record import Contact, Measure, Task
from vahti.urls import report_page

MEASURES = "measures/ilmastovahti.hel.fi"


def page(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def text(html: str) -> str:
    """The words a reader sees: tags dropped, entities read, spaces collapsed."""
    import html as h
    return " ".join(h.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _build(store: Store, out: Path) -> tuple[Path, ReportResult]:
    build_archive(store)
    return out, build_report(store, out, now=NOW, base_url="https://desk.example.org/vahti")


@pytest.fixture
def each_backend(store: Store, tmp_path: Path) -> tuple[Path, ReportResult]:
    """The archive and its report on SQLite and on PostgreSQL."""
    return _build(store, tmp_path / "report")


def _build_shared(folder: Path) -> None:
    store = Store.open(str(folder / "vahti.db"))
    try:
        _, result = _build(store, folder / "report")
    finally:
        store.close()
    stats = result.stats
    (folder / "result.json").write_text(json.dumps({
        "sites": result.sites, "measures": result.measures, "events": result.events, "pages": stats.pages,
        "bytes": stats.bytes, "evidence_written": stats.evidence_written, "largest": list(stats.largest)}))


@pytest.fixture(scope="session")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One archive (SQLite) and its report, built once for every worker; the tests below only read them."""
    return str(shared_once(tmp_path_factory, "report-archive", _build_shared) / "vahti.db")


@pytest.fixture(scope="session")
def built(shared_db: str) -> tuple[Path, ReportResult]:
    from diffs.report.build import ReportStats

    folder = Path(shared_db).parent
    r = json.loads((folder / "result.json").read_text())
    stats = ReportStats(pages=r["pages"], bytes=r["bytes"], evidence_written=r["evidence_written"],
                        largest=(r["largest"][0], r["largest"][1]))
    out = folder / "report"
    return out, ReportResult(index=out / "index.html", sites=r["sites"], measures=r["measures"], events=r["events"],
                             stats=stats)


def test_the_report_tells_the_day_2_and_day_3_stories(each_backend: tuple[Path, ReportResult]) -> None:
    out, result = each_backend
    assert result.sites == 1 and result.measures == 13 and result.index == out / "index.html"
    overview = text(page(out, "index.html"))
    assert overview == text(page(out, "sites/ilmastovahti.hel.fi/index.html"))  # one site: the index is its overview
    # Touched only: measure 6's "updated" date moved on day 3 with nothing else.
    touched = overview.split("nothing else changed")[1].split("Not updated for")[0]
    assert "6 Sähköautojen latausverkosto" in touched and "2 Hiilineutraalit" not in touched
    assert "Not updated for 12 months" in overview and "1 Yhteistyö koulujen" in overview
    # Measure 2: the task completed on day 2, in the record, the timeline and the task history.
    m2 = text(page(out, f"{MEASURES}/actions/2.html"))
    done = m2.split("Done")[1].split("To do")[0]
    assert "Koululaisille ja opiskelijoille järjestettävän S&C-harjoittelutoiminnan" in done
    assert "✔ Task completed: Koululaisille" in m2
    assert "v1 2026-11-01: in progress (due 2020-09-20) v2 2026-11-02: completed (2020-10-02)" in m2
    # Measure 3: the contact replaced, shown as rows in the diff; the change log's author on the page.
    m3 = text(page(out, f"{MEASURES}/actions/3.html"))
    assert "Entry of 2020-10-02 by Maija Virtanen" in m3 and "Yhteyshenkilö vaihtunut" in m3
    assert "− Contact removed: Anssi Almgren" in m3 and "+ Contact added: Liisa Laine" in m3
    diff = page(out, f"{MEASURES}/actions/3/v2.html")
    assert re.search(r'<tr class="row-removed"><th scope="row" lang="en">− removed</th><td><del>Anssi Almgren</del>',
                     diff)
    assert re.search(r'<tr class="row-added"><th scope="row" lang="en">\+ added</th><td><ins>Liisa Laine</ins>', diff)
    assert "<del>2020-05-20</del><ins>2020-10-02</ins>" in diff  # "updated" as one word replaced
    # Measure 11 merged into 10 on day 3; measure 12 gone.
    assert "Merged into measure 10" in text(page(out, f"{MEASURES}/actions/11.html"))
    assert "Gone from the site since 2026-11-03 06:00" in text(page(out, f"{MEASURES}/actions/12.html"))


def test_checking_problems_are_marked_not_hidden(built: tuple[Path, ReportResult]) -> None:
    out, _ = built
    m1 = text(page(out, f"{MEASURES}/actions/1.html"))
    assert "✖ Check failed 2026-11-02 06:00 – 2026-11-03 06:00 · 2 checks HTTP 503 Service Unavailable" in m1
    m9 = text(page(out, f"{MEASURES}/actions/9.html"))
    assert "… Gap in checking 2026-11-01 06:00 – 2026-11-05 06:00 no check for 4 days" in m9
    m10 = page(out, f"{MEASURES}/actions/10.html")
    assert "⚠ Degraded capture" in m10
    assert "(the task list could not be read): not stored as a version, the last complete one stands" in m10
    link = re.search(r'<a href="([^"]+)">what the site answered</a>', m10)
    assert link and (out / MEASURES / "actions" / link.group(1)).resolve().is_file()


def test_page_text_is_text_everywhere(built: tuple[Path, ReportResult]) -> None:
    out, _ = built
    m4 = page(out, f"{MEASURES}/actions/4.html")
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&lt;img src=x onerror=" in m4
    for f in out.rglob("*"):
        if f.is_file() and "evidence" not in f.parts and "static" not in f.parts:
            data = f.read_text(encoding="utf-8")
            assert "<script>document" not in data and "<img src=x" not in data, f
    # In the data scripts the markup's characters are escapes, and the data reads back as it was.
    versions = page(out, f"{MEASURES}/actions/4/versions.js")
    data = json.loads(versions.removeprefix("window.VAHTI_VERSIONS = ").rstrip().rstrip(";"))
    rows = data["versions"][-1]["layout"]["tables"][0]["rows"]
    assert any(cells[1] == HOSTILE for _, cells in rows)


def test_pages_are_small_self_contained_and_locked_down(built: tuple[Path, ReportResult]) -> None:
    out, result = built
    assert result.stats.largest[1] < 200_000
    for f in out.rglob("*.html"):
        if "evidence" in f.parts:
            continue
        html = f.read_text(encoding="utf-8")
        assert len(html.encode()) < 200_000
        assert "Content-Security-Policy" in html and "script-src 'self'" in html, f
        for attr, target in re.findall(r'\b(src|href|action)="([^"]*)"', html):
            if "://" in target:  # only links out to the city's own pages, never a resource from elsewhere
                assert attr == "href" and (target == SITE or target.startswith(SITE + "/")), (f, target)
            elif target and not target.startswith("#"):
                resolved = (f.parent / target.split("#")[0]).resolve()
                assert resolved.is_relative_to(out.resolve()) and resolved.exists(), (f, target)


def test_evidence_is_the_captured_bytes_behind_one_guard_line(shared_db: str, built: tuple[Path, ReportResult],
                                                               tmp_path: Path) -> None:
    out, result = built
    store = Store.open(shared_db)
    files = sorted((out / "evidence").glob("*.raw.html"))
    assert len(files) == result.stats.evidence_written > 13
    for f in files:
        data = f.read_bytes()
        digest = f.name.removesuffix(".raw.html")
        assert data.startswith(EVIDENCE_GUARD)
        assert hashlib.sha256(data[len(EVIDENCE_GUARD):]).hexdigest() == digest
        shown = (out / "evidence" / f"{digest}.html").read_text(encoding="utf-8")
        assert f'<iframe class="captured" sandbox src="{digest}.raw.html"' in shown and "frame-src 'self'" in shown
    import shutil
    shutil.copytree(out, tmp_path / "copy")
    again = build_report(store, tmp_path / "copy", now=NOW, base_url="https://desk.example.org/vahti")
    assert again.stats.evidence_written == 0  # a rebuild reads no body the folder has
    bare = build_report(store, tmp_path / "bare", now=NOW, evidence="none")
    assert bare.stats.evidence_written == 0 and not (tmp_path / "bare" / "evidence").exists()
    assert "page as captured" not in page(tmp_path / "bare", f"{MEASURES}/actions/3.html")
    latest = build_report(store, tmp_path / "latest", now=NOW, evidence="latest")
    store.close()
    assert latest.stats.evidence_written == 13  # one per measure (12 and the Swedish page), none for history


def test_languages_get_their_own_overview_and_switch(built: tuple[Path, ReportResult]) -> None:
    out, _ = built
    sv = page(out, "sites/ilmastovahti.hel.fi/sv.html")
    assert "Försenad" in sv and '<a href="index.html" hreflang="fi" lang="fi">fi</a>' in sv
    assert '<strong aria-current="page">sv</strong>' in sv
    fi = page(out, "sites/ilmastovahti.hel.fi/index.html")
    assert '<a href="sv.html" hreflang="sv" lang="sv">sv</a>' in fi and "Försenad" not in fi
    m2 = page(out, f"{MEASURES}/actions/2.html")
    assert '<a href="../sv/actions/2.html" hreflang="sv">In sv</a>' in m2


def test_changes_pages_and_the_atom_feed_link_to_the_report(built: tuple[Path, ReportResult]) -> None:
    out, result = built
    changes = page(out, "changes.html")
    assert changes.count('<li class="ev ') == result.events
    assert '<link rel="alternate" type="application/atom+xml"' in changes
    feed = feedparser.parse((out / "changes.atom").read_bytes())
    assert not feed.bozo and len(feed.entries) == result.events
    entry = next(e for e in feed.entries if "Liisa Laine" in e.title)
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == [f"https://desk.example.org/vahti/{report_page(SITE + '/actions/3')}"]
    assert (out / related[0].removeprefix("https://desk.example.org/vahti/")).is_file()


def test_changes_are_paginated_under_the_size_limit(shared_db: str, built: tuple[Path, ReportResult], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import diffs.report.build as b

    monkeypatch.setattr(b, "PAGE_EVENTS", 10)
    store = Store.open(shared_db)
    result = build_report(store, tmp_path / "r", now=NOW, evidence="none")
    store.close()
    pages = sorted((tmp_path / "r").glob("changes*.html"))
    assert len(pages) == -(-result.events // 10)
    second = page(tmp_path / "r", "changes-2.html")
    assert '<a href="changes.html" rel="prev">← newer</a>' in second and second.count('<li class="ev ') == 10
    # Rebuilt with fewer pages: the pages it no longer writes go; what it never wrote stays.
    (tmp_path / "r" / "README.txt").write_text("ours", encoding="utf-8")
    monkeypatch.setattr(b, "PAGE_EVENTS", 250)
    store = Store.open(shared_db)
    again = build_report(store, tmp_path / "r", now=NOW, evidence="none")
    store.close()
    assert again.stats.removed == len(pages) - 1 and sorted((tmp_path / "r").glob("changes*.html")) == [
        tmp_path / "r" / "changes.html"]
    assert (tmp_path / "r" / "README.txt").read_text(encoding="utf-8") == "ours"


# -- the pieces --------------------------------------------------------------------------------

def _m(**kw: object) -> Measure:
    fields: dict[str, object] = {"url": "https://x.example/actions/1", "language": "fi", "identifier": "1",
                                 "name": "Aurinko", **kw}
    return Measure(**fields)  # type: ignore[arg-type]


def test_compare_words_rows_and_what_one_side_did_not_show() -> None:
    a = _m(lead="The city offers internships to schools.",
           tasks=(Task("Survey", "not_started", id="1"), Task("Old", "not_started", id="2")),
           contacts=(Contact("Anssi Almgren", id="9"),))
    b = _m(lead="The city offers paid internships to all schools.",
           tasks=(Task("Survey", "completed", id="1", completed_date=dt.date(2026, 1, 2)), Task("New", "open", id="3")),
           contacts=(Contact("Liisa Laine", id="8"),))
    d = compare(a, b)
    lead = next(f for f in d.fields if f.name == "lead")
    assert "".join(s.text for s in lead.segments if s.op != "ins") == a.lead
    assert "".join(s.text for s in lead.segments if s.op != "del") == b.lead
    assert [s.text for s in lead.segments if s.op == "ins"] == ["paid ", "all "]
    tasks = next(t for t in d.tables if t.name == "tasks")
    assert [(r.op, r.key) for r in tasks.rows] == [("changed", "id:1"), ("added", "id:3"), ("removed", "id:2")]
    contacts = next(t for t in d.tables if t.name == "contacts")
    assert [(r.op, (r.after or r.before or ("",))[0]) for r in contacts.rows] == [("added", "Liisa Laine"),
                                                                                ("removed", "Anssi Almgren")]
    hidden = compare(a, b, new_unobserved=("contacts", "lead"))
    assert {t.name for t in hidden.tables if t.rows} == {"tasks"} and not hidden.fields
    assert hidden.unobserved == ("contacts", "lead")
    assert compare(a, a).empty


def test_a_huge_text_is_replaced_whole_not_diffed_word_by_word() -> None:
    big = " ".join(["sana"] * MAX_TOKENS)
    segments = word_segments(big, big + " lisää")
    assert [s.op for s in segments] == ["del", "ins"]


def test_overview_figures() -> None:
    from vahti.history import MeasureHistory, VersionEntry
    from vahti.events import ChangeEvent
    from vahti.record import Labelled

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)

    def history(ident: str, statuses: list[str], *, removed: dt.datetime | None = None,
                touched: bool = False, updated: dt.date = dt.date(2026, 2, 20)) -> MeasureHistory:
        versions = tuple(VersionEntry(i + 1, t0 + dt.timedelta(days=10 * i), t0 + dt.timedelta(days=10 * i + 9),
                                      _m(identifier=ident, status=Labelled(None, s), updated_on=updated,
                                         tasks=(Task("T", "completed" if i else "not_started", id="t",
                                                     due_date=dt.date(2026, 1, 15),
                                                     completed_date=dt.date(2026, 2, 3) if i else None),)),
                                      "ok", ()) for i, s in enumerate(statuses))
        events = (ChangeEvent(site="s", measure=ident, kind="updated.changed", subject="updated", before=None,
                              after=None, summary="", observed_at=t0, from_version=1, to_version=2,
                              flags=("touched_only",)),) if touched else ()
        return MeasureHistory(url=f"https://x.example/actions/{ident}", site="s", identifier=ident, language="fi",
                              name="n", first_seen_at=t0, last_seen_at=t0, removed_at=removed, merged_into=None,
                              versions=versions, runs=(), events=events)

    o = Overview(now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc), stale_months=1)
    o.add(history("1", ["on time", "late"], touched=True))
    o.add(history("2", ["on time"], removed=dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc), updated=dt.date(2025, 1, 1)))
    o.add(history("3", ["on time"], updated=dt.date(2025, 6, 1)))
    chart = o.status_chart()
    assert chart.periods[0] == "2026-01-01" and chart.periods[-1] == "2026-03-01"
    by = {s.label: s.values for s in chart.series}
    assert (by["on time"][0], by["late"][0]) == (3, 0)  # day 1: all three on time
    assert (by["on time"][10], by["late"][10]) == (1, 1)  # day 11: 1 late, 2 removed on day 5
    tasks = o.task_chart()
    assert tasks.periods == ("2026-01", "2026-02", "2026-03")
    done, overdue = (s.values for s in tasks.series)
    assert done == (0, 1, 0) and overdue == (3, 2, 2)  # 1's task completed on 3 Feb; 2's and 3's never
    assert [m.identifier for m in o.touched_only()] == ["1"]
    assert [m.identifier for m in o.stale()] == ["3"]  # 2 is stale too, but gone


# -- the command, the configuration, the daemon, the alerts -----------------------------------------------

def test_the_command_builds_and_refuses_an_empty_archive(shared_db: str, built: tuple[Path, ReportResult],
                                                         tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cli import cli
    from vahti.errors import ConfigError

    db = str(tmp_path / "v.db")
    missing = CliRunner().invoke(cli, ["report", "--out", str(tmp_path / "r"), "--db", db])
    assert missing.exit_code == 1 and "no database at" in str(missing.exception)
    store = Store.open(db)
    empty = CliRunner().invoke(cli, ["report", "--out", str(tmp_path / "r"), "--db", db])
    assert isinstance(empty.exception, ConfigError) and "nothing to report" in str(empty.exception)  # exit 2
    store.close()
    db = shared_db
    out = json.loads(run_cli("report", "--out", str(tmp_path / "r"), "--db", db, "--json", "--evidence", "none",
                             "--base-url", "https://desk.example.org/vahti/"))
    assert out["index"] == str((tmp_path / "r" / "index.html").resolve()) and out["measures"] == 13
    bad = CliRunner().invoke(cli, ["report", "--out", str(tmp_path / "r"), "--db", db, "--base-url", "ftp://x"])
    assert isinstance(bad.exception, ConfigError) and "not an http(s) URL" in str(bad.exception)


def test_report_configuration(tmp_path: Path) -> None:
    from vahti.config import load
    from vahti.errors import ConfigError

    f = tmp_path / "vahti.toml"
    f.write_text('[report]\nout = "site"\nbase_url = "https://desk.example.org/vahti/"\nstale_months = 6\n')
    cfg = load(f)
    assert cfg.report.out == "site" and cfg.report.stale_months == 6
    assert cfg.alerts.report_url == "https://desk.example.org/vahti"  # alerts link to the same report
    for bad, says in (('evidence = "some"', "evidence must be one of"), ("stale_months = 0", "at least 1"),
                      ("colour = 1", "unknown key")):
        f.write_text(f"[report]\n{bad}\n")
        with pytest.raises(ConfigError, match=says):
            load(f)


def test_the_daemon_rebuilds_the_report_after_a_crawl(shared_db: str, built: tuple[Path, ReportResult],
                                                       tmp_path: Path) -> None:
    import scheduler
    from vahti.config import Config, ReportConfig

    store = Store.open(shared_db)
    daemon = scheduler.Daemon(Config(database=shared_db, report=ReportConfig(out=str(tmp_path / "r"))), store)
    scheduler._DAEMON = daemon
    try:
        scheduler.report_job()
    finally:
        scheduler._DAEMON = None
        store.close()
    assert (tmp_path / "r" / "index.html").is_file() and (tmp_path / "r" / "static" / "chart.umd.min.js").is_file()


def test_alert_mail_and_feeds_link_to_the_report(shared_db: str, built: tuple[Path, ReportResult]) -> None:
    from diffs.alerts.atom import feed_xml
    from diffs.alerts.mail import compose
    from storage import queries

    store = Store.open(shared_db)
    with store.reading() as session:
        events = [e for e in queries.events(session) if e.measure == "3" and e.to_version == 2]
    store.close()
    mail = compose(events, subscription="s", idempotency_key="k", sender="a@b", to="c@d", names={}, leave="-",
                   report_url="https://desk.example.org/vahti")
    link = f"https://desk.example.org/vahti/{MEASURES}/actions/3.html"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    assert f"In the report: {link}" in plain.get_content() and f'href="{link}"' in html.get_content()
    feed = feedparser.parse(feed_xml(events, title="t", feed_id="i", report_url="https://desk.example.org/vahti"))
    assert all(any(x.rel == "related" and x.href == link for x in e.links) for e in feed.entries)
    plain_feed = feedparser.parse(feed_xml(events, title="t", feed_id="i"))
    assert not any(x.rel == "related" for e in plain_feed.entries for x in e.links)
    assert T0 < NOW


def test_a_long_timeline_continues_on_pages_of_its_own(shared_db: str, built: tuple[Path, ReportResult],
                                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import diffs.report.build as b

    monkeypatch.setattr(b, "TIMELINE_PAGE", 2)
    store = Store.open(shared_db)
    build_report(store, tmp_path / "r", now=NOW, evidence="none")
    store.close()
    # Measure 10: parse.recovered, parse.degraded, the degraded capture, version 1: two pages of two.
    first = page(tmp_path / "r", f"{MEASURES}/actions/10.html")
    assert '<a href="10/timeline-2.html">page 2</a>' in first and 'id="v1"' not in first
    assert '<a href="10/timeline-2.html#v1">v1</a>' in first  # the task history finds its version there
    second = page(tmp_path / "r", f"{MEASURES}/actions/10/timeline-2.html")
    assert 'id="v1"' in second and "⚠ Degraded capture" in second
    assert '<a href="../10.html">1</a>' in second and '<strong aria-current="page">2</strong>' in second


def test_a_page_url_with_dot_segments_stays_inside_the_folder(tmp_path: Path) -> None:
    from scraper import parse
    from storage.store import FetchInfo
    from vahti.app.ingest import ingest
    from vahti.samples.pages import app_router_page
    from vahti.samples.spec import spec_91

    url = SITE + "/a/../../../../escaped/actions/91"  # a site's sitemap may say anything
    body = app_router_page(spec_91("fi")).encode()
    store = Store.open(str(tmp_path / "v.db"))
    ingest(store, site=SITE, url=url, fetch=FetchInfo(NOW, 200), result=parse(body, url), body=body)
    build_report(store, tmp_path / "out" / "report", now=NOW)
    store.close()
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "out" / "escaped").exists()
    assert (tmp_path / "out" / "report" / "measures/ilmastovahti.hel.fi/a/_/_/_/_/escaped/actions/91.html").is_file()
