"""The pipeline's middle, in one transaction: store a fetch outcome, derive its events, queue its alerts.

Stages stay separate (``storage.store.store_in`` knows nothing of events,
``vahti.app.events.record_events`` knows nothing of fetching); this is where they
are put in order, so a crash never leaves a version without its events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import cast

from sqlalchemy.orm import Session

from vahti.events import ChangeEvent
from scraper import parse
from storage import queries
from storage.rebuild import ReparseReport, rebuild_measure
from vahti.app.events import rebuild_version_events, record_events
from storage.events import to_event
from storage.outbox import queue
from storage.models import MeasureRow, Site
from storage.store import (FetchInfo, Known, Outcome, Store, Stored, is_not_modified, known, store_in,
                           store_not_modified)
from vahti.record import ParseResult
from vahti.urls import canonical_url


@dataclass(frozen=True, slots=True)
class Ingested:
    stored: Stored
    events: tuple[ChangeEvent, ...]


def ingest(store: Store, *, site: str, url: str, fetch: FetchInfo, result: ParseResult | None = None,
           body: bytes | None = None, missing_after: int = 2, backfill: bool = False) -> Ingested:
    """Store one fetch outcome with its events and alerts, in one transaction.

    A capture older than the measure's newest check (an import or backfill of the past) is
    placed where it belongs: the measure's versions are re-derived from its captures in time
    order, its version-pair events recomputed; events that this makes are flagged
    ``backfilled`` and never queued to subscribers (nobody is alerted about the past), and
    "latest" stays the newest capture. ``backfill`` (captures of the past fed in time order)
    flags every event ``backfilled`` and queues none.
    """
    if is_not_modified(fetch):
        return _ingest_not_modified(store, url=url, fetch=fetch, backfill=backfill)
    with store.transaction() as session:
        found = known(session, url)
        if found.newest_check is not None and fetch.requested_at < found.newest_check:
            return _place_in_the_past(session, site=site, url=url, fetch=fetch, result=result, body=body,
                                      found=found)
        stored = store_in(session, site=site, url=url, fetch=fetch, result=result, body=body,
                          missing_after=missing_after, found=found)
        events = _events(session, stored, result, fetch.requested_at, backfill)
    return Ingested(stored, events)


def _ingest_not_modified(store: Store, *, url: str, fetch: FetchInfo, backfill: bool) -> Ingested:
    """A 304 (most checks) in one plain transaction. A session joins it only for a check that makes
    events (a removed measure back, a degraded episode ended); a 304 older than the measure's newest
    check is stored in its place, evidence only, as any capture of the past."""
    with store.writing_connection() as conn:
        stored = store_not_modified(conn, canonical_url(url), fetch)
        if stored.late or stored.measure_id is None or (stored.lifecycle is None and not stored.degraded):
            return Ingested(stored, ())
        with Session(bind=conn) as session:  # joins the connection's transaction; never commits it
            events = _events(session, stored, None, fetch.requested_at, backfill)
            session.flush()
    return Ingested(stored, events)


def _events(session: Session, stored: Stored, result: ParseResult | None, at: dt.datetime,
            backfill: bool) -> tuple[ChangeEvent, ...]:
    """The events of one store, recorded and (unless ``backfill``) queued for subscribers."""
    rows = record_events(session, stored, result, at, flags=("backfilled",) if backfill else ())
    if not backfill:
        queue(session, rows, at)  # alerts: queued with the events, never apart
    if not rows:
        return ()
    measure = session.get(MeasureRow, stored.measure_id)
    assert measure is not None
    site_row = session.get(Site, measure.site_id)
    assert site_row is not None
    return tuple(to_event(r, measure, site_row) for r in rows)


def ingest_archived(store: Store, *, site: str, url: str, at: dt.datetime, body: bytes, status: int = 200,
                    headers: tuple[tuple[str, str], ...] = ()) -> tuple[Ingested, ParseResult]:
    """A capture from an archive (backfill, WARC import): parsed and stored at its capture time as the
    past (``backfill``). One that is no clean measure page is kept as evidence only: its body under
    an error that says why, never a version or an event."""
    result = parse(body, url)
    if result.meta.verdict != "ok" or result.record is None:
        why = "; ".join(result.meta.reasons)[:300]
        fetch = FetchInfo(requested_at=at, http_status=status,
                          error=f"archived capture not used ({result.meta.verdict}: {why})")
        return ingest(store, site=site, url=url, fetch=fetch, body=body, backfill=True), result
    fetch = FetchInfo(requested_at=at, http_status=status, headers=headers)
    return ingest(store, site=site, url=url, fetch=fetch, result=result, body=body, backfill=True), result


def _place_in_the_past(session: Session, *, site: str, url: str, fetch: FetchInfo, result: ParseResult | None,
                       body: bytes | None, found: Known) -> Ingested:
    stored = store_in(session, site=site, url=url, fetch=fetch, result=result, body=body, late=True, found=found)
    if stored.measure_id is None or result is None or result.record is None:
        return Ingested(stored, ())  # evidence only (an error, a 404, a page that is no measure)
    rebuild_measure(session, stored.measure_id, None, ReparseReport(), parse, force=True)
    rebuild_version_events(session, stored.measure_id, flags=("backfilled",))
    outcome, version = queries.capture_outcome(session, stored.capture_id)
    return Ingested(replace(stored, outcome=cast(Outcome, outcome), version=version, previous=None,
                            lifecycle=None), ())
