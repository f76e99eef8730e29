"""The active step of the 2026 phase timeline ("Ei aloitettu · Suunnittelu · Toteutus · Valmis").

The timeline marks the active phase only by style: its name's generated class is the one whose
rule sets ``font-weight:bold`` in the page's emotion ``<style>`` (past and future names share
plainer rules). The rule is read only here, on the DOM-only path, and only for the few phase
name classes; anything less than exactly one bold name leaves the phase unobserved.
"""

from __future__ import annotations

from scraper.dom.page import NO_NOTES, Notes, Page, by_class_label, unobserved
from scraper.labels import is_label
from scraper.text import attr

_NAME = "StyledMiniPhaseName"
_MAX_RULE = 2000  # a phase-name rule is a few hundred characters; never read further


def _token(node_class: str) -> str | None:
    return next((t for t in node_class.split() if t.endswith(f"PhaseTimeline-{_NAME}")), None)


def read_phase(page: Page, *, continuous: bool) -> tuple[str | None, Notes]:
    """The active phase's name, or ``None`` with ``phase`` unobserved."""
    names = [(n, _token(attr(n, "class") or "")) for n in by_class_label(page.root, _NAME)]
    names = [(n, t) for n, t in names if t]
    if not names:
        return None, unobserved("phase")
    styles = [s.text() for s in page.tree.css("style") if _NAME in (attr(s, "data-emotion") or "")]
    bold: list[str] = []
    for node, token in names:
        for css in styles:
            at = css.find(f".{token}{{")
            if at >= 0:
                rule = css[at:css.find("}", at, at + _MAX_RULE)]
                if "font-weight:bold" in rule or "font-weight:700" in rule:
                    bold.append(page.text(node))
                break
    if len(bold) != 1 or not bold[0]:
        return None, unobserved("phase")
    # A continuous action's last phase is drawn with the continuous word, not its name.
    if continuous and is_label(bold[0], "continuous"):
        return None, unobserved("phase")
    return bold[0], NO_NOTES
