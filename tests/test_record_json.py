"""The record's compact JSON, which content hashes are taken of, is the standard library's, byte for byte."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import load_fixture
from scraper import parse
from vahti.record import _ADDED_DEFAULTS, dump_json

# What records and events hold (no floats: none of their fields is one), and what they never should but
# might: lone surrogates, control characters, integers past 64 bits, keys that are not text.
scalars = st.none() | st.booleans() | st.integers() | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


def _stdlib(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=400, deadline=None)
@given(values)
def test_compact_json_is_the_standard_librarys(value: Any) -> None:
    assert dump_json(value) == _stdlib(value)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.integers(), st.text(max_size=3), max_size=3))
def test_keys_that_are_not_text_are_written_as_the_standard_library_writes_them(value: dict[int, str]) -> None:
    assert dump_json(value) == _stdlib(value)


def test_a_records_hash_is_the_sha256_of_its_standard_library_json() -> None:
    body, expected = load_fixture("classic_fi_91")
    record = parse(body, expected["url"]).record
    assert record is not None
    text, digest = record.json_and_hash()
    assert text == _stdlib(record.to_dict()) == record.to_json()
    said = {k: v for k, v in record.to_dict().items() if k not in _ADDED_DEFAULTS or v != _ADDED_DEFAULTS[k]}
    assert digest == record.content_hash() == hashlib.sha256(_stdlib(said).encode()).hexdigest()
