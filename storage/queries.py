"""Reading the store back: measures, their versions, records as of a moment."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from vahti.urls import canonical_site, canonical_url, split_action_path
from storage.models import Capture, Event, MeasureRow, Site, Version
from storage.events import loads
from vahti.config import kind_patterns
from vahti.events import ChangeEvent
from vahti.errors import ConfigError
from vahti.record import Measure


class MeasureNotFound(ConfigError):
    """No stored measure answers to the given identifier or URL (a usage error, exit 2)."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    number: int
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    verdict: str
    generation: str
    extraction: str
    parser: str
    record_hash: str
    captures: int
    tasks: int
    completed_tasks: int
    contacts: int
    updated_on: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number, "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(), "verdict": self.verdict, "generation": self.generation,
            "extraction": self.extraction, "parser": self.parser, "record_hash": self.record_hash,
            "captures": self.captures, "tasks": self.tasks, "completed_tasks": self.completed_tasks,
            "contacts": self.contacts, "updated_on": self.updated_on,
        }


def resolve_measure(session: Session, ref: str, *, site: str | None = None) -> MeasureRow:
    """A measure by full page URL, or by identifier (``--site`` to choose among sites)."""
    if "://" in ref:
        row = session.scalar(select(MeasureRow).where(MeasureRow.url == canonical_url(ref)))
        if row is None:
            raise MeasureNotFound(f"no stored measure at {canonical_url(ref)}")
        return row
    query = select(MeasureRow).where(MeasureRow.identifier == ref)
    if site:
        query = query.join(Site).where(Site.base_url == canonical_site(site))
    rows = list(session.scalars(query.order_by(MeasureRow.url)))
    if not rows:
        where = f" on {canonical_url(site)}" if site else ""
        raise MeasureNotFound(f"no stored measure with identifier {ref!r}{where}")
    if len(rows) > 1:
        # The primary-language page (no /xx/ prefix) is what an identifier means on one site.
        sites = {r.site_id for r in rows}
        if len(sites) == 1:
            plain = [r for r in rows if (parts := split_action_path(r.url)) is not None and parts[0] is None]
            if len(plain) == 1:
                return plain[0]
        urls = ", ".join(r.url for r in rows)
        raise MeasureNotFound(f"identifier {ref!r} is ambiguous ({urls}): give the full URL or --site")
    return rows[0]


def history(session: Session, measure: MeasureRow) -> list[VersionInfo]:
    counts = dict(session.execute(
        select(Capture.version_id, func.sum(Capture.checks)).where(Capture.measure_id == measure.id)
        .group_by(Capture.version_id)).all())
    out = []
    for v in session.scalars(select(Version).where(Version.measure_id == measure.id).order_by(Version.number)):
        data = json.loads(v.record)
        out.append(VersionInfo(
            number=v.number, first_seen_at=v.first_seen_at, last_seen_at=v.last_seen_at, verdict=v.verdict,
            generation=v.generation, extraction=v.extraction, parser=v.parser, record_hash=v.record_hash,
            captures=int(counts.get(v.id, 0)), tasks=len(data["tasks"]),
            completed_tasks=sum(t["state"] == "completed" for t in data["tasks"]),
            contacts=len(data["contacts"]), updated_on=data["updated_on"],
        ))
    return out


def version(session: Session, measure: MeasureRow, number: int | None = None) -> Version | None:
    """Version ``number`` of a measure, or its latest."""
    query = select(Version).where(Version.measure_id == measure.id)
    if number is not None:
        return session.scalar(query.where(Version.number == number))
    return session.scalar(query.order_by(Version.number.desc()).limit(1))


def as_of(session: Session, measure: MeasureRow, when: dt.datetime) -> Version | None:
    """The version that stood at ``when``: the last one first seen at or before it."""
    return session.scalar(
        select(Version).where(Version.measure_id == measure.id, Version.first_seen_at <= when)
        .order_by(Version.number.desc()).limit(1))


def all_as_of(session: Session, when: dt.datetime) -> list[tuple[MeasureRow, Version]]:
    """Every measure's record as it stood at ``when`` (one query)."""
    latest = (select(Version.measure_id, func.max(Version.number).label("number"))
              .where(Version.first_seen_at <= when).group_by(Version.measure_id).subquery())
    query = (select(MeasureRow, Version)
             .join(latest, latest.c.measure_id == MeasureRow.id)
             .join(Version, and_(Version.measure_id == latest.c.measure_id, Version.number == latest.c.number))
             .order_by(MeasureRow.url))
    return [(m, v) for m, v in session.execute(query).all()]


def record(v: Version) -> Measure:
    return Measure.from_json(v.record)


def events(session: Session, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
           kinds: tuple[str, ...] = (), site: str | None = None, measure: MeasureRow | None = None,
           limit: int | None = None, newest_first: bool = False) -> list[ChangeEvent]:
    """Stored change events, oldest first (or newest first), filtered; read as plain rows."""
    query = (select(Event.id, Event.kind, Event.subject, Event.before, Event.after, Event.summary,
                    Event.observed_at, Event.from_version, Event.to_version, Event.flags,
                    MeasureRow.identifier, MeasureRow.url, MeasureRow.name, MeasureRow.language, Site.base_url)
             .outerjoin(MeasureRow, MeasureRow.id == Event.measure_id).join(Site, Site.id == Event.site_id))
    if since is not None:
        query = query.where(Event.observed_at >= since)
    if until is not None:
        query = query.where(Event.observed_at < until)
    if kinds:
        exact, prefixes = kind_patterns(kinds)
        query = query.where(or_(Event.kind.in_(exact), *[Event.kind.startswith(p) for p in prefixes]))
    if site:
        query = query.where(Site.base_url == canonical_site(site))
    if measure is not None:
        query = query.where(Event.measure_id == measure.id)
    order = (Event.observed_at.desc(), Event.id.desc()) if newest_first else (Event.observed_at, Event.id)
    query = query.order_by(*order)
    if limit:
        query = query.limit(limit)
    return [ChangeEvent(site=r.base_url, measure=r.identifier, kind=r.kind, subject=r.subject,
                        before=loads(r.before), after=loads(r.after), summary=r.summary, observed_at=r.observed_at,
                        from_version=r.from_version, to_version=r.to_version, url=r.url,
                        flags=tuple(r.flags.split()), id=r.id, name=r.name, language=r.language)
            if r.url is not None else
            ChangeEvent(site=r.base_url, measure=None, kind=r.kind, subject=r.subject, before=loads(r.before),
                        after=loads(r.after), summary=r.summary, observed_at=r.observed_at, from_version=None,
                        to_version=None, url=r.base_url, flags=tuple(r.flags.split()), id=r.id)
            for r in session.execute(query)]


def site_measure_urls(session: Session, site: str) -> list[str]:
    """Every stored measure URL of a site (removed ones too: a crawl checks whether they came back)."""
    return list(session.scalars(select(MeasureRow.url).join(Site).where(Site.base_url == canonical_site(site))))


def validators(session: Session, site: str) -> dict[str, tuple[str | None, str | None]]:
    """ETag and Last-Modified of the answer behind each measure's latest version (one query)."""
    latest = (select(Version.measure_id, func.max(Version.number).label("number"))
              .group_by(Version.measure_id).subquery())
    query = (select(MeasureRow.url, Capture.etag, Capture.last_modified)
             .join(Site, Site.id == MeasureRow.site_id)
             .join(latest, latest.c.measure_id == MeasureRow.id)
             .join(Version, (Version.measure_id == latest.c.measure_id) & (Version.number == latest.c.number))
             .join(Capture, Capture.id == Version.last_capture_id)
             .where(Site.base_url == canonical_site(site)))
    return {url: (etag, modified) for url, etag, modified in session.execute(query) if etag or modified}


# When a measure was last checked, as a column of a query over measures (every store reads it with
# the rest of the measure's state: ``storage.store.known`` and the 304 path).
NEWEST_CHECK = (select(func.max(func.coalesce(Capture.last_checked_at, Capture.requested_at)))
                .where(Capture.measure_id == MeasureRow.id).correlate(MeasureRow).scalar_subquery())


def capture_times(session: Session, urls: list[str]) -> set[tuple[str, dt.datetime]]:
    """(url, time) of every capture of these measure URLs: what a resumed backfill already has."""
    if not urls:
        return set()
    rows = session.execute(select(MeasureRow.url, Capture.requested_at).join(MeasureRow, MeasureRow.id == Capture.measure_id)
                           .where(MeasureRow.url.in_([canonical_url(u) for u in urls])))
    return {(url, at) for url, at in rows}


def capture_outcome(session: Session, capture_id: int) -> tuple[str, int | None]:
    """A capture's outcome and the number of the version it made or confirmed."""
    row = session.execute(select(Capture.outcome, Version.number).outerjoin(Version, Version.id == Capture.version_id)
                          .where(Capture.id == capture_id)).one()
    return row[0], row[1]
