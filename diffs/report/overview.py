"""A plan at a glance: the figures behind the overview's charts and lists.

``Overview`` takes each measure's history once (``add``) and keeps only what the figures
need, so a report of a large archive never holds every record at once.

* Status counts over time: at the end of each period, the measures standing then, by the
  status label of the version standing then.
* Tasks completed and overdue per month, from the plan's own task dates as last recorded:
  completed = tasks whose completion date falls in the month; overdue = tasks due before the
  month's end and not completed by then (cancelled ones left out).
* Measures whose "updated" date moved with nothing else changed (touched only), and measures
  whose "updated" date is older than N months.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from vahti.history import MeasureHistory

MAX_PERIODS = 240  # twenty years of months: a plan's dates outside that are clipped
NO_STATUS = "(no status shown)"


@dataclass(frozen=True, slots=True)
class MeasureLine:
    """One measure in the overview's lists."""

    url: str
    identifier: str
    name: str
    status: str
    updated_on: dt.date | None
    versions: int
    last_change: dt.datetime | None
    touched_only: int = 0
    last_touched: dt.datetime | None = None
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    periods: tuple[str, ...]
    series: tuple[Series, ...]

    def to_json(self) -> dict[str, object]:
        return {"labels": list(self.periods), "series": [{"label": s.label, "values": list(s.values)}
                                                          for s in self.series]}


@dataclass(slots=True)
class _Tasks:
    due: dt.date | None
    completed: dt.date | None
    cancelled: bool


@dataclass(slots=True)
class Overview:
    now: dt.datetime
    stale_months: int = 12
    measures: list[MeasureLine] = field(default_factory=list)
    _status: list[list[tuple[dt.datetime, str]]] = field(default_factory=list)  # per measure: (from, label)
    _ends: list[dt.datetime | None] = field(default_factory=list)  # when each measure was removed
    _tasks: dict[tuple[str, str], _Tasks] = field(default_factory=dict)
    _first: dt.datetime | None = None

    def add(self, m: MeasureHistory) -> None:
        current = m.current
        if current is None:
            return
        r = current.record
        touched = [e for e in m.events if "touched_only" in e.flags]
        changes = [e for e in m.events if e.to_version is not None]
        self.measures.append(MeasureLine(
            url=m.url, identifier=m.identifier, name=r.name, status=r.status.label if r.status else "",
            updated_on=r.updated_on, versions=len(m.versions),
            last_change=changes[-1].observed_at if changes else current.first_seen_at,
            touched_only=len(touched), last_touched=touched[-1].observed_at if touched else None,
            removed=m.removed_at is not None))
        self._status.append([(v.first_seen_at, v.record.status.label if v.record.status else NO_STATUS)
                             for v in m.versions])
        self._ends.append(m.removed_at)
        first = m.versions[0].first_seen_at
        self._first = first if self._first is None else min(self._first, first)
        for v in m.versions:  # the last state recorded of every task, removed tasks too
            for t in v.record.tasks:
                key = (m.url, f"id:{t.id}" if t.id else f"name:{t.name}")
                self._tasks[key] = _Tasks(t.due_date, t.completed_date if t.state == "completed" else None,
                                          t.state == "cancelled")

    # -- the figures --

    def status_chart(self) -> Chart:
        """Measures by status at the end of each day (archives shorter than 92 days) or month."""
        if self._first is None:
            return Chart((), ())
        ends = _period_ends(self._first, self.now)
        counts: list[Counter[str]] = [Counter() for _ in ends]
        for timeline, removed in zip(self._status, self._ends):
            for i, (_, end) in enumerate(ends):
                if removed is not None and removed <= end:
                    continue
                label = None
                for since, status in timeline:
                    if since > end:
                        break
                    label = status
                if label is not None:
                    counts[i][label] += 1
        labels = sorted({label for c in counts for label in c}, key=lambda s: (s == NO_STATUS, s))
        return Chart(tuple(name for name, _ in ends),
                     tuple(Series(label, tuple(c[label] for c in counts)) for label in labels))

    def task_chart(self) -> Chart:
        """Tasks completed in each month, and overdue at each month's end."""
        dates = [d for t in self._tasks.values() for d in (t.due, t.completed) if d is not None]
        if not dates:
            return Chart((), ())
        today = self.now.date()
        start = max(min(dates), _add_months(today, -MAX_PERIODS + 1).replace(day=1))
        end = min(today, _add_months(start, MAX_PERIODS - 1))  # the plan's future is not history yet
        months: list[dt.date] = []
        m = start.replace(day=1)
        while m <= end and len(months) < MAX_PERIODS:
            months.append(m)
            m = _add_months(m, 1)
        done = Counter((t.completed.year, t.completed.month) for t in self._tasks.values() if t.completed)
        overdue = []
        for month in months:
            last = _add_months(month, 1) - dt.timedelta(days=1)
            overdue.append(sum(1 for t in self._tasks.values()
                               if not t.cancelled and t.due is not None and t.due < min(last, today)
                               and (t.completed is None or t.completed > last)))
        return Chart(tuple(f"{m:%Y-%m}" for m in months), (
            Series("completed", tuple(done[(m.year, m.month)] for m in months)),
            Series("overdue", tuple(overdue)),
        ))

    def touched_only(self) -> list[MeasureLine]:
        return sorted((m for m in self.measures if m.touched_only and not m.removed),
                      key=lambda m: (m.last_touched or self.now), reverse=True)

    def stale(self) -> list[MeasureLine]:
        """Measures whose "updated" date is older than ``stale_months`` (oldest first)."""
        cutoff = _add_months(self.now.date(), -self.stale_months)
        return sorted((m for m in self.measures if not m.removed and m.updated_on is not None
                       and m.updated_on < cutoff), key=lambda m: (m.updated_on or cutoff))

    def status_now(self) -> list[tuple[str, int]]:
        counts = Counter(m.status or NO_STATUS for m in self.measures if not m.removed)
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _period_ends(first: dt.datetime, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """(label, end) of each day from ``first`` to ``now``, or of each month when that is over 92 days."""
    if now - first <= dt.timedelta(days=92):
        days = (now.date() - first.date()).days
        out = []
        for i in range(days + 1):
            day = first.date() + dt.timedelta(days=i)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
            out.append((day.isoformat(), min(end, now)))
        return out
    month = max(first.date().replace(day=1), _add_months(now.date(), -MAX_PERIODS + 1).replace(day=1))
    out = []
    while month <= now.date():
        nxt = _add_months(month, 1)
        end = dt.datetime.combine(nxt, dt.time(), dt.timezone.utc)
        out.append((f"{month:%Y-%m}", min(end, now)))
        month = nxt
    return out


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
            30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))
