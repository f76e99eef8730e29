"""Parser throughput against the bare HTML parse of the same bytes.

    python bench/parse.py [--seconds 3]

Prints pages/s of ``scraper.parse()`` over every fixture page (and the real
renders in ../shared/real-pages when present), pages/s of a bare
``LexborHTMLParser(body)`` over the same bytes, and the ratio. Target: the
full parse keeps at least 40 % of the bare parse's throughput.

Where it stands (see the closing notes): about 0.10 overall, 0.1-0.2 per
generation. The bare parse is lexbor's C parser alone (~50 µs for a 14 KB
fixture); a full parse adds, in Python, decoding the embedded data (the
Apollo cache or RSC payload is itself a third to a half of the page),
resolving it, reading what only the rendered page says (the "updated" day, the
task order) and building the record — a few hundred µs per page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper import parse  # noqa: E402

TARGET = 0.40


def pages() -> dict[str, list[tuple[bytes, str]]]:
    """Pages by group: the fixtures, and each real-page generation when present."""
    groups = {"fixtures": [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem) for p in
                           sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))]}
    real = ROOT.parent / "shared" / "real-pages"
    for folder in sorted(real.glob("kausal*")):
        groups[f"real {folder.name}"] = [
            (p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem.lstrip("a").split("_")[0])
            for p in sorted(folder.glob("*.html"))]
    return groups


def rate(fn, corpus: list[tuple[bytes, str]], seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for body, url in corpus:
            fn(body, url)
        n += len(corpus)
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=3.0)
    args = ap.parse_args()
    groups = pages()
    corpus = [page for group in groups.values() for page in group]
    rate(parse, corpus, 0.3)  # warm up
    print(f"{'group':<18} {'pages':>5} {'KiB':>5} {'bare/s':>9} {'parse/s':>9} {'ms/page':>8} {'ratio':>6}")
    for name, group in [*groups.items(), ("all", corpus)]:
        if not group:
            continue
        size = sum(len(b) for b, _ in group) / len(group)
        seconds = args.seconds if name == "all" else args.seconds / 3
        bare = rate(lambda body, url: LexborHTMLParser(body), group, seconds)
        full = rate(parse, group, seconds)
        print(f"{name:<18} {len(group):>5} {size / 1024:>5.0f} {bare:>9.0f} {full:>9.0f} {1000 / full:>8.2f} {full / bare:>6.2f}")
    print(f"target: parse keeps >= {TARGET:.2f} of the bare parse's pages/s ('all' row: "
          f"{'met' if full / bare >= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
