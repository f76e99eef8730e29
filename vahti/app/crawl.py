"""One crawl of one site: discover → fetch → parse → store → diff → alert, one page at a time.

Workers fetch and parse (I/O and CPU, in a small thread pool capped by the site's
``concurrency``; pacing is per host in the transport); the calling thread stores,
one transaction per page, so a crash at any moment leaves every stored page
whole and the next crawl simply goes on. Each URL has its own ``PageState``; one
failure never stops the run.

Fetching ahead pays only while pages keep the crawl waiting: a site that answers at
once (a local mirror, the sample site, a rate limit that is off) is crawled page by
page in the calling thread, because threads of one Python process take turns to run
and the turns cost more than the waits they would overlap (an unchanged pass of the
500-page sample site: 1.57 CPU ms a page in threads, 1.12 page by page). The crawl
starts so and turns to the pool, for the rest of the crawl, once pages keep it waiting
on the network or the rate limit (``INLINE_WAIT``, ``SLOW_PAGES``; at the default rate,
from the second page: the rate limit paces both ways alike, so nothing is lost).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Literal

from scraper.discover import Source, discover, variants
from scraper.fetch import Fetcher, HttpFetcher, Response
from scraper.page import Fetched, fetch_page
from scraper.robots import site_robots
from storage import queries
from storage.store import FetchInfo, Lifecycle, Outcome, Store, Stored
from vahti.app.ingest import ingest
from vahti.clock import utcnow
from vahti.config import SiteConfig
from vahti.errors import StorageError
from vahti.events import ChangeEvent
from vahti.urls import split_action_path
from vahti.record import ParseResult, Verdict

log = logging.getLogger("vahti.crawl")

#: Seconds a page may keep the crawl waiting (network, rate limit): ``SLOW_PAGES`` pages in a row that wait
#: longer turn the crawl to fetching ahead in threads.
INLINE_WAIT = 0.002
SLOW_PAGES = 2

Progress = Callable[["PageState"], None]


PageOutcome = Outcome | Literal["pending", "disallowed"]


@dataclass
class PageState:
    """What happened to one URL in this crawl."""

    url: str
    source: Source
    outcome: PageOutcome = "pending"
    status: int | None = None
    error: str | None = None
    attempts: int = 0
    version: int | None = None
    lifecycle: Lifecycle | None = None
    verdict: Verdict | None = None
    events: list[ChangeEvent] = field(default_factory=list)


@dataclass
class CrawlSummary:
    site: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    pages: list[PageState] = field(default_factory=list)
    discovery: list[str] = field(default_factory=list)  # notes on how discovery went
    robots: str = ""
    problem: str | None = None  # the site as a whole could not be read (unreachable, not a Kausal Watch plan)
    unreachable: bool = False  # ... because it did not answer

    def count(self, outcome: PageOutcome) -> int:
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
            "site": self.site, "problem": self.problem, "started_at": self.started_at.isoformat(),
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
                 clock: Callable[[], dt.datetime] = utcnow, stop: threading.Event | None = None) -> None:
        self.site, self.store, self.clock = site, store, clock
        self.stop = stop  # set: every wait in the fetcher ends at once, pages in flight are not recorded
        self.fetcher: Fetcher = fetcher or HttpFetcher(site, stop=stop)
        self._own_fetcher = fetcher is None
        self._broken: str | None = None  # why the database took no more, once it failed
        self._validators: dict[str, tuple[str | None, str | None]] = {}

    def close(self) -> None:
        if self._own_fetcher:
            self.fetcher.close()

    # -- the crawl --------------------------------------------------------------
    def crawl(self, progress: Progress | None = None,
              should_stop: Callable[[], bool] | None = None) -> CrawlSummary:
        if should_stop is None:
            stop = self.stop
            should_stop = stop.is_set if stop is not None else (lambda: False)
        summary = CrawlSummary(site=self.site.url, started_at=self.clock())
        deadline = time.monotonic() + self.site.max_crawl
        with self.store.reading() as session:
            self._validators = queries.validators(session, self.site.url)
            known = queries.site_measure_urls(session, self.site.url)
        robots = site_robots(self.fetcher, self.site)
        summary.robots = robots.reason
        if should_stop():
            summary.finished_at = self.clock()
            return summary
        if robots.unreachable:
            summary.problem = f"site unreachable: {robots.reason} (nothing was checked)"
            summary.unreachable = True
            summary.finished_at = self.clock()
            return summary
        todo = discover(self.fetcher, self.site, robots, known, summary.discovery)
        if not todo:
            summary.problem = (f"no action pages found at {self.site.url}: not a Kausal Watch plan, or not its base "
                               "URL (give the site's base URL, e.g. https://ilmastovahti.hel.fi)")
        seen = {url for url, _ in todo}
        states = {url: PageState(url, source) for url, source in todo}
        queue = list(todo)
        slow = 0  # pages in a row that kept the crawl waiting: page by page in this thread until SLOW_PAGES

        def finish(state: PageState, fetched: Fetched) -> None:
            if fetched.stopped:
                return  # no answer came before the stop: nothing to record
            result = fetched.result
            stored = self._store(state, fetched.response, result, fetched.error, fetched.moved_to)
            if self._broken is not None:  # the database cannot take more: stop, say so once
                summary.problem = f"storage failed, the crawl stopped: {self._broken}"
                queue.clear()
            summary.pages.append(state)
            if progress:
                progress(state)
            moved = split_action_path(fetched.moved_to) if fetched.moved_to else None
            if moved is not None and (landed := self.site.action_url(moved[2], moved[0])) not in seen:
                seen.add(landed)  # where the page went: checked in this crawl as itself
                states[landed] = PageState(landed, "chain")
                queue.append((landed, "chain"))
            if self.site.chain and result is not None and result.record is not None and stored is not None:
                for ident in (result.record.previous, result.record.next, result.record.merged_with):
                    if not ident:
                        continue
                    for nxt in variants(ident, self.site):
                        if nxt not in seen:
                            seen.add(nxt)
                            states[nxt] = PageState(nxt, "chain")
                            queue.append((nxt, "chain"))

        with ThreadPoolExecutor(max_workers=self.site.concurrency, thread_name_prefix="vahti-fetch") as pool:
            running: dict[Future[Fetched], PageState] = {}
            fetched: list[tuple[PageState, Fetched]] = []  # fetched in this thread, to be stored
            while queue or running:
                while queue and len(running) + len(fetched) < self.site.concurrency * 2 and not should_stop():
                    url, _ = queue.pop(0)
                    state = states[url]
                    if not robots.allowed(url):
                        state.outcome = "disallowed"
                        summary.pages.append(state)
                        if progress:
                            progress(state)
                        continue
                    etag, modified = self._validators.get(url, (None, None))
                    if slow >= SLOW_PAGES:
                        running[pool.submit(fetch_page, self.fetcher, url, etag, modified)] = state
                        continue
                    wall, cpu = time.perf_counter(), time.thread_time()
                    fetched.append((state, fetch_page(self.fetcher, url, etag, modified)))
                    waited = (time.perf_counter() - wall) - (time.thread_time() - cpu)
                    slow = slow + 1 if waited > INLINE_WAIT else 0
                for state, page in fetched:  # (a few fetched, then stored: each stage's code stays warm)
                    finish(state, page)
                fetched.clear()
                if running:
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        finish(running.pop(future), future.result())
                if should_stop():
                    queue.clear()
                elif queue and time.monotonic() > deadline:  # the pages in hand are finished, no new ones
                    summary.problem = (f"the crawl took longer than max_crawl = {self.site.max_crawl:g} s: "
                                       f"{len(queue)} pages not checked")
                    queue.clear()
        summary.finished_at = self.clock()
        answered = [p for p in summary.pages if p.status is not None]
        tried = [p for p in summary.pages if p.outcome not in ("disallowed", "pending")]
        if summary.problem is None and tried and not answered:
            summary.problem = f"site unreachable: no page answered ({tried[0].error or 'no answer'})"
            summary.unreachable = True
        return summary

    def _store(self, state: PageState, resp: Response | None, result: ParseResult | None,
               error: str | None, moved_to: str | None = None) -> Stored | None:
        now = self.clock()
        if resp is not None:
            state.status, state.attempts = resp.status, resp.attempts
        fetch = FetchInfo(
            requested_at=now, http_status=resp.status if resp else None, etag=resp.etag if resp else None,
            last_modified=resp.last_modified if resp else None, duration_ms=resp.duration_ms if resp else None,
            error=error, not_modified=bool(resp and resp.not_modified), moved_to=moved_to,
            headers=resp.headers if resp is not None else (),
        )
        if resp is not None and error is None and resp.status not in (200, 304, 404, 410):
            fetch = dataclasses.replace(fetch, error=f"HTTP {resp.status}", etag=None, last_modified=None)
        body = resp.body if resp is not None and resp.status in (200, 404, 410) and moved_to is None else None
        try:
            done = ingest(self.store, site=self.site.url, url=state.url, fetch=fetch, result=result, body=body,
                          missing_after=self.site.missing_after)
            stored = done.stored
            state.events = list(done.events)
        except StorageError as exc:  # the database itself failed (disk full, gone): nothing more can be kept
            self._broken = str(exc)
            state.outcome, state.error = "error", f"storage: {exc}"
            return None
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
