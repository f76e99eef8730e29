"""The main column: lead, description, official text, tasks, indicators."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborNode

from scraper.dates import find_date, looks_like_date
from scraper.dom.page import NO_NOTES, Notes, Page, inside, next_element, problem, select, unobserved, warning
from scraper.labels import folded_words, is_label
from scraper.text import attr, class_tokens, has_class_label, node_text
from vahti.record import TASK_STATES, Indicator, Task, TaskState
from vahti.text import fold

_INDICATOR_HREF = re.compile(r"/indicators/([^/?#]+)/?$")
_STATE_CLASS = re.compile(r"^state--([A-Za-z_]+)$")
_COMMENT_CLASSES = frozenset({"task-comment", "task-details"})
# What a task item's reader looks at besides the title, fetched in one selector pass.
_TASK_PARTS = '[class*="Date"], .task-comment, .task-details, div.text-content, svg, img'


@dataclass(frozen=True, slots=True)
class Main:
    lead: str | None
    description: str | None
    official_name: str | None
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    notes: Notes


def read_main(page: Page) -> Main:
    official, official_notes = official_name(page)
    tasks, task_notes = read_tasks(page)
    if not tasks and tasks_expected(page) and not says_no_tasks(page):
        task_notes += problem("a tasks section with no tasks parsed")
    found, indicator_notes = indicators(page)
    return Main(lead(page), description(page), official, tuple(tasks), tuple(found),
                official_notes + task_notes + indicator_notes)


def lead(page: Page) -> str | None:
    for node in page.root.css('[class*="LeadParagraph"], .lead-paragraph, p.lead'):
        tokens = class_tokens(node)
        if has_class_label(node, "LeadParagraph") or "lead-paragraph" in tokens or "lead" in tokens:
            return node_text(node)
    return None


def description(page: Page) -> str | None:
    for h in page.headings("description", exact=True):
        sib = next_element(h)
        if sib is not None:
            return node_text(sib)
    for node in page.root.css(".text-content"):
        if inside(node, lambda n: n.tag in ("li", "article") or any(
                c in ("official-text-content", "task-comment", "task-details", "text-content")
                for c in class_tokens(n))):
            continue
        inner = node.css_first(".text-content")
        return node_text(inner if inner is not None else node, skip_classes=frozenset({"visually-hidden"}))
    return None


def official_name(page: Page) -> tuple[str | None, Notes]:
    notes = NO_NOTES
    for h in page.headings("official", exact=True):
        container = h.parent
        if container is None:
            continue
        box = container.css_first(".official-text-content") or container
        child = box.child
        while child is not None:
            if child.tag == "div":
                return node_text(child), notes
            child = child.next
        notes += warning("official description heading without its text block")
    return None, notes


# -- tasks ---------------------------------------------------------------------------

def read_tasks(page: Page) -> tuple[list[Task], Notes]:
    out: list[Task] = []
    notes = NO_NOTES
    for item in page.task_items():
        li, title = item.li, item.title
        parts = select(li, _TASK_PARTS)
        name = page.text(title)
        if not name:
            notes += problem("a task item without a name")
            continue
        state = task_state(page, li, [n for n in parts if n.tag in ("svg", "img")])
        date_node = next((n for n in parts if has_class_label(n, "Date", suffix=True)), None)
        date_text = page.text(date_node) if date_node is not None else _meta_text(page, li, title)
        shown = find_date(date_text, page.lang_tag)
        if shown is None and looks_like_date(date_text):
            notes += problem(f"unreadable task date {date_text!r}")
        comment_node = next((n for n in parts if _COMMENT_CLASSES.intersection(class_tokens(n))), None) or next(
            (n for n in parts if n.tag == "div" and "text-content" in class_tokens(n)), None)
        comment = node_text(comment_node) if comment_node is not None else None
        day = shown.date if shown else None
        period = shown.period if shown else None
        if period and state != "completed":
            notes += unobserved("tasks.due_date_period")
        if state == "completed":
            out.append(Task(name=name, state=state, completed_date=day, comment=comment))
        else:
            out.append(Task(name=name, state=state, due_date=day, due_period=period, comment=comment))
    return out, notes


def _meta_text(page: Page, li: LexborNode, title: LexborNode) -> str:
    """The date sits before the title's block; the item's text up to the title."""
    full = page.text(li)
    name = page.text(title)
    head = full.split(name, 1)[0] if name and name in full else full
    return head if title.parent is not None else full


def task_state(page: Page, li: LexborNode, icons: list[LexborNode]) -> TaskState:
    """From the ``state--X`` class, else the icon's label, else the group heading above the list."""
    for token in class_tokens(li):
        m = _STATE_CLASS.match(token)
        if m and m.group(1).upper() in TASK_STATES:
            return TASK_STATES[m.group(1).upper()]
    open_state: TaskState = "open" if page.generation == "classic" else "not_started"
    for icon in icons:
        label = attr(icon, "alt") or attr(icon, "aria-label") or page.text(icon.css_first("title"))
        if is_label(label, "icon_done"):
            return "completed"
        if is_label(label, "icon_todo"):
            return "open"
    group = _group_heading(page, li)
    if group is not None:
        if is_label(group, "done"):
            return "completed"
        if is_label(group, "doing"):
            return "in_progress"
        if is_label(group, "todo"):
            return open_state
    return "open"


def _group_heading(page: Page, li: LexborNode) -> str | None:
    ul = li.parent
    if ul is None:
        return None
    h = ul.css_first("h3, h4, h5")
    if h is not None and h.parent is not None and h.parent.mem_id == ul.mem_id:
        return page.text(h)
    prev = ul.prev
    while prev is not None and (prev.tag or "-").startswith("-"):
        prev = prev.prev
    if prev is not None and prev.tag in ("h3", "h4", "h5"):
        return page.text(prev)
    return None


def tasks_expected(page: Page) -> bool:
    """A tasks section or task group heading is on the page."""
    if page.headings("tasks", exact=True):
        return True
    return any(page.headings(k, exact=True) for k in ("done", "doing", "todo"))


def says_no_tasks(page: Page) -> bool:
    text = fold(page.full_text())
    return any(w in text for w in folded_words("no_tasks"))


# -- indicators ----------------------------------------------------------------------

def indicators(page: Page) -> tuple[list[Indicator], Notes]:
    out: list[Indicator] = []
    notes = NO_NOTES
    seen: set[str] = set()
    for a, href in page.links():
        if "/indicators/" not in href:
            continue
        m = _INDICATOR_HREF.search(urlsplit(href).path)
        if not m:
            continue
        ident = unquote(m.group(1))
        if ident in seen:
            continue
        card: LexborNode | None = a
        while card is not None and "card" not in class_tokens(card) and card.tag not in ("main", "body"):
            card = card.parent
        heading = a.css_first("h2, h3, h4, h5, h6")
        if heading is None and card is not None and "card" in class_tokens(card):
            heading = card.css_first("h2, h3, h4, h5, h6")
        name = page.text(heading)
        if not name:
            notes += unobserved("indicators") + warning(f"indicator {ident} has no name in the server HTML")
            continue
        seen.add(ident)
        out.append(Indicator(id=ident, name=name))
    return out, notes
