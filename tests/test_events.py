"""Events as stored by the pipeline: once per version pair, episodes, flaps, lifecycle (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import select

from helpers import load_fixture
from vahti.app.events import rebuild_version_events
from scraper import parse
from storage.models import Event
from vahti.app.reparse import reparse
from storage.store import FetchInfo, Store
from vahti.app.ingest import Ingested, ingest
from vahti.samples.pages import classic_page
from vahti.samples.spec import spec_91

SITE = "https://ilmastovahti.hel.fi"
URL = SITE + "/actions/91"
T0 = dt.datetime(2020, 5, 20, 6, tzinfo=dt.timezone.utc)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def put(store: Store, html: str | bytes, when: dt.datetime, status: int = 200) -> Ingested:
    body = html.encode() if isinstance(html, str) else html
    return ingest(store, site=SITE, url=URL, fetch=FetchInfo(when, status), result=parse(body, URL), body=body)


def seed() -> dict[str, Any]:
    s = spec_91("fi")  # the seed page as it stood in May 2020: no cancelled task, no phase
    s["tasks"] = [dict(t, state="NOT_STARTED" if t["state"] == "IN_PROGRESS" else t["state"])
                  for t in s["tasks"] if t["state"] != "CANCELLED"]
    s["phase"] = None
    return s


def page(s: dict[str, Any]) -> str:
    return classic_page(s, with_json=False)  # read from the DOM, as the seed was


def kinds(done: Ingested) -> list[str]:
    return sorted(e.kind for e in done.events)


def stored_events(store: Store) -> list[Event]:
    with store.reading() as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


def test_the_seed_page_through_a_realistic_year(store: Store) -> None:
    s = seed()
    assert kinds(put(store, page(s), at(0))) == ["measure.added"]
    steps: list[tuple[str, Any, list[str]]] = [
        ("a task completed", lambda s: next(t for t in s["tasks"] if t["id"] == "1413")
         .update(state="COMPLETED", completedAt="2020-10-02"), ["task.completed", "updated.changed"]),
        ("a task added", lambda s: s["tasks"].append(
            {"id": "1900", "name": "Kevään harjoittelujakso", "state": "NOT_STARTED", "dueAt": "2021-04-30",
             "completedAt": None, "comment": None}), ["task.added", "updated.changed"]),
        ("a contact replaced", lambda s: s["contacts"].__setitem__(
            1, ("299", "Liisa", "Laine", None, "Kasvatuksen ja koulutuksen toimiala")),
         ["contact.added", "contact.removed", "updated.changed"]),
        ("a contact's title changed", lambda s: s["contacts"].__setitem__(
            0, ("231", "Mikko", "Martikka", "johtava asiantuntija", "Elinkeino-osasto")),
         ["contact.changed", "updated.changed"]),
        ("status moved", lambda s: s.__setitem__("status", ("late", "Myöhässä")), ["status.changed", "updated.changed"]),
        ("only the date bumped", lambda s: None, ["updated.changed"]),
    ]
    for n, (label, change, expected) in enumerate(steps, start=1):
        s = copy.deepcopy(s)
        change(s)
        s["updated_day"] = (dt.date(2020, 6, 1) + dt.timedelta(days=30 * n)).isoformat()
        done = put(store, page(s), at(24 * 30 * n))
        assert kinds(done) == expected, label
        assert done.stored.version == n + 1
    last = done.events
    assert len(last) == 1 and last[0].kind == "updated.changed" and "touched_only" in last[0].flags
    assert last[0].to_dict()["touched_only"] is True
    assert last[0].to_dict()["from_version"] == 6 and last[0].to_dict()["to_version"] == 7
    total = len(stored_events(store))
    # Re-checking the same page, or re-deriving everything, adds nothing and loses nothing.
    assert put(store, page(s), at(24 * 400)).events == ()
    report = reparse(store)
    assert report.changed == [] and len(stored_events(store)) == total
    with store.transaction() as session:
        assert rebuild_version_events(session, 1) == (0, 0)
    assert len(stored_events(store)) == total


def test_a_degraded_episode_is_one_event_each_way(store: Store) -> None:
    good, _ = load_fixture("classic_fi_91_nojson")
    bad, _ = load_fixture("degraded_classic_91_baddate")
    put(store, good, at(0))
    first = put(store, bad, at(1))
    assert kinds(first) == ["parse.degraded"] and "unreadable" in first.events[0].summary
    for h in (2, 3, 4):
        assert put(store, bad, at(h)).events == ()
    back = put(store, good, at(5))
    assert kinds(back) == ["parse.recovered"]
    assert [e.kind for e in stored_events(store)] == ["measure.added", "parse.degraded", "parse.recovered"]


def test_a_measure_first_seen_degraded_opens_its_episode_once(store: Store) -> None:
    """The episode is kept on the measure's row, made in the same store as the events (one plain insert);
    checking the degraded page again, unchanged, is no recovery."""
    bad, _ = load_fixture("degraded_classic_91_baddate")
    good, _ = load_fixture("classic_fi_91_nojson")
    assert kinds(put(store, bad, at(0))) == ["measure.added", "parse.degraded"]
    assert put(store, bad, at(1)).events == ()
    assert kinds(put(store, good, at(2))) == ["parse.recovered"]


def not_modified(store: Store, when: dt.datetime) -> Ingested:
    return ingest(store, site=SITE, url=URL, fetch=FetchInfo(when, 304, etag='"a"', not_modified=True))


def test_a_304_tells_what_it_shows_a_measure_back_an_episode_over_and_nothing_else(store: Store) -> None:
    """A 304 is stored in a plain transaction; a session joins it only for the events it makes."""
    good, _ = load_fixture("classic_fi_91_nojson")
    bad, _ = load_fixture("degraded_classic_91_baddate")
    put(store, good, at(0))
    assert not_modified(store, at(1)).events == ()
    put(store, bad, at(2))  # kept as flagged evidence: the episode starts
    back = not_modified(store, at(3))  # the page is the good version again
    assert kinds(back) == ["parse.recovered"]
    assert not_modified(store, at(3.5)).events == ()  # the episode's end was kept with its event
    put(store, b"gone", at(4), status=404)
    put(store, b"gone", at(5), status=404)
    assert kinds(not_modified(store, at(6))) == ["measure.restored"]
    assert not_modified(store, at(5.5)).events == ()  # a check of the past: stored in its place, no events
    assert [e.kind for e in stored_events(store)][-3:] == ["parse.recovered", "measure.removed", "measure.restored"]
    assert [e.id for e in back.events] == [e.id for e in stored_events(store) if e.kind == "parse.recovered"]


def test_a_redesign_or_broken_rendering_never_reports_removed_tasks(store: Store) -> None:
    good, _ = load_fixture("classic_fi_91")
    shell, _ = load_fixture("empty_shell_2020")
    put(store, good, at(0))
    assert kinds(put(store, shell, at(1))) == ["parse.degraded"]
    assert put(store, shell, at(2)).events == ()
    # The site then moves to a new front end: same content, other markup and extraction path.
    redesign, _ = load_fixture("pagesrouter_fi_91")
    spec = spec_91("fi")
    done = put(store, redesign, at(3))
    assert "parse.recovered" in kinds(done)
    assert not [e for e in done.events if e.kind.endswith(".removed")]
    assert spec  # (the redesign adds the cancelled task the 2020 page did not list)


def test_a_change_undone_within_the_window_is_a_flap(store: Store) -> None:
    s = seed()
    put(store, page(s), at(0))
    done = copy.deepcopy(s)
    next(t for t in done["tasks"] if t["id"] == "1413").update(state="COMPLETED", completedAt="2020-06-01")
    first = put(store, page(done), at(1))
    assert kinds(first) == ["task.completed"] and "flap" not in first.events[0].flags
    back = put(store, page(s), at(3))
    assert kinds(back) == ["task.reopened"] and "flap" in back.events[0].flags
    flagged = [e for e in stored_events(store) if "flap" in e.flags.split()]
    assert sorted(e.kind for e in flagged) == ["task.completed", "task.reopened"]
    # The same reversal a week later is a real change, not a flap.
    put(store, page(done), at(24 * 7))
    assert "flap" not in put(store, page(s), at(24 * 14)).events[0].flags


def test_lifecycle_events(store: Store) -> None:
    good, _ = load_fixture("classic_fi_91")
    assert kinds(put(store, good, at(0))) == ["measure.added"]
    assert put(store, b"<h1>Not found</h1>", at(1), status=404).events == ()
    removed = put(store, b"<h1>Not found</h1>", at(2), status=404)
    assert kinds(removed) == ["measure.removed"]
    assert kinds(put(store, good, at(3))) == ["measure.restored"]
    assert put(store, good, at(4)).events == ()
