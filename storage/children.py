"""Task and contact states: one row per state, valid from one version until another.

A task (or contact) keeps its key across versions: the platform's id when known,
else its folded name (``#2`` for a repeat). A state row closes (``valid_until``)
at the version where the item changed or went; a new row opens there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import ContactState, TaskState
from vahti.record import Contact, Measure, Task
from vahti.text import fold


def keys(items: list[tuple[str | None, str]]) -> list[str]:
    """Stable keys: the platform's id when known, else the folded name (#2 for repeats).

    >>> keys([("7", "A"), (None, "Koulu"), (None, "koulu ")])
    ['id:7', 'name:koulu', 'name:koulu#2']
    """
    seen: dict[str, int] = {}
    out = []
    for ident, name in items:
        key = f"id:{ident}" if ident else f"name:{fold(name)}"[:580]
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def _task_values(t: Task) -> dict[str, Any]:
    return {"task_id": t.id, "name": t.name, "state": t.state, "due_date": t.due_date,
            "completed_date": t.completed_date, "due_period": t.due_period, "comment": t.comment}


def _contact_values(c: Contact) -> dict[str, Any]:
    return {"contact_id": c.id, "name": c.name, "title": c.title, "organization": c.organization,
            "is_primary": c.primary}


def index_children(session: Session, measure_id: int, number: int, record: Measure) -> None:
    """Close the task/contact states that changed or went at version ``number``, open the new ones."""
    _index(session, TaskState, "task_key", measure_id, number,
           [(t.id, t.name) for t in record.tasks], [_task_values(t) for t in record.tasks])
    _index(session, ContactState, "contact_key", measure_id, number,
           [(c.id, c.name) for c in record.contacts], [_contact_values(c) for c in record.contacts])


def _index(session: Session, model: type[TaskState] | type[ContactState], key_column: str, measure_id: int,
           number: int, idents: list[tuple[str | None, str]], values: Sequence[dict[str, Any]]) -> None:
    wanted = dict(zip(keys(idents), values))
    open_rows: dict[str, Any] = {getattr(row, key_column): row for row in session.scalars(
        select(model).where(model.measure_id == measure_id, model.valid_until.is_(None)))}
    for key, row in open_rows.items():
        now = wanted.get(key)
        if now is None or any(getattr(row, col) != value for col, value in now.items()):
            row.valid_until = number
    for key, now in wanted.items():
        current = open_rows.get(key)
        if current is None or current.valid_until == number:
            session.add(model(measure_id=measure_id, valid_from=number, **{key_column: key}, **now))


def clear_children(session: Session, measure_id: int) -> None:
    session.execute(delete(TaskState).where(TaskState.measure_id == measure_id))
    session.execute(delete(ContactState).where(ContactState.measure_id == measure_id))
