"""An archive for the web report's tests: the sample site's three days, through the real write path,
plus what checking runs into — failed checks, a gap, a degraded capture, hostile text, a second language.

* days 1–3 (and an unchanged day 5): the sample site's day-2 and day-3 stories;
* measure 1: its day-2 and day-3 checks fail (HTTP 503): one "check failed" episode of two checks;
* measure 9: not checked on days 2 and 3: a gap of four days;
* measure 10: day 3's capture parses degraded: kept as evidence, the record kept;
* measure 4: the task added on day 2 is named with markup (``HOSTILE``);
* measure 2 also has a Swedish page (``/sv/actions/2``);
* measure 12 answers 404 on day 3 with a page that tries to navigate away (``GONE``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from scraper import parse
from storage.store import FetchInfo, Store
from vahti.app.ingest import ingest
from vahti.samples.pages import app_router_page
from vahti.samples.site import _spec, sample_site
from vahti.samples.spec import spec_91

SITE = "https://ilmastovahti.hel.fi"
T0 = dt.datetime(2026, 11, 1, 6, tzinfo=dt.timezone.utc)
DAYS = (1, 2, 3, 5)
NOW = T0 + dt.timedelta(days=4, hours=1)
GONE = (b'<!doctype html><html><head><meta http-equiv="refresh" content="0;url=http://127.0.0.2:9/escaped">'
        b'<title>404</title></head><body><h1>404</h1><img src="http://127.0.0.2:9/pixel.png"></body></html>')
HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> Kartoitus & raportti"


def _body(day: int, path: str) -> bytes:
    if path == "/actions/4" and day >= 2:
        spec = _spec(4, 12, min(day, 3))
        assert spec is not None
        spec["tasks"][-1]["name"] = HOSTILE
        return app_router_page(spec).encode()
    return sample_site(min(day, 3))[path][0]


def build_archive(store: Store) -> None:
    for day in DAYS:
        when = T0 + dt.timedelta(days=day - 1)
        for path in sample_site(min(day, 3)):
            if not path.startswith("/actions/"):
                continue
            url = SITE + path
            if path == "/actions/1" and day in (2, 3):
                ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 503, error="HTTP 503 Service Unavailable"))
                continue
            if path == "/actions/9" and day in (2, 3):
                continue
            body = _body(day, path)
            result = parse(body, url)
            if path == "/actions/10" and day == 3:  # the task list did not come through
                assert result.record is not None
                result = dataclasses.replace(result, record=dataclasses.replace(result.record, tasks=()),
                                             meta=dataclasses.replace(result.meta, verdict="degraded",
                                                                      reasons=("the task list could not be read",)))
            ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 200), result=result, body=body)
        if day == 3:  # measure 12 is gone (404) on day 3, and its not-found page tries to take the reader away
            url = SITE + "/actions/12"
            ingest(store, site=SITE, url=url, fetch=FetchInfo(when, 404), result=parse(GONE, url), body=GONE,
                   missing_after=1)
        sv = spec_91("sv")
        sv.update(identifier="2", pk="1002", next=None, previous=None)
        if day >= 2:
            sv["status"] = ("late", "Försenad")
        body = app_router_page(sv).encode()
        ingest(store, site=SITE, url=SITE + "/sv/actions/2", fetch=FetchInfo(when, 200),
               result=parse(body, SITE + "/sv/actions/2"), body=body)
