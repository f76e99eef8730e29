from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
REAL = ROOT.parent / "shared" / "real-pages"
SCHEMA = json.loads((ROOT / "vahti" / "measure.schema.json").read_text(encoding="utf-8"))


def fixture_names() -> list[str]:
    return sorted(p.stem for p in PAGES.glob("*.html"))


def load_fixture(name: str) -> tuple[bytes, dict[str, Any]]:
    return (PAGES / f"{name}.html").read_bytes(), json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def validate_record():
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())

    def check(record: dict[str, Any]) -> None:
        errors = sorted(validator.iter_errors(record), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    return check


# -- databases: the same tests on SQLite files and on the real PostgreSQL ---------

import os  # noqa: E402
import uuid  # noqa: E402

PG_URL = os.environ.get("VAHTI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        import psycopg

        url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"


_PG_PROBLEM: list[str | None] = []


def pg_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_pg_reachable())
    return _PG_PROBLEM[0]


def make_pg_database() -> tuple[str, object]:
    """A fresh database on the test server; returns (url, dropper)."""
    from sqlalchemy import create_engine, text

    problem = pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must be reachable in CI ({PG_URL}): {problem}")
        pytest.skip(f"no PostgreSQL at {PG_URL} outside CI ({problem})")
    name = f"vahti_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_URL.rsplit("/", 1)[0]

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{base}/{name}", drop


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A database URL (or SQLite path), fresh for each test, on each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "vahti.db")
        return
    url, drop = make_pg_database()
    try:
        yield url
    finally:
        drop()  # type: ignore[operator]


@pytest.fixture
def store(db_url: str):
    from storage.store import Store

    s = Store.open(db_url)
    yield s
    s.close()


def vahti(*args: str, check: int | None = 0, timeout: float = 120):  # type: ignore[no-untyped-def]
    """Run the ``vahti`` command as a user would (a new process); check its exit code."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert result.returncode == check, (result.stdout, result.stderr)
    return result
