"""The hero: identifier and name in the ``<h1>``, categories, previous/next links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from scraper.dom.page import Page, inside, next_element
from scraper.labels import folded_words
from scraper.text import attr, clean, has_class_label
from vahti.text import fold
from vahti.urls import split_action_path

# "11. Liikenne", "MV. Mobilität und Verkehr", "1.2. Energia": a category's identifier before its name.
_IDENT_PREFIX = re.compile(r"^[0-9A-Z][0-9A-Z.\-]{0,9}\.\s+")


@dataclass(frozen=True, slots=True)
class Hero:
    shown_identifier: str | None  # as the <h1> shows it
    name: str
    categories: tuple[str, ...]
    previous: str | None
    next: str | None


def read_hero(page: Page, h1: LexborNode) -> Hero:
    shown, name = title(page, h1)
    previous, nxt = pager(page)
    return Hero(shown, name, tuple(categories(page, h1)), previous, nxt)


def title(page: Page, h1: LexborNode) -> tuple[str | None, str]:
    """(identifier shown, name) from ``<h1><span>91</span>…name…</h1>``."""
    ident_node: LexborNode | None = None
    child = h1.child
    while child is not None:
        if child.tag == "span":
            text = page.text(child)
            if text and " " not in text and len(text) <= 16 and (
                has_class_label(child, "ActionNumber") or next_element(child) is not None
            ):
                ident_node = child
            break
        if child.tag == "-text" and (child.text_content or "").strip():
            break
        child = child.next
    parts: list[str] = []
    child = h1.child
    while child is not None:
        if not (ident_node is not None and child.mem_id == ident_node.mem_id):
            if child.tag == "-text":
                parts.append(child.text_content or "")
            elif child.tag not in ("svg", "button", "script", "style") and not (child.tag or "").startswith("-"):
                parts.append(child.text(deep=True, separator=" "))
        child = child.next
    return (page.text(ident_node) if ident_node is not None else None), clean(" ".join(parts))


def categories(page: Page, h1: LexborNode) -> list[str]:
    """Breadcrumb categories (pages router and later), else the badges beside the heading (2020)."""
    out: list[str] = []
    crumbs = page.root.css('span[id^="crumb-"]')
    if crumbs:
        for c in crumbs:
            link = c.css_first("a")
            text = page.text(link) if link is not None else page.text(c).rstrip("/ ").strip()
            href = attr(link, "href") or ""
            last = href.rstrip("/").rsplit("/", 1)[-1] if href else ""
            if last and text.startswith(f"{last}. "):
                text = text[len(last) + 2:]
            else:
                text = _IDENT_PREFIX.sub("", text)
            if text and text not in out:
                out.append(text)
        return sorted(out, key=fold)
    container = h1.parent
    if container is None:
        return out
    for badge in container.css("span.badge, a.badge"):
        if inside(badge, lambda n: n.tag == "h1"):
            continue
        text = page.text(badge)
        if text and text not in out:
            out.append(text)
    return sorted(out, key=fold)


def pager(page: Page) -> tuple[str | None, str | None]:
    """Identifiers of the previous and next actions, from the links that say so."""
    prev = nxt = None
    own = page.url_identifier()
    for a, href in page.links():
        if "/action" not in href:
            continue
        parts = split_action_path(href)
        if not parts or parts[2] == own:
            continue
        text = fold(page.text(a))
        ident = parts[2]
        if prev is None and any(w in text for w in folded_words("previous", page.language)):
            prev = ident
        elif nxt is None and any(w in text for w in folded_words("next", page.language)):
            nxt = ident
    return prev, nxt
