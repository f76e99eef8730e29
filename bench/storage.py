"""Storage costs: bytes per check, and query times over a long generated history.

    python bench/storage.py [--measures 150] [--days 1095] [--change-rate 0.02] [--db PATH_OR_URL]

1. Bytes added to a SQLite file (after a WAL checkpoint) by an unchanged re-check
   and by a changed version, averaged over many, for fixture pages (and the real
   renders in ../shared/real-pages when present). Targets: an unchanged re-check
   adds at most 200 bytes; a changed version at most 30 % of the raw page's size.
2. A generated history (150 measures x 3 years of daily checks, ~2 % of measures
   changing a day), then the time of an as-of query over all measures and of a
   task-history query. Target: the as-of query under 100 ms on SQLite.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from scraper import parse  # noqa: E402
from vahti.app.ingest import ingest  # noqa: E402
from storage import queries  # noqa: E402
from storage.store import FetchInfo, Store, store_in  # noqa: E402
from vahti.record import ParseResult  # noqa: E402

SITE = "https://ilmastovahti.hel.fi"
T0 = dt.datetime(2022, 1, 1, 5, 0, tzinfo=dt.timezone.utc)


def _size(db: Path, store: Store) -> int:
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return db.stat().st_size


def _changed(result: ParseResult, i: int) -> ParseResult:
    """Version i of a page: the "updated" day moves and one task's comment is edited."""
    assert result.record is not None
    tasks = list(result.record.tasks)
    if tasks:
        k = i % len(tasks)
        tasks[k] = dataclasses.replace(tasks[k], comment=f"{tasks[k].comment or ''} Päivitys {i}.")
    rec = dataclasses.replace(result.record, tasks=tuple(tasks),
                              updated_on=(T0 + dt.timedelta(days=i)).date())
    return dataclasses.replace(result, record=rec)


def _noisy(body: bytes, i: int) -> bytes:
    """A fresh response of the same page: a per-request trace id and date line differ."""
    return body.replace(b"</body>", f"<!-- trace {i:032x} -->".encode() + b"</body>", 1)


def bytes_per_check(pages: list[tuple[str, bytes, str]], n: int) -> None:
    print("1. bytes added to the SQLite file")
    print(f"   {'page':<34} {'raw KiB':>8} {'unchanged':>10} {'changed':>9} {'changed/raw':>12}")
    worst_unchanged, worst_ratio = 0.0, 0.0
    for name, body, url in pages:
        result = parse(body, url)
        if result.record is None:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            store = Store.open(str(db))
            ingest(store, site=SITE, url=url, fetch=FetchInfo(T0, 200), result=result, body=body)
            start = _size(db, store)
            # SQLite grows in 4 KiB pages: average over many checks to see a few bytes each.
            for i in range(4 * n):
                ingest(store, site=SITE, url=url, fetch=FetchInfo(T0 + dt.timedelta(hours=i + 1), 200, etag=f'"{i}"',
                                                                 duration_ms=120), result=result, body=_noisy(body, i))
            unchanged = (_size(db, store) - start) / (4 * n)
            start = _size(db, store)
            for i in range(n):
                ingest(store, site=SITE, url=url, fetch=FetchInfo(T0 + dt.timedelta(days=i + 1), 200),
                            result=_changed(result, i + 1), body=_noisy(body, 10_000 + i))
            changed = (_size(db, store) - start) / n
            store.close()
        ratio = changed / len(body)
        worst_unchanged, worst_ratio = max(worst_unchanged, unchanged), max(worst_ratio, ratio)
        print(f"   {name:<34} {len(body) / 1024:>8.1f} {unchanged:>10.0f} {changed:>9.0f} {ratio:>12.1%}")
    print(f"   unchanged re-check: {worst_unchanged:.0f} B at most (target <= 200: "
          f"{'met' if worst_unchanged <= 200 else 'NOT met'}); changed version: {worst_ratio:.1%} of the page at most "
          f"(target <= 30%: {'met' if worst_ratio <= 0.30 else 'NOT met'})")


def history(db_arg: str | None, measures: int, days: int, rate: float, seed: int) -> None:
    rnd = random.Random(seed)
    tmp = tempfile.TemporaryDirectory()
    db = db_arg or str(Path(tmp.name) / "history.db")
    store = Store.open(db)
    bodies = [(p.read_bytes(), p.stem) for p in sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))]
    templates = [r for r in (parse(b, "https://ilmastovahti.hel.fi/actions/1") for b, _ in bodies)
                 if r.record is not None and r.meta.verdict == "ok"]
    pages = []
    for m in range(measures):
        base = templates[m % len(templates)]
        assert base.record is not None
        url = f"{SITE}/actions/{m + 1}"
        rec = dataclasses.replace(base.record, identifier=str(m + 1), url=url)
        pages.append([url, dataclasses.replace(base, record=rec), bodies[m % len(bodies)][0], 0])
    started = time.perf_counter()
    versions = 0
    for d in range(days):
        when = T0 + dt.timedelta(days=d)
        with store.transaction() as session:
            for page in pages:
                url, result, body, edits = page
                if d > 0 and rnd.random() < rate:
                    page[3] = edits = edits + 1
                    page[1] = result = _changed(result, edits)
                    body = _noisy(body, d)
                stored = store_in(session, site=SITE, url=url, result=result, body=body if d == 0 or edits else None,
                                  fetch=FetchInfo(when + dt.timedelta(seconds=rnd.randint(0, 3600)), 200))
                versions += stored.outcome == "new_version"
        if d % 100 == 0:
            print(f"   … day {d}/{days}", file=sys.stderr, flush=True)
    build = time.perf_counter() - started
    checks = measures * days
    print(f"2. generated history: {measures} measures x {days} days = {checks} checks, {versions} versions "
          f"({build:.0f} s to build, {1000 * build / checks:.2f} ms per stored check)")
    if db.endswith(".db"):
        print(f"   database size: {Path(db).stat().st_size / 1e6:.1f} MB")

    def timed(fn, repeat: int = 15) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    moments = [T0 + dt.timedelta(days=rnd.uniform(0, days)) for _ in range(20)]
    with store.reading() as session:
        counter = iter(range(10**9))
        as_of_ms = timed(lambda: queries.all_as_of(session, moments[next(counter) % len(moments)]))
        n = len(queries.all_as_of(session, moments[0]))
        one = f"{SITE}/actions/{measures // 2}"
        task_ms = timed(lambda: session.execute(
            text("SELECT name, state, from_version, valid_from, valid_until FROM task_history WHERE url = :u "
                 "ORDER BY task_key, from_version"), {"u": one}).all())
        all_tasks_ms = timed(lambda: session.execute(
            text("SELECT count(*), sum(CASE WHEN state = 'completed' THEN 1 ELSE 0 END) FROM task_history")).all(),
            repeat=5)
        latest_ms = timed(lambda: session.execute(text("SELECT * FROM latest_records")).all(), repeat=5)
    backend = store.engine.dialect.name
    print(f"   as-of query over all measures ({n} records): {as_of_ms:.1f} ms median on {backend} "
          f"(target < 100 ms on SQLite: {'met' if as_of_ms < 100 else 'NOT met'})")
    print(f"   task history of one measure: {task_ms:.1f} ms; of all measures: {all_tasks_ms:.1f} ms; "
          f"latest_records: {latest_ms:.1f} ms")
    store.close()
    tmp.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=150)
    ap.add_argument("--days", type=int, default=3 * 365)
    ap.add_argument("--change-rate", type=float, default=0.02)
    ap.add_argument("--checks", type=int, default=100, help="re-checks and versions per page in part 1")
    ap.add_argument("--db", help="database for part 2 (default: a temporary SQLite file)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    pages = [(p.stem, p.read_bytes(), "https://ilmastovahti.hel.fi/actions/91")
             for p in sorted((ROOT / "tests" / "fixtures" / "pages").glob("*_91.html"))]
    real = ROOT.parent / "shared" / "real-pages"
    pages += [(f"real {p.parent.name}/{p.stem}", p.read_bytes(),
               "https://ilmastovahti.hel.fi/actions/" + p.stem.lstrip("a").split("_")[0])
              for p in sorted(real.glob("*/*.html"))]
    bytes_per_check(pages, args.checks)
    history(args.db, args.measures, args.days, args.change_rate, args.seed)


if __name__ == "__main__":
    main()
