"""A batch of events as chat messages (Slack, Teams, Matrix, Telegram, ntfy… through Apprise), one per
measure: short enough to read in a channel.

Each has a title that says what happened (as an e-mail subject does), then the site and
the measure's name in bold, links to the page and (when a report URL is configured) to
its page in the web report, and one line per event in plain words.
Markdown, which most services render; text taken from a page has its Markdown
characters escaped, so a task named ``[x](http://…)`` shows as written, never as a link.

>>> import datetime as dt
>>> at = dt.datetime(2026, 12, 1, 6, tzinfo=dt.timezone.utc)
>>> e = ChangeEvent(site="https://x.example", measure="2", kind="task.completed", subject="Lomake *valmis*",
...                 before="open", after="completed", summary="✔ Task completed: Lomake *valmis*", observed_at=at,
...                 from_version=1, to_version=2, url="https://x.example/actions/2", name="Aurinko")
>>> [(title, body)] = chat_messages([e], names={}, report_url="https://r.example/vahti")
>>> title
'x.example 2 Aurinko: task completed'
>>> print(body)
**x.example · 2 Aurinko** ([page](https://x.example/actions/2) · [report](https://r.example/vahti/measures/x.example/actions/2.html))
- ✔ Task completed: Lomake \\*valmis\\*
"""

from __future__ import annotations

import re

from diffs.alerts.mail import site_label, subject
from vahti.events import ChangeEvent, flag_notes
from vahti.urls import report_link

_MARKDOWN = re.compile(r"([\\`*_\[\]<>~|])")  # what starts markup inside a line (our lines start with "- ")


def escape(text: str) -> str:
    """Page text as literal Markdown (and one line: no line breaks from the page)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def chat_messages(events: list[ChangeEvent], *, names: dict[str, str], report_url: str | None = None
                  ) -> list[tuple[str, str]]:
    """(title, Markdown body) of one message per measure (and one for the site's own events)."""
    groups: dict[tuple[str, str, str], list[ChangeEvent]] = {}
    for e in events:
        groups.setdefault((e.site, e.label, e.url), []).append(e)
    out = []
    for (site, label, url), group in groups.items():
        lines: list[str] = []
        links = [f"[page]({url})"] if url else []
        if report_url and group[0].measure is not None:
            links.append(f"[report]({report_link(report_url, url)})")
        lines.append(f"**{escape(site_label(site, names))} · {escape(label)}**"
                     + (f" ({' · '.join(links)})" if links else ""))
        for e in group:
            notes = flag_notes(e.flags)
            lines.append(f"- {escape(e.summary)}" + (f" _({escape('; '.join(notes))})_" if notes else ""))
        out.append((subject(group, names), "\n".join(lines)))
    return out
