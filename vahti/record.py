"""The measure record (``vahti.measure/1``) and the parse result around it.

Defined once here and passed between the stages: the parser makes it, storage
keeps its canonical JSON, the differ compares two of them. Instances are frozen;
lists are tuples so records hash and compare by value.

>>> m = Measure(url="https://x.example/actions/1", language="fi", identifier="1", name="A")
>>> Measure.from_json(m.to_json()) == m
True
>>> list(m.to_dict())[:4]
['schema', 'url', 'language', 'identifier']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypeVar

import orjson

SCHEMA = "vahti.measure/1"

TaskState = Literal["completed", "in_progress", "not_started", "cancelled", "open"]
Verdict = Literal["ok", "degraded", "not_a_measure"]
Generation = Literal["classic", "pages-router", "app-router", "unknown"]
Extraction = Literal["embedded-json", "dom"]

# The platform's task states (GraphQL enum names, also the ``state--X`` CSS classes) as record states.
TASK_STATES: dict[str, TaskState] = {
    "NOT_STARTED": "not_started", "IN_PROGRESS": "in_progress", "COMPLETED": "completed", "CANCELLED": "cancelled",
}


@dataclass(frozen=True, slots=True)
class Labelled:
    """A value with a machine identifier (may be unknown) and the label shown."""

    identifier: str | None
    label: str


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    state: TaskState
    id: str | None = None
    due_date: dt.date | None = None
    completed_date: dt.date | None = None
    comment: str | None = None
    # Added to the contract's task shape: "2025-02" or "2025" when the page shows
    # the due date only to month or year precision (then ``due_date`` is null
    # unless embedded data gives the exact day).
    due_period: str | None = None

    KEYS = ("id", "name", "state", "due_date", "completed_date", "comment", "due_period")


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    id: str | None = None

    KEYS = ("id", "name")


@dataclass(frozen=True, slots=True)
class ResponsibleParty:
    name: str
    id: str | None = None
    abbreviation: str | None = None
    primary: bool = False

    KEYS = ("id", "abbreviation", "name", "primary")


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    id: str | None = None
    title: str | None = None
    organization: str | None = None
    primary: bool = False

    KEYS = ("id", "name", "title", "organization", "primary")


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    title: str
    date: dt.date | None = None
    author: str | None = None

    KEYS = ("title", "date", "author")


@dataclass(frozen=True, slots=True)
class ChangeLog:
    """The plan's own change-log entry for the action, where the page shows one."""

    updated_on: dt.date
    updated_at: dt.datetime | None = None
    author: str | None = None
    message: str | None = None

    KEYS = ("updated_at", "updated_on", "author", "message")


# Record keys in contract order (the JSON is written in exactly this order).
MEASURE_KEYS: tuple[str, ...] = (
    "schema", "url", "language", "identifier", "name", "plan", "categories", "lead",
    "description", "official_name", "status", "completion", "phase", "impact",
    "schedule", "tasks", "indicators", "responsible_parties", "contacts",
    "status_updates", "updated_on", "updated_at", "previous", "next", "merged_with",
    "continuous", "change_log",
)
# Additions to vahti.measure/1: a record stored before them reads them as these, and its hash
# (computed without them while they hold these values) does not move: no version from the addition.
_ADDED_DEFAULTS: dict[str, Any] = {"continuous": False, "change_log": None}


@dataclass(frozen=True, slots=True)
class Measure:
    url: str
    language: str
    identifier: str
    name: str
    plan: str | None = None
    categories: tuple[str, ...] = ()
    lead: str | None = None
    description: str | None = None
    official_name: str | None = None
    status: Labelled | None = None
    completion: int | None = None
    phase: str | None = None
    impact: Labelled | None = None
    schedule: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    responsible_parties: tuple[ResponsibleParty, ...] = ()
    contacts: tuple[Contact, ...] = ()
    status_updates: tuple[StatusUpdate, ...] = ()
    updated_on: dt.date | None = None
    updated_at: dt.datetime | None = None
    previous: str | None = None
    next: str | None = None
    merged_with: str | None = None
    continuous: bool = False  # the schedule runs on with no end date
    change_log: ChangeLog | None = None
    schema: str = field(default=SCHEMA)

    # -- JSON out -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict, keys in contract order."""
        return {key: _out(getattr(self, key)) for key in MEASURE_KEYS}

    def to_json(self, *, indent: int | None = None) -> str:
        """Canonical JSON: contract key order, UTF-8 text, compact unless indented."""
        return dump_json(self.to_dict(), indent=indent)

    def content_hash(self) -> str:
        """SHA-256 of the canonical compact JSON: equal records, equal hash (keys added to the contract
        later count only when they say something, so records stored before them keep their hash)."""
        return _hash(self.to_dict())

    def json_and_hash(self) -> tuple[str, str]:
        """``to_json()`` and ``content_hash()`` from one conversion (storing a version needs both)."""
        data = self.to_dict()
        return dump_json(data), _hash(data)

    # -- JSON in --------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measure:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} record: schema={data.get('schema')!r}")

        def lab(v: Any) -> Labelled | None:
            return None if v is None else Labelled(v["identifier"], v["label"])

        return cls(
            url=data["url"],
            language=data["language"],
            identifier=data["identifier"],
            name=data["name"],
            plan=data["plan"],
            categories=tuple(data["categories"]),
            lead=data["lead"],
            description=data["description"],
            official_name=data["official_name"],
            status=lab(data["status"]),
            completion=data["completion"],
            phase=data["phase"],
            impact=lab(data["impact"]),
            schedule=tuple(data["schedule"]),
            tasks=tuple(_in(Task, t) for t in data["tasks"]),
            indicators=tuple(_in(Indicator, t) for t in data["indicators"]),
            responsible_parties=tuple(_in(ResponsibleParty, t) for t in data["responsible_parties"]),
            contacts=tuple(_in(Contact, t) for t in data["contacts"]),
            status_updates=tuple(_in(StatusUpdate, t) for t in data["status_updates"]),
            updated_on=_date(data["updated_on"]),
            updated_at=None if data["updated_at"] is None else dt.datetime.fromisoformat(data["updated_at"]),
            previous=data["previous"],
            next=data["next"],
            merged_with=data["merged_with"],
            continuous=bool(data.get("continuous", False)),
            change_log=_change_log(data.get("change_log")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Measure:
        return cls.from_dict(json.loads(text))


@dataclass(frozen=True, slots=True)
class ParseMeta:
    """What a parse says about itself; never part of the record, never diffed."""

    verdict: Verdict
    generation: Generation
    extraction: Extraction
    parser: str
    reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # Added to the contract's fixed keys: record fields this extraction path could
    # not observe on this page (e.g. "schedule" on a classic page read from the
    # DOM). The differ compares such fields only when both sides observed them.
    unobserved: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "generation": self.generation,
            "extraction": self.extraction,
            "parser": self.parser,
            "warnings": list(self.warnings),
            "unobserved": list(self.unobserved),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParseMeta:
        return cls(
            verdict=data["verdict"],
            generation=data["generation"],
            extraction=data["extraction"],
            parser=data["parser"],
            reasons=tuple(data.get("reasons", ())),
            warnings=tuple(data.get("warnings", ())),
            unobserved=tuple(data.get("unobserved", ())),
        )


@dataclass(frozen=True, slots=True)
class ParseResult:
    record: Measure | None
    meta: ParseMeta

    def to_dict(self) -> dict[str, Any]:
        return {"record": None if self.record is None else self.record.to_dict(), "meta": self.meta.to_dict()}


# -- helpers ------------------------------------------------------------------

def _hash(data: dict[str, Any]) -> str:
    said = {k: v for k, v in data.items() if k not in _ADDED_DEFAULTS or v != _ADDED_DEFAULTS[k]}
    raw = _orjson(said)
    return hashlib.sha256(raw if raw is not None else _stdlib(said).encode("utf-8")).hexdigest()


def dump_json(obj: Any, *, indent: int | None = None) -> str:
    """Compact JSON (``json.dumps(obj, ensure_ascii=False, separators=(",", ":"))``; content hashes are taken
    of its UTF-8 bytes), or indented."""
    if indent is None:
        raw = _orjson(obj)
        return raw.decode("utf-8") if raw is not None else _stdlib(obj)
    return json.dumps(obj, ensure_ascii=False, indent=indent)


_ORJSON_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _orjson(obj: Any) -> bytes | None:
    """The compact JSON of ``obj`` as UTF-8, from orjson: the same bytes as the standard library's for all
    that records and events hold (text, integers, booleans, null, lists, objects with text keys: a
    property test holds it to that), some fifteen times faster. ``None`` for what orjson refuses (a
    lone surrogate, an integer past 64 bits, a key that is not text, a date): the standard library
    says what it always said of those. (A float, which no record holds, would be spelled orjson's
    way: ``1e-7`` for ``1e-07``.)"""
    try:
        return orjson.dumps(obj, option=_ORJSON_STRICT)
    except TypeError:
        return None


def _stdlib(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _out(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_out(v) for v in value]
    if isinstance(value, Labelled):
        return {"identifier": value.identifier, "label": value.label}
    keys: tuple[str, ...] = type(value).KEYS
    return {k: _out(getattr(value, k)) for k in keys}


T = TypeVar("T")


def _in(cls: type[T], data: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        v = data[f.name]
        if f.name in ("due_date", "completed_date", "date"):
            v = _date(v)
        kwargs[f.name] = v
    return cls(**kwargs)


def predates(record_json: str) -> list[str]:
    """Keys added to the contract that a stored record's JSON lacks: the parser that wrote it never
    looked for them, so a diff treats them as unobserved (no event from the addition alone)."""
    data = json.loads(record_json)
    return [key for key in _ADDED_DEFAULTS if key not in data] if isinstance(data, dict) else []


def _change_log(v: dict[str, Any] | None) -> ChangeLog | None:
    if v is None:
        return None
    at = v.get("updated_at")
    return ChangeLog(updated_on=dt.date.fromisoformat(v["updated_on"]),
                     updated_at=dt.datetime.fromisoformat(at) if at else None,
                     author=v.get("author"), message=v.get("message"))


def _date(v: str | None) -> dt.date | None:
    return None if v is None else dt.date.fromisoformat(v)
