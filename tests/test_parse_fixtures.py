"""Every fixture page parses to exactly the record written beside it."""

from __future__ import annotations

import json

import pytest

from helpers import fixture_names, load_fixture
from scraper import parse
from vahti.observed import comparable
from vahti.record import Measure


@pytest.mark.parametrize("name", fixture_names())
def test_fixture_page(name: str, validate_record) -> None:
    body, expected = load_fixture(name)
    result = parse(body, expected["url"])
    meta = expected["meta"]
    assert result.meta.verdict == meta["verdict"], (result.meta.reasons, result.meta.warnings)
    assert result.meta.extraction == meta["extraction"]
    if "generation" in meta:
        assert result.meta.generation == meta["generation"]
    if "reason_contains" in meta:
        assert any(meta["reason_contains"] in r for r in result.meta.reasons), result.meta.reasons
    if meta["verdict"] == "not_a_measure":
        assert result.record is None
        return
    assert result.record is not None
    got = result.record.to_dict()
    validate_record(got)
    if expected["record"] is not None:
        assert got == expected["record"]
        assert Measure.from_dict(expected["record"]) == result.record


@pytest.mark.parametrize("name", [n for n in fixture_names() if n + "_nojson" in fixture_names()])
def test_dom_alone_gives_the_same_record(name: str) -> None:
    """Strip the embedded JSON: the same record, but for what only the JSON carries."""
    body, expected = load_fixture(name)
    stripped, _ = load_fixture(name + "_nojson")
    a, b = parse(body, expected["url"]), parse(stripped, expected["url"])
    assert a.meta.extraction == "embedded-json" and b.meta.extraction == "dom"
    assert a.record is not None and b.record is not None
    da, db = comparable(a.record.to_dict(), a.meta.unobserved, b.record.to_dict(), b.meta.unobserved)
    assert da == db


def test_seed_page_done_when() -> None:
    """The issue's acceptance check on the classic fixture of the seed page."""
    body, expected = load_fixture("classic_fi_91")
    r = parse(body, expected["url"]).record
    assert r is not None
    assert sum(t.state == "completed" for t in r.tasks) == 5
    assert sum(t.state == "open" for t in r.tasks) == 1
    assert len(r.contacts) == 4 and r.contacts[0].name == "Mikko Martikka" and r.contacts[0].primary
    assert [c.primary for c in r.contacts] == [True, False, False, False]
    assert len(r.responsible_parties) == 5
    assert r.responsible_parties[0].name == "Kaupunginkanslia" and r.responsible_parties[0].primary
    assert not any(p.primary for p in r.responsible_parties[1:])
    assert r.status is not None and (r.status.identifier, r.status.label) == ("on_time", "Ajallaan")
    assert r.impact is not None and r.impact.label == "Pieni"
    assert (r.previous, r.next) == ("90", "92")
    assert r.updated_on is not None and r.updated_on.isoformat() == "2020-05-20"


def test_fixture_set_covers_the_issue() -> None:
    names = set(fixture_names())
    assert len(names) >= 16
    for must in ("classic_fi_91", "classic_fi_91_nojson", "pagesrouter_fi_91", "approuter_fi_91",
                 "approuter_sv_91", "approuter_en_91", "approuter_de_91", "truncated_classic_91"):
        assert must in names


def test_expected_json_is_canonical_order() -> None:
    for name in fixture_names():
        _, expected = load_fixture(name)
        if expected["record"]:
            assert list(expected["record"]) == list(Measure.from_dict(expected["record"]).to_dict())
            assert json.loads(Measure.from_dict(expected["record"]).to_json()) == expected["record"]
