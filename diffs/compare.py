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

import datetime as dt

import difflib
from collections.abc import Iterable
from typing import Any

from deepdiff import DeepDiff

from vahti.events import Change
from vahti.clock import same_instant
from vahti.text import fold
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
    a, b = comparable(old.to_dict(), old_unobserved, new.to_dict(), new_unobserved, in_place=True)
    if a == b:
        return []
    changes: list[Change] = []
    changes += _fields(a, b)
    changes += _status(a, b)
    changes += _lists(a, b)
    changes += _named(a["responsible_parties"], b["responsible_parties"], "responsible_party", "Responsible party")
    changes += _named(a["indicators"], b["indicators"], "indicator", "Indicator")
    changes += _status_updates(a["status_updates"], b["status_updates"])
    changes += _continuous(a, b) + _change_log(a["change_log"], b["change_log"])
    if b["merged_with"] and b["merged_with"] != a["merged_with"]:
        changes.append(Change("measure.merged", "merged_with", a["merged_with"], b["merged_with"],
                              f"Merged into measure {b['merged_with']}", key="merged_with"))
    elif a["merged_with"] and not b["merged_with"]:
        changes.append(Change("measure.unmerged", "merged_with", a["merged_with"], None,
                              f"No longer merged into measure {a['merged_with']}", key="merged_with"))
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


def _lists(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """Tasks and contacts: matched into keyed structures, compared by one DeepDiff.

    Only what differs goes to DeepDiff (equal matched pairs are left out), which is
    most of a record on most changes.
    """
    old_t, new_t = a["tasks"], b["tasks"]
    pairs, removed, added = _match_tasks(old_t, new_t)
    pairs = [(i, j) for i, j in pairs if old_t[i] != new_t[j]]
    kt_old = {f"m{i}:{j}": old_t[i] for i, j in pairs} | {f"o{i}": old_t[i] for i in removed}
    kt_new = {f"m{i}:{j}": new_t[j] for i, j in pairs} | {f"n{j}": new_t[j] for j in added}
    old_c = {fold(c["name"]): c for c in a["contacts"]}
    new_c = {fold(c["name"]): c for c in b["contacts"]}
    kc_old = {k: c for k, c in old_c.items() if new_c.get(k) != c}
    kc_new = {k: c for k, c in new_c.items() if old_c.get(k) != c}
    left, right = {"tasks": kt_old, "contacts": kc_old}, {"tasks": kt_new, "contacts": kc_new}
    out: list[Change] = []
    if left != right:
        delta = DeepDiff(left, right, view="tree", verbose_level=2, threshold_to_diff_deeper=0)
        tasks: dict[str, list[Any]] = {}
        contacts: dict[str, list[Any]] = {}
        for group in ("dictionary_item_removed", "dictionary_item_added", "values_changed", "type_changes"):
            for item in delta.get(group, []):
                path = item.path(output_format="list")
                (tasks if path[0] == "tasks" else contacts).setdefault(group, []).append((path[1:], item))
        out += _task_events(old_t, new_t, tasks)
        out += _contact_events(old_c, new_c, contacts)
    pa = next((c["name"] for c in a["contacts"] if c["primary"]), None)
    pb = next((c["name"] for c in b["contacts"] if c["primary"]), None)
    if pa and pb and fold(pa) != fold(pb):
        out.append(Change("contact.primary_changed", pb, pa, pb, f"Main contact is now {pb} (was {pa})",
                          key="contact.primary"))
    return out


def _task_events(old: list[dict[str, Any]], new: list[dict[str, Any]], delta: dict[str, list[Any]]) -> list[Change]:
    out: list[Change] = []
    for _, item in delta.get("dictionary_item_removed", []):
        t = item.t1
        out.append(Change("task.removed", t["name"], t, None, f"− Task removed: {t['name']}", key=_task_key(t)))
    for _, item in delta.get("dictionary_item_added", []):
        t = item.t2
        if t["state"] == "completed":
            note = f" (already completed{' ' + t['completed_date'] if t['completed_date'] else ''})"
        elif t["state"] == "cancelled":
            note = " (cancelled)"
        else:
            due = t["due_date"] or t["due_period"]
            note = f" (due {due})" if due else ""
        out.append(Change("task.added", t["name"], None, t, f"+ Task added: {t['name']}{note}", key=_task_key(t)))
    fields_changed: dict[str, set[str]] = {}
    for group in ("values_changed", "type_changes"):
        for path, _ in delta.get(group, []):
            if len(path) == 2:
                fields_changed.setdefault(str(path[0]), set()).add(str(path[1]))
    for key in sorted(fields_changed, key=lambda k: int(k[1:].split(":")[0])):
        i, j = (int(x) for x in key[1:].split(":"))
        out += _task_changes(old[i], new[j], fields_changed[key])
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
        out.append(Change("task.due_date_changed", name, due_a, due_b,
                          f"Task due date moved: {name} ({due_a} → {due_b})",
                          key=key))
    if "comment" in changed:
        out.append(Change("task.comment_changed", name, a["comment"], b["comment"], f"Task comment edited: {name}",
                          key=key))
    return out


# -- people and names -----------------------------------------------------------------

def _contact_events(ko: dict[str, Any], kn: dict[str, Any], delta: dict[str, list[Any]]) -> list[Change]:
    out: list[Change] = []
    for _, item in delta.get("dictionary_item_removed", []):
        c = item.t1
        out.append(Change("contact.removed", c["name"], c, None, f"− Contact removed: {c['name']}",
                          key=f"contact:{fold(c['name'])}"))
    for _, item in delta.get("dictionary_item_added", []):
        c = item.t2
        extra = ", ".join(x for x in (c["title"], c["organization"]) if x)
        out.append(Change("contact.added", c["name"], None, c,
                          f"+ Contact added: {c['name']}" + (f" ({extra})" if extra else ""),
                          key=f"contact:{fold(c['name'])}"))
    changed: set[str] = set()
    for group in ("values_changed", "type_changes"):
        for path, _ in delta.get(group, []):
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


def _continuous(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    if a["continuous"] is None or b["continuous"] is None or a["continuous"] == b["continuous"]:
        return []
    summary = "Schedule now continuous (no end date)" if b["continuous"] else "Schedule no longer continuous"
    return [Change("field.changed", "continuous", a["continuous"], b["continuous"], summary, key="continuous")]


def _change_log(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[Change]:
    """A new entry in the plan's own change log: subject the author, after the message, its day in
    the summary and the key. The same entry read again (or read by the other path) is no change."""
    if new is None or old == new:
        if new is None and old is not None:
            return [Change("field.changed", "change_log", old["message"], None,
                           "Change-log entry no longer shown", key="change_log")]
        return []
    if old is not None and old["updated_on"] == new["updated_on"] and old["author"] == new["author"] and (
            old["message"] == new["message"]):
        return []  # only the exact moment differs or became known
    author = new["author"] or "unnamed author"
    message = new["message"] or ""
    short = message if len(message) <= 160 else message[:159] + "…"
    day = new["updated_on"]
    summary = f"Change log, {day}, {author}: “{short}”" if short else f"Change log, {day}, {author} (no message)"
    return [Change("change_log.added", author, old["message"] if old else None, message or None, summary,
                   key=f"change_log:{new['updated_at'] or day}",
                   details={"updated_on": day, "updated_at": new["updated_at"]})]


def _updated(a: dict[str, Any], b: dict[str, Any]) -> Change | None:
    if a["updated_on"] != b["updated_on"]:
        return Change("updated.changed", "updated_on", a["updated_on"], b["updated_on"],
                      f"“Updated” date moved: {a['updated_on'] or '–'} → {b['updated_on'] or '–'}", key="updated")
    if a["updated_at"] and b["updated_at"] and not same_instant(a["updated_at"], b["updated_at"]):
        saved = dt.datetime.fromisoformat(b["updated_at"]).astimezone(dt.timezone.utc)
        return Change("updated.changed", "updated_at", a["updated_at"], b["updated_at"],
                      f"Updated again on {saved:%Y-%m-%d} (saved {saved:%H:%M} UTC)", key="updated")
    return None
