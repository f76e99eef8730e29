"""A measure's story for its report page: versions with their events, and what checking saw.

The timeline interleaves, newest first:

* every version, with the events that led to it (in plain language) and whether its parse
  was degraded;
* events that belong to no version pair (the measure added, removed, restored, parse episodes);
* failed checks and "page missing" answers, consecutive ones grouped into one entry;
* captures whose parse was degraded and not stored as a version (the record was kept);
* gaps in checking: no check for longer than ``gap`` between two checks, inside a run of
  unchanged checks, or since the last check.

Nothing is hidden: a degraded capture or a gap is an entry of its own, marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from diffs.report.compare import STATE_WORDS, task_key
from vahti.events import ChangeEvent
from vahti.history import CheckRun, MeasureHistory, VersionEntry

EntryKind = Literal["version", "event", "failed", "missing", "degraded", "gap"]


@dataclass(slots=True)
class Entry:
    kind: EntryKind
    at: dt.datetime
    until: dt.datetime | None = None
    version: VersionEntry | None = None
    events: list[ChangeEvent] = field(default_factory=list)
    note: str = ""
    count: int = 1
    evidence: str | None = None


@dataclass(frozen=True, slots=True)
class TaskStep:
    version: int
    at: dt.datetime
    state: str  # in words; "removed" when the task left the page
    due: str
    completed: str


@dataclass(frozen=True, slots=True)
class TaskHistory:
    key: str
    name: str
    current: bool  # still on the page
    steps: tuple[TaskStep, ...]


def _duration(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} days"


def timeline(m: MeasureHistory, *, now: dt.datetime, gap: dt.timedelta) -> list[Entry]:
    entries: list[Entry] = []
    by_version: dict[int, list[ChangeEvent]] = {}
    for e in m.events:
        if e.to_version is not None:
            by_version.setdefault(e.to_version, []).append(e)
        else:
            entries.append(Entry("event", e.observed_at, events=[e]))
    for v in m.versions:
        entries.append(Entry("version", v.first_seen_at, until=v.last_seen_at, version=v,
                             events=by_version.get(v.number, []),
                             note="degraded parse: some fields could not be read" if v.verdict != "ok" else ""))
    entries += _checking(m.runs, now=now, gap=gap, removed=m.removed_at is not None)
    order = {"version": 0, "event": 1, "degraded": 2, "missing": 3, "failed": 4, "gap": 5}
    entries.sort(key=lambda x: (x.at, -order[x.kind]), reverse=True)
    return entries


_MARKED: dict[str, EntryKind] = {"error": "failed", "missing": "missing", "degraded_kept": "degraded"}


def _checking(runs: tuple[CheckRun, ...], *, now: dt.datetime, gap: dt.timedelta, removed: bool) -> list[Entry]:
    out: list[Entry] = []
    last_end: dt.datetime | None = None
    episode: Entry | None = None
    for run in runs:
        if last_end is not None and run.started_at - last_end > gap:
            out.append(Entry("gap", last_end, until=run.started_at,
                             note=f"no check for {_duration((run.started_at - last_end).total_seconds())}"))
        if run.longest_gap_s and run.longest_gap_s > gap.total_seconds():
            out.append(Entry("gap", run.started_at, until=run.last_at,
                             note=f"a gap of {_duration(run.longest_gap_s)} between two checks in this period "
                                  f"(the page was the same on both sides)"))
        kind = _MARKED.get(run.outcome)
        if kind in ("failed", "missing"):
            note = run.error or (f"HTTP {run.http_status}" if run.http_status else "")
            if episode is not None and episode.kind == kind:
                episode.until, episode.count = run.last_at, episode.count + run.checks
                if note and note not in episode.note:
                    episode.note = f"{episode.note}; {note}" if len(episode.note) < 300 else episode.note
                episode.evidence = episode.evidence or run.evidence
            else:
                episode = Entry(kind, run.started_at, until=run.last_at, note=note, count=run.checks,
                                evidence=run.evidence)
                out.append(episode)
        else:
            episode = None
            if kind == "degraded":
                why = f" ({'; '.join(run.reasons)})" if run.reasons else ""
                out.append(Entry("degraded", run.started_at, until=run.last_at, count=run.checks,
                                 evidence=run.evidence,
                                 note=f"the page could not be read in full{why}: not stored as a version, the last "
                                      f"complete one stands"))
        last_end = max(run.last_at, last_end) if last_end else run.last_at
    if last_end is not None and not removed and now - last_end > gap:
        out.append(Entry("gap", last_end, until=now, note=f"not checked since, for {_duration((now - last_end).total_seconds())}"))
    return out


def task_histories(versions: tuple[VersionEntry, ...]) -> list[TaskHistory]:
    """Each task's state over the versions: a step wherever its state or dates changed, or it left the page.

    Current tasks come first, in the page's order; tasks no longer on the page follow."""
    steps: dict[str, list[TaskStep]] = {}
    names: dict[str, str] = {}
    present: set[str] = set()
    for v in versions:
        now_present = set()
        for t in v.record.tasks:
            key = task_key(t)
            now_present.add(key)
            names[key] = t.name
            step = TaskStep(v.number, v.first_seen_at, STATE_WORDS.get(t.state, t.state),
                            str(t.due_date or t.due_period or ""), str(t.completed_date or ""))
            seen = steps.setdefault(key, [])
            if not seen or (seen[-1].state, seen[-1].due, seen[-1].completed) != (step.state, step.due, step.completed):
                seen.append(step)
        for key in present - now_present:
            last = steps[key][-1]
            steps[key].append(TaskStep(v.number, v.first_seen_at, "removed", last.due, last.completed))
        present = now_present
    current = [task_key(t) for t in versions[-1].record.tasks] if versions else []
    gone = [k for k in steps if k not in present]
    return [TaskHistory(k, names[k], k in present, tuple(steps[k])) for k in dict.fromkeys(current + gone)]
