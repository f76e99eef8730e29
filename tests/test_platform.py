"""Plans as other cities run them: a German plan under a base path, served from 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from helpers import REAL, real_pages
from sitesrv import SiteServer
from storage.models import MeasureRow
from storage.store import Store
from vahti.app.crawl import Crawler
from vahti.config import SiteConfig

if not REAL.is_dir():
    real_pages()  # fails in CI, skips (saying why) elsewhere

DE = REAL / "kausal2026b"
HOST = "https://klima-monitor.example.de"


@pytest.fixture
def german() -> Iterator[SiteServer]:
    """The real render of a German plan at /klima, with the platform's own sitemap (which leaves
    the base path out) and robots.txt; the host's other actions answer 404."""
    with SiteServer(timeout_sleep=1.0) as srv:
        srv.site.set("/robots.txt", (DE / "de_robots.txt").read_bytes(), "text/plain; charset=utf-8")
        srv.site.set("/sitemap.xml", (DE / "de_sitemap.xml").read_text(encoding="utf-8").replace(HOST, srv.url),
                     "application/xml")
        srv.site.set("/klima/actions/VW-08", (DE / "de_action.html").read_bytes())
        yield srv


def crawl(srv: SiteServer, store: Store):  # type: ignore[no-untyped-def]
    crawler = Crawler(SiteConfig(url=srv.url + "/klima", languages=("de",), rate=500.0, retries=1, backoff=0.05,
                                 timeout=2.0, list_page=False), store)
    try:
        return crawler.crawl()
    finally:
        crawler.close()


def test_a_base_path_plan_is_found_through_a_sitemap_without_its_base_path(german: SiteServer, store: Store) -> None:
    summary = crawl(german, store)
    fetched = sorted(h.path for h in german.site.hits if "/actions/" in h.path)
    assert fetched == ["/klima/actions/VW-07", "/klima/actions/VW-08", "/klima/actions/VW-09"]
    with store.reading() as session:
        rows = session.execute(select(MeasureRow.identifier, MeasureRow.url, MeasureRow.language)).all()
    assert [(r.identifier, r.url, r.language) for r in rows] == [("VW-08", german.url + "/klima/actions/VW-08", "de")]
    assert summary.totals()["new_versions"] == 1

    # The same action through the sitemap's base-less URL and through the page's own links: one measure.
    summary = crawl(german, store)
    with store.reading() as session:
        assert len(session.execute(select(MeasureRow.id)).all()) == 1
