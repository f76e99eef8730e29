"""Finding every measure URL of a site: sitemap, list page, prev/next chain, probing.

Sitemaps are parsed safely: a document type declaration (the only door to entity
expansion) is refused outright, sizes are capped, and gzip is decompressed with a
bound.

>>> urls, nested = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
...                              b'<url><loc>https://x.fi/actions/91</loc></url></urlset>')
>>> urls, nested
(['https://x.fi/actions/91'], [])
>>> parse_sitemap(b'<!DOCTYPE lolz [<!ENTITY lol "lol">]><urlset/>')
Traceback (most recent call last):
...
vahti.errors.ParseError: sitemap declares a document type (entity expansion refused)
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import Literal
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser

from scraper.fetch import XML_TYPES, Fetcher, Request
from scraper.robots import Robots
from vahti.config import SiteConfig
from vahti.errors import FetchError, ParseError
from vahti.text import natural_key
from vahti.urls import canonical_url, origin, split_action_path

Source = Literal["sitemap", "list", "chain", "known", "probe"]  # how a measure URL was found

MAX_SITEMAP_BYTES = 20 * 1024 * 1024
MAX_SITEMAPS = 50
MAX_SITEMAP_URLS = 50_000  # per sitemap, as the sitemap protocol allows; more are not read
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index."""
    if body[:2] == b"\x1f\x8b":
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        body = decomp.decompress(body, MAX_SITEMAP_BYTES)
        if decomp.unconsumed_tail:
            raise ParseError("gzipped sitemap expands past the size cap")
    if len(body) > MAX_SITEMAP_BYTES:
        raise ParseError("sitemap over the size cap")
    if _DOCTYPE.search(body[:4096]) or _DOCTYPE.search(body):
        raise ParseError("sitemap declares a document type (entity expansion refused)")
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ParseError(f"sitemap is not well-formed XML: {exc}") from exc
    urls: list[str] = []
    nested: list[str] = []
    kind = root.tag.rsplit("}", 1)[-1]
    for loc in root.iter():
        if loc.tag.rsplit("}", 1)[-1] == "loc" and loc.text and loc.text.strip():
            found = nested if kind == "sitemapindex" else urls
            if len(found) >= MAX_SITEMAP_URLS:
                break
            found.append(loc.text.strip())
    return urls, nested


def action_identifier(url: str, site: SiteConfig, *, from_sitemap: bool = False) -> tuple[str, str | None] | None:
    """(identifier, language or None) when ``url`` is an action page of ``site``.

    The platform's sitemap leaves a plan's base path out (``/actions/VW-08`` for a plan served
    at ``/klima``): from a sitemap, such a URL names the action under the base path.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc.lower()}" != site.origin.lower():
        return None
    found = split_action_path(url)
    if found is None:
        return None
    lang, base, ident = found
    if lang is not None and base == "" and f"/{lang}" == site.base_path.lower():
        lang, base = None, site.base_path  # a two-letter base path, not a language
    if from_sitemap and base == "" and site.base_path:
        base = site.base_path
    if base != site.base_path or (lang is not None and lang not in site.languages):
        return None
    return ident, lang


def links_to_actions(html: bytes, page_url: str, site: SiteConfig) -> list[str]:
    """Action URLs linked from an HTML page (the list page, or any page)."""
    tree = LexborHTMLParser(html)
    out: list[str] = []
    for a in tree.css("a[href]"):
        href = a.attributes.get("href") or ""
        url = canonical_url(urljoin(page_url, href))
        found = action_identifier(url, site)
        if found and url not in out:
            out.append(url)
    return out


def variants(identifier: str, site: SiteConfig) -> list[str]:
    """The page of ``identifier`` in every configured language."""
    return [site.action_url(identifier, lang) for lang in site.languages]


def discover(fetcher: Fetcher, site: SiteConfig, robots: Robots, known: Iterable[str],
             notes: list[str]) -> list[tuple[str, Source]]:
    """(url, source) of every measure page to check, in natural order; how it went goes to ``notes``.

    Sources: the sitemap (and those robots.txt names), the list page, ``known`` URLs
    (from the archive) and the probe range, each page in every configured language.
    """
    found: dict[str, Source] = {}

    def add(urls: Iterable[str], source: Source) -> None:
        for url in urls:
            ident = action_identifier(url, site, from_sitemap=source == "sitemap")
            if ident is None:
                continue
            for variant in variants(ident[0], site):
                found.setdefault(variant, source)

    if site.sitemap:
        add(sitemap_urls(fetcher, site, robots, notes), "sitemap")
    if site.list_page:
        list_url = f"{site.origin}{site.base_path}/actions"
        if robots.allowed(list_url):
            try:
                resp = fetcher.fetch(Request(list_url))
                if resp.status == 200:
                    links = links_to_actions(resp.body, resp.url, site)
                    add(links, "list")
                    notes.append(f"list page: {len(links)} action links")
                else:
                    notes.append(f"list page answered {resp.status}")
            except FetchError as exc:
                notes.append(f"list page failed: {exc}")
    add(known, "known")
    if site.probe:
        lo, hi = site.probe
        add((site.action_url(str(i)) for i in range(lo, hi + 1)), "probe")
    return sorted(found.items(), key=lambda kv: natural_key(kv[0]))


def sitemap_urls(fetcher: Fetcher, site: SiteConfig, robots: Robots, notes: list[str]) -> list[str]:
    """Page URLs of the site's sitemaps (``/sitemap.xml``, those robots.txt names, nested ones)."""
    queue = [f"{site.origin}/sitemap.xml"]
    if robots.parser is not None:
        queue += [u for u in (robots.parser.sitemaps or []) if u not in queue]
    home = origin(site.origin)
    urls: list[str] = []
    done: set[str] = set()
    while queue and len(done) < MAX_SITEMAPS:
        sitemap = queue.pop(0)
        if sitemap in done:
            continue
        done.add(sitemap)
        if origin(sitemap) != home:  # a robots.txt or sitemap index may name any URL: only the site's are read
            notes.append(f"{sitemap}: not on the site (not fetched)")
            continue
        if not robots.allowed(sitemap):
            notes.append(f"{sitemap}: disallowed by robots.txt")
            continue
        try:
            resp = fetcher.fetch(Request(sitemap, accept=XML_TYPES))
            if resp.status != 200:
                notes.append(f"{sitemap}: HTTP {resp.status}")
                continue
            pages, nested = parse_sitemap(resp.body)
        except (FetchError, ParseError) as exc:
            notes.append(f"{sitemap}: {exc}")
            continue
        urls += pages
        queue += nested
        notes.append(f"{sitemap}: {len(pages)} URLs, {len(nested)} nested sitemaps")
    return urls
