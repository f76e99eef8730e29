"""The ``vahti`` command line: a thin layer over the library.

Each command reads its options, calls one library function and prints. Library
errors (``VahtiError``) become one clear line on stderr and an exit code:
0 done; 1 done but something failed and was recorded; 2 usage or configuration
error. ``--debug`` shows tracebacks instead.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from vahti import __version__
from vahti.errors import ConfigError, VahtiError
from vahti.heap import keep_heap_slack
from vahti.record import dump_json
from vahti.text import one_line

if TYPE_CHECKING:
    from storage.export import Table
    from storage.store import Store

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = "vahti.db"


def common_options(func: F) -> F:
    """``--db`` and ``--json``, taken by every command (contract §3)."""
    func = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")(func)
    func = click.option("--db", "db", envvar="VAHTI_DB", default=DEFAULT_DB, show_default=True,
                        help="Database: a file path (SQLite) or a SQLAlchemy URL (postgresql+psycopg://…). "
                             "Also VAHTI_DB.")(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vahti")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """vahti: archive Kausal Watch action pages and report what changed."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command("parse")
@click.argument("source", metavar="FILE_OR_URL")
@click.option("--url", help="The page's real URL, when SOURCE is a saved file.")
@common_options
def parse_cmd(source: str, url: str | None, db: str, as_json: bool) -> None:
    """Parse one action page and print its record.

    Exit code 0 for a measure page (also when degraded: the reasons go to
    stderr), 1 when the page is not a measure page.

    \b
    Example:
      vahti parse tests/fixtures/pages/classic_fi_91.html --url https://ilmastovahti.hel.fi/actions/91
    """
    from scraper import parse
    from scraper.source import read_source
    from vahti.render import summary

    body, found_url = read_source(source)
    result = parse(body, url or found_url)
    if as_json:
        click.echo(dump_json(result.to_dict(), indent=2))
    else:
        click.echo(summary(result))
    if result.meta.verdict == "degraded" and as_json:
        click.echo(f"vahti: degraded parse: {'; '.join(result.meta.reasons)}", err=True)
    if result.meta.verdict == "not_a_measure":
        sys.exit(1)


def _store(db: str, *, create: bool = False) -> Store:
    from storage.store import Store

    return Store.open(db, create=create)


def _echo_json(obj: Any) -> None:
    click.echo(dump_json(obj, indent=2))


@cli.command("history")
@click.argument("measure")
@click.option("--site", help="Site base URL, when several sites share the identifier.")
@common_options
def history_cmd(measure: str, site: str | None, db: str, as_json: bool) -> None:
    """The stored versions of one measure, oldest first.

    MEASURE is an identifier (with --site when several sites share it) or a full
    page URL.
    """
    from storage import queries
    from vahti.render import history_table

    store = _store(db)
    with store.reading() as session:
        row = queries.resolve_measure(session, measure, site=site)
        versions = [v.to_dict() for v in queries.history(session, row)]
        url = row.url
    if as_json:
        _echo_json({"measure": url, "versions": versions})
    else:
        click.echo(history_table(url, versions))


@cli.command("show")
@click.argument("measure")
@click.option("--site", help="Site base URL, when several sites share the identifier.")
@click.option("--as-of", "as_of", metavar="DATE",
              help="The record as it stood then: YYYY-MM-DD (the end of that day, UTC), an ISO 8601 "
                   "timestamp (UTC without an offset) or a span back from now (7d, 24h).")
@click.option("--version", "number", type=int, help="A version number instead of a moment.")
@common_options
def show_cmd(measure: str, site: str | None, as_of: str | None, number: int | None, db: str, as_json: bool) -> None:
    """The record of a measure as it stood at a moment (default: now)."""
    from storage import queries
    from vahti.clock import parse_moment
    from vahti.errors import ConfigError as _ConfigError
    from vahti.render import record_lines

    if as_of and number is not None:
        raise _ConfigError("give --as-of or --version, not both")
    store = _store(db)
    with store.reading() as session:
        row = queries.resolve_measure(session, measure, site=site)
        if as_of:
            when = parse_moment(as_of, end_of_day=True)
            found = queries.as_of(session, row, when)
            if found is None:
                first = queries.version(session, row, 1)
                since = f"; its first version was recorded {first.first_seen_at:%Y-%m-%d %H:%M} UTC" if first else ""
                raise queries.MeasureNotFound(f"{row.url} was not yet recorded at {when:%Y-%m-%d %H:%M} UTC{since}")
        else:
            found = queries.version(session, row, number)
            if found is None:
                raise queries.MeasureNotFound(f"{row.url} has no version {number}")
        record = queries.record(found)
        info: dict[str, Any] = {"version": found.number, "first_seen_at": found.first_seen_at.isoformat(),
                "last_seen_at": found.last_seen_at.isoformat(), "verdict": found.verdict}
    if as_json:
        _echo_json({**info, "record": record.to_dict()})
    else:
        click.echo("\n".join(record_lines(record)))
        seen = f"{info['first_seen_at'][:19]} .. {info['last_seen_at'][:19]} UTC"
        click.echo(f"\n[version {info['version']} · seen {seen}"
                   f"{' · DEGRADED' if info['verdict'] != 'ok' else ''}]")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The page's URL (a single page).")
@click.option("--at", "at", metavar="TIMESTAMP", help="When the page was captured (ISO 8601; a single page).")
@click.option("--site", help="Site base URL (default: the URL's scheme and host).")
@common_options
def import_cmd(file: str, url: str | None, at: str | None, site: str | None, db: str, as_json: bool) -> None:
    """Store a saved copy of a page (e.g. from a web archive) as a capture at a given time, or
    every action-page capture of a WARC file (vahti's, Browsertrix's, the Internet Archive's).

    A single page needs --url and --at; exit code 1 when it is not a measure page (it is still
    kept, as evidence). A WARC's captures go in oldest first at their WARC-Date; their events
    are marked backfilled and never sent.
    """
    from pathlib import Path
    from urllib.parse import urlsplit

    from scraper import parse
    from storage.store import FetchInfo
    from vahti.app.ingest import ingest
    from vahti.app.warc_import import import_warc, is_warc
    from vahti.clock import parse_moment

    if is_warc(Path(file)):
        if url or at:
            raise ConfigError("a WARC file carries each capture's URL and time: give no --url or --at")
        summary = import_warc(_store(db, create=True), Path(file), site=site)
        if as_json:
            _echo_json(summary.to_dict())
        else:
            skipped = ", ".join(f"{n} {v}" for v, n in sorted(summary.skipped.items())) or "none"
            click.echo(f"{file}: {summary.records} action-page captures, {summary.versions} new versions; kept as "
                       f"evidence only: {skipped}; {summary.ignored} other records")
        return
    if not url or not at:
        raise ConfigError("give --url and --at for a single page (a WARC file needs neither)")

    body = Path(file).read_bytes()
    result = parse(body, url)
    parts = urlsplit(url)
    store = _store(db, create=True)
    done = ingest(store, site=site or f"{parts.scheme}://{parts.netloc}", url=url,
                  fetch=FetchInfo(requested_at=parse_moment(at), http_status=200), result=result, body=body)
    stored = done.stored
    if as_json:
        _echo_json({"outcome": stored.outcome, "version": stored.version, "verdict": result.meta.verdict,
                    "events": [e.to_dict() for e in done.events]})
    else:
        outcome = stored.outcome.replace("_", " ")
        click.echo(f"{url}: {outcome} (version {stored.version or '-'}, {result.meta.verdict})")
        for event in done.events:
            click.echo(f"  {event.summary}")
    if stored.outcome == "not_a_measure":
        sys.exit(1)


@cli.command("diff")
@click.argument("measure")
@click.option("--site", help="Site base URL, when several sites share the identifier.")
@click.option("--from", "from_v", type=int, metavar="V", help="From version V (default: the one before --to).")
@click.option("--to", "to_v", type=int, metavar="V", help="To version V (default: the latest).")
@common_options
def diff_cmd(measure: str, site: str | None, from_v: int | None, to_v: int | None, db: str, as_json: bool) -> None:
    """Change events between two versions of a measure (default: the last two).

    With --json, a JSON array of event objects (the contract's event shape).
    """
    from diffs.render import event_lines
    from vahti.app.versions import diff_versions
    from storage import queries

    store = _store(db)
    with store.reading() as session:
        found = diff_versions(session, queries.resolve_measure(session, measure, site=site), from_v, to_v)
    if as_json:
        _echo_json([e.to_dict() for e in found.events])
        return
    click.echo(f"{found.url}: version {found.from_version} → {found.to_version}"
               + ("" if found.events else ": no changes"))
    for event in found.events:
        click.echo("\n".join(event_lines(event, with_measure=False)))


@cli.command("changes")
@click.option("--since", metavar="DATE", help="Only events observed from this moment on: YYYY-MM-DD (the "
              "start of that day, UTC), an ISO 8601 timestamp, or a span back from now (7d, 24h).")
@click.option("--until", metavar="DATE", help="Only events observed before this moment (same forms as --since).")
@click.option("--kind", "kinds", multiple=True, metavar="K",
              help="Only these kinds (repeatable; 'task.*' for a family).")
@click.option("--site", help="Only this site.")
@click.option("--measure", help="Only this measure (identifier or URL).")
@click.option("--limit", type=int, help="At most this many: the newest ones with --reverse, else the oldest.")
@click.option("--reverse", is_flag=True, help="Newest first.")
@common_options
def changes_cmd(since: str | None, until: str | None, kinds: tuple[str, ...], site: str | None, measure: str | None,
                limit: int | None, reverse: bool, db: str, as_json: bool) -> None:
    """The change feed: stored events, oldest first (newest first with --reverse).

    With --json, JSON Lines: one event object per line (the contract's event
    shape, plus "url", "id" and any of "touched_only", "silent_edit", "flap").
    """
    from diffs.render import event_lines
    from storage import queries
    from vahti.clock import parse_moment
    from vahti.config import kind_matches
    from vahti.events import KINDS

    for k in kinds:
        if not any(kind_matches(k, x) for x in KINDS):
            raise ConfigError(f"unknown event kind {k!r} (known: {', '.join(KINDS)})")
    store = _store(db)
    with store.reading() as session:
        row = queries.resolve_measure(session, measure, site=site) if measure else None
        events = queries.events(session, since=parse_moment(since) if since else None,
                                until=parse_moment(until) if until else None, kinds=kinds, site=site, measure=row,
                                limit=limit, newest_first=reverse)
    if as_json:
        for event in events:
            click.echo(dump_json(event.to_dict()))
        return
    if not events:
        window = " ".join(x for x in (f"since {since}" if since else "", f"until {until}" if until else "") if x)
        click.echo(f"no changes stored{' ' + window if window else ''}"
                   f"{' of that kind' if kinds else ''} (a crawl stores them: `vahti crawl --site URL`)", err=True)
    for event in events:
        click.echo("\n".join(event_lines(event)))


@cli.command("reparse")
@click.option("--measure", help="Only this measure (identifier or URL).")
@click.option("--site", help="Site base URL, with --measure.")
@click.option("--since", metavar="DATE", help="Only re-derive versions first seen from this date on.")
@common_options
def reparse_cmd(measure: str | None, site: str | None, since: str | None, db: str, as_json: bool) -> None:
    """Re-derive stored versions from the raw pages with the current parser.

    Raw bodies are never deleted; a measure's versions are rebuilt (in one
    transaction) only when the current parser reads its history differently.
    """
    from vahti.app.reparse import reparse
    from vahti.clock import parse_moment

    store = _store(db)
    report = reparse(store, measure=measure, site=site, since=parse_moment(since) if since else None,
                     progress=None if as_json else lambda line: click.echo(line, err=True))
    if as_json:
        _echo_json(report.to_dict())
    else:
        click.echo(f"{len(report.measures)} measures, {report.bodies} bodies parsed, "
                   f"{len(report.changed)} measures with changed versions")
        for m in report.changed:
            click.echo(f"  {m.url}: {m.before} → {m.after} versions; events: {m.events_removed} withdrawn, "
                       f"{m.events_added} new")


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "warc"]),
              help="JSON Lines or CSV (a table), or WARC (every capture with its body; needs --out).")
@click.option("--table", type=click.Choice(["versions", "tasks", "contacts"]), default="versions", show_default=True,
              help="versions (with records), or task / contact history (valid from .. until).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--site", help="WARC: only this site's captures.")
@click.option("--since", metavar="DATE", help="WARC: only captures from this day (UTC) or moment on.")
@common_options
def export_cmd(fmt: str | None, table: str, out: str | None, site: str | None, since: str | None, db: str,
               as_json: bool) -> None:
    """Export versions, tasks or contacts for analysis (JSON Lines or CSV; --json is --format jsonl),
    or every stored capture as a WARC 1.1 file (--format warc --out FILE.warc.gz)."""
    from storage.export import write

    if fmt == "warc":
        from storage.warc import write_warc
        from vahti.clock import parse_moment

        if not out or as_json:
            raise ConfigError("--format warc writes a file: give --out FILE.warc.gz (and no --json)")
        with _store(db).reading() as session, open(out, "wb") as fh:
            n = write_warc(session, fh, site=site, since=parse_moment(since) if since else None)
        click.echo(f"{n} captures written to {out} (WARC 1.1, gzip)", err=True)
        return
    if site or since:
        raise ConfigError("--site and --since apply to --format warc")
    if as_json and fmt == "csv":
        raise ConfigError("--json and --format csv contradict each other")
    fmt = "jsonl" if as_json else fmt
    if fmt is None:
        raise ConfigError("give --format jsonl or --format csv")
    which = cast("Table", table)
    form: Literal["jsonl", "csv"] = "jsonl" if fmt == "jsonl" else "csv"
    store = _store(db)
    with store.reading() as session:
        if out:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                n = write(session, which, form, fh)
            click.echo(f"{n} {table} rows written to {out}", err=True)
        else:
            write(session, which, form, sys.stdout)


@cli.command("crawl")
@click.option("--site", "sites", multiple=True, metavar="URL", help="Crawl this site (repeatable); default: all "
              "sites in the configuration.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file "
              "(default ./vahti.toml if present).")
@click.option("--rate", type=float, help="Requests per second to each host (overrides the configuration).")
@common_options
def crawl_cmd(sites: tuple[str, ...], config_path: str | None, rate: float | None, db: str, as_json: bool) -> None:
    """One pass over the configured sites: discover, fetch, parse, store.

    Exit code 0 when every page was read; 1 when some could not be fetched or
    stored (each failure is recorded in the database and listed here).
    """
    from vahti.config import load
    from vahti.logs import setup
    from vahti.app.runner import run_site

    setup("text", level=logging.WARNING)
    cfg = _sites_to_crawl(load(config_path, db=db if db != DEFAULT_DB else None, sites=sites, rate=rate), "crawl")
    store = _synced_store(cfg)  # subscriptions first: this crawl's events are queued for them
    progress = _progress_printer() if not as_json and sys.stderr.isatty() else None
    stop = _stop_on_signals()
    runs = []
    for site in cfg.sites:
        if stop.is_set():
            break
        runs.append(run_site(site, store, progress=progress, stop=stop))
    if progress is not None:
        click.echo("", err=True)
    summaries = [r.summary for r in runs if r.summary is not None]
    for r in runs:
        if r.summary is None:
            click.echo(f"vahti: {r.site}: {r.status}: {r.error}", err=True)
    if as_json:
        _echo_json([{**s.to_dict(), "status": r.status} for r, s in zip(runs, summaries)])
    else:
        for s in summaries:
            if s.problem and not s.pages:  # nothing was checked: no counts to give
                click.echo(f"{s.site}: FAILED: {s.problem}")
                continue
            if s.problem:
                click.echo(f"{s.site}: FAILED: {s.problem}")
            t = s.totals()
            click.echo(f"{s.site}: {t['seen']} measures seen, {t['fetched']} fetched, {t['not_modified']} unchanged "
                       f"(304), {t['unchanged']} unchanged (same record), {t['new_versions']} new versions, "
                       f"{t['degraded']} degraded, {t['missing']} missing, {t['failed']} failed")
            for note in (s.robots, *s.discovery):
                click.echo(f"  {note}")
            for p in s.pages:
                if p.outcome in ("error", "disallowed") or p.lifecycle in ("removed", "restored"):
                    click.echo(f"  {p.outcome if not p.lifecycle else p.lifecycle}: {p.url}"
                               + (f" ({p.error})" if p.error else ""))
    if stop.is_set():
        click.echo("vahti: stopped on a signal: the pages in hand were finished, the crawl is recorded as "
                   "interrupted", err=True)
    elif cfg.report.out and summaries:  # [report] out: the web report follows the archive, as under `vahti run`
        from vahti.app.report import build_configured

        built = build_configured(store, cfg.report)
        click.echo(f"vahti: report rebuilt: {built.stats.pages} pages in {cfg.report.out}", err=True)
    if stop.is_set() or any(r.status in ("failed", "partial") for r in runs):
        sys.exit(1)


def _sites_to_crawl(cfg: Any, verb: str) -> Any:
    """The configuration (its warnings shown) with sites to ``verb``: those named, else the sites
    `vahti sites add` stored; none at all is a configuration error."""
    from dataclasses import replace

    from storage.engine import missing_sqlite_file
    from vahti.app.sites import watched

    for warning in cfg.warnings:
        click.echo(f"vahti: warning: {warning}", err=True)
    if not cfg.sites and not missing_sqlite_file(cfg.database):  # no database yet: nothing stored
        cfg = replace(cfg, sites=tuple(watched(_store(cfg.database))))
    if not cfg.sites:
        raise ConfigError(f"no sites to {verb}: give --site URL, add one with `vahti sites add URL`, or use a "
                          "configuration file with [[site]] tables")
    return cfg


def _stop_on_signals() -> threading.Event:
    """SIGTERM and SIGINT set the returned event: a crawl then stops within seconds, cleanly."""
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _progress_printer() -> Callable[[Any], None]:
    counter = [0]

    def show(state: Any) -> None:
        counter[0] += 1
        click.echo(f"\r  {counter[0]:>5} pages · {state.outcome:<13} {state.url[-60:]:<60}", nl=False, err=True)

    return show


@cli.command("demo")
@click.option("--dir", "folder", type=click.Path(file_okay=False), help="Keep the demo database and report "
              "here (default: a new temporary folder).")
@click.option("--serve", is_flag=True, help="Then serve the report on 127.0.0.1 until Ctrl-C.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="The port for --serve (default: a free one).")
@common_options
def demo_cmd(folder: str | None, serve: bool, port: int, db: str, as_json: bool) -> None:
    """Offline demonstration: crawl the bundled sample site on three days, show what changed, and build
    the web report of it.

    Starts the sample site on a free 127.0.0.1 port, crawls day 1, 2 and 3 into a
    fresh SQLite file (its path is printed; --db is not used), prints each day's
    events and the commands to try next, then the path of the report's index.html.
    """
    from pathlib import Path

    from vahti.app.demo import run_demo

    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    path, index = run_demo(click.echo, folder=Path(folder) if folder else None)
    if as_json:
        _echo_json({"database": str(path), "report": str(index.resolve())})
    if serve:
        from vahti.app.report import serve as serve_report

        serve_report(index.parent, port=port, ready=lambda url: click.echo(
            f"Serving the report at {url} (Ctrl-C to stop)", err=as_json))


def _load_config(config_path: str | None, db: str) -> Any:
    from vahti.config import load

    cfg = load(config_path, db=db if db != DEFAULT_DB else None)
    for warning in cfg.warnings:
        click.echo(f"vahti: warning: {warning}", err=True)
    return cfg


def _synced_store(cfg: Any, *, create: bool = True) -> Store:
    """The store, with the configuration file's subscriptions synced into it."""
    from storage.subscriptions import sync_config
    from vahti.clock import utcnow

    store = _store(cfg.database, create=create)
    with store.transaction() as session:
        sync_config(session, cfg.subscriptions, utcnow())
    return store


@cli.command("subscribe")
@click.argument("name")
@click.option("--email", help="Send e-mail to this address.")
@click.option("--webhook", help="POST signed JSON to this http(s) URL.")
@click.option("--atom", type=click.Path(dir_okay=False), help="Keep this Atom feed file current.")
@click.option("--apprise", "apprise_urls", multiple=True, metavar="URL",
              help="Chat through Apprise: slack://…, msteams://…, tgram://…, ntfy://… (repeatable), or env:VAR "
                   "naming an environment variable that holds one (keeps the secret out of the database). "
                   "Needs vahti[chat].")
@click.option("--daily", "daily", is_flag=True, help="One digest a day instead of a message per crawl.")
@click.option("--digest-hour", type=click.IntRange(0, 23), default=7, show_default=True, help="UTC hour of the digest.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--measure", "measures", multiple=True, help="Only this measure: identifier or URL (repeatable).")
@click.option("--category", "categories", multiple=True, help="Only measures in this category (repeatable).")
@click.option("--kind", "kinds", multiple=True, help="Only these event kinds, e.g. task.completed or 'task.*'.")
@click.option("--text", help="Only events whose subject or summary contains this text.")
@click.option("--no-flaps", is_flag=True, help="Leave out changes flagged as flaps.")
@click.option("--secret-env", help="Webhook: the environment variable holding the HMAC secret.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@click.option("--replace", is_flag=True, help="Change an existing subscription of this name.")
@common_options
def subscribe_cmd(name: str, email: str | None, webhook: str | None, atom: str | None,
                  apprise_urls: tuple[str, ...], daily: bool,
                  digest_hour: int, sites: tuple[str, ...], measures: tuple[str, ...], categories: tuple[str, ...],
                  kinds: tuple[str, ...], text: str | None, no_flaps: bool, secret_env: str | None,
                  config_path: str | None, replace: bool, db: str,
                  as_json: bool) -> None:
    """Add a subscription: which events go where, immediately or as a daily digest."""
    from storage.subscriptions import describe, upsert
    from vahti.clock import utcnow
    from vahti.config import SubscriptionConfig

    data: dict[str, Any] = {"name": name, "mode": "daily" if daily else "immediate", "digest_hour": digest_hour,
                            "sites": list(sites), "measures": list(measures), "categories": list(categories),
                            "kinds": list(kinds), "include_flaps": not no_flaps}
    for key, value in (("email", email), ("webhook", webhook), ("atom", atom), ("text", text),
                       ("secret_env", secret_env)):
        if value:
            data[key] = value
    if apprise_urls:
        data["apprise"] = list(apprise_urls)
    sub = SubscriptionConfig.from_dict(data, where="subscribe")
    cfg = _load_config(config_path, db)
    store = _synced_store(cfg)
    with store.transaction() as session:
        row = upsert(session, sub, source="cli", now=utcnow(), replace=replace)
        shown = describe(row)
    if as_json:
        _echo_json(shown)
    else:
        click.echo(f"subscribed {name}: {shown['channel']} {shown['target']} ({shown['mode']})")


@cli.command("unsubscribe")
@click.argument("name")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@common_options
def unsubscribe_cmd(name: str, config_path: str | None, db: str, as_json: bool) -> None:
    """Stop a subscription made with `vahti subscribe` (queued messages are dropped with it)."""
    from storage.subscriptions import remove

    cfg = _load_config(config_path, db)
    store = _synced_store(cfg, create=False)
    with store.transaction() as session:
        remove(session, name)
    if as_json:
        _echo_json({"unsubscribed": name})
    else:
        click.echo(f"unsubscribed {name}")


@cli.command("subscriptions")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@common_options
def subscriptions_cmd(config_path: str | None, db: str, as_json: bool) -> None:
    """List the active subscriptions (from the configuration file and `vahti subscribe`)."""
    from sqlalchemy import select

    from storage.subscriptions import describe
    from storage.models import Subscription

    cfg = _load_config(config_path, db)
    store = _synced_store(cfg, create=False)
    with store.reading() as session:
        subs = [describe(s) for s in session.scalars(select(Subscription).where(Subscription.active.is_(True))
                                                      .order_by(Subscription.name))]
    if as_json:
        _echo_json(subs)
        return
    if not subs:
        click.echo("no subscriptions", err=True)
    for s in subs:
        filters = "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in s["filters"].items())
        click.echo(f"{s['name']:<20} {s['channel']:<8} {s['target']:<40} {s['mode']:<9} {filters or 'all events'}"
                   f"{'' if s['include_flaps'] else ' (no flaps)'}  [{s['source']}]")


@cli.command("deliver")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@common_options
def deliver_cmd(config_path: str | None, db: str, as_json: bool) -> None:
    """Send the alerts that are due (what `vahti run` does after each crawl).

    Exit code 1 when a message failed for good (it stays visible in `vahti deliveries`).
    """
    from vahti.app.delivery import delivery_round

    cfg = _load_config(config_path, db)
    store = _synced_store(cfg)
    report = delivery_round(store, cfg)
    if as_json:
        _echo_json(report.to_dict())
    else:
        click.echo(f"{len(report.sent)} sent, {len(report.retrying)} to retry, {len(report.failed)} failed")
        for key, error in report.retrying + report.failed:
            click.echo(f"  {key}: {error}")
        for sub, reason in report.skipped:
            click.echo(f"  {sub}: waiting ({reason})")
    if report.failed:
        sys.exit(1)


@cli.command("deliveries")
@click.option("--status", type=click.Choice(["pending", "failed", "sent", "all"]), default="all", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True)
@common_options
def deliveries_cmd(status: str, limit: int, db: str, as_json: bool) -> None:
    """The outbox: messages pending, failed or sent, newest first, and what is still queued."""
    from storage.outbox import outbox

    store = _store(db)
    with store.reading() as session:
        view = outbox(session, status=status, limit=limit)
    rows, queued = view.messages, view.queued
    if as_json:
        _echo_json({"messages": rows, "queued": queued})
        return
    if not rows and not queued:
        click.echo("no messages and nothing queued (events are queued for subscriptions: `vahti subscribe`)",
                   err=True)
    for name, n in sorted(queued.items()):
        click.echo(f"queued   {name}: {n} event(s) waiting for the next message")
    for r in rows:
        extra = f" — {r['last_error']}" if r["last_error"] else ""
        click.echo(f"{r['status']:<8} {r['subscription']}: {r['events']} event(s), {r['attempts']} attempt(s), "
                   f"{r['key']}{extra}")


@cli.command("example")
@click.argument("what", type=click.Choice(["config", "datasette"]))
@common_options
def example_cmd(what: str, db: str, as_json: bool) -> None:
    """Print a file that ships with vahti: an example vahti.toml (config) or Datasette's metadata with
    the canned queries (datasette), e.g. `vahti example config > vahti.toml`."""
    from importlib.resources import files

    if as_json:
        raise ConfigError("the file is printed as it ships (TOML or YAML); there is no JSON form")
    name = {"config": "vahti.example.toml", "datasette": "datasette-metadata.yml"}[what]
    click.echo(files("vahti").joinpath("data", name).read_text(encoding="utf-8"), nl=False)


@cli.command("report")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Write the site into this folder "
              "(made if missing; pages are replaced, evidence files kept).")
@click.option("--site", help="Only this site.")
@click.option("--base-url", metavar="URL", help="Where the folder will be published: the Atom feed's links "
              "become absolute there.")
@click.option("--stale-months", type=click.IntRange(min=1), default=12, show_default=True,
              help="List measures whose “updated” date is older than this.")
@click.option("--gap-hours", type=click.FloatRange(min=0, min_open=True), default=48.0, show_default=True,
              help="Longer than this without a check is marked as a gap.")
@click.option("--evidence", type=click.Choice(["all", "latest", "none"]), default="all", show_default=True,
              help="Pages as captured to include: every version's and failure's, the current ones, or none.")
@common_options
def report_cmd(out: str, site: str | None, base_url: str | None, stale_months: int, gap_hours: float,
               evidence: str, db: str, as_json: bool) -> None:
    """Build the web report: a static site of the archive (plan overviews with charts, each measure's
    timeline, diffs and tasks over time, all changes with an Atom feed) that opens from disk or any web
    server, and loads nothing from elsewhere."""
    from pathlib import Path

    from vahti.app.report import build_report
    from vahti.config import EvidenceMode, _base_url

    if base_url:
        base_url = _base_url(base_url, "--base-url")
    store = _store(db)
    result = build_report(store, Path(out), site=site, base_url=base_url, stale_months=stale_months,
                          gap_hours=gap_hours, evidence=cast(EvidenceMode, evidence))
    if as_json:
        _echo_json({"index": str(result.index.resolve()), "sites": result.sites, "measures": result.measures,
                    "events": result.events, "pages": result.stats.pages, "bytes": result.stats.bytes,
                    "evidence_written": result.stats.evidence_written})
        return
    click.echo(f"{result.stats.pages} pages for {result.measures} measures of {result.sites} site(s), "
               f"{result.events} events; {result.stats.evidence_written} captured pages added as evidence.")
    click.echo(str(result.index.resolve()))


@cli.command("feed")
@click.option("--site", help="Only this site.")
@click.option("--measure", help="Only this measure (identifier or URL).")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeatable; 'task.*' for a family).")
@click.option("--limit", type=int, default=200, show_default=True, help="The newest this many events.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the feed here (default: stdout).")
@click.option("--base-url", metavar="URL", help="Where the web report is published: entries link to the "
              "measure's page there too.")
@common_options
def feed_cmd(site: str | None, measure: str | None, kinds: tuple[str, ...], limit: int, out: str | None,
             base_url: str | None, db: str, as_json: bool) -> None:
    """An Atom 1.0 feed of the stored change events (stable entry ids; links to the pages, and to the web
    report's pages with --base-url)."""
    from pathlib import Path

    from diffs.alerts.atom import feed_xml, tag, write_atomically
    from storage import queries

    if as_json:
        raise ConfigError("the feed is Atom XML; the same events as JSON: `vahti changes --json`")
    store = _store(db)
    with store.reading() as session:
        row = queries.resolve_measure(session, measure, site=site) if measure else None
        events = queries.events(session, kinds=kinds, site=site, measure=row, limit=limit, newest_first=True)[::-1]
    what = " ".join(x for x in (site or "", measure or "", " ".join(kinds)) if x) or "all changes"
    if base_url:
        from vahti.config import _base_url

        base_url = _base_url(base_url, "--base-url")
    data = feed_xml(events, title=f"vahti: {what}", feed_id=tag("feed", what), report_url=base_url)
    if out:
        write_atomically(Path(out), data)
        click.echo(f"{len(events)} entries written to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@cli.command("run")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file "
              "(default ./vahti.toml if present).")
@click.option("--site", "sites", multiple=True, metavar="URL", help="Only this site (repeatable), or one with "
              "the defaults when not configured.")
@click.option("--every", metavar="INTERVAL", help="Crawl interval for the sites (30s, 15m, 6h, 1d).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Log lines as text, or as JSON objects for log collectors.")
@common_options
def run_cmd(config_path: str | None, sites: tuple[str, ...], every: str | None, log_format: str, db: str,
            as_json: bool) -> None:
    """The scheduler daemon: crawls each site on its schedule and sends alerts, until stopped.

    Runs missed while it was down are made up once at start. SIGTERM or SIGINT
    stops it after the pages in flight are stored (exit code 0). See
    docs/operations.md for systemd, cron and PostgreSQL.
    """
    import scheduler
    from vahti.config import load
    from vahti.logs import setup

    setup("json" if (log_format == "json" or as_json) else "text")
    cfg = _sites_to_crawl(load(config_path, db=db if db != DEFAULT_DB else None, sites=sites, every=every), "watch")
    for site in cfg.sites:
        scheduler.trigger_for(site)  # a bad cron line is a configuration error now, not at 3 a.m.
    store = _synced_store(cfg)
    sys.exit(scheduler.run(cfg, store))


@cli.command("status")
@click.option("--stale-days", type=int, default=180, show_default=True,
              help="A measure whose \"updated\" day is older than this is stale.")
@common_options
def status_cmd(stale_days: int, db: str, as_json: bool) -> None:
    """Last and next crawls, failures, queued and failed alerts, stale measures."""
    import datetime as _dt

    from vahti.app.status import render, status

    store = _store(db)
    report = status(store, stale_after=_dt.timedelta(days=stale_days))
    if as_json:
        _echo_json(report)
    else:
        click.echo(render(report, stale_days=stale_days))


@cli.command("backfill")
@click.option("--site", "site_url", required=True, metavar="URL", help="The site's base URL (as for crawl).")
@click.option("--from", "since", metavar="DATE", help="Captures from this day (UTC) or moment on.")
@click.option("--to", "until", metavar="DATE", help="Captures up to the end of this day (UTC) or this moment.")
@click.option("--archive", default="https://web.archive.org", show_default=True,
              help="A web archive with a CDX API and id_ replay.")
@click.option("--rate", type=float, default=1.0, show_default=True, help="Requests per second to the archive.")
@click.option("--retries", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Retries of a failed archive request (429 and 5xx wait as Retry-After says).")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Configuration file.")
@common_options
def backfill_cmd(site_url: str, since: str | None, until: str | None, archive: str, rate: float, retries: int,
                 config_path: str | None, db: str, as_json: bool) -> None:
    """Build a site's past from a web archive's captures, in time order, with no alerts.

    Lists the archive's captures of the site's action pages (CDX API), fetches each distinct
    body once (politely, from the archive only) and stores them at their capture times. Events
    are marked backfilled and never sent. Captures that are not measure pages (empty shells,
    soft 404s, challenge pages) are kept as evidence, never as versions. A second run fetches
    only what is missing. Exit code 1 when some captures could not be fetched.
    """
    from vahti.app.backfill import backfill
    from vahti.app.sites import watched
    from vahti.clock import parse_moment
    from vahti.config import SiteConfig, load

    cfg = load(config_path, db=db if db != DEFAULT_DB else None)
    store = _store(cfg.database, create=True)
    named = SiteConfig(url=site_url)  # languages and base path: the configuration's, the stored site's, or fi
    site = cfg.site(site_url) or {s.url: s for s in watched(store)}.get(named.url) or named
    progress = None
    if not as_json and sys.stderr.isatty():
        def progress(n: int, total: int) -> None:
            click.echo(f"\r  {n}/{total} captures", nl=False, err=True)
    summary = backfill(site, store, archive=archive, rate=rate, retries=retries, progress=progress,
                       since=parse_moment(since) if since else None,
                       until=parse_moment(until, end_of_day=True) if until else None)
    if progress is not None:
        click.echo("", err=True)
    if as_json:
        _echo_json(summary.to_dict())
    else:
        skipped = ", ".join(f"{n} {verdict}" for verdict, n in sorted(summary.skipped.items())) or "none"
        click.echo(f"{summary.site}: {summary.found} captures found, {summary.already} already stored, "
                   f"{summary.fetched} fetched, {summary.reused} same as another, {summary.versions} new versions; "
                   f"kept as evidence only: {skipped}")
        for failure in summary.failed:
            click.echo(f"  failed: {one_line(failure)}")  # archive answers are page-controlled text
    if summary.failed:
        sys.exit(1)


@cli.group("sites")
def sites_group() -> None:
    """The sites vahti watches: add (detected from the site itself), list (with health), remove."""


@sites_group.command("add")
@click.argument("url")
@click.option("--every", help="Crawl interval, e.g. 6h, 1d (default 6h).")
@click.option("--cron", help="Crawl on a cron schedule instead, e.g. '0 5 * * *' (UTC).")
@click.option("--rate", type=float, help="Requests per second to the host (default 1).")
@click.option("--name", help="How alerts call the site (default: the plan's name).")
@click.option("--language", "languages", multiple=True, help="Crawl these languages (repeatable; default: the "
              "plan's primary and other languages, as the site says).")
@click.option("--contact", help="Your e-mail or URL for the User-Agent while detecting.")
@common_options
def sites_add_cmd(url: str, every: str | None, cron: str | None, rate: float | None, name: str | None,
                  languages: tuple[str, ...], contact: str | None, db: str, as_json: bool) -> None:
    """Detect the Kausal Watch plan at URL and watch it.

    URL is the plan's address (https://ilmastovahti.hel.fi, https://host/klima) or any of its
    action pages. vahti reads the site (politely: robots.txt, one request a second) and stores
    the plan's name, languages, base path and markup generation; `vahti crawl` with no --site
    then crawls it.
    """
    from vahti.app.sites import add
    from vahti.text import one_line

    if every and cron:
        raise ConfigError("give --every or --cron, not both")
    found, config, new = add(_store(db, create=True), url, every=every, cron=cron, rate=rate, name=name,
                             languages=tuple(x.lower() for x in languages), contact=contact)
    if as_json:
        _echo_json({**found.to_dict(), "watched": True, "new": new, "every": config.every, "cron": config.cron,
                    "rate": config.rate, "languages": list(config.languages)})
        return
    click.echo(f"{'watching' if new else 'updated'} {config.url}")
    click.echo(f"  plan        {one_line(found.plan_name or '(not said)')}"
               + (f" ({one_line(found.plan_identifier)})" if found.plan_identifier else ""))
    click.echo(f"  languages   {', '.join(config.languages)} (primary {config.languages[0]})")
    click.echo(f"  base path   {found.base_path or '/'}")
    click.echo(f"  generation  {found.generation}")
    click.echo(f"  schedule    {('cron ' + config.cron) if config.cron else 'every ' + str(config.every)}, "
               f"{config.rate:g} requests/s")
    click.echo("next: vahti crawl   (crawls every watched site)")


@sites_group.command("list")
@click.option("--all", "include_unwatched", is_flag=True, help="Also sites no longer watched (their history is kept).")
@common_options
def sites_list_cmd(include_unwatched: bool, db: str, as_json: bool) -> None:
    """Watched sites with their health: last crawl, how it ended, failures in a row."""
    from storage.sites import health
    from vahti.text import one_line

    with _store(db).reading() as session:
        rows = health(session, include_unwatched=include_unwatched)
    if as_json:
        _echo_json([r.to_dict() for r in rows])
        return
    if not rows:
        click.echo("no watched sites (add one: vahti sites add https://ilmastovahti.hel.fi)", err=True)
        return
    for r in rows:
        when = f"{r.last_crawl_at:%Y-%m-%d %H:%M} UTC {r.last_status}" if r.last_crawl_at else "never crawled"
        trouble = f", {r.failed_in_a_row} failed in a row" if r.failed_in_a_row else ""
        down = f", unreachable since {r.unreachable_since:%Y-%m-%d %H:%M} UTC" if r.unreachable_since else ""
        schedule = r.settings.get("cron") or f"every {r.settings.get('every') or '6h'}"
        state = "" if r.watched else " (not watched; history kept)"
        click.echo(f"{r.url}{state}")
        click.echo(f"  {one_line(r.plan_name or '-')} · {', '.join(r.settings.get('languages') or ['?'])} · "
                   f"{r.generation or '?'} · {schedule}")
        click.echo(f"  {r.measures} measures · last crawl {when}{trouble}{down}")


@sites_group.command("remove")
@click.argument("url")
@common_options
def sites_remove_cmd(url: str, db: str, as_json: bool) -> None:
    """Stop watching URL. Its measures, versions and events stay in the archive."""
    from storage.sites import unwatch

    with _store(db).transaction() as session:
        try:
            was, kept = unwatch(session, url)
        except KeyError:
            raise ConfigError(f"no stored site {url!r} (see: vahti sites list --all)") from None
    if as_json:
        _echo_json({"url": url, "was_watched": was, "measures_kept": kept})
    else:
        click.echo(f"{'no longer watching' if was else 'was not watched:'} {url}; "
                   f"{kept} measures and their history kept")


@cli.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@common_options
def db_upgrade_cmd(db: str, as_json: bool) -> None:
    """Apply pending schema migrations (creates the schema in an empty database)."""
    from storage.engine import make_engine
    from storage.migrate import head_revision, upgrade

    before, after = upgrade(make_engine(db))
    if as_json:
        _echo_json({"before": before, "after": after, "head": head_revision()})
    elif before == after:
        click.echo(f"schema already current ({after})")
    else:
        click.echo(f"schema upgraded: {before or 'empty'} → {after}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning vahti's errors into one line and an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(os.environ.get("VAHTI_DEBUG"))
    keep_heap_slack()
    try:
        cli.main(args=argv, prog_name="vahti", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("vahti: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except VahtiError as exc:
        if debug:
            raise
        click.echo(f"vahti: {one_line(' '.join(str(exc).split()))}", err=True)  # one line, whatever it said
        sys.exit(2 if isinstance(exc, ConfigError) else 1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if debug:
            raise
        click.echo(f"vahti: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
