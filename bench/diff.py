"""The differ's cost against the parser's.

    python bench/diff.py [--seconds 2]

Pairs of records from the sample site (each changed pair differs the way plans
change: a task completed, contacts replaced, a task added, status moved …):
prints events per second on changed pairs, the cost of the unchanged
short-circuit, and the cost of parsing one of those pages. Target: diffing a
changed pair costs less than parsing the page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from diffs.compare import diff  # noqa: E402
from scraper import parse  # noqa: E402
from vahti.samples.site import sample_site  # noqa: E402


def timed(fn, seconds: float) -> float:  # type: ignore[no-untyped-def]
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return (time.perf_counter() - start) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    days = [sample_site(d) for d in (1, 2, 3)]
    pairs, bodies = [], []
    for a, b in ((days[0], days[1]), (days[1], days[2])):
        for path in a:
            if path.startswith("/actions/") and path in b and a[path][0] != b[path][0]:
                ra, rb = parse(a[path][0], "https://x.example" + path), parse(b[path][0], "https://x.example" + path)
                pairs.append((ra, rb))
                bodies.append(b[path][0])
    events = sum(len(diff(a.record, b.record)) for a, b in pairs)  # type: ignore[arg-type]

    def diff_all() -> None:
        for a, b in pairs:
            diff(a.record, b.record, old_unobserved=a.meta.unobserved, new_unobserved=b.meta.unobserved)  # type: ignore[arg-type]

    def same_all() -> None:
        for a, _ in pairs:
            diff(a.record, a.record)  # type: ignore[arg-type]

    def parse_all() -> None:
        for body in bodies:
            parse(body, "https://x.example/actions/1")

    per_diff = timed(diff_all, args.seconds) / len(pairs)
    per_same = timed(same_all, args.seconds) / len(pairs)
    per_parse = timed(parse_all, args.seconds) / len(bodies)
    print(f"changed pairs: {len(pairs)}, {events} events ({events / len(pairs):.1f} per pair)")
    print(f"diff of a changed pair:      {per_diff * 1000:8.3f} ms  ({events / len(pairs) / per_diff:,.0f} events/s)")
    print(f"unchanged short-circuit:     {per_same * 1000:8.4f} ms")
    print(f"parse of the page:           {per_parse * 1000:8.3f} ms")
    print(f"diff / parse: {per_diff / per_parse:.2f} (target < 1: {'met' if per_diff < per_parse else 'NOT met'})")


if __name__ == "__main__":
    main()
