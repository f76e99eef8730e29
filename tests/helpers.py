"""What the tests share: paths, fixture pages, the real PostgreSQL, the CLI as a user runs it,
and storing a page through the real ingest path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "pages"
# The platform's own renders; CI has them beside the checkout (.ci/run checks and exports the path).
REAL = Path(os.environ.get("VAHTI_REAL_PAGES") or ROOT.parent / "shared" / "real-pages")
SCHEMA = json.loads((ROOT / "vahti" / "measure.schema.json").read_text(encoding="utf-8"))
PG_URL = os.environ.get("VAHTI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fixture_names() -> list[str]:
    return sorted(p.stem for p in PAGES.glob("*.html"))


def load_fixture(name: str) -> tuple[bytes, dict[str, Any]]:
    return (PAGES / f"{name}.html").read_bytes(), json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))


def real_pages() -> Path:
    """The shared real renders: missing is a failure in CI, a skip (said so) elsewhere."""
    if not REAL.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared real pages must be present in CI: {REAL} is missing")
        pytest.skip(f"no shared real pages at {REAL} (outside CI)")
    return REAL


def store_page(store: Any, **kwargs: Any) -> Any:
    """Store one fetch outcome the way a crawl does (``vahti.app.ingest``); what the store did."""
    from vahti.app.ingest import ingest

    return ingest(store, **kwargs).stored


def run_cli(*args: str) -> str:
    """A ``vahti`` command in this process (no start-up cost); it must succeed. Its output."""
    from click.testing import CliRunner

    from cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def shared_once(tmp_path_factory: Any, name: str, build: Any) -> Path:
    """A folder ``build(folder)`` fills once per test session, whichever xdist worker asks first; the
    others wait for it and read it (an archive, a report: read-only for the tests that share them)."""
    import fcntl
    import shutil

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the workers' base folders share this one
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / ".built").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                build(folder)
                (folder / ".built").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


def vahti_here(*args: str, check: int | None = 0) -> subprocess.CompletedProcess[str]:
    """``vahti`` as ``main`` runs it (the same one-line errors and exit codes), in this process: for tests
    that run many commands, where a new interpreter per command costs a second each."""
    import signal

    from click.testing import CliRunner

    from cli import main

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    code: int | str | None = 0
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            sys.stdout.flush()
            sys.stderr.flush()
        result = subprocess.CompletedProcess(["vahti", *args], int(code or 0), out.getvalue().decode(),
                                             err.getvalue().decode())
    if check is not None:
        assert result.returncode == check, (result.stdout, result.stderr)
    return result


def vahti(*args: str, check: int | None = 0, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the ``vahti`` command as a user would (a new process); check its exit code."""
    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if check is not None:
        assert result.returncode == check, (result.stdout, result.stderr)
    return result


# -- the real PostgreSQL -----------------------------------------------------------

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


# Test databases are kept and reused within a test process: creating one copies a template and
# syncs it to disk (~0.3 s, more on a busy machine), which was a quarter of the suite's time. A
# returned database is emptied (its sessions ended, its schema dropped and made again) before the
# next test gets it; they are dropped when the process ends. Commits need not wait for the disk
# here (synchronous_commit off, for these databases only): the server is never crashed by a test.
_PG_FREE: list[str] = []
_PG_ALL: list[str] = []


def _pg_admin() -> Any:
    import psycopg

    return psycopg.connect(PG_URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def _pg_url(name: str) -> str:
    return f"{PG_URL.rsplit('/', 1)[0]}/{name}"


def _pg_drop_all() -> None:
    try:
        with _pg_admin() as conn:
            for name in _PG_ALL:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except Exception:  # noqa: BLE001 - the server may be gone at exit; nothing to keep
        pass


def _pg_empty(name: str) -> None:
    """End every session on ``name`` and drop everything a test made in it."""
    import psycopg

    with _pg_admin() as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    with psycopg.connect(_pg_url(name).replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
        conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")


def make_pg_database() -> tuple[str, Any]:
    """An empty database on the test server; returns (url, give_back)."""
    import atexit

    problem = pg_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must be reachable in CI ({PG_URL}): {problem}")
        pytest.skip(f"no PostgreSQL at {PG_URL} outside CI ({problem})")
    if _PG_FREE:
        name = _PG_FREE.pop()
    else:
        name = f"vahti_test_{uuid.uuid4().hex[:12]}"
        with _pg_admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        if not _PG_ALL:
            atexit.register(_pg_drop_all)
        _PG_ALL.append(name)

    def give_back() -> None:
        try:
            _pg_empty(name)
        except Exception:  # noqa: BLE001 - not reusable: drop it instead
            with _pg_admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            _PG_ALL.remove(name)
            return
        _PG_FREE.append(name)

    return _pg_url(name), give_back
