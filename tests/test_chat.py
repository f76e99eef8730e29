"""Alerts where newsrooms work: the Apprise channel, against loopback stand-ins for the services.

``json://`` and ``form://`` are Apprise's generic targets; ``mmost://`` is Mattermost, whose
incoming webhooks are Slack-compatible (``POST /hooks/<token>`` with ``{"text": …}``) and,
unlike Slack's, can live on any host: here a test server on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from scraper import parse
from storage.models import Message, Subscription
from storage.store import FetchInfo, Store
from storage.subscriptions import describe, sync_config
from vahti.app.delivery import default_channels, deliver
from vahti.app.ingest import ingest
from vahti.config import AlertsConfig, SubscriptionConfig
from vahti.samples.site import sample_site

SITE = "https://ilmastovahti.hel.fi"
T0 = dt.datetime(2020, 10, 1, 8, tzinfo=dt.timezone.utc)
FAST = AlertsConfig(max_attempts=5, retry_base=1.0, timeout=2.0, report_url="https://desk.example/vahti")


class Service:
    """Records what arrives; answers 500 while ``down``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.down = False
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if service.down:
                    self.send_response(500)
                    self.end_headers()
                    return
                ctype = self.headers.get("Content-Type", "")
                body = json.loads(raw) if "json" in ctype else {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                service.calls.append({"path": self.path, "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.close()


def crawl_day(store: Store, day: int, when: dt.datetime) -> None:
    for path, (body, _) in sample_site(day).items():
        if path.startswith("/actions/"):
            url = SITE + path
            ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 200), result=parse(body, url), body=body)


def subscribe(store: Store, **data: Any) -> None:
    with store.transaction() as session:
        sync_config(session, (SubscriptionConfig.from_dict({"name": "desk", **data}),), T0)


def test_the_day_2_story_arrives_as_one_readable_post_per_measure(store: Store, service: Service) -> None:
    subscribe(store, apprise=[f"json://{service.host}/notify", f"mmost://{service.host}/slackcompatibletoken"],
              kinds=["task.*", "contact.*", "status.*", "updated.*"])
    crawl_day(store, 1, T0)
    deliver(store, default_channels(store, FAST, {SITE: "Helsinki"}), FAST, T0)
    service.calls.clear()  # day 1 is the measures appearing
    crawl_day(store, 2, T0 + dt.timedelta(days=1))
    report = deliver(store, default_channels(store, FAST, {SITE: "Helsinki"}), FAST, T0 + dt.timedelta(days=1))
    assert len(report.sent) == 1
    posts = [c for c in service.calls if c["path"] == "/notify"]
    slack = [c for c in service.calls if c["path"] == "/hooks/slackcompatibletoken"]
    assert len(posts) == len(slack) == 4  # measures 2, 3, 4 and 5 changed on day 2
    by_title = {p["body"]["title"]: p["body"]["message"] for p in posts}
    title = next(t for t in by_title if t.startswith("Helsinki 2 "))
    assert "task completed" in title
    body = by_title[title]
    assert body.startswith("**Helsinki · 2 Hiilineutraalit työmaat** ([page](https://ilmastovahti.hel.fi/actions/2)"
                           " · [report](https://desk.example/vahti/measures/ilmastovahti.hel.fi/actions/2.html))")
    assert "✔ Task completed:" in body
    assert any("Contact" in m or "contact" in m for m in by_title.values())
    assert all("Helsinki" in c["body"]["text"] for c in slack)  # what a Slack-style hook receives


def test_a_dead_endpoint_keeps_the_message_pending_with_its_error_then_it_goes_once(
        store: Store, service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_url = f"form://editor:pa55word@{service.host}/hook/s3cr3tTOKENs3cr3tTOKEN?token=abc123"
    subscribe(store, apprise=secret_url, kinds=["task.*"])
    crawl_day(store, 1, T0)
    crawl_day(store, 2, T0 + dt.timedelta(days=1))
    service.down = True
    now = T0 + dt.timedelta(days=1)
    first = deliver(store, default_channels(store, FAST, {}), FAST, now)
    assert first.sent == [] and len(first.retrying) == 1
    with store.reading() as s:
        msg = s.scalars(select(Message)).one()
        assert msg.status == "pending" and msg.attempts == 1 and msg.last_error
        error = msg.last_error
        shown = json.dumps(describe(s.execute(select(Subscription)).scalar_one()))
    # What is logged at INFO and above (HTTP libraries' DEBUG lines quote request paths; vahti.logs holds
    # those libraries at WARNING).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)
    assert "to desk failed (attempt 1)" in logged
    for secret in ("pa55word", "s3cr3tTOKENs3cr3tTOKEN", "abc123"):
        assert secret not in error and secret not in shown and secret not in logged
    service.down = False
    second = deliver(store, default_channels(store, FAST, {}), FAST, now + dt.timedelta(minutes=5))
    assert len(second.sent) == 1
    assert deliver(store, default_channels(store, FAST, {}), FAST, now + dt.timedelta(minutes=10)).sent == []
    assert len(service.calls) == 2  # the two measures with task events, each once
    assert all(c["path"] == "/hook/s3cr3tTOKENs3cr3tTOKEN" and "title" in c["body"] for c in service.calls)


def test_site_health_alerts_go_out_on_the_chat_channel(store: Store, service: Service) -> None:
    from vahti.app.crawl import CrawlSummary
    from vahti.app.health import record_health
    from vahti.config import SiteConfig

    subscribe(store, apprise=f"json://{service.host}/health", kinds=["site.*"])
    site = SiteConfig(url=SITE, unreachable_after=1)
    down = CrawlSummary(site=SITE, started_at=T0, problem="site unreachable: robots.txt answered 503",
                        unreachable=True)
    record_health(store, site, down, T0)
    deliver(store, default_channels(store, FAST, {SITE: "Helsinki"}), FAST, T0)
    (call,) = service.calls
    assert call["body"]["title"] == "Helsinki the site: site unreachable"
    assert "robots.txt answered 503" in call["body"]["message"]


def test_without_apprise_the_channel_is_refused_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from vahti.errors import ConfigError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "apprise" else real(name, *a))
    with pytest.raises(ConfigError, match=r"pip install 'vahti\[chat\]'"):
        SubscriptionConfig.from_dict({"name": "desk", "apprise": "json://127.0.0.1:1/x"})
