"""Crawling a real HTTP server on 127.0.0.1 that changes between crawls and misbehaves on demand."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import ROOT
from scraper.fetch import HttpFetcher, Request, Response
from vahti.app.crawl import Crawler
from sitesrv import Site, SiteServer
from storage.models import Capture, MeasureRow, Version
from storage.store import Store
from vahti.config import SiteConfig
from vahti.samples.site import sample_site, with_base


def load_day(site: Site, base: str, day: int, measures: int = 12) -> None:
    pages = with_base(sample_site(day, measures=measures), base)
    for path in [p for p in site.pages if p.startswith("/actions/") and p not in pages]:
        del site.pages[path]
    for path, (body, ctype) in pages.items():
        site.set(path, body, ctype)


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(timeout_sleep=2.0) as srv:
        load_day(srv.site, srv.url, 1)
        yield srv


def config(srv: SiteServer, **kw: object) -> SiteConfig:
    defaults: dict[str, object] = dict(url=srv.url, rate=500.0, retries=2, backoff=0.05, max_backoff=3.0, timeout=0.5,
                                       concurrency=2, list_page=False, contact="mailto:test@example.org")
    defaults.update(kw)
    return SiteConfig(**defaults)  # type: ignore[arg-type]


def crawl(srv: SiteServer, store: Store, **kw: object):  # type: ignore[no-untyped-def]
    crawler = Crawler(config(srv, **kw), store)
    try:
        return crawler.crawl()
    finally:
        crawler.close()


def versions(store: Store) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(Version)) or 0)


def test_first_crawl_finds_and_stores_every_measure(server: SiteServer, store: Store) -> None:
    summary = crawl(server, store)
    t = summary.totals()
    assert (t["seen"], t["new_versions"], t["failed"], t["added"]) == (12, 12, 0, 12)
    assert any("sitemap.xml: 12 URLs" in note for note in summary.discovery)
    assert versions(store) == 12
    ua = server.site.hits_for("/actions/1")[0].headers["user-agent"]
    assert ua.startswith("vahti/") and "mailto:test@example.org" in ua


def test_unchanged_second_crawl_sends_only_conditional_requests(server: SiteServer, store: Store) -> None:
    crawl(server, store)
    server.site.hits.clear()
    summary = crawl(server, store)
    page_hits = [h for h in server.site.hits if h.path.startswith("/actions/")]
    assert len(page_hits) == 12
    assert all("if-none-match" in h.headers and "if-modified-since" in h.headers for h in page_hits)
    assert all(h.status == 304 for h in page_hits)
    assert summary.totals()["not_modified"] == 12 and versions(store) == 12
    # A 304 ends its exchange: the connection is kept for the next page, not opened anew for each.
    assert len({h.peer for h in page_hits}) <= 4


class _Watching:
    """The real fetcher, noting which thread fetched each page and how many pages were in flight at once."""

    def __init__(self, site: SiteConfig) -> None:
        self.inner, self.lock = HttpFetcher(site), threading.Lock()
        self.threads: list[str] = []
        self.in_flight = self.most = 0

    def fetch(self, request: Request) -> Response:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            if "/actions/" in request.url:
                self.threads.append(threading.current_thread().name)
        try:
            return self.inner.fetch(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self) -> None:
        self.inner.close()


def test_a_site_that_answers_at_once_is_crawled_page_by_page_in_the_crawls_thread(
        server: SiteServer, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vahti.app.crawl.INLINE_WAIT", 0.5)  # "at once", whatever else this machine runs
    site = config(server, rate=100_000.0, concurrency=4)
    fetcher = _Watching(site)
    summary = Crawler(site, store, fetcher=fetcher).crawl()
    fetcher.close()
    assert summary.totals()["new_versions"] == 12
    assert fetcher.threads == [threading.current_thread().name] * 12 and fetcher.most == 1


@pytest.mark.parametrize("wait", ["the server", "the rate limit"])
def test_a_site_that_keeps_the_crawl_waiting_is_fetched_ahead_in_threads(server: SiteServer, store: Store,
                                                                         wait: str) -> None:
    if wait == "the server":
        for path in [p for p in server.site.pages if p.startswith("/actions/")]:
            server.site.fault(path, "delay:0.05")
    site = config(server, rate=100_000.0 if wait == "the server" else 40.0, concurrency=3)
    fetcher = _Watching(site)
    summary = Crawler(site, store, fetcher=fetcher).crawl()
    fetcher.close()
    assert summary.totals()["new_versions"] == 12
    # Page by page until two pages in a row kept the crawl waiting (the first two, but on a busy machine the
    # rate limit's first slot may have passed by the time the first page is asked for), then in threads.
    turned = next(i for i, name in enumerate(fetcher.threads) if name != threading.current_thread().name)
    assert all(name.startswith("vahti-fetch") for name in fetcher.threads[turned:])
    if wait == "the server":
        assert turned == 2 and fetcher.most == 3  # the waits overlap
    else:
        assert 2 <= turned <= 4
    assert versions(store) == 12


def test_changes_between_crawls_make_new_versions_only_where_changed(server: SiteServer, store: Store) -> None:
    crawl(server, store)
    load_day(server.site, server.url, 2)
    summary = crawl(server, store)
    changed = sorted(int(p.url.rsplit("/", 1)[1]) for p in summary.pages if p.outcome == "new_version")
    assert changed == [2, 3, 4, 5]
    assert summary.totals()["not_modified"] == 8


def test_removed_after_two_missing_crawls_and_restored(server: SiteServer, store: Store) -> None:
    crawl(server, store)
    load_day(server.site, server.url, 3)
    first = crawl(server, store)
    assert [(p.outcome, p.lifecycle) for p in first.pages if p.url.endswith("/12")] == [("missing", None)]
    second = crawl(server, store)
    assert [p.lifecycle for p in second.pages if p.url.endswith("/12")] == ["removed"]
    assert any(p.lifecycle == "merged" for p in first.pages if p.url.endswith("/11"))
    load_day(server.site, server.url, 1)
    third = crawl(server, store)
    assert [p.lifecycle for p in third.pages if p.url.endswith("/12")] == ["restored"]
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(MeasureRow).where(MeasureRow.removed_at.is_not(None))) == 0


def test_robots_disallow_and_crawl_delay_are_obeyed(server: SiteServer, store: Store) -> None:
    server.site.set("/robots.txt", "User-agent: *\nDisallow: /actions/3\nCrawl-delay: 0.2\n", "text/plain")
    start = time.monotonic()
    summary = crawl(server, store)
    assert not server.site.hits_for("/actions/3")
    assert [p.outcome for p in summary.pages if p.url.endswith("/actions/3")] == ["disallowed"]
    times = sorted(h.at for h in server.site.hits)
    gaps = [b - a for a, b in zip(times, times[1:])]
    # Requests leave paced; their arrival jitters by the server's own scheduling, never the sum.
    assert statistics.median(gaps) >= 0.19 and min(gaps) >= 0.1, gaps
    assert time.monotonic() - start >= 0.2 * (len(times) - 1)


def test_robots_server_error_means_disallow_all(server: SiteServer, store: Store) -> None:
    server.site.fault("/robots.txt", "500", "500", "500")
    summary = crawl(server, store)
    assert "answered 500" in summary.robots
    assert not any(h.path.startswith("/actions/") for h in server.site.hits)


def test_faults_are_retried_bounded_spaced_and_recorded(server: SiteServer, store: Store) -> None:
    f = server.site.fault
    f("/actions/1", "500", "503")           # recovers on the third attempt
    f("/actions/2", "429:1")                 # Retry-After: 1
    f("/actions/3", "timeout", "timeout", "timeout")  # never answers in time
    f("/actions/4", "reset")                 # connection reset, then fine
    f("/actions/5", "truncate")              # body cut short
    f("/actions/6", "redirect:/actions/6")   # redirect loop
    f("/actions/7", "offsite")               # redirect to another host
    f("/actions/8", "huge")                  # endless body
    f("/actions/9", "ctype:application/pdf")
    f("/actions/11", "gzipbomb")
    f("/actions/10", "500", "500", "500", "500")  # gives up
    summary = crawl(server, store, max_bytes=1_000_000, timeout=0.4)
    by_id = {int(p.url.rsplit("/", 1)[1]): p for p in summary.pages}
    assert by_id[1].outcome == "new_version" and by_id[1].attempts == 3
    assert len(server.site.hits_for("/actions/1")) == 3
    h2 = server.site.hits_for("/actions/2")
    assert by_id[2].outcome == "new_version" and len(h2) == 2 and h2[1].at - h2[0].at >= 0.95
    assert by_id[3].outcome == "error" and "timed out" in (by_id[3].error or "")
    assert len(server.site.hits_for("/actions/3")) == 3  # 1 + 2 retries, no more
    assert by_id[4].outcome == "new_version"
    assert by_id[5].outcome == "error"
    assert by_id[6].outcome == "error" and "redirect loop" in (by_id[6].error or "")
    assert by_id[7].outcome == "error" and "off-site redirect" in (by_id[7].error or "")
    assert by_id[8].outcome == "error" and "cap" in (by_id[8].error or "")
    assert by_id[9].outcome == "error" and "content type" in (by_id[9].error or "")
    assert by_id[10].outcome == "error" and by_id[10].status == 500
    assert len(server.site.hits_for("/actions/10")) == 3
    h10 = server.site.hits_for("/actions/10")
    assert all(b.at - a.at >= 0.02 for a, b in zip(h10, h10[1:]))  # backoff between attempts
    assert by_id[11].outcome == "error" and "cap" in (by_id[11].error or "")
    assert by_id[12].outcome == "new_version"
    assert summary.failed == 8
    with store.reading() as s:
        errors = {c.error for c in s.scalars(select(Capture).where(Capture.outcome == "error"))}
        assert len(errors) == 8 and all(errors)
    # The next crawl, with the server healthy again, picks up what failed.
    again = crawl(server, store)
    assert again.failed == 0 and versions(store) == 12


def test_sitemap_entity_bomb_is_refused_and_the_chain_still_finds_everything(server: SiteServer, store: Store) -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><urlset><url><loc>&lol3;</loc></url></urlset>')
    server.site.set("/sitemap.xml", bomb, "application/xml")
    summary = crawl(server, store, probe=(1, 1))
    assert any("entity expansion refused" in note for note in summary.discovery)
    assert summary.totals()["new_versions"] == 12  # from action 1, previous/next found the rest


def test_a_killed_crawl_restarts_cleanly(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "vahti.db"
    cmd = [sys.executable, "-c", "from cli import main; main()", "crawl", "--site", server.url, "--db", str(db),
           "--rate", "8"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    if conn.execute("SELECT count(*) FROM versions").fetchone()[0] >= 4:
                        break
            except sqlite3.OperationalError:
                pass
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -9
    done = subprocess.run(cmd[:-1] + ["100"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM measures").fetchone()[0] == 12
    assert conn.execute("SELECT count(*), count(DISTINCT measure_id) FROM versions").fetchone() == (12, 12)
    assert conn.execute("SELECT count(*) FROM versions v LEFT JOIN captures c ON c.version_id = v.id "
                        "WHERE c.id IS NULL").fetchone()[0] == 0


def test_crawl_cli_summary_and_exit_code(server: SiteServer, tmp_path: Path) -> None:
    server.site.fault("/actions/4", "500", "500", "500", "500", "500")
    db = tmp_path / "vahti.db"
    conf = tmp_path / "vahti.toml"
    conf.write_text(f'[database]\nurl = "{db}"\n\n[[site]]\nurl = "{server.url}"\nrate = 200\nretries = 1\n'
                    f'backoff = 0.05\n\n[report]\nout = "{tmp_path / "report"}"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", "crawl", "--config", str(conf)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "12 measures seen" in result.stdout and "11 new versions" in result.stdout and "1 failed" in result.stdout
    assert "error: " in result.stdout and "/actions/4" in result.stdout
    # [report] out: the report follows the crawl (a page for each measure read; none for 4, never read).
    assert "report rebuilt" in result.stderr and (tmp_path / "report" / "index.html").is_file()
    measures = tmp_path / "report" / "measures" / server.url.split("://")[1].replace(":", "_") / "actions"
    assert (measures / "1.html").is_file() and not (measures / "4.html").exists()


def test_list_page_and_language_variants(server: SiteServer, store: Store) -> None:
    from vahti.samples.pages import app_router_page
    from vahti.samples.spec import spec_91

    del server.site.pages["/sitemap.xml"]
    server.site.set("/actions", '<html><body><main id="main"><a href="/actions/1">1</a> <a href="/actions/2">2</a>'
                                '<a href="/indicators/3">not an action</a></main></body></html>')
    sv = spec_91("sv")
    sv.update(identifier="1", previous=None, next="2")
    server.site.set("/sv/actions/1", app_router_page(sv))
    summary = crawl(server, store, list_page=True, languages=("fi", "sv"))
    assert any("list page: 2 action links" in note for note in summary.discovery)
    stored = {p.url.replace(server.url, ""): p.outcome for p in summary.pages}
    assert stored["/sv/actions/1"] == "new_version" and stored["/actions/12"] == "new_version"
    assert stored["/sv/actions/2"] == "missing"  # no Swedish page for it: nothing stored, nothing invented
    with store.reading() as s:
        langs = dict(s.execute(select(MeasureRow.url, MeasureRow.language)).all())
        assert langs[server.url + "/sv/actions/1"] == "sv" and server.url + "/sv/actions/2" not in langs


def test_a_crawl_that_cannot_start_leaves_the_site_unlocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl lock is released even when the crawl's own row cannot be written."""
    import vahti.app.runner
    from storage.models import Lock
    from vahti.errors import StorageError
    from vahti.app.runner import run_site

    store = Store.open(str(tmp_path / "vahti.db"))
    try:
        def broken(*args: object, **kwargs: object) -> object:
            raise StorageError("database error: OperationalError: database is locked")

        monkeypatch.setattr(vahti.app.runner, "ensure_site", broken)
        with pytest.raises(StorageError):
            run_site(SiteConfig(url="http://127.0.0.1:9/"), store)
        with store.reading() as session:
            assert session.scalars(select(Lock)).all() == []
    finally:
        store.close()
