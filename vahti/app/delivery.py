"""The delivery round: send what the outbox says is due, record each attempt.

One round is safe to run at any time and after a crash: a message is recorded
(``storage.outbox.prepare``) before it is sent and marked sent only after, so a
receiver sees at most one duplicate, and drops it by its idempotency key. A failed
send is retried with exponential backoff and jitter; after ``max_attempts`` the
message is marked failed (shown by ``vahti deliveries`` and ``vahti status``).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from diffs.alerts.channels import AppriseChannel, AtomChannel, EmailChannel, WebhookChannel
from storage.locks import acquire, release, whoami
from storage.outbox import prepare, record_failure, record_sent, subscription_events
from storage.store import Store
from vahti.clock import utcnow
from vahti.config import AlertsConfig, Config
from vahti.errors import DeliveryError
from vahti.events import ChangeEvent
from vahti.messages import Channel

log = logging.getLogger("vahti.alerts")

ATOM_ENTRIES = 200  # entries in a subscription's Atom file
DELIVERY_LEASE = "deliver"
DELIVERY_TTL = dt.timedelta(minutes=15)  # longer than any round: a holder that died is passed over after it


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # idempotency keys
    retrying: list[tuple[str, str]] = field(default_factory=list)  # (key, error)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (subscription, reason)

    def to_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "retrying": [list(x) for x in self.retrying],
                "failed": [list(x) for x in self.failed], "skipped": [list(x) for x in self.skipped]}


def default_channels(store: Store, alerts: AlertsConfig, names: dict[str, str]) -> dict[str, Channel]:
    """E-mail, webhook and Atom channels; the Atom one reads its entries from ``store``."""

    def feed(subscription: str) -> list[ChangeEvent]:
        with store.reading() as session:
            return subscription_events(session, subscription, limit=ATOM_ENTRIES)

    return {"email": EmailChannel(alerts, names=names), "webhook": WebhookChannel(alerts),
            "atom": AtomChannel(feed, names=names, report_url=alerts.report_url),
            "apprise": AppriseChannel(alerts, names=names)}


def deliver(store: Store, channels: Mapping[str, Channel], alerts: AlertsConfig,
            now: dt.datetime, *, rng: random.Random | None = None) -> DeliveryReport:
    """One round: send what is due. One round at a time per database (a lease), so two daemons on one
    database never send the same message."""
    rng = rng or random.Random()
    report = DeliveryReport()
    owner = whoami()
    if not acquire(store, DELIVERY_LEASE, owner=owner, ttl=DELIVERY_TTL):
        report.skipped.append(("*", "another process is delivering now"))
        return report
    try:
        return _round(store, channels, alerts, now, rng, report)
    finally:
        release(store, DELIVERY_LEASE, owner=owner)


def _round(store: Store, channels: Mapping[str, Channel], alerts: AlertsConfig, now: dt.datetime,
           rng: random.Random, report: DeliveryReport) -> DeliveryReport:
    with store.transaction() as session:
        outgoing = prepare(session, now)
    for out in outgoing:
        channel = channels.get(out.channel)
        if channel is None or channel.disabled:
            reason = channel.disabled if channel is not None else f"no {out.channel} channel"
            report.skipped.append((out.subscription, reason or "disabled"))
            continue
        try:
            channel.send(out)
        except DeliveryError as exc:
            error = str(exc)
            with store.transaction() as session:
                attempts, wait = record_failure(
                    session, out.message_id, error, now, max_attempts=alerts.max_attempts,
                    backoff=lambda n: alerts.retry_base * 2 ** (n - 1) * rng.uniform(0.5, 1.0))
            if wait is None:
                report.failed.append((out.idempotency_key, error))
                log.error("delivery %s to %s failed for good after %d attempts: %s", out.idempotency_key,
                          out.subscription, attempts, error)
            else:
                report.retrying.append((out.idempotency_key, error))
                log.warning("delivery %s to %s failed (attempt %d), retrying in %.0fs: %s",
                            out.idempotency_key, out.subscription, attempts, wait, error)
            continue
        with store.transaction() as session:
            record_sent(session, out.message_id, now)
        report.sent.append(out.idempotency_key)
        log.info("sent %s (%d events) to %s", out.idempotency_key, len(out.events), out.subscription)
    return report


def delivery_round(store: Store, config: Config, now: dt.datetime | None = None) -> DeliveryReport:
    """What ``vahti deliver`` and the daemon run: every channel, the configuration's site names."""
    names = {s.url: s.name for s in config.sites if s.name}
    return deliver(store, default_channels(store, config.alerts, names), config.alerts, now or utcnow())
