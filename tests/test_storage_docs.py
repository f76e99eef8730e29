"""The analyst queries in docs/storage.md and the Datasette canned queries run, on real data."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from helpers import ROOT, load_fixture, store_page
from scraper import parse
from storage.store import FetchInfo, Store

DOC = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
BLOCKS = [(m.group(1).strip(), m.group(2)) for m in re.finditer(r"```sql([^\n]*)\n(.*?)```", DOC, re.S)]
T0 = dt.datetime(2020, 5, 20, 6, tzinfo=dt.timezone.utc)


def fill(store: Store) -> None:
    """Three measures, two of them through a few versions."""
    for n, name in enumerate(["classic_fi_91", "pagesrouter_fi_91", "approuter_fi_91"]):
        body, expected = load_fixture(name)
        store_page(store, site="https://ilmastovahti.hel.fi", url=expected["url"], result=parse(body, expected["url"]),
                    body=body, fetch=FetchInfo(T0 + dt.timedelta(days=30 * n), 200))
    # Then a contact is replaced (Anssi Almgren leaves, Liisa Laine arrives).
    result = parse(body, expected["url"])
    assert result.record is not None
    contacts = list(result.record.contacts)
    contacts[1] = dataclasses.replace(contacts[1], id="999", name="Liisa Laine", title="opettaja")
    changed = dataclasses.replace(result, record=dataclasses.replace(result.record, contacts=tuple(contacts)))
    store_page(store, site="https://ilmastovahti.hel.fi", url=expected["url"], result=changed, body=body + b"\n",
                fetch=FetchInfo(T0 + dt.timedelta(days=100), 200))
    for n, name in enumerate(["classic_fi_147_last_updates", "classic_fi_12_nocontacts_notasks"]):
        body, expected = load_fixture(name)
        store_page(store, site="https://ilmastovahti.hel.fi", url=expected["url"], result=parse(body, expected["url"]),
                    body=body, fetch=FetchInfo(T0 + dt.timedelta(days=n), 200))


@pytest.mark.parametrize("dialect, sql", BLOCKS, ids=[f"query{i}" for i in range(len(BLOCKS))])
def test_documented_queries_run(store: Store, dialect: str, sql: str) -> None:
    if dialect and dialect != store.engine.dialect.name:
        pytest.skip(f"this example is for {dialect}")
    fill(store)
    with store.reading() as session:
        rows = session.execute(text(sql)).all()
    assert rows or "180 days" in sql


def test_documented_queries_exist() -> None:
    assert len(BLOCKS) >= 5


def test_datasette_loads_the_metadata_and_runs_the_canned_queries(tmp_path: Path) -> None:
    datasette_app = pytest.importorskip("datasette.app", reason="install vahti[browse] for Datasette")
    yaml = pytest.importorskip("yaml")
    db = tmp_path / "vahti.db"
    store = Store.open(str(db))
    fill(store)
    store.close()
    metadata = yaml.safe_load((ROOT / "vahti" / "data" / "datasette-metadata.yml").read_text(encoding="utf-8"))
    queries = metadata["databases"]["vahti"]["queries"]

    async def run() -> None:
        ds = datasette_app.Datasette([str(db)], metadata=metadata)
        await ds.invoke_startup()
        for name in queries:
            response = await ds.client.get(f"/vahti/{name}.json?start=2019-01-01&end=2020-12-31&_shape=array")
            assert response.status_code == 200, (name, response.text[:500])
            if name == "tasks_completed_in_period":
                assert len(response.json()) >= 5
        page = await ds.client.get("/vahti/latest_records.json?_shape=array")
        assert page.status_code == 200 and len(page.json()) == 3

    asyncio.run(run())
