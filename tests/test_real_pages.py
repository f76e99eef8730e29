"""Pages rendered by the platform's own front end (../shared/real-pages), against the data behind them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers import REAL, real_pages
from scraper import parse
from vahti.observed import comparable

if not REAL.is_dir():
    real_pages()  # fails in CI, skips (saying why) elsewhere

PAGES = sorted(REAL.glob("*/*.html"))
STATES = {"NOT_STARTED": "not_started", "IN_PROGRESS": "in_progress", "COMPLETED": "completed",
          "CANCELLED": "cancelled", "pending": "open"}


def _truth(page: Path) -> dict[str, Any]:
    return json.loads(page.with_suffix(".truth.json").read_text(encoding="utf-8"))


def _url(truth: dict[str, Any]) -> str:
    return "https://" + truth.get("host", "ilmastovahti.hel.fi") + truth["url_path"]


def _strip(html: str) -> str:
    html = re.sub(r'<script id="__NEXT_DATA__".*?</script>', "", html, flags=re.S)
    return re.sub(r"<script>self\.__next_f\.push.*?</script>", "", html, flags=re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_page_matches_truth(page: Path, validate_record) -> None:
    truth = _truth(page)
    a = truth["action"]
    result = parse(page.read_bytes(), _url(truth))
    assert result.meta.verdict == "ok", result.meta.reasons
    assert result.meta.extraction == "embedded-json"
    r = result.record
    assert r is not None
    validate_record(r.to_dict())
    assert r.language == truth["lang"]
    assert (r.identifier, r.name) == (a["identifier"], a["name"])
    assert sorted(r.categories) == sorted(a["categories"])
    assert r.description is not None and " ".join(r.description.split()) == " ".join(a["description"].split())
    assert r.official_name == (a["official_name"] and " ".join(a["official_name"].split()))
    assert r.status is not None and (r.status.identifier, r.status.label) == (a["status"]["identifier"], a["status"]["name"])
    assert r.impact is not None and (r.impact.identifier, r.impact.label) == (a["impact"]["identifier"], a["impact"]["name"])
    assert r.completion == a["completion"]
    assert list(r.schedule) == a["schedule"]
    assert sorted((t.id, t.name, t.state, t.comment) for t in r.tasks) == sorted(
        (t["id"], t["name"], STATES[t["state"]], t["comment"]) for t in a["tasks"])
    for t in r.tasks:
        src = next(x for x in a["tasks"] if x["id"] == t.id)
        assert str(t.due_date) == src["due_at"] and (t.completed_date and str(t.completed_date)) == src["completed_at"]
    assert [(i.id, i.name) for i in r.indicators] == [(i["id"], i["name"]) for i in a["indicators"]]
    assert [(p.id, p.abbreviation, p.name, p.primary) for p in r.responsible_parties] == [
        (p["org_id"], p["abbreviation"], p["name"], p["primary"]) for p in a["responsible_parties"]]
    assert [(c.id, c.name, c.title, c.organization) for c in r.contacts] == [
        (c["person_id"], c["name"], c["title"], c["organisation"]) for c in a["contacts"]]
    if a["contacts"]:
        assert r.contacts[0].primary and not any(c.primary for c in r.contacts[1:])
    if all("title" in u for u in a["status_updates"]):  # else fetched client-side: not in the page
        assert [(u.title, str(u.date), u.author) for u in r.status_updates] == [
            (u["title"], u["date"], u["author"]) for u in a["status_updates"]]
    assert r.updated_at is not None and r.updated_at.isoformat() == a["updated_at"]
    assert (r.previous, r.next) == (a["previous_identifier"], a["next_identifier"])
    assert r.continuous == bool(a.get("schedule_continuous"))
    log = a.get("change_log")
    if log is None:
        assert r.change_log is None
    else:
        assert r.change_log is not None
        assert (r.change_log.author, r.change_log.message) == (log["author"], log["content"])
        assert r.change_log.updated_at is not None and r.change_log.updated_at.isoformat() == log["updated_at"]
        assert r.change_log.updated_on.strftime("%d.%m.%Y") == log["date_text"]
    if "implementation_phase" in a:
        assert r.phase == a["implementation_phase"]["name"]
    if "updated_text" in a:
        assert str(r.updated_on) in a["updated_text"] or r.updated_on.strftime("%d.%m.%Y") in a["updated_text"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_real_page_dom_alone(page: Path) -> None:
    truth = _truth(page)
    url = _url(truth)
    html = page.read_text(encoding="utf-8")
    full, dom = parse(html, url), parse(_strip(html), url)
    assert dom.meta.extraction == "dom" and dom.meta.verdict == "ok", dom.meta.reasons
    assert full.record is not None and dom.record is not None
    a, b = comparable(full.record.to_dict(), full.meta.unobserved, dom.record.to_dict(), dom.meta.unobserved)
    assert a == b
    # What the DOM does show must be there: not blanked away wholesale.
    assert dom.record.name and dom.record.updated_on and dom.record.responsible_parties
    a = truth["action"]
    shown = [t for t in a["tasks"] if t.get("shown", True)]
    assert len(dom.record.tasks) == len(shown)
    assert dom.record.impact is not None and dom.record.impact.label == a["impact"]["name"]
    if page.parent.name in ("kausal2026", "kausal2026b"):  # the timeline marks the active phase
        if a.get("schedule_continuous"):  # drawn as "Jatkuva", not by its name
            assert dom.record.phase is None and "phase" in dom.meta.unobserved
        else:
            assert dom.record.phase == a["implementation_phase"]["name"]
        assert dom.record.continuous == bool(a.get("schedule_continuous"))
        assert "continuous" not in dom.meta.unobserved
    log = a.get("change_log")
    if log is not None:
        assert dom.record.change_log is not None
        assert (dom.record.change_log.author, dom.record.change_log.message) == (log["author"], log["content"])
        assert dom.record.change_log.updated_on.strftime("%d.%m.%Y") == log["date_text"]
    else:
        assert dom.record.change_log is None
