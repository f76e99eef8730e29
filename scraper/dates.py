"""Dates as the pages write them, pulled out of the text around them.

Finnish and German pages write ``28.01.2020`` / ``20.9.2020``; Swedish pages ISO
``2020-01-28``; English pages ``01/28/2020`` / ``9/20/2020`` (month first) unless
the locale is one of the day-first English ones. A plan may show only month and
year, or only the year.

>>> find_date("Tietoja päivitetty 20.05.2020", "fi")
ShownDate(date=datetime.date(2020, 5, 20), period=None)
>>> find_date("Tehty30.11.2022 Title", "fi").date
datetime.date(2022, 11, 30)
>>> find_date("9/20/2020", "en").date
datetime.date(2020, 9, 20)
>>> find_date("2/2025", "en")
ShownDate(date=None, period='2025-02')
>>> find_date("no date here", "fi") is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Day-first English locales; plain "en" and "en-US" are month first.
_DAY_FIRST_EN = ("en-gb", "en-au", "en-nz", "en-ie", "en-in", "en-za")

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DOTTED = re.compile(r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
_SLASHED = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_MONTH_YEAR = re.compile(r"(?<![\d./-])(\d{1,2})[./](\d{4})(?!\d)|(?<!\d)(\d{4})-(\d{2})(?![\d-])")
_YEAR = re.compile(r"^\D*?(?<!\d)((?:19|20)\d{2})(?!\d)\D*$")


@dataclass(frozen=True, slots=True)
class ShownDate:
    """A date read from the page: an exact day, or only a period ("2025-02", "2025")."""

    date: dt.date | None
    period: str | None


def find_date(text: str | None, language: str = "fi") -> ShownDate | None:
    """The first date in ``text``, read by the page language's rules; ``None`` if none.

    An impossible date (``31.02.2020``) is ``None`` too: never a made-up value.
    """
    if not text:
        return None
    lang = language.lower()
    m = _ISO.search(text)
    if m:
        return _mk(int(m[1]), int(m[2]), int(m[3]))
    m = _DOTTED.search(text)
    if m:
        return _mk(int(m[3]), int(m[2]), int(m[1]))
    m = _SLASHED.search(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        day_first = lang.startswith(_DAY_FIRST_EN) or not lang.startswith("en")
        if a > 12:
            day_first = True
        elif b > 12:
            day_first = False
        return _mk(year, a, b) if not day_first else _mk(year, b, a)
    m = _MONTH_YEAR.search(text)
    if m:
        month, year = (int(m[1]), int(m[2])) if m[1] else (int(m[4]), int(m[3]))
        if 1 <= month <= 12:
            return ShownDate(None, f"{year:04d}-{month:02d}")
        return None
    m = _YEAR.match(text)
    if m:
        return ShownDate(None, m[1])
    return None


def looks_like_date(text: str | None) -> bool:
    """True when the text holds something date-shaped, readable or not."""
    return bool(text and re.search(r"\d{1,4}[./-]\d{1,2}([./-]\d{2,4})?", text))


def _mk(year: int, month: int, day: int) -> ShownDate | None:
    try:
        return ShownDate(dt.date(year, month, day), None)
    except ValueError:
        return None


def parse_iso_date(value: object) -> dt.date | None:
    """A ``YYYY-MM-DD`` (or ISO datetime) string from embedded data, else ``None``."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_iso_datetime(value: object) -> dt.datetime | None:
    """An ISO timestamp with offset from embedded data; naive ones are refused."""
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo is not None else None
