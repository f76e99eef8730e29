"""``vahti backfill``: a site's past from a web archive, fed through the ordinary ingest in time order.

The archive's CDX API lists the captures of the site's action pages (every configured language
prefix, under the base path); each distinct body (by digest) is fetched once, politely, from the
archive only; captures are ingested at their capture time, oldest first. Events they make are
flagged ``backfilled`` and never queued as alerts. A capture that does not parse as a measure
(an empty shell, a soft 404, a challenge page) is kept as evidence and makes no version. A
second run skips every capture already stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scraper.discover import action_identifier
from scraper.fetch import HttpFetcher, Request
from scraper.wayback import Snapshot, list_snapshots, replay_url
from storage import queries
from storage.store import Store
from vahti.app.ingest import ingest_archived
from vahti.config import SiteConfig
from vahti.errors import FetchError
from vahti.urls import canonical_url

DEFAULT_ARCHIVE = "https://web.archive.org"


@dataclass
class BackfillSummary:
    site: str
    found: int = 0  # distinct captures of action pages listed by the archive
    already: int = 0  # stored by an earlier run
    fetched: int = 0
    reused: int = 0  # same digest as a body fetched in this run
    versions: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # verdict (or error) → captures kept as evidence
    failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"site": self.site, "found": self.found, "already": self.already, "fetched": self.fetched,
                "reused": self.reused, "versions": self.versions, "skipped": dict(self.skipped),
                "failed": self.failed}


def prefixes(site: SiteConfig) -> list[str]:
    """CDX URL prefixes of the site's action pages, one per language prefix."""
    host = urlsplit(site.url).netloc
    out = [f"{host}{site.base_path}/actions/*"]
    out += [f"{host}/{lang}{site.base_path}/actions/*" for lang in site.languages[1:]]
    return out


def backfill(site: SiteConfig, store: Store, *, archive: str = DEFAULT_ARCHIVE, since: dt.datetime | None = None,
             until: dt.datetime | None = None, rate: float = 1.0, retries: int = 4, timeout: float = 30.0,
             progress: Callable[[int, int], None] | None = None) -> BackfillSummary:
    """Import the archive's captures of ``site`` from ``since`` to ``until`` (both optional)."""
    archive = archive.rstrip("/")
    summary = BackfillSummary(site.url)
    archive_site = SiteConfig(url=archive, rate=rate, retries=retries, timeout=timeout, contact=site.contact,
                              backoff=site.backoff, max_backoff=site.max_backoff, max_bytes=site.max_bytes)
    fetcher = HttpFetcher(archive_site)
    try:
        snapshots: list[tuple[Snapshot, str]] = []
        seen: set[tuple[str, str]] = set()
        for prefix in prefixes(site):
            for snap in list_snapshots(fetcher, archive, prefix, since=since, until=until):
                url = _action_url(snap.original, site)
                if url is None or not snap.status.startswith("2") or "html" not in snap.mimetype:
                    continue
                if (url, snap.timestamp) not in seen:
                    seen.add((url, snap.timestamp))
                    snapshots.append((snap, url))
        snapshots.sort(key=lambda pair: (pair[0].at, pair[1]))
        summary.found = len(snapshots)
        with store.reading() as session:
            have = queries.capture_times(session, sorted({url for _, url in snapshots}))
        bodies: dict[str, bytes] = {}
        for n, (snap, url) in enumerate(snapshots, 1):
            if progress is not None:
                progress(n, len(snapshots))
            if (url, snap.at) in have:
                summary.already += 1
                continue
            body = bodies.get(snap.digest)
            if body is None:
                try:
                    resp = fetcher.fetch(Request(replay_url(archive, snap)))
                except FetchError as exc:
                    summary.failed.append(f"{url} at {snap.timestamp}: {exc}")
                    continue
                if resp.status != 200:
                    summary.failed.append(f"{url} at {snap.timestamp}: the archive answered {resp.status}")
                    continue
                body = bodies[snap.digest] = resp.body
                summary.fetched += 1
            else:
                summary.reused += 1
            done, result = ingest_archived(store, site=site.url, url=url, at=snap.at, body=body)
            if result.meta.verdict != "ok" or result.record is None:
                summary.skipped[result.meta.verdict] += 1
            elif done.stored.outcome == "new_version":
                summary.versions += 1
    finally:
        fetcher.close()
    return summary


def _action_url(original: str, site: SiteConfig) -> str | None:
    """The site's URL of an archived action page (``http://`` captures of an ``https://`` site too)."""
    parts = urlsplit(original if "://" in original else "http://" + original)
    url = canonical_url(f"{urlsplit(site.url).scheme}://{parts.netloc}{parts.path}")
    found = action_identifier(url, site)
    if found is None:
        return None
    ident, lang = found
    return site.action_url(ident, lang)
