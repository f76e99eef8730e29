"""E-mail for a batch of events: a subject that says what happened, plain text and HTML.

Everything taken from a page is escaped in the HTML part: a task named
``<script>…`` arrives as text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from vahti.events import ChangeEvent, flag_notes
from vahti.text import one_line
from vahti.urls import report_link
from diffs.render import event_lines

PHRASES = {
    "measure.added": "new measure", "measure.removed": "measure removed", "measure.restored": "measure back",
    "measure.merged": "merged", "measure.unmerged": "unmerged", "task.added": "task added",
    "task.removed": "task removed", "task.completed": "task completed", "task.reopened": "task reopened",
    "task.state_changed": "task status changed", "task.renamed": "task renamed",
    "task.due_date_changed": "due date moved", "task.comment_changed": "task comment edited",
    "contact.added": "contact added", "contact.removed": "contact removed", "contact.changed": "contact changed",
    "contact.primary_changed": "main contact changed", "responsible_party.added": "responsible party added",
    "responsible_party.removed": "responsible party removed", "indicator.added": "indicator added",
    "indicator.removed": "indicator removed", "status.changed": "status changed",
    "completion.changed": "completion changed", "phase.changed": "phase changed", "impact.changed": "impact changed",
    "field.changed": "text edited", "status_update.added": "new update", "updated.changed": "updated",
    "parse.degraded": "page no longer parses", "parse.recovered": "page parses again",
    "site.unreachable": "site unreachable", "site.recovered": "site answers again",
    "change_log.added": "change-log entry",
}


def site_label(site: str, names: dict[str, str]) -> str:
    return names.get(site.rstrip("/")) or urlsplit(site).netloc


def phrases(events: Iterable[ChangeEvent]) -> list[str]:
    """What happened, in few words, most telling first, each once."""
    events = list(events)
    kinds = [e.kind for e in events]
    out: list[str] = []
    if "contact.added" in kinds and "contact.removed" in kinds:
        out.append("contact replaced")
    for e in events:
        if e.kind in ("contact.added", "contact.removed") and "contact replaced" in out:
            continue
        if e.kind == "updated.changed":
            phrase = "updated date bumped, nothing else" if "touched_only" in e.flags else ""
        else:
            phrase = PHRASES.get(e.kind, e.kind)
        if phrase and phrase not in out:
            out.append(phrase)
    return out


def subject(events: list[ChangeEvent], names: dict[str, str]) -> str:
    measures = {(e.site, e.measure) for e in events}
    words = phrases(events)
    said = ", ".join(words[:3]) + (", …" if len(words) > 3 else "")
    if len(measures) == 1:
        return f"{site_label(events[0].site, names)} {events[0].label}: {said}"
    sites = {s for s, _ in measures}
    where = site_label(next(iter(sites)), names) if len(sites) == 1 else f"{len(sites)} sites"
    return f"{where}: {len(events)} changes in {len(measures)} measures ({said})"


def _grouped(events: list[ChangeEvent]) -> list[tuple[tuple[str, str, str], list[ChangeEvent]]]:
    """Events by measure: (site, the measure's label, its URL) and the events."""
    groups: dict[tuple[str, str, str], list[ChangeEvent]] = {}
    for e in events:
        groups.setdefault((e.site, e.label, e.url), []).append(e)
    return list(groups.items())


def compose(events: list[ChangeEvent], *, subscription: str, idempotency_key: str, sender: str, to: str,
            names: dict[str, str], leave: str, report_url: str | None = None) -> EmailMessage:
    """One message for a batch of events; with ``report_url`` each measure links to its report page too."""
    msg = EmailMessage()
    msg["Subject"] = one_line(subject(events, names))[:300]
    msg["From"] = sender
    msg["To"] = to
    # The idempotency key is the Message-ID: a resent message is recognisably the same one.
    msg["Message-ID"] = f"<{idempotency_key}@vahti.invalid>"
    if events:
        msg["Date"] = format_datetime(max(e.observed_at for e in events))
    msg["X-Vahti-Subscription"] = subscription
    msg["X-Vahti-Idempotency-Key"] = idempotency_key
    footer = (f"You receive this because of the vahti subscription “{subscription}”. "
              f"To stop it: {leave}")
    text: list[str] = []
    for (site, measure, url), group in _grouped(events):
        text.append(f"{site_label(site, names)} {measure} — {url}")
        if report_url and group[0].measure is not None:
            text.append(f"  In the report: {report_link(report_url, url)}")
        for e in group:
            text += ["  " + line for line in event_lines(e, with_measure=False)]
        text.append("")
    text += ["-- ", footer]
    msg.set_content("\n".join(text))
    msg.add_alternative(_html(events, names, footer, report_url), subtype="html")
    return msg


def _html(events: list[ChangeEvent], names: dict[str, str], footer: str, report_url: str | None) -> str:
    e_ = html.escape
    parts = ['<!doctype html><html><head><meta charset="utf-8">'
             '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
             '<body style="margin:0;padding:12px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;'
             'font-size:16px;line-height:1.45;color:#1a1a1a">'
             '<div style="max-width:600px;margin:0 auto">']
    for (site, measure, url), group in _grouped(events):
        parts.append(f'<h2 style="font-size:18px;margin:16px 0 6px"><a href="{e_(url)}" style="color:#00662e">'
                     f'{e_(site_label(site, names))} {e_(measure)}</a></h2>')
        if report_url and group[0].measure is not None:
            parts.append(f'<p style="margin:0 0 6px;font-size:14px"><a href="{e_(report_link(report_url, url))}" '
                         f'style="color:#00662e">History and diff in the report</a></p>')
        parts.append('<ul style="padding-left:18px;margin:0">')
        for ev in group:
            note = "".join(f' <span style="color:#666">({e_(n)})</span>' for n in flag_notes(ev.flags))
            when = ev.observed_at.strftime("%Y-%m-%d %H:%M UTC")
            parts.append(f'<li style="margin:4px 0">{e_(ev.summary)}{note}'
                         f'<br><span style="color:#666;font-size:13px">{e_(when)}</span></li>')
        parts.append("</ul>")
    parts.append(f'<p style="color:#666;font-size:13px;border-top:1px solid #ddd;padding-top:8px;margin-top:20px">'
                 f'{e_(footer)}</p></div></body></html>')
    return "".join(parts)
