"""Properties of the parser: it never raises, round trips exactly, and ignores noise."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import fixture_names, load_fixture
from scraper import parse
from vahti.record import Measure

GOOD = [n for n in fixture_names() if load_fixture(n)[1]["meta"]["verdict"] == "ok"]
SETTINGS = settings(max_examples=int(__import__("os").environ.get("VAHTI_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(body=st.binary(max_size=4096))
def test_never_raises_on_arbitrary_bytes(body: bytes, validate_record) -> None:
    result = parse(body, "https://ilmastovahti.hel.fi/actions/91")
    assert result.meta.verdict in ("ok", "degraded", "not_a_measure")
    if result.record is not None:
        validate_record(result.record.to_dict())


@SETTINGS
@given(st.text(max_size=2000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    parse("<html><body>" + text + "</body></html>", "https://x.example/actions/1")


@SETTINGS
@given(name=st.sampled_from(fixture_names()), data=st.data())
def test_never_raises_on_mutated_fixtures(name: str, data: st.DataObject, validate_record) -> None:
    body, expected = load_fixture(name)
    n = len(body)
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start, min(n, start + 400)))
    junk = data.draw(st.binary(max_size=64))
    op = data.draw(st.sampled_from(["delete", "replace", "insert", "dup"]))
    if op == "delete":
        mutated = body[:start] + body[end:]
    elif op == "replace":
        mutated = body[:start] + junk + body[end:]
    elif op == "insert":
        mutated = body[:start] + junk + body[start:]
    else:
        mutated = body[:end] + body[start:end] + body[end:]
    result = parse(mutated, expected["url"])
    if result.record is not None:
        validate_record(result.record.to_dict())  # whatever comes out still fits the schema
        Measure.from_json(result.record.to_json())


@SETTINGS
@given(st.sampled_from(GOOD))
def test_json_round_trip_is_exact(name: str) -> None:
    body, expected = load_fixture(name)
    record = parse(body, expected["url"]).record
    assert record is not None
    again = Measure.from_json(record.to_json())
    assert again == record
    assert again.to_json() == record.to_json()
    assert again.content_hash() == record.content_hash()


# -- noise that is not content ------------------------------------------------

def _whitespace(html: str, rnd: st.DataObject) -> str:
    """More white space between tags and inside text runs."""
    pad = rnd.draw(st.sampled_from(["\n", "  ", "\n\t ", " \r\n"]))
    return re.sub(r">(\s*)<", lambda m: ">" + m.group(1) + pad + "<", html)


def _class_hashes(html: str, rnd: st.DataObject) -> str:
    """A new build: every generated hash in class names changes, labels stay."""
    salt = rnd.draw(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=6))

    def swap(m: re.Match[str]) -> str:
        return m.group(1) + salt + m.group(3)

    html = re.sub(r"(\bmui-)([0-9a-z]{4,8})(-)", swap, html)
    html = re.sub(r"(\bsc-)([0-9a-f]{6,8})(-)", swap, html)
    return re.sub(r"(__\w+-)([0-9a-z]{6})(-\d)", swap, html)


def _build_id(html: str, rnd: st.DataObject) -> str:
    new = rnd.draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", min_size=8, max_size=21))
    html = re.sub(r'"buildId":"[^"]*"', f'"buildId":"{new}"', html)
    html = re.sub(r"/_next/static/[^/]+/pages/", f"/_next/static/{new}/pages/", html)
    return html.replace("BUILD_ID=kw2-63a8c4bf", f"BUILD_ID={new}")


def _script_order(html: str, rnd: st.DataObject) -> str:
    """Asset scripts (not data) in another order, plus one more."""
    extra = '<script src="/_next/static/chunks/extra-' + str(rnd.draw(st.integers(0, 999))) + '.js" async=""></script>'
    return html.replace("</body>", extra + "</body>", 1)


def _avatars(html: str, rnd: st.DataObject) -> str:
    host = rnd.draw(st.sampled_from(["https://cdn.example.net", "https://api.example.org/v2"]))
    html = re.sub(r"https://api\.example\.org/(?:v1/person|media/avatars)/(\w+)[^\"\\\s]*",
                  lambda m: f"{host}/img/{m.group(1)}.webp?v=2", html)
    return html


NOISE = [_whitespace, _class_hashes, _build_id, _script_order, _avatars]


@SETTINGS
@given(name=st.sampled_from(GOOD), noises=st.lists(st.sampled_from(NOISE), min_size=1, max_size=5), data=st.data())
def test_noise_never_changes_the_record(name: str, noises: list, data: st.DataObject) -> None:
    body, expected = load_fixture(name)
    html = body.decode("cp1252" if name.startswith("latin1") else "utf-8")
    for noise in noises:
        html = noise(html, data)
    before = parse(body, expected["url"])
    after = parse(html, expected["url"])
    assert after.record == before.record
    assert after.meta.verdict == before.meta.verdict


# -- the two ways of reading rich text agree -----------------------------------

_rich = st.recursive(
    st.one_of(
        st.lists(st.sampled_from(list("ab cä\n\t&;\"'\u00a0Å") + ["&amp;", "&nbsp;", "&lt;", "&#228;", "&#x41;",
                                                                    "&quot;", "&foo;", "&amp", "&#0;", "<",
                                                                    "<<b>", "&amp<b>;", "<x>", "&#x;"]),
                 max_size=12).map("".join),
        st.just("<br>"), st.just("<br/>"), st.just("<br />"),
    ),
    lambda inner: st.builds(
        lambda tag, parts, attr: f"<{tag}{attr}>{''.join(parts)}</{tag}>",
        st.sampled_from(["p", "div", "li", "ul", "h3", "strong", "em", "span", "a", "b"]),
        st.lists(inner, max_size=4),
        st.sampled_from(["", ' href="/x?a=1&amp;b=2"', ' class="x"']),
    ),
    max_leaves=12,
)


@SETTINGS
@given(st.lists(_rich, min_size=1, max_size=5).map("".join))
def test_rich_text_fast_path_matches_the_dom(html: str) -> None:
    from selectolax.lexbor import LexborHTMLParser

    from scraper.text import _NESTED_ITEM, _SIMPLE_HTML, _simple_marks, html_to_text, node_text

    simple = bool(_SIMPLE_HTML.fullmatch(html)) and not _NESTED_ITEM.search(html)
    assert (_simple_marks(html) is not None) == simple, html  # the quick test tells what the grammar says
    via_dom = node_text(LexborHTMLParser(f"<body>{html}</body>").body)
    if not html.strip():
        return
    assert html_to_text(html) == via_dom, (simple, html)


# Pieces that make the script and style cutters take every branch: openers, closers, stray "<", more than
# _HOPS tags in a row (the hopping search gives up and the general one takes over).
_PIECES = st.sampled_from([
    "<", "a", "<b>", "</style>", "</script>", "</script ", '<style data-emotion="x">', "<style data-styled=y>",
    "<style>", "<script>self.__next_f.push(", '[1,"x"]', ")", ");", "</script>", "<script>",
    '<script id="__NEXT_DATA__" type="application/json">', '{"a":1}', "<i>" * 9,
])


def _naive_without_styles(markup: str) -> str:
    """The rule as written: each generated <style> to the first </style> after it, unless a </script
    comes first (then it is script text), scanning with plain finds."""
    out, at, keep = [], markup.find("<style data-"), 0
    while at >= 0:
        if markup.startswith(("emotion=", "styled="), at + len("<style data-")):
            end = markup.find("</style>", at)
            if end < 0:
                break
            inside = markup.find("</script", at, end)
            if inside < 0:
                out.append(markup[keep:at])
                keep = end + len("</style>")
                at = markup.find("<style data-", keep)
                continue
            at = markup.find("<style data-", inside)
            continue
        at = markup.find("<style data-", at + 1)
    return "".join(out) + markup[keep:] if out else markup


@SETTINGS
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_the_script_and_style_cutters_agree_with_plain_searches(page: str) -> None:
    from scraper.scripts import Embedded, without_styles

    assert without_styles(page) == _naive_without_styles(page)
    assert without_styles(page.encode()) == _naive_without_styles(page).encode()
    text, raw = Embedded.split(page), Embedded.split(page.encode())
    assert (raw.next_data, raw.pushes, raw.markup) == (
        None if text.next_data is None else text.next_data.encode(), [p.encode() for p in text.pushes], text.markup.encode())
    # Each data script ends at the first "</script>" after it, as a plain search finds it.
    for push in text.pushes:
        at = page.find("self.__next_f.push(" + push)
        assert "</script>" not in page[at:at + len("self.__next_f.push(") + len(push)]


def _clean_as_written(text: str) -> str:
    """``scraper.text.clean`` by its definition: NFC, control characters dropped, white space folded."""
    import unicodedata

    text = re.sub(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]", "", unicodedata.normalize("NFC", text))
    return " ".join(text.split())


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2000\u2028\x00\x07\x1b\x7f\x9f"
                                             "e\u0301\u0308\u00e9\u212b\u0041\u030a\u1e9b\u0323\u200b\u00ad")), max_size=30))
def test_clean_keeps_its_definition(text: str) -> None:
    from scraper.text import clean

    assert clean(text) == _clean_as_written(text)


@SETTINGS
@given(st.one_of(st.none(), st.integers(), st.text(alphabet=st.sampled_from(list("ab 1\t\n\x00\x0b\x1b\x85\u00a0\u2028\u0301e\u212b"
                                                                        "\u200b\x1c")), max_size=12)))
def test_embedded_scalars_read_as_they_did(value: object) -> None:
    """The one-look readers of embedded scalars give what reading them in two steps gave."""
    from scraper.from_json import _id, _s, _t
    from scraper.text import clean

    assert _t(value) == clean(_s(value))
    text = _s(value)
    assert _id(value) == (None if text is None else "".join(text.split()) if not text.isprintable() else text)


_DOC_PIECES = st.sampled_from(["<", "</html>", "</HTML>", "<!DOCTYPE html>", "<Html", "{", "[", "%PDF", "\u03a3", "\u0130",
                               "\u212a", "a", " ", "\u00e4" * 40, "x" * 60, "<div>", "ς"])


@SETTINGS
@given(st.lists(_DOC_PIECES, max_size=40).map("".join), st.integers(0, 5))
def test_the_quick_document_checks_answer_as_the_whole_windows_do(text: str, start: int) -> None:
    """Looking at 64 characters first changes no answer of the 2048-character checks."""
    from scraper import detect

    head = text[start:start + 2048].lower()
    assert detect.looks_like_html(text, start) == ("<" in head and not head.startswith(("{", "[", "%pdf")) and any(
        t in head for t in ("<html", "<!doctype", "<head", "<body", "<div", "<meta", "<title")))
    assert detect.truncated(text) == ("</html>" not in text[-2048:].lower())


_RSC_STRINGS = st.sampled_from(["$1", "$2", "$3", "$$x", "$$1", "$undefined", "$Sreact.fragment", "$L4", "plain",
                                'q"uote', "$", "ä→", "$\\"])
_RSC_VALUES = st.recursive(_RSC_STRINGS | st.integers(0, 9) | st.none(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_RSC_STRINGS, inner, max_size=3),
                           max_leaves=8)


def _resolved(value: object, rows: dict[str, object]) -> object:
    """What a reference means, on decoded values: "$<id>" is that row, "$$x" the text "$x", "$undefined" null."""
    if isinstance(value, str) and value.startswith("$"):
        if value.startswith("$$"):
            return value[1:]
        if value == "$undefined":
            return None
        if value[1:] in rows:
            return _resolved(rows[value[1:]], rows)
        return value
    if isinstance(value, list):
        return [_resolved(v, rows) for v in value]
    if isinstance(value, dict):
        return {k: _resolved(v, rows) for k, v in value.items()}
    return value


@SETTINGS
@given(text=st.text(max_size=20), second=_RSC_VALUES, third=_RSC_VALUES)
def test_rsc_references_inline_to_what_they_mean(text: str, second: object, third: object) -> None:
    """Row 1 is a text blob, rows 2 and 3 JSON (3 may point at 2 and 1, 2 at 1): inlining the references in the
    row's JSON text gives the very values the references mean."""
    import json

    from scraper import rsc

    def dumps(v: object) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(",", ":"))

    # Row 2 must not point at 3 or itself (no cycles); its "$2"/"$3" become plain text.
    second = json.loads(dumps(second).replace('"$2"', '"two"').replace('"$3"', '"three"'))
    third = json.loads(dumps(third).replace('"$3"', '"three"'))
    # A JSON row is an array, an object or a string (scalars are not rows).
    second = [second]
    third = third if isinstance(third, (list, dict, str)) else [third]
    stream = f"1:T{len(text.encode()):x},{text}2:{dumps(second)}\n3:{dumps(third)}\n"
    rows = rsc.parse_rows(stream)
    meaning = {"1": text, "2": second, "3": third}
    assert json.loads(rsc.inline_text(rows["3"], rows)) == _resolved(third, meaning)
    assert json.loads(rsc.inline_text(rows["2"], rows)) == _resolved(second, meaning)
