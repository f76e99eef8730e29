"""Parser throughput against the bare HTML parse of the same bytes.

    python bench/parse.py [--seconds 3]

Prints pages/s of ``scraper.parse()`` over every fixture page (and the real
renders in ../shared/real-pages when present), pages/s of a bare
``LexborHTMLParser(body)`` over the same bytes, and the ratio. Target: the
full parse keeps at least 40 % of the bare parse's throughput.
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


def pages() -> list[tuple[bytes, str]]:
    out = [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem) for p in
           sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))]
    real = ROOT.parent / "shared" / "real-pages"
    out += [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem.lstrip("a").split("_")[0])
            for p in sorted(real.glob("*/*.html"))]
    return out


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
    corpus = pages()
    size = sum(len(b) for b, _ in corpus) / len(corpus)
    rate(parse, corpus, 0.3)  # warm up
    bare = rate(lambda body, url: LexborHTMLParser(body), corpus, args.seconds)
    full = rate(parse, corpus, args.seconds)
    ratio = full / bare
    print(f"pages: {len(corpus)} (mean {size / 1024:.0f} KiB)")
    print(f"bare LexborHTMLParser: {bare:8.1f} pages/s")
    print(f"scraper.parse():       {full:8.1f} pages/s  ({1000 / full:.2f} ms/page)")
    print(f"ratio full/bare:       {ratio:8.2f}  (target >= {TARGET:.2f}: {'met' if ratio >= TARGET else 'NOT met'})")


if __name__ == "__main__":
    main()
