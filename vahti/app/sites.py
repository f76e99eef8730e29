"""``vahti sites add``: ask a site what it is, then watch it.

Detection reads the page the user named (or, when that is the plan's front page or answers
nothing useful, an action page found through its links or the site's sitemap): the plan's name,
its primary and other languages, the base path and the markup generation, from the page's
embedded data (``scraper.plan_facts``) and its parse. Every request goes through the crawler's
polite fetcher (robots.txt, rate, the site's own origin only). A URL that shows no Kausal Watch
plan is refused with a hint.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from scraper import parse
from scraper.discover import links_to_actions, sitemap_urls
from scraper.fetch import HttpFetcher, Request, Response
from scraper.plan_facts import PlanFacts, plan_facts
from scraper.robots import site_robots
from storage import sites as site_rows
from storage.store import Store
from vahti.clock import utcnow
from vahti.config import SiteConfig
from vahti.errors import ConfigError, FetchError
from vahti.urls import canonical_url, split_action_path

MAX_PROBES = 4  # pages detection may read after the one named


@dataclass(frozen=True, slots=True)
class Detected:
    """What a site says about itself."""

    url: str  # the site's base URL: origin and base path
    plan_name: str | None
    plan_identifier: str | None
    languages: tuple[str, ...]
    base_path: str
    generation: str
    told_by: str  # the page that said it

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "plan_name": self.plan_name, "plan_identifier": self.plan_identifier,
                "languages": list(self.languages), "base_path": self.base_path, "generation": self.generation,
                "told_by": self.told_by}


class NotAPlan(ConfigError):
    """The URL shows no Kausal Watch plan."""


def detect(url: str, *, timeout: float = 15.0, rate: float = 1.0, contact: str | None = None) -> Detected:
    """Read the site at ``url`` (its front page, base path or an action page) and say what it is."""
    given = canonical_url(url)
    parts = urlsplit(given)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"not a web address: {url!r} (give e.g. https://ilmastovahti.hel.fi)")
    origin = f"{parts.scheme}://{parts.netloc}"
    action = split_action_path(given)
    guess_base = action[1] if action else (parts.path.rstrip("/") if parts.path != "/" else "")
    probe = SiteConfig(url=origin + guess_base, rate=rate, retries=1, backoff=0.2, max_backoff=2.0, timeout=timeout,
                       contact=contact)
    fetcher = HttpFetcher(probe)
    try:
        robots = site_robots(fetcher, probe)
        if robots.unreachable:
            raise NotAPlan(f"{origin} does not answer ({robots.reason}); check the address")
        queue, tried, sitemap_read = [given], 0, False
        facts: PlanFacts | None = None
        generation = "unknown"
        record_plan = record_lang = None
        told_by = given
        while queue and tried <= MAX_PROBES:
            page = queue.pop(0)
            tried += 1
            resp = _get(fetcher, page) if robots.allowed(page) else None
            if resp is not None:
                found = plan_facts(resp.body, resp.url)
                result = parse(resp.body, resp.url)
                is_action = result.record is not None and result.meta.verdict != "not_a_measure"
                if found.is_kausal and (facts is None or not facts.is_kausal):
                    facts, told_by, generation = found, resp.url, result.meta.generation
                if is_action and result.record is not None:
                    record_plan, record_lang = result.record.plan, result.record.language
                    facts, told_by, generation = facts or found, resp.url, result.meta.generation
                    break
                # Not an action page: try one it links to.
                site = replace(probe, url=origin + _base(facts, guess_base))
                queue += [u for u in links_to_actions(resp.body, resp.url, site)[:2] if u not in queue]
            if not queue and not sitemap_read:  # else the sitemap's first actions
                sitemap_read = True
                site = replace(probe, url=origin + _base(facts, guess_base))
                found_urls = [split_action_path(u) for u in sitemap_urls(fetcher, site, robots, [])]
                queue = [site.action_url(p[2]) for p in found_urls if p is not None][:3]
        if facts is None and record_plan is None:
            raise NotAPlan(f"{given} shows no Kausal Watch plan (no plan data and no action page found); give the "
                           "address of a plan, e.g. https://ilmastovahti.hel.fi or one of its /actions/ pages")
    finally:
        fetcher.close()
    assert facts is not None or record_lang is not None
    languages = facts.languages if facts and facts.languages else ((record_lang,) if record_lang else ("fi",))
    base = facts.base_path if facts and facts.base_path is not None else guess_base
    return Detected(url=origin + base, plan_name=(facts.plan_name if facts else None) or record_plan,
                    plan_identifier=facts.plan_identifier if facts else None, languages=languages, base_path=base,
                    generation=generation, told_by=told_by)


def _base(facts: PlanFacts | None, guess: str) -> str:
    return facts.base_path if facts is not None and facts.base_path is not None else guess


def _get(fetcher: HttpFetcher, url: str) -> Response | None:
    try:
        resp = fetcher.fetch(Request(url))
    except FetchError:
        return None
    return resp if resp.status == 200 and resp.body else None


def add(store: Store, url: str, *, every: str | None = None, cron: str | None = None, rate: float | None = None,
        name: str | None = None, languages: tuple[str, ...] = (), timeout: float = 15.0,
        contact: str | None = None) -> tuple[Detected, SiteConfig, bool]:
    """Detect the site at ``url`` and watch it: (what it said, how it will be crawled, newly watched)."""
    found = detect(url, timeout=timeout, contact=contact, rate=rate or 1.0)
    settings: dict[str, Any] = {"url": found.url, "languages": list(languages or found.languages)}
    if cron:
        settings["cron"] = cron
    elif every:
        settings["every"] = every
    if rate is not None:
        settings["rate"] = rate
    if name or found.plan_name:
        settings["name"] = name or found.plan_name
    config = SiteConfig.from_dict(settings, where="sites add")  # the same checks as a [[site]] table
    with store.transaction() as session:
        _, new = site_rows.watch(session, settings, plan_name=found.plan_name, generation=found.generation,
                                 at=utcnow())
    return found, config, new


def watched(store: Store) -> list[SiteConfig]:
    """Every watched site, as ``vahti crawl`` with no ``--site`` crawls it."""
    with store.reading() as session:
        return [SiteConfig.from_dict(s, where=f"stored site {s.get('url')}") for s in site_rows.watched_settings(session)]
