"""Backfilling a site's past from a fake web archive on 127.0.0.1 (CDX API and id_ replay)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import func, select

from helpers import REAL, real_pages, run_cli, vahti
from storage.models import Capture, Delivery, Event, Version
from storage.store import Store
from vahti.samples.server import send

if not REAL.is_dir():
    real_pages()  # fails in CI, skips (saying why) elsewhere

SITE = "https://ilmastovahti.hel.fi"
SHELL = b'<!DOCTYPE html><html lang="fi"><head><title>Ilmastovahti</title></head><body><div id="__next"></div></body></html>'


def _captures() -> list[tuple[str, str, bytes]]:
    """(timestamp, original, body): three generations of action 147, a duplicate, an empty shell."""
    p2020 = (REAL / "kausal2020" / "a147.html").read_bytes()
    return [
        ("20200601080000", "http://ilmastovahti.hel.fi/actions/147", p2020),
        ("20200701080000", "https://ilmastovahti.hel.fi/actions/147", p2020),  # same digest: fetched once
        ("20210101080000", "https://ilmastovahti.hel.fi/actions/147", SHELL),  # an empty shell
        ("20230301080000", "https://ilmastovahti.hel.fi/actions/147", (REAL / "kausal2023" / "a147.html").read_bytes()),
        ("20260301080000", "https://ilmastovahti.hel.fi/actions/147",
         (REAL / "kausal2026b" / "cont_a147.html").read_bytes()),
        ("20260302080000", "https://ilmastovahti.hel.fi/about", b"<html><body>not an action</body></html>"),
    ]


class FakeArchive:
    """The CDX API (url prefix, from/to, limit, showResumeKey/resumeKey) and ``id_`` replay; the
    first replay answers 429 with Retry-After."""

    def __init__(self, captures: list[tuple[str, str, bytes]]) -> None:
        self.captures = captures
        self.hits: list[str] = []
        self.throttled = False
        archive = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                archive.hits.append(self.path)
                parts = urlsplit(self.path)
                if parts.path == "/cdx/search/cdx":
                    return self._json(archive.cdx(parse_qs(parts.query)))
                if parts.path.startswith("/web/"):
                    ts, original = parts.path[len("/web/"):].split("id_/", 1)
                    if not archive.throttled:
                        archive.throttled = True
                        return self._send(429, b"slow down", {"Retry-After": "1"})
                    for t, o, body in archive.captures:
                        if t == ts and o == unquote(original):
                            return self._send(200, body, {"Content-Type": "text/html; charset=utf-8"})
                return self._send(404, b"not archived")

            def _json(self, obj: object) -> None:
                self._send(200, json.dumps(obj).encode(), {"Content-Type": "application/json"})

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                send(self, status, body, headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def cdx(self, q: dict[str, list[str]]) -> list[list[str]]:
        prefix = q["url"][0].rstrip("*")
        lo, hi = q.get("from", ["0"])[0], q.get("to", ["99999999999999"])[0]
        rows = [[t, o, "200", "text/html", hashlib.sha1(body).hexdigest().upper()]
                for t, o, body in self.captures
                if o.split("://", 1)[1].startswith(prefix) and lo <= t <= hi]
        start = int(q.get("resumeKey", ["0"])[0])
        limit = int(q.get("limit", ["1000"])[0])
        page = rows[start:start + min(limit, 2)]  # two rows a page: paging is exercised
        out: list[list[str]] = [["timestamp", "original", "statuscode", "mimetype", "digest"], *page]
        if start + 2 < len(rows) and q.get("showResumeKey") == ["true"]:
            out += [[], [str(start + 2)]]
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def archive() -> Iterator[FakeArchive]:
    fake = FakeArchive(_captures())
    yield fake
    fake.close()



def test_backfill_builds_the_history_a_crawler_would_have_with_no_alerts(archive: FakeArchive, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    run_cli("subscribe", "desk", "--atom", str(tmp_path / "desk.atom"), "--db", db)
    out = json.loads(run_cli("backfill", "--site", SITE, "--archive", archive.url, "--rate", "100", "--db", db, "--json"))
    assert (out["found"], out["fetched"], out["reused"], out["versions"], out["failed"]) == (5, 4, 1, 3, [])
    assert sum(out["skipped"].values()) == 1  # the empty shell
    store = Store.open(db)
    with store.reading() as s:
        versions = [(v.number, v.first_seen_at.isoformat()) for v in s.scalars(select(Version).order_by(Version.number))]
        assert versions == [(1, "2020-06-01T08:00:00+00:00"), (2, "2023-03-01T08:00:00+00:00"),
                            (3, "2026-03-01T08:00:00+00:00")]
        events = list(s.scalars(select(Event)))
        assert events and all("backfilled" in e.flags.split() for e in events)
        assert not any(e.kind.startswith("parse.") for e in events)  # the shell left no trace in the history
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0  # nobody alerted about the past
        shell = s.scalar(select(Capture).where(Capture.error.is_not(None)))
        assert shell is not None and shell.version_id is None and "not used" in (shell.error or "")
        assert shell.blob_id is not None  # kept, as evidence
    store.close()
    shown = json.loads(run_cli("show", "147", "--db", db, "--json"))
    assert shown["record"]["continuous"] is True  # the newest capture: the 2026 continuous action
    # The 429 was waited out (Retry-After) and retried; a second run fetches nothing.
    replays = [h for h in archive.hits if h.startswith("/web/")]
    assert len(replays) == 5
    archive.hits.clear()
    again = json.loads(run_cli("backfill", "--site", SITE, "--archive", archive.url, "--rate", "100", "--db", db,
                           "--json"))
    assert (again["already"], again["fetched"], again["versions"]) == (5, 0, 0)
    assert not [h for h in archive.hits if h.startswith("/web/")]


def test_backfill_from_and_to_bound_the_captures(archive: FakeArchive, tmp_path: Path) -> None:
    db = str(tmp_path / "v.db")
    out = json.loads(run_cli("backfill", "--site", SITE, "--archive", archive.url, "--rate", "100", "--from", "2023-01-01",
                         "--to", "2023-12-31", "--db", db, "--json"))
    assert (out["found"], out["versions"]) == (1, 1)


def test_an_archive_that_does_not_answer_is_a_loud_failure(tmp_path: Path) -> None:
    result = vahti("backfill", "--site", SITE, "--archive", "http://127.0.0.1:9", "--rate", "100", "--retries", "0",
                   "--db", str(tmp_path / "v.db"), check=1)
    assert "Traceback" not in result.stderr and "127.0.0.1:9" in result.stderr, result.stderr
