"""The aside: responsible parties, contacts, status and progress, impact, "latest updates"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from scraper.dates import find_date
from scraper.dom.page import NO_NOTES, Notes, Page, ancestor, by_class_label, next_element, problem, unobserved, warning
from scraper.labels import folded_words, is_label
from scraper.text import attr, class_tokens, clean, clean_or_none, has_class_label
from vahti.record import Contact, Labelled, ResponsibleParty, StatusUpdate
from vahti.text import fold

_ORG_HREF = re.compile(r"(?:/organizations/|[?&]organization=)([^/?#&]+)")
_PERCENT = re.compile(r"(\d{1,3})\s*%")


@dataclass(frozen=True, slots=True)
class Aside:
    responsible_parties: tuple[ResponsibleParty, ...]
    contacts: tuple[Contact, ...]
    status: Labelled | None
    completion: int | None
    impact: Labelled | None
    status_updates: tuple[StatusUpdate, ...]
    notes: Notes


def read_aside(page: Page) -> Aside:
    parties, party_notes = responsible_parties(page)
    found = contacts(page)
    notes = party_notes
    if not found and page.headings("contacts", exact=True) and not says_no_contacts(page):
        notes += problem("a contacts section with no contacts parsed")
    status, completion, status_notes = read_status(page)
    impact_value, impact_notes = impact(page)
    updates, update_notes = status_updates(page)
    return Aside(tuple(parties), tuple(found), status, completion, impact_value, tuple(updates),
                 notes + status_notes + impact_notes + update_notes)


def responsible_parties(page: Page) -> tuple[list[ResponsibleParty], Notes]:
    found: list[tuple[ResponsibleParty, bool, bool]] = []  # party, has size class, lg
    notes = NO_NOTES
    seen: set[str] = set()
    for a, href in page.links():
        if "organization" not in href:
            continue
        m = _ORG_HREF.search(href)
        if not m:
            continue
        badge = a.css_first("[aria-label]") or a.css_first(".badge")
        if badge is None:
            continue
        abbreviation = page.text(badge) or None
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
            notes += warning(f"responsible party {abbreviation!r} has no full name")
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
                for p, _, lg in found], notes
    return [p for p, _, _ in found], notes


def contacts(page: Page) -> list[Contact]:
    out: list[Contact] = []
    seen: set[str] = set()
    for target in page.root.css('[id^="contact-"]'):
        pid = (attr(target, "id") or "")[len("contact-"):]
        if not pid or pid in seen:
            continue
        box = ancestor(target, ("li",)) or target.parent
        if box is None:
            continue
        seen.add(pid)
        contact = _contact(page, box, pid)
        if contact is not None:
            out.append(contact)
    return out


def _contact(page: Page, box: LexborNode, pid: str | None) -> Contact | None:
    labelled = by_class_label(box, "Name", "PersonRole", "PersonOrg")
    name_n = role_n = org_n = None
    if labelled:
        name_n = next((n for n in labelled if has_class_label(n, "Name")), None)
        role_n = next((n for n in labelled if has_class_label(n, "PersonRole")), None)
        org_n = next((n for n in labelled if has_class_label(n, "PersonOrg")), None)
    if name_n is not None:
        name, title, org = page.text(name_n), clean_or_none(page.text(role_n)), clean_or_none(page.text(org_n))
    else:
        texts = [page.text(p) for p in box.css("p")]
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
            if label.startswith(folded_words("main_contact", page.language)):
                primary = True
                break
    return Contact(id=pid, name=name, title=title, organization=org, primary=primary)


def says_no_contacts(page: Page) -> bool:
    text = fold(page.full_text())
    return any(w in text for w in folded_words("no_contacts"))


def read_status(page: Page) -> tuple[Labelled | None, int | None, Notes]:
    """(status, completion %, notes) from the progress bar, the status label and the progress section."""
    progress = next((n for n in page.root.css(".progress") if "progress" in class_tokens(n)), None)
    ident: str | None = None
    completion: int | None = None
    label_node = next(iter(by_class_label(page.root, "StatusTitle", "StatusLabel", suffix=True)), None)
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
    for h in page.headings("progress", exact=True):
        section = h.parent
        if section is None:
            continue
        if label_node is None:
            # Hash-only class names (2022-2023): the label is what follows the heading.
            sib = next_element(h)
            if sib is not None and 0 < len(page.text(sib)) <= 60:
                label_node = sib
        for strong in section.css("strong"):
            m = _PERCENT.search(page.text(strong))
            if m and completion is None and int(m.group(1)) <= 100:
                completion = int(m.group(1))
    label = page.text(label_node)
    if not label:
        return None, completion, NO_NOTES
    return Labelled(ident, label), completion, unobserved("status.identifier") if ident is None else NO_NOTES


def impact(page: Page) -> tuple[Labelled | None, Notes]:
    for h in page.headings("impact"):
        section = h.parent
        if section is None or h.tag == "h1":
            continue
        label = page.text(section.css_first("h6, strong"))
        if not label:
            label = clean(page.text(section).replace(page.text(h), "", 1))
        if label:
            return Labelled(None, label), unobserved("impact.identifier")
    return None, NO_NOTES


def status_updates(page: Page) -> tuple[list[StatusUpdate], Notes]:
    out: list[StatusUpdate] = []
    for art in page.root.css("article"):
        title = page.text(art.css_first("h3") or art.css_first("h4") or art.css_first("h2"))
        if not title:
            continue
        time = art.css_first("time")
        day = None
        if time is not None:
            shown = find_date(attr(time, "datetime") or "", "sv") or find_date(page.text(time), page.lang_tag)
            day = shown.date if shown else None
        author = page.text(next(iter(by_class_label(art, "AuthorName")), None)) or None
        if author is None:
            alt = clean(attr(art.css_first("img[alt]"), "alt"))
            author = alt if alt and alt.lower() != "name" else None
        out.append(StatusUpdate(title=title, date=day, author=author))
    if not out and page.headings("updates", exact=True):
        # Newer front ends load the posts in the browser: unknown, not empty.
        return out, unobserved("status_updates")
    return out, NO_NOTES
