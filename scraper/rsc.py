"""The React Server Components payload of app-router pages.

The server streams the page's data as ``<script>self.__next_f.push([1,"…"])</script>``
chunks. Joined, they form rows ``<hex id>:<payload>\\n`` where a payload is JSON,
a module import (``I[…]``), or a text blob ``T<hex byte length>,<text>`` that
other rows point at as ``"$<hex id>"``. The action the page shows is one JSON
object with ``"__typename": "Action"``; this module finds it with its ``$``
references inlined.

Doing little: each chunk is decoded by one JSON call, straight from the page's bytes;
rows are found in the stream text without re-encoding it and cut out only when used; a
row is decoded only when it may hold the action, and references are inlined in the row's
JSON *text* before that one decode (``str.find`` and a join, not a walk over every value). Inlining is bounded in depth and in the bytes it
may produce (``MAX_DEPTH``, ``MAX_INLINED``): a payload whose rows reference each other
into an explosion stops there, and the page is read as degraded, saying why.

>>> rows = parse_rows('1:T5,hello2:{"a":"$1","b":"$$x","c":"$undefined"}\\n')
>>> inline_text(rows["2"], rows)
'{"a":"hello","b":"$x","c":null}'
"""

from __future__ import annotations

import json
import re
from typing import Any

from scraper.decode import load_json

MAX_DEPTH = 40
MAX_INLINED = 8 * 1024 * 1024  # characters inlining may produce for one page

# A row's head: "<id>:" and, for a text blob, "T<hex length>,". A JSON row runs to the line's end;
# a line that is neither (module rows "<id>:I[…]", hints, anything unknown) is skipped.
_HEAD = re.compile(r"\s*([0-9a-fA-F]{1,8}):(?:T([0-9a-fA-F]{1,8}),)?")
# A whole JSON string value "$…" (a reference, an escaped "$$…", "$undefined"): before ] , } or the row's end,
# and (checked in ``sub``) after [ , or :, so the same characters inside a string, where quotes are
# escaped, never count. The pattern starts with its literal so the engine can skip ahead to it.
_DOLLAR = re.compile(r'"\$((?:[^"\\]|\\.){0,200})"(?=[\],}]|\Z)')
_HEX_REF = re.compile(r"[0-9a-fA-F]{1,8}")


class TooLarge(ValueError):
    """Inlining the references would pass ``MAX_INLINED`` or ``MAX_DEPTH``."""


class _Text(str):
    """A ``T`` row: plain text that a reference inlines as a JSON string."""


class Rows:
    """Rows by id: text blobs (``_Text``) and JSON rows, kept as spans of the stream and cut out only when
    asked for (a page uses a few of its rows). ``actions`` names the JSON rows that hold a
    ``"__typename":"Action"`` (found by one search of the stream, not one per row)."""

    __slots__ = ("_stream", "_rows", "actions")

    def __init__(self, stream: str) -> None:
        self._stream = stream
        self._rows: dict[str, str | tuple[int, int]] = {}
        self.actions: list[str] = []

    def get(self, rid: str) -> str | None:
        row = self._rows.get(rid)
        if isinstance(row, tuple):
            row = self._rows[rid] = self._stream[row[0]:row[1]]
        return row

    def __getitem__(self, rid: str) -> str:
        row = self.get(rid)
        if row is None:
            raise KeyError(rid)
        return row


def stream_from_pushes(args: list[str] | list[bytes]) -> tuple[str, list[str]]:
    """The flight stream from the ``push(…)`` arguments (text, or UTF-8 bytes as the page holds
    them); also warnings."""
    # One decode per chunk: joining them into one JSON array first copies the payload twice and
    # costs a third of what the decoding does.
    chunks, warnings = [], []
    for arg in args:
        try:
            chunks.append(load_json(arg))
        except ValueError:
            warnings.append("an RSC chunk is not valid JSON; skipped")
    parts = [c[1] for c in chunks if isinstance(c, list) and len(c) >= 2 and c[0] == 1 and isinstance(c[1], str)]
    return "".join(parts), warnings


def parse_rows(stream: str) -> Rows:
    """Rows of a flight stream by id: JSON row texts (``str``) and text blobs (``_Text``). Never raises.

    A row's head (``<id>:`` and ``T<length>,``) is matched by a short regex; its end is found with
    ``str.find`` (a regex scanning to the line's end costs nanoseconds a character on a non-ASCII
    stream; ``find`` a fraction of that). A text blob's length is counted in UTF-8 bytes; only the
    blob itself is encoded to count it.
    """
    rows = Rows(stream)
    spans = rows._rows
    actions = rows.actions
    hits, at = [], stream.find('"__typename":"Action"')
    while at >= 0:
        hits.append(at)
        at = stream.find('"__typename":"Action"', at + 21)
    hit, n_hits = 0, len(hits)
    match, find = _HEAD.match, stream.find
    i, n = 0, len(stream)
    while i < n:
        m = match(stream, i)
        if m is None:  # a line that is no row: skipped
            nl = find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        start = m.end()
        length = m[2]
        if length is not None:
            size = int(length, 16)
            window = stream[start:start + size]  # at least `size` bytes once encoded
            raw = window.encode("utf-8", errors="surrogatepass")
            text = window if len(raw) == len(window) else raw[:size].decode("utf-8", errors="ignore")
            spans[m[1]] = _Text(text)
            i = start + len(text)
            continue
        end = find("\n", start)
        if end < 0:
            end = n
        if start < end and stream[start] in '[{"':  # a JSON row; module rows, hints and the unknown are skipped
            rid = m[1]
            spans[rid] = (start, end)
            while hit < n_hits and hits[hit] < start:
                hit += 1
            if hit < n_hits and hits[hit] < end:
                actions.append(rid)
        i = end + 1
    return rows


def inline_text(row: str, rows: Rows | dict[str, str], budget: list[int] | None = None, depth: int = 0,
                memo: dict[str, str] | None = None) -> str:
    """The JSON text of ``row`` with every ``"$<id>"`` replaced by the row it names (itself inlined),
    ``"$$x"`` unescaped to ``"$x"`` and ``"$undefined"`` to ``null``; other ``$`` values kept.
    Raises ``TooLarge`` past the bounds."""
    budget = budget if budget is not None else [MAX_INLINED]
    memo = memo if memo is not None else {}
    if depth > MAX_DEPTH:
        raise TooLarge(f"RSC references nest deeper than {MAX_DEPTH}")

    def sub(m: re.Match[str]) -> str:
        if m.start() > 0 and row[m.start() - 1] not in "[,:":  # (a row may be a whole "$…" string)
            return m.group(0)
        value = m.group(1)
        if value.startswith("$"):  # "$$x" is the text "$x"
            return json.dumps(json.loads(m.group(0))[1:], ensure_ascii=False)
        if value == "undefined":
            return "null"
        if not _HEX_REF.fullmatch(value):
            return m.group(0)
        target = rows.get(value)
        if target is None:
            return m.group(0)
        if isinstance(target, _Text):
            out = json.dumps(str(target), ensure_ascii=False)
        else:
            out = memo.get(value) or inline_text(target, rows, budget, depth + 1, memo)
            memo[value] = out
        budget[0] -= len(out)
        if budget[0] < 0:
            raise TooLarge(f"RSC references expand past {MAX_INLINED} characters")
        return out

    # The regex engine steps through every character; str.find jumps to each "$" (a row has a few; a search
    # for '"$' is ten times slower in JSON text, where nearly every other character is a quote).
    parts: list[str] = []
    keep, at = 0, row.find("$", 1) - 1
    while at >= 0:
        m = _DOLLAR.match(row, at) if row[at] == '"' else None
        if m is None:
            at = row.find("$", at + 2) - 1
            continue
        parts.append(row[keep:at])
        parts.append(sub(m))
        keep = m.end()
        at = row.find("$", keep + 1) - 1
    if not parts:
        return row
    parts.append(row[keep:])
    return "".join(parts)


def find_action(rows: Rows, identifier: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The page's ``Action`` object (inlined) and the plan data beside it, if any. ``TooLarge`` past the bounds."""
    best: dict[str, Any] | None = None
    extra: dict[str, Any] = {}
    budget: list[int] = [MAX_INLINED]
    memo: dict[str, str] = {}
    candidates = [rows[rid] for rid in rows.actions if '"tasks"' in rows[rid]]
    stack: list[tuple[Any, int]] = []
    for row in candidates:
        try:
            stack.append((load_json(inline_text(row, rows, budget, 0, memo)), 0))
        except TooLarge:
            raise
        except ValueError:
            continue
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
    return best, extra
