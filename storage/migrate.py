"""Schema migrations (Alembic, run from code: no alembic.ini to find).

Policy: a new, empty database is created at the current schema by any command
that writes; an existing database whose schema is older than this vahti is
refused with a clear message until ``vahti db upgrade`` is run (an upgrade is
a decision to take on purpose, with a backup, on a shared PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from vahti.errors import ConfigError, StorageError

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply pending migrations; return (revision before, revision after)."""
    before = current_revision(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return before, current_revision(engine) or ""


class OutdatedSchema(ConfigError):
    """The database's schema is not this vahti's: a configuration problem (exit code 2)."""


def ensure_current(engine: Engine, *, create: bool) -> None:
    """Create an empty database (``create``), or refuse an outdated or foreign one."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None and is_empty(engine):
        if create:
            upgrade(engine)
            return
        raise StorageError("the database is empty: nothing stored yet")
    if current is None:
        raise StorageError("this database was not made by vahti (no schema version); use another --db")
    scripts = ScriptDirectory.from_config(_config())
    try:
        known = scripts.get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise OutdatedSchema(f"the database schema ({current}) is newer than this vahti knows; upgrade vahti")
    raise OutdatedSchema(f"the database schema is at {current}, this vahti needs {head}: run `vahti db upgrade`")
