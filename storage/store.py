"""Storing parse results as versions: one call, one transaction.

Rules (see ``docs/storage.md``):

* every call adds one capture (the fetch attempt and its outcome);
* a record equal by hash to the measure's latest version adds no version, only the
  capture and a new "last seen" (its body is not kept: the version's first body is
  the evidence, and an unchanged record has nothing new to show);
* a different record adds version n+1, with its raw body and its task and contact
  states;
* a ``degraded`` record never becomes the latest version of a measure that has an
  ``ok`` one: it is kept as a flagged capture with its body, nothing else;
* a ``not_a_measure`` answer is a capture (with its body, as evidence) only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, defer, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.util import identity_key

from vahti.urls import canonical_site, canonical_url
from storage import blobs
from storage.engine import WRITE, make_engine, shown_url
from storage.migrate import ensure_current
from storage.models import Blob, Capture, MeasureRow, Site, Version
from storage.queries import NEWEST_CHECK
from storage.versioning import Latest, Written, decide, write_version
from vahti.errors import ConfigError, StorageError
from vahti.record import ParseResult, dump_json

_M = TypeVar("_M")

Outcome = Literal["new_version", "unchanged", "not_modified", "degraded_kept", "not_a_measure", "missing", "error"]
Lifecycle = Literal["added", "removed", "restored", "merged"]
MISSING_STATUSES = (404, 410)


@dataclass(frozen=True, slots=True)
class FetchInfo:
    """What the fetch (or import) of one URL came to, before parsing."""

    requested_at: dt.datetime
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    duration_ms: int | None = None
    error: str | None = None
    not_modified: bool = False  # a 304 answer to a conditional request
    moved_to: str | None = None  # the URL redirected to another action's page (a merge or a renumbering)
    headers: tuple[tuple[str, str], ...] = ()  # the answer's headers, kept with a body (for WARC export)

    def __post_init__(self) -> None:
        if self.requested_at.tzinfo is None:
            raise StorageError("naive datetime given for requested_at; use an aware (UTC) one")


@dataclass(frozen=True, slots=True)
class Stored:
    """What one store did."""

    outcome: Outcome
    capture_id: int
    measure_id: int | None
    version: int | None  # the measure's latest version number afterwards
    previous: int | None = None  # the version before, when a new one was added
    lifecycle: Lifecycle | None = None  # what happened to the measure itself
    degraded: bool = False  # the measure is in a degraded-parse episode (before this store's events)
    late: bool = False  # a 304 older than the measure's newest check (stored in its place in the past)


class Store:
    """The versioned snapshot store over one database (SQLite file or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, db: str, *, create: bool = True) -> Store:
        """Open ``--db``; create an empty database, refuse an outdated schema."""
        engine = make_engine(db)
        path = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        if path and path != ":memory:" and not create and not Path(path).exists():
            raise ConfigError(f"no database at {path} (nothing stored yet? check --db)")
        try:
            ensure_current(engine, create=create)
        except SQLAlchemyError as exc:  # the database is not there to use: --db (or its server) is wrong
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise ConfigError(f"cannot open the database {shown_url(engine)}: {reason}") from exc
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        try:
            with self.writing() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {exc.__class__.__name__}: {exc}") from exc

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in one write transaction; database errors pass through as they are.

        On SQLite the transaction takes the write lock when it starts (waiting for
        it under the busy timeout), so its reads and writes see one state.
        """
        with self._sessions() as session, session.begin():
            session.connection(execution_options={WRITE: True})
            yield session

    @contextmanager
    def writing_connection(self) -> Iterator[Connection]:
        """A plain connection in one write transaction (no session: half the cost of one), committed on
        success, rolled back on error; database errors as ``StorageError``."""
        try:
            with self.engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise StorageError(f"database error: {exc.__class__.__name__}: {exc}") from exc

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session



def store_in(session: Session, *, site: str, url: str, fetch: FetchInfo, result: ParseResult | None = None,
             body: bytes | None = None, missing_after: int = 2, late: bool = False,
             found: Known | None = None) -> Stored:
    """Store one fetch outcome (and its parse) inside the caller's transaction.

    Every call adds one capture; its parse goes through the versioning rule
    (``storage.versioning``). ``vahti.app.ingest`` calls this with the events and alerts
    of the same transaction.

    A 404/410 answer (or a "soft 404" page) counts against a known measure; after
    ``missing_after`` consecutive ones the measure is marked removed (never deleted).

    ``late``: the capture is older than what is stored of the measure (an import or a
    backfill of the past). It is kept with its body and changes nothing else: the caller
    re-derives the measure's history in time order (``storage.rebuild``).

    ``found``: what ``known`` gave for this URL in this transaction (saves asking again).
    """
    if fetch.requested_at.tzinfo is None:
        raise StorageError("naive datetime given for requested_at; use an aware (UTC) one")
    url = canonical_url(url)
    if is_not_modified(fetch):
        return store_not_modified(session.connection(), url, fetch)  # no body: nothing parsed, nothing new
    measure = (found if found is not None else known(session, url)).measure
    record = result.record if result is not None else None
    lifecycle: Lifecycle | None = None
    kept: list[object] = []
    if measure is None and record is not None:
        site_row = ensure_site(session, site, fetch.requested_at)
        measure = _new_measure(session, site_row.id, url, record.identifier, record.language, record.name,
                               fetch.requested_at)
        kept.append(site_row)
        lifecycle = "added"
    if measure is not None:
        # The session holds its objects weakly: the events of this store (same transaction) ask for
        # the measure and its site again, and would load both anew once this function has returned.
        session.info.setdefault("kept", []).extend((measure, *kept))
    # A measure made just now has no versions and no bodies to look up.
    latest = _latest_version(session, measure.id) if measure is not None and lifecycle != "added" else None
    capture: dict[str, Any] = {
        "measure_id": measure.id if measure is not None else None, "url": None if measure is not None else url,
        "requested_at": fetch.requested_at, "http_status": fetch.http_status, "etag": fetch.etag,
        "last_modified": fetch.last_modified, "bytes": len(body) if body is not None else None,
        "duration_ms": fetch.duration_ms, "error": fetch.error, "blob_id": None, "verdict": None, "meta": None,
        "headers": json.dumps(fetch.headers) if fetch.headers and body is not None else None,
    }

    def done(outcome: Outcome, version: Version | Written | None = None, previous: int | None = None) -> Stored:
        """Add the capture; ``version`` is the version it created (``Written``) or confirmed."""
        session.flush()  # the measure's pending changes first (its row must exist for the foreign key)
        inserted = session.connection().execute(_NM_CAPTURE, dict(
            capture, outcome=outcome, version_id=version.id if version is not None else None)).inserted_primary_key
        assert inserted is not None
        capture_id = int(inserted[0])
        if isinstance(version, Written):
            session.connection().execute(_SET_CAPTURES, {"id_": version.id, "capture_id": capture_id})
        elif version is not None:
            version.last_seen_at = max(version.last_seen_at, fetch.requested_at)
            version.last_capture_id = capture_id
        current = version if version is not None else latest
        return Stored(outcome, capture_id, measure.id if measure is not None else None,
                      current.number if current is not None else None, previous, lifecycle,
                      degraded=measure is not None and measure.degraded_since is not None)

    if late and measure is not None:
        if body is not None:
            capture["blob_id"] = put_blob(session, body, measure.id)
        if result is not None:
            capture["verdict"] = result.meta.verdict
        return done("error" if fetch.error is not None else "unchanged")  # its place: the rebuild decides

    if fetch.moved_to is not None:  # this URL's measure is not here any more: it counts as missing
        capture["error"] = f"moved: redirected to {fetch.moved_to}"
    missing = fetch.moved_to is not None or (fetch.http_status in MISSING_STATUSES and record is None) or (
        result is not None and record is None and any(r.startswith("not found") for r in result.meta.reasons))
    if missing:
        if body:
            capture["blob_id"] = put_blob(session, body, measure.id if measure is not None else None)
        if result is not None:
            capture["verdict"] = result.meta.verdict
        if measure is not None:
            measure.missing_checks += 1
            if measure.missing_checks >= missing_after and measure.removed_at is None:
                measure.removed_at = fetch.requested_at
                lifecycle = "removed"
        return done("missing")
    if fetch.error is not None:
        if body:  # an archived capture set aside (backfill, WARC import) keeps its body as evidence
            capture["blob_id"] = put_blob(session, body, measure.id if measure is not None else None)
        return done("error")
    if result is None:
        capture["error"] = "no parse result for a fetched body"
        return done("error")

    capture["verdict"] = result.meta.verdict
    if result.meta.verdict != "ok" or result.meta.warnings:
        capture["meta"] = dump_json(result.meta.to_dict())
    if record is None:  # not a measure page
        if body is not None:
            capture["blob_id"] = put_blob(session, body, measure.id if measure is not None else None)
        return done("not_a_measure")

    assert measure is not None
    _seen(measure, fetch.requested_at)
    _set(measure, identifier=record.identifier or measure.identifier, language=record.language)
    if measure.removed_at is not None:
        measure.removed_at = None
        lifecycle = "restored"
    if record.merged_with and measure.merged_into != record.merged_with:
        measure.merged_into = record.merged_with
        lifecycle = lifecycle or "merged"
    text, digest = record.json_and_hash()
    verdict = result.meta.verdict
    has_ok = verdict == "degraded" and _has_ok_version(session, measure.id)  # asked only where it matters
    decision = decide(Latest(latest.number if latest else None, latest.record_hash if latest else None, has_ok),
                      verdict, digest)
    if decision == "unchanged":
        assert latest is not None
        run = extend_run(session.connection(), measure.id, latest.id, "unchanged", fetch)
        if run is not None:
            latest.last_seen_at = max(latest.last_seen_at, fetch.requested_at)
            latest.last_capture_id = run
            return Stored("unchanged", run, measure.id, latest.number, None, lifecycle,
                          degraded=measure.degraded_since is not None)
        return done("unchanged", latest)
    if body is not None:
        capture["blob_id"] = put_blob(session, body, measure.id if lifecycle != "added" else None)
    if decision == "degraded_kept":
        return done("degraded_kept")
    _set(measure, name=record.name)
    version = write_version(session, measure.id, (latest.number if latest else 0) + 1, result, digest,
                            first_seen_at=fetch.requested_at, last_seen_at=fetch.requested_at, text=text,
                            fresh=lifecycle == "added")
    return done("new_version", version, previous=latest.number if latest else None)


def is_not_modified(fetch: FetchInfo) -> bool:
    """A 304 answer: stored by ``store_not_modified`` in a few plain statements, saying whether it came late."""
    return fetch.not_modified and fetch.error is None and fetch.http_status not in MISSING_STATUSES


def store_not_modified(conn: Connection, url: str, fetch: FetchInfo) -> Stored:
    """A 304 (most checks) at the canonical ``url``, in a few plain statements and no unit of work.

    A capture confirming the measure's latest version; the version and the measure
    seen now; a removed measure restored, exactly as it was. A 304 for a URL with no
    measure yet is a capture of the URL alone.
    """
    at = fetch.requested_at
    # The measure, when it was last checked, its latest version and its newest capture (the run a 304
    # may extend), in one query.
    m = conn.execute(_NM_STATE, {"url": url}).first()
    v_id = m.v_id if m is not None else None
    capture_id = None
    if m is not None and v_id is not None:
        run = _Run(m.r_id, m.r_outcome, m.r_version_id, m.r_error, m.r_requested_at, m.r_last_checked_at,
                   m.r_longest_gap_s) if m.r_id is not None else None
        capture_id = _extend(conn, run, v_id, "not_modified", fetch)
    if capture_id is None:
        inserted = conn.execute(_NM_CAPTURE, {
            "measure_id": m.id if m is not None else None, "url": None if m is not None else url, "requested_at": at,
            "http_status": fetch.http_status, "etag": fetch.etag, "last_modified": fetch.last_modified,
            "duration_ms": fetch.duration_ms, "outcome": "not_modified", "version_id": v_id,
        }).inserted_primary_key
        assert inserted is not None
        capture_id = int(inserted[0])
    if m is None:
        return Stored("not_modified", capture_id, None, None, None, None)
    late = m.newest is not None and at < m.newest
    if v_id is not None:
        conn.execute(_NM_VERSION, {"id_": v_id, "last_seen_at": max(m.v_last_seen_at, at),
                                   "last_capture_id": capture_id})
    conn.execute(_NM_SEEN, {"id_": m.id, "last_seen_at": max(m.last_seen_at, at)})
    return Stored("not_modified", capture_id, m.id, m.v_number if v_id is not None else None, None,
                  "restored" if m.removed_at is not None else None, degraded=m.degraded_since is not None, late=late)


# The statements of ``store_not_modified``, built once (building one costs more than running it).
_measures, _versions, _captures = (cast(Table, t) for t in (MeasureRow.__table__, Version.__table__, Capture.__table__))
_latest, _newest = _versions.alias("latest"), _captures.alias("newest")
_LATEST_ID = (select(_versions.c.id).where(_versions.c.measure_id == _measures.c.id)
              .order_by(_versions.c.number.desc()).limit(1).correlate(_measures).scalar_subquery())
_NEWEST_ID = (select(_captures.c.id).where(_captures.c.measure_id == _measures.c.id)
              .order_by(_captures.c.requested_at.desc(), _captures.c.id.desc()).limit(1)
              .correlate(_measures).scalar_subquery())
_NM_STATE = (
    select(_measures.c.id, _measures.c.last_seen_at, _measures.c.removed_at, _measures.c.degraded_since,
           NEWEST_CHECK.label("newest"),
           _latest.c.id.label("v_id"), _latest.c.number.label("v_number"), _latest.c.last_seen_at.label("v_last_seen_at"),
           _newest.c.id.label("r_id"), _newest.c.outcome.label("r_outcome"),
           _newest.c.version_id.label("r_version_id"), _newest.c.error.label("r_error"),
           _newest.c.requested_at.label("r_requested_at"), _newest.c.last_checked_at.label("r_last_checked_at"),
           _newest.c.longest_gap_s.label("r_longest_gap_s"))
    .select_from(_measures.outerjoin(_latest, _latest.c.id == _LATEST_ID).outerjoin(_newest, _newest.c.id == _NEWEST_ID))
    .where(_measures.c.url == bindparam("url")))
_NM_CAPTURE = _captures.insert()
_BLOB_INSERT = cast(Table, Blob.__table__).insert()
_SET_CAPTURES = _versions.update().where(_versions.c.id == bindparam("id_")).values(
    first_capture_id=bindparam("capture_id"), last_capture_id=bindparam("capture_id"))
_RUN_LAST = (select(_captures.c.id, _captures.c.outcome, _captures.c.version_id, _captures.c.error,
                    _captures.c.requested_at, _captures.c.last_checked_at, _captures.c.longest_gap_s)
             .where(_captures.c.measure_id == bindparam("measure_id"))
             .order_by(_captures.c.requested_at.desc(), _captures.c.id.desc()).limit(1))
_RUN_EXTEND = _captures.update().where(_captures.c.id == bindparam("id_")).values(
    checks=_captures.c.checks + 1, last_checked_at=bindparam("at"), longest_gap_s=bindparam("gap"),
    http_status=bindparam("http_status"), etag=bindparam("etag"), last_modified=bindparam("last_modified"),
    duration_ms=bindparam("duration_ms"))


def extend_run(conn: Connection, measure_id: int, version_id: int, outcome: Outcome, fetch: FetchInfo) -> int | None:
    """Count a check that confirmed ``version_id`` (``outcome``: unchanged or not_modified) into the
    measure's run, when its newest capture is a run of the same kind for the same version; its id, else None.

    Anything else in between (an error, a 404, another version, an import of an older page) closed
    the run, so a run is exact evidence: every check from its first to its last saw this version.
    """
    row = conn.execute(_RUN_LAST, {"measure_id": measure_id}).first()
    return _extend(conn, _Run(*row) if row is not None else None, version_id, outcome, fetch)


class _Run(NamedTuple):
    """A measure's newest capture: the run a check may extend."""

    id: int
    outcome: str
    version_id: int | None
    error: str | None
    requested_at: dt.datetime
    last_checked_at: dt.datetime | None
    longest_gap_s: int | None


def _extend(conn: Connection, run: _Run | None, version_id: int, outcome: Outcome, fetch: FetchInfo) -> int | None:
    if run is None or run.outcome != outcome or run.version_id != version_id or run.error is not None:
        return None
    last = run.last_checked_at or run.requested_at
    at = fetch.requested_at
    if at < last:
        return None  # an older check arriving late stands on its own
    gap = max(run.longest_gap_s or 0, int((at - last).total_seconds()))
    conn.execute(_RUN_EXTEND, {"id_": run.id, "at": at, "gap": gap, "http_status": fetch.http_status,
                               "etag": fetch.etag, "last_modified": fetch.last_modified,
                               "duration_ms": fetch.duration_ms})
    return int(run.id)
_NM_VERSION = _versions.update().where(_versions.c.id == bindparam("id_"))
_NM_SEEN = _measures.update().where(_measures.c.id == bindparam("id_")).values(
    last_seen_at=bindparam("last_seen_at"), missing_checks=0, removed_at=None)

def _row_columns(model: type[Any]) -> list[Any]:
    """A model's columns, each labelled with its attribute's name (what the constructor takes)."""
    return [attr.columns[0].label(attr.key) for attr in sa_inspect(model).column_attrs]


# The lookups of every store, built once (building a statement costs as much as running it). Rows are
# read with Core and made the session's objects as if loaded (``_as_loaded``): an ORM query for one row
# cost a new measure's store a seventh of its time.
_MEASURE_AND_NEWEST = (select(*_row_columns(MeasureRow), NEWEST_CHECK.label("newest_check_"))
                       .where(MeasureRow.url == bindparam("url")))
_SITE_BY_BASE = select(*_row_columns(Site)).where(Site.base_url == bindparam("base"))
_MEASURE_INSERT = _measures.insert()


class Known(NamedTuple):
    """What is stored of the measure at a URL: its row (None: none yet) and when it was last checked."""

    measure: MeasureRow | None
    newest_check: dt.datetime | None


def known(session: Session, url: str) -> Known:
    """The measure at ``url`` and its newest check, in one query (a store asks both first)."""
    row = session.connection().execute(_MEASURE_AND_NEWEST, {"url": canonical_url(url)}).first()
    if row is None:
        return Known(None, None)
    values = dict(row._mapping)
    newest = values.pop("newest_check_")
    return Known(_as_loaded(session, MeasureRow, values), newest)


def _as_loaded(session: Session, model: type[_M], values: dict[str, Any]) -> _M:
    """The session's object for a row read or written with Core (every column in ``values``): the one it
    already holds, else one made as if the ORM had loaded it (nothing to load again, changes tracked)."""
    held = session.identity_map.get(identity_key(model, values["id"]))
    if held is not None:
        return held
    obj = model(**values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


# The record itself (kilobytes of JSON) is not needed to compare hashes: loaded only if used.
_LATEST_VERSION = (select(Version).where(Version.measure_id == bindparam("measure_id"))
                   .order_by(Version.number.desc()).limit(1).options(defer(Version.record)))
_OK_VERSION = select(Version.id).where(Version.measure_id == bindparam("measure_id"), Version.verdict == "ok").limit(1)
_BLOB_BY_SHA = select(Blob.id).where(Blob.sha256 == bindparam("sha256"))
_BASE_BLOB = (select(Blob).join(Capture, Capture.blob_id == Blob.id)
              .where(Capture.measure_id == bindparam("measure_id"), Blob.codec == "zstd")
              .order_by(Capture.id.desc()).limit(1))


def _new_measure(session: Session, site_id: int, url: str, identifier: str, language: str | None, name: str | None,
                 at: dt.datetime) -> MeasureRow:
    """A new measure's row, inserted by one plain statement, and the session's object for it (as if loaded:
    a unit of work for one insert cost a sixth of storing a new measure)."""
    values: dict[str, Any] = {
        "site_id": site_id, "url": url, "identifier": identifier, "language": language, "name": name,
        "first_seen_at": at, "last_seen_at": at, "removed_at": None, "merged_into": None, "missing_checks": 0,
        "degraded_since": None}
    inserted = session.connection().execute(_MEASURE_INSERT, values).inserted_primary_key
    assert inserted is not None
    return _as_loaded(session, MeasureRow, {"id": int(inserted[0]), **values})  # every column set


def _seen(measure: MeasureRow, at: dt.datetime) -> None:
    _set(measure, last_seen_at=max(measure.last_seen_at, at), missing_checks=0)


def _set(row: object, **values: object) -> None:
    """Assign only what differs: an attribute set to its own value still makes the session flush the
    row (a unit of work that finds nothing to write, a sixth of storing a new measure)."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def ensure_site(session: Session, base_url: str, at: dt.datetime) -> Site:
    base = canonical_site(base_url)
    found = session.connection().execute(_SITE_BY_BASE, {"base": base}).first()
    site = _as_loaded(session, Site, dict(found._mapping)) if found is not None else None
    if site is None:
        site = Site(base_url=base, created_at=at)
        session.add(site)
        session.flush()
    return site


def _latest_version(session: Session, measure_id: int) -> Version | None:
    return session.scalar(_LATEST_VERSION, {"measure_id": measure_id})


def _has_ok_version(session: Session, measure_id: int) -> bool:
    return session.scalar(_OK_VERSION, {"measure_id": measure_id}) is not None


# -- blobs ----------------------------------------------------------------------

def put_blob(session: Session, body: bytes, measure_id: int | None) -> int:
    """Store a raw body once (by SHA-256); as a delta against the measure's last full body."""
    digest = blobs.sha256(body)
    conn = session.connection()
    existing = conn.execute(_BLOB_BY_SHA, {"sha256": digest}).scalar()
    if existing is not None:
        return int(existing)
    base = _base_blob(session, measure_id) if measure_id is not None else None
    row: dict[str, object] | None = None
    if base is not None:
        base_body = blobs.decompress(base.data, None)
        delta = blobs.compress(body, base=base_body)
        if len(delta) <= blobs.FULL_RATIO * len(base.data):
            row = {"codec": "zstd-delta", "base_id": base.id, "data": delta}
    if row is None:
        row = {"codec": "zstd", "base_id": None, "data": blobs.compress(body)}
    inserted = conn.execute(_BLOB_INSERT, {"sha256": digest, "size": len(body), **row}).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def _base_blob(session: Session, measure_id: int) -> Blob | None:
    """The measure's most recent full blob (deltas are made against it)."""
    return session.scalar(_BASE_BLOB, {"measure_id": measure_id})


def read_blob(session: Session, blob_id: int) -> bytes:
    blob = session.get(Blob, blob_id)
    if blob is None:
        raise StorageError(f"no blob {blob_id}")
    base = None
    if blob.base_id is not None:
        base_row = session.get(Blob, blob.base_id)
        if base_row is None:
            raise StorageError(f"blob {blob_id} is a delta against missing blob {blob.base_id}")
        base = blobs.decompress(base_row.data, None)
    body = blobs.decompress(blob.data, base)
    if blobs.sha256(body) != blob.sha256:
        raise StorageError(f"blob {blob_id} does not match its SHA-256 (damaged)")
    return body
