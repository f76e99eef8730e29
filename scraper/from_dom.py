"""The rendered page (DOM) to a record, for every markup generation.

Works alone when embedded JSON is missing or broken. It leans on structure that
survived every redesign (list items with task markup, ``contact-<id>`` collapse
targets, organisation links with ``aria-label``, ``<time datetime>``), then on
component labels in class names (never their hashes), and on heading words last.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.dates import find_date, looks_like_date
from scraper.labels import contains_label, folded_words, is_label, words
from scraper.text import attr, class_tokens, clean, clean_or_none, has_class_label, node_text
from vahti.text import fold
from vahti.urls import identifier_from_url, split_action_path
from vahti.record import (
    Contact,
    Indicator,
    Labelled,
    Measure,
    ResponsibleParty,
    StatusUpdate,
    Task,
    TASK_STATES,
    TaskState,
)

_INDICATOR_HREF = re.compile(r"/indicators/([^/?#]+)/?$")
_ORG_HREF = re.compile(r"(?:/organizations/|[?&]organization=)([^/?#&]+)")
_STATE_CLASS = re.compile(r"^state--([A-Za-z_]+)$")
_PERCENT = re.compile(r"(\d{1,3})\s*%")
_IDENT_PREFIX = re.compile(r"^[0-9][0-9A-Za-z.]*\.\s+")
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_COMMENT_CLASSES = frozenset({"task-comment", "task-details"})



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


def action_root(tree: LexborHTMLParser) -> LexborNode | None:
    root = tree.css_first('[data-testid="action-page"]') or tree.css_first("main#main") or tree.body
    return root


def _ancestor(node: LexborNode, tags: tuple[str, ...], limit: int = 12) -> LexborNode | None:
    cur = node.parent
    while cur is not None and limit > 0:
        if cur.tag in tags:
            return cur
        cur = cur.parent
        limit -= 1
    return None


def _inside(node: LexborNode, predicate: object, limit: int = 30) -> bool:
    cur = node.parent
    while cur is not None and limit > 0:
        if predicate(cur):  # type: ignore[operator]
            return True
        cur = cur.parent
        limit -= 1
    return False


def _text(node: LexborNode | None) -> str:
    return clean(node.text(deep=True, separator=" ")) if node is not None else ""


def _select(node: LexborNode, selector: str) -> list[LexborNode]:
    """``node.css(selector)`` in page order, each node once (lexbor repeats a node
    that matches several selectors of a list)."""
    return list({n.mem_id: n for n in node.css(selector)}.values())


# What a task item's reader looks at besides the title, fetched in one selector pass.
_TASK_PARTS = '[class*="Date"], .task-comment, .task-details, div.text-content, svg, img'


@dataclass
class _TaskItem:
    li: LexborNode
    title: LexborNode


def _by_class_label(root: LexborNode, *labels: str, suffix: bool = False) -> list[LexborNode]:
    """Elements whose class names carry one of the component labels (lexbor pre-filters)."""
    selector = ", ".join(f'[class*="{label}"]' for label in labels)
    return [n for n in root.css(selector) if any(has_class_label(n, lb, suffix=suffix) for lb in labels)]


def _next_element(node: LexborNode) -> LexborNode | None:
    cur = node.next
    while cur is not None and (cur.tag or "-").startswith("-"):
        cur = cur.next
    return cur


class _Reader:
    def __init__(self, tree: LexborHTMLParser, root: LexborNode, url: str, language: str, lang_tag: str,
                 generation: str) -> None:
        self.tree, self.root, self.url = tree, root, url
        self.language, self.lang_tag, self.generation = language, lang_tag, generation
        self.read = DomRead(record=None)
        self._heads: list[tuple[LexborNode, str]] | None = None
        self._found: dict[tuple[str, bool], list[LexborNode]] = {}
        self._full: str | None = None
        self._texts: dict[int, str] = {}
        self._links: list[tuple[LexborNode, str]] | None = None
        self._items: list[_TaskItem] | None = None
        self._updated: tuple[bool, dt.date | None, str | None] | None = None
        self._h1: tuple[LexborNode | None] | None = None
        self._title: tuple[int, tuple[str | None, str]] | None = None

    def text(self, node: LexborNode | None) -> str:
        """``_text(node)``, read once per node (keyed by the node's address in this tree)."""
        if node is None:
            return ""
        key = node.mem_id
        out = self._texts.get(key)
        if out is None:
            out = self._texts[key] = _text(node)
        return out

    def headings(self, key: str, *, exact: bool = False) -> list[LexborNode]:
        """Headings (h1-h6) whose text is, or holds, one of ``key``'s words."""
        found = self._found.get((key, exact))
        if found is None:
            if self._heads is None:
                self._heads = [(h, fold(self.text(h))) for h in self.root.css(_HEADINGS)]
            test = is_label if exact else contains_label
            found = self._found[key, exact] = [h for h, text in self._heads if test(text, key, folded=True)]
        return found

    def links(self) -> list[tuple[LexborNode, str]]:
        """Every ``<a href>`` with its ``href``, in page order."""
        if self._links is None:
            self._links = [(a, attr(a, "href") or "") for a in self.root.css("a[href]")]
        return self._links

    def full_text(self) -> str:
        if self._full is None:
            self._full = _text(self.root)
        return self._full

    # -- hero -----------------------------------------------------------------
    def h1(self) -> LexborNode | None:
        if self._h1 is None:
            self._h1 = (next((h for h in self.root.css("h1") if self.text(h)), None),)
        return self._h1[0]

    def title(self, h1: LexborNode) -> tuple[str | None, str]:
        """(identifier shown, name) from ``<h1><span>91</span>…name…</h1>``."""
        if self._title is None or self._title[0] != h1.mem_id:
            self._title = (h1.mem_id, self._read_title(h1))
        return self._title[1]

    def _read_title(self, h1: LexborNode) -> tuple[str | None, str]:
        ident_node: LexborNode | None = None
        child = h1.child
        while child is not None:
            if child.tag == "span":
                text = self.text(child)
                if text and " " not in text and len(text) <= 16 and (
                    has_class_label(child, "ActionNumber") or _next_element(child) is not None
                ):
                    ident_node = child
                break
            if child.tag == "-text" and (child.text_content or "").strip():
                break
            child = child.next
        parts: list[str] = []
        child = h1.child
        while child is not None:
            if not (ident_node is not None and child.mem_id == ident_node.mem_id):
                if child.tag == "-text":
                    parts.append(child.text_content or "")
                elif child.tag not in ("svg", "button", "script", "style") and not (child.tag or "").startswith("-"):
                    parts.append(child.text(deep=True, separator=" "))
            child = child.next
        return (self.text(ident_node) if ident_node is not None else None), clean(" ".join(parts))

    def categories(self, h1: LexborNode) -> list[str]:
        out: list[str] = []
        crumbs = self.root.css('span[id^="crumb-"]')
        if crumbs:
            for c in crumbs:
                link = c.css_first("a")
                text = self.text(link) if link is not None else self.text(c).rstrip("/ ").strip()
                href = attr(link, "href") or ""
                last = href.rstrip("/").rsplit("/", 1)[-1] if href else ""
                if last and text.startswith(f"{last}. "):
                    text = text[len(last) + 2:]
                else:
                    text = _IDENT_PREFIX.sub("", text)
                if text and text not in out:
                    out.append(text)
            return sorted(out, key=fold)
        container = h1.parent
        if container is None:
            return out
        for badge in container.css("span.badge, a.badge"):
            if _inside(badge, lambda n: n.tag == "h1"):
                continue
            text = self.text(badge)
            if text and text not in out:
                out.append(text)
        return sorted(out, key=fold)

    def pager(self) -> tuple[str | None, str | None]:
        prev = nxt = None
        own = self._url_identifier()
        for a, href in self.links():
            if "/action" not in href:
                continue
            parts = split_action_path(href)
            if not parts or parts[2] == own:
                continue
            text = fold(self.text(a))
            ident = parts[2]
            if prev is None and any(w in text for w in folded_words("previous", self.language)):
                prev = ident
            elif nxt is None and any(w in text for w in folded_words("next", self.language)):
                nxt = ident
        return prev, nxt

    def _url_identifier(self) -> str | None:
        return identifier_from_url(self.url)

    # -- main column ----------------------------------------------------------
    def lead(self) -> str | None:
        for node in self.root.css('[class*="LeadParagraph"], .lead-paragraph, p.lead'):
            if has_class_label(node, "LeadParagraph") or "lead-paragraph" in class_tokens(node) or "lead" in class_tokens(node):
                return node_text(node)
        return None

    def description(self) -> str | None:
        for h in self.headings("description", exact=True):
            sib = _next_element(h)
            if sib is not None:
                return node_text(sib)
        for node in self.root.css(".text-content"):
            if _inside(node, lambda n: n.tag in ("li", "article") or any(
                    c in ("official-text-content", "task-comment", "task-details", "text-content")
                    for c in class_tokens(n))):
                continue
            inner = node.css_first(".text-content")
            return node_text(inner if inner is not None else node, skip_classes=frozenset({"visually-hidden"}))
        return None

    def official_name(self) -> str | None:
        for h in self.headings("official", exact=True):
            container = h.parent
            if container is None:
                continue
            box = container.css_first(".official-text-content") or container
            child = box.child
            while child is not None:
                if child.tag == "div":
                    return node_text(child)
                child = child.next
            self.read.warnings.append("official description heading without its text block")
        return None

    def task_items(self) -> list[_TaskItem]:
        """Task list items with their title node, in page order."""
        if self._items is None:
            self._items = []
            for li in self.root.css("li.list-group-item"):
                title = li.css_first(".task-title") or li.css_first("h6, h5, h4, h3")
                if title is not None:
                    self._items.append(_TaskItem(li, title))
        return self._items

    def tasks(self) -> list[Task]:
        out: list[Task] = []
        for item in self.task_items():
            li, title = item.li, item.title
            parts = _select(li, _TASK_PARTS)
            name = self.text(title)
            if not name:
                self.read.problems.append("a task item without a name")
                continue
            state = self._task_state(li, [n for n in parts if n.tag in ("svg", "img")])
            date_node = next((n for n in parts if has_class_label(n, "Date", suffix=True)), None)
            date_text = self.text(date_node) if date_node is not None else self._meta_text(li, title)
            shown = find_date(date_text, self.lang_tag)
            if shown is None and looks_like_date(date_text):
                self.read.problems.append(f"unreadable task date {date_text!r}")
            comment_node = next((n for n in parts if _COMMENT_CLASSES.intersection(class_tokens(n))), None) or next(
                (n for n in parts if n.tag == "div" and "text-content" in class_tokens(n)), None)
            comment = node_text(comment_node) if comment_node is not None else None
            day = shown.date if shown else None
            period = shown.period if shown else None
            if period and state != "completed":
                self.read.unobserved.add("tasks.due_date_period")
            if state == "completed":
                task = Task(name=name, state=state, completed_date=day, comment=comment)
            else:
                task = Task(name=name, state=state, due_date=day, due_period=period, comment=comment)
            out.append(task)
            self.read.task_order.append(fold(name))
        return out

    def task_names(self) -> list[str]:
        """Folded task names in page order (what the JSON path needs from the DOM)."""
        return [fold(name) for name in (self.text(item.title) for item in self.task_items()) if name]

    def _meta_text(self, li: LexborNode, title: LexborNode) -> str:
        meta = title.parent
        # The date sits before the title's block; take the item's text up to the title.
        full = self.text(li)
        name = self.text(title)
        head = full.split(name, 1)[0] if name and name in full else full
        return head if meta is not None else full

    def _task_state(self, li: LexborNode, icons: list[LexborNode]) -> TaskState:
        for token in class_tokens(li):
            m = _STATE_CLASS.match(token)
            if m and m.group(1).upper() in TASK_STATES:
                return TASK_STATES[m.group(1).upper()]
        open_state: TaskState = "open" if self.generation == "classic" else "not_started"
        for icon in icons:
            label = attr(icon, "alt") or attr(icon, "aria-label") or self.text(icon.css_first("title"))
            if is_label(label, "icon_done"):
                return "completed"
            if is_label(label, "icon_todo"):
                return "open"
        group = self._group_heading(li)
        if group is not None:
            if is_label(group, "done"):
                return "completed"
            if is_label(group, "doing"):
                return "in_progress"
            if is_label(group, "todo"):
                return open_state
        return "open"

    def _group_heading(self, li: LexborNode) -> str | None:
        ul = li.parent
        if ul is None:
            return None
        h = ul.css_first("h3, h4, h5")
        if h is not None and h.parent is not None and h.parent.mem_id == ul.mem_id:
            return self.text(h)
        prev = ul.prev
        while prev is not None and (prev.tag or "-").startswith("-"):
            prev = prev.prev
        if prev is not None and prev.tag in ("h3", "h4", "h5"):
            return self.text(prev)
        return None

    def tasks_expected(self) -> bool:
        """A tasks section or task group heading is on the page."""
        if self.headings("tasks", exact=True):
            return True
        return any(self.headings(k, exact=True) for k in ("done", "doing", "todo"))

    def says_no_tasks(self) -> bool:
        text = fold(self.full_text())
        return any(w in text for w in folded_words("no_tasks"))

    def indicators(self) -> list[Indicator]:
        out: list[Indicator] = []
        seen: set[str] = set()
        for a, href in self.links():
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
            name = self.text(heading)
            if not name:
                self.read.unobserved.add("indicators")
                self.read.warnings.append(f"indicator {ident} has no name in the server HTML")
                continue
            seen.add(ident)
            out.append(Indicator(id=ident, name=name))
        return out

    # -- aside ----------------------------------------------------------------
    def responsible_parties(self) -> list[ResponsibleParty]:
        found: list[tuple[ResponsibleParty, bool, bool]] = []  # party, has size class, lg
        seen: set[str] = set()
        for a, href in self.links():
            if "organization" not in href:
                continue
            m = _ORG_HREF.search(href)
            if not m:
                continue
            badge = a.css_first("[aria-label]") or a.css_first(".badge")
            if badge is None:
                continue
            abbreviation = self.text(badge) or None
            label = clean(attr(badge, "aria-label"))
            primary_hint = False
            if ": " in label:
                prefix, rest = label.split(": ", 1)
                if is_label(prefix, "primary_party"):
                    primary_hint, label = True, rest
                elif len(prefix.split()) <= 2 and prefix and prefix[0].isupper() and not abbreviation == prefix:
                    label = rest
            if abbreviation and label.startswith(abbreviation + " "):
                label = label[len(abbreviation) + 1:]
            name = label or abbreviation
            if not name:
                continue
            if not label:
                self.read.warnings.append(f"responsible party {abbreviation!r} has no full name")
            ident = unquote(m.group(1))
            if ident in seen:
                continue
            seen.add(ident)
            tokens = set(class_tokens(badge)) | set(class_tokens(a))
            found.append((
                ResponsibleParty(id=ident, abbreviation=abbreviation if abbreviation != name else None,
                                 name=name, primary=primary_hint),
                bool(tokens & {"lg", "sm"}), "lg" in tokens,
            ))
        if any(sized for _, sized, _ in found):
            # Size classes are right in every generation; the screen-reader prefix
            # is on the wrong badges in 2022-2023 pages, so size wins.
            return [ResponsibleParty(id=p.id, abbreviation=p.abbreviation, name=p.name, primary=lg)
                    for p, _, lg in found]
        return [p for p, _, _ in found]

    def contacts(self) -> list[Contact]:
        out: list[Contact] = []
        seen: set[str] = set()
        for target in self.root.css('[id^="contact-"]'):
            pid = (attr(target, "id") or "")[len("contact-"):]
            if not pid or pid in seen:
                continue
            box = _ancestor(target, ("li",)) or target.parent
            if box is None:
                continue
            seen.add(pid)
            contact = self._contact(box, pid)
            if contact is not None:
                out.append(contact)
        return out

    def _contact(self, box: LexborNode, pid: str | None) -> Contact | None:
        labelled = _by_class_label(box, "Name", "PersonRole", "PersonOrg")
        name_n = role_n = org_n = None
        if labelled:
            name_n = next((n for n in labelled if has_class_label(n, "Name")), None)
            role_n = next((n for n in labelled if has_class_label(n, "PersonRole")), None)
            org_n = next((n for n in labelled if has_class_label(n, "PersonOrg")), None)
        if name_n is not None:
            name, title, org = self.text(name_n), clean_or_none(self.text(role_n)), clean_or_none(self.text(org_n))
        else:
            ps = box.css("p")
            texts = [self.text(p) for p in ps]
            if not texts:
                return None
            name = texts[0]
            if len(texts) >= 3:
                title, org = clean_or_none(texts[1]), clean_or_none(texts[2])
            else:
                title, org = None, clean_or_none(texts[1]) if len(texts) == 2 else None
        if not name:
            return None
        primary = "leader" in class_tokens(box) or box.css_first("div.leader, img.leader") is not None
        if not primary:
            for n in box.css("[aria-label], img[alt]"):
                label = fold(attr(n, "aria-label") or attr(n, "alt") or "")
                if label.startswith(folded_words("main_contact", self.language)):
                    primary = True
                    break
        return Contact(id=pid, name=name, title=title, organization=org, primary=primary)

    def contacts_expected(self) -> bool:
        return bool(self.headings("contacts", exact=True))

    def says_no_contacts(self) -> bool:
        text = fold(self.full_text())
        return any(w in text for w in folded_words("no_contacts"))

    def status(self) -> tuple[Labelled | None, int | None]:
        progress = next((n for n in self.root.css(".progress") if "progress" in class_tokens(n)), None)
        ident: str | None = None
        completion: int | None = None
        label_node = next(iter(_by_class_label(self.root, "StatusTitle", "StatusLabel", suffix=True)), None)
        if progress is not None:
            for token in class_tokens(progress):
                if token.startswith("bg-"):
                    ident = token[3:]
            bar = progress.css_first('[role="progressbar"]') or progress
            now = attr(bar, "aria-valuenow")
            if now is not None and now.strip().isdigit() and 0 <= int(now) <= 100:
                completion = int(now)
            if label_node is None:
                label_node = bar
        for h in self.headings("progress", exact=True):
            section = h.parent
            if section is None:
                continue
            if label_node is None:
                # Hash-only class names (2022-2023): the label is what follows the heading.
                sib = _next_element(h)
                if sib is not None and 0 < len(self.text(sib)) <= 60:
                    label_node = sib
            for strong in section.css("strong"):
                m = _PERCENT.search(self.text(strong))
                if m and completion is None and int(m.group(1)) <= 100:
                    completion = int(m.group(1))
        label = self.text(label_node)
        if not label:
            return None, completion
        if ident is None:
            self.read.unobserved.add("status.identifier")
        return Labelled(ident, label), completion

    def impact(self) -> Labelled | None:
        for h in self.headings("impact"):
            section = h.parent
            if section is None or h.tag == "h1":
                continue
            node = section.css_first("h6, strong")
            label = self.text(node)
            if not label:
                label = clean(self.text(section).replace(self.text(h), "", 1))
            if label:
                self.read.unobserved.add("impact.identifier")
                return Labelled(None, label)
        return None

    def updated_on(self) -> tuple[bool, dt.date | None]:
        """(label seen, date | None); records a problem for an unreadable date."""
        if self._updated is None:
            self._updated = self._read_updated()
        seen, day, problem = self._updated
        if problem:
            self.read.problems.append(problem)
        return seen, day

    def _read_updated(self) -> tuple[bool, dt.date | None, str | None]:
        texts = [self.text(n) for n in _by_class_label(self.root, "LastUpdated")]
        if not texts:
            full = self.full_text()
            for w in words("updated", self.language):
                i = full.find(w)
                if i >= 0:
                    texts.append(full[i:i + len(w) + 40])
                    break
        for text in texts:
            for w in words("updated", self.language):
                if w in text:
                    rest = text.split(w, 1)[1]
                    shown = find_date(rest, self.lang_tag)
                    if shown is None or shown.date is None:
                        return True, None, f"unreadable 'updated' date {clean(rest)[:40]!r}"
                    return True, shown.date, None
        return False, None, None

    def status_updates(self) -> list[StatusUpdate]:
        out: list[StatusUpdate] = []
        for art in self.root.css("article"):
            title = self.text(art.css_first("h3") or art.css_first("h4") or art.css_first("h2"))
            if not title:
                continue
            time = art.css_first("time")
            day = None
            if time is not None:
                shown = find_date(attr(time, "datetime") or "", "sv") or find_date(self.text(time), self.lang_tag)
                day = shown.date if shown else None
            author_n = next(iter(_by_class_label(art, "AuthorName")), None)
            author = self.text(author_n) or None
            if author is None:
                img = art.css_first("img[alt]")
                alt = clean(attr(img, "alt"))
                author = alt if alt and alt.lower() != "name" else None
            out.append(StatusUpdate(title=title, date=day, author=author))
        if not out and self.headings("updates", exact=True):
            # Newer front ends load the posts in the browser: unknown, not empty.
            self.read.unobserved.add("status_updates")
        return out


def dom_reader(tree: LexborHTMLParser, *, url: str, language: str, lang_tag: str,
               generation: str) -> _Reader | None:
    """A reader of one parsed page. It reads each node once: ``what_json_needs`` and
    then ``measure_from_dom`` on the same reader share their work."""
    root = action_root(tree)
    return None if root is None else _Reader(tree, root, url, language, lang_tag, generation)


def what_json_needs(r: _Reader | None) -> DomRead:
    """The little the JSON path takes from the DOM: identifier, task order, "updated" day."""
    if r is None:
        return DomRead(record=None)
    r.read = DomRead(record=None)
    h1 = r.h1()
    r.read.has_h1 = h1 is not None
    r.read.identifier = (r.title(h1)[0] if h1 is not None else None) or r._url_identifier()
    r.read.task_order = r.task_names()
    r.read.updated_seen, r.read.updated_on = r.updated_on()
    return r.read


def measure_from_dom(r: _Reader | None) -> DomRead:
    """The whole record from the DOM alone."""
    if r is None:
        return DomRead(record=None)
    r.read = DomRead(record=None)
    root, generation = r.root, r.generation
    url, language = r.url, r.language
    h1 = r.h1()
    if h1 is None:
        return r.read
    r.read.has_h1 = True
    shown_ident, name = r.title(h1)
    url_ident = r._url_identifier()
    identifier = shown_ident or url_ident
    r.read.identifier = identifier
    if shown_ident and url_ident and shown_ident != url_ident:
        r.read.warnings.append(f"page shows identifier {shown_ident!r} at URL identifier {url_ident!r}")
    if not identifier:
        r.read.problems.append("no action identifier on the page or in the URL")
    if not name:
        r.read.problems.append("no action name")
    previous, nxt = r.pager()
    tasks = r.tasks()
    if not tasks and r.tasks_expected() and not r.says_no_tasks():
        r.read.problems.append("a tasks section with no tasks parsed")
    contacts = r.contacts()
    if not contacts and r.contacts_expected() and not r.says_no_contacts():
        r.read.problems.append("a contacts section with no contacts parsed")
    status, completion = r.status()
    updated_seen, updated_on = r.updated_on()
    r.read.updated_seen, r.read.updated_on = updated_seen, updated_on
    if not updated_seen and generation in ("classic", "pages-router"):
        r.read.problems.append("no 'updated' date (every page of this generation has one)")
    r.read.unobserved.update({"plan", "schedule", "updated_at", "tasks.id", "tasks.due_date_completed",
                              "tasks.cancelled", "merged_with"})
    # The active phase is drawn only by colour (hashed classes): never readable here.
    r.read.unobserved.add("phase")
    record = Measure(
        url=url,
        language=language,
        identifier=identifier or "",
        name=name,
        categories=tuple(r.categories(h1)),
        lead=r.lead(),
        description=r.description(),
        official_name=r.official_name(),
        status=status,
        completion=completion,
        impact=r.impact(),
        tasks=tuple(tasks),
        indicators=tuple(r.indicators()),
        responsible_parties=tuple(r.responsible_parties()),
        contacts=tuple(contacts),
        status_updates=tuple(r.status_updates()),
        updated_on=updated_on,
        previous=previous,
        next=nxt,
    )
    # An <h1> alone does not make an action page (error and block pages have one).
    evidence = sum(bool(x) for x in (
        shown_ident, record.tasks, record.contacts, record.responsible_parties, updated_seen, record.status,
        record.impact, record.official_name, root.attributes.get("data-testid") == "action-page",
        record.categories, previous or nxt,
    ))
    if evidence < 2:
        r.read.problems.append("too little action markup on the page")
        return r.read
    r.read.record = record
    return r.read
