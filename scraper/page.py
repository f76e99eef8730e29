"""One measure page: fetched (conditionally) and parsed, never raising."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from scraper.fetch import Fetcher, Request, Response
from scraper.parser import parse
from vahti.errors import FetchError, FetchStopped
from vahti.record import ParseResult
from vahti.urls import canonical_url, split_action_path

log = logging.getLogger("vahti.crawl")


@dataclass(frozen=True, slots=True)
class Fetched:
    """What fetching and parsing one URL came to: the answer, its parse, or why neither."""

    response: Response | None
    result: ParseResult | None = None
    error: str | None = None
    stopped: bool = False  # the crawl was stopped before an answer came: nothing to record
    moved_to: str | None = None  # redirected to another action's page: not this measure's answer


def fetch_page(fetcher: Fetcher, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
    """Fetch ``url`` (with the validators of the stored answer) and parse a 200. Never raises."""
    try:
        resp = fetcher.fetch(Request(url, etag=etag, last_modified=last_modified))
    except FetchStopped as exc:
        return Fetched(None, error=str(exc), stopped=True)
    except FetchError as exc:
        return Fetched(None, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one page's bug must not end the crawl
        log.exception("fetching %s failed", url)
        return Fetched(None, error=f"internal error: {type(exc).__name__}: {exc}")
    if resp.redirects and _another_action(url, resp.url):
        return Fetched(resp, moved_to=canonical_url(resp.url))  # never stored under the asked URL
    if resp.status != 200 or not resp.body:
        return Fetched(resp)
    try:
        return Fetched(resp, parse(resp.body, canonical_url(url)))
    except Exception as exc:  # noqa: BLE001 - a parser bug is recorded, the body kept
        log.exception("parsing %s failed", url)
        return Fetched(resp, error=f"parser failed: {type(exc).__name__}: {exc}")


def _another_action(asked: str, landed: str) -> bool:
    """The redirect ends on another action's page (or on no action page at all)."""
    a, b = split_action_path(asked), split_action_path(landed)
    return b is None or a is None or (a[0], a[2]) != (b[0], b[2])
