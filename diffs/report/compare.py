"""Two records side by side, for people: text fields word by word, lists as keyed rows.

A record is first laid out as *display rows* (``layout``): labelled text fields and tables
whose rows are keyed (a task by its id, else its name). The same layout is what the report's
"compare any two versions" script receives, so the page and the script compare the same things.

>>> import datetime as dt
>>> from vahti.record import Measure, Task
>>> a = Measure(url="u", language="fi", identifier="2", name="Solar roofs",
...             tasks=(Task(name="Survey", state="not_started", id="7", due_date=dt.date(2026, 3, 1)),))
>>> b = Measure(url="u", language="fi", identifier="2", name="Solar roofs on schools",
...             tasks=(Task(name="Survey", state="completed", id="7", completed_date=dt.date(2026, 2, 1)),))
>>> d = compare(a, b)
>>> [(s.op, s.text) for s in d.fields[0].segments]
[('same', 'Solar roofs'), ('ins', ' on schools')]
>>> row = d.tables[0].rows[0]
>>> row.op, row.before[0], row.after[0], sorted(row.changed)
('changed', 'to do', 'completed', [0, 2, 3])
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

from vahti.record import Measure, Task

MAX_TOKENS = 6000  # beyond this a text is shown as replaced whole: a word diff is quadratic at worst
_TOKENS = re.compile(r"\s+|\S+")  # words as git --word-diff sees them: runs of non-space

STATE_WORDS = {"completed": "completed", "in_progress": "in progress", "not_started": "to do", "open": "to do",
               "cancelled": "cancelled"}


@dataclass(frozen=True, slots=True)
class Segment:
    op: Literal["same", "del", "ins"]
    text: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    label: str
    before: str
    after: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class RowChange:
    op: Literal["added", "removed", "changed"]
    key: str
    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    changed: frozenset[int] = frozenset()  # columns that differ (changed rows)


@dataclass(frozen=True, slots=True)
class TableChange:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[RowChange, ...]


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: dict[str, tuple[str, ...]]  # key → cells, in the page's order


@dataclass(frozen=True, slots=True)
class Layout:
    """A record as display rows: (name, label, text) fields and keyed tables."""

    fields: tuple[tuple[str, str, str], ...]
    tables: tuple[Table, ...]
    unobserved: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, object]:
        return {"fields": [list(f) for f in self.fields], "unobserved": sorted(self.unobserved),
                "tables": [{"name": t.name, "title": t.title, "columns": list(t.columns),
                            "rows": [[k, list(cells)] for k, cells in t.rows.items()]} for t in self.tables]}


@dataclass(frozen=True, slots=True)
class RecordDiff:
    fields: tuple[FieldChange, ...]
    tables: tuple[TableChange, ...]
    unobserved: tuple[str, ...]  # fields left out because one side did not show them

    @property
    def empty(self) -> bool:
        return not self.fields and not any(t.rows for t in self.tables)


def _d(value: object) -> str:
    return "" if value is None else str(value)


def task_cells(t: Task) -> tuple[str, ...]:
    return (STATE_WORDS.get(t.state, t.state), t.name, _d(t.due_date) or _d(t.due_period), _d(t.completed_date),
            _d(t.comment))


def task_key(t: Task) -> str:
    return f"id:{t.id}" if t.id else f"name:{t.name}"


def _keyed(items: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, cells in items:
        k, n = key, 2
        while k in out:  # two rows with one name: keep both
            k, n = f"{key}#{n}", n + 1
        out[k] = cells
    return out


def layout(r: Measure, unobserved: tuple[str, ...] | frozenset[str] = ()) -> Layout:
    log = r.change_log
    fields = (
        ("name", "Name", r.name),
        ("official_name", "Official name", _d(r.official_name)),
        ("status", "Status", r.status.label if r.status else ""),
        ("phase", "Phase", _d(r.phase)),
        ("completion", "Completion", f"{r.completion} %" if r.completion is not None else ""),
        ("impact", "Impact", r.impact.label if r.impact else ""),
        ("schedule", "Schedule", " · ".join(r.schedule) + (" (continuous)" if r.continuous else "")),
        ("categories", "Categories", " · ".join(r.categories)),
        ("updated_on", "Updated", _d(r.updated_on)),
        ("change_log", "Change log", " · ".join(x for x in (_d(log.updated_on), _d(log.author), _d(log.message)) if x)
         if log else ""),
        ("lead", "Lead", _d(r.lead)),
        ("description", "Description", _d(r.description)),
        ("merged_with", "Merged into", _d(r.merged_with)),
        ("plan", "Plan", _d(r.plan)),
    )
    tables = (
        Table("tasks", "Tasks", ("State", "Task", "Due", "Completed", "Comment"),
              _keyed([(task_key(t), task_cells(t)) for t in r.tasks])),
        Table("contacts", "Contacts", ("Name", "Title", "Organisation", "Main contact"),
              _keyed([(f"id:{c.id}" if c.id else f"name:{c.name}",
                       (c.name, _d(c.title), _d(c.organization), "yes" if c.primary else "")) for c in r.contacts])),
        Table("responsible_parties", "Responsible parties", ("Organisation", "Abbreviation", "Primary"),
              _keyed([(f"id:{p.id}" if p.id else f"name:{p.name}",
                       (p.name, _d(p.abbreviation), "yes" if p.primary else "")) for p in r.responsible_parties])),
        Table("indicators", "Indicators", ("Indicator",),
              _keyed([(f"id:{i.id}" if i.id else f"name:{i.name}", (i.name,)) for i in r.indicators])),
        Table("status_updates", "Status updates", ("Date", "Title", "Author"),
              _keyed([(f"{u.date}:{u.title}", (_d(u.date), u.title, _d(u.author))) for u in r.status_updates])),
    )
    return Layout(fields, tables, frozenset(unobserved))


def word_segments(before: str, after: str) -> tuple[Segment, ...]:
    """Words (and the spaces between them) kept, deleted and inserted, merged into runs."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    if len(a) > MAX_TOKENS or len(b) > MAX_TOKENS:
        return _merge([Segment("del", before), Segment("ins", after)])
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            out.append(Segment("del", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            out.append(Segment("ins", "".join(b[j1:j2])))
    return _merge(out)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for s in segments:
        if not s.text:
            continue
        if out and out[-1].op == s.op:
            out[-1] = Segment(s.op, out[-1].text + s.text)
        else:
            out.append(s)
    return tuple(out)


def compare_layouts(old: Layout, new: Layout) -> RecordDiff:
    hidden = old.unobserved | new.unobserved
    fields, left_out = [], set()
    for (name, label, before), (_, _, after) in zip(old.fields, new.fields):
        if before == after:
            continue
        if name in hidden:
            left_out.add(name)
            continue
        fields.append(FieldChange(name, label, before, after, word_segments(before, after)))
    tables = []
    for ta, tb in zip(old.tables, new.tables):
        if ta.rows == tb.rows:
            continue
        if ta.name in hidden:
            left_out.add(ta.name)
            continue
        rows: list[RowChange] = []
        for key, cells in tb.rows.items():
            was = ta.rows.get(key)
            if was is None:
                rows.append(RowChange("added", key, None, cells))
            elif was != cells:
                rows.append(RowChange("changed", key, was, cells,
                                      frozenset(i for i, (x, y) in enumerate(zip(was, cells)) if x != y)))
        rows += [RowChange("removed", key, cells, None) for key, cells in ta.rows.items() if key not in tb.rows]
        tables.append(TableChange(tb.name, tb.title, tb.columns, tuple(rows)))
    return RecordDiff(tuple(fields), tuple(tables), tuple(sorted(left_out)))


def compare(old: Measure, new: Measure, *, old_unobserved: tuple[str, ...] = (),
            new_unobserved: tuple[str, ...] = ()) -> RecordDiff:
    return compare_layouts(layout(old, old_unobserved), layout(new, new_unobserved))
