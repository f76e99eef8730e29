"""WARC export: captures of a real crawl (127.0.0.1) written with warcio, checked by `warcio check`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from helpers import run_cli
from sitesrv import SiteServer
from storage.store import Store
from vahti.app.crawl import Crawler
from vahti.config import SiteConfig
from vahti.errors import ConfigError
from vahti.samples.site import sample_site, with_base



def test_a_crawl_exports_as_warc_that_warcio_checks_and_reads(tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    with SiteServer(timeout_sleep=1.0) as srv:
        pages = with_base(sample_site(1, measures=3), srv.url)
        for path, (body, ctype) in pages.items():
            srv.site.set(path, body, ctype)
        store = Store.open(db)
        crawler = Crawler(SiteConfig(url=srv.url, rate=500.0, retries=0, timeout=2.0, list_page=False), store)
        try:
            assert crawler.crawl().totals()["new_versions"] == 3
        finally:
            crawler.close()
            store.close()
    page = tmp_path / "old.html"
    page.write_bytes(pages["/actions/1"][0])
    run_cli("import", str(page), "--url", srv.url + "/actions/1", "--at", "2020-01-01T00:00:00Z", "--db", db)
    warc = tmp_path / "out.warc.gz"
    run_cli("export", "--format", "warc", "--out", str(warc), "--db", db)

    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(warc)], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout.replace("failed 0", ""), check.stdout

    with warc.open("rb") as fh:
        records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"),
                    r.http_headers.get_statuscode() if r.http_headers and r.rec_type == "response" else None,
                    r.http_headers.get_header("Content-Type") if r.http_headers and r.rec_type == "response" else None,
                    r.content_stream().read()) for r in ArchiveIterator(fh)]
    kinds = [r[0] for r in records]
    assert kinds[0] == "warcinfo"
    assert kinds.count("response") == 3 and kinds.count("request") == 3 and kinds.count("resource") == 1
    assert kinds.count("metadata") == 4
    first = records[1]  # the import of 2020 comes first, in time order: no headers were seen, none made up
    assert (first[0], first[2][:10]) == ("resource", "2020-01-01")
    responses = {r[1]: r for r in records if r[0] == "response"}
    one = responses[srv.url + "/actions/1"]
    assert one[3] == "200" and one[4] == pages["/actions/1"][1] and one[5] == pages["/actions/1"][0]
    metadata = [r[5].decode() for r in records if r[0] == "metadata"]
    assert all("verdict: ok" in m and "record-hash: " in m for m in metadata)
    # --site and --since narrow it.
    later = tmp_path / "later.warc.gz"
    run_cli("export", "--format", "warc", "--out", str(later), "--since", "2021-01-01", "--db", db)
    with later.open("rb") as fh:
        assert [r.rec_type for r in ArchiveIterator(fh)].count("resource") == 0


def _history(db: str) -> list[tuple[str, int, str, str]]:
    from sqlalchemy import select

    from storage.models import MeasureRow, Version

    store = Store.open(db)
    try:
        with store.reading() as s:
            rows = s.execute(select(MeasureRow.url, Version.number, Version.first_seen_at, Version.record_hash)
                             .join(Version, Version.measure_id == MeasureRow.id).order_by(MeasureRow.url, Version.number))
            return [(u.rsplit("/", 2)[-1], n, at.isoformat(), h) for u, n, at, h in rows]
    finally:
        store.close()


def test_a_warc_round_trips_into_the_same_history(tmp_path: Path) -> None:
    db, again = str(tmp_path / "v.db"), str(tmp_path / "again.db")
    with SiteServer(timeout_sleep=1.0) as srv:
        for day in (1, 2):
            for path, (body, ctype) in with_base(sample_site(day, measures=5), srv.url).items():
                srv.site.set(path, body, ctype)
            store = Store.open(db)
            moment = dt.datetime(2026, 11, day, 8, tzinfo=dt.timezone.utc)
            crawler = Crawler(SiteConfig(url=srv.url, rate=500.0, retries=0, timeout=2.0, list_page=False), store,
                              clock=lambda moment=moment: moment)
            try:
                crawler.crawl()
            finally:
                crawler.close()
                store.close()
    warc = tmp_path / "out.warc.gz"
    run_cli("export", "--format", "warc", "--out", str(warc), "--db", db)
    out = run_cli("import", str(warc), "--db", again)
    assert "new versions" in out
    assert _history(again) == _history(db) and len(_history(db)) > 5


def test_a_warc_too_big_to_sort_in_memory_is_refused_before_anything_is_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import vahti.app.warc_import as warc_import

    db = str(tmp_path / "v.db")
    page = tmp_path / "p.html"
    page.write_bytes(with_base(sample_site(1, measures=2), "https://ilmastovahti.hel.fi")["/actions/1"][0])
    run_cli("import", str(page), "--url", "https://ilmastovahti.hel.fi/actions/1", "--at", "2026-01-01T00:00:00Z",
            "--db", db)
    warc = tmp_path / "one.warc.gz"
    run_cli("export", "--format", "warc", "--out", str(warc), "--db", db)
    monkeypatch.setattr(warc_import, "MAX_HELD", 100)
    store = Store.open(str(tmp_path / "new.db"))
    try:
        with pytest.raises(ConfigError, match="split the WARC"):
            warc_import.import_warc(store, warc)
    finally:
        store.close()
