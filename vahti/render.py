"""Readable text for people: a parse result as a short summary.

Machine output is the record's canonical JSON; this is for a terminal.
"""

from __future__ import annotations

from vahti.record import Measure, ParseResult
from vahti.text import printable

_STATE_MARK = {"completed": "✔", "in_progress": "▶", "not_started": "○", "open": "○", "cancelled": "✖"}


def summary(result: ParseResult) -> str:
    meta = result.meta
    head = f"[{meta.verdict} · {meta.generation} · {meta.extraction}]"
    if result.record is None:
        return f"Not a measure page {head}: {'; '.join(meta.reasons)}"
    lines = [*record_lines(result.record), "", head]
    for reason in meta.reasons:
        lines.append(f"  degraded: {reason}")
    for warning in meta.warnings:
        lines.append(f"  warning: {warning}")
    return printable("\n".join(lines))


def record_lines(r: Measure) -> list[str]:
    lines = [f"{r.identifier} {r.name}" if r.identifier else r.name, r.url]
    facts = []
    if r.status:
        facts.append(f"Status: {r.status.label}" + (f" ({r.status.identifier})" if r.status.identifier else ""))
    if r.completion is not None:
        facts.append(f"{r.completion} % complete")
    if r.phase:
        facts.append(f"Phase: {r.phase}")
    if r.impact:
        facts.append(f"Impact: {r.impact.label}")
    if r.updated_on:
        facts.append(f"Updated: {r.updated_on.isoformat()}")
    if facts:
        lines.append(" · ".join(facts))
    if r.categories:
        lines.append("Categories: " + ", ".join(r.categories))
    lines.append(f"Tasks ({len(r.tasks)}):")
    for t in r.tasks:
        when = t.completed_date if t.state == "completed" else t.due_date
        shown = when.isoformat() if when else (t.due_period or "")
        lines.append(f"  {_STATE_MARK[t.state]} {t.state:<11} {shown:<10} {t.name}")
    lines.append(f"Contacts ({len(r.contacts)}):")
    for c in r.contacts:
        extra = ", ".join(x for x in (c.title, c.organization) if x)
        lines.append(f"  {'★' if c.primary else '·'} {c.name}" + (f" — {extra}" if extra else ""))
    lines.append(f"Responsible parties ({len(r.responsible_parties)}):")
    for p in r.responsible_parties:
        abbr = f" ({p.abbreviation})" if p.abbreviation else ""
        lines.append(f"  {'★' if p.primary else '·'} {p.name}{abbr}")
    if r.indicators:
        lines.append("Indicators: " + ", ".join(i.name for i in r.indicators))
    if r.status_updates:
        lines.append(f"Status updates ({len(r.status_updates)}):")
        for u in r.status_updates:
            lines.append(f"  {u.date.isoformat() if u.date else '?':<10} {u.title}")
    nav = [f"previous {r.previous}" if r.previous else "", f"next {r.next}" if r.next else "",
           f"merged into {r.merged_with}" if r.merged_with else ""]
    if any(nav):
        lines.append(" · ".join(x for x in nav if x))
    return [printable(line) for line in lines]


def history_table(url: str, versions: list[dict[str, object]]) -> str:
    """``vahti history``: one line per version."""
    lines = [url, f"{'ver':>4}  {'first seen (UTC)':<20} {'last seen (UTC)':<20} {'tasks':>5} {'done':>4} "
                  f"{'contacts':>8}  {'updated':<10} {'checks':>6}  how"]
    for v in versions:
        lines.append(
            f"{v['number']:>4}  {str(v['first_seen_at'])[:19].replace('T', ' '):<20} "
            f"{str(v['last_seen_at'])[:19].replace('T', ' '):<20} {v['tasks']:>5} {v['completed_tasks']:>4} "
            f"{v['contacts']:>8}  {str(v['updated_on'] or '-'):<10} {v['captures']:>6}  "
            f"{v['extraction']}{' DEGRADED' if v['verdict'] != 'ok' else ''}")
    return printable("\n".join(lines))

