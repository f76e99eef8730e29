"""One engine factory for ``--db``: a plain path is SQLite, a URL is a URL.

SQLite gets WAL (readers never wait for the writer), foreign keys, a busy
timeout and ``synchronous=NORMAL`` (durable at checkpoints, safe with WAL).
Transactions that will write (connections with the ``WRITE`` execution option)
start with ``BEGIN IMMEDIATE``: they queue for the write lock under the busy
timeout. A plain ``BEGIN`` that reads and then writes fails at once with
"database is locked" when another process committed in between (SQLite cannot
upgrade a stale read snapshot, and does not wait for it).
PostgreSQL is reached through psycopg 3 (``postgresql+psycopg://…``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from vahti.errors import ConfigError

BUSY_TIMEOUT_MS = 30_000
#: Execution option marking a connection whose transaction will write.
WRITE = "vahti_write"


def database_url(db: str) -> str:
    """``vahti.db`` → ``sqlite:///vahti.db``; URLs pass through (``postgresql://`` gets psycopg)."""
    if "://" not in db:
        return f"sqlite:///{Path(db).expanduser()}"
    if db.startswith("postgresql://") or db.startswith("postgres://"):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def shown_url(engine: Engine) -> str:
    """The database's URL as it may be shown (printed, logged): never its password."""
    if engine.url.get_backend_name() == "sqlite":
        return str(engine.url.database)
    return engine.url.render_as_string(hide_password=True)


def missing_sqlite_file(db: str) -> bool:
    """True when ``db`` names an SQLite file that does not exist yet (nothing stored there)."""
    try:
        parsed = make_url(database_url(db))
    except ArgumentError:
        return False
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    return bool(path) and path != ":memory:" and not Path(str(path)).exists()


def make_engine(db: str, **kwargs: Any) -> Engine:
    url = database_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"not a database path or URL: {db!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not Path(path).parent.exists():
            raise ConfigError(f"folder for the database does not exist: {Path(path).parent}")
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}: "
                          "use a file path or postgresql+psycopg://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off; SQLAlchemy's "begin"
    # event issues BEGIN itself, so a transaction really is one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE) else "BEGIN")
