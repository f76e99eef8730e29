"""Site health: one ``site.unreachable`` when a site stops answering, one ``site.recovered`` when it
answers again, however many crawls the episode lasts.

A crawl that could not reach the site at all (robots.txt unanswered or 5xx, or no page
answering) counts; after ``unreachable_after`` such crawls in a row the episode opens.
The first crawl that reads the site again closes it. Both events go through the same
subscriptions as change events (their site and kind filters decide).
"""

from __future__ import annotations

import datetime as dt

from storage.models import Event
from storage.outbox import queue
from storage.store import Store, ensure_site
from vahti.app.crawl import CrawlSummary
from vahti.config import SiteConfig


def record_health(store: Store, site: SiteConfig, summary: CrawlSummary, at: dt.datetime) -> list[Event]:
    """Count the crawl in the site's health; the events it made (already queued)."""
    with store.transaction() as session:
        row = ensure_site(session, site.url, at)
        made: list[Event] = []
        if summary.unreachable:
            row.unreachable_crawls += 1
            if row.unreachable_since is None and row.unreachable_crawls >= site.unreachable_after:
                row.unreachable_since = at
                made.append(Event(
                    site_id=row.id, event_key=f"site|unreachable|{at.isoformat()}", kind="site.unreachable",
                    subject=row.base_url, before=None, after=None, observed_at=at, flags="",
                    summary=f"Site unreachable ({row.unreachable_crawls} crawls in a row): {summary.problem}"))
        elif summary.problem is None and summary.pages:
            if row.unreachable_since is not None:
                since = row.unreachable_since
                made.append(Event(
                    site_id=row.id, event_key=f"site|recovered|{at.isoformat()}", kind="site.recovered",
                    subject=row.base_url, before=None, after=None, observed_at=at, flags="",
                    summary=f"Site answers again (unreachable since {since:%Y-%m-%d %H:%M} UTC)"))
            row.unreachable_since, row.unreachable_crawls = None, 0
        session.add_all(made)
        session.flush()
        queue(session, made, at)
        return made
