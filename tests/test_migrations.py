"""Migrations: an old database with data upgrades in place, every step goes down again, and a new database
(built at once from the models) is the one the migrations make."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from helpers import load_fixture, store_page, vahti
from scraper import parse
from storage.engine import make_engine
from storage.migrate import _config, create_database, current_revision, head_revision, upgrade
from storage.store import FetchInfo, Store


def test_an_old_database_upgrades_in_place_and_keeps_its_data(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (base_url, created_at) VALUES ('https://ilmastovahti.hel.fi', "
                          "'2020-05-20 06:00:00')"))
    engine.dispose()
    refused = vahti("history", "91", "--db", db_url, check=2)
    assert "run `vahti db upgrade`" in refused.stderr
    out = vahti("db", "upgrade", "--db", db_url).stdout
    assert f"0001 → {head_revision()}" in out
    store = Store.open(db_url)
    body, expected = load_fixture("classic_fi_91")
    stored = store_page(store, site="https://ilmastovahti.hel.fi", url=expected["url"], result=parse(body, expected["url"]),
                         body=body, fetch=FetchInfo(dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc), 200))
    assert stored.outcome == "new_version"
    with store.reading() as session:
        assert session.execute(text("SELECT count(*) FROM sites")).scalar() == 1  # the old row, reused
        assert session.execute(text("SELECT name FROM latest_records")).scalar().startswith("Yhteistyö")
    store.close()


def _schema(engine: Engine) -> dict[str, Any]:
    """Everything a schema is, as the database reports it: each table's columns in order (type,
    nullability, default), keys, foreign keys, indexes, unique and check constraints; each view's
    definition; the Alembic stamp."""
    def listed(items: list[Any]) -> list[str]:
        return sorted(json.dumps(i, sort_keys=True, default=str) for i in items)

    with engine.connect() as conn:
        ins = inspect(conn)
        tables = {t: {"columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                                  for c in ins.get_columns(t)],
                      "pk": ins.get_pk_constraint(t), "fks": listed(ins.get_foreign_keys(t)),
                      "indexes": listed(ins.get_indexes(t)), "unique": listed(ins.get_unique_constraints(t)),
                      "checks": listed(ins.get_check_constraints(t))}
                  for t in ins.get_table_names()}
        views = {v: " ".join(str(ins.get_view_definition(v)).split()) for v in ins.get_view_names()}
        stamp = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return {"tables": tables, "views": views, "stamp": stamp}


def test_a_new_database_is_exactly_what_the_migrations_make(db_url: str, tmp_path: Any) -> None:
    """Built at once from the models (as every command that writes does), or migration by migration."""
    if "://" in db_url:
        from helpers import make_pg_database

        other_url, drop = make_pg_database()
    else:
        other_url, drop = str(tmp_path / "migrated.db"), (lambda: None)
    built, migrated = make_engine(db_url), make_engine(other_url)
    try:
        assert create_database(built)
        assert not create_database(built)  # (a database that has tables is left alone)
        upgrade(migrated)
        new, old = _schema(built), _schema(migrated)
        assert set(new["tables"]) == set(old["tables"]) and len(new["tables"]) >= 12
        for table in old["tables"]:
            assert new["tables"][table] == old["tables"][table], table
        assert new["views"] == old["views"] and set(new["views"]) == {"latest_records", "task_history",
                                                                        "contact_history"}
        assert new["stamp"] == old["stamp"] == [head_revision()]
    finally:
        built.dispose()
        migrated.dispose()
        drop()


def test_processes_opening_one_new_database_at_once_all_get_it(db_url: str) -> None:
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            Store.open(db_url).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_every_migration_goes_down_and_up_again(db_url: str) -> None:
    """From a new database (built from the models, stamped): Alembic takes it down to nothing and up again."""
    Store.open(db_url).close()
    engine = make_engine(db_url)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM task_history")).scalar() == 0
    engine.dispose()


def test_the_head_constant_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(_config()).get_current_head()


def test_an_old_archive_of_single_checks_folds_into_runs_keeping_every_fact(db_url: str) -> None:
    """0005: consecutive checks that confirmed one version the same way become one run row."""
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    t = [f"2021-01-01 {h:02d}:00:00" for h in range(10)]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sites (id, base_url, created_at) VALUES (1, 'https://x.example', :t)"), {"t": t[0]})
        conn.execute(text("INSERT INTO measures (id, site_id, url, identifier, first_seen_at, last_seen_at, "
                          "missing_checks) VALUES (1, 1, 'https://x.example/actions/1', '1', :a, :b, 0)"),
                     {"a": t[0], "b": t[9]})
        conn.execute(text("INSERT INTO versions (id, measure_id, number, record, record_hash, verdict, parser, "
                          "generation, extraction, unobserved, first_capture_id, last_capture_id, first_seen_at, "
                          "last_seen_at) VALUES (1, 1, 1, '{}', 'h', 'ok', 'p', 'classic', 'dom', '[]', 1, 9, :a, :b)"),
                     {"a": t[0], "b": t[9]})
        outcomes = ["new_version", "not_modified", "not_modified", "not_modified", "error", "not_modified",
                    "unchanged", "unchanged", "not_modified", "not_modified"]
        for i, outcome in enumerate(outcomes, start=1):
            conn.execute(text("INSERT INTO captures (id, measure_id, requested_at, outcome, version_id, error, etag) "
                              "VALUES (:i, 1, :t, :o, :v, :e, :etag)"),
                         {"i": i, "t": t[i - 1], "o": outcome, "v": None if outcome == "error" else 1,
                          "e": "ReadTimeout" if outcome == "error" else None, "etag": f'"{i}"'})
        conn.execute(text("INSERT INTO events (measure_id, capture_id, event_key, kind, subject, summary, "
                          "observed_at, flags) VALUES (1, 3, 'c3|measure', 'measure.restored', '1', 's', :t, '')"),
                     {"t": t[2]})
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, outcome, checks, longest_gap_s, etag FROM captures ORDER BY id")).all()
        assert [(r[0], r[1], r[2]) for r in rows] == [(1, "new_version", 1), (2, "not_modified", 3), (5, "error", 1),
                                                      (6, "not_modified", 1), (7, "unchanged", 2),
                                                      (9, "not_modified", 2)]
        assert rows[1][3] == 3600 and rows[1][4] == '"4"'  # the run's newest validators
        assert conn.execute(text("SELECT last_capture_id FROM versions")).scalar() == 9
        assert conn.execute(text("SELECT capture_id FROM events")).scalar() == 2  # repointed at its run
        assert conn.execute(text("SELECT sum(checks) FROM captures")).scalar() == 10  # every check still counted
    engine.dispose()
