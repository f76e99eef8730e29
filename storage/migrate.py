"""Schema migrations (Alembic, run from code: no alembic.ini to find).

Policy: a new, empty database is created at the current schema by any command
that writes; an existing database whose schema is older than this vahti is
refused with a clear message until ``vahti db upgrade`` is run (an upgrade is
a decision to take on purpose, with a backup, on a shared PostgreSQL).

A new database is built at once from the models and the views, and stamped with the
head revision (Alembic's recipe for a database built from scratch): running all the
migrations, Alembic's import included, made a first ``vahti crawl`` start ~0.15 s later.
A test holds the two ways equal, table by table and column by column, in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine

from storage.engine import WRITE
from storage.models import Base
from storage.views import view_statements
from vahti.errors import ConfigError, StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

#: The newest migration's revision. Every command checks it, so it is a constant
#: rather than read from the migration scripts (importing Alembic costs ~0.1 s of
#: every start-up); a test holds it equal to the scripts' head.
HEAD = "0008"


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    return HEAD


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database (``None`` for none)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_empty(bind: Engine | Connection) -> bool:
    return not inspect(bind).get_table_names()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply pending migrations; return (revision before, revision after)."""
    from alembic import command

    before = current_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


#: Alembic's own table, as Alembic makes it (``alembic.runtime.migration``), to stamp a new database.
_ALEMBIC_VERSION = Table("alembic_version", MetaData(), Column("version_num", String(32), nullable=False),
                         PrimaryKeyConstraint("version_num", name="alembic_version_pkc"))
_CREATE_LOCK = 0x7661687469  # PostgreSQL advisory lock key ("vahti") held while a new database is built


def create_database(engine: Engine) -> bool:
    """Build an empty database at the head schema, in one transaction: tables, indexes, views, and
    Alembic's stamp. False (nothing done) when the database is not empty by the time the
    transaction holds its lock (another process built it meanwhile)."""
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK})
        if not is_empty(conn):
            return False
        Base.metadata.create_all(conn, checkfirst=False)
        for sql in view_statements(conn.dialect.name):
            conn.exec_driver_sql(sql)
        _ALEMBIC_VERSION.create(conn)
        conn.execute(_ALEMBIC_VERSION.insert().values(version_num=HEAD))
    return True


class OutdatedSchema(ConfigError):
    """The database's schema is not this vahti's: a configuration problem (exit code 2)."""


def ensure_current(engine: Engine, *, create: bool) -> None:
    """Create an empty database (``create``), or refuse an outdated or foreign one."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None and is_empty(engine):
        if not create:
            raise StorageError("the database is empty: nothing stored yet")
        if create_database(engine) or current_revision(engine) == head:
            return
        current = current_revision(engine)
    if current is None:
        raise StorageError("this database was not made by vahti (no schema version); use another --db")
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    scripts = ScriptDirectory.from_config(_config())
    try:
        known = scripts.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise OutdatedSchema(f"the database schema ({current}) is newer than this vahti knows; upgrade vahti")
    raise OutdatedSchema(f"the database schema is at {current}, this vahti needs {head}: run `vahti db upgrade`")
