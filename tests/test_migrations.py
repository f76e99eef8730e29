"""Migrations: an old database with data upgrades in place, and every step goes down again."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from helpers import load_fixture, store_page, vahti
from scraper import parse
from storage.engine import make_engine
from storage.migrate import _config, current_revision, head_revision, upgrade
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


def test_every_migration_goes_down_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
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
