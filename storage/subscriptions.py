"""Subscriptions: who gets which events. Stored in the database; the configuration
file's ``[[subscription]]`` tables are synced into it (``source = "config"``), and
``vahti subscribe`` adds more (``source = "cli"``).

Which events a subscription matches is ``vahti.config.Filters``; this module keeps the rows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Subscription
from vahti.config import Filters, SubscriptionConfig
from vahti.errors import ConfigError
from vahti.redact import redact_url


def upsert(session: Session, sub: SubscriptionConfig, *, source: str, now: dt.datetime,
           replace: bool = True) -> Subscription:
    """Add ``sub``, or (with ``replace``) make an existing one of the same name and source like it."""
    row = session.scalar(select(Subscription).where(Subscription.name == sub.name))
    if row is not None and row.source != source:
        raise ConfigError(f"subscription {sub.name!r} already exists (made by {row.source}); choose another name")
    if row is not None and row.active and not replace:
        raise ConfigError(f"subscription {sub.name!r} already exists ({row.channel} {row.target}); "
                          "give --replace to change it, or choose another name")
    if row is None:
        row = Subscription(name=sub.name, source=source, created_at=now)
        session.add(row)
    row.channel, row.target, row.mode, row.digest_hour = sub.channel, sub.target, sub.mode, sub.digest_hour
    row.filters, row.include_flaps = sub.filters.to_json(), sub.filters.include_flaps
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
    filters = filters_of(row)
    target = " ".join(redact_url(t) for t in row.target.splitlines())  # never a secret in what is shown
    return {"name": row.name, "source": row.source, "channel": row.channel, "target": target, "mode": row.mode,
            "digest_hour": row.digest_hour if row.mode == "daily" else None, "active": row.active,
            "filters": {k: v for k, v in json.loads(filters.to_json()).items() if v},
            "include_flaps": row.include_flaps}


def filters_of(row: Subscription) -> Filters:
    return Filters.from_json(row.filters, include_flaps=row.include_flaps)
