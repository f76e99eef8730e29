"""The daemon as a real subprocess against the local site: runs, stops, restarts, shares a database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from helpers import ROOT, run_cli
from storage.engine import database_url
from vahti.samples.server import SiteServer
from vahti.samples.site import sample_site, with_base


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as srv:
        for path, (body, ctype) in with_base(sample_site(1), srv.url).items():
            srv.site.set(path, body, ctype)
        yield srv


def config(tmp_path: Path, db: str, url: str, *, every: str = "1s", rate: float = 200.0) -> Path:
    conf = tmp_path / f"vahti-{every}-{rate}.toml"
    conf.write_text(f'[database]\nurl = "{db}"\n\n[[site]]\nurl = "{url}"\nevery = "{every}"\nrate = {rate}\n'
                    f'list_page = false\nconcurrency = 1\n'
                    f'retries = 1\nbackoff = 0.01\nmax_backoff = 0.05\ntimeout = 2\n',  # fast faults
                    encoding="utf-8")
    return conf


def daemon(conf: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "run", "--config", str(conf),
                             *extra], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def q(db: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql)).all()]
    finally:
        engine.dispose()


def wait_for(check, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - the database may not exist yet
            pass
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out, err


def test_runs_happen_and_sigterm_stops_cleanly(site: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    proc = daemon(config(tmp_path, db, site.url), "--log-format", "json")
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls WHERE status = 'ok'")[0][0] >= 2)
    _, err = stop(proc)
    assert q(db, "SELECT count(*) FROM versions")[0] == (12,)
    assert q(db, "SELECT count(*) FROM crawls WHERE status = 'running'")[0] == (0,)
    assert q(db, "PRAGMA integrity_check")[0] == ("ok",)
    lines = [line for line in err.splitlines() if line.startswith("{")]
    assert any('"message": "stopped"' in line for line in lines)
    assert any('"status": "ok"' in line and '"new_versions": 12' in line for line in lines)


def test_sigterm_mid_crawl_finishes_the_page_and_exits_0(site: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    proc = daemon(config(tmp_path, db, site.url, every="1h", rate=3.0))  # ~5 s for the site
    wait_for(lambda: q(db, "SELECT count(*) FROM versions")[0][0] >= 2)
    started = time.monotonic()
    stop(proc)
    assert time.monotonic() - started < 10
    (versions,) = q(db, "SELECT count(*) FROM versions")[0]
    assert 2 <= versions < 12
    assert q(db, "SELECT status FROM crawls") == [("interrupted",)]
    assert q(db, "SELECT count(*) FROM versions v LEFT JOIN captures c ON c.version_id = v.id "
                 "WHERE c.id IS NULL")[0] == (0,)
    assert q(db, "SELECT count(*) FROM locks")[0] == (0,)
    assert q(db, "PRAGMA integrity_check")[0] == ("ok",)


def test_a_run_missed_while_down_is_made_up_exactly_once(site: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    conf = config(tmp_path, db, site.url, every="1h")
    proc = daemon(conf)
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls WHERE status = 'ok'")[0][0] == 1)
    stop(proc)
    # While the daemon was down, three hourly runs fell due: move the saved job back in time
    # (through APScheduler's own job store, which keeps the time in its pickled state too).
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    engine = create_engine(database_url(db))
    jobs = SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")
    jobs.start(BackgroundScheduler(timezone=dt.timezone.utc), "default")
    (job,) = [j for j in jobs.get_all_jobs() if j.id.startswith("crawl:")]
    # (Half past: with up to 5 min of jitter per hour, the next slot after the make-up
    # run is at least 25 minutes away.)
    job.next_run_time = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3, minutes=30)
    jobs.update_job(job)
    engine.dispose()
    proc = daemon(conf)
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls WHERE status = 'ok'")[0][0] >= 2)
    time.sleep(3)  # room for a wrong second make-up run
    stop(proc)
    assert q(db, "SELECT count(*) FROM crawls")[0] == (2,)
    (next_run,) = q(db, "SELECT next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'")[0]
    assert float(next_run) > time.time() + 1500  # back on the hourly rhythm, not run again


def test_a_configuration_change_is_taken_up_on_restart(site: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    proc = daemon(config(tmp_path, db, site.url, every="1h"))
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls WHERE status = 'ok'")[0][0] == 1)
    stop(proc)
    before = q(db, "SELECT next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'")[0][0]
    proc = daemon(config(tmp_path, db, site.url, every="2h"))
    time.sleep(3)
    _, err = stop(proc)
    assert "re-timed" in err
    after = q(db, "SELECT next_run_time FROM apscheduler_jobs WHERE id LIKE 'crawl:%'")[0][0]
    assert float(after) > float(before)  # type: ignore[arg-type]
    assert q(db, "SELECT count(*) FROM crawls")[0] == (1,)  # re-timing does not crawl


def test_two_daemons_on_one_database_never_crawl_a_site_at_once(site: SiteServer, tmp_path: Path,
                                                              db_url: str) -> None:
    conf = config(tmp_path, db_url, site.url, every="1s", rate=12.0)  # each crawl takes ~1.2 s
    logs = [tmp_path / "first.err", tmp_path / "second.err"]
    procs: list[subprocess.Popen[str]] = []
    try:
        for i, log in enumerate(logs):
            with log.open("w") as err:
                procs.append(subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "run", "--config",
                                               str(conf)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, text=True))
            if i == 0:
                wait_for(lambda: q(db_url, "SELECT count(*) FROM crawls")[0][0] >= 1)

        def collided() -> bool:  # however the two schedulers happen to interleave on a busy machine, wait for it
            said = "".join(log.read_text(encoding="utf-8") for log in logs)
            return "another crawler is crawling it" in said and \
                q(db_url, "SELECT count(*) FROM crawls WHERE status = 'ok'")[0][0] >= 3

        wait_for(collided, timeout=90)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            assert proc.wait(timeout=60) == 0, [log.read_text(encoding="utf-8") for log in logs]
    runs = q(db_url, "SELECT started_at, finished_at, runner FROM crawls ORDER BY started_at")
    for (s1, f1, r1), (s2, f2, r2) in zip(runs, runs[1:]):
        assert f1 is not None and str(f1) <= str(s2), "two crawls of one site overlapped"
    assert q(db_url, "SELECT count(*) FROM versions")[0] == (12,)
    assert q(db_url, "SELECT count(*) FROM locks")[0] == (0,)


def test_status_reports_runs_failures_and_stale_measures(site: SiteServer, tmp_path: Path) -> None:
    import json

    db = str(tmp_path / "vahti.db")
    subprocess.run([sys.executable, "-c", "from cli import main; main()", "crawl", "--config",
                    str(config(tmp_path, db, site.url))], cwd=ROOT, check=True, capture_output=True)
    site.site.fault("/actions/3", *["500"] * 10)
    subprocess.run([sys.executable, "-c", "from cli import main; main()", "crawl", "--config",
                    str(config(tmp_path, db, site.url))], cwd=ROOT, capture_output=True)
    # (status itself in this process: its start-up is measured elsewhere, its output is what is tested)
    (report,) = json.loads(run_cli("status", "--db", db, "--json"))["sites"]
    assert report["last_crawl"]["status"] == "partial" and report["last_crawl"]["failed"] == 1
    assert report["consecutive_failures"] == 1 and report["measures"] == 12
    assert len(report["stale"]) == 12  # the sample plan was last updated in 2020
    text_out = run_cli("status", "--db", db)
    assert "1 crawl(s) in a row did not finish cleanly" in text_out and "not updated in 180 days" in text_out
    os.environ.pop("VAHTI_UNUSED", None)


def test_a_daemon_with_a_dead_site_stops_at_once_without_a_traceback(tmp_path: Path) -> None:
    """Backoff waits end on the stop; skipped runs are one clear line each, not APScheduler warnings."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    db = str(tmp_path / "vahti.db")
    conf = tmp_path / "dead.toml"
    conf.write_text(f'[database]\nurl = "{db}"\n\n[[site]]\nurl = "{dead}"\nevery = "1s"\nretries = 6\n'
                    'backoff = 2.0\nmax_backoff = 30\n', encoding="utf-8")  # a crawl would take a minute
    proc = daemon(conf)
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls")[0][0] >= 1)
    time.sleep(2.5)  # runs come due while the first crawl waits to retry
    started = time.monotonic()
    out, err = stop(proc)
    assert time.monotonic() - started < 5
    assert "Traceback" not in err and "maximum number of running instances" not in err
    assert "skipped: its previous crawl is still running" in err
    assert q(db, "SELECT status FROM crawls") == [("interrupted",)]
    assert q(db, "SELECT count(*) FROM locks")[0] == (0,)


def test_sigterm_during_vahti_crawl_records_it_interrupted_and_a_dead_crawls_row_is_closed(
        site: SiteServer, tmp_path: Path) -> None:
    db = str(tmp_path / "vahti.db")
    conf = config(tmp_path, db, site.url, rate=3.0)  # ~5 s for the site
    proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "crawl", "--config", str(conf)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: q(db, "SELECT count(*) FROM versions")[0][0] >= 2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1 and "stopped on a signal" in err
    assert q(db, "SELECT status FROM crawls") == [("interrupted",)] and q(db, "SELECT count(*) FROM locks")[0] == (0,)
    # A crawl killed outright leaves its row "running"; the next crawl of the site closes it.
    proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "crawl", "--config", str(conf)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: q(db, "SELECT count(*) FROM crawls WHERE status = 'running'")[0][0] == 1)
    proc.kill()
    proc.communicate(timeout=10)
    fast = config(tmp_path, db, site.url)  # the same site and database, not slowed down
    subprocess.run([sys.executable, "-c", "from cli import main; main()", "crawl", "--config", str(fast)],
                   cwd=ROOT, capture_output=True, timeout=60)
    statuses = [s for (s,) in q(db, "SELECT status FROM crawls ORDER BY id")]
    assert statuses == ["interrupted", "interrupted", "ok"]
