"""Measure URLs: canonical form and the identifier inside.

>>> canonical_url("HTTPS://Ilmastovahti.hel.fi/sv/actions/91/?utm=x#tasks")
'https://ilmastovahti.hel.fi/sv/actions/91'
>>> identifier_from_url("https://x.example/plan/actions/CL3")
'CL3'
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

_ACTION_PATH = re.compile(r"/actions?/([^/?#]+)/?$")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no query, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    if not parts.scheme:
        return url.strip()
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def identifier_from_url(url: str) -> str | None:
    m = _ACTION_PATH.search(urlsplit(url).path)
    return unquote(m.group(1)) if m else None
