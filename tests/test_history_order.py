"""History is ordered by capture time, whatever order the captures arrive in."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from scraper import parse
from storage import queries
from storage.models import Delivery, Event, Version
from storage.store import FetchInfo, Store
from storage.subscriptions import upsert
from vahti.app.ingest import ingest
from vahti.config import SubscriptionConfig
from vahti.record import ParseResult
from vahti.samples.pages import app_router_page
from vahti.samples.spec import spec_91

SITE = "https://ilmastovahti.hel.fi"
URL = f"{SITE}/actions/91"
T0 = dt.datetime(2020, 5, 20, 6, tzinfo=dt.timezone.utc)


def captures() -> list[tuple[dt.datetime, bytes, ParseResult]]:
    """Eight dated captures of real pages: four different records, some seen twice."""
    out = []
    for day, edit in [(0, 0), (3, 0), (10, 1), (11, 1), (20, 2), (30, 3), (31, 3), (40, 1)]:
        spec = spec_91("fi")
        if edit:
            spec["tasks"][0]["name"] += f" ({edit})"
            spec["updated_day"] = f"2020-06-{edit:02d}"
            spec["updated_at"] = f"2020-06-{edit:02d}T08:00:00+00:00"
        body = (app_router_page(spec) + f"<!-- {day} -->").encode()
        out.append((T0 + dt.timedelta(days=day), body, parse(body, URL)))
    return out


def history(store: Store) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], str]:
    with store.reading() as s:
        versions = [(v.number, v.record_hash, v.first_seen_at, v.last_seen_at)
                    for v in s.scalars(select(Version).order_by(Version.number))]
        events = sorted((e.kind, e.subject, str(e.before), str(e.after), e.observed_at, e.from_version, e.to_version)
                        for e in s.scalars(select(Event)))
        latest = queries.version(s, queries.resolve_measure(s, "91"))
        assert latest is not None
        return versions, events, latest.record_hash


def test_shuffled_imports_give_the_history_of_the_sorted_order(db_url: str) -> None:
    items = captures()
    results = []
    for order in (sorted(items, key=lambda x: x[0]), random.Random(3).sample(items, len(items)),
                  list(reversed(items))):
        db = db_url if db_url.startswith("postgresql") else db_url.replace(".db", f"{len(results)}.db")
        if db_url.startswith("postgresql") and results:
            from helpers import make_pg_database
            db, drop = make_pg_database()
        store = Store.open(db)
        for when, body, result in order:
            ingest(store, site=SITE, url=URL, fetch=FetchInfo(when, 200), result=result, body=body)
        results.append(history(store))
        store.close()
        if db_url.startswith("postgresql") and len(results) > 1:
            drop()
    sorted_history = results[0]
    assert len(sorted_history[0]) == 5  # 0, 10, 20, 30, 40: the record of day 40 repeats day 10's, a version anew
    for other in results[1:]:
        assert other == sorted_history


def test_an_old_import_after_a_crawl_keeps_latest_and_alerts_nobody(store: Store) -> None:
    items = captures()
    with store.transaction() as s:
        upsert(s, SubscriptionConfig.from_dict({"name": "desk", "email": "desk@example.org"}), source="cli",
               now=T0)
    newest = items[-1]
    first = ingest(store, site=SITE, url=URL, fetch=FetchInfo(newest[0], 200), result=newest[2], body=newest[1])
    assert first.stored.outcome == "new_version"
    with store.reading() as s:
        queued = s.scalar(select(Delivery.id).limit(1))
    assert queued is not None  # the crawl's own "new measure" event went to the desk
    old = items[0]
    placed = ingest(store, site=SITE, url=URL, fetch=FetchInfo(old[0], 200), result=old[2], body=old[1])
    assert placed.events == () and (placed.stored.outcome, placed.stored.version) == ("new_version", 1)
    _, events, latest = history(store)
    assert newest[2].record is not None and latest == newest[2].record.content_hash()  # latest stays the newest
    with store.reading() as s:
        backfilled = list(s.scalars(select(Event).where(Event.flags.contains("backfilled"))))
        assert backfilled and all(e.from_version == 1 and e.to_version == 2 for e in backfilled)
        added = s.scalar(select(Event).where(Event.kind == "measure.added"))
        assert added is not None and added.observed_at == old[0] and "backfilled" not in added.flags
        deliveries = s.scalars(select(Delivery.event_id)).all()
        assert not {e.id for e in backfilled} & set(deliveries)  # never queued to subscribers
