"""Bad input gets a clear verdict or error, never a crash, never a made-up value."""

from __future__ import annotations

import codecs
import json
import re

import pytest

from helpers import load_fixture
from scraper import apollo, parse
from scraper.decode import MAX_BODY_BYTES
from vahti.errors import InputTooLarge

URL = "https://ilmastovahti.hel.fi/actions/91"


@pytest.mark.parametrize("body, reason", [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b'{"data": {"action": null}}', "not an HTML"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not an HTML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an HTML"),
    (b"plain text, no markup at all", "not an HTML"),
    (b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>", "error page"),
    (b"<html><body><h1>Hello</h1><p>A blog post.</p></body></html>", "action"),
    # The app router's not-found marker only in the flight data (no <template> drawn).
    (b'<!DOCTYPE html><html lang="fi"><head><title>Ilmastovahti</title></head><body><main id="main">'
     b'<h2>Sivua ei l\xc3\xb6ytynyt</h2></main><script>self.__next_f.push([1,"0:[\\"$\\",\\"$L1\\",'
     b'null,{\\"digest\\":\\"NEXT_HTTP_ERROR_FALLBACK;404\\"}]\\n"])</script></body></html>', "soft 404"),
])
def test_not_a_measure(body: bytes, reason: str) -> None:
    result = parse(body, URL)
    assert result.record is None
    assert result.meta.verdict == "not_a_measure"
    assert any(reason in r for r in result.meta.reasons), result.meta.reasons


def test_utf8_bom_is_dropped() -> None:
    body, expected = load_fixture("classic_fi_91")
    result = parse(codecs.BOM_UTF8 + body, expected["url"])
    assert result.record is not None and result.record.to_dict() == expected["record"]


def test_latin1_declared_charset() -> None:
    body, expected = load_fixture("latin1_classic_91_nojson")
    assert "Yhteistyö".encode("latin-1") in body
    result = parse(body, expected["url"])
    assert result.record is not None and result.record.name == "Yhteistyö koulujen ja oppilaitosten kanssa"


def test_malformed_next_data_falls_back_to_the_dom_and_warns() -> None:
    body, expected = load_fixture("classic_fi_91")
    html = body.decode()
    broken = re.sub(r'(<script id="__NEXT_DATA__" type="application/json">)\{', r"\1{{{,", html)
    result = parse(broken, expected["url"])
    assert result.meta.extraction == "dom"
    assert result.meta.verdict == "ok"
    assert any("not valid JSON" in w for w in result.meta.warnings)
    dom_only = load_fixture("classic_fi_91_nojson")[1]["record"]
    assert result.record is not None and result.record.to_dict() == dom_only


def test_reference_cycles_in_the_apollo_cache_terminate() -> None:
    cache = {
        "Action:1": {"__typename": "Action", "id": "1", "identifier": "91", "name": "A",
                     "tasks": [{"__ref": "ActionTask:1"}], "nextAction": {"__ref": "Action:1"}},
        "ActionTask:1": {"__typename": "ActionTask", "id": "1", "name": "t", "action": {"__ref": "Action:1"},
                         "self": {"__ref": "ActionTask:1"}},
    }
    action = apollo.find_action(cache, "91")
    assert action is not None and action["tasks"][0]["action"] is None
    page = ('<html lang="fi"><body><script id="__NEXT_DATA__" type="application/json">'
            + json.dumps({"props": {"apolloState": {"data": cache}}}) + "</script></body></html>")
    result = parse(page, URL)
    assert result.record is not None and result.record.tasks[0].name == "t"


def test_wide_reference_graph_is_bounded() -> None:
    # Each entry points at the next two: resolution must stay bounded, not explode.
    cache = {f"X:{i}": {"__typename": "X", "a": {"__ref": f"X:{i + 1}"}, "b": {"__ref": f"X:{i + 2}"}}
             for i in range(60)}
    cache["Action:1"] = {"__typename": "Action", "id": "1", "identifier": "91", "name": "A", "x": {"__ref": "X:0"},
                         "tasks": []}
    assert apollo.find_action(cache, "91") is not None


def test_absurdly_large_input_is_a_clear_error() -> None:
    with pytest.raises(InputTooLarge, match="cap"):
        parse(b"<html>" + b" " * (MAX_BODY_BYTES + 1), URL)


def test_impossible_dates_are_not_invented() -> None:
    result = parse(load_fixture("degraded_classic_91_baddate")[0], URL)
    assert result.meta.verdict == "degraded"
    assert result.record is not None
    task = next(t for t in result.record.tasks if t.state == "open")
    assert task.due_date is None and task.due_period is None
    assert result.record.updated_on is None


def test_language_from_the_page_not_the_url() -> None:
    """The 2020 server cache could answer /en/actions/91 with the Finnish page."""
    body, expected = load_fixture("classic_fi_91")
    result = parse(body, "https://ilmastovahti.hel.fi/en/actions/91")
    assert result.record is not None and result.record.language == "fi"
    assert any("lang" in w for w in result.meta.warnings)


@pytest.mark.parametrize("ident", ["404", "500", "503"])
def test_actions_numbered_like_http_errors_are_measures(ident: str) -> None:
    from vahti.samples.pages import app_router_page, classic_page
    from vahti.samples.spec import spec_91

    spec = spec_91("fi")
    spec.update(identifier=ident, previous=None, next=None)
    for page in (app_router_page(spec), classic_page(spec).replace(f"<title>Toimenpide {ident} |", f"<title>{ident} |")):
        result = parse(page, f"https://ilmastovahti.hel.fi/actions/{ident}")
        assert result.meta.verdict == "ok", result.meta.reasons
        assert result.record is not None and result.record.identifier == ident
