"""Watched sites: the rows ``vahti sites add/list/remove`` keep, and each site's health.

A watched site carries its ``[[site]]`` keys (``settings``, JSON) so ``vahti crawl`` with no
``--site`` can crawl it as configured; removing it only clears ``watched``: its measures,
versions and events stay in the archive.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Crawl, MeasureRow, Site
from storage.store import ensure_site
from vahti.urls import canonical_site


@dataclass(frozen=True, slots=True)
class SiteHealth:
    """One stored site as ``vahti sites list`` shows it."""

    url: str
    watched: bool
    settings: dict[str, Any]
    plan_name: str | None
    generation: str | None
    measures: int
    last_crawl_at: dt.datetime | None
    last_status: str | None
    failed_in_a_row: int  # the latest crawls that ended failed, partial or interrupted
    unreachable_since: dt.datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url, "watched": self.watched, "plan_name": self.plan_name, "generation": self.generation,
            "languages": self.settings.get("languages"), "every": self.settings.get("every"),
            "cron": self.settings.get("cron"), "rate": self.settings.get("rate"), "name": self.settings.get("name"),
            "measures": self.measures,
            "last_crawl_at": self.last_crawl_at.isoformat() if self.last_crawl_at else None,
            "last_status": self.last_status, "failed_in_a_row": self.failed_in_a_row,
            "unreachable_since": self.unreachable_since.isoformat() if self.unreachable_since else None,
        }


def watch(session: Session, settings: dict[str, Any], *, plan_name: str | None, generation: str | None,
          at: dt.datetime) -> tuple[Site, bool]:
    """Store (or update) a watched site; ``True`` when it was not watched before."""
    site = ensure_site(session, settings["url"], at)
    was = site.watched
    site.watched = True
    site.settings = json.dumps(settings, ensure_ascii=False, sort_keys=True)
    site.plan_name, site.generation = plan_name, generation
    return site, not was


def unwatch(session: Session, url: str) -> tuple[bool, int]:
    """Stop watching ``url``: (whether it was watched, measures kept); ``KeyError`` if never stored."""
    site = session.scalar(select(Site).where(Site.base_url == canonical_site(url)))
    if site is None:
        raise KeyError(url)
    was = site.watched
    site.watched = False
    kept = session.scalar(select(func.count()).select_from(MeasureRow).where(MeasureRow.site_id == site.id)) or 0
    return was, int(kept)


def watched_settings(session: Session) -> list[dict[str, Any]]:
    """The ``[[site]]`` keys of every watched site, in URL order."""
    rows = session.scalars(select(Site.settings).where(Site.watched.is_(True)).order_by(Site.base_url))
    return [json.loads(s) for s in rows if s]


def health(session: Session, *, include_unwatched: bool = False) -> list[SiteHealth]:
    """Every watched (or every stored) site with its latest crawl and run of failures."""
    query = select(Site).order_by(Site.base_url)
    if not include_unwatched:
        query = query.where(Site.watched.is_(True))
    out = []
    for site in session.scalars(query):
        measures = session.scalar(select(func.count()).select_from(MeasureRow).where(MeasureRow.site_id == site.id))
        recent = session.execute(select(Crawl.started_at, Crawl.status).where(
            Crawl.site_id == site.id, Crawl.status != "running").order_by(Crawl.started_at.desc()).limit(50)).all()
        failed = 0
        for _, status in recent:
            if status == "ok":
                break
            failed += 1
        out.append(SiteHealth(
            url=site.base_url, watched=site.watched, settings=json.loads(site.settings) if site.settings else {},
            plan_name=site.plan_name, generation=site.generation, measures=int(measures or 0),
            last_crawl_at=recent[0][0] if recent else None, last_status=recent[0][1] if recent else None,
            failed_in_a_row=failed, unreachable_since=site.unreachable_since,
        ))
    return out
