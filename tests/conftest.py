"""Fixtures: fresh databases on SQLite and the real PostgreSQL, a store, the record schema.

Plain helpers live in ``helpers.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import SCHEMA, make_pg_database


@pytest.fixture(scope="session")
def validate_record():  # type: ignore[no-untyped-def]
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

    def check(record: dict[str, Any]) -> None:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    return check


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A database URL (or SQLite path), fresh for each test, on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "vahti.db")
        return
    url, drop = make_pg_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    from storage.store import Store

    s = Store.open(db_url)
    yield s
    s.close()
