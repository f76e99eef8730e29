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
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from selectolax.lexbor import LexborHTMLParser

from scraper.urls import canonical_url
from vahti.config import SiteConfig
from vahti.errors import ParseError

MAX_SITEMAP_BYTES = 20 * 1024 * 1024
MAX_SITEMAPS = 50
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
            (nested if kind == "sitemapindex" else urls).append(loc.text.strip())
    return urls, nested


def action_identifier(url: str, site: SiteConfig) -> tuple[str, str | None] | None:
    """(identifier, language or None) when ``url`` is an action page of ``site``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc.lower()}" != site.origin.lower():
        return None
    path = parts.path.rstrip("/")
    base = re.escape(site.base_path)
    m = re.fullmatch(rf"(?:/([a-z]{{2}}(?:-[a-z]{{2}})?))?{base}/actions?/([^/]+)", path, re.I)
    if not m:
        return None
    lang = m.group(1).lower() if m.group(1) else None
    if lang is not None and lang not in site.languages:
        return None
    return unquote(m.group(2)), lang


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
