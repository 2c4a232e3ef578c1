"""Reports opened in headless Chromium: offline, no script runs, every image and table there.

Two evidence bases are rendered with evsum's renderer: the normal fixture
(tests/data/studies_small.csv) and the hostile one (tests/hostile.py: ``<script>``,
``onerror``, ``javascript:`` links, Markdown/LaTeX, bidi overrides in every free-text column).
Every request other than ``file:`` and ``data:`` is blocked and counted as a failure.

Needs Debian's chromium (``make test`` installs it): skipped without it, except under CI.
"""

import shutil
from pathlib import Path

import pytest

from evsum.render.batch import plan_reports, render_all
from evsum.render.pdf import CHROMIUM

import hostile
from browser import need_browser
from conftest import ROOT, SMALL, SMALL_PROTOCOL

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        yield chromium
        chromium.close()


def _render(root: Path, studies: Path, notebooks: tuple[str, ...], only=None) -> Path:
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(SMALL_PROTOCOL, root / "evsum.toml")  # the fixture's protocol: root is a base
    for name in notebooks:
        shutil.copy(ROOT / "notebooks" / name, root / "notebooks")
    out = root / "reports"
    jobs = plan_reports(studies, root / "notebooks", out, only=only)
    summary = render_all(jobs, out, quiet=True, workers=2)
    assert not summary.failed, [(r.job.name, r.error) for r in summary.failed]
    return out


@pytest.fixture(scope="module")
def normal_reports(tmp_path_factory):
    need_browser()
    root = tmp_path_factory.mktemp("browser-normal")
    (root / "data").mkdir()
    shutil.copy(SMALL, root / "data" / "studies.csv")
    return _render(
        root, root / "data" / "studies.csv", ("condition_report.ipynb",), only="alcohol"
    )


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    need_browser()
    root = tmp_path_factory.mktemp("browser-hostile")
    studies = hostile.write_hostile_data(root / "data")
    return _render(root, studies, ("condition_report.ipynb", "overview.ipynb"))


# A script that ran would call one of these (or set the flag itself).
_TRAP = """
window.__evsumScriptRan = false;
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  const original = window[name];
  window[name] = function () { window.__evsumScriptRan = true; };
}
"""


def _open(browser, path: Path) -> dict:
    """Load ``path`` with the network blocked; return what happened."""
    seen = {"blocked": [], "failed": [], "console": [], "dialogs": [], "errors": []}
    context = browser.new_context(java_script_enabled=True, offline=True)
    page = context.new_page()
    page.add_init_script(_TRAP)

    def route(route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            seen["blocked"].append(url)
            route.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("requestfailed", lambda r: seen["failed"].append(f"{r.url} {r.failure}"))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(200)  # let late errors or timers surface
    seen["script_ran"] = page.evaluate("window.__evsumScriptRan")
    seen["images"] = page.eval_on_selector_all(
        "img", "els => els.map(e => [e.alt, e.complete, e.naturalWidth])"
    )
    seen["tables"] = page.eval_on_selector_all("table", "els => els.map(e => e.className)")
    seen["scripts"] = page.eval_on_selector_all("script", "els => els.length")
    seen["handlers"] = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
    )
    seen["script_links"] = page.evaluate(
        "[...document.querySelectorAll('[href],[src]')].map(e => e.href || e.src)"
        ".filter(u => /^\\s*(javascript|vbscript):/i.test(u))"
    )
    seen["text"] = page.inner_text("body")
    context.close()
    return seen


def _assert_clean(seen: dict) -> None:
    assert seen["dialogs"] == [], seen["dialogs"]
    assert seen["script_ran"] is False
    assert seen["blocked"] == [], seen["blocked"]
    assert seen["failed"] == [], seen["failed"]
    assert seen["console"] == [], seen["console"]
    assert seen["errors"] == [], seen["errors"]
    assert seen["scripts"] == 0
    assert seen["handlers"] == [], seen["handlers"]
    assert seen["script_links"] == [], seen["script_links"]
    for alt, complete, width in seen["images"]:
        assert complete and width > 0, f"image {alt!r} did not load"


def test_normal_report_is_offline_and_complete(browser, normal_reports):
    seen = _open(browser, normal_reports / "alcohol.html")
    _assert_clean(seen)
    assert any(alt.startswith("Forest plot") for alt, _, _ in seen["images"])
    for css in ("evsum-pico", "evsum-studies", "evsum-rows"):
        assert css in seen["tables"], seen["tables"]
    assert "Alpha 2001" in seen["text"] and "Beta 2005" in seen["text"]


def test_normal_index_page(browser, normal_reports):
    seen = _open(browser, normal_reports / "index.html")
    _assert_clean(seen)
    assert "alcohol" in seen["text"].lower()


def test_hostile_report_runs_no_script_and_shows_the_text(browser, hostile_reports):
    seen = _open(browser, hostile_reports / "alcohol.html")
    _assert_clean(seen)
    assert sum(alt.startswith("Forest plot") for alt, _, _ in seen["images"]) >= 2
    assert any("traffic-light" in alt for alt, _, _ in seen["images"])
    for css in ("evsum-pico", "evsum-studies", "evsum-rows", "evsum-sof"):
        assert css in seen["tables"], seen["tables"]
    for value in (hostile.SCRIPT, hostile.IMG, hostile.JS_LINK, hostile.TABLE_BREAK):
        assert value in seen["text"], value


def test_hostile_overview_and_index(browser, hostile_reports):
    for name in ("overview.html", "index.html"):
        seen = _open(browser, hostile_reports / name)
        _assert_clean(seen)
        if name == "overview.html":  # the index lists its reports, it has no table
            assert seen["tables"], name


def test_outcome_table_fits_the_page_without_breaking_words(browser, hostile_reports):
    # At a laptop width the outcome-data table fits the page and no header is broken letter
    # by letter (a squeezed "Ketamine" column once showed one or two letters per line).
    context = browser.new_context(
        java_script_enabled=True, offline=True, viewport={"width": 1300, "height": 900}
    )
    page = context.new_page()
    page.goto((hostile_reports / "alcohol.html").as_uri(), wait_until="load")
    body = page.evaluate("document.body.getBoundingClientRect().right")
    right = page.evaluate(
        "document.querySelector('table.evsum-rows').getBoundingClientRect().right"
    )
    lines = page.evaluate(
        "[...document.querySelectorAll('table.evsum-rows th')].map(th => "
        "[th.textContent, th.getBoundingClientRect().height / "
        "parseFloat(getComputedStyle(th).fontSize)])"
    )
    context.close()
    assert right <= body + 1
    for text, height in lines:
        assert height <= 7, (text, height)  # in font sizes: about four lines and padding
