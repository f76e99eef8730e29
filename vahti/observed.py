"""Comparing records read by different extraction paths.

Each parse lists the record fields its path could not observe
(``ParseMeta.unobserved``). Two records are compared on what *both* observed:
``comparable`` blanks the rest on both sides, so a page read once from embedded
JSON and once from the DOM alone compares equal.

Names used in ``unobserved``:

===========================  ====================================================
``plan`` ``schedule`` …      a whole record field (set to its empty value)
``status.identifier``        the status identifier (label still compared)
``impact.identifier``        the impact identifier
``tasks.id``                 task ids
``tasks.due_date_completed`` due dates of completed tasks (the page shows the
                             completion day only)
``tasks.cancelled``          cancelled tasks (not drawn on the page)
``tasks.due_date_period``    exact due dates of tasks the page shows only to
                             month or year (``due_period`` still compared)
``change_log.updated_at``    the change-log entry's exact moment (its day, author
                             and message still compared)
===========================  ====================================================
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

_EMPTY_LIST_FIELDS = {"categories", "schedule", "tasks", "indicators", "responsible_parties",
                      "contacts", "status_updates"}


def blank(record: dict[str, Any], unobserved: Iterable[str], *, in_place: bool = False) -> dict[str, Any]:
    """A copy of a record dict (or the dict itself) with the given unobserved parts blanked."""
    out = record if in_place else copy.deepcopy(record)
    # Drop cancelled tasks before blanking ids and dates.
    for name in sorted(set(unobserved), key=lambda n: (n != "tasks.cancelled", n)):
        if "." in name:
            top, part = name.split(".", 1)
            if top in ("status", "impact") and isinstance(out.get(top), dict):
                out[top]["identifier"] = None
            elif top == "change_log" and isinstance(out.get(top), dict):
                out[top][part] = None
            elif top == "tasks":
                if part == "cancelled":
                    out["tasks"] = [t for t in out["tasks"] if t["state"] != "cancelled"]
                elif part == "id":
                    for t in out["tasks"]:
                        t["id"] = None
                elif part == "due_date_completed":
                    for t in out["tasks"]:
                        if t["state"] == "completed":
                            t["due_date"] = None
                elif part == "due_date_period":
                    for t in out["tasks"]:
                        if t.get("due_period"):
                            t["due_date"] = None
        elif name in out:
            out[name] = [] if name in _EMPTY_LIST_FIELDS else None
    return out


def comparable(a: dict[str, Any], a_unobserved: Iterable[str],
               b: dict[str, Any], b_unobserved: Iterable[str], *,
               in_place: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both records blanked by the union of what either side could not observe.

    ``in_place`` blanks the given dicts themselves (for fresh ones, e.g. from ``to_dict``).
    """
    union = set(a_unobserved) | set(b_unobserved)
    return blank(a, union, in_place=in_place), blank(b, union, in_place=in_place)
