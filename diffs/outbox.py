"""The outbox: events queued for subscriptions, batched into messages, sent at least once.

* ``queue`` (called by ``vahti.ingest`` in the event's own transaction) turns each
  event × matching subscription into a delivery row: nothing can be lost between
  "changed" and "queued".
* ``deliver`` batches a subscription's queued deliveries into one message (one per
  crawl for immediate subscriptions, one a day for daily digests), records the
  message *before* sending it, sends it, and only then marks it sent. A deliverer
  killed in between resends the same message with the same idempotency key, so a
  receiver sees at most one duplicate and can drop it.
* A failed send is retried with exponential backoff and jitter; after
  ``max_attempts`` the message is marked failed (and shown by ``vahti deliveries``
  and ``vahti status``), and later events still go out in new messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from diffs.events import ChangeEvent
from diffs.observe import to_event
from diffs.subscriptions import Filters
from storage.models import Delivery, Event, MeasureRow, Message, Site, Subscription, Version
from storage.store import Store
from vahti.config import AlertsConfig
from vahti.errors import DeliveryError
from vahti.record import Measure

log = logging.getLogger("vahti.alerts")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message on its way: what a channel needs to send it."""

    message_id: int
    idempotency_key: str
    subscription: str
    channel: str
    target: str
    mode: str
    secret_env: str | None
    filters: Filters
    events: tuple[ChangeEvent, ...]
    attempt: int


class Channel(Protocol):
    """Sends messages one way (e-mail, webhook, Atom file). ``disabled`` says why it cannot."""

    name: str
    disabled: str | None

    def send(self, message: Outgoing) -> None: ...


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # idempotency keys
    retrying: list[tuple[str, str]] = field(default_factory=list)  # (key, error)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (subscription, reason)

    def to_dict(self) -> dict[str, object]:
        return {"sent": self.sent, "retrying": [list(x) for x in self.retrying],
                "failed": [list(x) for x in self.failed], "skipped": [list(x) for x in self.skipped]}


# -- queueing ---------------------------------------------------------------------------

def queue(session: Session, events: list[Event], now: dt.datetime) -> int:
    """Deliveries for every event × matching active subscription (idempotent)."""
    if not events:
        return 0
    subs = list(session.scalars(select(Subscription).where(Subscription.active.is_(True))))
    if not subs:
        return 0
    n = 0
    for event in events:
        measure = session.get(MeasureRow, event.measure_id)
        assert measure is not None
        site = session.get(Site, measure.site_id)
        assert site is not None
        categories = _categories(session, measure.id)
        for sub in subs:
            if not Filters.of(sub).matches(site=site.base_url, measure=measure.identifier, url=measure.url,
                                           categories=categories, kind=event.kind, subject=event.subject,
                                           summary=event.summary, flags=tuple(event.flags.split())):
                continue
            exists = session.scalar(select(Delivery.id).where(Delivery.subscription_id == sub.id,
                                                             Delivery.event_id == event.id))
            if exists is None:
                session.add(Delivery(subscription_id=sub.id, event_id=event.id, created_at=now))
                n += 1
    session.flush()
    return n


def _categories(session: Session, measure_id: int) -> tuple[str, ...]:
    latest = session.scalar(select(Version.record).where(Version.measure_id == measure_id)
                            .order_by(Version.number.desc()).limit(1))
    return Measure.from_json(latest).categories if latest else ()


# -- batching ------------------------------------------------------------------------------

def digest_due(sub: Subscription, now: dt.datetime) -> bool:
    if sub.mode != "daily":
        return True
    today = now.replace(hour=sub.digest_hour, minute=0, second=0, microsecond=0)
    return now >= today and (sub.last_digest_at is None or sub.last_digest_at < today)


def prepare(session: Session, now: dt.datetime) -> list[Outgoing]:
    """The messages due now: pending ones whose retry time came, then new batches."""
    out: list[Outgoing] = []
    for sub in session.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)):
        pending = list(session.scalars(select(Message).where(
            Message.subscription_id == sub.id, Message.status == "pending").order_by(Message.id)))
        for msg in pending:
            if msg.next_attempt_at <= now:
                out.append(_outgoing(session, sub, msg))
        if pending:
            continue  # one message in flight per subscription keeps the order of events
        queued = list(session.scalars(select(Delivery).where(
            Delivery.subscription_id == sub.id, Delivery.message_id.is_(None)).order_by(Delivery.event_id)))
        if not queued or not digest_due(sub, now):
            continue
        ids = ",".join(str(d.event_id) for d in queued)
        key = "vahti-" + hashlib.sha256(f"{sub.id}:{ids}".encode()).hexdigest()[:32]
        msg = Message(subscription_id=sub.id, idempotency_key=key, status="pending", events=len(queued), attempts=0,
                      next_attempt_at=now, created_at=now)
        session.add(msg)
        session.flush()
        session.execute(update(Delivery).where(Delivery.id.in_([d.id for d in queued])).values(message_id=msg.id))
        if sub.mode == "daily":
            sub.last_digest_at = now
        out.append(_outgoing(session, sub, msg))
    return out


def _outgoing(session: Session, sub: Subscription, msg: Message) -> Outgoing:
    rows = session.execute(
        select(Event, MeasureRow, Site).join(Delivery, Delivery.event_id == Event.id)
        .join(MeasureRow, MeasureRow.id == Event.measure_id).join(Site, Site.id == MeasureRow.site_id)
        .where(Delivery.message_id == msg.id).order_by(Event.observed_at, Event.id)).all()
    return Outgoing(message_id=msg.id, idempotency_key=msg.idempotency_key, subscription=sub.name,
                    channel=sub.channel, target=sub.target, mode=sub.mode, secret_env=sub.secret_env,
                    filters=Filters.of(sub), events=tuple(to_event(e, m, s) for e, m, s in rows),
                    attempt=msg.attempts + 1)


# -- sending ---------------------------------------------------------------------------------

def deliver(store: Store, channels: Mapping[str, Channel], alerts: AlertsConfig,
            now: dt.datetime, *, rng: random.Random | None = None) -> DeliveryReport:
    """One round: send what is due. Safe to run again at any time, and after a crash."""
    rng = rng or random.Random()
    report = DeliveryReport()
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
                msg = session.get(Message, out.message_id)
                assert msg is not None
                msg.attempts += 1
                msg.last_error = error
                if msg.attempts >= alerts.max_attempts:
                    msg.status = "failed"
                    report.failed.append((out.idempotency_key, error))
                    log.error("delivery %s to %s failed for good after %d attempts: %s", out.idempotency_key,
                              out.subscription, msg.attempts, error)
                else:
                    wait = alerts.retry_base * 2 ** (msg.attempts - 1) * rng.uniform(0.5, 1.0)
                    msg.next_attempt_at = now + dt.timedelta(seconds=wait)
                    report.retrying.append((out.idempotency_key, error))
                    log.warning("delivery %s to %s failed (attempt %d), retrying in %.0fs: %s",
                                out.idempotency_key, out.subscription, msg.attempts, wait, error)
            continue
        with store.transaction() as session:
            msg = session.get(Message, out.message_id)
            assert msg is not None
            msg.attempts += 1
            msg.status, msg.sent_at, msg.last_error = "sent", now, None
        report.sent.append(out.idempotency_key)
        log.info("sent %s (%d events) to %s", out.idempotency_key, len(out.events), out.subscription)
    return report


@dataclass
class OutboxView:
    messages: list[dict[str, Any]]
    queued: dict[str, int]  # subscription → events waiting for its next message


def outbox(session: Session, *, status: str = "all", limit: int = 50) -> OutboxView:
    """What ``vahti deliveries`` shows: messages (newest first) and events still queued."""
    from sqlalchemy import func

    query = (select(Message, Subscription.name).join(Subscription, Subscription.id == Message.subscription_id)
             .order_by(Message.id.desc()).limit(limit))
    if status != "all":
        query = query.where(Message.status == status)
    messages = [{"key": m.idempotency_key, "subscription": name, "status": m.status, "events": m.events,
                 "attempts": m.attempts, "created_at": m.created_at.isoformat(),
                 "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                 "next_attempt_at": m.next_attempt_at.isoformat() if m.status == "pending" else None,
                 "last_error": m.last_error} for m, name in session.execute(query).all()]
    queued = dict(session.execute(select(Subscription.name, func.count()).join(
        Delivery, Delivery.subscription_id == Subscription.id).where(Delivery.message_id.is_(None))
        .group_by(Subscription.name)).all())
    return OutboxView(messages, {str(k): int(v) for k, v in queued.items()})
