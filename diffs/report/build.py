"""Writing the report: Jinja2 pages (autoescaped: page text is untrusted), data scripts, assets.

Layout of the folder (every link relative, so it opens from disk or any web server path)::

    index.html                        the plan overview (one site) or the list of plans
    sites/<host>[_<base>]/index.html  a plan overview (…/<lang>.html for its other languages)
    measures/<host>/<path>.html       a measure (``vahti.urls.report_page``: alerts link here)
    measures/<host>/<path>/v<N>.html  what changed in version N; compare.html, versions.js
    changes.html, changes-<n>.html    every event, newest first; data/events.js for filtering
    changes.atom                      the newest events as Atom
    evidence/<sha256>.html            a page as captured, in a sandboxed frame (<sha256>.raw.html: its bytes)
    static/                           CSS, the report's script and Chart.js (nothing from elsewhere)

The writer is fed one measure at a time (``measure``) and keeps only what the overviews need.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from diffs.alerts.atom import feed_xml, tag
from diffs.alerts.atom import write_atomically as _write  # beside, then renamed over: never half a page
from diffs.report.compare import compare_layouts, layout
from diffs.report.overview import Overview
from diffs.report.timeline import task_histories, timeline
from vahti import __version__
from vahti.events import ChangeEvent, flag_notes
from vahti.history import MeasureHistory, SiteInfo
from vahti.config import EvidenceMode
from vahti.text import natural_key
from vahti.urls import report_page

ASSETS = ("report.css", "report.js", "chart.umd.min.js", "chart.js-LICENSE.md")
PAGE_EVENTS = 250  # events per changes page: a page stays well under 200 KB
LIST_LIMIT = 100  # rows of the overview's touched-only and stale lists
TIMELINE_PAGE = 60  # timeline entries on a measure's page (older ones on timeline-<n>.html), and versions listed
FEED_EVENTS = 200
LATEST = 20
MANIFEST = ".vahti-report.json"  # the files the last build wrote: a rebuild removes those it no longer writes
# The first line of every evidence file: scripts, frames, fonts and network loads off, so a captured
# page opened from the report runs nothing and fetches nothing (its own bytes follow unchanged).
EVIDENCE_GUARD = (b'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                  b'style-src \'unsafe-inline\'; img-src data:"><meta name="referrer" content="no-referrer">'
                  b'<!-- vahti: the page as captured follows; drop this first line for its exact bytes -->\n')


def site_page(base_url: str, language: str | None = None) -> str:
    """Where a plan's overview lives (``language``: one of its other languages).

    >>> site_page("https://x.example/klima"), site_page("https://x.example", "sv")
    ('sites/x.example_klima/index.html', 'sites/x.example/sv.html')
    """
    parts = urlsplit(base_url)
    slug = re.sub(r"[^A-Za-z0-9.-]", "_", parts.netloc + parts.path.rstrip("/").replace("/", "_"))
    name = re.sub(r"[^a-z0-9-]", "_", language.lower()) if language else "index"
    return f"sites/{slug}/{name}.html"


def measure_dir(url: str) -> str:
    return report_page(url).removesuffix(".html")


@dataclass(slots=True)
class ReportStats:
    pages: int = 0
    bytes: int = 0
    evidence_written: int = 0
    removed: int = 0  # files of the last build that this one no longer has
    largest: tuple[str, int] = ("", 0)


@dataclass(slots=True)
class _Site:
    info: SiteInfo
    primary: str | None
    overviews: dict[str | None, Overview]
    latest: dict[str | None, list[tuple[dt.datetime, int, ChangeEvent]]]
    measures: int = 0
    events: int = 0
    plans: Counter[str] = field(default_factory=Counter)  # the plan names the pages give

    @property
    def title(self) -> str:
        """The name the site was added with, else the plan name most of its pages give, else its host."""
        if self.info.plan_name:
            return self.info.plan_name
        if self.plans:
            return self.plans.most_common(1)[0][0]
        return urlsplit(self.info.base_url).netloc


class ReportWriter:
    def __init__(self, out: Path, *, now: dt.datetime, base_url: str | None = None, stale_months: int = 12,
                 gap: dt.timedelta = dt.timedelta(hours=48), evidence: EvidenceMode = "all") -> None:
        self.out, self.now, self.base_url = out, now, (base_url.rstrip("/") if base_url else None)
        self.stale_months, self.gap, self.evidence_mode = stale_months, gap, evidence
        self.stats = ReportStats()
        self._evidence: set[str] = set()  # digests this report links to
        self._written: set[str] = set()  # every file this build wrote, relative to ``out`` (the manifest)
        self._sites: dict[str, _Site] = {}
        self._env = Environment(loader=PackageLoader("diffs.report", "templates"), autoescape=True,
                                undefined=StrictUndefined)
        self._env.globals.update(version=__version__, generated=now, when=_when, notes=flag_notes,
                                 measure_page=report_page, evidence_page=self._evidence_page, feed=True)
        out.mkdir(parents=True, exist_ok=True)

    # -- feeding --

    def site(self, info: SiteInfo) -> None:
        """Start a site (before its measures)."""
        self._sites[info.base_url] = _Site(info, None, {}, {})

    def measure(self, m: MeasureHistory, *, siblings: dict[str, str] | None = None,
                primary: bool = True) -> set[str]:
        """Write a measure's pages; return the digests of the evidence it links to (to be written)."""
        site = self._sites[m.site]
        current = m.current
        if current is None:
            return set()
        wanted = self._wanted(m)
        self._evidence |= wanted
        lang_key = None if primary else (m.language or current.record.language)
        overview = site.overviews.setdefault(lang_key, Overview(self.now, self.stale_months))
        overview.add(m)
        site.measures += 1
        site.events += len(m.events)
        if current.record.plan:
            site.plans[current.record.plan] += 1
        if primary and m.language:
            site.primary = site.primary or m.language
        heap = site.latest.setdefault(lang_key, [])
        for e in m.events:
            item = (e.observed_at, e.id or 0, e)
            if len(heap) < LATEST:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                heapq.heapreplace(heap, item)
        self._measure_pages(m, site, siblings or {})
        return wanted

    def evidence(self, digest: str, body: bytes) -> None:
        """A page as captured: the guarded bytes (``<sha>.raw.html``) and the page that shows them in a
        sandboxed frame (``<sha>.html``: a captured ``<meta http-equiv=refresh>`` cannot take the reader
        away, which a Content-Security-Policy alone does not stop). Written once: bodies never change."""
        raw = self.out / "evidence" / f"{digest}.raw.html"
        if not raw.exists():
            _write(self.out / "evidence" / f"{digest}.html", self._env.get_template("evidence.html").render(
                digest=digest, size=len(body)).encode("utf-8"))
            _write(raw, EVIDENCE_GUARD + body)
            self.stats.evidence_written += 1

    def missing_evidence(self, digests: Iterable[str]) -> list[str]:
        return [d for d in digests if not (self.out / "evidence" / f"{d}.raw.html").exists()]

    def changes(self, events: list[ChangeEvent]) -> None:
        """The changes pages (``events`` newest first), their filter data and the Atom feed."""
        pages = max(1, -(-len(events) // PAGE_EVENTS))
        labels: dict[str, str] = {}
        for e in events:
            if e.measure is not None and e.url not in labels:
                labels[e.url] = f"{e.measure} {e.name or ''}".strip()
        options = sorted(labels.items(), key=lambda kv: (natural_key(kv[1]), kv[0]))
        kinds = sorted({e.kind for e in events})
        for page in range(1, pages + 1):
            chunk = events[(page - 1) * PAGE_EVENTS:page * PAGE_EVENTS]
            self._page(_changes_path(page), "changes.html", events=chunk, page=page, pages=pages, total=len(events),
                       kinds=kinds, measure_options=options, page_path=_changes_path)
        rows = [[e.observed_at.isoformat(), e.kind, e.url if e.measure is not None else "", e.label, e.summary,
                 flag_notes(e.flags), report_page(e.url) if e.measure is not None else "", e.language or ""]
                for e in events]
        self._file("data/events.js", _script("VAHTI_EVENTS", rows))
        feed = feed_xml(events[:FEED_EVENTS], title="vahti: all changes", feed_id=tag("report", self.base_url or "report"),
                        self_link=f"{self.base_url}/changes.atom" if self.base_url else None,
                        report_url=self.base_url or "")
        self._file("changes.atom", feed)

    def finish(self) -> ReportStats:
        """The overviews, the index and the assets; call after every measure."""
        entries = []
        single = len(self._sites) == 1
        for site in self._sites.values():
            title = site.title
            keys = sorted(site.overviews, key=lambda k: (k is not None, k or ""))  # the primary language first
            switch = [(site.primary if k is None else k, site_page(site.info.base_url, k)) for k in keys]
            for key in keys:
                overview = site.overviews[key]
                latest = [item[2] for item in sorted(site.latest.get(key, []), key=lambda x: x[:2], reverse=True)]
                where = [site_page(site.info.base_url, key)] + (["index.html"] if single and key == keys[0] else [])
                for path in where:
                    self._page(path, "overview.html", site=site.info, site_title=title, overview=overview,
                               language=(site.primary if key is None else key) or "",
                               languages=[(c or "", p) for c, p in switch], status_chart=overview.status_chart(),
                               task_chart=overview.task_chart(), latest=latest, list_limit=LIST_LIMIT,
                               measures=sorted(overview.measures, key=lambda x: natural_key(x.identifier)))
            entries.append({"info": site.info, "title": title, "page": site_page(site.info.base_url, keys[0] if keys else None),
                            "measures": site.measures, "events": site.events})
        if not single:
            self._page("index.html", "index.html", sites=entries)
        static = files("diffs.report") / "static"
        for name in ASSETS:
            _write(self.out / "static" / name, (static / name).read_bytes())
            self._written.add(f"static/{name}")
        self._forget_stale()
        return self.stats

    def _forget_stale(self) -> None:
        """Remove what the last build wrote and this one did not (a changes page past the last, a timeline
        page a rebuilt history no longer needs). Only files listed in the folder's manifest are touched:
        whatever else is in the folder stays, and so does the evidence."""
        manifest = self.out / MANIFEST
        try:
            before = set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
        except (OSError, ValueError, AttributeError):
            before = set()
        for stale in sorted(before - self._written):
            path = (self.out / stale).resolve()
            if path.is_relative_to(self.out.resolve()) and path.is_file() and "evidence" not in Path(stale).parts:
                path.unlink()
                self.stats.removed += 1
        _write(manifest, json.dumps({"files": sorted(self._written)}, indent=0).encode())

    # -- pages --

    def _wanted(self, m: MeasureHistory) -> set[str]:
        if self.evidence_mode == "none":
            return set()
        if self.evidence_mode == "latest":
            current = m.current
            return {current.evidence} if current is not None and current.evidence else set()
        return {v.evidence for v in m.versions if v.evidence} | {r.evidence for r in m.runs
                                                                 if r.evidence and r.outcome in ("error", "missing",
                                                                                                 "degraded_kept")}

    def _evidence_page(self, digest: str | None) -> str | None:
        return f"evidence/{digest}.html" if digest and digest in self._evidence else None

    def _measure_pages(self, m: MeasureHistory, site: _Site, siblings: dict[str, str]) -> None:
        current = m.current
        assert current is not None
        base = measure_dir(m.url)
        title = site.title
        lang = m.language or current.record.language
        common: dict[str, Any] = dict(m=m, site_title=title, site_page=site_page(site.info.base_url),
                                      measure_page_path=report_page(m.url), lang=lang)

        def diff_page(n: int) -> str:
            return f"{base}/v{n}.html"

        def timeline_page(n: int) -> str:
            return report_page(m.url) if n == 1 else f"{base}/timeline-{n}.html"

        checks = sum(r.checks for r in m.runs)
        entries = timeline(m, now=self.now, gap=self.gap)
        chunks = [entries[i:i + TIMELINE_PAGE] for i in range(0, len(entries), TIMELINE_PAGE)] or [[]]
        page_of = {x.version.number: n for n, chunk in enumerate(chunks, 1) for x in chunk if x.version is not None}

        def version_at(number: int) -> str:
            return timeline_page(page_of.get(number, 1))

        pages: dict[str, Any] = dict(timeline_pages=len(chunks), timeline_page=timeline_page, version_at=version_at,
                                     diff_page=diff_page)
        self._page(report_page(m.url), "measure.html", current=current, entries=chunks[0],
                   tasks=task_histories(m.versions), recent=TIMELINE_PAGE,
                   other_languages=[(lang, report_page(u)) for lang, u in sorted(siblings.items())],
                   compare_page=f"{base}/compare.html", checks=checks, **pages, **common)
        for n, chunk in enumerate(chunks[1:], 2):
            self._page(timeline_page(n), "timeline.html", entries=chunk, page=n, r=current.record, **pages, **common)
        by_version: dict[int, list[ChangeEvent]] = {}
        for e in m.events:
            if e.to_version is not None:
                by_version.setdefault(e.to_version, []).append(e)
        layouts = [layout(v.record, v.unobserved) for v in m.versions]
        for i in range(1, len(m.versions)):
            old, new = m.versions[i - 1], m.versions[i]
            self._page(diff_page(new.number), "diff.html", old=old, new=new, d=compare_layouts(layouts[i - 1], layouts[i]),
                       events=by_version.get(new.number, []),
                       prev_diff=diff_page(old.number) if i > 1 else None,
                       next_diff=diff_page(new.number + 1) if i + 1 < len(m.versions) else None, **common)
        if len(m.versions) > 1:
            data = {"url": m.url, "versions": [
                {"number": v.number, "first_seen_at": v.first_seen_at.isoformat(), "layout": lay.to_json(),
                 "diff": f"v{v.number}.html"} for v, lay in zip(m.versions, layouts)]}
            js = f"{base}/versions.js"
            self._file(js, _script("VAHTI_VERSIONS", data))
            self._page(f"{base}/compare.html", "compare.html", r=current.record, versions_js=js, **common)

    def _file(self, path: str, data: bytes) -> None:
        target = self.out / path
        if not target.resolve().is_relative_to(self.out.resolve()):  # the paths come from URLs: never outside
            raise ValueError(f"report path outside the report folder: {path!r}")
        _write(target, data)
        self._written.add(path)

    def _page(self, path: str, template: str, **context: Any) -> None:
        folder = posixpath.dirname(path)

        def href(target: str) -> str:
            if not target:  # the report's root folder
                up = posixpath.relpath(".", folder or ".")
                return "./" if up == "." else up + "/"
            return posixpath.relpath(target, folder or ".")

        data = self._env.get_template(template).render(href=href, **context).encode("utf-8")
        self._file(path, data)
        self.stats.pages += 1
        self.stats.bytes += len(data)
        if len(data) > self.stats.largest[1]:
            self.stats.largest = (path, len(data))


def _script(name: str, data: object) -> bytes:
    r"""A data script: JSON assigned to ``window.<name>``, with ``<``, ``>`` and ``&`` as escapes, so page text
    reads as markup nowhere, even where a server would send the file as HTML.

    >>> _script("X", ["</script>&"])
    b'window.X = ["\\u003c/script\\u003e\\u0026"];\n'
    """
    text = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.{name} = {text};\n".encode()


def _changes_path(page: int) -> str:
    return "changes.html" if page == 1 else f"changes-{page}.html"


def _when(moment: dt.datetime | None, *, date_only: bool = False) -> str:
    if moment is None:
        return "–"
    utc = moment.astimezone(dt.timezone.utc)
    return f"{utc:%Y-%m-%d}" if date_only else f"{utc:%Y-%m-%d %H:%M}"
