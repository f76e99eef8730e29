"""A web archive's CDX API and raw replay (the Wayback Machine's, or any that speaks it).

``/cdx/search/cdx?url=HOST/actions/*&output=json&fl=timestamp,original,statuscode,mimetype,digest``
lists the captures of a URL prefix, a page at a time (``showResumeKey``); ``/web/<timestamp>id_/<url>``
replays one capture's body as it was archived, without the archive's banner or rewritten links.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from scraper.fetch import Fetcher, Request
from vahti.errors import FetchError, ParseError

FIELDS = "timestamp,original,statuscode,mimetype,digest"
PAGE = 5000  # rows per CDX page
MAX_PAGES = 200  # a million captures of one prefix is more than any plan has


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One archived capture."""

    at: dt.datetime  # the capture time (UTC)
    timestamp: str  # as the archive writes it: YYYYMMDDhhmmss
    original: str
    status: str
    mimetype: str
    digest: str


def parse_timestamp(ts: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(ts[:14].ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def cdx_rows(body: bytes) -> tuple[list[Snapshot], str | None]:
    """One CDX JSON page: its snapshots and the resume key (``None``: the last page)."""
    try:
        data = json.loads(body or b"[]")
    except ValueError as exc:
        raise ParseError(f"CDX answer is not JSON: {exc}") from exc
    if not isinstance(data, list):
        raise ParseError("CDX answer is not a JSON list")
    rows = [r for r in data if isinstance(r, list)]
    resume = None
    if len(rows) >= 2 and rows[-2] == [] and len(rows[-1]) == 1:  # [..., [], ["<resume key>"]]
        resume, rows = str(rows[-1][0]), rows[:-2]
    if rows and rows[0] and rows[0][0] == "timestamp":
        rows = rows[1:]
    out = []
    for row in rows:
        if len(row) < 5 or not all(isinstance(x, str) for x in row[:5]):
            continue
        at = parse_timestamp(row[0])
        if at is not None:
            out.append(Snapshot(at, row[0], row[1], row[2], row[3], row[4]))
    return out, resume


def list_snapshots(fetcher: Fetcher, archive: str, prefix: str, *, since: dt.datetime | None = None,
                   until: dt.datetime | None = None) -> list[Snapshot]:
    """Every capture under ``prefix`` (``host/path/*``), oldest first, one row per distinct body in a run."""
    out: list[Snapshot] = []
    resume: str | None = None
    for _ in range(MAX_PAGES):
        params = {"url": prefix, "output": "json", "fl": FIELDS, "collapse": "digest", "limit": str(PAGE),
                  "showResumeKey": "true"}
        if since is not None:
            params["from"] = since.strftime("%Y%m%d%H%M%S")
        if until is not None:
            params["to"] = until.strftime("%Y%m%d%H%M%S")
        if resume:
            params["resumeKey"] = resume
        url = f"{archive}/cdx/search/cdx?{urlencode(params)}"
        resp = fetcher.fetch(Request(url, accept=("application/json", "text/plain")))
        if resp.status != 200:
            raise FetchError(f"the archive's CDX API answered {resp.status}", url=url)
        rows, resume = cdx_rows(resp.body)
        out += rows
        if not resume:
            break
    return sorted(out, key=lambda s: (s.at, s.original))


def replay_url(archive: str, snapshot: Snapshot) -> str:
    """The raw body of a capture: ``id_`` asks for it without the archive's rewriting."""
    return f"{archive}/web/{snapshot.timestamp}id_/{quote(snapshot.original, safe=':/?&=%')}"
