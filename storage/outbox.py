"""The outbox: events queued for subscriptions, batched into messages, sent at least once.

* ``queue`` (called by ``vahti.app.ingest`` in the event's own transaction) turns each
  event × matching subscription into a delivery row: nothing can be lost between
  "changed" and "queued".
* ``prepare`` (the delivery round, ``vahti.app.delivery``) batches a subscription's queued
  deliveries into one message (one per crawl for immediate subscriptions, one a day for
  daily digests) and records it *before* it is sent; ``record_sent`` marks it sent after. A deliverer
  killed in between resends the same message with the same idempotency key, so a
  receiver sees at most one duplicate and can drop it.
* A failed send is retried with exponential backoff and jitter; after
  ``max_attempts`` the message is marked failed (and shown by ``vahti deliveries``
  and ``vahti status``), and later events still go out in new messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import literal, select, update
from sqlalchemy.orm import Session

from storage.events import to_event
from storage.models import Delivery, Event, Lock, MeasureRow, Message, Site, Subscription, Version
from storage.subscriptions import filters_of
from vahti.clock import utcnow
from vahti.config import Mode
from vahti.events import ChangeEvent
from vahti.messages import Outgoing
from vahti.record import Measure




# -- queueing ---------------------------------------------------------------------------

def queue(session: Session, events: list[Event], now: dt.datetime) -> int:
    """Deliveries for every event × matching active subscription (idempotent)."""
    if not events:
        return 0
    if session.connection().execute(_ANY_ACTIVE).first() is None:
        return 0  # the common case, asked in one plain statement
    subs = list(session.scalars(_ACTIVE))
    if not subs:
        return 0
    n = 0
    for event in events:
        measure = session.get(MeasureRow, event.measure_id) if event.measure_id is not None else None
        site = session.get(Site, event.site_id if event.site_id is not None else measure.site_id if measure else 0)
        assert site is not None
        categories = _categories(session, measure.id) if measure is not None else ()
        for sub in subs:
            filters = filters_of(sub)
            if measure is None:  # about the whole site: its site and kind filters decide
                filters = dataclasses.replace(filters, measures=(), categories=(), text=None)
            if not filters.matches(site=site.base_url, measure=measure.identifier if measure else "",
                                   url=measure.url if measure else site.base_url, categories=categories,
                                   kind=event.kind, subject=event.subject, summary=event.summary,
                                   flags=tuple(event.flags.split())):
                continue
            exists = session.scalar(select(Delivery.id).where(Delivery.subscription_id == sub.id,
                                                             Delivery.event_id == event.id))
            if exists is None:
                session.add(Delivery(subscription_id=sub.id, event_id=event.id, created_at=now))
                n += 1
    session.flush()
    return n


_ACTIVE = select(Subscription).where(Subscription.active.is_(True))  # asked at every store with events
_ANY_ACTIVE = select(Subscription.id).where(Subscription.active.is_(True)).limit(1)


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
    """The messages due now: pending ones whose retry time came, then new batches.

    A new batch leaves out the events of sites being crawled right now (their crawl's lease is
    held): a crawl's events go out together, in one message, once it is done.
    """
    out: list[Outgoing] = []
    crawling = (select(Site.id).join(Lock, Lock.name == literal("crawl:") + Site.base_url)
                .where(Lock.expires_at > utcnow()).scalar_subquery())
    for sub in session.scalars(select(Subscription).where(Subscription.active.is_(True)).order_by(Subscription.id)):
        pending = list(session.scalars(select(Message).where(
            Message.subscription_id == sub.id, Message.status == "pending").order_by(Message.id)))
        for msg in pending:
            if msg.next_attempt_at <= now:
                out.append(_outgoing(session, sub, msg))
        if pending:
            continue  # one message in flight per subscription keeps the order of events
        queued = list(session.scalars(select(Delivery).join(Event, Event.id == Delivery.event_id).where(
            Delivery.subscription_id == sub.id, Delivery.message_id.is_(None),
            Event.site_id.not_in(crawling)).order_by(Delivery.event_id)))
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
        .outerjoin(MeasureRow, MeasureRow.id == Event.measure_id).join(Site, Site.id == Event.site_id)
        .where(Delivery.message_id == msg.id).order_by(Event.observed_at, Event.id)).all()
    return Outgoing(message_id=msg.id, idempotency_key=msg.idempotency_key, subscription=sub.name,
                    channel=sub.channel, target=sub.target, mode=cast(Mode, sub.mode), secret_env=sub.secret_env,
                    events=tuple(to_event(e, m, s) for e, m, s in rows),
                    attempt=msg.attempts + 1)


# -- recording attempts ------------------------------------------------------------------------

def record_sent(session: Session, message_id: int, now: dt.datetime) -> None:
    msg = session.get(Message, message_id)
    assert msg is not None
    msg.attempts += 1
    msg.status, msg.sent_at, msg.last_error = "sent", now, None


def record_failure(session: Session, message_id: int, error: str, now: dt.datetime, *, max_attempts: int,
                   backoff: Callable[[int], float]) -> tuple[int, float | None]:
    """Count a failed attempt: (attempts so far, seconds until the next one, or None when it failed for good)."""
    msg = session.get(Message, message_id)
    assert msg is not None
    msg.attempts += 1
    msg.last_error = error
    if msg.attempts >= max_attempts:
        msg.status = "failed"
        return msg.attempts, None
    wait = backoff(msg.attempts)
    msg.next_attempt_at = now + dt.timedelta(seconds=wait)
    return msg.attempts, wait


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


def subscription_events(session: Session, name: str, *, limit: int) -> list[ChangeEvent]:
    """The newest events batched into the messages of subscription ``name`` (what its Atom file shows)."""
    rows = session.execute(
        select(Event, MeasureRow, Site).join(Delivery, Delivery.event_id == Event.id)
        .join(Subscription, Subscription.id == Delivery.subscription_id)
        .join(Message, Message.id == Delivery.message_id)
        .outerjoin(MeasureRow, MeasureRow.id == Event.measure_id).join(Site, Site.id == Event.site_id)
        .where(Subscription.name == name)
        .order_by(Event.observed_at.desc(), Event.id.desc()).limit(limit)).all()
    return [to_event(e, m, s) for e, m, s in rows]
