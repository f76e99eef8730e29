"""Atom 1.0 feeds of change events, with ids and times that stay put across runs.

An entry's id is derived from the event (site, measure, version pair or capture,
kind and subject), its ``updated`` is when vahti observed the change, and the feed's
``updated`` is its newest entry's: writing the same events twice writes the same
feed. Page content is escaped by the XML writer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

from vahti.events import ChangeEvent, flag_notes
from vahti.text import xml_text
from vahti.urls import report_link
from diffs.alerts.mail import site_label
from vahti import __version__

NS = "http://www.w3.org/2005/Atom"
EPOCH = dt.datetime(2019, 10, 23, tzinfo=dt.timezone.utc)  # Ilmastovahti's launch


def tag(kind: str, name: str) -> str:
    """A tag URI (RFC 4151) for a feed: the name percent-encoded, so the id holds no space.

    >>> tag("feed", "https://x.example task.*")
    'tag:vahti.invalid,2019:feed:https%3A%2F%2Fx.example%20task.%2A'
    """
    return f"tag:vahti.invalid,2019:{kind}:{quote(name, safe='.-_~')}"


def entry_id(event: ChangeEvent) -> str:
    digest = hashlib.sha256(
        f"{event.site}|{event.url}|{event.from_version}|{event.to_version}|{event.kind}|{event.subject}|"
        f"{event.observed_at.isoformat() if event.to_version is None else ''}".encode()).hexdigest()[:24]
    return f"tag:vahti.invalid,2019:event:{digest}"


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_xml(events: list[ChangeEvent], *, title: str, feed_id: str, names: dict[str, str] | None = None,
             self_link: str | None = None, report_url: str | None = None) -> bytes:
    """``report_url``: where the web report is published; each measure's entry then links to its page
    there too (``""``: relative to the feed, for the feed the report writes beside its pages)."""
    names = names or {}
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}feed")
    ET.SubElement(root, f"{{{NS}}}title").text = xml_text(title)
    ET.SubElement(root, f"{{{NS}}}id").text = feed_id
    newest = max((e.observed_at for e in events), default=EPOCH)
    ET.SubElement(root, f"{{{NS}}}updated").text = _time(newest)
    author = ET.SubElement(root, f"{{{NS}}}author")
    ET.SubElement(author, f"{{{NS}}}name").text = "vahti"
    ET.SubElement(root, f"{{{NS}}}generator", {"version": __version__}).text = "vahti"
    if self_link:
        ET.SubElement(root, f"{{{NS}}}link", {"rel": "self", "href": self_link})
    for e in sorted(events, key=lambda x: (x.observed_at, x.id or 0), reverse=True):
        entry = ET.SubElement(root, f"{{{NS}}}entry")
        ET.SubElement(entry, f"{{{NS}}}id").text = entry_id(e)
        ET.SubElement(entry, f"{{{NS}}}title").text = xml_text(f"{site_label(e.site, names)} {e.label}: {e.summary}")
        ET.SubElement(entry, f"{{{NS}}}updated").text = _time(e.observed_at)
        if e.url:
            ET.SubElement(entry, f"{{{NS}}}link", {"rel": "alternate", "type": "text/html", "href": xml_text(e.url)})
        if report_url is not None and e.measure is not None and e.url:
            ET.SubElement(entry, f"{{{NS}}}link", {"rel": "related", "type": "text/html", "title": "vahti report",
                                                   "href": xml_text(report_link(report_url, e.url))})
        ET.SubElement(entry, f"{{{NS}}}category", {"term": xml_text(e.kind)})
        lines = [e.summary]
        lines += [f"{note[0].upper()}{note[1:]}." for note in flag_notes(e.flags)]
        if e.to_version is not None:
            lines.append(f"Version {e.from_version} → {e.to_version}." if e.from_version is not None
                         else f"Version {e.to_version}, the first.")
        ET.SubElement(entry, f"{{{NS}}}content", {"type": "text"}).text = xml_text("\n".join(lines))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a feed: write beside, then rename over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
