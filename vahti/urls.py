"""Measure URLs: canonical form, and the parts of an action page's path.

One rule for every layer: ``/[language/][base path/]actions/<identifier>``.

>>> canonical_url("HTTPS://Ilmastovahti.hel.fi/sv/actions/91/?utm=x#tasks")
'https://ilmastovahti.hel.fi/sv/actions/91'
>>> split_action_path("https://x.example/sv/klima/actions/VW-08")
('sv', '/klima', 'VW-08')
>>> split_action_path("/actions/L3.2/")
(None, '', 'L3.2')
>>> split_action_path("https://x.example/plan/action/CL3")
(None, '/plan', 'CL3')
>>> split_action_path("https://x.example/actions") is None
True
>>> identifier_from_url("https://x.example/de-ch/actions/0.1.1")
'0.1.1'
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

# A language prefix is a BCP 47-ish tag the front end puts first ("sv", "de-ch", "pt-br").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ACTION_PATH = re.compile(r"^(?:/([a-z]{2}(?:-[a-z]{2,4})?)(?=/))?((?:/[^/]+)*?)/actions?/([^/?#]+)/?$", re.I)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no query, fragment or trailing slash."""
    parts = urlsplit(url.strip())
    if not parts.scheme:
        return url.strip()
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))


def canonical_site(base_url: str) -> str:
    """A site's base URL: canonical, without a trailing slash.

    >>> canonical_site("https://Example.org/klima/")
    'https://example.org/klima'
    """
    return canonical_url(base_url).rstrip("/")


def origin(url: str) -> str:
    """Scheme, host and port: what "the same site" means for every URL vahti fetches.

    >>> origin("HTTPS://Example.org/klima/actions/1"), origin("http://example.org:8080/x")
    ('https://example.org:443', 'http://example.org:8080')
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme, 0)
    except ValueError:
        port = -1
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}"


def split_action_path(url: str) -> tuple[str | None, str, str] | None:
    """(language or None, base path or "", identifier) of an action page's URL or path; None otherwise."""
    m = _ACTION_PATH.match(urlsplit(url).path)
    if m is None:
        return None
    lang = m.group(1).lower() if m.group(1) else None
    return lang, m.group(2), _CONTROL.sub("", unquote(m.group(3)))  # %1b… never reaches an identifier


def identifier_from_url(url: str) -> str | None:
    parts = split_action_path(url)
    return parts[2] if parts else None


def report_page(measure_url: str) -> str:
    """Where the web report (``vahti report``) keeps a measure's page, relative to its root.

    >>> report_page("https://ilmastovahti.hel.fi/sv/actions/91")
    'measures/ilmastovahti.hel.fi/sv/actions/91.html'

    Page URLs are the site's to choose: dot segments never climb out of the folder.

    >>> report_page("https://x.example/a/../../../../etc/actions/1")
    'measures/x.example/a/_/_/_/_/etc/actions/1.html'
    """
    parts = urlsplit(canonical_url(measure_url))
    segments = re.sub(r"[^A-Za-z0-9._/-]", "_", unquote(parts.path)).split("/")
    safe = "/".join("_" if seg in (".", "..") else seg for seg in segments if seg) or "index"
    host = re.sub(r"[^A-Za-z0-9.-]", "_", parts.netloc)
    return f"measures/{host}/{safe}.html"


def report_link(report_url: str, measure_url: str) -> str:
    """A measure's page in the web report published at ``report_url`` (``""``: relative to its root).

    >>> report_link("https://r.example/vahti/", "https://x.example/actions/2")
    'https://r.example/vahti/measures/x.example/actions/2.html'
    """
    page = report_page(measure_url)
    return f"{report_url.rstrip('/')}/{page}" if report_url else page
