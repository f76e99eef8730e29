"""One crawl of one site as an accountable run: locked, recorded, logged, then alerts sent.

Used by ``vahti crawl`` and by the scheduler's jobs alike, so a manual crawl and
the daemon never crawl the same site at once (a lease in the database), and every
crawl leaves a row for ``vahti status``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vahti.app.health import record_health
from vahti.app.crawl import Crawler, CrawlSummary, PageState
from sqlalchemy import update

from storage.locks import DEFAULT_TTL, acquire, release, renew, whoami
from storage.models import Crawl
from storage.store import Store, ensure_site
from vahti.clock import utcnow
from vahti.config import SiteConfig

log = logging.getLogger("vahti.crawl")

RENEW_EVERY = 30.0  # seconds between lease renewals during a crawl


# How a crawl ended (also the crawls.status column); "running" while it runs.
CrawlStatus = Literal["running", "ok", "partial", "failed", "interrupted", "skipped"]


@dataclass
class SiteRun:
    site: str
    status: CrawlStatus
    summary: CrawlSummary | None = None
    error: str | None = None
    crawl_id: int | None = None


def run_site(site: SiteConfig, store: Store, *, progress: Callable[[PageState], None] | None = None,
             stop: threading.Event | None = None, clock: Callable[[], dt.datetime] = utcnow,
             ttl: dt.timedelta = DEFAULT_TTL) -> SiteRun:
    """Crawl one site under its lease, with a crawl record; ``stop`` ends it within seconds (the pages
    in hand are finished, the crawl is recorded as interrupted and the lease released)."""
    stop = stop or threading.Event()
    should_stop = stop.is_set
    lock, owner = f"crawl:{site.url}", whoami()
    if not acquire(store, lock, owner=owner, ttl=ttl):
        log.warning("skipped %s: another crawler is crawling it", site.url, extra={"site": site.url})
        return SiteRun(site.url, "skipped", error="another crawler holds the lock")
    started = time.monotonic()
    try:
        with store.transaction() as session:
            site_id = ensure_site(session, site.url, clock()).id
            # We hold the site's lock: a crawl of it still marked running belongs to a process that died.
            session.execute(update(Crawl).where(Crawl.site_id == site_id, Crawl.status == "running").values(
                status="interrupted", finished_at=clock(), error="the crawling process ended without finishing"))
            row = Crawl(site_id=site_id, started_at=clock(), status="running", runner=owner)
            session.add(row)
            session.flush()
            crawl_id = row.id
    except BaseException:
        release(store, lock, owner=owner)  # never leave the site locked for a crawl that did not start
        raise
    last_renewal = [time.monotonic()]

    def on_page(state: PageState) -> None:
        if time.monotonic() - last_renewal[0] > RENEW_EVERY:
            renew(store, lock, owner=owner, ttl=ttl)
            last_renewal[0] = time.monotonic()
        if state.outcome == "error":
            log.warning("failed %s: %s", state.url, state.error, extra={"site": site.url, "url": state.url})
        if progress:
            progress(state)

    run = SiteRun(site.url, "failed", crawl_id=crawl_id)
    crawler = Crawler(site, store, clock=clock, stop=stop)
    try:
        run.summary = crawler.crawl(on_page, should_stop)
        totals = run.summary.totals()
        if should_stop():
            run.status = "interrupted"
        elif run.summary.problem is not None:
            run.status, run.error = "failed", run.summary.problem
        else:
            run.status = "partial" if totals["failed"] else "ok"
    except Exception as exc:  # noqa: BLE001 - recorded and logged; the daemon goes on
        run.error = f"{type(exc).__name__}: {exc}"
        log.exception("crawl of %s failed", site.url, extra={"site": site.url})
    finally:
        crawler.close()
        if run.summary is not None and not should_stop():
            try:
                record_health(store, site, run.summary, clock())
            except Exception:  # noqa: BLE001 - the crawl's own record below still gets written
                log.exception("recording the health of %s failed", site.url, extra={"site": site.url})
        with store.transaction() as session:
            row2 = session.get(Crawl, crawl_id)
            assert row2 is not None
            row2.finished_at, row2.status, row2.error = clock(), run.status, run.error
            row2.counts = json.dumps(run.summary.totals() if run.summary else {})
        release(store, lock, owner=owner)
    if run.summary is not None:
        totals = run.summary.totals()
        log.info("crawl %s %s: %s (%.1f s)", site.url, run.status,
                 " ".join(f"{k}={v}" for k, v in totals.items()), time.monotonic() - started,
                 extra={"site": site.url, "status": run.status, **totals,
                        "seconds": round(time.monotonic() - started, 1)})
    return run
