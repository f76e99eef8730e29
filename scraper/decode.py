"""Bytes to text, the way a browser would, without guessing wildly.

Order: a byte-order mark; a ``<meta charset>`` or ``http-equiv`` declaration in the
first 4 KiB; UTF-8 if the bytes are valid UTF-8; else Windows-1252 (the HTML
standard's fallback for Latin-1 labels), which never fails.

>>> decode("<meta charset='iso-8859-1'>Yhteyshenkil\\xf6t".encode("latin-1"))[1]
'iso-8859-1'
>>> decode(b"\\xef\\xbb\\xbfhei")
('hei', 'utf-8-sig')
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

import orjson

from vahti.errors import InputTooLarge

#: Largest body the parser looks at. Real action pages are 30-250 KB; anything
#: past this is not a page we want to hold in memory twice.
MAX_BODY_BYTES = 20 * 1024 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_LATIN1_LABELS = {"iso-8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "iso8859-1", "cp1252"}


def utf8_declared(body: bytes) -> bool:
    """No byte-order mark and no charset other than UTF-8 declared: the bytes should be UTF-8
    (within the size cap; ``decode`` says what happens past it)."""
    if len(body) > MAX_BODY_BYTES or body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    m = _META_CHARSET.search(body[:4096])
    return m is None or m.group(1).decode("ascii", "replace").lower().replace("_", "-") in ("utf-8", "utf8")


def decode(body: bytes | str, *, url: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding_used)``; raise ``InputTooLarge`` past the cap."""
    if isinstance(body, str):
        if len(body) > MAX_BODY_BYTES:
            raise InputTooLarge(f"body of {len(body)} characters is over the {MAX_BODY_BYTES} byte cap", url=url)
        return body, "str"
    if len(body) > MAX_BODY_BYTES:
        raise InputTooLarge(f"body of {len(body)} bytes is over the {MAX_BODY_BYTES} byte cap", url=url)
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    m = _META_CHARSET.search(body[:4096])
    declared = m.group(1).decode("ascii", "replace").lower() if m else None
    if declared in _LATIN1_LABELS:
        return body.decode("cp1252", errors="replace"), declared
    if declared and declared.replace("_", "-") not in ("utf-8", "utf8") and _is_charset(declared):
        try:
            return body.decode(declared, errors="replace"), declared
        except (UnicodeError, ValueError, TypeError):  # a codec that fails even when told to replace
            declared = None
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if declared and declared.replace("_", "-") in ("utf-8", "utf8"):
            return body.decode("utf-8", errors="replace"), "utf-8-with-errors"
        return body.decode("cp1252", errors="replace"), "cp1252"


def _is_charset(name: str) -> bool:
    """A codec that turns bytes into text (not rot13, base64, zlib… nor an unknown name)."""
    try:
        return bool(codecs.lookup(name)._is_text_encoding)
    except LookupError:
        return False


def load_json(text: str | bytes) -> Any:
    """JSON text to Python values; ``ValueError`` when it is not JSON.

    orjson decodes the embedded page data (a third to a half of a page) about three
    times faster than the standard library. What orjson refuses but the standard
    library takes (lone surrogate escapes, ``NaN``, integers past 64 bits) goes to
    the standard library, so both give the same values for every input.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text)
        except RecursionError:  # nested past what a page's data needs (orjson stops at 1,024 levels)
            raise ValueError("JSON nested too deeply") from None
