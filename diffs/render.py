"""Change events as text for people: one line each, and word diffs for long texts.

>>> word_diff("The city offers internships to schools.", "The city offers paid internships to all schools.")
'The city offers {+paid+} internships to {+all+} schools.'
"""

from __future__ import annotations

import difflib
from typing import Any

from vahti.events import ChangeEvent, flag_notes
from vahti.text import printable

LONG_TEXT_KINDS = ("field.changed", "task.comment_changed")


def word_diff(before: str | None, after: str | None, *, context: int = 8) -> str:
    """Words removed as ``[-…-]``, added as ``{+…+}``; long unchanged runs shortened to …"""
    a, b = (before or "").split(), (after or "").split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            run = a[i1:i2]
            if len(run) > 2 * context:
                if i1 == 0:
                    run = ["…", *run[-context:]]
                elif i2 == len(a):
                    run = [*run[:context], "…"]
                else:
                    run = [*run[:context], "…", *run[-context:]]
            out += run
            continue
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def event_lines(event: ChangeEvent, *, with_measure: bool = True) -> list[str]:
    when = event.observed_at.strftime("%Y-%m-%d %H:%M")
    where = f"{event.label}: " if with_measure else ""
    notes = flag_notes(event.flags)
    lines = [f"{when}  {where}{event.summary}" + (f"  ({'; '.join(notes)})" if notes else "")]
    if event.kind in LONG_TEXT_KINDS and _is_text(event.before) and _is_text(event.after):
        if event.subject not in ("name", "plan", "categories", "schedule"):
            lines.append("      " + word_diff(event.before, event.after))
    return [printable(line) for line in lines]  # for a terminal: page text shows, never steers it


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or value is None
