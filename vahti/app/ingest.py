"""The pipeline's middle, in one transaction: store a fetch outcome, derive its events, queue its alerts.

Stages stay separate (``storage.store.store_in`` knows nothing of events,
``vahti.app.events.record_events`` knows nothing of fetching); this is where they
are put in order, so a crash never leaves a version without its events.
"""

from __future__ import annotations

from dataclasses import dataclass

from vahti.events import ChangeEvent
from vahti.app.events import record_events
from storage.events import to_event
from storage.outbox import queue
from storage.models import MeasureRow, Site
from storage.store import FetchInfo, Store, Stored, store_in
from vahti.record import ParseResult


@dataclass(frozen=True, slots=True)
class Ingested:
    stored: Stored
    events: tuple[ChangeEvent, ...]


def ingest(store: Store, *, site: str, url: str, fetch: FetchInfo, result: ParseResult | None = None,
           body: bytes | None = None, missing_after: int = 2) -> Ingested:
    with store.transaction() as session:
        stored = store_in(session, site=site, url=url, fetch=fetch, result=result, body=body,
                          missing_after=missing_after)
        rows = record_events(session, stored, result, fetch.requested_at)
        queue(session, rows, fetch.requested_at)  # alerts: queued with the events, never apart
        events: tuple[ChangeEvent, ...] = ()
        if rows:
            measure = session.get(MeasureRow, stored.measure_id)
            assert measure is not None
            site_row = session.get(Site, measure.site_id)
            assert site_row is not None
            events = tuple(to_event(r, measure, site_row) for r in rows)
    return Ingested(stored, events)
