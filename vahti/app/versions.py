"""Comparing any two stored versions of a measure on the fly (``vahti diff``)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from diffs.compare import diff
from vahti.record import predates
from vahti.events import ChangeEvent
from storage import queries
from storage.models import MeasureRow


@dataclass(frozen=True, slots=True)
class VersionDiff:
    url: str
    from_version: int
    to_version: int
    events: tuple[ChangeEvent, ...]


def diff_versions(session: Session, measure: MeasureRow, from_version: int | None = None,
                  to_version: int | None = None) -> VersionDiff:
    """Events from ``from_version`` (default: the one before ``to_version``) to ``to_version`` (default: latest)."""
    newest = queries.version(session, measure)
    if newest is None:
        raise queries.MeasureNotFound(f"{measure.url} has no versions")
    to_n = to_version or newest.number
    from_n = from_version or to_n - 1
    older, newer = queries.version(session, measure, from_n), queries.version(session, measure, to_n)
    if older is None or newer is None:
        raise queries.MeasureNotFound(f"{measure.url} has versions 1..{newest.number}; "
                                      f"no version {from_n if older is None else to_n}")
    changes = diff(queries.record(older), queries.record(newer),
                   old_unobserved=json.loads(older.unobserved) + predates(older.record),
                   new_unobserved=json.loads(newer.unobserved) + predates(newer.record))
    events = tuple(ChangeEvent(site=measure.site.base_url, measure=measure.identifier, kind=c.kind,
                               subject=c.subject, before=c.before, after=c.after, summary=c.summary,
                               observed_at=newer.first_seen_at, from_version=from_n, to_version=to_n,
                               url=measure.url, flags=c.flags) for c in changes)
    return VersionDiff(measure.url, from_n, to_n, events)
