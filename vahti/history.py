"""A measure's history as the archive holds it: its versions, its check runs, its events.

Storage reads these (``storage.report``), the web report draws them (``diffs.report``);
neither knows the other. Times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vahti.events import ChangeEvent
from vahti.record import Measure


@dataclass(frozen=True, slots=True)
class VersionEntry:
    """A distinct record of a measure, as first and last seen."""

    number: int
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    record: Measure
    verdict: str  # ok or degraded
    unobserved: tuple[str, ...]  # fields the page did not show (or the record predates)
    evidence: str | None = None  # sha256 of the body that first showed it (None: no body kept)


@dataclass(frozen=True, slots=True)
class CheckRun:
    """One capture row: a single check, or a run of checks that confirmed the same version the same way."""

    started_at: dt.datetime
    last_at: dt.datetime
    checks: int
    outcome: str  # storage.store.Outcome: new_version, unchanged, not_modified, degraded_kept, missing, error, …
    verdict: str | None
    http_status: int | None
    error: str | None
    version: int | None  # the version it made or confirmed
    longest_gap_s: int | None  # the longest time between two of its checks
    evidence: str | None = None  # sha256 of the body kept with it
    reasons: tuple[str, ...] = ()  # why its parse was degraded


@dataclass(frozen=True, slots=True)
class MeasureHistory:
    url: str
    site: str
    identifier: str
    language: str | None
    name: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    removed_at: dt.datetime | None
    merged_into: str | None
    versions: tuple[VersionEntry, ...]
    runs: tuple[CheckRun, ...]
    events: tuple[ChangeEvent, ...]  # oldest first

    @property
    def current(self) -> VersionEntry | None:
        return self.versions[-1] if self.versions else None

    @property
    def last_checked_at(self) -> dt.datetime | None:
        return max((r.last_at for r in self.runs), default=None)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    base_url: str
    plan_name: str | None
    last_crawl_at: dt.datetime | None
    last_crawl_status: str | None
    unreachable_since: dt.datetime | None
