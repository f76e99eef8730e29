"""Task and contact states: one row per state, valid from one version until another.

A task (or contact) keeps its key across versions: the platform's id when known,
else its folded name (``#2`` for a repeat). A state row closes (``valid_until``)
at the version where the item changed or went; a new row opens there.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, Update, bindparam, delete, select
from sqlalchemy.orm import Session

from storage.models import ContactState, TaskState
from vahti.record import Measure
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


_TASK_COLUMNS = ("task_id", "name", "state", "due_date", "completed_date", "due_period", "comment")
_CONTACT_COLUMNS = ("contact_id", "name", "title", "organization", "is_primary")


def index_children(session: Session, measure_id: int, number: int, record: Measure, *, fresh: bool = False) -> None:
    """Close the task/contact states that changed or went at version ``number``, open the new ones.
    ``fresh``: the measure was made in this transaction (it has no states to read)."""
    _index(session, TaskState, "task_key", _TASK_COLUMNS, measure_id, number,
           [(t.id, t.name) for t in record.tasks],
           [(t.id, t.name, t.state, t.due_date, t.completed_date, t.due_period, t.comment) for t in record.tasks],
           fresh)
    _index(session, ContactState, "contact_key", _CONTACT_COLUMNS, measure_id, number,
           [(c.id, c.name) for c in record.contacts],
           [(c.id, c.name, c.title, c.organization, c.primary) for c in record.contacts], fresh)


def _index(session: Session, model: type[TaskState] | type[ContactState], key_column: str, columns: tuple[str, ...],
           measure_id: int, number: int, idents: list[tuple[str | None, str]], values: list[tuple[Any, ...]],
           fresh: bool) -> None:
    """In plain statements: one read of the open rows, one update closing the changed or gone, one insert."""
    table = cast(Table, model.__table__)
    read, close, insert = _statements(table, key_column, columns)
    conn = session.connection()
    wanted = dict(zip(keys(idents), values))
    open_rows = {} if fresh else {
        row[1]: (row[0], tuple(row[2:])) for row in conn.execute(read, {"measure_id": measure_id})}
    closing = {row_id for key, (row_id, now) in open_rows.items() if wanted.get(key) != now}
    if closing:
        conn.execute(close, {"ids": sorted(closing), "number": number})
    new = [{"measure_id": measure_id, "valid_from": number, key_column: key, **dict(zip(columns, now))}
           for key, now in wanted.items() if key not in open_rows or open_rows[key][0] in closing]
    if new:
        conn.execute(insert, new)


@functools.cache
def _statements(table: Table, key_column: str, columns: tuple[str, ...]) -> tuple[Select[Any], Update, Insert]:
    """A state table's three statements, built once (building one costs as much as running it)."""
    read = (select(table.c.id, table.c[key_column], *(table.c[c] for c in columns))
            .where(table.c.measure_id == bindparam("measure_id"), table.c.valid_until.is_(None)))
    close = table.update().where(table.c.id.in_(bindparam("ids", expanding=True))).values(
        valid_until=bindparam("number"))
    return read, close, table.insert()


def clear_children(session: Session, measure_id: int) -> None:
    session.execute(delete(TaskState).where(TaskState.measure_id == measure_id))
    session.execute(delete(ContactState).where(ContactState.measure_id == measure_id))
