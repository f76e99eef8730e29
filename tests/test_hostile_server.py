"""Hostile servers on 127.0.0.1: bounded memory and time, the site only, the right page under each URL."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select, text

from helpers import ROOT
from scraper.fetch import HttpFetcher, Request
from sitesrv import SiteServer
from storage import queries
from storage.models import Capture, MeasureRow
from storage.store import Store
from vahti.app.crawl import Crawler
from vahti.app.runner import run_site
from vahti.config import SiteConfig
from vahti.errors import FetchError, FetchTimeout
from vahti.samples.pages import app_router_page
from vahti.samples.site import sample_site, with_base
from vahti.samples.spec import spec_91


@pytest.fixture
def server() -> Iterator[SiteServer]:
    with SiteServer(timeout_sleep=2.0) as srv:
        for path, (body, ctype) in with_base(sample_site(1), srv.url).items():
            srv.site.set(path, body, ctype)
        yield srv


def site(srv: SiteServer, **kw: object) -> SiteConfig:
    base: dict[str, object] = dict(url=srv.url, rate=500.0, retries=1, backoff=0.01, max_backoff=0.05, timeout=1.0,
                                   concurrency=2, list_page=False)
    return SiteConfig(**{**base, **kw})  # type: ignore[arg-type]


def crawl(srv: SiteServer, store: Store, **kw: object):  # type: ignore[no-untyped-def]
    crawler = Crawler(site(srv, **kw), store)
    try:
        return crawler.crawl()
    finally:
        crawler.close()


def test_an_encoding_not_asked_for_is_refused_before_it_inflates(server: SiteServer) -> None:
    server.site.fault("/actions/1", "zstdbomb")
    fetcher = HttpFetcher(site(server, retries=0, timeout=10.0))
    with pytest.raises(FetchError, match="content encoding 'zstd' was not asked for"):
        fetcher.fetch(Request(server.url + "/actions/1"))
    assert server.site.hits_for("/actions/1")[0].headers["accept-encoding"] == "gzip, deflate"


def test_a_page_a_byte_a_second_ends_at_the_request_deadline(server: SiteServer) -> None:
    server.site.fault("/actions/1", "slow")
    fetcher = HttpFetcher(site(server, retries=0))
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match="longer than 3 s in all"):
        fetcher.fetch(Request(server.url + "/actions/1"))
    assert time.monotonic() - started < 6


def test_sitemaps_and_redirects_stay_on_the_site(server: SiteServer, store: Store) -> None:
    with SiteServer() as other:  # another service on 127.0.0.1, another port
        other.site.set("/admin/secret", "secret", "text/plain")
        other.site.set("/sitemap.xml", "<urlset/>", "application/xml")
        server.site.set("/robots.txt", f"User-agent: *\nSitemap: {other.url}/sitemap.xml\n", "text/plain")
        index = (f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{other.url}'
                 f'/admin/secret</loc></sitemap><sitemap><loc>{server.url}/sitemap-pages.xml</loc></sitemap>'
                 "</sitemapindex>")
        pages = server.site.pages["/sitemap.xml"]
        server.site.set("/sitemap.xml", index, "application/xml")
        server.site.set("/sitemap-pages.xml", pages, "application/xml")
        server.site.fault("/actions/4", f"redirect:{other.url}/actions/4")  # same host, another port
        summary = crawl(server, store)
        assert other.site.hits == []  # asked nothing, neither a sitemap nor a redirect target
        assert any("not on the site" in note for note in summary.discovery)
        assert [p.error for p in summary.pages if p.url.endswith("/actions/4")][0].startswith("off-site redirect")


def test_a_redirect_to_another_action_is_a_move_not_a_second_copy(server: SiteServer, store: Store) -> None:
    crawl(server, store)
    server.site.fault("/actions/5", *[f"redirect:{server.url}/actions/9"] * 3)
    crawl(server, store)
    with store.reading() as s:
        nines = s.scalars(select(MeasureRow.url).where(MeasureRow.identifier == "9")).all()
        assert nines == [server.url + "/actions/9"]  # no second measure "9" at /actions/5
        five = queries.resolve_measure(s, server.url + "/actions/5")
        cap = s.scalars(select(Capture).where(Capture.measure_id == five.id)
                        .order_by(Capture.requested_at.desc())).first()
        assert cap is not None and cap.outcome == "missing" and cap.error.startswith("moved: redirected to")
        assert queries.resolve_measure(s, "9").url.endswith("/actions/9")  # not ambiguous


def test_a_huge_crawl_delay_is_capped_and_said(server: SiteServer, store: Store) -> None:
    server.site.set("/robots.txt", "User-agent: *\nCrawl-delay: 1e20\n", "text/plain")
    summary = crawl(server, store, sitemap=False)  # robots.txt only: no request to wait a minute for
    assert "crawl-delay 1e+20 s taken as 60 s" in summary.robots


def test_a_full_disk_stops_the_crawl_once_and_releases_its_lease(server: SiteServer, tmp_path: Path) -> None:
    db = tmp_path / "vahti.db"
    store = Store.open(str(db))
    run_site(site(server), store)
    for path, (body, ctype) in with_base(sample_site(2), server.url).items():
        server.site.set(path, body, ctype)

    @event.listens_for(store.engine, "connect")
    def full(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()  # new connections: the disk is "full"
    run = run_site(site(server), store)
    assert run.status == "failed" and run.summary is not None
    assert run.summary.problem is not None and run.summary.problem.startswith("storage failed, the crawl stopped")
    assert len(run.summary.pages) < 12  # stopped, not one failure per page
    event.remove(store.engine, "connect", full)
    store.engine.dispose()
    with store.reading() as s:
        assert s.execute(text("SELECT count(*) FROM locks")).scalar() == 0


def test_peak_memory_crawling_bombs_stays_under_300_mb(server: SiteServer, tmp_path: Path) -> None:
    """A crawl of pages that are bombs of each kind, in its own process, measured."""
    for path, fault in (("/actions/1", "gzipbomb"), ("/actions/2", "zstdbomb"), ("/actions/3", "huge")):
        server.site.fault(path, fault, fault)
    code = ("import resource, sys; from vahti.app.crawl import Crawler; from storage.store import Store; "
            "from vahti.config import SiteConfig; "
            f"c = Crawler(SiteConfig(url='{server.url}', rate=500.0, retries=1, backoff=0.01, max_backoff=0.05, "
            f"timeout=10.0, list_page=False), Store.open(sys.argv[1])); s = c.crawl(); "
            "print(s.totals()['failed'], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "b.db")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and len(out.stdout.split()) == 2, (out.stdout, out.stderr[-2000:])
    failed, rss_mb = out.stdout.split()
    assert int(failed) >= 3 and int(rss_mb) < 300, out.stderr[-2000:]  # the three bombs, refused


def test_a_crawl_stops_at_its_deadline_and_says_so(server: SiteServer, store: Store) -> None:
    summary = crawl(server, store, rate=4.0, concurrency=1, max_crawl=0.5)
    assert summary.problem is not None and "took longer than max_crawl = 0.5 s" in summary.problem
    assert 0 < len(summary.pages) < 12


def test_webhook_secrets_never_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import vahti, vahti_here

    db = str(tmp_path / "vahti.db")
    url = "http://hook-user:hunter2@127.0.0.1:1/services/T00000/B00000/XXXXXXXXXXXXXXXXXXXXXXXX?token=t0ps3cret"
    made = vahti_here("subscribe", "bot", "--webhook", url, "--db", db)
    listed = vahti_here("subscriptions", "--db", db).stdout + vahti_here("subscriptions", "--db", db, "--json").stdout
    bad = vahti_here("subscribe", "bad", "--webhook", "ftp://u:hunter2@x/t0ps3cret", "--db", db, check=2)
    page = tmp_path / "p.html"
    page.write_text(app_router_page(spec_91("fi")), encoding="utf-8")
    vahti_here("import", str(page), "--url", "https://ilmastovahti.hel.fi/actions/91", "--at", "2026-12-01T08:00:00Z",
          "--db", db)
    # The delivery runs as a user runs it, in a process of its own: its logs are what could leak.
    sent = vahti("deliver", "--db", db, check=None)  # the hook is down: an error to show and store
    shown = sent.stdout + sent.stderr + vahti_here("deliveries", "--db", db).stdout + vahti_here(
        "deliveries", "--db", db, "--json").stdout
    assert "ConnectError" in shown
    for secret in ("hunter2", "XXXXXXXXXXXXXXXXXXXXXXXX", "t0ps3cret"):
        assert secret not in made.stdout + listed + bad.stderr + shown


def test_a_stop_ends_a_crawl_waiting_out_a_long_crawl_delay_within_seconds(server: SiteServer, store: Store) -> None:
    import threading

    server.site.set("/robots.txt", "User-agent: *\nCrawl-delay: 3600\n", "text/plain")
    stop = threading.Event()
    crawler = Crawler(site(server), store, stop=stop)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(crawler.crawl()))
    worker.start()
    time.sleep(1.0)  # it fetched the sitemap and now waits its 60 s turn for the next page
    started = time.monotonic()
    stop.set()
    worker.join(timeout=10)
    crawler.close()
    assert done and time.monotonic() - started < 3
