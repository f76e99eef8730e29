"""What kind of page this is: markup generation, language, and pages that are not measures."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from scraper.labels import language_from_headings, words
from scraper.text import attr, clean
from vahti.text import fold
from vahti.urls import split_action_path

_LANG_TAG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*$")
# Words of bot-block and challenge pages (Cloudflare, Akamai, CAPTCHAs), lower case.
CHALLENGE_MARKERS = (
    "just a moment", "attention required! | cloudflare", "cf-browser-verification",
    "challenge-platform", "captcha", "are you a robot", "access denied", "request unsuccessful",
    "ddos protection", "bot verification", "checking your browser",
)
_ERROR_TITLES = ("500", "502", "503", "504", "internal server error", "bad gateway",
                 "service unavailable", "application error", "server error")


def _holds(data: str | bytes, needle: str) -> bool:
    """``needle`` (ASCII) in the script's text, as the page's bytes or decoded: the same answer either way."""
    return needle.encode() in data if isinstance(data, bytes) else needle in data


def generation(tree: LexborHTMLParser, text: str, next_data: str | bytes | None = None, *,
               flight: bool = False) -> str:
    """``classic`` | ``pages-router`` | ``app-router`` | ``unknown``.

    ``next_data`` is the ``__NEXT_DATA__`` script's text when the page has one
    (app-router pages never do); the Apollo reference style in it tells the front end.
    """
    if next_data is None and (flight or "self.__next_f" in text
                              or tree.css_first('[data-testid="action-page"]') is not None):
        return "app-router"
    if next_data is not None:
        if _holds(next_data, '"__ref"'):
            return "pages-router"
        if _holds(next_data, '"generated"') or "ActionContent__" in text:
            return "classic"
        return "pages-router" if re.search(r'class="[^"]*\bsc-[0-9a-f]{6,}', text) else "classic"
    if "ActionContent__" in text or "TaskList__" in text:
        return "classic"
    if tree.css_first('span[id^="crumb-"]') is not None or tree.css_first("h4.task-title") is not None:
        return "pages-router"
    return "unknown"


def language(tree: LexborHTMLParser, url: str, next_data: str | bytes | None = None) -> tuple[str, str, list[str]]:
    """(language, full language tag, warnings). The page's own ``<html lang>`` wins.

    ``next_data`` is the ``__NEXT_DATA__`` script's text when the page has one.
    """
    warnings: list[str] = []
    html = tree.root  # the <html> element (an HTML parse always makes one; a second <html> tag adds to it)
    raw_tag = clean(attr(html, "lang")).lower()
    valid = _LANG_TAG.match(raw_tag)
    tag = valid.group(0) if valid else ""
    if raw_tag and not valid:
        warnings.append(f"ignored a malformed <html lang={raw_tag[:20]!r}>")
    parts = split_action_path(url)
    url_lang = parts[0].split("-")[0] if parts and parts[0] else None
    if tag:
        lang = re.split(r"[-_]", tag)[0]
        if url_lang and url_lang != lang:
            warnings.append(f"page says lang={lang!r} at a /{url_lang}/ URL (server cache mixing languages?)")
        return lang, tag, warnings
    if next_data is not None:
        if isinstance(next_data, bytes):
            next_data = next_data.decode("utf-8", errors="replace")
        found = re.search(r'"(?:locale|initialLanguage)"\s*:\s*"([a-zA-Z-]{2,10})"', next_data)
        if found and _LANG_TAG.match(found.group(1).lower()):
            return found.group(1).split("-")[0].lower(), found.group(1).lower(), warnings
    if url_lang:
        return url_lang, url_lang, warnings
    guessed = language_from_headings(tree.body.text(separator=" ") if tree.body else "")
    if guessed:
        return guessed, guessed, warnings
    warnings.append("language unknown; assumed Finnish")
    return "fi", "fi", warnings


_SOFT_404 = ("NEXT_HTTP_ERROR_FALLBACK;404", "NEXT_NOT_FOUND")


def soft_404(tree: LexborHTMLParser) -> bool:
    """The app router's not-found marker, ``<template data-dgst="NEXT_HTTP_ERROR_FALLBACK;404">``."""
    return any(attr(t, "data-dgst") in _SOFT_404 for t in tree.tags("template"))  # (no CSS to compile)


def soft_404_in_payload(page: str | bytes) -> bool:
    """The not-found marker anywhere in the document (the RSC payload carries it too)."""
    if isinstance(page, bytes):
        return any(marker.encode() in page for marker in _SOFT_404)
    return any(marker in page for marker in _SOFT_404)


def not_a_measure(tree: LexborHTMLParser) -> str | None:
    """A reason when the page is plainly not an action page (404, error, block, shell)."""
    if soft_404(tree):
        return "not found (soft 404 marker)"
    h1 = tree.css_first("h1")
    # An action's heading is <h1><span>id</span>…name…</h1>; an error page's is plain.
    # (Action 404 exists on some plans: its heading must not read as "404".)
    if h1 is not None and h1.css_first("span") is not None:
        return None
    h1_text = fold(h1.text() if h1 is not None else "")
    head = tree.head  # (the only one: a later <head> tag is dropped)
    title_node = (head.css_first("title") if head is not None else None) or tree.css_first("title")
    title = fold(title_node.text() if title_node is not None else "")
    if re.match(r"^404\b", title) or re.match(r"^404\b", h1_text) or any(
            fold(w) in title or fold(w) == h1_text for w in words("not_found")):
        return "not found (404 page)"
    if any(t == title or title.startswith(t + " ") for t in _ERROR_TITLES):
        return f"error page ({title})"
    return challenge(title)


def challenge(text: str) -> str | None:
    """A bot block or challenge page, told by its words (the title, or the start of the page)."""
    sample = text[:50000].lower()
    return "bot block or challenge page" if any(m in sample for m in CHALLENGE_MARKERS) else None


def truncated(text: str) -> bool:
    """The document stops before ``</html>`` (cut off in transfer)."""
    # Lower-casing maps each character on its own (the final-sigma rule looks around, but only chooses
    # between two Greek letters), so "</html>" in the last 64 characters lowered is in the last 2048
    # lowered. Nearly every page ends so; lowering 2 KB of non-ASCII text twice was 1.6% of a parse.
    return "</html>" not in text[-64:].lower() and "</html>" not in text[-2048:].lower()


_HTML_STARTS = ("<html", "<!doctype", "<head", "<body", "<div", "<meta", "<title")


def looks_like_html(text: str, start: int = 0) -> bool:
    """The first 2048 characters from ``start`` hold a tag that begins an HTML document, and do not start
    as JSON or a PDF does. (As ``truncated``: the first 64 characters lowered answer for most pages.)"""
    for size in (64, 2048):
        head = text[start:start + size].lower()
        if "<" in head and not head.startswith(("{", "[", "%pdf")) and any(t in head for t in _HTML_STARTS):
            return True
    return False
