"""The Apollo cache in ``__NEXT_DATA__``, turned back into the query's tree.

Classic pages (Apollo 2) link entries with ``{"type": "id", "id": "ActionTask:1337",
"generated": false}`` and give id-less objects generated keys (``$Action:412.x.0``);
pages-router pages (Apollo 3) use ``{"__ref": "ActionTask:1337"}``. ``resolve``
follows both, with a depth limit and cycle guard so a self-referencing cache
cannot loop.

>>> cache = {"A:1": {"__typename": "Action", "id": "1", "identifier": "7",
...          "next": {"__ref": "A:1"}, "tasks": [{"type": "id", "id": "T:2", "generated": False}]},
...          "T:2": {"__typename": "ActionTask", "name": "x"}}
>>> a = resolve(cache, cache["A:1"])
>>> a["tasks"][0]["name"], a["next"]["identifier"], a["next"]["next"]
('x', '7', None)
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 12

_ARGS = re.compile(r"^(\w+)\((.*)\)$")


def _ref_key(value: dict[str, Any]) -> str | None:
    ref = value.get("__ref")
    if ref is None and value.get("type") == "id" and "generated" in value:
        ref = value.get("id")
    return ref if isinstance(ref, str) else None


def resolve(cache: dict[str, Any], value: Any, *, _seen: tuple[str, ...] = (), _depth: int = 0) -> Any:
    """Replace references by the entries they name, recursively.

    A reference back to an entry already on the current path becomes ``None``
    (the cycle is cut, never followed). Field names with arguments
    (``categories({"categoryType":"action"})``) are also kept under their bare name
    when the bare name is absent.
    """
    if _depth > MAX_DEPTH:
        return None
    kind = type(value)
    if kind is list:
        return [resolve(cache, v, _seen=_seen, _depth=_depth + 1) if type(v) in _CONTAINERS else v
                for v in value]
    if kind is not dict:
        return value
    key = _ref_key(value) if ("__ref" in value or "generated" in value) else None
    if key is not None:
        entry = cache.get(key)
        if key in _seen or entry is None:
            return None
        return resolve(cache, entry, _seen=_seen + (key,), _depth=_depth + 1)
    out: dict[str, Any] = {}
    with_args: list[str] = []
    depth = _depth + 1
    for k, v in value.items():
        out[k] = resolve(cache, v, _seen=_seen, _depth=depth) if type(v) in _CONTAINERS else v
        if "(" in k:
            with_args.append(k)
    for k in with_args:
        m = _ARGS.match(k)
        if m and m.group(1) not in out and _is_default_args(m.group(1), m.group(2)):
            out[m.group(1)] = out[k]
    return out


_CONTAINERS = (dict, list)  # exact types: JSON decoding makes no subclasses


def _is_default_args(name: str, args: str) -> bool:
    """Which argument-qualified fields stand for the plain field."""
    if name == "categories":
        return '"categoryType":"action"' in args.replace(" ", "")
    return True


def find_action(cache: dict[str, Any], identifier: str | None) -> dict[str, Any] | None:
    """The resolved ``Action`` the page is about.

    Prefer ``ROOT_QUERY``'s ``action({... "identifier": id ...})`` entry; else the
    ``Action`` entry with that identifier and the most fields (pages also cache
    their neighbours' bare ``{id, identifier}``).
    """
    root = cache.get("ROOT_QUERY")
    candidates: list[Any] = []
    if isinstance(root, dict):
        for k, v in root.items():
            if not k.startswith("action("):
                continue
            try:
                args = json.loads(k[len("action("):-1])
            except ValueError:
                continue
            if not isinstance(args, dict) or "identifier" not in args:
                continue
            if identifier is None or str(args["identifier"]) == identifier:
                candidates.append(v)
    for v in candidates:
        action = resolve(cache, v)
        if isinstance(action, dict) and action.get("name"):
            return action
    best: dict[str, Any] | None = None
    best_key = ""
    for k, entry in cache.items():
        if not isinstance(entry, dict) or entry.get("__typename") != "Action" or "name" not in entry:
            continue
        if identifier is not None and str(entry.get("identifier")) != identifier:
            continue
        if best is None or len(entry) > len(best):
            best, best_key = entry, k
    if best is None:
        return None
    action = resolve(cache, {"__ref": best_key})
    return action if isinstance(action, dict) else None


def plan_name(cache: dict[str, Any]) -> str | None:
    """The plan's name when the cache holds it (classic pages do)."""
    for entry in cache.values():
        if isinstance(entry, dict) and entry.get("__typename") == "Plan" and isinstance(entry.get("name"), str):
            return str(entry["name"])
    return None
