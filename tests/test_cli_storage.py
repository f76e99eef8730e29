"""The storage commands, end to end through the CLI (as a user runs them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import PAGES, vahti_here

URL = "https://ilmastovahti.hel.fi/actions/91"



@pytest.fixture
def filled(db_url: str) -> str:
    vahti_here("import", str(PAGES / "classic_fi_91.html"), "--url", URL, "--at", "2020-05-20T06:00:00+03:00", "--db", db_url)
    vahti_here("import", str(PAGES / "classic_fi_91.html"), "--url", URL, "--at", "2020-05-21T06:00:00Z", "--db", db_url)
    vahti_here("import", str(PAGES / "pagesrouter_fi_91.html"), "--url", URL, "--at", "2023-01-02T06:00:00Z", "--db", db_url)
    return db_url


def test_history_show_export(filled: str) -> None:
    out = json.loads(vahti_here("history", "91", "--db", filled, "--json").stdout)
    assert [(v["number"], v["captures"], v["tasks"]) for v in out["versions"]] == [(1, 2, 6), (2, 1, 7)]
    assert out["versions"][0]["first_seen_at"] == "2020-05-20T03:00:00+00:00"
    text = vahti_here("history", URL, "--db", filled).stdout
    assert "2020-05-20 03:00:00" in text and "embedded-json" in text
    shown = json.loads(vahti_here("show", "91", "--as-of", "2021-01-01", "--db", filled, "--json").stdout)
    assert shown["version"] == 1 and shown["record"]["tasks"][-1]["state"] == "open"
    latest = vahti_here("show", "91", "--db", filled).stdout
    assert "Yhteistyö koulujen ja oppilaitosten kanssa" in latest and "version 2" in latest
    lines = vahti_here("export", "--format", "jsonl", "--db", filled).stdout.splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["record"]["tasks"][0]["id"] == "1413"
    csv_text = vahti_here("export", "--format", "csv", "--table", "contacts", "--db", filled).stdout
    assert csv_text.count("\n") == 5 and "Mikko Martikka" in csv_text


def test_reparse_and_upgrade(filled: str) -> None:
    out = json.loads(vahti_here("reparse", "--db", filled, "--json").stdout)
    assert out == {"measures": 1, "bodies_parsed": 2, "changed": []}
    assert "already current" in vahti_here("db", "upgrade", "--db", filled).stdout


def test_errors_are_one_line_with_the_right_exit_code(filled: str, tmp_path: Path) -> None:
    missing = vahti_here("show", "12345", "--db", filled, check=2)
    assert missing.stderr.strip() == "vahti: no stored measure with identifier '12345'"
    nodb = vahti_here("history", "91", "--db", str(tmp_path / "nothing.db"), check=2)
    assert "no database at" in nodb.stderr and "Traceback" not in nodb.stderr
    bad = vahti_here("show", "91", "--as-of", "yesterday", "--db", filled, check=2)
    assert "not a date" in bad.stderr
    notpage = vahti_here("import", str(PAGES / "blocked_challenge.html"), "--url", URL, "--at", "2024-01-01T00:00:00Z",
                    "--db", filled, check=1)
    assert "not a measure" in notpage.stdout
