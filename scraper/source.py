"""Reading one page for ``vahti parse``: a local file or a single URL.

A URL goes through the same polite fetcher as a crawl (User-Agent, timeouts,
size cap, same-host redirects), with one retry. A file needs no HTTP client: the
fetcher (and httpx) is imported only for a URL.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from scraper.decode import MAX_BODY_BYTES
from vahti.config import DEFAULT_TIMEOUT, SiteConfig
from vahti.errors import FetchError, HTTPStatusError, InputTooLarge


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(source: str, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str]:
    """``(body, url)`` of a file path or an http(s) URL."""
    if is_url(source):
        return fetch_once(source, timeout=timeout)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_BODY_BYTES:
            raise InputTooLarge(f"file of {size} bytes is over the {MAX_BODY_BYTES} byte cap", url=str(path))
        return path.read_bytes(), path.resolve().as_uri()
    except FileNotFoundError:
        raise FetchError("no such file", url=source) from None
    except IsADirectoryError:
        raise FetchError("is a directory, not a page", url=source) from None
    except PermissionError:
        raise FetchError("permission denied", url=source) from None


def fetch_once(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str]:
    from scraper.fetch import HttpFetcher, Request

    parts = urlsplit(url)
    site = SiteConfig(url=f"{parts.scheme}://{parts.netloc}", timeout=timeout, retries=1, rate=100.0,
                      max_bytes=MAX_BODY_BYTES)
    fetcher = HttpFetcher(site)
    try:
        resp = fetcher.fetch(Request(url))
    finally:
        fetcher.close()
    if resp.status >= 400:
        raise HTTPStatusError(f"HTTP {resp.status}", url=url, status=resp.status)
    return resp.body, resp.url
