"""The rendered page (DOM) to a record, for every markup generation.

Works alone when embedded JSON is missing or broken. It leans on structure that
survived every redesign (list items with task markup, ``contact-<id>`` collapse
targets, organisation links with ``aria-label``, ``<time datetime>``), then on
component labels in class names (never their hashes), and on heading words last.
The regions are read by ``scraper.dom.hero``, ``.main`` and ``.aside``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from scraper.dom.aside import read_aside
from scraper.dom.changelog import read_change_log, read_continuous
from scraper.dom.phase import read_phase
from scraper.dom.hero import read_hero, title
from scraper.dom.main import read_main
from scraper.dom.page import Notes, Page, action_root, problem, unobserved, warning
from vahti.record import Measure

# Fields the DOM never shows: the exact timestamp, ids of tasks, due dates of completed tasks,
# cancelled tasks (hidden), the plan and schedule (not in the server HTML of every
# generation), merges, the change-log entry's exact moment. The active phase is read where the 2026
# timeline marks it (``scraper.dom.phase``).
_NEVER_SEEN = unobserved("plan", "schedule", "updated_at", "tasks.id", "tasks.due_date_completed",
                         "tasks.cancelled", "merged_with", "change_log.updated_at")


@dataclass
class DomRead:
    """What the DOM gave: a record (or ``None``), and what it could not see or read."""

    record: Measure | None
    unobserved: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    task_order: list[str] = field(default_factory=list)  # folded names, page order
    updated_seen: bool = False
    updated_on: dt.date | None = None
    identifier: str | None = None  # as shown in the <h1>, or from the URL
    has_h1: bool = False

    @classmethod
    def of(cls, record: Measure | None, notes: Notes, **kw: object) -> DomRead:
        fields = dict(unobserved=set(notes.unobserved), problems=list(notes.problems), warnings=list(notes.warnings))
        return cls(record, **fields, **kw)  # type: ignore[arg-type]


def dom_reader(tree: LexborHTMLParser, *, url: str, language: str, lang_tag: str, generation: str) -> Page | None:
    """A reader of one parsed page. It reads each node once: ``what_json_needs`` and
    then ``measure_from_dom`` on the same page share their work."""
    root = action_root(tree)
    return None if root is None else Page(tree, root, url, language, lang_tag, generation)


def what_json_needs(page: Page | None) -> DomRead:
    """The little the JSON path takes from the DOM: identifier, task order, "updated" day."""
    if page is None:
        return DomRead(record=None)
    h1 = page.h1()
    updated = page.updated()
    notes = problem(updated.problem) if updated.problem else Notes()
    return DomRead.of(None, notes, has_h1=h1 is not None,
                      identifier=(title(page, h1)[0] if h1 is not None else None) or page.url_identifier(),
                      task_order=page.task_names(), updated_seen=updated.seen, updated_on=updated.day)


def measure_from_dom(page: Page | None) -> DomRead:
    """The whole record from the DOM alone."""
    if page is None:
        return DomRead(record=None)
    h1 = page.h1()
    if h1 is None:
        return DomRead(record=None)
    hero = read_hero(page, h1)
    url_ident = page.url_identifier()
    identifier = hero.shown_identifier or url_ident
    notes = Notes()
    if hero.shown_identifier and url_ident and hero.shown_identifier != url_ident:
        notes += warning(f"page shows identifier {hero.shown_identifier!r} at URL identifier {url_ident!r}")
    if not identifier:
        notes += problem("no action identifier on the page or in the URL")
    if not hero.name:
        notes += problem("no action name")
    main = read_main(page)
    aside = read_aside(page)
    updated = page.updated()
    continuous, continuous_notes = read_continuous(page, aside.status.label if aside.status else None)
    phase, phase_notes = read_phase(page, continuous=continuous)
    notes += main.notes + aside.notes + continuous_notes + phase_notes
    if updated.problem:
        notes += problem(updated.problem)
    if not updated.seen and page.generation in ("classic", "pages-router"):
        notes += problem("no 'updated' date (every page of this generation has one)")
    notes += _NEVER_SEEN
    record = Measure(
        url=page.url, language=page.language, identifier=identifier or "", name=hero.name,
        categories=hero.categories, lead=main.lead, description=main.description,
        official_name=main.official_name, status=aside.status, completion=aside.completion, phase=phase,
        impact=aside.impact, tasks=main.tasks, indicators=main.indicators,
        responsible_parties=aside.responsible_parties, contacts=aside.contacts,
        status_updates=aside.status_updates, updated_on=updated.day, previous=hero.previous, next=hero.next,
        continuous=continuous, change_log=read_change_log(page),
    )
    read = dict(has_h1=True, identifier=identifier, task_order=page.task_names(), updated_seen=updated.seen,
                updated_on=updated.day)
    # An <h1> alone does not make an action page (error and block pages have one).
    evidence = sum(bool(x) for x in (
        hero.shown_identifier, record.tasks, record.contacts, record.responsible_parties, updated.seen,
        record.status, record.impact, record.official_name,
        page.root.attributes.get("data-testid") == "action-page", record.categories, hero.previous or hero.next,
    ))
    if evidence < 2:
        return DomRead.of(None, notes + problem("too little action markup on the page"), **read)
    return DomRead.of(record, notes, **read)
