"""Time as vahti keeps it: aware UTC datetimes, never naive ones."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
