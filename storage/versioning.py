"""The versioning rule, once: what a parse result does to a measure's history.

``decide`` is pure (the latest state + the parse → the outcome); ``write_version``
is the one place a version row is made. Live storing (``storage.store``) and
re-deriving history from stored bodies (``storage.rebuild``) both go through them.

>>> decide(Latest(None, None, False), "ok", "h1")
'new_version'
>>> decide(Latest(1, "h1", True), "ok", "h1")
'unchanged'
>>> decide(Latest(1, "h1", True), "degraded", "h2")
'degraded_kept'
>>> decide(Latest(1, "h1", False), "degraded", "h2")
'new_version'
>>> decide(Latest(1, "h1", True), "not_a_measure", None)
'not_a_measure'
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from storage.children import index_children
from storage.models import Version
from vahti.record import ParseResult, Verdict

Decision = Literal["new_version", "unchanged", "degraded_kept", "not_a_measure"]


@dataclass(frozen=True, slots=True)
class Latest:
    """What the rule needs to know of a measure's history so far."""

    number: int | None  # the latest version's number (None: no version yet)
    record_hash: str | None  # its record's hash
    has_ok: bool  # some version parsed completely


def decide(latest: Latest, verdict: Verdict, digest: str | None) -> Decision:
    """The outcome of a parse with ``verdict`` whose record hashes to ``digest`` (None: no record).

    A record equal by hash adds nothing; a degraded record never replaces a measure that
    has parsed completely (it is kept as flagged evidence); anything else is a new version.
    """
    if digest is None:
        return "not_a_measure"
    if latest.record_hash == digest:
        return "unchanged"
    if verdict == "degraded" and latest.has_ok:
        return "degraded_kept"
    return "new_version"


@dataclass(frozen=True, slots=True)
class Written:
    """A version just written."""

    id: int
    number: int


_INSERT = cast(Table, Version.__table__).insert()


def write_version(session: Session, measure_id: int, number: int, result: ParseResult, digest: str, *,
                  first_seen_at: dt.datetime, last_seen_at: dt.datetime, first_capture_id: int | None = None,
                  last_capture_id: int | None = None, index: bool = True, text: str | None = None,
                  fresh: bool = False) -> Written:
    """Add version ``number`` of a measure (and, with ``index``, its task and contact states), in plain statements.
    ``text``: the record's JSON, when the caller has it already; ``fresh``: the measure was made in this
    transaction."""
    record = result.record
    assert record is not None
    inserted = session.connection().execute(_INSERT, {
        "measure_id": measure_id, "number": number, "record": text if text is not None else record.to_json(),
        "record_hash": digest,
        "verdict": result.meta.verdict, "parser": result.meta.parser, "generation": result.meta.generation,
        "extraction": result.meta.extraction, "unobserved": json.dumps(list(result.meta.unobserved)),
        "first_seen_at": first_seen_at, "last_seen_at": last_seen_at, "first_capture_id": first_capture_id,
        "last_capture_id": last_capture_id,
    }).inserted_primary_key
    assert inserted is not None
    if index:
        index_children(session, measure_id, number, record, fresh=fresh)
    return Written(int(inserted[0]), number)
