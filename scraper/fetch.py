"""Fetching pages politely: the ``Fetcher`` protocol and its HTTP implementation.

The HTTP stack, inside out::

    httpx.HTTPTransport            connections, timeouts
    PoliteTransport                per-host pacing (rate, crawl-delay) for *every* attempt
    httpx_retries.RetryTransport   retries on connect errors, timeouts, 429 and 5xx, with
                                   exponential backoff and jitter, honouring Retry-After
    httpx.Client                   User-Agent; redirects are followed here, by hand, only
                                   within the site's host

``HttpFetcher.fetch`` answers every HTTP response (404 and 500 included) as a
``Response``; it raises ``FetchError`` only when there is no usable answer (network
failure after retries, off-site redirect, redirect loop, body over the size cap,
wrong content type).
"""

from __future__ import annotations

import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

import httpx
from httpx_retries import Retry, RetryTransport

from scraper.ratelimit import RateLimiter
from vahti.config import SiteConfig
from vahti.errors import FetchError, FetchStopped, FetchTimeout
from vahti.urls import origin

HTML_TYPES = ("text/html", "application/xhtml+xml")
XML_TYPES = ("application/xml", "text/xml", "application/x-gzip", "application/gzip", "text/plain")
MAX_REDIRECTS = 5
# What a response may be encoded with: these are offered and decoded here, bounded by the size cap;
# anything else (zstd, br: their decoders inflate a whole frame at once) is neither offered nor taken.
ENCODINGS = ("gzip", "deflate")
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    accept: tuple[str, ...] = HTML_TYPES


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    body: bytes
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    duration_ms: int = 0
    attempts: int = 1
    redirects: tuple[str, ...] = field(default=())
    headers: tuple[tuple[str, str], ...] = field(default=())  # the answer's headers as sent (bounded)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher(Protocol):
    """Anything that turns a ``Request`` into a ``Response`` (HTTP, or a test double)."""

    def fetch(self, request: Request) -> Response: ...

    def close(self) -> None: ...


class PoliteTransport(httpx.BaseTransport):
    """Waits for the host's turn before each attempt and counts attempts."""

    def __init__(self, inner: httpx.BaseTransport, limiter: RateLimiter) -> None:
        self.inner, self.limiter = inner, limiter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.limiter.wait(request.url.host):
            raise FetchStopped("stopped before its turn", url=str(request.url))
        counter = request.extensions.get("vahti_attempts")
        if isinstance(counter, list):
            counter[0] += 1
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class _StoppableRetry(Retry):
    """httpx-retries' policy, with its waits between attempts cut short by the crawl's stop event
    (a class attribute of a per-fetcher subclass: the library copies retries by class)."""

    stop: threading.Event | None = None

    def sleep(self, response: httpx.Response | Exception) -> None:
        seconds = self._calculate_sleep(response.headers if isinstance(response, httpx.Response) else {})
        if self.stop is not None and self.stop.wait(seconds):
            raise FetchStopped("stopped while waiting to retry", url=str(getattr(response, "url", "") or ""))
        if self.stop is None:
            time.sleep(seconds)
        self.elapsed_sleep += seconds


class HttpFetcher:
    """The real fetcher: one ``httpx.Client`` per crawl, per site. ``stop``, when set, ends every wait
    (the host's turn, a retry's backoff) at once with ``FetchStopped``."""

    def __init__(self, site: SiteConfig, *, limiter: RateLimiter | None = None,
                 transport: httpx.BaseTransport | None = None, stop: threading.Event | None = None) -> None:
        self.site, self.stop = site, stop
        self.limiter = limiter or RateLimiter(site.rate, stop=stop)
        retry_class = type("Retry", (_StoppableRetry,), {"stop": stop})
        retry = retry_class(total=site.retries, backoff_factor=site.backoff, max_backoff_wait=site.max_backoff,
                            status_forcelist=RETRY_STATUSES, respect_retry_after_header=True, backoff_jitter=0.5,
                            total_timeout=max(site.max_backoff * 2, 1.0))
        inner = transport or httpx.HTTPTransport(retries=0)
        self.client = httpx.Client(
            transport=RetryTransport(transport=PoliteTransport(inner, self.limiter), retry=retry),
            timeout=httpx.Timeout(site.timeout, connect=min(site.timeout, 10.0)),
            headers={"User-Agent": site.user_agent, "Accept-Language": site.languages[0]},
            follow_redirects=False,
        )

    def close(self) -> None:
        self.client.close()

    def fetch(self, request: Request) -> Response:
        """One page, from the site only (scheme, host and port), within ``deadline`` seconds in all."""
        started = time.monotonic()
        url, seen, attempts = request.url, [request.url], 0
        home = origin(self.site.origin)
        if origin(url) != home:
            raise FetchError("not on the site (scheme, host and port must match): not fetched", url=request.url)
        headers = {"Accept": ", ".join(request.accept) + ", */*;q=0.1", "Accept-Encoding": ", ".join(ENCODINGS)}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        while True:
            counter = [0]
            try:
                with self.client.stream("GET", url, headers=headers, extensions={"vahti_attempts": counter}) as resp:
                    attempts += counter[0]
                    if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                        target = urljoin(url, resp.headers["location"])
                        if origin(target) != home:
                            raise FetchError(f"off-site redirect to {target} (not followed)", url=request.url)
                        if target in seen or len(seen) > MAX_REDIRECTS:
                            raise FetchError(f"redirect loop or too many redirects ({len(seen)} hops)",
                                             url=request.url)
                        seen.append(target)
                        url = target
                        continue
                    if resp.status_code == 304:
                        resp.read()  # nothing (a 304 has no body), but the exchange ends: the connection is kept
                        body = b""
                    else:
                        body = self._read(resp, request, started)
                    return Response(
                        url=url, status=resp.status_code, body=body,
                        content_type=resp.headers.get("content-type"), etag=resp.headers.get("etag"),
                        last_modified=resp.headers.get("last-modified"),
                        duration_ms=int((time.monotonic() - started) * 1000), attempts=max(attempts, 1),
                        redirects=tuple(seen[1:]), headers=_headers(resp.headers),
                    )
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"timed out after {attempts + counter[0]} attempt(s): {type(exc).__name__}",
                                   url=request.url) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__} after {attempts + counter[0]} attempt(s): {exc}",
                                 url=request.url) from exc

    @property
    def deadline(self) -> float:
        """Seconds one fetch may take in all (attempts, waits, redirects, reading): a server sending a
        byte a second never holds a crawl longer than this."""
        return self.site.timeout * 3

    def _read(self, resp: httpx.Response, request: Request, started: float) -> bytes:
        cap = self.site.max_bytes
        length = resp.headers.get("content-length")
        if length and length.isdigit() and int(length) > cap:
            raise FetchError(f"body of {int(length)} bytes is over the {cap} byte cap", url=request.url)
        ctype = (resp.headers.get("content-type") or "").split(";")[0].strip().lower()
        if resp.status_code == 200 and ctype and ctype not in request.accept:
            raise FetchError(f"unexpected content type {ctype!r}", url=request.url)
        encoding = (resp.headers.get("content-encoding") or "identity").strip().lower()
        if encoding not in ("identity", *ENCODINGS):
            raise FetchError(f"content encoding {encoding!r} was not asked for (not read)", url=request.url)
        decoder = _Decoder(encoding, cap, request.url)
        chunks, total = [], 0
        for raw in resp.iter_raw():  # decoded here, never by httpx: every output is counted against the cap
            if time.monotonic() - started > self.deadline:
                raise FetchTimeout(f"took longer than {self.deadline:g} s in all (stopped reading)", url=request.url)
            if self.stop is not None and self.stop.is_set():
                raise FetchStopped("stopped while reading", url=request.url)
            chunk = decoder.feed(raw)
            total += len(chunk)
            if total > cap:
                raise FetchError(f"body over the {cap} byte cap (stopped reading)", url=request.url)
            chunks.append(chunk)
        chunks.append(decoder.flush())
        return b"".join(chunks)


MAX_HEADERS = 100
MAX_HEADER_VALUE = 2000


def _headers(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """The answer's headers in order, bounded (a hostile server may send thousands)."""
    return tuple((k, v[:MAX_HEADER_VALUE]) for k, v in list(headers.multi_items())[:MAX_HEADERS])


class _Decoder:
    """gzip / deflate (zlib-wrapped or raw) decoding that never yields more than the cap at a time."""

    def __init__(self, encoding: str, cap: int, url: str) -> None:
        self.cap, self.url = cap, url
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(encoding)
        self.inflate = zlib.decompressobj(wbits) if wbits is not None else None
        self.raw_deflate = encoding == "deflate"  # some servers send raw deflate: tried on the first error

    def feed(self, data: bytes) -> bytes:
        if self.inflate is None:
            return data
        try:
            out = self.inflate.decompress(data, self.cap + 1)
        except zlib.error:
            if not self.raw_deflate:
                raise FetchError("body is not valid gzip", url=self.url) from None
            self.raw_deflate, self.inflate = False, zlib.decompressobj(-zlib.MAX_WBITS)
            return self.feed(data)
        self.raw_deflate = False
        if self.inflate.unconsumed_tail:
            raise FetchError(f"compressed body expands past the {self.cap} byte cap (stopped)", url=self.url)
        return out

    def flush(self) -> bytes:
        return self.inflate.flush() if self.inflate is not None else b""
