"""The page's embedded-data scripts, found in its bytes, and its markup without them.

The data behind a page travels in big scripts: ``__NEXT_DATA__`` (classic and pages
router) or the ``self.__next_f.push(…)`` chunks of the RSC payload (app router), a third
to a half of the page. They are cut out of the raw page with plain substring searches
(no regex, no decoding of the page): the JSON decoder reads them from bytes, and the
HTML parser and every text check get only the markup around them.

A script's text ends at the first ``</script>`` (as in HTML): a page that never closes
one simply has no data script there. Closing tags are found by hopping from ``<`` to ``<``
(``bytes.find`` of one byte is ``memchr``, some twenty times faster than a search for a
whole tag): the platform's data scripts escape ``<`` in their JSON, so the first ``<`` in
a script is its end tag; after a few other ``<`` the general search takes over.

>>> page = Embedded.split(b'<html><body><p>x</p><script>self.__next_f.push([1,"0:{}"])</script></body></html>')
>>> page.pushes, page.markup
([b'[1,"0:{}"]'], b'<html><body><p>x</p></body></html>')
>>> Embedded.split('<script id="__NEXT_DATA__" type="application/json">{"a":1}</script><p>x</p>').next_data
'{"a":1}'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T", str, bytes)

_PUSH = "self.__next_f.push("
_NEXT_DATA = 'id="__NEXT_DATA__"'


_TEXT = {"open": "<script", "plain": "<script>", "close": "</script>", "gt": ">", "paren": ")", ";": ";", "push": _PUSH,
         "data": _NEXT_DATA, "style": "<style data-", "style_end": "</style>", "script_end": "</script",
         "emotion": "emotion=", "styled": "styled=", "lt": "<"}
_BYTES = {k: v.encode() for k, v in _TEXT.items()}
_HOPS = 8  # "<" that start no wanted tag, passed before the general search takes over


def _hop(page: T, at: int, tags: tuple[T, ...], lt: T) -> int | None:
    """Where the first of ``tags`` (each starting with ``<``) lies at or after ``at``, found by hopping from
    ``<`` to ``<``: -1 when no ``<`` follows; ``None`` when ``_HOPS`` others came first (undecided).

    >>> _hop(b'{"a":"x"}</script>', 0, (b'</script>',), b'<'), _hop('a<b>c</style>', 0, ('</script', '</style>'), '<')
    (9, 5)
    """
    i = page.find(lt, at)
    for _ in range(_HOPS):
        if i < 0 or page.startswith(tags, i):
            return i
        i = page.find(lt, i + 1)
    return None


def _first_tag(page: T, at: int, tag: T, lt: T) -> int:
    """``page.find(tag, at)`` for a ``tag`` that starts with ``<``, hopping first."""
    found = _hop(page, at, (tag,), lt)
    return page.find(tag, at) if found is None else found


@dataclass(frozen=True, slots=True)
class Embedded(Generic[T]):
    next_data: T | None  # the __NEXT_DATA__ JSON text
    pushes: list[T]  # the arguments of the flight pushes, in page order
    markup: T  # the page without those scripts

    @property
    def has_flight(self) -> bool:
        return bool(self.pushes)

    @property
    def has_data(self) -> bool:
        """The page embeds its data (``__NEXT_DATA__`` or flight pushes): the DOM is read only lightly."""
        return self.next_data is not None or bool(self.pushes)

    @classmethod
    def split(cls, page: T) -> Embedded[T]:
        """The data scripts of ``page`` (text or UTF-8 bytes) and the markup around them."""
        k: dict[str, T] = _BYTES if isinstance(page, bytes) else _TEXT
        open_tag, close_tag, gt_, push, plain = k["open"], k["close"], k["gt"], k["push"], k["plain"]
        spans: list[tuple[int, int]] = []
        pushes: list[T] = []
        at = page.find(push)
        paren_close = k["paren"] + close_tag
        while at >= 0:
            end = _first_tag(page, at, close_tag, k["lt"])
            if end < 0:
                break
            if page.startswith(plain, at - len(plain)) and page.startswith(paren_close, end - 1):
                # As Next.js writes it: <script>self.__next_f.push(…)</script>
                spans.append((at - len(plain), end + len(close_tag)))
                pushes.append(page[at + len(push):end - 1])
                at = page.find(push, end)
                continue
            # <script> right before the call (as Next.js writes it), else <script …> and white space.
            start = at - len(plain) if page.startswith(plain, at - len(plain)) else page.rfind(open_tag, 0, at)
            gt = page.find(gt_, start, at)
            tail = page[max(at, end - 16):end]  # ")" or ");" and white space before </script>
            right = end - len(tail) + len(tail.rstrip().rstrip(k[";"]).rstrip())
            if start >= 0 and gt >= 0 and not page[gt + 1:at].strip() and page.startswith(k["paren"], right - 1):
                spans.append((start, end + len(close_tag)))
                pushes.append(page[at + len(push):right - 1])
            at = page.find(push, end)
        next_data: T | None = None
        marker = -1 if pushes else page.find(k["data"])  # a page has one kind of data or the other
        if marker >= 0:
            start = page.rfind(open_tag, 0, marker)
            gt = page.find(gt_, marker)
            end = _first_tag(page, gt, close_tag, k["lt"]) if gt >= 0 else -1
            if start >= 0 and end >= 0 and page.find(gt_, start) == gt:
                next_data = page[gt + 1:end]
                spans.append((start, end + len(close_tag)))
        if not spans:
            return cls(next_data, pushes, page)
        spans.sort()
        parts, at = [], 0
        for start, end in spans:
            parts.append(page[at:start])
            at = max(at, end)
        parts.append(page[at:])
        return cls(next_data, pushes, page[:0].join(parts))


def without_styles(markup: T) -> T:
    """``markup`` without the style elements the front ends generate (emotion's ``<style data-emotion=…>``,
    styled-components' ``<style data-styled=…>``): a 2026 page carries some 50 KB of CSS that no reader
    of the embedded-data path looks at (the DOM-only path, which reads the active phase from it,
    parses the markup whole). Only those tags are cut: React escapes ``<`` in text and attributes, so
    on the platform's pages the string is always a tag. A style's text ends at the first
    ``</style>``, as in HTML; one whose end would lie past a ``</script`` is left alone.

    >>> without_styles(b'<p>a</p><style data-emotion="x">.a{b:c}</style><p>b</p><style>kept</style>')
    b'<p>a</p><p>b</p><style>kept</style>'
    """
    k: dict[str, T] = _BYTES if isinstance(markup, bytes) else _TEXT
    start_tag, end_tag, script_end = k["style"], k["style_end"], k["script_end"]
    closers = (end_tag, script_end)
    at = markup.find(start_tag)
    if at < 0:
        return markup
    parts, keep, end = [], 0, -1
    while at >= 0:  # each search goes past the last one, or stops at what it found: linear in the page
        if not markup.startswith((k["emotion"], k["styled"]), at + len(start_tag)):
            at = markup.find(start_tag, at + len(start_tag))
            continue
        close = _hop(markup, at + len(start_tag), closers, k["lt"])  # the first "</style>" or "</script" after it
        if close is None:  # more "<" than the hops allow: the general searches
            if end < at:  # (else the "</style>" found for an earlier "<style" is still the first one after this)
                end = markup.find(end_tag, at)
            inside = markup.find(script_end, at, end) if end >= 0 else -1
            close = inside if inside >= 0 else end
        if close < 0:  # never closed: nothing after it closes either
            break
        if markup.startswith(script_end, close):  # "<style" in a script's text: go on after that script
            at = markup.find(start_tag, close)
            continue
        parts.append(markup[keep:at])
        keep = close + len(end_tag)
        at = markup.find(start_tag, keep)
    if not parts:
        return markup
    parts.append(markup[keep:])
    return markup[:0].join(parts)


_ROOT_MARKERS = (b'data-testid="action-page"', b'<main id="main"')  # as ``scraper.dom.page.action_root`` prefers


def from_action_root(markup: bytes) -> bytes:
    """``markup`` with the body's content before the action's root element cut out: what the embedded-data
    path reads of the body (the action's heading, tasks and "updated" line) lies inside that root. A 2026
    page streams its action last (``<div hidden id="S:4"><div data-testid="action-page">…``), after some
    hundred elements of header, navigation, loading placeholders and footer that cost the HTML parser a
    third of its time; a 2023 page keeps its header before ``<main id="main">``.

    The readers see the same page: the cut is made only when what it removes holds no ``<h1>`` (the
    not-a-measure check reads the document's first) and no ``data-dgst`` (the app router's not-found
    marker); the first ``<title>`` in it (2026 pages stream their title into the body) is kept. What it
    removes is the front end's closed shell; markup that leaves an element open there (never the
    platform's) is read as if it had closed it: the record comes from the embedded data all the same, and
    a page without usable data is read whole (``scraper.parser``).

    >>> from_action_root(b'<html><head></head><body><nav><a href="/">x</a></nav><title>T</title><div hidden id="S:4">'
    ...                  b'<div data-testid="action-page"><h1>A</h1></div></div></body></html>')
    b'<html><head></head><body><title>T</title><div data-testid="action-page"><h1>A</h1></div></div></body></html>'
    """
    body = markup.find(b"<body")
    if body < 0:
        return markup
    body_end = markup.find(b">", body) + 1
    for marker in _ROOT_MARKERS:
        at = markup.find(marker, body_end)
        if at >= 0:
            break
    else:
        return markup
    root = at if marker.startswith(b"<") else markup.rfind(b"<", body_end, at)
    if root <= body_end or not markup[root + 1:root + 2].isalpha() or markup.find(b">", root, at) >= 0:
        return markup  # the marker is not inside a start tag
    if markup.find(b"<h1", body_end, root) >= 0 or markup.find(b"data-dgst", body_end, root) >= 0:
        return markup
    title = markup.find(b"<title", body_end, root)
    if title < 0:
        return b"".join((markup[:body_end], markup[root:]))
    end = markup.find(b"</title>", title, root)
    if end < 0:
        return markup
    return b"".join((markup[:body_end], markup[title:end + 8], markup[root:]))


def head_title_only(markup: bytes) -> bytes:
    """``markup`` with its ``<head>`` holding only its ``<title>``: what the embedded-data path reads of the
    DOM (the language on ``<html>``, the title, the action's heading, tasks and "updated" line) is never in
    the head, where a 2026 page keeps some hundred ``<script src>``, ``<link>`` and ``<meta>`` elements
    that cost the HTML parser an eighth of its time. Left whole when the head is not plain: not opened
    as ``<head>`` near the start, never closed, a ``</head>`` that may sit in a script's text, more
    than one title.

    >>> head_title_only(b'<html lang="fi"><head><meta charSet="utf-8"/><title>T</title><link rel="x"/></head><body>b</body></html>')
    b'<html lang="fi"><head><title>T</title></head><body>b</body></html>'
    """
    start = markup.find(b"<head>", 0, 1024)
    if start < 0:
        return markup
    start += len(b"<head>")
    end = markup.find(b"</head>", start)
    if end < 0 or markup.count(b"<script", start, end) != markup.count(b"</script>", start, end):
        return markup
    title = markup.find(b"<title", start, end)
    if title < 0:
        return markup[:start] + markup[end:]
    title_end = markup.find(b"</title>", title, end)
    if title_end < 0 or markup.find(b"<title", title + 6, end) >= 0:
        return markup
    return b"".join((markup[:start], markup[title:title_end + len(b"</title>")], markup[end:]))
