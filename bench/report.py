"""The web report at archive scale: 150 measures x 3 years, built from the database.

    python bench/report.py [--measures 150] [--years 3] [--every-days 7] [--keep DIR]

Builds an archive through the real write path (``vahti.app.ingest``) from the real 2026
render: each measure checked every ``--every-days`` days for ``--years`` years, changing
about every seven weeks the ways plans change (a task completed, a task added, a contact
replaced, the status moved, the lead rewritten, or only the "updated" date bumped), with a
failed check now and then. Then ``vahti report`` is timed three ways: from scratch with every
page as captured (``--evidence all``), the same again (the rebuild ``vahti run`` does after a
crawl: no evidence file is read twice), and with ``--evidence none``.

Prints the archive's shape, the build times against the goal (30 s for 150 measures x 3 years)
as a ratio, pages and bytes written, and the largest page against the 200 KB limit.
Timings are of this machine at this moment; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper import parse  # noqa: E402
from storage.store import FetchInfo, Store  # noqa: E402
from vahti.app.ingest import ingest  # noqa: E402
from vahti.app.report import build_report  # noqa: E402
from vahti.config import EvidenceMode  # noqa: E402
from vahti.record import Contact, Labelled, Measure, Task  # noqa: E402

SITE = "https://ilmastovahti.hel.fi"
REAL = ROOT.parent / "shared" / "real-pages"
GOAL_S = 30.0
PAGE_LIMIT = 200_000
STATUSES = ["Ajallaan", "Myöhässä", "Valmis", "Käynnistämättä"]


def _change(r: Measure, rnd: random.Random, day: dt.date, n: int) -> Measure:
    kind = rnd.choice(["complete", "add", "contact", "status", "lead", "touch"])
    if kind == "complete" and any(t.state != "completed" for t in r.tasks):
        i = next(i for i, t in enumerate(r.tasks) if t.state != "completed")
        tasks = list(r.tasks)
        tasks[i] = dataclasses.replace(tasks[i], state="completed", completed_date=day)
        r = dataclasses.replace(r, tasks=tuple(tasks))
    elif kind in ("add", "complete"):
        r = dataclasses.replace(r, tasks=r.tasks + (Task(f"Tehtävä {n}", "not_started", id=f"b{n}",
                                                         due_date=day + dt.timedelta(days=rnd.randint(-60, 400))),))
    elif kind == "contact" and r.contacts:
        r = dataclasses.replace(r, contacts=(Contact(f"Henkilö {n}", id=f"c{n}", title="asiantuntija"),)
                                + r.contacts[1:])
    elif kind == "status":
        r = dataclasses.replace(r, status=Labelled(None, rnd.choice(STATUSES)))
    elif kind == "lead":
        r = dataclasses.replace(r, lead=f"Toimenpiteen tilanne {day.isoformat()}: edistyy, vaihe {n}.")
    return dataclasses.replace(r, updated_on=day)


def build_archive(db: str, measures: int, years: int, every_days: int, seed: int = 1) -> dict[str, int]:
    body = (REAL / "kausal2026" / "a91_sv.html").read_bytes()
    base = parse(body, f"{SITE}/sv/actions/91")
    assert base.record is not None
    rnd = random.Random(seed)
    store = Store.open(db)
    t0 = dt.datetime(2026, 12, 1, 6, tzinfo=dt.timezone.utc) - dt.timedelta(days=365 * years)
    counts = {"checks": 0, "versions": 0, "failures": 0}
    records = [dataclasses.replace(base.record, identifier=str(m + 1), url=f"{SITE}/actions/{m + 1}",
                                   name=f"{base.record.name} {m + 1}") for m in range(measures)]
    days = 365 * years
    for d in range(0, days, every_days):
        when = t0 + dt.timedelta(days=d)
        for m in range(measures):
            url = f"{SITE}/actions/{m + 1}"
            counts["checks"] += 1
            if d and rnd.random() < 0.01:
                ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 503, error="HTTP 503"))
                counts["failures"] += 1
                continue
            if d and rnd.random() < every_days / 50:
                records[m] = _change(records[m], rnd, when.date(), counts["checks"])
            res = dataclasses.replace(base, record=records[m])
            done = ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 200), result=res,
                          body=body + f"<!-- {m} {records[m].content_hash()[:12]} -->".encode())
            counts["versions"] += done.stored.outcome == "new_version"
    store.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--measures", type=int, default=150)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--every-days", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="Keep the database and the report here.")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="vahti-bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / "bench.db")
    Path(db).unlink(missing_ok=True)
    t = time.perf_counter()
    shape = build_archive(db, args.measures, args.years, args.every_days)
    print(f"archive: {args.measures} measures x {args.years} years, a check every {args.every_days} days: "
          f"{shape['checks']} checks, {shape['versions']} versions, {shape['failures']} failed checks "
          f"(built in {time.perf_counter() - t:.0f} s)")
    store = Store.open(db)
    now = dt.datetime(2026, 12, 1, 7, tzinfo=dt.timezone.utc)
    out = folder / "report"
    shutil.rmtree(out, ignore_errors=True)
    rows = []
    runs: tuple[tuple[str, EvidenceMode], ...] = (("from scratch, --evidence all", "all"),
                                                  ("rebuild after a crawl", "all"), ("--evidence none", "none"))
    for label, mode in runs:
        target = out if mode == "all" else folder / "report-none"
        shutil.rmtree(folder / "report-none", ignore_errors=True)
        t = time.perf_counter()
        result = build_report(store, target, now=now, evidence=mode)
        rows.append((label, time.perf_counter() - t, result))
    store.close()
    print(f"{'build':<32} {'seconds':>8} {'/ goal':>7} {'pages':>6} {'MB':>6} {'evidence':>9} {'largest page':>13}")
    for label, seconds, r in rows:
        print(f"{label:<32} {seconds:>8.1f} {seconds / GOAL_S:>7.2f} {r.stats.pages:>6} {r.stats.bytes / 1e6:>6.1f} "
              f"{r.stats.evidence_written:>9} {r.stats.largest[1] / 1000:>9.0f} KB")
    largest = rows[0][2].stats.largest
    print(f"largest page: {largest[0]} ({largest[1] / PAGE_LIMIT:.2f} of the 200 KB limit); "
          f"events: {rows[0][2].events}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
