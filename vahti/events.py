"""Change events: what changed between two records of a measure, in the page's own terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from vahti.urls import split_action_path

KINDS: tuple[str, ...] = (
    "measure.added", "measure.removed", "measure.restored", "measure.merged", "measure.unmerged",
    "task.added", "task.removed", "task.completed", "task.reopened", "task.state_changed", "task.renamed",
    "task.due_date_changed", "task.comment_changed",
    "contact.added", "contact.removed", "contact.changed", "contact.primary_changed",
    "responsible_party.added", "responsible_party.removed", "indicator.added", "indicator.removed",
    "status.changed", "completion.changed", "phase.changed", "impact.changed", "field.changed",
    "status_update.added", "updated.changed", "parse.degraded", "parse.recovered",
    "site.unreachable", "site.recovered", "change_log.added",
)

# Kinds that undo each other, for the mirror property and for flap detection.
OPPOSITE = {
    "task.added": "task.removed", "task.removed": "task.added",
    "task.completed": "task.reopened", "task.reopened": "task.completed",
    "contact.added": "contact.removed", "contact.removed": "contact.added",
    "responsible_party.added": "responsible_party.removed", "responsible_party.removed": "responsible_party.added",
    "indicator.added": "indicator.removed", "indicator.removed": "indicator.added",
    "measure.removed": "measure.restored", "measure.restored": "measure.removed",
    "measure.merged": "measure.unmerged", "measure.unmerged": "measure.merged",
    "parse.degraded": "parse.recovered", "parse.recovered": "parse.degraded",
    "site.unreachable": "site.recovered", "site.recovered": "site.unreachable",
}


# A change that undoes one made within the last FLAP_VERSIONS versions and FLAP_WINDOW is a flap.
FLAP_WINDOW = dt.timedelta(hours=48)
FLAP_VERSIONS = 3

# What each flag means, in the few words every renderer (terminal, e-mail, Atom) shows.
FLAG_NOTES: dict[str, str] = {
    "touched_only": "nothing else changed",
    "silent_edit": "silent edit: “updated” date not moved",
    "flap": f"flap: undone within {FLAP_WINDOW.total_seconds() / 3600:.0f} h",
}


def flag_notes(flags: tuple[str, ...]) -> list[str]:
    """The notes of an event's flags, in the order of ``FLAG_NOTES``.

    >>> flag_notes(("flap", "touched_only"))
    ['nothing else changed', 'flap: undone within 48 h']
    """
    return [note for flag, note in FLAG_NOTES.items() if flag in flags]


@dataclass(frozen=True, slots=True)
class Change:
    """One change between two records (no site, time or versions yet: the differ is pure)."""

    kind: str
    subject: str
    before: Any
    after: Any
    summary: str
    key: str = ""  # what the change is about, stable across runs (task key, contact name …)
    flags: tuple[str, ...] = ()  # "touched_only", "silent_edit", "flap"
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def flagged(self, flag: str) -> Change:
        return self if flag in self.flags else replace(self, flags=(*self.flags, flag))

    @property
    def event_key(self) -> str:
        return f"{self.kind}|{self.key or self.subject}"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """A change as published: the contract's event shape (§2)."""

    site: str
    measure: str | None  # None: the event is about the whole site
    kind: str
    subject: str
    before: Any
    after: Any
    summary: str
    observed_at: dt.datetime
    from_version: int | None
    to_version: int | None
    url: str = ""
    flags: tuple[str, ...] = ()
    id: int | None = None
    name: str | None = None  # the measure's name (its latest)
    language: str | None = None  # the page's language

    @property
    def label(self) -> str:
        """Which measure, as people say it: ``91 Yhteistyö koulujen…``, with the language of a
        page in another than the site's primary language (``(sv)``); ``the site`` for site events."""
        if self.measure is None:
            return "the site"
        name = self.name if self.name is None or len(self.name) <= 60 else self.name[:59] + "…"
        parts = split_action_path(self.url) if self.url else None
        lang = f" ({self.language})" if self.language and parts is not None and parts[0] else ""
        return f"{self.measure} {name}{lang}" if name else f"{self.measure}{lang}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "site": self.site, "measure": self.measure, "kind": self.kind, "subject": self.subject,
            "before": self.before, "after": self.after, "summary": self.summary,
            "observed_at": self.observed_at.isoformat(), "from_version": self.from_version,
            "to_version": self.to_version,
        }
        if self.url:
            out["url"] = self.url
        for flag in ("touched_only", "silent_edit", "flap"):
            if flag in self.flags:
                out[flag] = True
        if self.id is not None:
            out["id"] = self.id
        if self.name is not None:
            out["name"] = self.name
        if self.language is not None:
            out["language"] = self.language
        return out
