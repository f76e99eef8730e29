"""A crawl that could not look says so and exits 1; silence only ever means "nothing changed"."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from helpers import vahti, vahti_here
from sitesrv import SiteServer


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _config(tmp_path: Path, url: str) -> str:
    conf = tmp_path / "vahti.toml"
    conf.write_text(f'[database]\nurl = "{tmp_path / "vahti.db"}"\n\n[[site]]\nurl = "{url}"\nrate = 500.0\n'
                    'retries = 1\nbackoff = 0.01\nmax_backoff = 0.05\ntimeout = 2\nlist_page = false\n',
                    encoding="utf-8")
    return str(conf)


def test_a_dead_site_fails_loudly_and_counts_as_a_failure(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    conf = _config(tmp_path, url)
    out = vahti("crawl", "--config", conf, check=1)
    assert "FAILED: site unreachable" in out.stdout and "disallowed" not in out.stdout
    vahti("crawl", "--config", conf, check=1)
    status = json.loads(vahti("status", "--db", str(tmp_path / "vahti.db"), "--json").stdout)
    (site,) = status["sites"]
    assert site["last_crawl"]["status"] == "failed" and site["consecutive_failures"] == 2


def test_robots_txt_answering_503_is_an_unreachable_site_not_a_disallowed_one(tmp_path: Path) -> None:
    with SiteServer() as srv:
        srv.site.fault("/robots.txt", *["503"] * 10)
        out = vahti("crawl", "--config", _config(tmp_path, srv.url), check=1)
    assert "FAILED: site unreachable: robots.txt answered 503" in out.stdout


def test_a_server_that_is_not_a_kausal_watch_plan_gets_a_hint(tmp_path: Path) -> None:
    with SiteServer() as srv:
        srv.site.set("/", "<html><body><h1>Welcome</h1></body></html>", "text/html")
        out = vahti("crawl", "--config", _config(tmp_path, srv.url), check=1)
    assert "no action pages found" in out.stdout and "e.g. https://ilmastovahti.hel.fi" in out.stdout


def test_site_unreachable_and_recovered_once_per_episode_through_subscriptions(tmp_path: Path) -> None:
    from vahti.samples.site import sample_site, with_base

    with SiteServer() as srv:
        for path, (body, ctype) in with_base(sample_site(1), srv.url).items():
            srv.site.set(path, body, ctype)
        conf = _config(tmp_path, srv.url)
        db = str(tmp_path / "vahti.db")
        vahti_here("crawl", "--config", conf)
        vahti_here("subscribe", "desk", "--atom", str(tmp_path / "desk.xml"), "--kind", "site.*", "--db", db)
        srv.site.fault("/robots.txt", *["503"] * 6)  # three crawls find it down (a try and a retry each)
        for _ in range(3):
            vahti_here("crawl", "--config", conf, check=1)
        vahti_here("crawl", "--config", conf)  # up again
        vahti_here("crawl", "--config", conf)
    events = [json.loads(line) for line in vahti_here("changes", "--kind", "site.*", "--db", db, "--json").stdout.splitlines()]
    assert [e["kind"] for e in events] == ["site.unreachable", "site.recovered"]
    assert events[0]["measure"] is None and "503" in events[0]["summary"]
    queued = json.loads(vahti_here("deliveries", "--db", db, "--json").stdout)["queued"]
    assert queued == {"desk": 2}
    lines = vahti_here("changes", "--kind", "site.*", "--db", db).stdout
    assert "the site: Site unreachable" in lines
