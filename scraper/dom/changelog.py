"""The plan's own change log and the "continuous" schedule, as the 2026 front end draws them.

With the plan's change log on, the aside ends with ``ChangeHistory``: "Information updated
02.03.2026", the author's name, and a dialog (in the server HTML, hidden by CSS) holding the
message. A continuous action's schedule block reads "1.1.2020 → Jatkuva" (the start date, an
arrow, and a badge with the platform's word for "continuous").
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from scraper.dates import find_date
from scraper.dom.page import NO_NOTES, Notes, Page, by_class_label, unobserved
from scraper.labels import is_label
from scraper.text import attr, clean, clean_or_none, node_text
from vahti.record import ChangeLog

_LOG = "ChangeHistory"


def _parts(page: Page, label: str) -> list[LexborNode]:
    """``ChangeHistory-<label>`` elements (the component's name guards the generic part name)."""
    return [n for n in by_class_label(page.root, label) if _LOG in (attr(n, "class") or "")]


def read_change_log(page: Page) -> ChangeLog | None:
    """The entry the page shows, or ``None`` (change log off, or no readable day)."""
    updated = _parts(page, "UpdatedText")
    footer = _parts(page, "FooterMeta")
    if not updated and not footer:
        return None
    shown = None
    for node in updated + footer:
        shown = find_date(page.text(node), page.lang_tag)
        if shown is not None and shown.date is not None:
            break
    if shown is None or shown.date is None:
        return None
    author = next((clean(page.text(n)) for n in _parts(page, "AuthorName") if page.text(n)), None)
    if author is None and footer:
        first = footer[0].css_first("span")
        author = clean_or_none(page.text(first)) if first is not None else None
    texts = _parts(page, "ChangesText")
    message = node_text(texts[0]) if texts else None
    return ChangeLog(updated_on=shown.date, updated_at=None, author=author or None, message=message)


def read_continuous(page: Page, status_label: str | None) -> tuple[bool, Notes]:
    """Whether the schedule says "→ continuous", and what that hides: the badge then shows the
    continuous word in place of the status label. Without a schedule block, unobserved."""
    if not [n for n in by_class_label(page.root, "SideHeader") if "ActionScheduleBlock" in (attr(n, "class") or "")]:
        return False, unobserved("continuous")  # no schedule block drawn (older generations, or hidden)
    titles = [n for n in by_class_label(page.root, "StatusTitle") if "Timeline" in (attr(n, "class") or "")]
    continuous = any(
        "→" in page.text(t) and any(is_label(page.text(b), "continuous") for b in t.css(".badge"))
        for t in titles
    )
    if continuous and is_label(status_label, "continuous"):
        return True, unobserved("status")
    return continuous, NO_NOTES
