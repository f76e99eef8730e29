"""Stored change events as the contract's ``ChangeEvent`` objects."""

from __future__ import annotations

import json
from typing import Any

from storage.models import Event, MeasureRow, Site
from vahti.events import ChangeEvent


def to_event(row: Event, measure: MeasureRow | None, site: Site) -> ChangeEvent:
    return ChangeEvent(site=site.base_url, measure=measure.identifier if measure is not None else None,
                       kind=row.kind, subject=row.subject, before=loads(row.before), after=loads(row.after),
                       summary=row.summary, observed_at=row.observed_at, from_version=row.from_version,
                       to_version=row.to_version, url=measure.url if measure is not None else site.base_url,
                       flags=tuple(row.flags.split()), id=row.id,
                       name=measure.name if measure is not None else None,
                       language=measure.language if measure is not None else None)


def dumps(value: Any) -> str | None:
    """An event's ``before``/``after`` as stored (JSON text, NULL for nothing)."""
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)
