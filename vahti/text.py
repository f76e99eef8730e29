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
