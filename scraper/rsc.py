"""The React Server Components payload of app-router pages.

The server streams the page's data as ``<script>self.__next_f.push([1,"…"])</script>``
chunks. Joined, they form rows ``<hex id>:<payload>\\n`` where a payload is JSON,
a module import (``I[…]``), or a text blob ``T<hex byte length>,<text>`` that
other rows point at as ``"$<hex id>"``. The action the page shows is one JSON
object with ``"__typename": "Action"``; this module finds it and inlines the
``$`` references it holds.

>>> rows = parse_rows('1:T5,hello2:{"a":"$1","b":"$$x"}\\n')
>>> inline(_load(rows["2"]), rows)
{'a': 'hello', 'b': '$x'}
"""

from __future__ import annotations

import re
from typing import Any

from scraper.decode import load_json

_PUSH_PREFIX = "self.__next_f.push("
_ROW_ID = re.compile(rb"[0-9a-fA-F]{1,8}")
_REF = re.compile(r"^\$([0-9a-fA-F]{1,8})$")
MAX_DEPTH = 40


def stream_from_scripts(scripts: list[str]) -> tuple[str, list[str]]:
    """Join the ``push([1, "…"])`` chunks of the given script texts; also return warnings."""
    parts: list[str] = []
    warnings: list[str] = []
    for text in scripts:
        text = text.strip().rstrip(";").rstrip()
        if not (text.startswith(_PUSH_PREFIX) and text.endswith(")")):
            continue
        try:
            arr = load_json(text[len(_PUSH_PREFIX):-1])
        except ValueError:
            warnings.append("an RSC chunk is not valid JSON; skipped")
            continue
        if isinstance(arr, list) and len(arr) >= 2 and arr[0] == 1 and isinstance(arr[1], str):
            parts.append(arr[1])
    return "".join(parts), warnings


class _Raw(bytes):
    """A JSON row not decoded yet (most rows are never needed)."""


def _load(value: Any) -> Any:
    if isinstance(value, _Raw):
        try:
            return load_json(bytes(value))  # orjson takes plain bytes only
        except ValueError:
            return None
    return value


def parse_rows(stream: str) -> dict[str, Any]:
    """Rows of a flight stream by id: JSON rows (decoded lazily) and text blobs. Never raises."""
    data = stream.encode("utf-8", errors="replace")
    rows: dict[str, Any] = {}
    i, n = 0, len(data)
    while i < n:
        colon = data.find(b":", i)
        if colon < 0:
            break
        rid = data[i:colon].strip()
        if not _ROW_ID.fullmatch(rid):
            nl = data.find(b"\n", i)
            if nl < 0:
                break
            i = nl + 1
            continue
        j = colon + 1
        if data[j:j + 1] == b"T":
            comma = data.find(b",", j)
            try:
                length = int(data[j + 1:comma], 16) if comma > j else -1
            except ValueError:
                length = -1
            if length < 0:
                i = j
                continue
            rows[rid.decode()] = data[comma + 1:comma + 1 + length].decode("utf-8", errors="replace")
            i = comma + 1 + length
            continue
        nl = data.find(b"\n", j)
        if nl < 0:
            nl = n
        payload = data[j:nl]
        if payload[:1] in (b"[", b"{", b'"'):
            rows[rid.decode()] = _Raw(payload)
        i = nl + 1
    return rows


def inline(value: Any, rows: dict[str, Any], _depth: int = 0) -> Any:
    """Replace ``"$<id>"`` references by the rows they name (bounded depth).

    Containers are changed in place (they come from a fresh ``json.loads``); a
    reference to a row is inlined as a copy of that row, itself inlined.
    """
    if _depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return _ref(value, rows, _depth) if value.startswith("$") else value
    if isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)) or (isinstance(v, str) and v.startswith("$")):
                value[i] = inline(v, rows, _depth + 1)
        return value
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) or (isinstance(v, str) and v.startswith("$")):
                value[k] = inline(v, rows, _depth + 1)
        return value
    return value


def _ref(value: str, rows: dict[str, Any], depth: int) -> Any:
    if value.startswith("$$"):
        return value[1:]
    if value == "$undefined":
        return None
    m = _REF.match(value)
    if m:
        return inline(_load(rows.get(m.group(1))), rows, depth + 1)
    return value


def find_action(rows: dict[str, Any], identifier: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The page's ``Action`` object (inlined) and the plan data beside it, if any."""
    best: dict[str, Any] | None = None
    extra: dict[str, Any] = {}
    stack: list[tuple[Any, int]] = [
        (_load(v), 0) for v in rows.values()
        if isinstance(v, _Raw) and v.find(b'"Action"') >= 0 and v.find(b'"tasks"') >= 0
    ]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(value, dict):
            if value.get("__typename") == "Action" and "tasks" in value and "name" in value:
                if identifier is None or str(value.get("identifier")) == identifier:
                    if best is None or len(value) > len(best):
                        best = value
                continue  # the page's action holds no other page's action
            if isinstance(value.get("action"), dict) and isinstance(value.get("extraPlanData"), dict):
                extra = value["extraPlanData"]
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    if best is None:
        return None, {}
    action = inline(best, rows)
    return (action if isinstance(action, dict) else None), inline(extra, rows)
