"""Parser throughput against the bare HTML parse of the same bytes.

    python bench/parse.py [--seconds 6] [--stages] [--instructions]

Prints pages/s of ``scraper.parse()`` over every fixture page (and the real
renders in ../shared/real-pages when present), pages/s of a bare
``LexborHTMLParser(body)`` over the same bytes, and the ratio. Target: on the
shared real pages (the platform's own renders) the full parse keeps at least 25 %
of the bare parse's throughput, in pure Python.

Both run in a process set up as vahti's command sets up its own: with the allocator
keeping freed memory for the next page (``vahti.heap``; without it, giving the heap back
after every page and faulting it in again cost the parse a sixth of its time on this
machine, and the bare parse nothing).

The two are timed in alternating short rounds and the ratio is the median of
the rounds' ratios, so a shared machine that speeds up or slows down during the
run moves both sides alike (timing them one after the other gave ratios that
differed by half between runs).

``--stages`` also prints where a parse spends its time, page by page: decoding
the bytes, the HTML parse itself, detection (generation, language, not-a-page
checks), the DOM read the embedded-data path needs, decoding and mapping the
embedded data, and the whole-DOM read of pages without it.

What the parser does to stay there: the big data scripts are cut out of the raw
bytes with plain substring searches (``scraper.scripts``); lexbor parses only the
markup around them, from the action's root on (a 2026 page's header, navigation and footer
shell come first and are no reader's concern), and only the markup is decoded; closing tags are found by hopping
from ``<`` to ``<``; each RSC chunk is decoded by one JSON call straight from the bytes,
rows are found in the stream with one regex match each and cut out only when used; ``$``
references are inlined in the action row's JSON text before its one decode; ``clean()``
takes a fast path for printable text.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper import detect, parse  # noqa: E402
from scraper.from_dom import dom_reader, measure_from_dom, what_json_needs  # noqa: E402
from scraper.parser import _from_embedded, _split_utf8  # noqa: E402
from vahti.heap import keep_heap_slack  # noqa: E402

TARGET = 0.25  # on the real pages
Page = tuple[bytes, str, str]  # body, url, name


def pages() -> dict[str, list[Page]]:
    """Pages by group: the fixtures, and each real-page generation when present."""
    groups = {"fixtures": [(p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem, p.name) for p in
                           sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.html"))]}
    real = ROOT.parent / "shared" / "real-pages"
    for folder in sorted(real.glob("kausal*")):
        groups[f"real {folder.name}"] = [
            (p.read_bytes(), "https://ilmastovahti.hel.fi/actions/" + p.stem.lstrip("a").split("_")[0],
             f"{folder.name}/{p.name}")
            for p in sorted(folder.glob("*.html"))]
    return groups


def once(fn: Callable[[bytes, str], object], corpus: list[Page]) -> float:
    start = time.perf_counter()
    for body, url, _ in corpus:
        fn(body, url)
    return time.perf_counter() - start


def compare(corpus: list[Page], seconds: float) -> tuple[float, float, float]:
    """(bare pages/s, parse pages/s, ratio): medians over alternating rounds."""
    def bare(body: bytes, url: str) -> object:
        return LexborHTMLParser(body)

    # Rounds of about 50 ms each side, as many as the time allows.
    per_round = max(1, int(0.05 / max(once(parse, corpus), 1e-6)))
    bare_rates, parse_rates, ratios = [], [], []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(ratios) < 5:
        tb = sum(once(bare, corpus) for _ in range(per_round))
        tp = sum(once(parse, corpus) for _ in range(per_round))
        n = per_round * len(corpus)
        bare_rates.append(n / tb)
        parse_rates.append(n / tp)
        ratios.append(tb / tp)
    return statistics.median(bare_rates), statistics.median(parse_rates), statistics.median(ratios)


def best_of(fn: Callable[[], object], reps: int = 5, n: int = 20) -> float:
    """Fastest mean time of ``fn`` in µs over a few repetitions."""
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n * 1e6)
    return min(times)


def stages(corpus: list[Page]) -> None:
    """Where a parse's time goes, page by page (µs, best of a few runs)."""
    cols = ("bare", "split", "markup", "detect", "dom-light", "embedded", "dom-full", "parse")
    print(f"\n{'page':<40}" + "".join(f"{c:>10}" for c in cols))
    totals = dict.fromkeys(cols, 0.0)
    for body, url, name in corpus:
        if len(body) < 1000:
            continue  # refused in a few µs; nothing to break down
        split = _split_utf8(body)
        if split is None:
            continue  # the few non-UTF-8 fixtures take the whole-decode path
        page, lite, text = split
        tree = LexborHTMLParser(lite)
        next_data = page.next_data.decode() if page.next_data is not None else None
        gen = detect.generation(tree, text, next_data, flight=page.has_flight)
        lang, tag, _ = detect.language(tree, url, next_data)

        def reader():  # type: ignore[no-untyped-def]
            return dom_reader(tree, url=url, language=lang, lang_tag=tag, generation=gen)

        light = what_json_needs(reader())
        row = {
            "bare": best_of(lambda: LexborHTMLParser(body)),
            "split": best_of(lambda: _split_utf8(body)),
            "markup": best_of(lambda: LexborHTMLParser(lite)),
            "detect": best_of(lambda: (detect.generation(tree, text, next_data), detect.language(tree, url, next_data),
                                       detect.not_a_measure(tree), detect.truncated(text))),
            "dom-light": best_of(lambda: what_json_needs(reader())),
            "embedded": best_of(lambda: _from_embedded(page, gen, url, lang, light.identifier, [], [])),
            "dom-full": best_of(lambda: measure_from_dom(dom_reader(LexborHTMLParser(page.markup), url=url, language=lang,
                                                                    lang_tag=tag, generation=gen))),
            "parse": best_of(lambda: parse(body, url)),
        }
        for c in cols:
            totals[c] += row[c]
        print(f"{name[:39]:<40}" + "".join(f"{row[c]:>10.0f}" for c in cols))
    print(f"{'total':<40}" + "".join(f"{totals[c]:>10.0f}" for c in cols))
    print("(dom-full is spent only on pages without usable embedded data; dom-light on the others)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=6.0, help="time for the 'all' row (each group gets a third)")
    ap.add_argument("--stages", action="store_true", help="also print where the time goes, page by page")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions with valgrind's callgrind (the same on a busy machine)")
    ap.add_argument("--callgrind-child", nargs=2, metavar=("MODE", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    keep_heap_slack()  # as vahti's command does
    if args.callgrind_child:
        _callgrind_child(args.callgrind_child[0], int(args.callgrind_child[1]))
        return
    groups = pages()
    corpus = [page for group in groups.values() for page in group]
    for _ in range(3):
        once(parse, corpus)  # warm up
    print(f"{'group':<18} {'pages':>5} {'KiB':>5} {'bare/s':>9} {'parse/s':>9} {'ms/page':>8} {'ratio':>6}")
    ratio = 0.0
    real = [page for name, group in groups.items() if name.startswith("real") for page in group]
    for name, group in [*groups.items(), ("all", corpus), ("real (target)", real)]:
        if not group:
            continue
        size = sum(len(b) for b, _, _ in group) / len(group)
        seconds = args.seconds if name in ("all", "real (target)") else args.seconds / 3
        bare, full, ratio = compare(group, seconds)
        print(f"{name:<18} {len(group):>5} {size / 1024:>5.0f} {bare:>9.0f} {full:>9.0f} {1000 / full:>8.2f} {ratio:>6.3f}")
    print(f"target: parse keeps >= {TARGET:.2f} of the bare parse's pages/s on the real pages ('real' row: "
          f"{'met' if ratio >= TARGET else 'NOT met'})")
    if args.stages:
        stages(corpus)
    if args.instructions:
        instructions()


def _real() -> list[Page]:
    return [page for name, group in pages().items() if name.startswith("real") for page in group]


def _callgrind_child(mode: str, n: int) -> None:
    corpus = _real()
    for body, url, _ in corpus:  # imports and first-call costs, counted in both runs alike
        parse(body, url)
        LexborHTMLParser(body)
    for _ in range(n):
        for body, url, _ in corpus:
            if mode == "bare":
                LexborHTMLParser(body)
            else:
                parse(body, url)


def instructions(rounds: int = 4) -> None:
    """Instructions per page (callgrind), parse against the bare parse: what the code does, whatever the
    machine's load (wall time on a shared machine moves by a fifth between runs; this does not)."""
    import re
    import shutil
    import subprocess
    import tempfile

    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (apt-get install valgrind)")
        return
    counts: dict[tuple[str, int], int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("bare", "parse"):
            for n in (0, rounds):
                out = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg",
                                      sys.executable, __file__, "--callgrind-child", mode, str(n)],
                                     capture_output=True, text=True, check=True).stderr
                m = re.search(r"Collected : (\d+)", out)
                assert m is not None, out[-500:]
                counts[(mode, n)] = int(m.group(1))
    per = len(_real()) * rounds
    bare = (counts[("bare", rounds)] - counts[("bare", 0)]) / per
    full = (counts[("parse", rounds)] - counts[("parse", 0)]) / per
    print(f"instructions per real page: bare {bare / 1e6:.2f} M, parse {full / 1e6:.2f} M, ratio {bare / full:.2f} "
          f"(time ratio is lower: Python's instructions run slower than lexbor's)")


if __name__ == "__main__":
    main()
