"""`vahti demo`, `vahti changes` and `vahti diff`, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from helpers import ROOT, vahti, vahti_here


def test_demo_runs_offline_quickly_and_tells_what_to_do_next(tmp_path: Path) -> None:
    start = time.monotonic()
    # As a user runs it, with --serve: the report it built is served from 127.0.0.1 until stopped.
    proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "demo", "--dir", str(tmp_path),
                             "--serve"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Serving the report at "):
                break
        assert lines and lines[-1].startswith("Serving the report at "), "".join(lines)
        url = lines[-1].split(" at ")[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        index = httpx.get(url)
        assert index.status_code == 200 and "Measures by status" in index.text
        [measure] = (tmp_path / "report").glob("measures/*/actions/3.html")
        served = httpx.get(url + measure.relative_to(tmp_path / "report").as_posix())
        assert served.status_code == 200 and served.content == measure.read_bytes()
        assert "Maija Virtanen" in served.text  # the change-log author, on the page
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert time.monotonic() - start < 60
    out = "".join(lines)
    db = tmp_path / "vahti.db"
    report = tmp_path / "report" / "index.html"
    assert str(report.resolve()) in out.splitlines() and report.is_file()  # the path it prints opens
    assert "Tasks completed and overdue per month" in report.read_text(encoding="utf-8")
    assert f"database: {db}" in out
    assert "Day 1" in out and "12 new measures" in out
    assert "✔ Task completed: Koululaisille" in out and "− Contact removed: Anssi Almgren" in out
    assert "(nothing else changed)" in out and "Merged into measure 10" in out
    assert f"vahti history 2 --db {db}" in out and "--as-of" in out
    # The commands it suggests work on what it made.
    history = json.loads(vahti_here("history", "2", "--db", str(db), "--json").stdout)
    assert [v["completed_tasks"] for v in history["versions"]] == [5, 6]
    lines = vahti_here("changes", "--db", str(db), "--json", "--kind", "task.*").stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert {e["kind"] for e in events} == {"task.completed", "task.added", "task.renamed"}
    assert all(set(e) >= {"site", "measure", "kind", "subject", "before", "after", "summary", "observed_at",
                          "from_version", "to_version"} for e in events)
    touched = [json.loads(x) for x in vahti_here("changes", "--db", str(db), "--json", "--measure", "6").stdout.splitlines()]
    assert [(e["kind"], e.get("touched_only")) for e in touched] == [("measure.added", None),
                                                                      ("updated.changed", True)]
    diff = json.loads(vahti_here("diff", "3", "--db", str(db), "--json").stdout)
    assert sorted(e["kind"] for e in diff) == ["change_log.added", "contact.added", "contact.removed",
                                               "updated.changed"]
    text = vahti_here("diff", "3", "--from", "1", "--to", "2", "--db", str(db)).stdout
    assert "version 1 → 2" in text and "Liisa Laine" in text
    bad = vahti_here("changes", "--db", str(db), "--kind", "task.exploded", check=2)
    assert "unknown event kind" in bad.stderr
    none = vahti_here("diff", "3", "--from", "1", "--to", "9", "--db", str(db), check=2)
    assert "no version 9" in none.stderr


def test_parse_reads_a_url_through_the_polite_fetcher() -> None:
    import json

    from vahti.samples.server import SiteServer
    from vahti.samples.site import sample_site

    with SiteServer() as srv:
        body, ctype = sample_site(1)["/actions/5"]
        srv.site.set("/actions/5", body, ctype)
        out = json.loads(vahti("parse", f"{srv.url}/actions/5", "--json").stdout)
        assert out["record"]["identifier"] == "5" and out["record"]["url"] == f"{srv.url}/actions/5"
        assert out["meta"]["verdict"] == "ok" and out["meta"]["generation"] == "app-router"
        assert srv.site.hits[0].headers["user-agent"].startswith("vahti/")
        missing = vahti("parse", f"{srv.url}/actions/404", check=1)
        assert missing.stderr.startswith("vahti: HTTP 404") and "Traceback" not in missing.stderr


def test_help_and_parse_of_a_file_import_no_database_or_http_library() -> None:
    """Start-up: a command imports what it needs when it needs it."""
    import subprocess
    import sys

    from helpers import PAGES, ROOT

    probe = ("import sys; sys.argv[0] = 'vahti'; from cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('sqlalchemy', 'httpx', 'alembic', 'apscheduler') if m in sys.modules),"
             " file=sys.stderr)")
    for args in (["--help"], ["parse", str(PAGES / "classic_fi_91.html")]):
        out = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
        assert out.stderr.strip().splitlines()[-1] == "[]", (args, out.stderr)
