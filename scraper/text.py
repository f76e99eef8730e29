"""Plain text out of HTML, the same way for DOM nodes and HTML strings.

Both extraction paths end here, so a description read from embedded JSON (an
HTML string) and the same description read from the rendered page (a DOM node)
give the very same text.

Rules: NFC; runs of white space (``&nbsp;`` and single ``<br>`` included) folded
to one space; block elements (``p``, ``div``, ``li``, headings …) and a double
``<br>`` separate paragraphs, kept as ``\\n\\n``; empty paragraphs dropped.

>>> html_to_text("<p>Smart &amp;<br>Clean</p>\\n<p>&nbsp;</p><p> two  </p>")
'Smart & Clean\\n\\ntwo'
>>> clean("  a\\u00a0 b\\n c ")
'a b c'
>>> plain_to_text("line one\\nline two\\n\\nnew paragraph")
'line one line two\\n\\nnew paragraph'
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

# C0/C1 control characters (escape sequences among them) never belong in a record;
# white space among them is folded like any other.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_SPACES = ("\x0b", "\x1c", "\x1d", "\x1e", "\x1f", "\x85")  # controls that str.split() takes for white space
_PARA_SPLIT = re.compile(r"\n\s*\n")
_BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "header", "footer", "table", "tr", "pre", "figure", "hr",
    "dl", "dt", "dd", "main", "aside", "nav",
})
_SKIP = frozenset({"script", "style", "template", "noscript", "svg", "button", "img"})
_BREAK = "\x00"  # paragraph marker while collecting


def clean(text: str | None) -> str:
    """NFC, control characters dropped, white space folded, trimmed. ``None`` stays ``''``.

    >>> clean("Tehty" + chr(27) + "[31m valmis" + chr(0))
    'Tehty[31m valmis'
    """
    if not text:
        return ""
    # Fast paths, the same result. Printable text has no control characters and no white space but " ".
    if text.isprintable():
        return clean_printable(text)
    # Else fold first: when what is left is printable and the folding swallowed none of the controls
    # that count as white space, nothing is to drop.
    out = " ".join(text.split())
    if out.isprintable() and not any(c in text for c in _CONTROL_SPACES):
        return out if out.isascii() else unicodedata.normalize("NFC", out)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub("", text)
    # str.split() splits on exactly what ``\s`` matches (str.isspace).
    return " ".join(text.split())


def clean_printable(text: str) -> str:
    """``clean(text)`` for a ``text`` already known to be printable (``str.isprintable``)."""
    if text and (text[0] == " " or text[-1] == " " or "  " in text):
        text = " ".join(text.split())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def drop_controls(text: str) -> str:
    """``text`` without C0/C1 control characters (escape sequences, CR, NUL…), white space kept.

    >>> drop_controls("91" + chr(27) + "]0;pwned" + chr(7))
    '91]0;pwned'
    """
    return _CONTROL.sub("", text)


def clean_or_none(text: str | None) -> str | None:
    out = clean(text)
    return out or None


def plain_to_text(text: str | None) -> str | None:
    """Plain text (not HTML): blank lines are paragraph breaks, other white space folds."""
    if text is None:
        return None
    return _paragraphs(_PARA_SPLIT.split(text))


def node_text(node: LexborNode | None, *, skip_classes: frozenset[str] = frozenset()) -> str | None:
    """Readable text of a DOM node with paragraph breaks; ``None`` when empty."""
    if node is None:
        return None
    parts: list[str] = []
    _walk(node, parts, skip_classes, pending_br=[0])
    return _join(parts)


def html_to_text(html: str | None) -> str | None:
    """Readable text of an HTML fragment (as carried in embedded JSON)."""
    if html is None or not html.strip():
        return None
    if "<" not in html and "&" not in html:
        return plain_to_text(html)
    marks = _simple_marks(html)
    if marks is not None:
        return _simple_text(marks)
    tree = LexborHTMLParser(f"<body>{html}</body>")
    return node_text(tree.body)


# Rich text as the CMS writes it (paragraphs, line breaks, emphasis, links) is
# read without building a DOM; anything else goes through lexbor. Both give the
# same text (a property test holds them to it).
_SIMPLE_TAG = r"</?(?:p|div|li|ul|ol|h[1-6]|blockquote|strong|em|b|i|u|span|a|br)(?:\s[^<>]*)?/?>"
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
# The rich text the fast path reads: plain text, character references and those tags, nothing else (the
# property tests hold ``html_to_text``'s quicker test to it).
_SIMPLE_HTML = re.compile(rf"(?:[^<&]++|{_ENTITY.pattern}|{_SIMPLE_TAG})*", re.S)
# An <li> opened inside an open <li>: HTML closes the first (the tree builder knows it, a regex does not).
_NESTED_ITEM = re.compile(r"<li\b(?:(?!</li>).)*?<li\b", re.S | re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|blockquote)(?:\s[^<>]*)?/?>")
_BR_TAG = re.compile(r"<br(?:\s[^<>]*)?/?>")
_INLINE_TAG = re.compile(r"</?(?:strong|em|b|i|u|span|a)(?:\s[^<>]*)?/?>")
_BR_RUN = re.compile(r"\x01(?:[^\S\x00]*\x01)+")


def _simple_marks(html: str) -> str | None:
    """``html`` with its tags turned into marks (``_BREAK`` for blocks, ``\\x01`` for ``<br>``, inline ones
    dropped) when it is simple rich text (``_SIMPLE_HTML``, with no list item opened inside another); else
    ``None``. Told without a pass of its own: simple when every "&" starts a character reference and no "<"
    is left once the simple tags are taken out."""
    if "&" in html and html.count("&") != len(_ENTITY.findall(html)):
        return None
    if _NESTED_ITEM.search(html):
        return None
    text = _INLINE_TAG.sub("", _BR_TAG.sub("\x01", _BLOCK_TAG.sub(_BREAK, html)))
    return text if "<" not in text else None


def _simple_text(text: str) -> str | None:
    """The text of simple HTML whose tags are already marks: ``_BREAK`` for blocks, ``\\x01`` for ``<br>``."""
    text = unescape(text.replace("\r\n", "\n"))
    # Two or more <br> in a row (white space between) end a paragraph; one is a space.
    text = _BR_RUN.sub(_BREAK, text).replace("\x01", " ")
    return _paragraphs(text.split(_BREAK))


def _walk(node: LexborNode, parts: list[str], skip: frozenset[str], pending_br: list[int]) -> None:
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            if text.strip():
                if pending_br[0] >= 2:
                    parts.append(_BREAK)
                pending_br[0] = 0
            parts.append(text)
        elif tag == "br":
            pending_br[0] += 1
            parts.append(" ")
        elif tag is None or tag.startswith("-") or tag in _SKIP:
            pass
        elif skip and _has_class(child, skip):
            pass
        elif tag in _BLOCK:
            parts.append(_BREAK)
            pending_br[0] = 0
            _walk(child, parts, skip, pending_br)
            parts.append(_BREAK)
            pending_br[0] = 0
        else:
            _walk(child, parts, skip, pending_br)
        child = child.next


def _join(parts: list[str]) -> str | None:
    return _paragraphs("".join(parts).split(_BREAK))


def _paragraphs(pieces: list[str]) -> str | None:
    """Cleaned non-empty pieces, a blank line between them; ``None`` when none."""
    paras = [c for c in (clean(p) for p in pieces if p and not p.isspace()) if c]
    return "\n\n".join(paras) if paras else None


def _has_class(node: LexborNode, classes: frozenset[str]) -> bool:
    cls = node.attributes.get("class") or ""
    return any(c in classes for c in cls.split())


def attr(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value: Any = node.attributes.get(name)
    if not isinstance(value, str):
        return None
    return value if value.isprintable() else drop_controls(value)  # class names, labels: no control characters


def class_tokens(node: LexborNode) -> list[str]:
    return (attr(node, "class") or "").split()


def has_class_label(node: LexborNode, label: str, *, suffix: bool = False) -> bool:
    """True when a class name carries the component ``label``.

    Matches the label part of generated names (``ActionContent__LastUpdated-il4e3z-4``,
    ``mui-1tu1vr1-ActionContent-LastUpdated``), never the hash. With ``suffix``,
    ``StyledStatusLabel`` carries ``StatusLabel``.
    """
    cls = attr(node, "class")
    if not cls or label not in cls:
        return False
    for token in cls.split():
        if token == label:
            return True
        # The pieces re.split("__|-") would give, without the regex engine.
        for piece in token.replace("__", "-").split("-"):
            if piece == label or (suffix and piece.endswith(label)):
                return True
    return False
