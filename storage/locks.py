"""Leases in the database: at most one holder of a name at a time, across processes.

A lease expires unless renewed, so a holder that died (kill -9, power cut) does
not block the next one for longer than ``ttl``; a holder on this same host whose
process is gone is recognised at once, so a crawl killed with ``kill -9`` can be
restarted straight away. Works the same on SQLite and
PostgreSQL: taking a lease is an INSERT (the name is the primary key) or, for an
expired lease, an UPDATE guarded by its expiry, each in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from storage.models import Lock
from storage.store import Store
from vahti.clock import utcnow

DEFAULT_TTL = dt.timedelta(minutes=10)


def whoami() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire(store: Store, name: str, *, owner: str | None = None, ttl: dt.timedelta = DEFAULT_TTL,
            now: dt.datetime | None = None) -> bool:
    owner = owner or whoami()
    now = now or utcnow()
    try:
        with store.writing() as session:
            session.add(Lock(name=name, owner=owner, acquired_at=now, expires_at=now + ttl))
        return True
    except IntegrityError:
        pass
    with store.writing() as session:
        current = session.get(Lock, name)
        if current is not None and current.expires_at >= now and _dead_here(current.owner):
            expired = Lock.owner == current.owner  # its holder died on this host: take it over
        else:
            expired = Lock.expires_at < now
        taken = session.execute(update(Lock).where(Lock.name == name, expired)
                                .values(owner=owner, acquired_at=now, expires_at=now + ttl))
        return bool(taken.rowcount)  # type: ignore[attr-defined]


def _dead_here(owner: str) -> bool:
    """True when ``owner`` (host:pid) names a process of this host that no longer runs."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def renew(store: Store, name: str, *, owner: str | None = None, ttl: dt.timedelta = DEFAULT_TTL) -> bool:
    owner = owner or whoami()
    with store.writing() as session:
        done = session.execute(update(Lock).where(Lock.name == name, Lock.owner == owner)
                               .values(expires_at=utcnow() + ttl))
        return bool(done.rowcount)  # type: ignore[attr-defined]


def release(store: Store, name: str, *, owner: str | None = None) -> None:
    owner = owner or whoami()
    with store.writing() as session:
        session.execute(delete(Lock).where(Lock.name == name, Lock.owner == owner))


@contextmanager
def held(store: Store, name: str, *, ttl: dt.timedelta = DEFAULT_TTL) -> Iterator[bool]:
    """``with held(store, "crawl:…") as got:`` — ``got`` is False when someone else holds it."""
    owner = whoami()
    got = acquire(store, name, owner=owner, ttl=ttl)
    try:
        yield got
    finally:
        if got:
            release(store, name, owner=owner)
