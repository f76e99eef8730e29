"""Exports for analysis: versions (with their records), task and contact history.

Rows are streamed (``yield_per``) so an export of years of history stays small
in memory. JSON Lines carries the whole record per version; CSV flattens the
record to its headline fields (the tasks and contacts tables carry the rest).
Times are ISO 8601 in UTC with their offset (``2020-05-20T06:00:00+00:00``), the
same from SQLite and PostgreSQL and the same as in change events.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any, Literal

from sqlalchemy import text

from vahti.text import csv_cell
from sqlalchemy.orm import Session

Table = Literal["versions", "tasks", "contacts"]

_VERSIONS = """
SELECT s.base_url AS site, m.url, m.identifier, m.language, v.number AS version, v.verdict,
       v.first_seen_at, v.last_seen_at, v.generation, v.extraction, v.parser, v.record_hash, v.record
FROM versions v JOIN measures m ON m.id = v.measure_id JOIN sites s ON s.id = m.site_id
ORDER BY m.url, v.number"""
_TASKS = """SELECT site, url, measure, task_key, task_id, name, state, due_date, completed_date, due_period, comment,
       from_version, until_version, valid_from, valid_until FROM task_history ORDER BY url, task_key, from_version"""
_CONTACTS = """SELECT site, url, measure, contact_key, contact_id, name, title, organization, is_primary,
       from_version, until_version, valid_from, valid_until FROM contact_history
       ORDER BY url, contact_key, from_version"""
_TIMES = frozenset({"first_seen_at", "last_seen_at", "valid_from", "valid_until"})
_HEADLINE = ("name", "status", "completion", "phase", "updated_on", "updated_at", "previous", "next", "merged_with")


def rows(session: Session, table: Table) -> Iterator[dict[str, Any]]:
    sql = {"versions": _VERSIONS, "tasks": _TASKS, "contacts": _CONTACTS}[table]
    result = session.execute(text(sql).execution_options(yield_per=500))
    for row in result.mappings():
        out: dict[str, Any] = {k: (_utc(v) if k in _TIMES else _plain(v)) for k, v in row.items()}
        if table == "versions":
            out["record"] = json.loads(out["record"])
        if "is_primary" in out:
            out["is_primary"] = bool(out["is_primary"])
        yield out


def _utc(value: Any) -> str | None:
    """A stored time as ISO 8601 UTC: SQLite gives its text (UTC, no offset), PostgreSQL a datetime."""
    if value is None:
        return None
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(when, dt.datetime):
        raise TypeError(f"not a stored time: {value!r}")
    when = when.replace(tzinfo=dt.timezone.utc) if when.tzinfo is None else when.astimezone(dt.timezone.utc)
    return when.isoformat()


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def write(session: Session, table: Table, fmt: Literal["jsonl", "csv"], out: IO[str]) -> int:
    """Write one table; return the number of rows written."""
    n = 0
    if fmt == "jsonl":
        for row in rows(session, table):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        return n
    writer: csv.DictWriter[str] | None = None
    for row in rows(session, table):
        if table == "versions":
            record = row.pop("record")
            for key in _HEADLINE:
                value = record.get(key)
                row[key] = value["label"] if isinstance(value, dict) else value
            row["tasks"] = len(record["tasks"])
            row["completed_tasks"] = sum(t["state"] == "completed" for t in record["tasks"])
            row["contacts"] = len(record["contacts"])
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
        writer.writerow({k: csv_cell(v) for k, v in row.items()})  # never a formula in a spreadsheet
        n += 1
    return n
