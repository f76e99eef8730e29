"""Versioned snapshot storage, the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import func, select, text

from helpers import load_fixture, store_page
from scraper import parse
from storage import queries
from storage.export import write
from storage.models import Blob, Capture, TaskState, Version
from vahti.app.reparse import reparse
from storage.store import FetchInfo, Store, read_blob
from vahti.errors import StorageError
from vahti.clock import parse_moment
from vahti.record import ParseResult

SITE = "https://ilmastovahti.hel.fi"
URL = "https://ilmastovahti.hel.fi/actions/91"
T0 = dt.datetime(2020, 5, 20, 6, 0, tzinfo=dt.timezone.utc)


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def page(name: str = "classic_fi_91") -> tuple[bytes, ParseResult]:
    body, expected = load_fixture(name)
    return body, parse(body, expected["url"])


def with_record(result: ParseResult, **changes: object) -> ParseResult:
    assert result.record is not None
    return dataclasses.replace(result, record=dataclasses.replace(result.record, **changes))


def complete_last_task(result: ParseResult, on: dt.date) -> ParseResult:
    assert result.record is not None
    tasks = list(result.record.tasks)
    tasks[-1] = dataclasses.replace(tasks[-1], state="completed", completed_date=on)
    return with_record(result, tasks=tuple(tasks))


def count(store: Store, model: type) -> int:
    with store.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_first_store_makes_version_one(store: Store) -> None:
    body, result = page()
    stored = store_page(store, site=SITE, url=URL, fetch=FetchInfo(T0, 200), result=result, body=body)
    assert (stored.outcome, stored.version, stored.previous) == ("new_version", 1, None)
    with store.reading() as s:
        measure = queries.resolve_measure(s, "91")
        v = queries.version(s, measure)
        assert v is not None and queries.record(v) == result.record
        assert v.first_seen_at == T0 and v.first_seen_at.tzinfo is not None
        assert read_blob(s, s.scalars(select(Capture)).one().blob_id) == body


def test_storing_the_same_parse_twice_is_idempotent(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    again = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=result, body=body)
    assert (again.outcome, again.version) == ("unchanged", 1)
    assert count(store, Version) == 1 and count(store, Blob) == 1 and count(store, Capture) == 2
    with store.reading() as s:
        v = s.scalars(select(Version)).one()
        assert v.last_seen_at == day(1) and v.last_capture_id == again.capture_id


def test_changed_record_adds_version_and_task_states(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    changed = complete_last_task(result, dt.date(2020, 10, 2))
    stored = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(3), 200), result=changed, body=body + b" ")
    assert (stored.outcome, stored.version, stored.previous) == ("new_version", 2, 1)
    with store.reading() as s:
        rows = s.execute(text("SELECT name, state, from_version, until_version, valid_until FROM task_history "
                              "WHERE task_id = '1413' ORDER BY from_version")).all()
        assert [(r[1], r[2], r[3]) for r in rows] == [("open", 1, 2), ("completed", 2, None)]
        assert rows[0][4] is not None
        # Unchanged tasks keep one open row each.
        assert s.scalar(select(func.count()).select_from(TaskState).where(TaskState.valid_until.is_(None))) == 6
        assert s.scalar(text("SELECT count(*) FROM contact_history")) == 4


def test_not_modified_and_errors_are_captures_only(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200, etag='"a"'), result=result, body=body)
    nm = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 304, etag='"a"', not_modified=True))
    err = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(2), error="ReadTimeout"))
    assert (nm.outcome, nm.version) == ("not_modified", 1)
    assert err.outcome == "error"
    with store.reading() as s:
        v = s.scalars(select(Version)).one()
        assert v.last_seen_at == day(1)  # the error did not confirm anything
        measure = queries.resolve_measure(s, URL)
        assert measure.last_seen_at == day(1)


def test_degraded_never_replaces_a_good_version(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    bad_body, bad = page("degraded_classic_91_baddate")
    assert bad.meta.verdict == "degraded"
    stored = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=bad, body=bad_body)
    assert (stored.outcome, stored.version) == ("degraded_kept", 1)
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Version)) == 1
        cap = s.get(Capture, stored.capture_id)
        assert cap is not None and cap.verdict == "degraded" and cap.blob_id is not None
        assert "unreadable" in json.loads(cap.meta or "{}")["reasons"][0]
        assert read_blob(s, cap.blob_id) == bad_body


def test_degraded_first_sight_is_a_flagged_version_then_ok_replaces_it(store: Store) -> None:
    bad_body, bad = page("degraded_classic_91_baddate")
    first = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=bad, body=bad_body)
    assert (first.outcome, first.version) == ("new_version", 1)
    body, result = page()
    second = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=result, body=body)
    assert (second.outcome, second.version) == ("new_version", 2)
    with store.reading() as s:
        assert [v.verdict for v in s.scalars(select(Version).order_by(Version.number))] == ["degraded", "ok"]


def test_not_a_measure_is_a_capture_with_evidence(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    nf_body, nf = page("blocked_challenge")
    stored = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=nf, body=nf_body)
    assert (stored.outcome, stored.version) == ("not_a_measure", 1)
    unknown = store_page(store, site=SITE, url=SITE + "/actions/999", fetch=FetchInfo(day(1), 200), result=nf,
                          body=nf_body)
    assert unknown.measure_id is None and unknown.outcome == "not_a_measure"
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Version)) == 1
        assert s.get(Capture, unknown.capture_id).url == SITE + "/actions/999"  # type: ignore[union-attr]


def test_bodies_are_stored_once_and_as_deltas(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    body2 = body.replace(b"20.05.2020", b"21.05.2020")
    r2 = with_record(result, updated_on=dt.date(2020, 5, 21))
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=r2, body=body2)
    with store.reading() as s:
        blobs_ = list(s.scalars(select(Blob).order_by(Blob.id)))
        assert [b.codec for b in blobs_] == ["zstd", "zstd-delta"]
        assert len(blobs_[1].data) < 200 < len(blobs_[0].data)
        assert read_blob(s, blobs_[1].id) == body2


def test_history_as_of_and_all_as_of(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=result, body=body)
    changed = complete_last_task(result, dt.date(2020, 10, 2))
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(5), 200), result=changed, body=body)
    other_body, other = page("classic_fi_147_last_updates")
    store_page(store, site=SITE, url=SITE + "/actions/147", fetch=FetchInfo(day(2), 200), result=other, body=other_body)
    with store.reading() as s:
        m = queries.resolve_measure(s, "91", site=SITE + "/")
        hist = queries.history(s, m)
        assert [(h.number, h.captures, h.completed_tasks) for h in hist] == [(1, 2, 5), (2, 1, 6)]
        assert queries.as_of(s, m, day(0) - dt.timedelta(seconds=1)) is None
        assert queries.as_of(s, m, day(4)).number == 1  # type: ignore[union-attr]
        assert queries.as_of(s, m, parse_moment("2020-05-25", end_of_day=True)).number == 2  # type: ignore[union-attr]
        snapshot = queries.all_as_of(s, day(3))
        assert [(mm.identifier, v.number) for mm, v in snapshot] == [("147", 1), ("91", 1)]
        latest = s.execute(text("SELECT identifier, version, name, status, completion FROM latest_records "
                                "ORDER BY identifier")).all()
        assert [tuple(r)[:4] for r in latest] == [("147", 1, "Toimenpideohjelman arviointi", "Ajallaan"),
                                                 ("91", 2, "Yhteistyö koulujen ja oppilaitosten kanssa", "Ajallaan")]
        assert latest[0][4] == 40


def test_ambiguous_and_unknown_measures(store: Store) -> None:
    from storage.queries import MeasureNotFound

    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    sv_body, sv = page("approuter_sv_91")
    store_page(store, site=SITE, url=SITE + "/sv/actions/91", fetch=FetchInfo(day(0), 200), result=sv, body=sv_body)
    store_page(store, site="https://other.example", url="https://other.example/actions/91", fetch=FetchInfo(day(0), 200),
                result=result, body=body)
    with store.reading() as s:
        assert queries.resolve_measure(s, "91", site=SITE).url == URL  # the primary language
        assert queries.resolve_measure(s, SITE + "/sv/actions/91/").language == "sv"
        with pytest.raises(MeasureNotFound, match="ambiguous"):
            queries.resolve_measure(s, "91")
        with pytest.raises(MeasureNotFound, match="no stored measure"):
            queries.resolve_measure(s, "404")


def test_reparse_rebuilds_versions_from_raw_bodies(store: Store) -> None:
    """A buggy parser stored a wrong name; reparse with the current parser fixes history."""
    body, result = page()
    wrong = with_record(result, name="WRONG NAME")
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=wrong, body=body)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 304, not_modified=True))
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(2), 200), result=result, body=body + b"\n")
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(Version)) == 2
    blobs_before = count(store, Blob)
    report = reparse(store)
    assert report.bodies == 2 and [(m.before, m.after) for m in report.changed] == [(2, 1)]
    assert count(store, Blob) == blobs_before  # never deletes a raw body
    with store.reading() as s:
        versions = list(s.scalars(select(Version)))
        assert len(versions) == 1 and queries.record(versions[0]).name == result.record.name  # type: ignore[union-attr]
        assert versions[0].first_seen_at == day(0) and versions[0].last_seen_at == day(2)
        outcomes = [c.outcome for c in s.scalars(select(Capture).order_by(Capture.id))]
        assert outcomes == ["new_version", "not_modified", "unchanged"]
        assert all(c.version_id == versions[0].id for c in s.scalars(select(Capture)))
        assert s.scalar(text("SELECT count(*) FROM task_history")) == 6
    assert reparse(store).changed == []  # a second run changes nothing


def test_export_jsonl_and_csv(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=complete_last_task(result, dt.date(2020, 9, 1)),
                body=body)
    with store.reading() as s:
        out = io.StringIO()
        assert write(s, "versions", "jsonl", out) == 2
        lines = [json.loads(x) for x in out.getvalue().splitlines()]
        assert [x["version"] for x in lines] == [1, 2] and lines[0]["record"]["identifier"] == "91"
        # The same ISO 8601 UTC times from SQLite and PostgreSQL (and as in change events).
        assert (lines[0]["first_seen_at"], lines[1]["last_seen_at"]) == (day(0).isoformat(), day(1).isoformat())
        out = io.StringIO()
        assert write(s, "tasks", "csv", out) == 7
        assert out.getvalue().startswith("site,url,measure,task_key")
        tasks = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert {t["valid_from"] for t in tasks} == {day(0).isoformat(), day(1).isoformat()}
        out = io.StringIO()
        assert write(s, "contacts", "csv", out) == 4
        out = io.StringIO()
        write(s, "versions", "csv", out)
        assert "completed_tasks" in out.getvalue().splitlines()[0]


def test_times_are_stored_in_utc(store: Store) -> None:
    body, result = page()
    helsinki = dt.timezone(dt.timedelta(hours=3))
    at = dt.datetime(2020, 5, 20, 23, 30, tzinfo=helsinki)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(at, 200), result=result, body=body)
    with store.reading() as s:
        v = s.scalars(select(Version)).one()
        assert v.first_seen_at == at and v.first_seen_at.utcoffset() == dt.timedelta(0)
        assert v.first_seen_at.hour == 20
    with pytest.raises(StorageError, match="naive"):
        store_page(store, site=SITE, url=URL, fetch=FetchInfo(dt.datetime(2020, 1, 1), 200), result=result, body=body)


def test_a_failed_store_leaves_the_last_committed_state(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    # The version row is written, then a task state violates NOT NULL: all of it must roll back.
    broken = with_record(result, tasks=(dataclasses.replace(result.record.tasks[0], name=None),))  # type: ignore[union-attr]
    with pytest.raises(StorageError):
        store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 200), result=broken, body=body + b"!")
    assert count(store, Version) == 1 and count(store, Capture) == 1 and count(store, Blob) == 1


def test_lifecycle_missing_removed_restored_merged(store: Store) -> None:
    body, result = page()
    first = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200), result=result, body=body)
    assert first.lifecycle == "added"
    gone = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 404), body=b"<h1>Sivua ei l\xc3\xb6ydy</h1>")
    assert (gone.outcome, gone.lifecycle) == ("missing", None)  # once is not enough
    soft_body, soft = page("notfound_soft404_approuter")
    again = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(2), 200), result=soft, body=soft_body)
    assert (again.outcome, again.lifecycle) == ("missing", "removed")
    with store.reading() as s:
        m = queries.resolve_measure(s, URL)
        assert m.removed_at == day(2) and m.missing_checks == 2
        assert s.scalar(select(func.count()).select_from(Version)) == 1  # never deleted
    back = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(3), 200), result=result, body=body)
    assert (back.outcome, back.lifecycle) == ("unchanged", "restored")
    merged = with_record(result, merged_with="90")
    into = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(4), 200), result=merged, body=body)
    assert (into.outcome, into.lifecycle) == ("new_version", "merged")
    with store.reading() as s:
        m = queries.resolve_measure(s, URL)
        assert m.removed_at is None and m.merged_into == "90" and m.missing_checks == 0


def test_leases(store: Store) -> None:
    import subprocess
    import sys

    from storage.locks import acquire, held, release, renew

    assert acquire(store, "crawl:x", owner="h:1")
    assert not acquire(store, "crawl:x", owner="h:2")
    assert renew(store, "crawl:x", owner="h:1") and not renew(store, "crawl:x", owner="h:2")
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert acquire(store, "crawl:x", owner="h:2", now=later)  # expired: taken over
    release(store, "crawl:x", owner="h:2")
    with held(store, "crawl:y") as got:
        assert got
        with held(store, "crawl:y") as again:
            assert not again
    # A holder on this host whose process died (kill -9) does not block until expiry.
    import socket

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert acquire(store, "crawl:z", owner=f"{socket.gethostname()}:{dead.stdout.strip()}")
    assert acquire(store, "crawl:z")


def test_a_304_confirms_the_latest_version_and_restores_a_removed_measure(store: Store) -> None:
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200, etag='"a"'), result=result, body=body)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(1), 404), body=b"gone")
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(2), 404), body=b"gone")
    back = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(4), 304, etag='"a"', not_modified=True))
    assert (back.outcome, back.version, back.lifecycle, back.degraded) == ("not_modified", 1, "restored", False)
    late = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(3), 304, etag='"a"', not_modified=True))
    assert (late.outcome, late.lifecycle, late.late, back.late) == ("not_modified", None, True, False)
    with store.reading() as s:
        m = queries.resolve_measure(s, URL)
        assert (m.removed_at, m.missing_checks, m.last_seen_at) == (None, 0, day(4))  # seen times never go back
        v = s.scalars(select(Version)).one()
        assert v.last_seen_at == day(4) and v.last_capture_id == late.capture_id
        capture = s.get(Capture, back.capture_id)
        assert capture is not None
        assert (capture.outcome, capture.version_id, capture.http_status, capture.etag, capture.requested_at) == (
            "not_modified", v.id, 304, '"a"', day(4))


def test_a_304_for_an_unknown_url_is_a_capture_of_the_url(store: Store) -> None:
    other = "https://ilmastovahti.hel.fi/actions/999"
    nm = store_page(store, site=SITE, url=other, fetch=FetchInfo(day(0), 304, not_modified=True))
    assert (nm.outcome, nm.measure_id, nm.version, nm.lifecycle) == ("not_modified", None, None, None)
    with store.reading() as s:
        capture = s.get(Capture, nm.capture_id)
        assert capture is not None and (capture.url, capture.measure_id, capture.outcome) == (
            other, None, "not_modified")


def test_unchanged_checks_extend_one_run_and_anything_else_closes_it(store: Store) -> None:
    """A year of unchanged checks is one row; a failed check in between starts a new run."""
    body, result = page()
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(0), 200, etag='"a"'), result=result, body=body)
    for hour in [*range(1, 10), *range(13, 25)]:  # a day of hourly 304s, three missed
        at = day(1) + dt.timedelta(hours=hour)
        out = store_page(store, site=SITE, url=URL, fetch=FetchInfo(at, 304, etag='"a"', not_modified=True))
        assert out.outcome == "not_modified" and out.version == 1
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(3), error="ConnectTimeout"))
    after = store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(4), 304, etag='"b"', not_modified=True))
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(5), 200, etag='"c"'), result=result, body=body)
    store_page(store, site=SITE, url=URL, fetch=FetchInfo(day(6), 200, etag='"c"'), result=result, body=body)
    with store.reading() as s:
        rows = s.execute(select(Capture.id, Capture.outcome, Capture.checks, Capture.requested_at, Capture.last_checked_at,
                                Capture.longest_gap_s).order_by(Capture.requested_at)).all()
        assert [(r.outcome, r.checks) for r in rows] == [
            ("new_version", 1), ("not_modified", 21), ("error", 1), ("not_modified", 1), ("unchanged", 2)]
        run = rows[1]
        assert run.requested_at == day(1) + dt.timedelta(hours=1)
        assert run.last_checked_at == day(1) + dt.timedelta(hours=24)
        assert run.longest_gap_s == 4 * 3600  # 09:00 → 13:00
        v = s.scalar(select(Version))
        assert after.capture_id == rows[3].id
        assert v.last_seen_at == day(6) and v.last_capture_id == rows[4].id
        history = queries.history(s, queries.resolve_measure(s, "91"))
        assert history[0].captures == 1 + 21 + 1 + 2  # every check that saw version 1
        assert queries.validators(s, SITE)[URL] == ('"c"', None)  # the run keeps the newest validators
