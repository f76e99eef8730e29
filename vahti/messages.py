"""A message on its way to a subscriber, and the protocol of the channels that send it.

The outbox (``storage.outbox``) makes ``Outgoing`` messages, the delivery round
(``vahti.app.delivery``) hands them to a ``Channel`` (``diffs.alerts.channels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from vahti.config import Mode
from vahti.events import ChangeEvent


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message on its way: what a channel needs to send it."""

    message_id: int
    idempotency_key: str
    subscription: str
    channel: str  # a ChannelName, or one this vahti does not know (the round skips it, saying so)
    target: str
    mode: Mode
    secret_env: str | None
    events: tuple[ChangeEvent, ...]
    attempt: int


class Channel(Protocol):
    """Sends messages one way (e-mail, webhook, Atom file). ``disabled`` says why it cannot."""

    name: str
    disabled: str | None

    def send(self, message: Outgoing) -> None: ...
