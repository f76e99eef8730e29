"""One parsed page and the reads its regions share; node helpers; what a read notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dates import find_date
from scraper.labels import contains_label, is_label, words
from scraper.text import attr, clean, has_class_label
from vahti.text import fold
from vahti.urls import identifier_from_url

_HEADINGS = "h1, h2, h3, h4, h5, h6"


@dataclass(frozen=True, slots=True)
class Notes:
    """What a read says about itself: why the record is incomplete, what is odd, what it could not see."""

    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unobserved: frozenset[str] = frozenset()

    def __add__(self, other: Notes) -> Notes:
        return Notes(self.problems + other.problems, self.warnings + other.warnings, self.unobserved | other.unobserved)


NO_NOTES = Notes()


def problem(text: str) -> Notes:
    return Notes(problems=(text,))


def warning(text: str) -> Notes:
    return Notes(warnings=(text,))


def unobserved(*fields: str) -> Notes:
    return Notes(unobserved=frozenset(fields))


@dataclass(frozen=True, slots=True)
class TaskItem:
    li: LexborNode
    title: LexborNode


@dataclass(frozen=True, slots=True)
class Updated:
    """The "updated" line: whether its label is on the page, its day, and why a day could not be read."""

    seen: bool = False
    day: dt.date | None = None
    problem: str | None = None


class Page:
    """A parsed page with what its readers share, each read once: node texts, headings, links,
    the action heading, task items, the "updated" line. Caches only; no reading state."""

    def __init__(self, tree: LexborHTMLParser, root: LexborNode, url: str, language: str, lang_tag: str,
                 generation: str) -> None:
        self.tree, self.root, self.url = tree, root, url
        self.language, self.lang_tag, self.generation = language, lang_tag, generation
        self._texts: dict[int, str] = {}
        self._heads: list[tuple[LexborNode, str]] | None = None
        self._found: dict[tuple[str, bool], list[LexborNode]] = {}
        self._links: list[tuple[LexborNode, str]] | None = None
        self._full: str | None = None
        self._h1: tuple[LexborNode | None] | None = None
        self._items: list[TaskItem] | None = None
        self._updated: Updated | None = None

    def text(self, node: LexborNode | None) -> str:
        """A node's clean text, read once per node (keyed by its address in this tree)."""
        if node is None:
            return ""
        key = node.mem_id
        out = self._texts.get(key)
        if out is None:
            out = self._texts[key] = text_of(node)
        return out

    def headings(self, key: str, *, exact: bool = False) -> list[LexborNode]:
        """Headings (h1-h6) whose text is, or holds, one of ``key``'s words."""
        found = self._found.get((key, exact))
        if found is None:
            if self._heads is None:
                self._heads = [(h, fold(self.text(h))) for h in self.root.css(_HEADINGS)]
            test = is_label if exact else contains_label
            found = self._found[key, exact] = [h for h, text in self._heads if test(text, key, folded=True)]
        return found

    def links(self) -> list[tuple[LexborNode, str]]:
        """Every ``<a href>`` with its ``href``, in page order."""
        if self._links is None:
            self._links = [(a, attr(a, "href") or "") for a in self.root.css("a[href]")]
        return self._links

    def full_text(self) -> str:
        if self._full is None:
            self._full = text_of(self.root)
        return self._full

    def h1(self) -> LexborNode | None:
        """The action heading: the first ``<h1>`` with text."""
        if self._h1 is None:
            self._h1 = (next((h for h in self.root.css("h1") if self.text(h)), None),)
        return self._h1[0]

    def url_identifier(self) -> str | None:
        return identifier_from_url(self.url)

    def task_items(self) -> list[TaskItem]:
        """Task list items with their title node, in page order."""
        if self._items is None:
            self._items = []
            for li in self.root.css("li.list-group-item"):
                title = li.css_first(".task-title") or li.css_first("h6, h5, h4, h3")
                if title is not None:
                    self._items.append(TaskItem(li, title))
        return self._items

    def task_names(self) -> list[str]:
        """Folded task names in page order (what the JSON path needs from the DOM)."""
        return [fold(name) for name in (self.text(item.title) for item in self.task_items()) if name]

    def updated(self) -> Updated:
        """The "Tietoja päivitetty …" line (by its component label, else its words)."""
        if self._updated is None:
            self._updated = self._read_updated()
        return self._updated

    def _read_updated(self) -> Updated:
        texts = [self.text(n) for n in by_class_label(self.root, "LastUpdated")]
        if not texts:
            full = self.full_text()
            for w in words("updated", self.language):
                i = full.find(w)
                if i >= 0:
                    texts.append(full[i:i + len(w) + 40])
                    break
        for text in texts:
            for w in words("updated", self.language):
                if w in text:
                    rest = text.split(w, 1)[1]
                    shown = find_date(rest, self.lang_tag)
                    if shown is None or shown.date is None:
                        return Updated(True, None, f"unreadable 'updated' date {clean(rest)[:40]!r}")
                    return Updated(True, shown.date)
        return Updated()


def action_root(tree: LexborHTMLParser) -> LexborNode | None:
    return tree.css_first('[data-testid="action-page"]') or tree.css_first("main#main") or tree.body


def text_of(node: LexborNode | None) -> str:
    return clean(node.text(deep=True, separator=" ")) if node is not None else ""


def ancestor(node: LexborNode, tags: tuple[str, ...], limit: int = 12) -> LexborNode | None:
    cur = node.parent
    while cur is not None and limit > 0:
        if cur.tag in tags:
            return cur
        cur = cur.parent
        limit -= 1
    return None


def inside(node: LexborNode, predicate: Callable[[LexborNode], bool], limit: int = 30) -> bool:
    cur = node.parent
    while cur is not None and limit > 0:
        if predicate(cur):
            return True
        cur = cur.parent
        limit -= 1
    return False


def select(node: LexborNode, selector: str) -> list[LexborNode]:
    """``node.css(selector)`` in page order, each node once (lexbor repeats a node
    that matches several selectors of a list)."""
    return list({n.mem_id: n for n in node.css(selector)}.values())


def by_class_label(root: LexborNode, *labels: str, suffix: bool = False) -> list[LexborNode]:
    """Elements whose class names carry one of the component labels (lexbor pre-filters)."""
    selector = ", ".join(f'[class*="{label}"]' for label in labels)
    return [n for n in root.css(selector) if any(has_class_label(n, lb, suffix=suffix) for lb in labels)]


def next_element(node: LexborNode) -> LexborNode | None:
    cur = node.next
    while cur is not None and (cur.tag or "-").startswith("-"):
        cur = cur.next
    return cur


