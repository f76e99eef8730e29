"""Re-deriving a measure's versions from its stored raw bodies.

A parser fix corrects the whole history without refetching: every capture that
kept its body is parsed again (by the ``parse`` function the caller passes: storage
knows no parser), in the order it was fetched, through the same versioning rule as a
live store (``storage.versioning``); captures that had only confirmed an unchanged
record (no body kept) confirm whatever version then stands. A measure's versions are
rewritten only when something changed. Raw bodies are never deleted. The loop over
measures, one transaction each, is ``vahti.app.reparse``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from storage.children import clear_children, index_children
from storage.models import Capture, MeasureRow, Version
from storage.store import read_blob
from storage.versioning import Latest, decide, write_version
from vahti.record import Measure, ParseResult, dump_json


@dataclass
class MeasureReparse:
    url: str
    before: int  # versions before
    after: int  # versions after
    changed: bool
    events_removed: int = 0
    events_added: int = 0


@dataclass
class ReparseReport:
    measures: list[MeasureReparse] = field(default_factory=list)
    bodies: int = 0

    @property
    def changed(self) -> list[MeasureReparse]:
        return [m for m in self.measures if m.changed]

    def to_dict(self) -> dict[str, object]:
        return {"measures": len(self.measures), "bodies_parsed": self.bodies,
                "changed": [m.__dict__ for m in self.changed]}


@dataclass
class _New:
    number: int
    result: ParseResult
    digest: str
    first_capture: Any  # a captures row: id, requested_at, outcome, blob_id
    last_capture: Any


def rebuild_measure(session: Session, measure_id: int, since: dt.datetime | None, report: ReparseReport,
                    parse: Callable[[bytes, str], ParseResult], *, force: bool = False) -> MeasureReparse:
    """Re-derive the versions of one measure first seen at or after ``since`` (all with None).

    Reads plain rows (Core), one per capture run, and each kept body once; writes only
    when the versions come out different (a record, or the captures that first and last
    saw it), or always with ``force`` (a capture was placed among the old ones).
    """
    conn = session.connection()
    url = conn.execute(select(MeasureRow.url).where(MeasureRow.id == measure_id)).scalar_one()
    old = conn.execute(select(Version.id, Version.number, Version.record_hash, Version.verdict,
                              Version.first_seen_at, Version.first_capture_id, Version.last_capture_id)
                       .where(Version.measure_id == measure_id)
                       .order_by(Version.number)).all()
    kept = [v for v in old if since is not None and v.first_seen_at < since]
    query = (select(Capture.id, Capture.requested_at, Capture.outcome, Capture.blob_id,
                    func.coalesce(Capture.last_checked_at, Capture.requested_at).label("last_at"))
             .where(Capture.measure_id == measure_id).order_by(Capture.requested_at, Capture.id))
    if since is not None:
        query = query.where(Capture.requested_at >= since)
    captures = conn.execute(query).all()

    current_hash = kept[-1].record_hash if kept else None
    current_ok = any(v.verdict == "ok" for v in kept)
    number = kept[-1].number if kept else 0
    new: list[_New] = []
    assignments: list[tuple[Any, str, _New | None, ParseResult | None]] = []
    for cap in captures:
        if cap.outcome == "error":
            continue
        if cap.blob_id is None:  # confirmed the version standing then (304s or unchanged: a run)
            assignments.append((cap, cap.outcome, new[-1] if new else None, None))
            if new:
                new[-1].last_capture = cap
            continue
        result = parse(read_blob(session, cap.blob_id), url)
        report.bodies += 1
        digest = result.record.content_hash() if result.record is not None else None
        decision = decide(Latest(number or None, current_hash, current_ok), result.meta.verdict, digest)
        if decision == "new_version":
            assert digest is not None
            number += 1
            entry = _New(number, result, digest, cap, cap)
            new.append(entry)
            current_hash, current_ok = digest, current_ok or result.meta.verdict == "ok"
            assignments.append((cap, decision, entry, result))
        elif decision == "unchanged":
            assignments.append((cap, decision, new[-1] if new else None, result))
            if new:
                new[-1].last_capture = cap
        else:
            assignments.append((cap, decision, None, result))

    before = [(v.record_hash, v.first_capture_id, v.last_capture_id) for v in old[len(kept):]]
    changed = force or before != [(n.digest, n.first_capture.id, n.last_capture.id) for n in new]
    if changed:
        replaced = [v.id for v in old[len(kept):]]
        if replaced:
            conn.execute(update(Capture).where(Capture.version_id.in_(replaced)).values(version_id=None))
            conn.execute(delete(Version).where(Version.id.in_(replaced)))
        rows: dict[int, int] = {}
        for n in new:
            rows[n.number] = write_version(
                session, measure_id, n.number, n.result, n.digest, first_seen_at=n.first_capture.requested_at,
                last_seen_at=n.last_capture.last_at, first_capture_id=n.first_capture.id,
                last_capture_id=n.last_capture.id, index=False).id
        confirmed: list[dict[str, Any]] = []  # captures that kept no body: outcome and version only
        parsed_rows: list[dict[str, Any]] = []  # captures whose body was parsed again: their verdict too
        for cap, outcome, target, parsed in assignments:
            version_id = rows[target.number] if target is not None else (
                kept[-1].id if kept and outcome in ("unchanged", "not_modified") else None)
            values: dict[str, Any] = {"id_": cap.id, "outcome": outcome, "version_id": version_id}
            if parsed is None:
                confirmed.append(values)
                continue
            clean = parsed.meta.verdict == "ok" and not parsed.meta.warnings
            parsed_rows.append(dict(values, verdict=parsed.meta.verdict,
                                    meta=None if clean else dump_json(parsed.meta.to_dict())))
        for statement, batch in ((_SET_CONFIRMED, confirmed), (_SET_PARSED, parsed_rows)):
            if batch:
                conn.execute(statement, batch)
        _rebuild_children(session, measure_id)
        name = new[-1].result.record.name if new and new[-1].result.record is not None else None
        if name is not None:
            conn.execute(update(MeasureRow).where(MeasureRow.id == measure_id).values(name=name))
    return MeasureReparse(url, len(old), len(kept) + len(new), changed)


_captures = cast(Table, Capture.__table__)
_SET_CONFIRMED = _captures.update().where(_captures.c.id == bindparam("id_")).values(
    outcome=bindparam("outcome"), version_id=bindparam("version_id"))
_SET_PARSED = _captures.update().where(_captures.c.id == bindparam("id_")).values(
    outcome=bindparam("outcome"), version_id=bindparam("version_id"), verdict=bindparam("verdict"),
    meta=bindparam("meta"))


def _rebuild_children(session: Session, measure_id: int) -> None:
    clear_children(session, measure_id)
    session.flush()
    for v in session.scalars(select(Version).where(Version.measure_id == measure_id).order_by(Version.number)):
        index_children(session, measure_id, v.number, Measure.from_json(v.record))
        session.flush()
