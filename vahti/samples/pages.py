"""Realistic Kausal Watch action pages, rendered from a spec, for every markup generation.

Written from the platform's documented markup (classic 2019-2021 with the Apollo 2
cache, pages router 2021-2024 with Apollo 3 ``__ref``s, app router 2024- with the
RSC payload), in Finnish, Swedish, English and German, and from the seed page's
content (``vahti.samples.spec``). The bundled sample site of ``vahti demo``, the tests
and the benchmarks are made with these renderers; the templates are in ``templates/``
(Jinja2, autoescaped: a spec's text is text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup, escape

from vahti.samples.data import next_data, paras, rsc_scripts
from vahti.samples.spec import BASE, LABELS, drawn_tasks, fmt_date


class _Compact(PackageLoader):
    """Templates are written with line breaks for people; the pages have none. A line break and
    its indentation vanish before a tag (``<``) or a template tag (``{``), else become one space."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool] | None]:
        source, path, uptodate = super().get_source(environment, template)
        source = re.sub(r"\n\s*(?=[<{])", "", source)
        return re.sub(r"\n\s*", " ", source).strip(), path, uptodate


@cache
def _template(name: str) -> Template:
    loader: BaseLoader = _Compact("vahti.samples", "templates")
    env = Environment(loader=loader, autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False)
    return env.get_template(name)


def _render(name: str, spec: dict[str, Any], gen: str, embedded: str, labels: dict[str, str] | None = None,
            task_format: str = "FULL", **extra: Any) -> str:
    lang = spec["lang"]

    def date(iso: str, *, padded: bool, fmt: str | None = None) -> str:
        return fmt_date(iso, lang, padded=padded, fmt=fmt)

    def drawn(t: dict[str, Any]) -> dict[str, Any]:
        done = t["state"] == "COMPLETED"
        day = t["completedAt"] if done else t["dueAt"]
        # App-router pages draw a due date as the plan's (or the task's) date format says.
        shown = date(day, padded=done, fmt=None if done else (t.get("dateFormat") or task_format))
        return dict(t, done=done, day=day, shown=shown)

    groups = [(kind, [drawn(t) for t in items]) for kind, items in drawn_tasks(spec, gen)]
    return _template(name).render(
        s=spec, L=dict(LABELS[lang], **(labels or {})), lang=lang, prefix="" if lang == "fi" else f"/{lang}",
        base=BASE, groups=groups, date=date, embedded=Markup(embedded),
        rich=lambda ps: Markup(paras(ps)), lines=lambda xs: Markup("<br>").join(escape(x) for x in xs), **extra)


def classic_page(spec: dict[str, Any], *, with_json: bool = True, build_id: str = "emzWi_skYhicwea3n7Mpz") -> str:
    return _render("classic.html", spec, "classic", next_data(spec, "classic", build_id) if with_json else "",
                   build_id=build_id)


def pages_router_page(spec: dict[str, Any], *, build_id: str = "Xc9Dq1", with_json: bool = True) -> str:
    return _render("pages_router.html", spec, "pages-router",
                   next_data(spec, "pages-router", build_id) if with_json else "")


def app_router_page(spec: dict[str, Any], *, with_json: bool = True, labels: dict[str, str] | None = None,
                    task_format: str = "FULL") -> str:
    return _render("app_router.html", spec, "app-router", rsc_scripts(spec, task_format) if with_json else "",
                   labels=labels, task_format=task_format)
