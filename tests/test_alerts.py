"""Alerts on real parts: an SMTP server (aiosmtpd), a webhook receiver, Atom read by feedparser."""

from __future__ import annotations

import datetime as dt
import email
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import select

from helpers import ROOT, vahti_here
from diffs.alerts.atom import feed_xml
from diffs.alerts.channels import EmailChannel, WebhookChannel, signature
from vahti.app.delivery import default_channels, deliver
from storage.subscriptions import sync_config
from scraper import parse
from storage.models import Message
from storage.store import FetchInfo, Store
from vahti.config import AlertsConfig, SubscriptionConfig
from vahti.app.ingest import ingest
from vahti.samples.pages import app_router_page
from vahti.samples.spec import spec_91
from vahti.samples.site import sample_site

SITE = "https://ilmastovahti.hel.fi"
T0 = dt.datetime(2020, 10, 1, 8, tzinfo=dt.timezone.utc)
FAST = AlertsConfig(max_attempts=3, retry_base=10.0, timeout=5.0)


def subscribe(store: Store, *subs: SubscriptionConfig) -> None:
    with store.transaction() as session:
        sync_config(session, subs, T0)


def crawl_day(store: Store, day: int, when: dt.datetime) -> int:
    """Ingest the sample site as it stood on ``day`` (without HTTP: the pipeline after fetching)."""
    n = 0
    for path, (body, _) in sample_site(day).items():
        if path.startswith("/actions/"):
            url = SITE + path
            n += len(ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 200), result=parse(body, url),
                            body=body).events)
    return n


def sub(name: str, channel: str, target: str, **kw: Any) -> SubscriptionConfig:
    return SubscriptionConfig.from_dict({"name": name, channel: target, **kw})


# -- Atom ---------------------------------------------------------------------------------

def test_atom_feed_is_valid_stable_and_escaped(store: Store, tmp_path: Path) -> None:
    spec = spec_91("fi")
    ingest(store, site=SITE, url=SITE + "/actions/91", fetch=FetchInfo(T0, 200),
           result=parse(app_router_page(spec), SITE + "/actions/91"))
    spec["tasks"].append({"id": "666", "name": "<script>alert('x')</script> & co", "state": "NOT_STARTED",
                          "dueAt": "2021-01-01", "completedAt": None, "comment": None, "dateFormat": None})
    spec["updated_day"] = "2020-10-02"
    ingest(store, site=SITE, url=SITE + "/actions/91", fetch=FetchInfo(T0 + dt.timedelta(days=1), 200),
           result=parse(app_router_page(spec), SITE + "/actions/91"))
    out = tmp_path / "feed.xml"
    db = str(store.engine.url.database) if store.engine.dialect.name == "sqlite" else \
        store.engine.url.render_as_string(hide_password=False)
    vahti_here("feed", "--db", db, "--out", str(out))
    first = out.read_bytes()
    vahti_here("feed", "--db", db, "--out", str(out))
    assert out.read_bytes() == first  # same events, same feed: ids and times stay put
    parsed = feedparser.parse(first)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert any("<script>alert('x')</script> & co" in t for t in titles)  # text, not markup
    assert b"<script>" not in first
    added = next(e for e in parsed.entries if "Task added" in e.title)
    assert added.link == SITE + "/actions/91" and added.updated == "2020-10-02T08:00:00Z"
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)


def test_feed_of_nothing_is_still_valid() -> None:
    parsed = feedparser.parse(feed_xml([], title="vahti: none", feed_id="tag:vahti.invalid,2019:feed:none"))
    assert not parsed.bozo and parsed.entries == []


# -- e-mail ---------------------------------------------------------------------------------

class _Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_email_digest_to_a_real_smtp_server(store: Store, smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    alerts = AlertsConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, from_address="vahti@example.org")
    subscribe(store, sub("desk", "email", "desk@example.org", kinds=["task.*", "contact.*", "updated.changed"]))
    crawl_day(store, 1, T0)
    crawl_day(store, 2, T0 + dt.timedelta(days=1))
    report = deliver(store, {"email": EmailChannel(alerts, names={SITE: "Helsinki"})}, alerts,
                     T0 + dt.timedelta(days=1, minutes=5))
    assert len(report.sent) == 1 and not report.failed
    (msg,) = inbox.messages
    assert msg["To"] == "desk@example.org" and msg["From"] == "vahti@example.org"
    assert msg["Message-ID"] == f"<{report.sent[0]}@vahti.invalid>"
    assert msg["Subject"].startswith("Helsinki: ") and "measures" in msg["Subject"]
    assert "task completed" in msg["Subject"] and "contact replaced" in msg["Subject"]
    text = msg.get_body(("plain",)).get_content()
    page = msg.get_body(("html",)).get_content()
    assert "✔ Task completed: Koululaisille" in text and "− Contact removed: Anssi Almgren" in text
    assert "desk" in text and "vahti unsubscribe desk" in text
    assert 'name="viewport"' in page and "Liisa Laine" in page and "vahti unsubscribe desk" in page
    # A second round has nothing new to send.
    assert deliver(store, {"email": EmailChannel(alerts)}, alerts, T0 + dt.timedelta(days=2)).sent == []


def test_email_escapes_page_content(store: Store, smtp: tuple[_Inbox, int]) -> None:
    inbox, port = smtp
    alerts = AlertsConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    subscribe(store, sub("desk", "email", "desk@example.org"))
    spec = spec_91("fi")
    url = SITE + "/actions/91"
    ingest(store, site=SITE, url=url, fetch=FetchInfo(T0, 200), result=parse(app_router_page(spec), url))
    spec["tasks"][0]["name"] = '<img src=x onerror="alert(1)">Koulut'
    ingest(store, site=SITE, url=url, fetch=FetchInfo(T0 + dt.timedelta(hours=1), 200),
           result=parse(app_router_page(spec), url))
    deliver(store, {"email": EmailChannel(alerts)}, alerts, T0 + dt.timedelta(hours=2))
    html_part = inbox.messages[-1].get_body(("html",)).get_content()
    assert "<img src=x" not in html_part and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Koulut" in html_part


def test_email_over_starttls_with_a_verified_certificate(store: Store, tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    import ssl

    from aiosmtpd.controller import Controller

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True)
    controller.start()
    try:
        subscribe(store, sub("desk", "email", "desk@example.org"))
        crawl_day(store, 1, T0)
        os.environ["SSL_CERT_FILE"] = str(cert)  # trust the test certificate (only for this process)
        try:
            alerts = AlertsConfig(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=True)
            report = deliver(store, {"email": EmailChannel(alerts)}, alerts, T0 + dt.timedelta(minutes=1))
        finally:
            del os.environ["SSL_CERT_FILE"]
        assert len(report.sent) == 1 and len(inbox.messages) == 1
    finally:
        controller.stop()


def test_a_channel_without_configuration_waits_instead_of_failing(store: Store) -> None:
    subscribe(store, sub("desk", "email", "desk@example.org"))
    crawl_day(store, 1, T0)
    alerts = AlertsConfig()
    report = deliver(store, {"email": EmailChannel(alerts)}, alerts, T0)
    assert report.skipped == [("desk", "no smtp_host in the [alerts] configuration")] and not report.failed
    with store.reading() as session:
        assert [m.status for m in session.scalars(select(Message))] == ["pending"]


# -- webhooks --------------------------------------------------------------------------------

class Receiver:
    """A real HTTP receiver on 127.0.0.1 that checks signatures; answers scripted statuses."""

    def __init__(self, secret: str) -> None:
        self.secret, self.statuses, self.calls, self.hang = secret, [], [], 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers.get("X-Vahti-Timestamp", "")
                ok = self.headers.get("X-Vahti-Signature") == signature(receiver.secret, body, stamp)
                receiver.calls.append({"at": time.monotonic(), "key": self.headers.get("Idempotency-Key"),
                                       "signed": ok, "body": json.loads(body)})
                if receiver.hang:
                    time.sleep(receiver.hang)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status if ok else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("VAHTI_TEST_HOOK_SECRET", "s3cret-for-tests")
    r = Receiver("s3cret-for-tests")
    yield r
    r.close()


def test_webhook_is_signed_and_retried_with_backoff_then_marked_failed(
        store: Store, receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    subscribe(store, sub("bot", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET", kinds=["task.*"]))
    crawl_day(store, 1, T0)
    crawl_day(store, 2, T0 + dt.timedelta(days=1))
    channel = WebhookChannel(FAST)
    receiver.statuses = [500, 500, 500]
    now = T0 + dt.timedelta(days=1, minutes=1)
    first = deliver(store, {"webhook": channel}, FAST, now)
    assert len(first.retrying) == 1 and not first.sent
    assert deliver(store, {"webhook": channel}, FAST, now + dt.timedelta(seconds=1)).retrying == []  # not due yet
    with store.reading() as session:
        (msg,) = session.scalars(select(Message))
        wait1 = (msg.next_attempt_at - now).total_seconds()
    assert 5 <= wait1 <= 10  # retry_base 10 s, jitter 0.5..1
    second = deliver(store, {"webhook": channel}, FAST, now + dt.timedelta(seconds=wait1))
    assert len(second.retrying) == 1
    with store.reading() as session:
        (msg,) = session.scalars(select(Message))
        wait2 = (msg.next_attempt_at - now).total_seconds() - wait1
    assert 10 <= wait2 <= 20  # doubled
    third = deliver(store, {"webhook": channel}, FAST, now + dt.timedelta(minutes=5))
    assert len(third.failed) == 1 and "HTTP 500" in third.failed[0][1]
    assert len(receiver.calls) == 3 and all(c["signed"] for c in receiver.calls)
    assert len({c["key"] for c in receiver.calls}) == 1  # the same message each time
    shown = subprocess.run([sys.executable, "-c", "from cli import main; main()", "deliveries", "--status", "failed",
                            "--db", store.engine.url.render_as_string(hide_password=False)
                            if store.engine.dialect.name != "sqlite" else str(store.engine.url.database)],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "failed   bot: 2 event(s), 3 attempt(s)" in shown and "HTTP 500" in shown
    # The next crawl's events still go out, in a new message.
    crawl_day(store, 3, T0 + dt.timedelta(days=2))
    later = deliver(store, {"webhook": channel}, FAST, T0 + dt.timedelta(days=2, minutes=1))
    assert len(later.sent) == 1
    body = receiver.calls[-1]["body"]
    assert {e["kind"] for e in body["events"]} == {"task.renamed"} and receiver.calls[-1]["signed"]
    assert "s3cret-for-tests" not in caplog.text
    channel.close()


def test_webhook_without_its_secret_is_not_sent_unsigned(store: Store, receiver: Receiver,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAHTI_TEST_HOOK_SECRET")
    subscribe(store, sub("bot", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET"))
    crawl_day(store, 1, T0)
    report = deliver(store, {"webhook": WebhookChannel(FAST)}, FAST, T0)
    assert receiver.calls == [] and "not sending unsigned" in report.retrying[0][1]


def test_one_message_per_crawl_and_daily_digests(store: Store, receiver: Receiver, tmp_path: Path) -> None:
    subscribe(store, sub("now", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET"),
              sub("digest", "atom", str(tmp_path / "digest.xml"), mode="daily", digest_hour=7),
              sub("contacts", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET", kinds=["contact.*"],
                  text="Laine"))
    channels = {"webhook": WebhookChannel(FAST), "atom": default_channels(store, FAST, {})["atom"]}
    crawl_day(store, 1, T0.replace(hour=5))
    r1 = deliver(store, channels, FAST, T0.replace(hour=5, minute=1))
    assert len(r1.sent) == 1  # "now": the whole crawl in one message; the digest waits for 07:00
    assert len(receiver.calls[0]["body"]["events"]) == 12
    crawl_day(store, 2, T0.replace(hour=6))
    r2 = deliver(store, channels, FAST, T0.replace(hour=6, minute=1))
    assert len(r2.sent) == 2  # "now" and "contacts" (only Liisa Laine's arrival)
    contacts = next(c for c in receiver.calls[1:] if len(c["body"]["events"]) == 1)["body"]["events"]
    assert [e["kind"] for e in contacts] == ["contact.added"]
    assert not (tmp_path / "digest.xml").exists()
    r3 = deliver(store, channels, FAST, T0.replace(hour=7, minute=0))
    assert len(r3.sent) == 1
    digest = feedparser.parse((tmp_path / "digest.xml").read_bytes())
    assert not digest.bozo and len(digest.entries) == 12 + 10  # day 2: 9 changes and measure 3's change-log entry
    assert deliver(store, channels, FAST, T0.replace(hour=9)).sent == []  # once a day


DELIVER = """
import sys, datetime as dt
from diffs.alerts.channels import WebhookChannel
from vahti.app.delivery import default_channels, deliver
from storage.store import Store
from vahti.config import AlertsConfig
alerts = AlertsConfig(max_attempts=5, retry_base=1.0, timeout=30.0)
store = Store.open(sys.argv[1])
print(deliver(store, {"webhook": WebhookChannel(alerts)}, alerts,
              dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)).to_dict(), flush=True)
"""


def test_a_deliverer_killed_mid_send_loses_nothing_and_repeats_at_most_once(tmp_path: Path,
                                                                            receiver: Receiver) -> None:
    db = tmp_path / "vahti.db"
    store = Store.open(str(db))
    subscribe(store, sub("bot", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET"))
    crawl_day(store, 1, T0)
    store.close()
    receiver.hang = 30  # the receiver takes the message, then the deliverer dies before hearing back
    env = {**os.environ, "VAHTI_TEST_HOOK_SECRET": "s3cret-for-tests"}
    proc = subprocess.Popen([sys.executable, "-c", DELIVER, str(db)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not receiver.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver.calls, "the deliverer never sent"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    receiver.hang = 0
    again = subprocess.run([sys.executable, "-c", DELIVER, str(db)], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    keys = [c["key"] for c in receiver.calls]
    assert len(keys) == 2 and keys[0] == keys[1]  # one duplicate, recognisable by its key
    assert len(receiver.calls[1]["body"]["events"]) == 12  # nothing lost
    store = Store.open(str(db))
    with store.reading() as session:
        assert [m.status for m in session.scalars(select(Message))] == ["sent"]


def test_two_deliverers_at_once_send_each_message_once(tmp_path: Path, receiver: Receiver) -> None:
    """Two daemons on one database: the delivery round is one at a time (a lease), never a double send."""
    db = str(tmp_path / "vahti.db")
    store = Store.open(db)
    subscribe(store, sub("bot", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET"))
    crawl_day(store, 1, T0)
    receiver.hang = 1.0  # a slow receiver: the rounds overlap
    other = Store.open(db)
    reports: list[Any] = []
    threads = [threading.Thread(target=lambda s=s: reports.append(deliver(s, {"webhook": WebhookChannel(FAST)}, FAST,
                                                                          T0 + dt.timedelta(minutes=1))))
               for s in (store, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    keys = [c["key"] for c in receiver.calls]
    assert len(keys) == len(set(keys)) == 1
    assert sorted(len(r.sent) for r in reports) == [0, 1]
    assert any(reason == "another process is delivering now" for r in reports for _, reason in r.skipped)


def test_a_crawls_events_wait_for_it_to_finish_and_go_in_one_message(store: Store, receiver: Receiver) -> None:
    from storage.locks import acquire, release

    subscribe(store, sub("bot", "webhook", receiver.url, secret_env="VAHTI_TEST_HOOK_SECRET"))
    assert acquire(store, f"crawl:{SITE}", owner="crawler")  # the crawl of the site is running
    crawl_day(store, 1, T0)
    assert deliver(store, {"webhook": WebhookChannel(FAST)}, FAST, T0).sent == []  # half a crawl: not yet
    release(store, f"crawl:{SITE}", owner="crawler")
    assert len(deliver(store, {"webhook": WebhookChannel(FAST)}, FAST, T0).sent) == 1
    (call,) = receiver.calls
    assert len(call["body"]["events"]) == 12  # the whole crawl, in one message
