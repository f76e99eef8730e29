"""``vahti import FILE.warc.gz``: WARC files (vahti's, Browsertrix's, the Internet Archive's) into
history, in time order, through the ordinary ingest path.

Every ``response`` (HTTP 200, HTML) and ``resource`` (HTML) record whose target is an action page
(``…/actions/<id>``, with any language prefix and the base path of ``site`` when given) is a
capture at its ``WARC-Date``. Records are read first and ingested oldest first, so a WARC in any
order gives the history of the sorted one. Imports are the past: their events are flagged
``backfilled`` and never sent. Pages that do not parse as a measure are kept as evidence only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scraper.warc import WarcPage, read_pages
from storage.store import Store
from vahti.app.ingest import ingest_archived
from vahti.errors import ConfigError
from vahti.urls import canonical_url, split_action_path


MAX_HELD = 512 * 2**20  # bytes of page bodies one import holds to sort them by time


@dataclass
class WarcImport:
    records: int = 0  # action-page captures found
    versions: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # verdict → captures kept as evidence
    ignored: int = 0  # records that are no action page (other pages, requests, metadata …)

    def to_dict(self) -> dict[str, object]:
        return {"records": self.records, "versions": self.versions, "skipped": dict(self.skipped),
                "ignored": self.ignored}


def import_warc(store: Store, path: Path, *, site: str | None = None) -> WarcImport:
    summary = WarcImport()
    pages: list[WarcPage] = []
    held = 0
    with path.open("rb") as fh:
        for page in read_pages(fh):
            if page is None or split_action_path(page.url) is None:
                summary.ignored += 1
                continue
            held += len(page.body)
            if held > MAX_HELD:  # they are sorted in memory before they go in: bounded
                raise ConfigError(f"{path}: over {MAX_HELD // 2**20} MiB of action pages; split the WARC "
                                  "(e.g. by date) and import the parts")
            pages.append(page)
    pages.sort(key=lambda p: (p.at, p.url))
    for page in pages:
        summary.records += 1
        url = canonical_url(page.url)
        parts = urlsplit(url)
        done, result = ingest_archived(store, site=site or f"{parts.scheme}://{parts.netloc}", url=url, at=page.at,
                                       body=page.body, status=page.status, headers=page.headers)
        if result.meta.verdict != "ok" or result.record is None:
            summary.skipped[result.meta.verdict] += 1
        elif done.stored.outcome == "new_version":
            summary.versions += 1
    return summary


def is_warc(path: Path) -> bool:
    """A WARC file (plain or gzip), by name or by its first bytes."""
    if path.name.endswith((".warc", ".warc.gz")):
        return True
    with path.open("rb") as fh:
        head = fh.read(4)
    return head == b"WARC"
