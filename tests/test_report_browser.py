"""The web report in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

The report is opened from disk (``file://``), as a journalist opens what ``vahti demo`` printed:
links are followed from the overview to a measure and to a diff, the texts users read are
asserted, no page logs a console error, and no request leaves the report's folder. Screenshots of
the pages go to ``build/artifacts/screenshots`` (or ``$VAHTI_ARTIFACTS/screenshots``).

Chromium must be there in CI (``.ci/run`` installs it); elsewhere the tests skip, saying so.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, shared_once
from report_archive import NOW, build_archive
from storage.store import Store
from vahti.app.report import build_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("VAHTI_ARTIFACTS", ROOT / "build" / "artifacts")) / "screenshots"
# As the machine's own probe starts it: no sandbox as root, and no background traffic of its own.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-sync",
        "--disable-background-networking", "--disable-component-update", "--disable-quic"]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser tests (apt-get install -y chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium); browser tests skipped",
                allow_module_level=True)


class Watched:
    """A browser page whose console errors, page errors and requests are recorded."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page, self.folder = page, folder.resolve()
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("request", self._request)

    def _request(self, request: Any) -> None:
        url = request.url
        if url.startswith("data:"):
            return
        if not url.startswith("file://") or not Path(url[len("file://"):].split("#")[0]).resolve().is_relative_to(
                self.folder):
            self.outside.append(url)

    def open(self, path: Path | str) -> None:
        target = path if isinstance(path, str) else path.resolve().as_uri()
        self.page.goto(target)
        self.page.wait_for_load_state("load")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


def _build(folder: Path) -> None:
    store = Store.open(str(folder / "vahti.db"))
    try:
        build_archive(store)
        build_report(store, folder / "report", now=NOW)
    finally:
        store.close()


@pytest.fixture(scope="session")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for every worker (the tests only read it)."""
    return shared_once(tmp_path_factory, "browser-report", _build) / "report"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def tab(browser: Any, report: Path) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        yield Watched(context.new_page(), report)
    finally:
        context.close()


def test_overview_to_measure_to_diff(tab: Watched, report: Path) -> None:
    page = tab.page
    tab.open(report / "index.html")
    # The charts are drawn by Chart.js from the page's own figures.
    drawn = page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')]"
                          ".map(c => !!(window.Chart && window.Chart.getChart(c)))")
    assert drawn == [True, True]
    assert page.locator("figure.chart canvas").first.bounding_box()["height"] > 100
    tab.shot("overview")

    # Measure 2 from the list of all measures: its completed task.
    page.get_by_role("link", name="2 Hiilineutraalit työmaat").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/measures/ilmastovahti.hel.fi/actions/2.html")
    done = page.locator("h4:has-text('Done') + ul").inner_text()
    assert "Koululaisille ja opiskelijoille järjestettävän S&C-harjoittelutoiminnan" in done
    assert "✔ Task completed: Koululaisille" in page.locator("#timeline").inner_text()

    # Back, to measure 3: the change-log author, then its diff, where the contact was replaced.
    page.go_back()
    page.get_by_role("link", name="3 Aurinkosähkö kaupungin katoille").first.click()
    page.wait_for_load_state("load")
    assert "Maija Virtanen" in page.locator(".changelog .author").inner_text()
    tab.shot("measure")
    page.get_by_role("link", name="What changed in version 2").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/actions/3/v2.html")
    removed = page.locator("tr.row-removed").inner_text()
    added = page.locator("tr.row-added").inner_text()
    assert "Anssi Almgren" in removed and "Liisa Laine" in added
    assert page.locator(".field-diff del").first.inner_text() == "2020-05-20"
    tab.shot("diff")
    tab.clean()


def test_task_names_with_markup_are_shown_as_text(tab: Watched, report: Path) -> None:
    page = tab.page
    tab.open(report / "measures/ilmastovahti.hel.fi/actions/4.html")
    assert page.title() != "pwned" and "pwned" not in page.evaluate("document.title")
    assert page.locator("img[src=x]").count() == 0
    assert "<script>document.title='pwned'</script>" in page.locator("#record").inner_text()
    tab.open(report / "measures/ilmastovahti.hel.fi/actions/4/compare.html")
    assert "<script>document.title='pwned'</script>" in page.locator("#compare-result").inner_text()
    assert page.evaluate("document.title") != "pwned"
    tab.clean()


def test_changes_filter_and_compare_any_two_versions(tab: Watched, report: Path) -> None:
    page = tab.page
    tab.open(report / "changes.html")
    everything = page.locator("#events > li").count()
    page.select_option("select[name=kind]", "contact.removed")
    page.wait_for_function("document.querySelector('output[name=count]').value.includes('matching')")
    rows = page.locator("#events > li")
    assert rows.count() == 1 and "Anssi Almgren" in rows.first.inner_text()
    # The measure link the script draws leads to the measure's page.
    rows.first.locator("a").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/measures/ilmastovahti.hel.fi/actions/3.html")
    page.go_back()
    page.wait_for_load_state("load")
    page.click("button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('#events > li').length === {everything}")
    tab.shot("changes")
    # Keyboard: the measure page's compare form is reachable and works without a mouse.
    tab.open(report / "measures/ilmastovahti.hel.fi/actions/3.html")
    page.focus("form[data-compare] select[name=from]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/actions/3/compare.html#from=1&to=2")
    page.wait_for_function("document.querySelector('#compare-result h2') !== null")
    result = page.locator("#compare-result").inner_text()
    assert "Anssi Almgren" in result and "Liisa Laine" in result
    tab.clean()


def test_a_page_as_captured_runs_nothing_and_loads_nothing(tab: Watched, report: Path) -> None:
    page = tab.page
    tab.open(report / "measures/ilmastovahti.hel.fi/actions/3.html")
    page.get_by_role("link", name="The page as captured").click()
    page.wait_for_load_state("load")
    frame = page.frame_locator("iframe.captured")
    assert "/evidence/" in page.url and "Aurinkosähkö kaupungin katoille" in frame.locator("h1").inner_text()
    assert tab.outside == []  # its scripts and styles from elsewhere were never requested
    # The captured page's own scripts were refused (its policy, the sandbox), and that is all that was logged.
    assert tab.errors and all("Content Security Policy" in e or "sandboxed" in e for e in tab.errors)


def test_a_captured_page_cannot_take_the_reader_away(tab: Watched, report: Path) -> None:
    page = tab.page
    tab.open(report / "measures/ilmastovahti.hel.fi/actions/12.html")
    page.get_by_role("link", name="what the site answered").click()
    page.wait_for_load_state("load")
    wrapper = page.url
    page.wait_for_timeout(500)  # its refresh says "0 seconds"
    assert page.url == wrapper and "/evidence/" in wrapper
    assert [f.url for f in page.frames][1].endswith(".raw.html")
    assert "404" in page.frame_locator("iframe.captured").locator("h1").inner_text()
    # Neither the refresh nor the image left the folder: the first refused by the sandbox, the second by
    # the policy (the browser reports the image's attempt, never sends it).
    assert not any("escaped" in url for url in tab.outside)
    assert all(url == "http://127.0.0.2:9/pixel.png" for url in tab.outside)
    said = "\n".join(tab.errors)
    assert "Refused to execute the redirect" in said and "pixel.png' violates the following Content Security" in said


def test_readable_on_a_phone(browser: Any, report: Path) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, device_scale_factor=2)
    try:
        tab = Watched(context.new_page(), report)
        for path in ("index.html", "changes.html", "measures/ilmastovahti.hel.fi/actions/3.html"):
            tab.open(report / path)
            width = tab.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, (path, width)  # wide tables scroll inside their box, the page does not
        tab.shot("measure-phone")  # the last one opened
        tab.clean()
    finally:
        context.close()


def _demo(folder: Path) -> None:
    from vahti.app.demo import run_demo

    run_demo(lambda line: None, folder=folder)


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_once(tmp_path_factory, "demo-report", _demo) / "report" / "index.html"


def test_the_demo_report_tells_the_day_2_story(browser: Any, demo_report: Path) -> None:
    """What `vahti demo` prints the path of: the overview's charts, then measure 3's day 2 (a contact
    replaced, with the plan's change-log entry) on its page, its timeline and its diff."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        tab = Watched(context.new_page(), demo_report.parent)
        page = tab.page
        tab.open(demo_report)
        assert page.evaluate("[...document.querySelectorAll('canvas[data-chart]')]"
                             ".every(c => !!window.Chart.getChart(c))")
        latest = page.locator("#latest ~ ol.events").inner_text()
        assert "+ Contact added: Liisa Laine" in latest and "✔ Task completed: Koululaisille" in latest
        tab.shot("demo-overview")
        page.get_by_role("link", name="3 Aurinkosähkö kaupungin katoille").first.click()
        page.wait_for_load_state("load")
        timeline = page.locator("#timeline").inner_text()
        assert "Version 2" in timeline and "− Contact removed: Anssi Almgren" in timeline
        assert "Change log, 2020-10-02, Maija Virtanen" in timeline
        assert "Maija Virtanen" in page.locator(".changelog .author").inner_text()
        tab.shot("demo-measure")
        page.get_by_role("link", name="What changed in version 2").click()
        page.wait_for_load_state("load")
        assert "Anssi Almgren" in page.locator("tr.row-removed").inner_text()
        assert "Liisa Laine" in page.locator("tr.row-added").inner_text()
        tab.shot("demo-diff")
        tab.clean()
    finally:
        context.close()
