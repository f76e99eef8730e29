"""Storage under real processes: a reader beside a writer, and a writer killed mid-store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from helpers import PAGES, ROOT, store_page
from storage.store import Store

WRITER = textwrap.dedent("""
    import dataclasses, datetime as dt, sys
    from scraper import parse
    from storage.store import Store, FetchInfo
    from vahti.app.ingest import ingest
    db, page, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    body = open(page, "rb").read()
    url = "https://ilmastovahti.hel.fi/actions/91"
    base = parse(body, url)
    store = Store.open(db)
    t0 = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n):
        # Every version differs: its "updated" day moves and one more task is done.
        tasks = list(base.record.tasks)
        tasks[i % len(tasks)] = dataclasses.replace(tasks[i % len(tasks)], comment=f"edit {i}")
        rec = dataclasses.replace(base.record, updated_on=(t0 + dt.timedelta(days=i)).date(), tasks=tuple(tasks))
        result = dataclasses.replace(base, record=rec)
        out = ingest(store, site="https://ilmastovahti.hel.fi", url=url, result=result, body=body + str(i).encode(),
                     fetch=FetchInfo(t0 + dt.timedelta(days=i), 200)).stored
        assert out.outcome == "new_version", out
        if sys.argv[4:] == ["kill"] and i == n - 2:
            import os, signal, storage.versioning as st
            def die(*a, **k):
                os.kill(os.getpid(), signal.SIGKILL)
            st.index_children = die  # the next store dies after writing its version row, before commit
    print("done", flush=True)
""")


def _writer(db: Path, n: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(PAGES / "classic_fi_91.html"), str(n), *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_reader_never_waits_long_and_never_sees_half_a_version(tmp_path: Path) -> None:
    db = tmp_path / "vahti.db"
    Store.open(str(db)).close()
    writer = _writer(db, 80)
    engine = create_engine(f"sqlite:///{db}")
    reads, slowest, seen = 0, 0.0, set()
    deadline = time.monotonic() + 120
    while writer.poll() is None and time.monotonic() < deadline:
        start = time.monotonic()
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")  # one snapshot for the whole check
            latest = conn.execute(text("SELECT max(number), count(*) FROM versions")).one()
            if latest[0] is not None:
                assert latest[0] == latest[1]  # numbers 1..n, no gap, no half-written one
                record = conn.execute(text("SELECT record FROM versions WHERE number = :n"), {"n": latest[0]}).scalar()
                open_tasks = conn.execute(text("SELECT count(*) FROM task_states WHERE valid_until IS NULL")).scalar()
                import json

                assert open_tasks == len(json.loads(record)["tasks"])
                captures = conn.execute(text("SELECT count(*) FROM captures WHERE outcome = 'new_version'")).scalar()
                assert captures == latest[1]
                seen.add(latest[0])
            conn.exec_driver_sql("COMMIT")
        slowest = max(slowest, time.monotonic() - start)
        reads += 1
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert reads > 10 and len(seen) > 3, (reads, seen)
    assert slowest < 2.0, f"a read waited {slowest:.2f}s"


def test_a_writer_killed_mid_store_leaves_the_last_committed_state(tmp_path: Path) -> None:
    db = tmp_path / "vahti.db"
    writer = _writer(db, 4, "kill")
    writer.communicate(timeout=120)
    assert writer.returncode == -9  # SIGKILL, inside the fourth store's transaction
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*), max(number) FROM versions").fetchone() == (3, 3)
    assert conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM task_states WHERE valid_from = 4").fetchone()[0] == 0
    conn.close()
    # And the database takes the next store as if nothing happened.
    from helpers import load_fixture
    from scraper import parse
    import datetime as dt
    from storage.store import FetchInfo

    body, expected = load_fixture("pagesrouter_fi_91")
    store = Store.open(str(db))
    out = store_page(store, site="https://ilmastovahti.hel.fi", url=expected["url"], result=parse(body, expected["url"]),
                      body=body, fetch=FetchInfo(dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc), 200))
    assert (out.outcome, out.version) == ("new_version", 4)


def test_schema_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import migrate
    from vahti.errors import ConfigError, StorageError

    db = tmp_path / "vahti.db"
    Store.open(str(db)).close()
    monkeypatch.setattr(migrate, "head_revision", lambda: "0099")
    with pytest.raises(migrate.OutdatedSchema, match="run `vahti db upgrade`"):
        Store.open(str(db))
    monkeypatch.undo()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.commit()
    with pytest.raises(ConfigError, match="newer than this vahti"):
        Store.open(str(db))
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="not made by vahti"):
        Store.open(str(db))
    with pytest.raises(ConfigError, match="no database at"):
        Store.open(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()
    assert os.path.exists(db)


def test_a_write_transaction_that_reads_first_waits_for_another_writer(tmp_path: Path) -> None:
    """SQLite cannot upgrade a read snapshot that another writer made stale: such a
    transaction used to fail at once with "database is locked" (two daemons on one
    database lost their crawl lock that way). Write transactions now take the write
    lock when they begin, so the other writer waits its turn instead."""
    import datetime as dt
    import threading

    from sqlalchemy import select

    from storage.locks import acquire, release
    from storage.models import Lock

    db = str(tmp_path / "vahti.db")
    first, second = Store.open(db), Store.open(db)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    errors: list[BaseException] = []
    try:
        with first.writing() as session:
            assert session.execute(select(Lock)).all() == []  # read first ...

            def other() -> None:
                try:
                    acquire(second, "crawl:b", owner="other:1", now=now)
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            thread = threading.Thread(target=other)
            thread.start()
            thread.join(0.5)
            assert thread.is_alive(), "the other writer should be waiting for this transaction"
            session.add(Lock(name="crawl:a", owner="me:1", acquired_at=now, expires_at=now))  # ... then write
        thread.join(10)
        assert not errors, errors
        with first.reading() as session:
            assert sorted(session.scalars(select(Lock.name))) == ["crawl:a", "crawl:b"]
        release(second, "crawl:b", owner="other:1")
    finally:
        first.close()
        second.close()
