"""Reading one page for ``vahti parse``: a local file or a single URL.

The crawler has its own polite fetcher; this is the one-shot path, with the
same limits (timeout, size cap) and errors translated into vahti's tree.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from scraper.decode import MAX_BODY_BYTES
from vahti import __version__
from vahti.errors import FetchError, FetchTimeout, HTTPStatusError, InputTooLarge

DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"vahti/{__version__} (+https://github.com/vahti-archive/vahti)"


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(source: str, *, timeout: float = DEFAULT_TIMEOUT) -> tuple[bytes, str]:
    """``(body, url)`` of a file path or an http(s) URL."""
    if is_url(source):
        return fetch_once(source, timeout=timeout), source
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


def fetch_once(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """One GET, streamed with a size cap; httpx errors become ``FetchError``s."""
    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5,
                          headers={"User-Agent": USER_AGENT}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise HTTPStatusError(f"HTTP {response.status_code}", url=url, status=response.status_code)
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > MAX_BODY_BYTES:
                        raise InputTooLarge(f"response over the {MAX_BODY_BYTES} byte cap", url=url)
                    chunks.append(chunk)
                return b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"timed out ({type(exc).__name__})", url=url) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("too many redirects", url=url) from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch: {type(exc).__name__}: {exc}", url=url) from exc
