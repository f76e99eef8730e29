"""Subscriptions: who gets which events. Stored in the database; the configuration
file's ``[[subscription]]`` tables are synced into it (``source = "config"``), and
``vahti subscribe`` adds more (``source = "cli"``).

A subscription matches an event when every filter it sets matches (an empty
filter matches everything): site, measure (identifier or URL), category of the
measure, kind (``task.*`` for a family), and a case-insensitive text match on
the event's subject or summary. Flaps can be left out.

>>> f = Filters(kinds=("task.*", "contact.removed"), text="koulu")
>>> f.matches(site="https://x", measure="91", url="https://x/actions/91", categories=("Koulutus",),
...           kind="task.completed", subject="Koulujen yhteistyö", summary="", flags=())
True
>>> f.matches(site="https://x", measure="91", url="https://x/actions/91", categories=(),
...           kind="status.changed", subject="status", summary="", flags=())
False
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.labels import fold
from storage.models import Subscription
from vahti.config import SubscriptionConfig
from vahti.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Filters:
    sites: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str | None = None
    include_flaps: bool = True

    def matches(self, *, site: str, measure: str, url: str, categories: tuple[str, ...], kind: str, subject: str,
                summary: str, flags: tuple[str, ...]) -> bool:
        if self.sites and site.rstrip("/") not in {s.rstrip("/") for s in self.sites}:
            return False
        if self.measures and measure not in self.measures and url not in self.measures:
            return False
        if self.categories and not {fold(c) for c in categories} & {fold(c) for c in self.categories}:
            return False
        if self.kinds and not any(kind == k or (k.endswith(".*") and kind.startswith(k[:-1])) for k in self.kinds):
            return False
        if self.text and fold(self.text) not in fold(subject) and fold(self.text) not in fold(summary):
            return False
        return self.include_flaps or "flap" not in flags

    def to_json(self) -> str:
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if k != "include_flaps"}
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def of(cls, row: Subscription) -> Filters:
        data: dict[str, Any] = json.loads(row.filters or "{}")
        return cls(sites=tuple(data.get("sites", ())), measures=tuple(data.get("measures", ())),
                   categories=tuple(data.get("categories", ())), kinds=tuple(data.get("kinds", ())),
                   text=data.get("text"), include_flaps=row.include_flaps)


def filters_of(sub: SubscriptionConfig) -> Filters:
    return Filters(sites=sub.sites, measures=sub.measures, categories=sub.categories, kinds=sub.kinds, text=sub.text,
                   include_flaps=sub.include_flaps)


def upsert(session: Session, sub: SubscriptionConfig, *, source: str, now: dt.datetime) -> Subscription:
    row = session.scalar(select(Subscription).where(Subscription.name == sub.name))
    if row is not None and row.source != source:
        raise ConfigError(f"subscription {sub.name!r} already exists (made by {row.source}); choose another name")
    if row is None:
        row = Subscription(name=sub.name, source=source, created_at=now)
        session.add(row)
    row.channel, row.target, row.mode, row.digest_hour = sub.channel, sub.target, sub.mode, sub.digest_hour
    row.filters, row.include_flaps = filters_of(sub).to_json(), sub.include_flaps
    row.secret_env, row.active = sub.secret_env, True
    session.flush()
    return row


def sync_config(session: Session, subs: tuple[SubscriptionConfig, ...], now: dt.datetime) -> None:
    """Make the database's config-made subscriptions match the configuration file."""
    names = {s.name for s in subs}
    for sub in subs:
        upsert(session, sub, source="config", now=now)
    for row in session.scalars(select(Subscription).where(Subscription.source == "config")):
        if row.name not in names:
            row.active = False


def remove(session: Session, name: str) -> Subscription:
    row = session.scalar(select(Subscription).where(Subscription.name == name))
    if row is None or not row.active:
        raise ConfigError(f"no subscription named {name!r}")
    if row.source == "config":
        raise ConfigError(f"subscription {name!r} comes from the configuration file: remove it there")
    row.active = False  # kept: its messages and deliveries stay explained
    return row


def describe(row: Subscription) -> dict[str, Any]:
    filters = Filters.of(row)
    return {"name": row.name, "source": row.source, "channel": row.channel, "target": row.target, "mode": row.mode,
            "digest_hour": row.digest_hour if row.mode == "daily" else None, "active": row.active,
            "filters": {k: v for k, v in json.loads(filters.to_json()).items() if v},
            "include_flaps": row.include_flaps}
