"""Schema migrations (Alembic, run from code: no alembic.ini to find).

Policy: a new, empty database is created at the current schema by any command
that writes; an existing database whose schema is older than this vahti is
refused with a clear message until ``vahti db upgrade`` is run (an upgrade is
a decision to take on purpose, with a backup, on a shared PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

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


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply pending migrations; return (revision before, revision after)."""
    from alembic import command

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
