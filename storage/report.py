"""What the web report reads: sites, each measure's whole history, and the bodies kept as evidence.

Plain Core reads, one measure at a time, so a report of a large archive holds one measure's
history in memory, not the archive's. Capture rows are runs (an unchanged page checked hourly for a
year is one row), so a measure's history costs what it changed, not how often it was checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import queries
from storage.models import Blob, Capture, Crawl, MeasureRow, Site, Version
from storage.store import read_blob
from vahti.history import CheckRun, MeasureHistory, SiteInfo, VersionEntry
from vahti.record import Measure, predates
from vahti.urls import canonical_site


def sites(session: Session, site: str | None = None) -> list[tuple[int, SiteInfo]]:
    """Every site with at least one measure (or the one named), by base URL."""
    query = select(Site).where(Site.id.in_(select(MeasureRow.site_id))).order_by(Site.base_url)
    if site:
        query = select(Site).where(Site.base_url == canonical_site(site))
    out = []
    for row in session.scalars(query):
        crawl = session.execute(select(Crawl.started_at, Crawl.status).where(Crawl.site_id == row.id)
                                .order_by(Crawl.started_at.desc()).limit(1)).first()
        out.append((row.id, SiteInfo(base_url=row.base_url, plan_name=row.plan_name,
                                     last_crawl_at=crawl[0] if crawl else None,
                                     last_crawl_status=crawl[1] if crawl else None,
                                     unreachable_since=row.unreachable_since)))
    return out


def measure_rows(session: Session, site_id: int) -> list[tuple[int, str, str, str | None]]:
    """(id, URL, identifier, language) of every measure of a site, removed ones too."""
    query = (select(MeasureRow.id, MeasureRow.url, MeasureRow.identifier, MeasureRow.language)
             .where(MeasureRow.site_id == site_id).order_by(MeasureRow.url))
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def measure_history(session: Session, measure_id: int) -> MeasureHistory:
    row = session.get(MeasureRow, measure_id)
    if row is None:
        raise queries.MeasureNotFound(f"no measure {measure_id}")
    runs_q = (select(Capture.requested_at, Capture.last_checked_at, Capture.checks, Capture.outcome,
                     Capture.verdict, Capture.http_status, Capture.error, Version.number, Capture.longest_gap_s,
                     Blob.sha256, Capture.id, Capture.meta)
              .outerjoin(Version, Version.id == Capture.version_id).outerjoin(Blob, Blob.id == Capture.blob_id)
              .where(Capture.measure_id == measure_id).order_by(Capture.requested_at, Capture.id))
    runs, body_of = [], {}
    for r in session.execute(runs_q):
        runs.append(CheckRun(started_at=r[0], last_at=r[1] or r[0], checks=r[2], outcome=r[3], verdict=r[4],
                             http_status=r[5], error=r[6], version=r[7], longest_gap_s=r[8], evidence=r[9],
                             reasons=_reasons(r[11])))
        body_of[r[10]] = r[9]
    versions = []
    for v in session.execute(select(Version.number, Version.first_seen_at, Version.last_seen_at, Version.record,
                                    Version.verdict, Version.unobserved, Version.first_capture_id)
                             .where(Version.measure_id == measure_id).order_by(Version.number)):
        unobserved = tuple(json.loads(v.unobserved)) + tuple(predates(v.record))
        versions.append(VersionEntry(number=v.number, first_seen_at=v.first_seen_at, last_seen_at=v.last_seen_at,
                                     record=Measure.from_json(v.record), verdict=v.verdict, unobserved=unobserved,
                                     evidence=body_of.get(v.first_capture_id)))
    return MeasureHistory(
        url=row.url, site=row.site.base_url, identifier=row.identifier, language=row.language, name=row.name,
        first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at, removed_at=row.removed_at,
        merged_into=row.merged_into, versions=tuple(versions), runs=tuple(runs),
        events=tuple(queries.events(session, measure=row)))


def bodies(session: Session, digests: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(sha256, body) of each stored body named, decompressed and checked against its digest."""
    wanted = sorted(set(digests))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for blob_id, digest in session.execute(select(Blob.id, Blob.sha256).where(Blob.sha256.in_(chunk))):
            yield digest, read_blob(session, blob_id)


def _reasons(meta: str | None) -> tuple[str, ...]:
    """The reasons a capture's parse gave for being degraded (its stored parse metadata)."""
    if not meta:
        return ()
    try:
        reasons = json.loads(meta).get("reasons") or []
    except (ValueError, AttributeError):
        return ()
    return tuple(str(r) for r in reasons[:10])
