"""The pure differ: ``diff(old, new) -> list[Change]``, no I/O.

Lists are first turned into keyed structures — tasks matched by id where both
sides have one, else by normalised name, then renamed ones by similar name with
the same dates; contacts by normalised name; responsible parties and indicators
by name — and DeepDiff compares those, so order carries no meaning. Parts that
either side's extraction path could not observe are blanked on both sides first
(``vahti.observed``), so a change of markup generation alone yields nothing.

>>> from vahti.record import Measure, Task
>>> a = Measure(url="u", language="fi", identifier="1", name="A",
...             tasks=(Task(name="Selvitys", state="open", due_date=None),))
>>> b = Measure(url="u", language="fi", identifier="1", name="A",
...             tasks=(Task(name="Selvitys", state="completed"),))
>>> [c.kind for c in diff(a, b)]
['task.completed']
>>> diff(a, a)
[]
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from deepdiff import DeepDiff

from diffs.events import Change
from scraper.labels import fold
from vahti.observed import comparable
from vahti.record import Measure

RENAME_SIMILARITY = 0.75
TEXT_FIELDS = ("name", "lead", "description", "official_name", "plan")
LIST_FIELDS = ("categories", "schedule")
_OPEN = {"open", "not_started", "in_progress"}


def diff(old: Measure, new: Measure, *, old_unobserved: Iterable[str] = (),
         new_unobserved: Iterable[str] = ()) -> list[Change]:
    """Every change from ``old`` to ``new`` (both records of one measure)."""
    if old == new:
        return []
    a, b = comparable(old.to_dict(), old_unobserved, new.to_dict(), new_unobserved)
    if a == b:
        return []
    changes: list[Change] = []
    changes += _fields(a, b)
    changes += _status(a, b)
    changes += _tasks(a["tasks"], b["tasks"])
    changes += _contacts(a["contacts"], b["contacts"])
    changes += _named(a["responsible_parties"], b["responsible_parties"], "responsible_party", "Responsible party")
    changes += _named(a["indicators"], b["indicators"], "indicator", "Indicator")
    changes += _status_updates(a["status_updates"], b["status_updates"])
    if b["merged_with"] and b["merged_with"] != a["merged_with"]:
        changes.append(Change("measure.merged", "merged_with", a["merged_with"], b["merged_with"],
                              f"Merged into measure {b['merged_with']}", key="merged_with"))
    updated = _updated(a, b)
    if updated is not None:
        if not changes:
            return [updated.flagged("touched_only")]
        return changes + [updated]
    # Content changed, the "updated" day did not: a silent edit.
    return [c.flagged("silent_edit") for c in changes]


# -- fields -----------------------------------------------------------------------

def _fields(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    out = []
    for name in TEXT_FIELDS:
        if a[name] != b[name]:
            out.append(Change("field.changed", name, a[name], b[name], _field_summary(name, a[name], b[name]),
                              key=name))
    for name in LIST_FIELDS:
        if set(a[name]) != set(b[name]):
            added = [x for x in b[name] if x not in a[name]]
            removed = [x for x in a[name] if x not in b[name]]
            parts = [f"+ {', '.join(added)}"] if added else []
            parts += [f"− {', '.join(removed)}"] if removed else []
            out.append(Change("field.changed", name, a[name], b[name],
                              f"{name.capitalize()} changed: {'; '.join(parts)}", key=name))
    return out


def _field_summary(name: str, before: str | None, after: str | None) -> str:
    label = {"name": "Name", "lead": "Lead paragraph", "description": "Description",
             "official_name": "Official description", "plan": "Plan"}[name]
    if before is None:
        return f"{label} added"
    if after is None:
        return f"{label} removed"
    if name in ("name", "plan"):
        return f"{label} changed: “{before}” → “{after}”"
    return f"{label} edited"


def _status(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    out = []
    sa, sb = a["status"], b["status"]
    if sa != sb:
        ident_moved = sa and sb and sa["identifier"] and sb["identifier"] and sa["identifier"] != sb["identifier"]
        if not sa or not sb or sa["label"] != sb["label"] or ident_moved:
            out.append(Change("status.changed", "status", sa, sb,
                              f"Status changed: {_label(sa)} → {_label(sb)}", key="status"))
    if a["completion"] != b["completion"]:
        out.append(Change("completion.changed", "completion", a["completion"], b["completion"],
                          f"Completion changed: {_pct(a['completion'])} → {_pct(b['completion'])}", key="completion"))
    if a["phase"] != b["phase"]:
        out.append(Change("phase.changed", "phase", a["phase"], b["phase"],
                          f"Phase changed: {a['phase'] or '–'} → {b['phase'] or '–'}", key="phase"))
    ia, ib = a["impact"], b["impact"]
    if ia != ib and (not ia or not ib or ia["label"] != ib["label"]):
        out.append(Change("impact.changed", "impact", ia, ib, f"Impact changed: {_label(ia)} → {_label(ib)}",
                          key="impact"))
    return out


def _label(v: dict[str, Any] | None) -> str:
    return v["label"] if v else "–"


def _pct(v: int | None) -> str:
    return "–" if v is None else f"{v} %"


# -- tasks --------------------------------------------------------------------------

def _match_tasks(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[
        list[tuple[int, int]], list[int], list[int]]:
    """(matched index pairs, unmatched old, unmatched new)."""
    pairs: list[tuple[int, int]] = []
    left, right = list(range(len(old))), list(range(len(new)))

    def take(match: Any) -> None:
        for i in list(left):
            for j in list(right):
                if match(old[i], new[j]):
                    pairs.append((i, j))
                    left.remove(i)
                    right.remove(j)
                    break

    take(lambda x, y: x["id"] is not None and x["id"] == y["id"])
    take(lambda x, y: (x["id"] is None or y["id"] is None) and fold(x["name"]) == fold(y["name"])
         and _same_dates(x, y))
    take(lambda x, y: (x["id"] is None or y["id"] is None) and fold(x["name"]) == fold(y["name"]))
    take(lambda x, y: (x["id"] is None or y["id"] is None) and _same_dates(x, y)
         and difflib.SequenceMatcher(None, fold(x["name"]), fold(y["name"])).ratio() >= RENAME_SIMILARITY)
    return pairs, left, right


def _same_dates(x: dict[str, Any], y: dict[str, Any]) -> bool:
    def day(t: dict[str, Any]) -> Any:
        return t["completed_date"] if t["state"] == "completed" else (t["due_date"] or t["due_period"])
    return day(x) == day(y) or (x["due_date"] is not None and x["due_date"] == y["due_date"])


def _tasks(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    pairs, removed, added = _match_tasks(old, new)
    # Keyed structures: matched tasks share a key, so DeepDiff compares them field by field.
    keyed_old = {f"m{n}": old[i] for n, (i, _) in enumerate(pairs)}
    keyed_new = {f"m{n}": new[j] for n, (_, j) in enumerate(pairs)}
    keyed_old.update({f"o{i}": old[i] for i in removed})
    keyed_new.update({f"n{j}": new[j] for j in added})
    delta = DeepDiff(keyed_old, keyed_new, view="tree", verbose_level=2)
    out: list[Change] = []
    for item in delta.get("dictionary_item_removed", []):
        t = item.t1
        out.append(Change("task.removed", t["name"], t, None, f"− Task removed: {t['name']}", key=_task_key(t)))
    for item in delta.get("dictionary_item_added", []):
        t = item.t2
        due = f" (due {t['due_date'] or t['due_period']})" if (t["due_date"] or t["due_period"]) else ""
        out.append(Change("task.added", t["name"], None, t, f"+ Task added: {t['name']}{due}", key=_task_key(t)))
    fields_changed: dict[str, set[str]] = {}
    for group in ("values_changed", "type_changes"):
        for item in delta.get(group, []):
            path = item.path(output_format="list")
            if len(path) == 2:
                fields_changed.setdefault(str(path[0]), set()).add(str(path[1]))
    for n, (i, j) in enumerate(pairs):
        changed = fields_changed.get(f"m{n}")
        if changed:
            out += _task_changes(old[i], new[j], changed)
    return out


def _task_key(t: dict[str, Any]) -> str:
    return f"task:{t['id']}" if t["id"] else f"task:{fold(t['name'])}"


def _task_changes(a: dict[str, Any], b: dict[str, Any], changed: set[str]) -> list[Change]:
    out = []
    key = _task_key(b if b["id"] else a)
    name = b["name"]
    if "name" in changed:
        out.append(Change("task.renamed", name, a["name"], b["name"], f"Task renamed: “{a['name']}” → “{b['name']}”",
                          key=key))
    if "state" in changed and not (a["state"] in _OPEN and b["state"] in _OPEN and "open" in (a["state"], b["state"])):
        if b["state"] == "completed":
            when = f" ({b['completed_date']})" if b["completed_date"] else ""
            out.append(Change("task.completed", name, a["state"], b["state"], f"✔ Task completed: {name}{when}",
                              key=key))
        elif a["state"] == "completed":
            out.append(Change("task.reopened", name, a["state"], b["state"], f"Task reopened: {name}", key=key))
        else:
            out.append(Change("task.state_changed", name, a["state"], b["state"],
                              f"Task {b['state'].replace('_', ' ')}: {name} (was {a['state'].replace('_', ' ')})",
                              key=key))
    due_a, due_b = a["due_date"] or a["due_period"], b["due_date"] or b["due_period"]
    if ({"due_date", "due_period"} & changed) and due_a and due_b and due_a != due_b:
        out.append(Change("task.due_date_changed", name, due_a, due_b, f"Task due date moved: {name} ({due_a} → {due_b})",
                          key=key))
    if "comment" in changed:
        out.append(Change("task.comment_changed", name, a["comment"], b["comment"], f"Task comment edited: {name}",
                          key=key))
    return out


# -- people and names -----------------------------------------------------------------

def _contacts(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    ko = {fold(c["name"]): c for c in old}
    kn = {fold(c["name"]): c for c in new}
    delta = DeepDiff(ko, kn, view="tree", verbose_level=2)
    out: list[Change] = []
    for item in delta.get("dictionary_item_removed", []):
        c = item.t1
        out.append(Change("contact.removed", c["name"], c, None, f"− Contact removed: {c['name']}",
                          key=f"contact:{fold(c['name'])}"))
    for item in delta.get("dictionary_item_added", []):
        c = item.t2
        extra = ", ".join(x for x in (c["title"], c["organization"]) if x)
        out.append(Change("contact.added", c["name"], None, c,
                          f"+ Contact added: {c['name']}" + (f" ({extra})" if extra else ""),
                          key=f"contact:{fold(c['name'])}"))
    changed: set[str] = set()
    for group in ("values_changed", "type_changes"):
        for item in delta.get(group, []):
            path = item.path(output_format="list")
            if len(path) == 2 and path[1] in ("title", "organization"):
                changed.add(str(path[0]))
    for k in sorted(changed):
        a, b = ko[k], kn[k]
        what = []
        if a["title"] != b["title"]:
            what.append(f"title “{a['title'] or '–'}” → “{b['title'] or '–'}”")
        if a["organization"] != b["organization"]:
            what.append(f"organisation “{a['organization'] or '–'}” → “{b['organization'] or '–'}”")
        out.append(Change("contact.changed", b["name"], {"title": a["title"], "organization": a["organization"]},
                          {"title": b["title"], "organization": b["organization"]},
                          f"Contact changed: {b['name']}: {'; '.join(what)}", key=f"contact:{k}"))
    pa = next((c["name"] for c in old if c["primary"]), None)
    pb = next((c["name"] for c in new if c["primary"]), None)
    if pa and pb and fold(pa) != fold(pb):
        out.append(Change("contact.primary_changed", pb, pa, pb, f"Main contact is now {pb} (was {pa})",
                          key="contact.primary"))
    return out


def _named(old: list[dict[str, Any]], new: list[dict[str, Any]], kind: str, label: str) -> list[Change]:
    ko = {fold(x["name"]): x for x in old}
    kn = {fold(x["name"]): x for x in new}
    out = []
    for k in ko.keys() - kn.keys():
        out.append(Change(f"{kind}.removed", ko[k]["name"], ko[k], None, f"− {label} removed: {ko[k]['name']}",
                          key=f"{kind}:{k}"))
    for k in kn.keys() - ko.keys():
        out.append(Change(f"{kind}.added", kn[k]["name"], None, kn[k], f"+ {label} added: {kn[k]['name']}",
                          key=f"{kind}:{k}"))
    return sorted(out, key=lambda c: (c.kind, c.key))


def _status_updates(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[Change]:
    seen = {(fold(u["title"]), u["date"]) for u in old}
    return [Change("status_update.added", u["title"], None, u, f"New update: {u['title']}"
                   + (f" ({u['date']})" if u["date"] else ""), key=f"update:{fold(u['title'])}:{u['date']}")
            for u in new if (fold(u["title"]), u["date"]) not in seen]


def _updated(a: dict[str, Any], b: dict[str, Any]) -> Change | None:
    if a["updated_on"] != b["updated_on"]:
        return Change("updated.changed", "updated_on", a["updated_on"], b["updated_on"],
                      f"“Updated” date moved: {a['updated_on'] or '–'} → {b['updated_on'] or '–'}", key="updated")
    if a["updated_at"] and b["updated_at"] and a["updated_at"] != b["updated_at"]:
        return Change("updated.changed", "updated_at", a["updated_at"], b["updated_at"],
                      f"Updated again on {b['updated_at'][:10]} (saved {b['updated_at'][11:16]} UTC)", key="updated")
    return None
