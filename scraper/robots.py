"""robots.txt, fetched once per crawl and obeyed (protego), crawl-delay included.

Answers follow RFC 9309: a 4xx robots.txt means no rules (allow all); a 5xx or an
unreachable server means "disallow all" for this crawl, so a broken server is
never hammered, and ``unreachable`` says so: the crawl reports the site as
unreachable, never as "everything disallowed".
"""

from __future__ import annotations

from dataclasses import dataclass

from protego import Protego

from scraper.fetch import Fetcher, HttpFetcher, Request
from vahti.config import SiteConfig
from vahti.errors import FetchError

ROBOTS_TYPES = ("text/plain", "text/html", "application/octet-stream")
MAX_CRAWL_DELAY = 60.0  # seconds: a longer crawl-delay is honoured as this (and said so)


@dataclass
class Robots:
    """The rules for one origin."""

    origin: str
    user_agent: str
    parser: Protego | None  # None: no rules
    allow_all: bool = False
    disallow_all: bool = False
    reason: str = ""
    unreachable: bool = False  # no answer, or a 5xx: the site could not be asked

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        if self.allow_all or self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, self.user_agent))

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.user_agent)
        return float(delay) if delay is not None else None


def fetch_robots(fetcher: Fetcher, origin: str, user_agent: str) -> Robots:
    url = f"{origin}/robots.txt"
    try:
        resp = fetcher.fetch(Request(url, accept=ROBOTS_TYPES))
    except FetchError as exc:
        return Robots(origin, user_agent, None, disallow_all=True, reason=f"robots.txt unreachable: {exc}",
                      unreachable=True)
    if 400 <= resp.status < 500:
        return Robots(origin, user_agent, None, allow_all=True, reason=f"robots.txt answered {resp.status}")
    if resp.status != 200:
        return Robots(origin, user_agent, None, disallow_all=True, reason=f"robots.txt answered {resp.status}",
                      unreachable=resp.status >= 500)
    text = resp.body[:500_000].decode("utf-8", errors="replace")
    return Robots(origin, user_agent, Protego.parse(text), reason="robots.txt read")


def site_robots(fetcher: Fetcher, site: SiteConfig) -> Robots:
    """The rules a crawl of ``site`` obeys (none when it ignores robots.txt); a crawl-delay slows the fetcher."""
    if not site.respect_robots:
        return Robots(site.origin, site.user_agent, None, allow_all=True, reason="robots.txt ignored")
    robots = fetch_robots(fetcher, site.origin, site.user_agent)
    delay = robots.crawl_delay()
    if delay is not None and not 0 <= delay <= MAX_CRAWL_DELAY:  # 1e20, inf, nan, -1
        robots.reason += f"; crawl-delay {delay:g} s taken as {MAX_CRAWL_DELAY:g} s"
        delay = MAX_CRAWL_DELAY
    if delay and isinstance(fetcher, HttpFetcher):
        fetcher.limiter.slow_down(site.origin.split("://", 1)[1].split(":")[0], delay)
    return robots
