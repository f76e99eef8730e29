"""A sample Kausal Watch site: a dozen measures over three days of changes.

Served by ``vahti demo`` (and by the tests and benchmarks) from 127.0.0.1. The
pages are app-router renders (``vahti.samples.pages``) of the seed's action 91
and its neighbours; each day changes a few measures the way real plans change:

* day 2 — measure 2: a task completed; 3: a contact replaced (with a change-log entry by
  Maija Virtanen); 4: a task added;
  5: status moved to "late"; their "updated" days move;
* day 3 — 6: only the "updated" day bumped (nothing else); 7: a contact's title
  changed; 8: a task renamed; 11: merged into 10; 12: gone (404).
"""

from __future__ import annotations

import copy
from typing import Any

from vahti.samples.pages import app_router_page
from vahti.samples.spec import spec_91, task

NAMES = [
    "Yhteistyö koulujen ja oppilaitosten kanssa", "Hiilineutraalit työmaat", "Aurinkosähkö kaupungin katoille",
    "Kaukolämmön päästöjen vähentäminen", "Pyöräilyn laatukäytävät", "Sähköautojen latausverkosto",
    "Energiaremontit kerrostaloihin", "Ilmastobudjetti osaksi talousarviota", "Kiertotalouden tiekartta",
    "Puurakentamisen edistäminen", "Joukkoliikenteen sähköistäminen", "Lämpöpumput kaupungin kiinteistöihin",
]


def _spec(i: int, n: int, day: int) -> dict[str, Any] | None:
    s = spec_91("fi")
    name = NAMES[(i - 1) % len(NAMES)] + ("" if i <= len(NAMES) else f" {i}")
    s.update(identifier=str(i), pk=str(1000 + i), name=name,
             previous=str(i - 1) if i > 1 else None, next=str(i + 1) if i < n else None,
             updated_day="2020-05-20", updated_at="2020-05-20T07:12:00+00:00")
    s["tasks"] = [dict(copy.deepcopy(t), id=f"{i}{t['id']}") for t in s["tasks"]]
    s["contacts"] = [(f"{i}{pid}", fn, ln, title, org) for pid, fn, ln, title, org in s["contacts"]]

    def bump(date: str) -> None:
        s["updated_day"], s["updated_at"] = date, f"{date}T09:30:00+00:00"

    if day >= 2:
        if i == 2:
            s["tasks"][5].update(state="COMPLETED", completedAt="2020-10-02")
            bump("2020-10-02")
        if i == 3:
            s["contacts"][1] = (f"{i}299", "Liisa", "Laine", "opinto-ohjaaja", "Kasvatuksen ja koulutuksen toimiala")
            bump("2020-10-02")
            s["change_log"] = ("2020-10-02T09:30:00+00:00", "Maija", "Virtanen",
                               "Yhteyshenkilö vaihtunut: Anssi Almgren siirtyi muihin tehtäviin.")
        if i == 4:
            s["tasks"].append(task(f"{i}1700", "Harjoittelupaikkojen kartoitus", "NOT_STARTED", "2021-03-31", None,
                                   ["Kartoitetaan kevään 2021 harjoittelupaikat."]))
            bump("2020-10-02")
        if i == 5:
            s["status"] = ("late", "Myöhässä")
            bump("2020-10-02")
    if day >= 3:
        if i == 6:
            bump("2020-10-03")
        if i == 7:
            pid, fn, ln, _, org = s["contacts"][0]
            s["contacts"][0] = (pid, fn, ln, "johtava asiantuntija", org)
            bump("2020-10-03")
        if i == 8:
            s["tasks"][1]["name"] = "Toimenpiteen yhteyshenkilö nimetty"
            bump("2020-10-03")
        if i == 11:
            s["status"], s["merged_with"] = ("merged", "Yhdistetty"), "10"
            bump("2020-10-03")
        if i == 12 and n >= 12:
            return None
    return s


def sample_site(day: int = 1, *, measures: int = 12) -> dict[str, tuple[bytes, str]]:
    """path → (body, content type) of the whole site on ``day`` (1, 2 or 3)."""
    out: dict[str, tuple[bytes, str]] = {
        "/robots.txt": (b"User-Agent: *\nAllow: /\n", "text/plain; charset=utf-8"),
    }
    locs = []
    for i in range(1, measures + 1):
        spec = _spec(i, measures, day)
        if spec is None:
            continue
        out[f"/actions/{i}"] = (app_router_page(spec).encode("utf-8"), "text/html; charset=utf-8")
        locs.append(f"<url><loc>{{base}}/actions/{i}</loc></url>")
    sitemap = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               + "".join(locs) + "</urlset>")
    out["/sitemap.xml"] = (sitemap.encode(), "application/xml")
    return out


def with_base(pages: dict[str, tuple[bytes, str]], base: str) -> dict[str, tuple[bytes, str]]:
    """Fill in the server's address where the sitemap needs absolute URLs."""
    return {path: (body.replace(b"{base}", base.encode()) if path == "/sitemap.xml" else body, ctype)
            for path, (body, ctype) in pages.items()}
