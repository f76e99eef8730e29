"""Secrets out of sight: URLs as they may be printed, logged or stored in an error text.

Webhook and chat URLs carry their secrets in the password, in query values
(``?token=…``) or in the path (``/services/T0/B0/XXXX``, ``slack://tokenA/tokenB``);
every place vahti shows or logs a URL shows it through ``redact_url``.

>>> redact_url("https://user:pw@hooks.example.org/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX?token=abc&x=1")
'https://user:***@hooks.example.org/services/T000/B000/X…X?token=***&x=1'
>>> redact_url("slack://TokenAAAAAAAA/TokenBBBBBBBBB/TokenCCCCCCCCCCC/#general")
'slack://T…A/T…B/T…C/#general'
>>> redact_url("json://127.0.0.1:8080/hook")
'json://127.0.0.1:8080/hook'
>>> redact_url("env:DESK_SLACK_URL")
'env:DESK_SLACK_URL'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_KEYS = re.compile(r"token|secret|key|sig|pass|auth|code|hook|webhook", re.I)
_TOKENISH = re.compile(r"[A-Za-z0-9_\-]{16,}")  # a long run of letters and digits: a secret, not a word
_PLAIN_HOST = re.compile(r"^(?:localhost|[\d.]+|\[[0-9a-fA-F:]+\]|[^/]*\.[^/]*)$")


def _mask(part: str) -> str:
    return f"{part[0]}…{part[-1]}" if len(part) > 2 else "***"


def redact_url(url: str) -> str:
    """``url`` with its password, secret-looking query values and token-like path parts masked."""
    if url.startswith("env:") or "://" not in url:
        return url
    try:
        parts = urlsplit(url.strip())
        netloc = parts.netloc
        http = parts.scheme.lower() in ("http", "https")
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:***@{host}" if ":" in userinfo else f"{_mask(user) if not http else user}@{host}"
        host_only = netloc.rsplit("@", 1)[-1]
        if not http and not _PLAIN_HOST.match(host_only.split(":")[0] or "x"):
            netloc = netloc[: len(netloc) - len(host_only)] + _mask(host_only)  # a chat URL's host is a token
        segments = [(_mask(s) if (not http and len(s) > 6) or _TOKENISH.fullmatch(s) else s)
                    for s in parts.path.split("/")]
        query = urlencode([(k, "***" if _SECRET_KEYS.search(k) else v) for k, v in parse_qsl(parts.query)],
                          safe="*")
        return urlunsplit((parts.scheme, netloc, "/".join(segments), query, parts.fragment))
    except ValueError:
        return "<a URL that could not be read>"
