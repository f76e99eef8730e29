"""Turning what the store did into stored change events (once each).

* A new version is compared with the one before (``diffs.compare.diff``); its
  events are keyed by the version pair, so storing, re-crawling or re-parsing can
  never add the same event twice.
* Lifecycle (``measure.added/removed/restored``) and parse-health events
  (``parse.degraded/recovered``) are keyed by the capture that showed them.
* Degraded parses are never diffed against good versions: a measure enters a
  *degraded episode* at its first degraded (or not-a-measure) answer and leaves
  it at the next good one: one ``parse.degraded`` and one ``parse.recovered`` per
  episode, however many crawls it lasts.
* Flaps: a change that exactly undoes a change of the same thing made in the last
  ``FLAP_VERSIONS`` versions and within ``FLAP_WINDOW`` is flagged ``flap`` — and so
  is the change it undoes — so alerts can report the pair once, as a flap.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.orm import Session

from diffs.compare import diff
from storage.models import Event, MeasureRow, Version
from storage.events import dumps, loads
from storage.store import Stored
from vahti.events import FLAP_VERSIONS, FLAP_WINDOW, OPPOSITE, Change
from vahti.record import Measure, ParseResult, predates



@dataclass(frozen=True, slots=True)
class _Ctx:
    measure: MeasureRow
    at: dt.datetime
    capture_id: int | None
    produced: set[str] | None = None  # event keys made (or found already made), for rebuilds
    flags: tuple[str, ...] = ()  # added to every event made (e.g. "backfilled")
    fresh: bool = False  # the measure was made by this very store: it has no events yet


def record_events(session: Session, stored: Stored, result: ParseResult | None, at: dt.datetime, *,
                  flags: tuple[str, ...] = ()) -> list[Event]:
    """Derive and store the events of one store (inside its transaction); each carries ``flags``."""
    if stored.measure_id is None:
        return []
    if stored.outcome in ("unchanged", "not_modified", "error", "missing") and stored.lifecycle is None \
            and not stored.degraded:
        return []  # the common case: a check that found nothing new
    measure = session.get(MeasureRow, stored.measure_id)
    assert measure is not None
    ctx = _Ctx(measure, at, stored.capture_id, None, flags, fresh=stored.lifecycle == "added")
    out: list[Event] = []
    verdict = result.meta.verdict if result is not None else None
    if stored.outcome == "new_version" and stored.previous is None:
        record = result.record if result is not None and result.record is not None else (
            _record(session, measure.id, stored.version) if stored.version else None)
        name = record.name if record is not None else measure.identifier
        out += _add(session, ctx, Change("measure.added", name, None, name, f"New measure: {name}",
                                         key="measure"), None, stored.version)
    if stored.lifecycle in ("removed", "restored"):
        checks = measure.missing_checks
        what = (f"gone ({checks} check{'s' if checks != 1 else ''} in a row answered “not found”)"
                if stored.lifecycle == "removed" else "back")
        out += _add(session, ctx, Change(f"measure.{stored.lifecycle}", measure.identifier, None, None,
                                         f"Measure {what}: {measure.url}", key="measure"), None, None)
    unhealthy = stored.outcome in ("degraded_kept", "not_a_measure") or (
        stored.outcome == "new_version" and verdict == "degraded")
    # A check that confirms the latest version is healthy only if that version parsed completely (a
    # measure first seen degraded, checked again unchanged, has not recovered); asked only in an episode.
    healthy = (stored.outcome == "new_version" and verdict == "ok") or (
        stored.outcome in ("unchanged", "not_modified") and measure.degraded_since is not None
        and stored.version is not None and _version(session, measure.id, stored.version).verdict == "ok")
    starts = stored.version is not None or stored.outcome != "not_a_measure"  # a measure we know went bad
    if unhealthy and measure.degraded_since is None and starts:
        measure.degraded_since = at
        reasons = list(result.meta.reasons) if result is not None else []
        out += _add(session, ctx, Change("parse.degraded", measure.identifier, None, reasons,
                                         "Page no longer parses completely: " + ("; ".join(reasons) or "unknown"),
                                         key="parse"), None, None)
    elif healthy and measure.degraded_since is not None:
        since = measure.degraded_since
        measure.degraded_since = None
        out += _add(session, ctx, Change("parse.recovered", measure.identifier, since.isoformat(), None,
                                         f"Page parses completely again (degraded since {since:%Y-%m-%d %H:%M} UTC)",
                                         key="parse"), None, None)
    if stored.outcome == "new_version" and stored.previous is not None and stored.version is not None:
        out += version_events(session, ctx, stored.previous, stored.version)
    return out


def version_events(session: Session, ctx: _Ctx, before: int, after: int) -> list[Event]:
    old = _version(session, ctx.measure.id, before)
    new = _version(session, ctx.measure.id, after)
    if old.verdict != "ok" or new.verdict != "ok":
        return []  # never diff a degraded record against anything
    changes = diff(Measure.from_json(old.record), Measure.from_json(new.record),
                   old_unobserved=json.loads(old.unobserved) + predates(old.record),
                   new_unobserved=json.loads(new.unobserved) + predates(new.record))
    out: list[Event] = []
    for change in changes:
        change = _flap(session, ctx, change, after)
        out += _add(session, ctx, change, before, after)
    return out


def _flap(session: Session, ctx: _Ctx, change: Change, number: int) -> Change:
    """Flag a change that undoes a recent one (and the one it undoes); an "updated" date moved back
    and forth flaps as any other field."""
    recent = session.scalars(
        select(Event).where(Event.measure_id == ctx.measure.id, Event.to_version >= number - FLAP_VERSIONS,
                            Event.to_version < number, Event.observed_at >= ctx.at - FLAP_WINDOW)
        .order_by(Event.to_version.desc()))
    for earlier in recent:
        if not earlier.event_key.endswith("|" + change.event_key.split("|", 1)[1]):
            continue
        undoes = (earlier.kind == change.kind and loads(earlier.after) == change.before
                  and loads(earlier.before) == change.after) or OPPOSITE.get(earlier.kind) == change.kind
        if undoes:
            if "flap" not in earlier.flags.split():
                earlier.flags = " ".join([*earlier.flags.split(), "flap"])
            return change.flagged("flap")
    return change


def _add(session: Session, ctx: _Ctx, change: Change, before: int | None, after: int | None) -> list[Event]:
    scope = f"v{before}-{after}" if after is not None else f"c{ctx.capture_id}"
    key = f"{scope}|{change.event_key}"[:700]
    if ctx.produced is not None:
        ctx.produced.add(key)
    flags = " ".join(dict.fromkeys((*change.flags, *ctx.flags)))
    exists = None if ctx.fresh else session.scalar(_EVENT_BY_KEY, {"measure_id": ctx.measure.id, "key": key})
    if exists is not None:
        if ctx.produced is not None:  # a rebuild: the same change between re-derived versions, said anew
            exists.subject, exists.before, exists.after = change.subject, dumps(change.before), dumps(change.after)
            exists.summary, exists.observed_at, exists.capture_id = change.summary, ctx.at, ctx.capture_id
            kept = [f for f in exists.flags.split() if f == "backfilled"]  # observed live stays live
            exists.flags = " ".join(dict.fromkeys((*change.flags, *kept)))
        return []
    values = dict(site_id=ctx.measure.site_id, measure_id=ctx.measure.id, capture_id=ctx.capture_id, event_key=key,
                  kind=change.kind, subject=change.subject, before=dumps(change.before), after=dumps(change.after),
                  summary=change.summary, observed_at=ctx.at, from_version=before, to_version=after, flags=flags)
    # One plain insert (a unit of work per event cost more than the diff); the row handed back is what
    # was written, for queueing and telling, not an object of the session.
    inserted = session.connection().execute(_EVENT_INSERT, values).inserted_primary_key
    assert inserted is not None
    return [Event(id=int(inserted[0]), **values)]


_EVENT_INSERT = cast(Table, Event.__table__).insert()
_EVENT_BY_KEY = select(Event).where(Event.measure_id == bindparam("measure_id"), Event.event_key == bindparam("key"))


def rebuild_version_events(session: Session, measure_id: int, *, flags: tuple[str, ...] = ()) -> tuple[int, int]:
    """After a reparse (or a capture placed in the past): version-pair events as the current versions
    say; events made now carry ``flags``. Returns (removed, added)."""
    measure = session.get(MeasureRow, measure_id)
    assert measure is not None
    versions = list(session.scalars(select(Version).where(Version.measure_id == measure_id).order_by(Version.number)))
    produced: set[str] = set()
    added: list[Event] = []
    if versions:
        first = versions[0]
        name = Measure.from_json(first.record).name
        ctx = _Ctx(measure, first.first_seen_at, first.first_capture_id, produced, flags)
        added += _add(session, ctx, Change("measure.added", name, None, name, f"New measure: {name}", key="measure"),
                      None, first.number)
    for prev, cur in zip(versions, versions[1:]):
        ctx = _Ctx(measure, cur.first_seen_at, cur.first_capture_id, produced, flags)
        added += version_events(session, ctx, prev.number, cur.number)
    # Events no longer borne out by the versions go; the others keep their rows (and ids).
    stale = delete(Event).where(Event.measure_id == measure_id, Event.to_version.is_not(None),
                                Event.event_key.not_in(produced) if produced else Event.id.is_not(None))
    removed = session.execute(stale).rowcount or 0  # type: ignore[attr-defined]
    return removed, len(added)



def _version(session: Session, measure_id: int, number: int) -> Version:
    v = session.scalar(select(Version).where(Version.measure_id == measure_id, Version.number == number))
    assert v is not None, (measure_id, number)
    return v


def _record(session: Session, measure_id: int, number: int) -> Measure:
    return Measure.from_json(_version(session, measure_id, number).record)

