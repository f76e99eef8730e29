"""Hostile pages: the parser never raises on content, bounds its work, keeps control characters out."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import pytest

from helpers import ROOT
from scraper import parse
from vahti.samples.pages import app_router_page, classic_page
from vahti.samples.spec import spec_91

URL = "https://ilmastovahti.hel.fi/actions/91"


def _rsc_page(rows: str, action: dict[str, object]) -> bytes:
    stream = rows + "ff:" + json.dumps(["$", "$L33", None, {"action": action}], separators=(",", ":")) + "\n"
    push = json.dumps([1, stream]).replace("</", "\\u003c/")
    head = app_router_page(spec_91("fi"), with_json=False).split("</body>")[0]
    return (head + f"<script>self.__next_f.push({push})</script></body></html>").encode()


def test_an_rsc_reference_bomb_is_bounded_and_degraded() -> None:
    """Rows that reference each other twice per level: 2**40 copies if inlined naively."""
    rows = "0:\"" + "x" * 200 + "\"\n" + "".join(f"{i + 1:x}:[\"${i:x}\",\"${i:x}\"]\n" for i in range(30))
    action = {"__typename": "Action", "identifier": "91", "name": "A", "tasks": [], "description": f"${30:x}"}
    body = _rsc_page(rows, action)
    started = time.process_time()
    result = parse(body, URL)
    assert time.process_time() - started < 2
    assert result.meta.verdict == "degraded"
    assert any("embedded data not read: RSC references expand past" in r for r in result.meta.reasons)


def test_deep_json_and_charset_names_that_are_no_charsets_do_not_raise() -> None:
    deep = "[" * 5000 + "]" * 5000
    page = classic_page(spec_91("fi")).replace('<script id="__NEXT_DATA__" type="application/json">',
                                               f'<script id="__NEXT_DATA__" type="application/json">{deep}', 1)
    assert parse(page.encode(), URL).meta.verdict in ("ok", "degraded")
    for charset in ("rot13", "base64", "zlib", "no-such-charset", "idna"):
        body = classic_page(spec_91("fi")).replace('<meta charSet="utf-8"/>', f'<meta charset="{charset}"/>').encode()
        assert parse(body, URL).meta.verdict in ("ok", "degraded"), charset


def test_a_page_in_another_charset_than_it_declares_is_degraded_not_ok() -> None:
    page = classic_page(spec_91("fi"), with_json=False)
    latin1 = page.encode("cp1252", errors="replace")  # ä, ö as single bytes under charSet="utf-8"
    result = parse(latin1, URL)
    assert result.meta.verdict == "degraded"
    assert any("does not decode as its declared charset" in r for r in result.meta.reasons)
    utf7 = page.replace('<meta charSet="utf-8"/>', '<meta charset="utf-7"/>').encode("cp1252", errors="replace")
    assert parse(utf7, URL).meta.verdict == "degraded"
    undeclared = page.replace('<meta charSet="utf-8"/>', "").encode("cp1252", errors="replace")
    assert parse(undeclared, URL).meta.verdict == "ok"  # no claim broken: a Latin-1 guess, as browsers do


def test_control_characters_never_reach_the_record() -> None:
    spec = spec_91("fi")
    esc = "\x1b]0;pwned\x07\x1b[31m"
    spec["previous"], spec["next"] = f"90{esc}", "92\r\nForged: line"
    spec["plan"] = f"Plan{esc}"
    spec["status"] = (f"on_time{esc}", "Ajallaan")
    spec["tasks"][0]["id"] = f"1201{esc}"
    for body in (classic_page(spec), classic_page(spec, with_json=False), app_router_page(spec)):
        record = parse(body, URL).record
        assert record is not None
        text = record.to_json()
        assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in json.loads(text).__repr__()
                       if c not in "\n"), text[:200]
        assert "\\u001b" not in text and "\\r" not in text and "\\u0007" not in text


def test_peak_memory_parsing_a_bomb_stays_small() -> None:
    """In its own process: RSS stays well under 300 MB whatever the page tries."""
    code = ("import resource, sys; sys.path.insert(0, 'tests'); from test_hostile_pages import _rsc_page; "
            "from scraper import parse; rows = '0:\"' + 'y' * 100000 + '\"\\n' + ''.join("
            "f'{i + 1:x}:[\"${i:x}\",\"${i:x}\",\"${i:x}\"]\\n' for i in range(30)); "
            "a = {'__typename': 'Action', 'identifier': '91', 'name': 'A', 'tasks': [], 'description': '$1e'}; "
            "r = parse(_rsc_page(rows, a), 'https://x/actions/91'); "
            "print(r.meta.verdict, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    verdict, rss_mb = out.stdout.split()
    assert verdict == "degraded" and int(rss_mb) < 300, out.stderr
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0


def test_cutting_the_generated_styles_the_head_and_the_shell_changes_no_record(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lexbor gets the markup without emotion's and styled-components' <style> elements, with a head that holds
    only its title and a body that starts at the action's root: every page, real or fixture, parses to the very
    same result as with them."""
    import scraper.parser as parser_module
    from helpers import real_pages

    bodies = [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/91") for p in sorted(real_pages().glob("*/*.html"))]
    bodies += [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/91") for p in sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))]
    cut = [parse(body, url) for body, url in bodies]
    monkeypatch.setattr(parser_module, "without_styles", lambda markup: markup)
    monkeypatch.setattr(parser_module, "head_title_only", lambda markup: markup)
    monkeypatch.setattr(parser_module, "from_action_root", lambda markup: markup)
    assert [parse(body, url) for body, url in bodies] == cut


def test_cutting_styles_is_linear_and_leaves_what_is_not_a_generated_style() -> None:
    from scraper.scripts import without_styles

    tag = b'<style data-emotion="mui x">'
    assert without_styles(b"<p>a</p>" + tag + b".a{}</style><p>b</p>") == b"<p>a</p><p>b</p>"
    assert without_styles(b"<style>.a{}</style><p>b</p>") == b"<style>.a{}</style><p>b</p>"  # not generated: kept
    script = b"<script>var s = '" + tag + b"'</script><p>kept</p></style>"
    assert without_styles(script) == script  # its end lies past a </script: script text, kept
    # Crafted to make a naive search quadratic (each "<style" scanning to one far "</style>"): these finish
    # in milliseconds; a quadratic version took a minute here.
    many = (b"<script>" + tag + b"</script>") * 100_000 + b"</style>"
    assert without_styles(many) == many
    assert without_styles(tag * 200_000) == tag * 200_000  # never closed: kept
    assert without_styles((tag + b"a</script>") * 100_000 + b"</style>") == (tag + b"a</script>") * 100_000 + b"</style>"


def test_the_shell_before_the_action_is_cut_only_when_no_reader_looks_there() -> None:
    from scraper.scripts import from_action_root

    shell = b'<html lang="fi"><head><title>T</title></head><body><header><a href="/">Site</a></header>'
    root = b'<div hidden id="S:4"><div data-testid="action-page"><h1><span>91</span>Name</h1></div></div></body></html>'
    assert from_action_root(shell + root) == shell[:shell.index(b"<header")] + root[root.index(b"<div data"):]
    main = b'<html><head></head><body><div id="__next"><nav>menu</nav><main id="main"><h1>A</h1></main></div></body></html>'
    assert from_action_root(main) == b'<html><head></head><body><main id="main"><h1>A</h1></main></div></body></html>'
    streamed_title = shell + b"<title>Action 91 | Plan</title>" + root  # a 2026 page streams its title into the body
    assert b"<title>Action 91 | Plan</title><div data-testid" in from_action_root(streamed_title)
    for kept in (shell + b"<h1>Site</h1>" + root,  # the document's first <h1> is what the not-a-measure check reads
                 shell + b'<template data-dgst="NEXT_HTTP_ERROR_FALLBACK;404"></template>' + root,  # a soft 404
                 shell + b"<title>never closed" + root,
                 shell + b'<p>data-testid="action-page" in text</p>',  # the marker is no attribute there
                 b"<html><body><div>no root</div></body></html>", b"<html>no body</html>"):
        assert from_action_root(kept) == kept


def test_the_head_is_cut_only_when_it_is_plain() -> None:
    from scraper.scripts import head_title_only

    page = b'<html lang="fi"><head><meta charSet="utf-8"/><script src="a.js"></script><title>T</title></head><body>x</body></html>'
    assert head_title_only(page) == b'<html lang="fi"><head><title>T</title></head><body>x</body></html>'
    assert head_title_only(page.replace(b"<title>T</title>", b"")) == b'<html lang="fi"><head></head><body>x</body></html>'
    in_script = b"<html><head><script>var s = '</head><title>fake</title>'</script><title>T</title></head><body>x</body></html>"
    assert head_title_only(in_script) == in_script  # its "</head>" may be script text: left whole
    two = b"<html><head><title>A</title><title>B</title></head><body>x</body></html>"
    assert head_title_only(two) == two
    assert head_title_only(b"<html><body>no head</body></html>") == b"<html><body>no head</body></html>"
    assert head_title_only(b"<html><head><title>never closed</head>") == b"<html><head><title>never closed</head>"
