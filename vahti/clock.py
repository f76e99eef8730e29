"""Time as vahti keeps it: aware UTC datetimes, never naive ones."""

from __future__ import annotations

import datetime as dt

from vahti.errors import ConfigError


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


_SPAN = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_moment(text: str, *, end_of_day: bool = False, now: dt.datetime | None = None) -> dt.datetime:
    """A moment given on the command line, as an aware UTC datetime.

    ``YYYY-MM-DD`` is the start of that day in UTC (``--since``, ``--until``), or its end
    with ``end_of_day`` (``--as-of``: "as it stood on that day"); an ISO 8601 timestamp
    without an offset is UTC; ``7d``, ``24h``, ``90m``, ``2w`` mean that long before now.

    >>> parse_moment("2020-05-21").isoformat()
    '2020-05-21T00:00:00+00:00'
    >>> parse_moment("2020-05-21", end_of_day=True).isoformat()
    '2020-05-21T23:59:59.999999+00:00'
    >>> parse_moment("2020-05-21T10:00:00+03:00").isoformat()
    '2020-05-21T07:00:00+00:00'
    >>> parse_moment("7d", now=dt.datetime(2026, 12, 8, tzinfo=dt.timezone.utc)).isoformat()
    '2026-12-01T00:00:00+00:00'
    """
    text = text.strip()
    unit = _SPAN.get(text[-1:].lower())
    if unit and text[:-1].isdigit():
        return (now or utcnow()) - dt.timedelta(**{unit: int(text[:-1])})
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, tzinfo=dt.timezone.utc)
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"not a date, timestamp or span: {text!r} "
                          "(use YYYY-MM-DD, an ISO 8601 timestamp, or 7d / 24h / 90m / 2w)") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return stamp.astimezone(dt.timezone.utc)


def same_instant(a: str | None, b: str | None) -> bool:
    """Two ISO 8601 timestamps name the same instant (whatever their offsets); unreadable ones compare as text.

    >>> same_instant("2020-05-20T07:12:00+00:00", "2020-05-20T10:12:00+03:00")
    True
    """
    if a is None or b is None:
        return a == b
    try:
        return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
    except ValueError:
        return a == b
