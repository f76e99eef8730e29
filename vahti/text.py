"""Text helpers every layer shares: comparison keys and natural order.

>>> fold("  Tietoja   PÄIVITETTY ")
'tietoja päivitetty'
>>> sorted(["10", "CL3", "2", "1.10", "1.2"], key=natural_key)
['1.2', '1.10', '2', '10', 'CL3']
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = re.compile(r"(\d+)")


def fold(text: str) -> str:
    """Case- and accent-stable comparison key: NFC, casefolded, spaces folded."""
    if text.isascii():
        return " ".join(text.casefold().split())
    return " ".join(unicodedata.normalize("NFC", text).casefold().replace("’", "'").split())


def natural_key(text: str) -> tuple[str | int, ...]:
    """The order people expect: 2 before 10, numbers before letters; works on identifiers and URLs.

    Parts alternate text and number, so two keys always compare part by part.
    """
    return tuple(int(p) if i % 2 else p for i, p in enumerate(_DIGITS.split(text)))


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 (but tab and newline) and C1
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters (ESC and OSC sequences among them) shown, not obeyed.

    >>> printable("91" + chr(27) + "]0;pwned" + chr(7))
    '91\\\\x1b]0;pwned\\\\x07'
    """
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str) -> str:
    """``printable`` and on one line: a log line or a header no page text can split or forge.

    >>> one_line("ok\\r\\nFORGED 2026-12-01 INFO vahti: all fine")
    'ok\\\\r\\\\nFORGED 2026-12-01 INFO vahti: all fine'
    """
    return printable(text.replace("\r", "\\r").replace("\n", "\\n"))


def xml_text(text: str) -> str:
    """``text`` without what XML 1.0 cannot carry (control characters, lone surrogates)."""
    return _NOT_XML.sub("", text)


def csv_cell(value: object) -> object:
    """A cell a spreadsheet will show, never evaluate: text starting with = + - @ (or a tab or CR) gets a
    leading apostrophe.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-5 % ready"), csv_cell(3), csv_cell("Koulu")
    ('\\'=HYPERLINK("http://x")', "'-5 % ready", 3, 'Koulu')
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
