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
