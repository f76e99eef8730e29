"""What a Kausal Watch page says about its plan: name, languages, base path.

Every page of the platform carries its plan in the embedded data (``__NEXT_DATA__`` or the RSC
payload, where the JSON sits inside JavaScript strings with its quotes escaped): ``primaryLanguage``,
``otherLanguages``, ``domain.basePath``, the plan's ``name``. Read with bounded patterns over the
page text (no second HTML parse: the markup generation comes from the page's ``parse``); a page
with none of them is not a Kausal Watch plan.

>>> facts = plan_facts(b'<html lang="de"><script>{"plan":{"id":"k","identifier":"k","name":"Klima 2030",'
...                    b'"primaryLanguage":"de","otherLanguages":["en"],"domain":{"basePath":"/klima"}}}</script>',
...                    "https://example.org/klima/actions/1")
>>> facts.plan_name, facts.primary_language, facts.other_languages, facts.base_path
('Klima 2030', 'de', ('en',), '/klima')
>>> plan_facts(b"<html><body>Hello</body></html>", "https://example.org/").is_kausal
False
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from scraper.text import clean

_Q = r'\\*"'  # a quote, escaped or not (RSC strings escape the JSON's quotes)
_PRIMARY = re.compile(_Q + r"primaryLanguage" + _Q + r":" + _Q + r"([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)" + _Q)
_OTHERS = re.compile(_Q + r"otherLanguages" + _Q + r":\[([^\]]{0,400})\]")
_BASE = re.compile(_Q + r"basePath" + _Q + r":" + _Q + r"(/[A-Za-z0-9._~%/-]{0,100})" + _Q)
_PLAN = re.compile(_Q + r"plan" + _Q + r":\{" + _Q + r"id" + _Q + r":" + _Q + r"[^\"\\]{0,100}" + _Q + r"," + _Q
                   + r"identifier" + _Q + r":" + _Q + r"([^\"\\]{1,100})" + _Q + r"," + _Q + r"name" + _Q + r":"
                   + _Q + r"((?:[^\"\\]|\\\\*u[0-9a-fA-F]{4}|\\\\+[^\"u]){1,300}?)" + _Q)
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")
_SCAN = 4 * 1024 * 1024  # the plan's facts come early in the payload; never scan more of a page


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """A plan as one of its pages describes it; ``None`` where the page does not say."""

    plan_name: str | None
    plan_identifier: str | None
    primary_language: str | None
    other_languages: tuple[str, ...]
    base_path: str | None

    @property
    def is_kausal(self) -> bool:
        return self.primary_language is not None or self.plan_identifier is not None

    @property
    def languages(self) -> tuple[str, ...]:
        first = (self.primary_language,) if self.primary_language else ()
        return first + tuple(x for x in self.other_languages if x not in first)


def plan_facts(body: bytes, url: str) -> PlanFacts:
    """The plan facts of one fetched page (a pure function of its bytes)."""
    text = body[:_SCAN].decode("utf-8", errors="replace")
    primary = _PRIMARY.search(text)
    others = _OTHERS.search(text)
    base = _BASE.search(text)
    plan = _PLAN.search(text)
    return PlanFacts(
        plan_name=_unescape(plan.group(2)) if plan else None,
        plan_identifier=plan.group(1) if plan else None,
        primary_language=_lang(primary.group(1)) if primary else None,
        other_languages=tuple(_lang(x) for x in _LANG.findall(others.group(1))) if others else (),
        base_path=(base.group(1).rstrip("/") or "") if base else None,
    )


def _lang(tag: str) -> str:
    return tag.split("-")[0].lower()


def _unescape(raw: str) -> str:
    """A JSON string's content that may sit one JavaScript string deep (``\\\\u00e4``, ``\\\\\\"``)."""
    value = raw
    for _ in range(3):
        try:
            decoded = json.loads(f'"{value}"')
        except ValueError:
            break
        if decoded == value:
            break
        value = decoded
    return clean(value)
