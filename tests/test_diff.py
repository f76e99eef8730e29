"""Change events from pairs of real-looking pages, and the properties a differ must keep."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fixture_names, load_fixture
from diffs.compare import diff
from vahti.events import KINDS, OPPOSITE
from scraper import parse
from vahti.record import Measure, ParseResult
from vahti.samples.pages import app_router_page, classic_page
from vahti.samples.spec import spec_91, task

URL = "https://ilmastovahti.hel.fi/actions/91"
Spec = dict[str, Any]


def base() -> Spec:
    s = spec_91("fi")
    s["tasks"].append(task("1800", "Harjoittelupaikkojen kartoitus", "NOT_STARTED", "2021-03-31", None, None))
    return s


def read(spec: Spec, render: Callable[[Spec], str] = app_router_page) -> ParseResult:
    result = parse(render(spec), URL)
    assert result.meta.verdict == "ok", result.meta.reasons
    return result


def kinds_between(a: Spec, b: Spec, render: Callable[[Spec], str] = app_router_page) -> list[str]:
    ra, rb = read(a, render), read(b, render)
    assert ra.record is not None and rb.record is not None
    return sorted(c.kind for c in diff(ra.record, rb.record, old_unobserved=ra.meta.unobserved,
                                         new_unobserved=rb.meta.unobserved))


def mutate(fn: Callable[[Spec], None]) -> tuple[Spec, Spec]:
    a = base()
    b = copy.deepcopy(a)
    fn(b)
    return a, b


def _task(s: Spec, tid: str) -> dict[str, Any]:
    return next(t for t in s["tasks"] if t["id"] == tid)


CASES: list[tuple[str, Callable[[Spec], None], list[str]]] = [
    ("task completed", lambda s: _task(s, "1413").update(state="COMPLETED", completedAt="2020-10-02"),
     ["task.completed"]),
    ("task started", lambda s: _task(s, "1800").update(state="IN_PROGRESS"), ["task.state_changed"]),
    ("task cancelled", lambda s: _task(s, "1800").update(state="CANCELLED"), ["task.state_changed"]),
    ("task added", lambda s: s["tasks"].append(task("1900", "Uusi tehtävä", "NOT_STARTED", "2021-05-01", None, None)),
     ["task.added"]),
    ("task removed", lambda s: s["tasks"].pop(0), ["task.removed"]),
    ("task renamed", lambda s: _task(s, "1202").update(name="Toimenpiteen yhteyshenkilö nimetty"), ["task.renamed"]),
    ("task due date moved", lambda s: _task(s, "1800").update(dueAt="2021-06-30"), ["task.due_date_changed"]),
    ("task comment edited", lambda s: _task(s, "1412").update(comment=["Uusi kuvaus tehtävästä."]),
     ["task.comment_changed"]),
    ("contact added", lambda s: s["contacts"].append(("299", "Liisa", "Laine", None, "Kasko")), ["contact.added"]),
    ("contact removed", lambda s: s["contacts"].pop(3), ["contact.removed"]),
    ("contact title", lambda s: s["contacts"].__setitem__(1, ("232", "Anssi", "Almgren", "rehtori",
                                                              "Kasvatuksen ja koulutuksen toimiala")),
     ["contact.changed"]),
    ("contact replaced", lambda s: s["contacts"].__setitem__(1, ("299", "Liisa", "Laine", None, "Kasko")),
     ["contact.added", "contact.removed"]),
    ("main contact", lambda s: s.__setitem__("contacts", [s["contacts"][1], s["contacts"][0], *s["contacts"][2:]]),
     ["contact.primary_changed"]),
    ("party added", lambda s: s["parties"].append(("ahjo:9", "Pelastus", "Pelastuslaitos", "COLLABORATOR")),
     ["responsible_party.added"]),
    ("party removed", lambda s: s["parties"].pop(), ["responsible_party.removed"]),
    ("indicator added", lambda s: s["indicators"].append(("186", "Yhteistyöhankkeiden määrä")), ["indicator.added"]),
    ("indicator removed", lambda s: s["indicators"].clear(), ["indicator.removed"]),
    ("status", lambda s: s.__setitem__("status", ("late", "Myöhässä")), ["status.changed"]),
    ("completion", lambda s: s.__setitem__("completion", 40), ["completion.changed"]),
    ("phase", lambda s: s.__setitem__("phase", ("completed", "Valmis")), ["phase.changed"]),
    ("impact", lambda s: s.__setitem__("impact", ("2", "Kohtalainen", 2)), ["impact.changed"]),
    ("name", lambda s: s.__setitem__("name", "Yhteistyö oppilaitosten kanssa"), ["field.changed"]),
    ("description", lambda s: s["description"].append("Uusi kappale."), ["field.changed"]),
    ("official text", lambda s: s["official"].append("Lisäys."), ["field.changed"]),
    ("lead", lambda s: s.__setitem__("lead", "Lyhyesti: yhteistyötä kouluissa."), ["field.changed"]),
    ("categories", lambda s: s["categories"].append(("30", "12", "Elinkeinot")), ["field.changed"]),
    ("schedule", lambda s: s["schedule"].append(("2022-01-01", "2025-12-31", "2022–2025")), ["field.changed"]),
    ("merged", lambda s: s.update(merged_with="90", status=("merged", "Yhdistetty")),
     ["measure.merged", "status.changed"]),
    ("only the updated day", lambda s: s.update(updated_day="2020-06-01", updated_at="2020-06-01T08:00:00+00:00"),
     ["updated.changed"]),
    ("touched the same day", lambda s: s.update(updated_at="2020-05-20T15:00:00+00:00"), ["updated.changed"]),
]


@pytest.mark.parametrize("label, fn, kinds", CASES, ids=[c[0] for c in CASES])
def test_each_change_gives_its_event(label: str, fn: Callable[[Spec], None], kinds: list[str]) -> None:
    a, b = mutate(fn)
    assert kinds_between(a, b) == kinds


def test_every_contract_kind_is_covered() -> None:
    covered = {k for _, _, ks in CASES for k in ks} | {"task.reopened", "status_update.added", "measure.unmerged"} | {
        "measure.added", "measure.removed", "measure.restored", "parse.degraded", "parse.recovered",
        "site.unreachable", "site.recovered",  # (tests/test_site_health.py)
        "change_log.added"}  # (tests/test_change_log.py)
    assert covered == set(KINDS)


def test_task_reopened_and_status_update_added_on_classic_pages() -> None:
    a = spec_91("fi")
    a["tasks"] = [t for t in a["tasks"] if t["state"] != "CANCELLED"]
    b = copy.deepcopy(a)
    _task(a, "1412").update(state="COMPLETED")
    _task(b, "1412").update(state="NOT_STARTED", completedAt=None)
    b["updates"] = [{"id": "5", "title": "Syksyn tilannekatsaus", "date": "2020-09-01", "author": "Mikko Martikka",
                     "author_id": "231", "content": "Tilanne."}]
    assert kinds_between(a, b, classic_page) == ["status_update.added", "task.reopened"]


def test_renamed_task_without_ids_is_matched_by_similar_name_and_same_date() -> None:
    a = spec_91("fi")
    b = copy.deepcopy(a)
    _task(b, "1348").update(name="Tunne Työ - suunnittele uraa -hanke")
    strip = lambda s: classic_page(s, with_json=False)  # noqa: E731
    assert kinds_between(a, b, strip) == ["task.renamed"]
    _task(b, "1348").update(name="Aivan toinen tehtävä kokonaan")
    assert kinds_between(a, b, strip) == ["task.added", "task.removed"]


def test_silent_edits_and_touched_only_are_flagged() -> None:
    a, b = mutate(lambda s: _task(s, "1412").update(comment=["Muokattu hiljaa."]))
    ra, rb = read(a), read(b)
    (change,) = diff(ra.record, rb.record)  # type: ignore[arg-type]
    assert change.flags == ("silent_edit",)
    a, b = mutate(lambda s: s.update(updated_day="2020-06-01", updated_at="2020-06-01T08:00:00+00:00"))
    (touched,) = diff(read(a).record, read(b).record)  # type: ignore[arg-type]
    assert touched.kind == "updated.changed" and touched.flags == ("touched_only",)
    a, b = mutate(lambda s: (_task(s, "1412").update(comment=["Muokattu."]),
                             s.update(updated_day="2020-06-01", updated_at="2020-06-01T08:00:00+00:00")))
    changes = diff(read(a).record, read(b).record)  # type: ignore[arg-type]
    assert sorted(c.kind for c in changes) == ["task.comment_changed", "updated.changed"]
    assert all(not c.flags for c in changes)


def test_summaries_read_like_sentences() -> None:
    a, b = mutate(lambda s: _task(s, "1413").update(state="COMPLETED", completedAt="2020-10-02"))
    (c,) = diff(read(a).record, read(b).record)  # type: ignore[arg-type]
    assert c.summary.startswith("✔ Task completed: Koululaisille") and c.summary.endswith("(2020-10-02)")
    a, b = mutate(lambda s: s["contacts"].pop(1))
    (c,) = diff(read(a).record, read(b).record)  # type: ignore[arg-type]
    assert c.summary == "− Contact removed: Anssi Almgren"


# -- no noise -----------------------------------------------------------------------------

@pytest.mark.parametrize("pair", [("classic_fi_91", "classic_fi_91_nojson"),
                                  ("pagesrouter_fi_91", "pagesrouter_fi_91_nojson"),
                                  ("pagesrouter_fi_91", "approuter_fi_91"),
                                  ("approuter_sv_91", "approuter_sv_91_nojson"),
                                  ("approuter_en_40_monthyear", "approuter_en_40_monthyear_nojson")])
def test_a_change_of_generation_or_extraction_path_alone_is_silent(pair: tuple[str, str]) -> None:
    (ba, ea), (bb, eb) = load_fixture(pair[0]), load_fixture(pair[1])
    ra, rb = parse(ba, ea["url"]), parse(bb, eb["url"])
    assert ra.record and rb.record
    assert diff(ra.record, rb.record, old_unobserved=ra.meta.unobserved, new_unobserved=rb.meta.unobserved) == []
    assert diff(rb.record, ra.record, old_unobserved=rb.meta.unobserved, new_unobserved=ra.meta.unobserved) == []


GOOD = [n for n in fixture_names() if load_fixture(n)[1]["meta"]["verdict"] == "ok"]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(GOOD))
def test_diff_of_a_record_with_itself_is_empty(name: str) -> None:
    body, expected = load_fixture(name)
    result = parse(body, expected["url"])
    assert result.record is not None
    assert diff(result.record, result.record, old_unobserved=result.meta.unobserved,
                new_unobserved=result.meta.unobserved) == []
    again = Measure.from_json(result.record.to_json())
    assert diff(result.record, again) == []


def _mirror(kind: str) -> str:
    return OPPOSITE.get(kind, kind)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(range(len(CASES))), min_size=1, max_size=4, unique=True))
def test_kinds_of_the_reverse_diff_mirror_the_forward_diff(picks: list[int]) -> None:
    a = base()
    b = copy.deepcopy(a)
    for i in picks:
        CASES[i][1](b)
    ra, rb = read(a), read(b)
    assert ra.record and rb.record
    forward = sorted(_mirror(c.kind) for c in diff(ra.record, rb.record))
    backward = sorted(c.kind for c in diff(rb.record, ra.record))
    assert forward == backward


def test_records_reparsed_after_noise_give_no_events() -> None:
    body, expected = load_fixture("approuter_fi_91")
    html = body.decode()
    noisy = html.replace("mui-", "mui-x").replace("BUILD_ID=kw2-63a8c4bf", "BUILD_ID=other") \
        .replace("https://api.example.org/media/avatars/", "https://cdn.example.net/a/").replace("><", ">\n  <")
    ra, rb = parse(body, expected["url"]), parse(noisy, expected["url"])
    assert ra.record and rb.record and diff(ra.record, rb.record) == []


def test_reordered_lists_are_not_changes() -> None:
    body, expected = load_fixture("approuter_fi_91")
    r = parse(body, expected["url"]).record
    assert r is not None
    shuffled = dataclasses.replace(r, tasks=tuple(reversed(r.tasks)), indicators=tuple(reversed(r.indicators)),
                                   responsible_parties=tuple(reversed(r.responsible_parties)))
    assert diff(r, shuffled) == []
    assert dt.date(2020, 5, 20) == r.updated_on
