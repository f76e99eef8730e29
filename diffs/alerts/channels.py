"""The ways alerts leave: e-mail (SMTP), webhooks (signed JSON POSTs), Atom files.

A channel that cannot work (no SMTP server configured, say) switches itself off
with a reason, and its messages wait in the outbox. Every third-party error
(smtplib, sockets, httpx) becomes a ``DeliveryError`` here, where it enters.

Webhook receivers verify ``X-Vahti-Signature: sha256=<hex>``, the HMAC-SHA256 of
the raw request body under the shared secret (``docs/alerts.md`` has a receiver),
and drop repeats by the ``Idempotency-Key`` header.
"""

from __future__ import annotations

import hashlib
import importlib.util
import hmac
import json
import logging
import os
import smtplib
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from diffs.alerts.atom import feed_xml, tag, write_atomically
from diffs.alerts.chat import chat_messages
from diffs.alerts.mail import compose
from vahti import __version__
from vahti.config import APPRISE_HINT, AlertsConfig
from vahti.errors import DeliveryError
from vahti.events import ChangeEvent
from vahti.messages import Outgoing
from vahti.redact import redact_url


def signature(secret: str, body: bytes, timestamp: str) -> str:
    """The webhook signature header value: HMAC-SHA256 of ``<timestamp>.<body>``, so a captured request
    cannot be replayed later with a fresh timestamp."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class EmailChannel:
    name = "email"

    def __init__(self, alerts: AlertsConfig, *, names: dict[str, str] | None = None) -> None:
        self.alerts, self.names = alerts, names or {}
        self.disabled = None if alerts.smtp_host else "no smtp_host in the [alerts] configuration"

    def send(self, message: Outgoing) -> None:
        mail = compose(list(message.events), subscription=message.subscription,
                       idempotency_key=message.idempotency_key, sender=self.alerts.from_address, to=message.target,
                       names=self.names, leave=_leave(message), report_url=self.alerts.report_url)
        a = self.alerts
        try:
            with smtplib.SMTP(a.smtp_host or "", a.smtp_port, timeout=a.timeout) as smtp:
                smtp.ehlo()
                if a.smtp_starttls:
                    if not smtp.has_extn("starttls"):
                        raise DeliveryError(f"{a.smtp_host} offers no STARTTLS (set smtp_starttls = false to send "
                                            "in the clear, e.g. to a local relay)")
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                password = a.password()
                if a.smtp_user and password:
                    smtp.login(a.smtp_user, password)
                refused = smtp.send_message(mail)
                if refused:
                    raise DeliveryError(f"recipients refused: {', '.join(refused)}")
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"SMTP {a.smtp_host}:{a.smtp_port}: {type(exc).__name__}: {exc}") from exc


class WebhookChannel:
    name = "webhook"
    disabled: str | None = None

    def __init__(self, alerts: AlertsConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.alerts = alerts
        self.client = httpx.Client(timeout=alerts.timeout, follow_redirects=False, transport=transport,
                                   headers={"User-Agent": f"vahti/{__version__} (webhook)"})

    def send(self, message: Outgoing) -> None:
        shown = redact_url(message.target)  # what an error may say of the URL: never its secrets
        if urlsplit(message.target).scheme not in ("http", "https"):
            raise DeliveryError(f"webhook target is not http(s): {shown!r}")
        body = json.dumps({"idempotency_key": message.idempotency_key, "subscription": message.subscription,
                           "attempt": message.attempt, "events": [e.to_dict() for e in message.events]},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.idempotency_key,
                   "X-Vahti-Delivery": message.idempotency_key}
        headers["X-Vahti-Timestamp"] = timestamp = str(int(time.time()))
        if message.secret_env:
            secret = os.environ.get(message.secret_env)
            if not secret:
                raise DeliveryError(f"${message.secret_env} (the webhook secret) is not set; not sending unsigned")
            headers["X-Vahti-Signature"] = signature(secret, body, timestamp)
        try:
            response = self.client.post(message.target, content=body, headers=headers)
        except (httpx.HTTPError, socket.error) as exc:
            said = str(exc).replace(message.target, shown)
            raise DeliveryError(f"webhook {shown}: {type(exc).__name__}: {said}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook {shown} answered HTTP {response.status_code}")

    def close(self) -> None:
        self.client.close()


class AtomChannel:
    """Keeps a subscription's feed file current: its newest matching events, delivered or not."""

    name = "atom"
    disabled: str | None = None

    def __init__(self, events: Callable[[str], list[ChangeEvent]], *, names: dict[str, str] | None = None,
                 report_url: str | None = None) -> None:
        self.events, self.names = events, names or {}  # events(subscription): its newest, newest first
        self.report_url = report_url

    def send(self, message: Outgoing) -> None:
        events = self.events(message.subscription)
        data = feed_xml(events, title=f"vahti: {message.subscription}", names=self.names,
                        feed_id=tag("subscription", message.subscription), report_url=self.report_url)
        try:
            write_atomically(Path(message.target).expanduser(), data)
        except OSError as exc:
            raise DeliveryError(f"cannot write the feed {message.target}: {exc}") from exc


def _leave(message: Outgoing) -> str:
    return f"run `vahti unsubscribe {message.subscription}`, or remove it from vahti.toml if it is there."



class AppriseChannel:
    """Chat and push services through Apprise (``slack://``, ``msteams://``, ``matrix://``, ``tgram://``,
    ``ntfy://``, ``json://``…): a batch goes out as one Markdown post per measure, to every URL of the
    subscription; a failure retries the batch (at least once, as every channel).

    A target line ``env:VAR`` is read from the environment when sending, so the secret lives
    there, not in the database. Apprise reports failures through its log; they are captured
    and become the ``DeliveryError`` (URLs redacted), so the outbox retries and shows them.
    Apprise is the optional extra ``vahti[chat]``: without it the channel switches itself off.
    """

    name = "apprise"

    def __init__(self, alerts: AlertsConfig, *, names: dict[str, str] | None = None) -> None:
        self.alerts, self.names = alerts, names or {}
        self.disabled = None if importlib.util.find_spec("apprise") is not None else APPRISE_HINT

    def send(self, message: Outgoing) -> None:
        import apprise

        # Apprise's own lines quote target URLs (secrets and all): they stay with the capture below,
        # never reach vahti's log; what failed is reported, redacted, as the DeliveryError.
        logging.getLogger("apprise").propagate = False
        urls = [self._resolve(line) for line in message.target.splitlines() if line.strip()]
        posts = chat_messages(list(message.events), names=self.names, report_url=self.alerts.report_url)
        sender = apprise.Apprise()
        for url in urls:
            timeouts = f"{'&' if '?' in url else '?'}cto={self.alerts.timeout:g}&rto={self.alerts.timeout:g}"
            if not sender.add(url + timeouts):
                raise DeliveryError(f"apprise cannot use the URL {redact_url(url)}")
        with apprise.LogCapture(level=apprise.logging.WARNING, fmt="%(message)s") as log:  # type: ignore[no-untyped-call]
            sent = all([sender.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN)
                        for title, body in posts])  # every post tried, even after a failure
            said = log.getvalue()
        if not sent:
            reason = " ".join(" ".join(dict.fromkeys(said.splitlines())).split())
            for url in urls:  # the library may quote the URL, or parts of it, in what it says
                for secret in {url, *url.split("://", 1)[-1].split("/")}:
                    if len(secret) > 3:
                        reason = reason.replace(secret, "***")
            raise DeliveryError(f"apprise: {reason[:500] or 'not sent'}")

    @staticmethod
    def _resolve(line: str) -> str:
        line = line.strip()
        if line.startswith("env:"):
            value = os.environ.get(line[4:], "").strip()
            if not value:
                raise DeliveryError(f"${line[4:]} (an Apprise URL) is not set; not sending")
            return value
        return line
