"""The schema, as typed SQLAlchemy 2 models. Times are UTC (``UTCDateTime``).

::

    sites ─< measures ─< versions ─< (task_states, contact_states: valid from/until a version)
                  ├────< captures >── blobs (raw bodies, content-addressed, zstd / zstd deltas)
                  └────< events ─< deliveries >── subscriptions
                                       deliveries >── messages (the outbox)

* ``captures``: every fetch attempt and what came of it.
* ``versions``: every distinct record of a measure (found by the record's hash).
* ``task_states`` / ``contact_states``: one row per distinct state of a task or
  contact, valid from version *n* until (not including) version *m*, as
  git-history's ``item_version`` does, so task and contact history are plain SQL.

The migrations make the schema of an existing database; a new one is built from these models
(``storage.migrate.create_database``). A test holds the two equal, column order included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC.

    SQLite drops offsets, so every value is converted to UTC on the way in and
    marked UTC on the way out. A naive datetime is refused: it is a bug.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware (UTC) one")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    base_url: Mapped[str] = mapped_column(String(500), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    unreachable_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # open site.unreachable episode
    unreachable_crawls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in a row
    watched: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # `vahti sites add`
    settings: Mapped[str | None] = mapped_column(Text)  # its [[site]] keys as JSON, when watched
    plan_name: Mapped[str | None] = mapped_column(Text)  # what the site said when added
    generation: Mapped[str | None] = mapped_column(String(32))

    measures: Mapped[list[MeasureRow]] = relationship(back_populates="site")


class MeasureRow(Base):
    __tablename__ = "measures"
    __table_args__ = (Index("ix_measures_site_identifier", "site_id", "identifier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    identifier: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(16))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    merged_into: Mapped[str | None] = mapped_column(String(200))
    missing_checks: Mapped[int] = mapped_column(Integer, default=0)
    degraded_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # open parse.degraded episode
    name: Mapped[str | None] = mapped_column(Text)  # the latest version's name

    site: Mapped[Site] = relationship(back_populates="measures")


class Blob(Base):
    """A raw body, stored once: zstd, or a zstd delta against a full ``base`` blob."""

    __tablename__ = "blobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    codec: Mapped[str] = mapped_column(String(16))
    base_id: Mapped[int | None] = mapped_column(ForeignKey("blobs.id"))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Capture(Base):
    """One fetch attempt (or import) of a measure URL and its outcome."""

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_measure_time", "measure_id", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    url: Mapped[str | None] = mapped_column(String(1000))  # only when no measure row
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    http_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    bytes: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    blob_id: Mapped[int | None] = mapped_column(ForeignKey("blobs.id"))
    verdict: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"))
    meta: Mapped[str | None] = mapped_column(Text)  # parse metadata JSON when not a clean ok
    # A run: an unchanged (or 304) check extends the row that confirmed the same version the same
    # way just before, so a year of hourly checks of an unchanged page is one row, not 8,760.
    checks: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # the run's last check (None: one)
    longest_gap_s: Mapped[int | None] = mapped_column(Integer)  # the longest time between two of its checks
    headers: Mapped[str | None] = mapped_column(Text)  # the answer's headers ([[name, value], …]) with a body


class Version(Base):
    """A distinct record of a measure: number 1, 2, … in the order first seen."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("measure_id", "number", name="uq_versions_measure_number"),
        Index("ix_versions_first_seen", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    number: Mapped[int] = mapped_column(Integer)
    record: Mapped[str] = mapped_column(Text)
    record_hash: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    parser: Mapped[str] = mapped_column(String(64))
    generation: Mapped[str] = mapped_column(String(16))
    extraction: Mapped[str] = mapped_column(String(16))
    unobserved: Mapped[str] = mapped_column(Text, default="[]")
    # Captures point at versions (FK); these point back without a constraint, so
    # the two tables need no cycle of foreign keys.
    first_capture_id: Mapped[int | None] = mapped_column(Integer)
    last_capture_id: Mapped[int | None] = mapped_column(Integer)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Event(Base):
    """A change event, stored once per version pair (or per capture, for lifecycle and parse events;
    or per crawl, for a whole site's health: then it has no measure)."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("measure_id", "event_key", name="uq_events_measure_event_key"),
        Index("ix_events_observed", "observed_at"),
        Index("ix_events_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id"))
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    event_key: Mapped[str] = mapped_column(String(700))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)  # JSON
    after: Mapped[str | None] = mapped_column(Text)  # JSON
    summary: Mapped[str] = mapped_column(Text)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[str] = mapped_column(String(100), default="")  # space-separated: touched_only silent_edit flap
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))


class Subscription(Base):
    """Who gets which events, how (e-mail, webhook, Atom file) and when (immediately, daily)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # "config" (vahti.toml) or "cli" (vahti subscribe)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(1000))
    mode: Mapped[str] = mapped_column(String(16))
    digest_hour: Mapped[int] = mapped_column(Integer, default=7)
    filters: Mapped[str] = mapped_column(Text, default="{}")  # JSON: sites, measures, categories, kinds, text
    include_flaps: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_env: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_digest_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Message(Base):
    """One outgoing message (a batch of events for one subscription), sent at least once."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, failed
    events: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """An event for a subscription: queued, then part of a message."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_deliveries_subscription_event"),
                      Index("ix_deliveries_queue", "subscription_id", "message_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Crawl(Base):
    """One crawl of one site: when, how it ended, what it counted."""

    __tablename__ = "crawls"
    __table_args__ = (Index("ix_crawls_site_started", "site_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # running, ok, partial, failed, interrupted
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON of the crawl summary's totals
    error: Mapped[str | None] = mapped_column(Text)
    runner: Mapped[str | None] = mapped_column(String(200))  # host:pid of the process that ran it


class Lock(Base):
    """A named lease in the database: one crawler per site, across processes and hosts."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class _ValidRange:
    """A child row of a measure valid from version ``valid_from`` until before ``valid_until`` (null: still)."""

    # sort_order: the table's columns in the migrations' order: id, measure_id, the row's key (-1 in the
    # subclass, placed before these of the mixin), valid_from, valid_until, then the rest.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-2)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), sort_order=-2)
    valid_from: Mapped[int] = mapped_column(Integer, sort_order=-1)
    valid_until: Mapped[int | None] = mapped_column(Integer, sort_order=-1)


class TaskState(_ValidRange, Base):
    """A task as it stood over a range of versions."""

    __tablename__ = "task_states"
    __table_args__ = (Index("ix_task_states_measure_open", "measure_id", "valid_until"),)

    task_key: Mapped[str] = mapped_column(String(600), sort_order=-1)
    task_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    completed_date: Mapped[dt.date | None] = mapped_column(Date)
    due_period: Mapped[str | None] = mapped_column(String(7))
    comment: Mapped[str | None] = mapped_column(Text)


class ContactState(_ValidRange, Base):
    """A contact person as they stood over a range of versions."""

    __tablename__ = "contact_states"
    __table_args__ = (Index("ix_contact_states_measure_open", "measure_id", "valid_until"),)

    contact_key: Mapped[str] = mapped_column(String(300), sort_order=-1)
    contact_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(500))
    organization: Mapped[str | None] = mapped_column(String(500))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

