"""Crawl throughput on a generated 500-measure local site, and urlwatch on the same URLs.

    python bench/crawl.py [--measures 500] [--no-urlwatch]

Serves the sample site (app-router pages rendered like the platform's) from a
separate process on 127.0.0.1, crawls it twice with the rate limit off (a first
pass, then an unchanged pass that gets only 304s; in rounds, each into a fresh
database), each crawl in its own process so that CPU time and peak RSS are vahti's
alone. Then installs urlwatch into a
throwaway virtualenv and checks the same URLs: a first pass, then unchanged
passes of ``urlwatch`` and of ``vahti crawl`` as commands (start-up included, as
a cron job runs them) in alternating rounds; the ratio is the median of the
rounds', so a shared machine's changing speed moves both alike.

The first pass is also compared as commands: each round a fresh vahti database and a
fresh urlwatch cache, alternating.

Both run as installed: with their modules' bytecode. pip writes urlwatch's when it
installs it (as it writes vahti's on ``pip install vahti``); vahti runs here from its
checkout, and on a machine that sets PYTHONDONTWRITEBYTECODE every command would compile
its hundred modules again, so its bytecode goes to a cache of the run
(PYTHONPYCACHEPREFIX), written by a first, untimed crawl.

Targets: the unchanged pass at least 3x faster than the first; peak RSS under
150 MB; vahti's unchanged pass faster than urlwatch's; vahti's first pass (which
parses, versions and indexes every page, where urlwatch stores text) at least 0.6x
urlwatch's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CRAWL = """
import json, resource, sys, time
from vahti.heap import keep_heap_slack
keep_heap_slack()  # as vahti's command does
from vahti.app.crawl import Crawler
from storage.store import Store
from vahti.config import SiteConfig
db, url = sys.argv[1], sys.argv[2]
store = Store.open(db)
site = SiteConfig(url=url, rate=100000.0, concurrency=4, list_page=False, retries=1)
wall, cpu = time.perf_counter(), time.process_time()
crawler = Crawler(site, store)
summary = crawler.crawl()
crawler.close()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  **summary.totals()}))
"""


def serve(measures: int, ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from sitesrv import SiteServer

    from vahti.samples.site import sample_site, with_base

    with SiteServer() as srv:
        for path, (body, ctype) in with_base(sample_site(1, measures=measures), srv.url).items():
            srv.site.set(path, body, ctype)
        srv.site.hits = _NoHits()  # type: ignore[assignment]
        ready.put(srv.url)
        while True:
            time.sleep(3600)


class _NoHits(list):  # type: ignore[type-arg]
    def append(self, item: object) -> None:  # the benchmark does not keep a request log
        pass


def installed_env(tmp: Path) -> dict[str, str]:
    """The environment of a vahti command that has its bytecode, as an installed vahti has."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}


def crawl(db: Path, url: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CRAWL, str(db), url], cwd=ROOT, capture_output=True, text=True,
                         check=True, env=installed_env(db.parent))
    return json.loads(out.stdout.strip().splitlines()[-1])


def urlwatch(url: str, measures: int, tmp: Path) -> list[str] | None:
    """Install urlwatch and give the command that checks the site's URLs (None if it cannot be installed)."""
    env_dir = tmp / "urlwatch-venv"
    print("installing urlwatch into a throwaway virtualenv …", file=sys.stderr, flush=True)
    venv.create(env_dir, with_pip=True)
    pip = env_dir / "bin" / "pip"
    if subprocess.run([str(pip), "install", "-q", "urlwatch"], capture_output=True).returncode != 0:
        print("   (urlwatch could not be installed; comparison skipped)")
        return None
    jobs = tmp / "urls.yaml"
    jobs.write_text("".join(f"name: m{i}\nurl: {url}/actions/{i}\n---\n" for i in range(1, measures + 1)),
                    encoding="utf-8")
    config = tmp / "urlwatch.yaml"
    cache = tmp / "cache.db"
    cmd = [str(env_dir / "bin" / "urlwatch"), "--urls", str(jobs), "--config", str(config), "--cache", str(cache)]
    subprocess.run(cmd + ["--edit-config"], env={**os.environ, "EDITOR": "true", "VISUAL": "true"},
                   capture_output=True)
    return cmd


def timed_run(cmd: list[str], tmp: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, env={**os.environ, "HOME": str(tmp)})
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--measures", type=int, default=500)
    ap.add_argument("--no-urlwatch", action="store_true")
    ap.add_argument("--rounds", type=int, default=5,
                    help="rounds of first and unchanged passes, and of each against urlwatch")
    args = ap.parse_args()
    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(target=serve, args=(args.measures, ready), daemon=True)
    server.start()
    url = ready.get(timeout=120)
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            # Rounds of a first pass into a fresh database and an unchanged pass over it: the speed-up is
            # the median of the rounds' (a shared machine's speed changes by half within a minute).
            crawl(tmp / "warm-up.db", url)  # (writes the bytecode)
            passes = []
            for r in range(args.rounds):
                db = tmp / ("bench.db" if r == 0 else f"round{r}.db")
                passes.append((crawl(db, url), crawl(db, url)))
            first, second = passes[0]
            n = args.measures
            print(f"site: {n} measures at {url} (app-router pages, ~27 KB each)")
            for name, r in (("first pass", first), ("unchanged pass", second)):
                print(f"  vahti {name:<15} {n / r['wall']:8.1f} pages/s  {1000 * r['cpu'] / n:6.2f} CPU ms/page  "
                      f"peak RSS {r['rss_mb']:6.1f} MB  new versions {r['new_versions']:.0f}, "
                      f"304s {r['not_modified']:.0f}, failed {r['failed']:.0f}")
            speedups = [a["wall"] / b["wall"] for a, b in passes]
            speedup = statistics.median(speedups)
            rss = max(max(a["rss_mb"], b["rss_mb"]) for a, b in passes)
            print(f"  unchanged pass {speedup:.1f}x faster than the first (median of {len(passes)} rounds: "
                  f"{', '.join(f'{x:.1f}' for x in speedups)}; target >= 3: "
                  f"{'met' if speedup >= 3 else 'NOT met'}); peak RSS {rss:.0f} MB (target < 150: "
                  f"{'met' if rss < 150 else 'NOT met'})")
            if not args.no_urlwatch:
                cmd = urlwatch(url, n, tmp)
                if cmd:
                    u1 = timed_run(cmd, tmp)
                    ours, theirs = [], []
                    conf = tmp / "vahti.toml"
                    conf.write_text(f'[database]\nurl = "{tmp / "bench.db"}"\n\n[[site]]\nurl = "{url}"\n'
                                    'rate = 100000.0\nconcurrency = 4\nlist_page = false\nretries = 1\n',
                                    encoding="utf-8")
                    vahti = [sys.executable, "-c", "from cli import main; main()", "crawl", "--config", str(conf)]
                    env = installed_env(tmp)
                    for _ in range(args.rounds):  # both commands as a cron job runs them, start-up included
                        start = time.perf_counter()
                        subprocess.run(vahti, cwd=ROOT, capture_output=True, check=True, env=env)
                        ours.append(time.perf_counter() - start)
                        theirs.append(timed_run(cmd, tmp))
                    ratio = statistics.median(t / o for o, t in zip(ours, theirs))
                    firsts_ours, firsts_theirs = [], []
                    for r in range(args.rounds):  # first passes: fresh state on both sides
                        fresh = tmp / f"first{r}.toml"
                        fresh.write_text(conf.read_text(encoding="utf-8").replace(str(tmp / "bench.db"),
                                                                                  str(tmp / f"first{r}.db")),
                                         encoding="utf-8")
                        start = time.perf_counter()
                        subprocess.run([*vahti[:-1], str(fresh)], cwd=ROOT, capture_output=True, check=True, env=env)
                        firsts_ours.append(time.perf_counter() - start)
                        (tmp / "cache.db").unlink(missing_ok=True)
                        firsts_theirs.append(timed_run(cmd, tmp))
                    first_ratio = statistics.median(t / o for o, t in zip(firsts_ours, firsts_theirs))
                    print(f"  urlwatch first pass {n / u1:8.1f} pages/s; unchanged pass "
                          f"{n / statistics.median(theirs):8.1f} pages/s (vahti's: {n / statistics.median(ours):.1f}; "
                          f"medians of {args.rounds} alternating rounds)")
                    print(f"  vahti's unchanged pass is {ratio:.1f}x urlwatch's speed (target > 1: "
                          f"{'met' if ratio > 1 else 'NOT met'})")
                    print(f"  first pass as commands: vahti {n / statistics.median(firsts_ours):.1f} pages/s, urlwatch "
                          f"{n / statistics.median(firsts_theirs):.1f} pages/s: vahti at {first_ratio:.2f}x urlwatch's "
                          f"speed (target >= 0.6: {'met' if first_ratio >= 0.6 else 'NOT met'})")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
