"""Plans as other cities run them: a German plan under a base path, served from 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import REAL, real_pages, run_cli, vahti_here
from scraper.discover import action_identifier
from scraper.plan_facts import plan_facts
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



def test_sites_add_detects_the_german_plan_its_language_and_base_path(german: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    # The plan's address: its front page answers 404 here, so detection reads the sitemap's actions.
    out = json.loads(vahti_here("sites", "add", german.url + "/klima", "--rate", "50", "--every", "1d", "--db", db,
                           "--json").stdout)
    assert (out["plan_name"], out["languages"], out["base_path"], out["generation"]) == (
        "Klimaschutzprogramm Musterstadt 2030", ["de"], "/klima", "app-router")
    assert out["url"] == german.url + "/klima" and out["new"] is True and out["every"] == "1d"
    # An action page's address names the same site.
    again = run_cli("sites", "add", german.url + "/klima/actions/VW-08", "--rate", "50", "--db", db)
    assert again.startswith(f"updated {german.url}/klima") and "base path   /klima" in again
    assert "Klimaschutzprogramm Musterstadt 2030" in again and "languages   de (primary de)" in again

    listed = run_cli("sites", "list", "--db", db)
    assert "never crawled" in listed and "Klimaschutzprogramm" in listed

    # `vahti crawl` with no --site crawls the stored site, as stored.
    vahti_here("crawl", "--db", db)
    [row] = json.loads(run_cli("sites", "list", "--db", db, "--json"))
    assert (row["measures"], row["last_status"], row["failed_in_a_row"], row["languages"]) == (1, "ok", 0, ["de"])

    removed = run_cli("sites", "remove", german.url + "/klima", "--db", db)
    assert "1 measures and their history kept" in removed
    assert json.loads(run_cli("sites", "list", "--db", db, "--json")) == []
    [kept] = json.loads(run_cli("sites", "list", "--all", "--db", db, "--json"))
    assert kept["watched"] is False and kept["measures"] == 1
    assert "VW-08" in run_cli("history", "VW-08", "--db", db)
    failed = vahti_here("crawl", "--db", db, check=2)
    assert "no sites to crawl" in failed.stderr


def test_sites_add_refuses_what_is_not_a_kausal_watch_plan(tmp_path: Path) -> None:
    with SiteServer(timeout_sleep=1.0) as srv:
        srv.site.set("/", "<html><head><title>Blog</title></head><body><h1>Hello</h1><a href='/about'>x</a></body></html>")
        result = vahti_here("sites", "add", srv.url, "--rate", "50", "--db", str(tmp_path / "v.db"), check=2)
    assert "shows no Kausal Watch plan" in result.stderr and "https://ilmastovahti.hel.fi" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_facts_of_every_real_render() -> None:
    for page in sorted(REAL.glob("*/*.html")):
        facts = plan_facts(page.read_bytes(), "https://example.org/actions/1")
        truth = json.loads(page.with_suffix(".truth.json").read_text(encoding="utf-8"))
        if page.parent.name == "kausal2020":  # the 2020 Apollo cache names neither languages nor the plan here
            continue
        assert facts.primary_language == truth.get("data_language", truth["lang"]) or facts.primary_language == "fi"
        if "plan_name" in truth and page.parent.name.startswith("kausal2026"):  # older pages: the parse's `plan` says it
            assert facts.plan_name == truth["plan_name"]
        assert (facts.base_path or "") == truth.get("base_path", "")


@pytest.mark.parametrize("path, ident", [("/klima/actions/VW-08", "VW-08"), ("/actions/L3.2", "L3.2"),
                                         ("/actions/0.1.1", "0.1.1"), ("/sv/klima/actions/VW-08/", "VW-08")])
def test_identifiers_with_dots_and_hyphens_under_a_base_path(path: str, ident: str) -> None:
    site = SiteConfig(url="https://klima-monitor.example.de/klima", languages=("de", "sv"))
    found = action_identifier("https://klima-monitor.example.de" + path, site, from_sitemap=True)
    assert found is not None and found[0] == ident
    assert site.action_url(ident) == f"https://klima-monitor.example.de/klima/actions/{ident}"
    # Outside a sitemap, a path without the base path is another plan's.
    if not path.startswith(("/klima", "/sv/klima")):
        assert action_identifier("https://klima-monitor.example.de" + path, site) is None
