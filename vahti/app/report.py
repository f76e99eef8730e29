"""``vahti report``: the archive as a static web site (storage → ``diffs.report``).

One measure's history is read, drawn and let go at a time; bodies kept as evidence are read
only when the report folder does not have them yet, so a rebuild after a crawl costs the pages,
not the archive's bytes again.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from diffs.report.build import ReportStats, ReportWriter
from storage import queries
from storage import report as archive
from storage.store import Store
from vahti.clock import utcnow
from vahti.config import EvidenceMode, ReportConfig
from vahti.errors import ConfigError
from vahti.urls import canonical_site, split_action_path


@dataclass(frozen=True, slots=True)
class ReportResult:
    index: Path
    sites: int
    measures: int
    events: int
    stats: ReportStats


def build_report(store: Store, out: Path, *, site: str | None = None, base_url: str | None = None,
                 stale_months: int = 12, gap_hours: float = 48.0, evidence: EvidenceMode = "all",
                 now: dt.datetime | None = None) -> ReportResult:
    now = now or utcnow()
    writer = ReportWriter(out, now=now, base_url=base_url, stale_months=stale_months,
                          gap=dt.timedelta(hours=gap_hours), evidence=evidence)
    measures = 0
    with store.reading() as session:
        sites = archive.sites(session, site)
        if not sites:
            where = f" for {canonical_site(site)}" if site else ""
            raise ConfigError(f"nothing to report{where}: the database holds no measures yet (crawl first)")
        for site_id, info in sites:
            writer.site(info)
            rows = archive.measure_rows(session, site_id)
            by_identifier: dict[str, dict[str, str]] = {}
            for _, url, identifier, language in rows:
                by_identifier.setdefault(identifier, {})[language or ""] = url
            for measure_id, url, identifier, _ in rows:
                history = archive.measure_history(session, measure_id)
                parts = split_action_path(url)
                siblings = {lang: u for lang, u in by_identifier.get(identifier, {}).items() if u != url and lang}
                wanted = writer.measure(history, siblings=siblings, primary=parts is None or parts[0] is None)
                missing = writer.missing_evidence(wanted)
                for digest, body in archive.bodies(session, missing):
                    writer.evidence(digest, body)
                measures += 1
        events = queries.events(session, site=site, newest_first=True)
    writer.changes(events)
    stats = writer.finish()
    return ReportResult(index=out / "index.html", sites=len(sites), measures=measures, events=len(events),
                        stats=stats)


def build_configured(store: Store, config: ReportConfig, *, now: dt.datetime | None = None) -> ReportResult:
    """The report ``[report]`` asks for (``vahti run`` rebuilds it after each crawl)."""
    if not config.out:
        raise ConfigError("[report] has no out folder")
    return build_report(store, Path(config.out).expanduser(), base_url=config.base_url,
                        stale_months=config.stale_months, gap_hours=config.gap_hours,
                        evidence=config.evidence, now=now)


def serve(folder: Path, *, port: int = 0, ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve a built report from 127.0.0.1 (never another interface) until ``stop`` is set or Ctrl-C."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        if ready:
            ready(url)
        stop = stop or threading.Event()
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass
