"""Re-derive stored history with the current parser: one transaction per measure.

Each measure's versions are rebuilt from its raw bodies (``storage.rebuild``) and,
where they changed, its version-pair events too (``vahti.app.events``), in the same
transaction: history and events never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from scraper import parse
from storage.models import MeasureRow
from storage.queries import resolve_measure
from storage.rebuild import ReparseReport, rebuild_measure
from storage.store import Store
from vahti.app.events import rebuild_version_events


def reparse(store: Store, *, measure: str | None = None, site: str | None = None, since: dt.datetime | None = None,
            progress: Callable[[str], None] | None = None, events: bool = True) -> ReparseReport:
    """Re-derive versions (and, with ``events``, the events of every measure whose versions changed)."""
    report = ReparseReport()
    with store.reading() as session:
        if measure is not None:
            ids = [resolve_measure(session, measure, site=site).id]
        else:
            ids = list(session.scalars(select(MeasureRow.id).order_by(MeasureRow.id)))
    for measure_id in ids:
        with store.transaction() as session:
            outcome = rebuild_measure(session, measure_id, since, report, parse)
            if outcome.changed and events:
                outcome.events_removed, outcome.events_added = rebuild_version_events(session, measure_id)
        if progress:
            progress(f"{outcome.url}: {outcome.before} → {outcome.after} versions" +
                     (" (changed)" if outcome.changed else ""))
        report.measures.append(outcome)
    return report
