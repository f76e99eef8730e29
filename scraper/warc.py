"""Pages out of a WARC file: the captures of web pages it holds (response and resource records)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from scraper.fetch import MAX_HEADERS, MAX_HEADER_VALUE
from vahti.errors import ParseError

MAX_BODY = 5 * 1024 * 1024  # a record's body read at most (the crawler's default cap)
_DROPPED = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass(frozen=True, slots=True)
class WarcPage:
    url: str
    at: dt.datetime
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def read_pages(fh: BinaryIO) -> Iterator[WarcPage | None]:
    """Each record: a ``WarcPage`` for an HTML capture (HTTP 200 response, or resource), else ``None``."""
    try:
        for record in ArchiveIterator(fh):
            yield _page(record)
    except Exception as exc:  # noqa: BLE001 - warcio raises many kinds on a damaged file
        raise ParseError(f"not a readable WARC file: {type(exc).__name__}: {exc}") from exc


def _page(record) -> WarcPage | None:  # type: ignore[no-untyped-def]
    if record.rec_type not in ("response", "resource"):
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    date = record.rec_headers.get_header("WARC-Date") or ""
    try:
        at = dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    status = 200
    headers: tuple[tuple[str, str], ...] = ()
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        try:
            status = int(record.http_headers.get_statuscode() or 0)
        except ValueError:
            return None
        ctype = record.http_headers.get_header("Content-Type") or ""
        headers = tuple((k, v[:MAX_HEADER_VALUE]) for k, v in record.http_headers.headers[:MAX_HEADERS]
                        if k.lower() not in _DROPPED)
    else:
        ctype = record.rec_headers.get_header("Content-Type") or ""
    if status != 200 or "html" not in ctype.lower():
        return None
    body = record.content_stream().read(MAX_BODY + 1)  # decoded (chunked, gzip) as the page was served
    if len(body) > MAX_BODY:
        return None
    return WarcPage(url, at.astimezone(dt.timezone.utc), status, body, headers)
