"""A GraphQL-shaped ``Action`` (from the Apollo cache or the RSC payload) to a record.

Both embedded sources carry the platform's GraphQL field names, so one mapper
serves every generation. Fields the query did not ask for (older front ends
asked for less) are reported as unobserved, not as empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vahti.text import fold
from scraper.dates import parse_iso_date, parse_iso_datetime
from scraper.text import clean, clean_or_none, clean_printable, drop_controls, html_to_text, plain_to_text
from vahti.record import (
    ChangeLog,
    Contact,
    Indicator,
    Labelled,
    Measure,
    ResponsibleParty,
    StatusUpdate,
    TASK_STATES,
    Task,
    TaskState,
)


@dataclass
class JsonRead:
    record: Measure
    unobserved: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return [v for v in value if v is not None] if isinstance(value, list) else []


def _s(value: Any) -> str | None:
    """A scalar from the embedded data as text, without control characters (ids and identifiers
    reach terminals, logs and feeds too)."""
    if value is None:
        return None
    text = str(value)
    return drop_controls(text) if not text.isprintable() else text


def _t(value: Any) -> str:
    """``clean(_s(value))``, looking once at whether the text is printable (nearly all is)."""
    if value is None:
        return ""
    text = str(value)
    return clean_printable(text) if text.isprintable() else clean(drop_controls(text))


def _id(value: Any) -> str | None:
    """An id or identifier: one line of printable text, nothing else."""
    if value is None:
        return None
    text = str(value)
    if text.isprintable():
        return text
    text = drop_controls(text)
    return "".join(text.split()) if not text.isprintable() else text


def _person_name(person: dict[str, Any]) -> str:
    return clean(f"{person.get('firstName') or ''} {person.get('lastName') or ''}")


def _labelled(value: Any) -> Labelled | None:
    v = _d(value)
    label = clean_or_none(_s(v.get("name")) or _s(v.get("label")))
    if label is None:
        return None
    return Labelled(_id(v.get("identifier")), label)


def _period(due: str | None, fmt: str | None) -> str | None:
    if not due or not fmt:
        return None
    if fmt.upper() == "MONTH_YEAR":
        return due[:7]
    if fmt.upper() == "YEAR":
        return due[:4]
    return None


def _task(t: dict[str, Any], default_format: str | None) -> Task | None:
    name = _t(t.get("name"))
    if not name:
        return None
    raw_state = _s(t.get("state"))
    completed = parse_iso_date(t.get("completedAt"))
    state: TaskState
    if raw_state and raw_state.upper() in TASK_STATES:
        state = TASK_STATES[raw_state.upper()]
    else:
        # 2020 front ends did not ask for ``state``: done is completedAt != null,
        # everything else is honestly "open".
        state = "completed" if completed else "open"
    comment_html = t.get("details") if "details" in t else t.get("comment")
    due_raw = _s(t.get("dueAt"))
    return Task(
        id=_id(t.get("id")),
        name=name,
        state=state,
        due_date=parse_iso_date(due_raw),
        completed_date=completed,
        comment=html_to_text(_s(comment_html)),
        # A completed task shows its completion day: the due period is not drawn.
        due_period=None if state == "completed" else _period(due_raw, _s(t.get("dateFormat")) or default_format),
    )


def _categories(action: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for c in _l(action.get("categories")):
        c = _d(c)  # every category type the plan gives its actions (Helsinki's is "action"; others differ)
        name = _t(c.get("name"))
        if name and name not in out:
            out.append(name)
    # Pages draw categories in different orders (badges, breadcrumbs); their order
    # carries no meaning, so the record keeps them sorted.
    return sorted(out, key=fold)


def _schedule(action: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for s in _l(action.get("schedule")):
        s = _d(s)
        name = _t(s.get("name"))
        if not name:
            begins, ends = _s(s.get("beginsAt")) or "", _s(s.get("endsAt")) or ""
            name = f"{begins[:4]}–{ends[:4]}" if begins and ends else clean(begins[:4] or ends[:4])
        if name:
            out.append(name)
    return out


def _indicators(action: dict[str, Any]) -> list[Indicator]:
    out: list[Indicator] = []
    seen: set[str] = set()
    related = _l(action.get("relatedIndicators"))
    items = [_d(_d(r).get("indicator")) for r in related] if related else [_d(i) for i in _l(action.get("indicators"))]
    for ind in items:
        name = _t(ind.get("name"))
        key = _id(ind.get("id")) or name
        if name and key not in seen:
            seen.add(key)
            out.append(Indicator(id=_id(ind.get("id")), name=name))
    return out


def _primary(items: list[dict[str, Any]], key: str, says: Callable[[dict[str, Any]], bool]) -> list[bool]:
    """Which items are primary: as ``key`` says where the data has it (newer front ends), else the first."""
    if any(key in item for item in items):
        return [says(item) for item in items]
    return [i == 0 for i in range(len(items))]


def _parties(action: dict[str, Any]) -> list[ResponsibleParty]:
    parties = [_d(p) for p in _l(action.get("responsibleParties"))]
    out: list[ResponsibleParty] = []
    for p, primary in zip(parties, _primary(parties, "role", lambda p: str(p.get("role") or "").upper() == "PRIMARY")):
        org = _d(p.get("organization"))
        name = _t(org.get("name"))
        if not name:
            continue
        out.append(ResponsibleParty(
            id=_id(org.get("id")), abbreviation=(_t(org.get("abbreviation")) or None),
            name=name, primary=primary,
        ))
    return out


def _contacts(action: dict[str, Any]) -> list[Contact]:
    people = [_d(c) for c in _l(action.get("contactPersons"))]
    out: list[Contact] = []
    for cp, primary in zip(people, _primary(people, "primaryContact", lambda c: bool(c.get("primaryContact")))):
        person = _d(cp.get("person"))
        name = _person_name(person)
        if not name:
            continue
        out.append(Contact(
            id=_id(person.get("id")), name=name, title=(_t(person.get("title")) or None),
            organization=(_t(_d(person.get("organization")).get("name")) or None), primary=primary,
        ))
    return out


def _updates(action: dict[str, Any]) -> list[StatusUpdate]:
    out: list[StatusUpdate] = []
    for u in _l(action.get("statusUpdates")):
        u = _d(u)
        title = _t(u.get("title"))
        if not title:
            continue
        author = _d(u.get("author"))
        out.append(StatusUpdate(
            title=title, date=parse_iso_date(u.get("date")),
            author=_person_name(author) or _t(u.get("authorName")) or None,
        ))
    return out


def _change_log(value: Any) -> ChangeLog | None:
    """``changeLogMessage``: the plan's own note on the latest change, its author and moment."""
    entry = _d(value)
    at = parse_iso_datetime(entry.get("updatedAt"))
    if at is None:
        return None
    content = _s(entry.get("content"))
    message = html_to_text(content) if content and content.lstrip().startswith("<") else plain_to_text(content)
    return ChangeLog(updated_on=at.date(), updated_at=at,
                     author=_person_name(_d(entry.get("createdBy"))) or None, message=message or None)


def _ident(value: Any) -> str | None:
    return _id(_d(value).get("identifier"))


# GraphQL field behind each record field, to tell "not asked for" from "empty".
_SOURCES = {
    "lead": "leadParagraph", "official_name": "officialName", "status": "status",
    "completion": "completion", "phase": "implementationPhase", "impact": "impact",
    "schedule": "schedule", "tasks": "tasks", "responsible_parties": "responsibleParties",
    "contacts": "contactPersons", "status_updates": "statusUpdates", "updated_at": "updatedAt",
    "previous": "previousAction", "next": "nextAction", "merged_with": "mergedWith",
    "description": "description", "continuous": "scheduleContinuous", "change_log": "changeLogMessage",
}


def measure_from_action(
    action: dict[str, Any], *, url: str, language: str, plan: str | None,
    task_date_format: str | None = None,
) -> JsonRead:
    """Map a resolved ``Action`` dict to a ``Measure`` (``updated_on`` left to the caller)."""
    status = _labelled(action.get("status"))
    if status is None and action.get("statusSummary"):
        summary = _d(action.get("statusSummary"))
        label = _t(summary.get("label")) or None
        ident = _id(summary.get("identifier"))
        status = Labelled(ident.lower() if ident else None, label) if label else None
    completion = action.get("completion")
    if not isinstance(completion, int) or isinstance(completion, bool) or not 0 <= completion <= 100:
        completion = None
    phase = _labelled(action.get("implementationPhase"))
    tasks = [t for t in (_task(_d(x), task_date_format) for x in _l(action.get("tasks"))) if t]
    record = Measure(
        url=url,
        language=language,
        identifier=_id(action.get("identifier")) or "",
        name=_t(action.get("name")),
        plan=clean_or_none(plan),
        categories=tuple(_categories(action)),
        lead=plain_to_text(_s(action.get("leadParagraph"))),
        description=html_to_text(_s(action.get("description"))),
        official_name=plain_to_text(_s(action.get("officialName"))),
        status=status,
        completion=completion,
        phase=phase.label if phase else None,
        impact=_labelled(action.get("impact")),
        schedule=tuple(_schedule(action)),
        tasks=tuple(tasks),
        indicators=tuple(_indicators(action)),
        responsible_parties=tuple(_parties(action)),
        contacts=tuple(_contacts(action)),
        status_updates=tuple(_updates(action)),
        updated_at=parse_iso_datetime(action.get("updatedAt")),
        previous=_ident(action.get("previousAction")),
        next=_ident(action.get("nextAction")),
        merged_with=_ident(action.get("mergedWith")),
        continuous=action.get("scheduleContinuous") is True,
        change_log=_change_log(action.get("changeLogMessage")),
    )
    read = JsonRead(record)
    for name, source in _SOURCES.items():
        if source not in action:
            read.unobserved.add(name)
    if "relatedIndicators" not in action and "indicators" not in action:
        read.unobserved.add("indicators")
    if plan is None:
        read.unobserved.add("plan")
    return read
