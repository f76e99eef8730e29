"""One crawl of one site: discover → fetch → parse → store, one page at a time.

Workers fetch and parse (I/O and CPU, in a small thread pool capped by the site's
``concurrency``; pacing is per host in the transport); the calling thread stores,
one transaction per page, so a crash at any moment leaves every stored page
whole and the next crawl simply goes on. Each URL has its own ``PageState``; one
failure never stops the run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from sqlalchemy import func, select

from diffs.events import ChangeEvent
from scraper import parse
from scraper.discover import MAX_SITEMAPS, action_identifier, links_to_actions, parse_sitemap, variants
from scraper.fetch import XML_TYPES, Fetcher, HttpFetcher, Request, Response
from scraper.robots import Robots, fetch_robots
from scraper.urls import canonical_url
from storage.models import Capture, MeasureRow, Site, Version
from storage.store import FetchInfo, Store, Stored, canonical_site, utcnow
from vahti.config import SiteConfig
from vahti.errors import FetchError, ParseError
from vahti.ingest import ingest
from vahti.record import ParseResult

log = logging.getLogger("vahti.crawl")

Progress = Callable[["PageState"], None]


@dataclass
class PageState:
    """What happened to one URL in this crawl."""

    url: str
    source: str  # how it was found: sitemap, list, chain, known, probe
    outcome: str = "pending"
    status: int | None = None
    error: str | None = None
    attempts: int = 0
    version: int | None = None
    lifecycle: str | None = None
    verdict: str | None = None
    events: list[ChangeEvent] = field(default_factory=list)


@dataclass
class CrawlSummary:
    site: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pages: list[PageState] = field(default_factory=list)
    discovery: list[str] = field(default_factory=list)  # notes on how discovery went
    robots: str = ""

    def count(self, outcome: str) -> int:
        return sum(p.outcome == outcome for p in self.pages)

    @property
    def failed(self) -> int:
        return sum(p.outcome in ("error", "disallowed_error") for p in self.pages)

    @property
    def degraded(self) -> int:
        return sum(p.verdict == "degraded" for p in self.pages)

    def totals(self) -> dict[str, int]:
        probes = [p for p in self.pages if p.source == "probe" and p.outcome == "missing" and p.version is None]
        real = [p for p in self.pages if p not in probes]
        return {
            "seen": len(real),
            "fetched": sum(p.outcome not in ("disallowed", "pending") for p in real),
            "not_modified": self.count("not_modified"),
            "unchanged": self.count("unchanged"),
            "new_versions": self.count("new_version"),
            "degraded": self.degraded,
            "not_a_measure": self.count("not_a_measure"),
            "missing": sum(p.outcome == "missing" for p in real),
            "removed": sum(p.lifecycle == "removed" for p in self.pages),
            "restored": sum(p.lifecycle == "restored" for p in self.pages),
            "added": sum(p.lifecycle == "added" for p in self.pages),
            "disallowed": self.count("disallowed"),
            "failed": self.failed,
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "site": self.site, "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            **self.totals(), "robots": self.robots, "discovery": self.discovery,
            "events": len(self.events),
            "pages": [{k: v for k, v in p.__dict__.items() if k != "events"} for p in self.pages],
        }

    @property
    def events(self) -> list[ChangeEvent]:
        return [e for p in self.pages for e in p.events]


class Crawler:
    """Crawls one site into a store. ``fetcher`` defaults to the polite HTTP one."""

    def __init__(self, site: SiteConfig, store: Store, *, fetcher: Fetcher | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.site, self.store, self.clock = site, store, clock
        self.fetcher: Fetcher = fetcher or HttpFetcher(site)
        self._own_fetcher = fetcher is None
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()

    # -- discovery --------------------------------------------------------------
    def discover(self, summary: CrawlSummary, robots: Robots) -> list[tuple[str, str]]:
        """(url, source) of every measure page to check, in a stable order."""
        found: dict[str, str] = {}

        def add(urls: Iterable[str], source: str) -> None:
            for url in urls:
                ident = action_identifier(url, self.site)
                if ident is None:
                    continue
                for variant in variants(ident[0], self.site):
                    found.setdefault(variant, source)

        if self.site.sitemap:
            add(self._sitemap_urls(summary, robots), "sitemap")
        if self.site.list_page:
            list_url = f"{self.site.origin}{self.site.base_path}/actions"
            if robots.allowed(list_url):
                try:
                    resp = self.fetcher.fetch(Request(list_url))
                    if resp.status == 200:
                        links = links_to_actions(resp.body, resp.url, self.site)
                        add(links, "list")
                        summary.discovery.append(f"list page: {len(links)} action links")
                    else:
                        summary.discovery.append(f"list page answered {resp.status}")
                except FetchError as exc:
                    summary.discovery.append(f"list page failed: {exc}")
        add(self._known_urls(), "known")
        if self.site.probe:
            lo, hi = self.site.probe
            add((self.site.action_url(str(i)) for i in range(lo, hi + 1)), "probe")
        return sorted(found.items(), key=lambda kv: _natural(kv[0]))

    def _sitemap_urls(self, summary: CrawlSummary, robots: Robots) -> list[str]:
        queue = [f"{self.site.origin}/sitemap.xml"]
        if robots.parser is not None:
            queue += [u for u in (robots.parser.sitemaps or []) if u not in queue]
        urls: list[str] = []
        done: set[str] = set()
        while queue and len(done) < MAX_SITEMAPS:
            sitemap = queue.pop(0)
            if sitemap in done:
                continue
            done.add(sitemap)
            if not robots.allowed(sitemap):
                summary.discovery.append(f"{sitemap}: disallowed by robots.txt")
                continue
            try:
                resp = self.fetcher.fetch(Request(sitemap, accept=XML_TYPES))
                if resp.status != 200:
                    summary.discovery.append(f"{sitemap}: HTTP {resp.status}")
                    continue
                pages, nested = parse_sitemap(resp.body)
            except (FetchError, ParseError) as exc:
                summary.discovery.append(f"{sitemap}: {exc}")
                continue
            urls += pages
            queue += nested
            summary.discovery.append(f"{sitemap}: {len(pages)} URLs, {len(nested)} nested sitemaps")
        return urls

    def _known_urls(self) -> list[str]:
        with self.store.reading() as session:
            return list(session.scalars(select(MeasureRow.url).join(Site)
                                        .where(Site.base_url == canonical_site(self.site.url))))

    def _load_validators(self) -> dict[str, tuple[str | None, str | None]]:
        """ETag and Last-Modified of the answer behind each measure's latest version (one query)."""
        latest = (select(Version.measure_id, func.max(Version.number).label("number"))
                  .group_by(Version.measure_id).subquery())
        query = (select(MeasureRow.url, Capture.etag, Capture.last_modified)
                 .join(Site, Site.id == MeasureRow.site_id)
                 .join(latest, latest.c.measure_id == MeasureRow.id)
                 .join(Version, (Version.measure_id == latest.c.measure_id) & (Version.number == latest.c.number))
                 .join(Capture, Capture.id == Version.last_capture_id)
                 .where(Site.base_url == canonical_site(self.site.url)))
        with self.store.reading() as session:
            return {url: (etag, modified) for url, etag, modified in session.execute(query)
                    if etag or modified}

    # -- the crawl --------------------------------------------------------------
    def crawl(self, progress: Progress | None = None,
              should_stop: Callable[[], bool] = lambda: False) -> CrawlSummary:
        summary = CrawlSummary(site=self.site.url, started_at=self.clock())
        self._validators = self._load_validators()
        robots = self._robots()
        summary.robots = robots.reason
        todo = self.discover(summary, robots)
        seen = {url for url, _ in todo}
        states = {url: PageState(url, source) for url, source in todo}
        queue = list(todo)
        with ThreadPoolExecutor(max_workers=self.site.concurrency, thread_name_prefix="vahti-fetch") as pool:
            running: dict[Future[tuple[Response | None, ParseResult | None, str | None]], PageState] = {}
            while queue or running:
                while queue and len(running) < self.site.concurrency * 2 and not should_stop():
                    url, _ = queue.pop(0)
                    state = states[url]
                    if not robots.allowed(url):
                        state.outcome = "disallowed"
                        summary.pages.append(state)
                        if progress:
                            progress(state)
                        continue
                    running[pool.submit(self._fetch_and_parse, url)] = state
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    state = running.pop(future)
                    resp, result, error = future.result()
                    stored = self._store(state, resp, result, error)
                    summary.pages.append(state)
                    if progress:
                        progress(state)
                    if self.site.chain and result is not None and result.record is not None and stored is not None:
                        for ident in (result.record.previous, result.record.next, result.record.merged_with):
                            if not ident:
                                continue
                            for nxt in variants(ident, self.site):
                                if nxt not in seen:
                                    seen.add(nxt)
                                    states[nxt] = PageState(nxt, "chain")
                                    queue.append((nxt, "chain"))
                if should_stop():
                    queue.clear()
        summary.finished_at = self.clock()
        return summary

    def _robots(self) -> Robots:
        if not self.site.respect_robots:
            return Robots(self.site.origin, self.site.user_agent, None, allow_all=True, reason="robots.txt ignored")
        robots = fetch_robots(self.fetcher, self.site.origin, self.site.user_agent)
        delay = robots.crawl_delay()
        if delay and isinstance(self.fetcher, HttpFetcher):
            self.fetcher.limiter.slow_down(self.site.origin.split("://", 1)[1].split(":")[0], delay)
        return robots

    def _fetch_and_parse(self, url: str) -> tuple[Response | None, ParseResult | None, str | None]:
        """In a worker thread: fetch (conditionally) and parse. Never raises."""
        try:
            etag, modified = self._validators.get(url, (None, None))
            resp = self.fetcher.fetch(Request(url, etag=etag, last_modified=modified))
        except FetchError as exc:
            return None, None, str(exc)
        except Exception as exc:  # noqa: BLE001 - one page's bug must not end the crawl
            log.exception("fetching %s failed", url)
            return None, None, f"internal error: {type(exc).__name__}: {exc}"
        if resp.status != 200 or not resp.body:
            return resp, None, None
        try:
            return resp, parse(resp.body, canonical_url(url)), None
        except Exception as exc:  # noqa: BLE001 - a parser bug is recorded, the body kept
            log.exception("parsing %s failed", url)
            return resp, None, f"parser failed: {type(exc).__name__}: {exc}"

    def _store(self, state: PageState, resp: Response | None, result: ParseResult | None,
               error: str | None) -> Stored | None:
        now = self.clock()
        if resp is not None:
            state.status, state.attempts = resp.status, resp.attempts
        fetch = FetchInfo(
            requested_at=now, http_status=resp.status if resp else None, etag=resp.etag if resp else None,
            last_modified=resp.last_modified if resp else None, duration_ms=resp.duration_ms if resp else None,
            error=error, not_modified=bool(resp and resp.not_modified),
        )
        if resp is not None and error is None and resp.status not in (200, 304, 404, 410):
            fetch = dataclasses.replace(fetch, error=f"HTTP {resp.status}", etag=None, last_modified=None)
        body = resp.body if resp is not None and resp.status in (200, 404, 410) else None
        try:
            done = ingest(self.store, site=self.site.url, url=state.url, fetch=fetch, result=result, body=body,
                          missing_after=self.site.missing_after)
            stored = done.stored
            state.events = list(done.events)
        except Exception as exc:  # noqa: BLE001 - recorded per URL; the crawl goes on
            log.error("storing %s failed: %s", state.url, exc)
            state.outcome, state.error = "error", f"storage: {exc}"
            return None
        state.outcome, state.version, state.lifecycle = stored.outcome, stored.version, stored.lifecycle
        state.error = fetch.error
        state.verdict = result.meta.verdict if result is not None else None
        if state.outcome == "error":
            log.warning("%s: %s", state.url, state.error)
        return stored


def _natural(url: str) -> tuple[object, ...]:
    """Sort key: /actions/2 before /actions/10, languages together."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", url))

