"""``vahti demo``: the whole pipeline, offline, on the bundled sample site.

Serves the sample site (``vahti.samples.site``) from a free 127.0.0.1 port, crawls
it as it stood on three days into a fresh SQLite file, prints each day's change
events and the commands to look further, and builds the web report of what it saw.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

from diffs.render import event_lines
from vahti.app.crawl import Crawler
from vahti.app.report import build_report
from storage.store import Store
from vahti.clock import utcnow
from vahti.config import SiteConfig
from vahti.samples.server import SiteServer
from vahti.text import natural_key
from vahti.samples.site import sample_site, with_base

DAYS = 3


def run_demo(echo: Callable[[str], None], *, folder: Path | None = None) -> tuple[Path, Path]:
    """Run the demo; return the database path and the report's ``index.html``."""
    folder = folder or Path(tempfile.mkdtemp(prefix="vahti-demo-"))
    db = folder / "vahti.db"
    echo(f"vahti demo: a sample Kausal Watch site with 12 measures, crawled on {DAYS} days.")
    echo(f"database: {db}\n")
    store = Store.open(str(db))
    today = utcnow().replace(hour=6, minute=0, second=0, microsecond=0)
    with SiteServer() as server:
        site = SiteConfig(url=server.url, rate=1000.0, list_page=False, missing_after=1, retries=1,
                          contact="mailto:demo@example.org")
        for day in range(1, DAYS + 1):
            for path in [p for p in server.site.pages if p.startswith("/actions/")]:
                del server.site.pages[path]
            for path, (body, ctype) in with_base(sample_site(day), server.url).items():
                server.site.set(path, body, ctype)
            when = today - dt.timedelta(days=DAYS - day)
            crawler = Crawler(site, store, clock=_fixed(when))
            try:
                summary = crawler.crawl()
            finally:
                crawler.close()
            t = summary.totals()
            echo(f"Day {day} ({when:%Y-%m-%d}): {t['fetched']} pages fetched, {t['not_modified']} unchanged (304), "
                 f"{t['new_versions']} new versions, {t['missing']} missing, {t['failed']} failed")
            events = sorted(summary.events, key=lambda e: (natural_key(e.measure or ""), e.id or 0))
            added = [e for e in events if e.kind == "measure.added"]
            if added:
                echo(f"  {len(added)} new measures: " + ", ".join(f"{e.measure} {e.subject}" for e in added[:3])
                     + (", …" if len(added) > 3 else ""))
            for event in events:
                if event.kind != "measure.added":
                    for line in event_lines(event):
                        echo("  " + line[18:] if line[:4].isdigit() else "  " + line)
            echo("")
    result = build_report(store, folder / "report", now=today)
    store.close()
    as_of = (today - dt.timedelta(days=DAYS - 1)).date().isoformat()
    echo("Try next:")
    for command in (f"vahti history 2 --db {db}", f"vahti changes --db {db} --kind 'task.*'",
                    f"vahti show 2 --as-of {as_of} --db {db}", f"vahti diff 3 --db {db}",
                    f"vahti export --format csv --table tasks --db {db}",
                    f"vahti report --out {folder / 'report'} --db {db}"):
        echo(f"  {command}")
    echo(f"\nThe web report ({result.stats.pages} pages; open it in a browser):")
    echo(str(result.index.resolve()))
    return db, result.index


def _fixed(moment: dt.datetime) -> Callable[[], dt.datetime]:
    return lambda: moment
