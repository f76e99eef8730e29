"""``vahti status``: is everything running, and is anything wrong?

Per site: the last crawl (when, how it ended, its counts), the next scheduled run
(from the daemon's job store), consecutive crawls that were not clean, and the
measures whose "updated" day is older than a threshold (stale). Then the outbox:
queued events, pending and failed messages.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, inspect, select, text

from storage.models import Crawl, Delivery, MeasureRow, Message, Site, Version
from storage.store import Store
from vahti.clock import utcnow
from vahti.config import JOBS_TABLE
from vahti.record import Measure
from vahti.text import natural_key

STALE_AFTER = dt.timedelta(days=180)


def status(store: Store, *, stale_after: dt.timedelta = STALE_AFTER, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    out: dict[str, Any] = {"checked_at": now.isoformat(), "sites": [], "alerts": {}}
    next_runs = _next_runs(store)
    with store.reading() as session:
        for site in session.scalars(select(Site).order_by(Site.base_url)):
            crawls = list(session.scalars(select(Crawl).where(Crawl.site_id == site.id)
                                          .order_by(Crawl.started_at.desc()).limit(50)))
            last = next((c for c in crawls if c.status != "running"), None)
            failures = 0
            for c in crawls:
                if c.status == "running":
                    continue
                if c.status in ("ok", "interrupted"):
                    break
                failures += 1
            measures = list(session.scalars(select(MeasureRow).where(MeasureRow.site_id == site.id)))
            stale = []
            for m in measures:
                if m.removed_at is not None:
                    continue
                latest = session.scalar(select(Version.record).where(Version.measure_id == m.id)
                                        .order_by(Version.number.desc()).limit(1))
                if latest is None:
                    continue
                updated = Measure.from_json(latest).updated_on
                if updated is not None and (now.date() - updated) > stale_after:
                    stale.append({"measure": m.identifier, "name": m.name, "url": m.url,
                                  "updated_on": updated.isoformat()})
            running = next((c for c in crawls if c.status == "running"), None)
            out["sites"].append({
                "site": site.base_url,
                "measures": sum(m.removed_at is None for m in measures),
                "removed": sum(m.removed_at is not None for m in measures),
                "degraded": sum(m.degraded_since is not None for m in measures),
                "last_crawl": None if last is None else {
                    "started_at": last.started_at.isoformat(),
                    "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                    "status": last.status, "error": last.error, **json.loads(last.counts or "{}")},
                "running_since": running.started_at.isoformat() if running else None,
                "next_run": next_runs.get(f"crawl:{site.base_url}"),
                "consecutive_failures": failures,
                "stale": sorted(stale, key=lambda s: (s["updated_on"], natural_key(s["measure"] or ""))),
            })
        out["alerts"] = {
            "queued": int(session.scalar(select(func.count()).select_from(Delivery)
                                         .where(Delivery.message_id.is_(None))) or 0),
            "pending": int(session.scalar(select(func.count()).select_from(Message)
                                          .where(Message.status == "pending")) or 0),
            "failed": int(session.scalar(select(func.count()).select_from(Message)
                                         .where(Message.status == "failed")) or 0),
            "next_delivery": next_runs.get("deliver"),
        }
    return out


def _next_runs(store: Store) -> dict[str, str | None]:
    if JOBS_TABLE not in inspect(store.engine).get_table_names():
        return {}
    with store.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}")).all()
    return {job_id: (dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat() if t is not None else None)
            for job_id, t in rows}


def render(report: dict[str, Any], *, stale_days: int) -> str:
    lines = []
    for s in report["sites"]:
        lines.append(f"{s['site']}  ({s['measures']} measures, {s['removed']} removed, {s['degraded']} degraded)")
        last = s["last_crawl"]
        if last is None:
            lines.append("  last crawl: never")
        else:
            keys = ("seen", "new_versions", "not_modified", "failed")
            counts = ", ".join(f"{k} {last[k]}" for k in keys if k in last)
            lines.append(f"  last crawl: {last['started_at'][:19]} UTC, {last['status']}"
                         + (f" ({counts})" if counts else "") + (f" — {last['error']}" if last["error"] else ""))
        if s["running_since"]:
            lines.append(f"  crawling now, since {s['running_since'][:19]} UTC")
        lines.append(f"  next run: {s['next_run'][:19] + ' UTC' if s['next_run'] else 'not scheduled (vahti run)'}")
        if s["consecutive_failures"]:
            lines.append(f"  ! {s['consecutive_failures']} crawl(s) in a row did not finish cleanly")
        if s["stale"]:
            lines.append(f"  ! {len(s['stale'])} measure(s) not updated in {stale_days} days: "
                         + ", ".join(f"{x['measure']} {x['name'] or ''} ({x['updated_on']})".replace("  ", " ")
                                     for x in s["stale"][:10])
                         + (" …" if len(s["stale"]) > 10 else ""))
    a = report["alerts"]
    lines.append(f"alerts: {a['queued']} event(s) queued, {a['pending']} message(s) pending, {a['failed']} failed"
                 + (" — see `vahti deliveries --status failed`" if a["failed"] else ""))
    return "\n".join(lines)
