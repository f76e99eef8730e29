"""``parse(body, url) -> ParseResult``: one action page into one record.

A pure function of its input: no I/O, no clock, no globals that change.

Paths, in order: the embedded JSON (``__NEXT_DATA__`` Apollo cache on classic and
pages-router pages, the RSC payload on app-router pages), then the DOM alone.
When the JSON serves, the DOM still supplies what only the rendered page says
(the "updated" day as shown, the order tasks are drawn in).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper import apollo, detect, rsc
from scraper.decode import decode, load_json, utf8_declared
from scraper.from_dom import DomRead, dom_reader, measure_from_dom, what_json_needs
from scraper.from_json import JsonRead, measure_from_action
from scraper.scripts import Embedded, from_action_root, head_title_only, without_styles
from vahti.text import fold
from vahti.urls import canonical_url
from vahti.record import Measure, ParseMeta, ParseResult, Task

PARSER_VERSION = "vahti-parser/1.0"
_LEADING_SPACE = re.compile(r"\s*")


def parse(body: bytes | str, url: str) -> ParseResult:
    """Parse one page. Never raises for bad content; ``InputTooLarge`` past the cap."""
    url = canonical_url(url)
    warnings: list[str] = []
    # The big data scripts are cut out first; lexbor and every text check get only the markup.
    # UTF-8 pages (nearly all) stay bytes: only the markup is decoded (which also checks it is
    # UTF-8), the scripts go to the JSON decoder as they are.
    page: Embedded[bytes] | Embedded[str]
    lite: bytes | str  # what lexbor gets: with embedded data, the markup without its <style> elements
    text_problems: list[str] = []  # the page's text itself is damaged: degraded whatever else it says
    split = _split_utf8(body)
    if split is not None:
        page, lite, text = split
        next_data: str | bytes | None = page.next_data  # (its checks read it as bytes; never decoded whole)
    else:
        whole, encoding = decode(body, url=url)
        if encoding in ("cp1252", "utf-8-with-errors"):
            warnings.append(f"body decoded as {encoding}")
        raw_fffd = body.count(b"\xef\xbf\xbd") if isinstance(body, bytes) else 0
        if encoding not in ("str", "cp1252") and whole.count("\ufffd") > raw_fffd:
            # Declared one charset, written in another: its text is partly lost, never "ok".
            text_problems.append(f"the text does not decode as its declared charset ({encoding}): "
                                 f"{whole.count(chr(0xfffd)) - raw_fffd} characters lost")
        page = Embedded.split(whole)
        text = without_styles(page.markup) if page.has_data else page.markup
        lite, next_data = text, page.next_data

    def refuse(reason: str, generation: str = "unknown") -> ParseResult:
        return ParseResult(None, ParseMeta(
            verdict="not_a_measure", reasons=(reason,), generation=generation,  # type: ignore[arg-type]
            extraction="dom", parser=PARSER_VERSION, warnings=tuple(warnings)))

    start = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]  # (no copy of the page)
    if start == len(text):
        return refuse("empty body")
    if not detect.looks_like_html(text, start):
        return refuse("not an HTML document")
    # The embedded-data path reads no CSS: lexbor gets the markup without its <style> elements (the
    # DOM-only path, which reads the active phase from them, parses it whole below).
    tree = LexborHTMLParser(lite)
    generation = detect.generation(tree, text, next_data, flight=page.has_flight)
    language, lang_tag, lang_warnings = detect.language(tree, url, next_data)
    warnings.extend(lang_warnings)
    reason = detect.not_a_measure(tree)
    if reason:
        return refuse(reason, generation)
    if detect.truncated(text):
        return refuse("truncated document (no closing </html>)", generation)

    # Embedded data first; it needs only a little of the DOM (a light read).
    reader = dom_reader(tree, url=url, language=language, lang_tag=lang_tag, generation=generation)
    light = what_json_needs(reader)
    jread = _from_embedded(page, generation, url, language, light.identifier, warnings, text_problems)
    if jread is None and lite is not page.markup:
        tree = LexborHTMLParser(page.markup)
        reader = dom_reader(tree, url=url, language=language, lang_tag=lang_tag, generation=generation)
    dom = light if jread is not None else measure_from_dom(reader)

    record: Measure
    if jread is not None:
        record = _merge(jread, light, warnings)
        extraction = "embedded-json"
        unobserved = set(jread.unobserved)
        problems = [p for p in light.problems if "updated" in p]
        warnings.extend(jread.warnings)
        if not light.has_h1:
            warnings.append("embedded data found but the rendered page has no action heading")
        if not record.name:
            problems.append("no action name")
    elif dom.record is not None:
        record = dom.record
        extraction = "dom"
        unobserved = set(dom.unobserved)
        problems = list(dom.problems)
    else:
        if generation == "classic" and tree.css_first("#__next") is not None and not _text_of(tree, "#__next"):
            return refuse("empty shell: server rendering produced no content", generation)
        if detect.soft_404_in_payload(body):
            # A page with its action's data is an action page; one without it that
            # carries the not-found marker (in the flight data, say) is a 404.
            return refuse("not found (soft 404 marker)", generation)
        return refuse(detect.challenge(text) or "no action content on the page", generation)
    warnings.extend(dom.warnings)
    problems += text_problems
    verdict = "degraded" if problems else "ok"
    meta = ParseMeta(
        verdict=verdict, reasons=tuple(dict.fromkeys(problems)), generation=generation,  # type: ignore[arg-type]
        extraction=extraction, parser=PARSER_VERSION,  # type: ignore[arg-type]
        warnings=tuple(dict.fromkeys(warnings)), unobserved=tuple(sorted(unobserved)),
    )
    return ParseResult(record, meta)



def _text_of(tree: LexborHTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    return (node.text(deep=True) or "").strip() if node is not None else ""


def _split_utf8(body: bytes | str) -> tuple[Embedded[bytes], bytes, str] | None:
    """The page split as bytes, what lexbor gets of it, and the markup as text, when it is UTF-8 (None:
    decode it whole). With embedded data lexbor gets the markup without styles and with a head that holds
    only its title (the light DOM read needs no more); without, the DOM-only path reads the markup whole."""
    if not isinstance(body, bytes) or not utf8_declared(body):
        return None
    page = Embedded.split(body)
    lite = without_styles(page.markup) if page.has_data else page.markup  # (the DOM-only path reads it all)
    try:
        text = lite.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return page, from_action_root(head_title_only(lite)) if page.has_data else lite, text


def _from_embedded(page: Embedded[bytes] | Embedded[str], generation: str, url: str, language: str,
                   identifier: str | None, warnings: list[str], problems: list[str]) -> JsonRead | None:
    action: dict[str, Any] | None = None
    plan: str | None = None
    task_format: str | None = None
    if page.next_data is not None:
        try:
            data = load_json(page.next_data)
        except ValueError:
            warnings.append("__NEXT_DATA__ is not valid JSON; read the page from the DOM")
            data = None
        cache = _apollo_cache(data)
        if cache:
            action = apollo.find_action(cache, identifier)
            plan = apollo.plan_name(cache)
        elif data is not None:
            warnings.append("__NEXT_DATA__ holds no Apollo cache")
    elif generation == "app-router":
        stream, rsc_warnings = rsc.stream_from_pushes(page.pushes)
        warnings.extend(rsc_warnings)
        if stream:
            try:
                found, extra = rsc.find_action(rsc.parse_rows(stream), identifier)
            except rsc.TooLarge as exc:  # a payload built to explode: bounded, said, never ok
                problems.append(f"embedded data not read: {exc}")
                found, extra = None, {}
            action = found
            list_page = extra.get("actionListPage") if isinstance(extra, dict) else None
            if isinstance(list_page, dict) and isinstance(list_page.get("taskDateFormat"), str):
                task_format = list_page["taskDateFormat"]
            plan_obj = action.get("plan") if action else None
            if isinstance(plan_obj, dict) and isinstance(plan_obj.get("name"), str):
                plan = plan_obj["name"]
    if not action or not action.get("identifier"):
        return None
    return measure_from_action(action, url=url, language=language, plan=plan, task_date_format=task_format)


def _apollo_cache(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    props = data.get("props")
    if not isinstance(props, dict):
        return None
    for holder in (props, props.get("pageProps")):
        if not isinstance(holder, dict):
            continue
        state = holder.get("apolloState") or holder.get("initialApolloState")
        if isinstance(state, dict):
            cache = state.get("data", state)
            if isinstance(cache, dict) and cache:
                return cache
    return None


def _merge(jread: JsonRead, dom: DomRead, warnings: list[str]) -> Measure:
    """The JSON record, with the DOM's "updated" day and task order."""
    record = jread.record
    updated_on = dom.updated_on
    if updated_on is None and record.updated_at is not None:
        # The day as the server would have shown it, in the timestamp's own offset.
        updated_on = record.updated_at.date()
        warnings.append("'updated' day derived from the embedded timestamp (not shown on the page)")
    tasks = _order_like_page(record.tasks, dom.task_order) if dom.task_order else record.tasks
    if dom.has_h1:
        visible = sum(1 for t in record.tasks if t.state != "cancelled")
        if len(dom.task_order) not in (visible, len(record.tasks)):
            warnings.append(f"page shows {len(dom.task_order)} tasks, embedded data {len(record.tasks)}")
    return replace(record, updated_on=updated_on, tasks=tasks)


def _order_like_page(tasks: tuple[Task, ...], order: list[str]) -> tuple[Task, ...]:
    """Tasks in the order the page draws them; undrawn ones (cancelled) after, as given."""
    queue: dict[str, list[int]] = {}
    for i, key in enumerate(order):
        queue.setdefault(key, []).append(i)
    placed: list[tuple[int, int, Task]] = []
    for j, task in enumerate(tasks):
        slots = queue.get(fold(task.name))
        if slots:
            placed.append((slots.pop(0), j, task))
        else:
            placed.append((len(order) + j, j, task))
    return tuple(t for _, _, t in sorted(placed, key=lambda x: (x[0], x[1])))
