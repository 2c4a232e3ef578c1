"""The alcohol report of the project's data as a reader gets it on paper and on a phone.

Printed (evsum render --pdf, A4): few pages, every quote and source locator of its data whole
in the PDF's text (poppler's pdftotext), the risk-of-bias support printed although it is
collapsed on screen, every page carrying the report's title and its page number.
On screens 390, 768 and 1366 px wide (Chromium): the page never scrolls sideways, the wide
tables become one card per row on a phone, figures keep a legible size, and axe-core finds
no serious or critical violation.

Needs Debian's chromium and poppler-utils: skipped without them, except under CI.
"""

import csv
import os
import re
import shutil
import subprocess
import unicodedata

import pytest

from evsum.present.figures.style import FONT_SIZE
from evsum.render.batch import plan_reports, render_all
from evsum.render.pdf import CHROMIUM, CHROMIUM_ARGS, write_pdfs

from browser import need_browser
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.slow]

CONDITION = "alcohol"
#: axe-core rule tags of WCAG 2.1 levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _squash(text: str) -> str:
    """Without spaces and with ligatures undone (a PDF may print "fi" as one glyph)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The project's alcohol report (HTML) and its job."""
    need_browser("axe_playwright_python")
    root = tmp_path_factory.mktemp("paper-and-phone")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copy(ROOT / "evsum.toml", root / "evsum.toml")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    out = root / "reports"
    jobs = plan_reports(root / "data" / "studies.csv", root / "notebooks", out, only=CONDITION)
    summary = render_all(jobs, out, quiet=True, workers=1)
    assert not summary.failed, [(r.job.name, r.error) for r in summary.failed]
    return out / f"{CONDITION}.html", jobs[0]


@pytest.fixture(scope="module")
def printed(rendered):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdftotext, pdfinfo) must be installed in CI")
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    page, job = rendered
    (pdf,) = write_pdfs([page])
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M).group(1))
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return pages, text, job


def _rows(name: str) -> list[dict]:
    with open(ROOT / "data" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_report_fits_on_few_a4_pages(printed):
    pages, _, _ = printed
    # 47 pages before the print stylesheet reflowed the wide tables (issue 28's target: 15)
    assert pages <= 15, pages


def test_every_quote_and_source_locator_of_the_condition_prints_whole(printed):
    _, text, _ = printed
    squashed = _squash(text)
    rows = [r for r in _rows("studies.csv") if r["condition"] == CONDITION]
    assert len(rows) >= 10
    missing = []
    for row in rows:
        for column in ("source_quote", "source_locator"):
            value = row[column].strip()
            if value and _squash(value) not in squashed:
                missing.append((row["study_id"], column, value[:60]))
    assert missing == []


def test_collapsed_risk_of_bias_support_prints_open(printed):
    _, text, _ = printed
    squashed = _squash(text)
    studies = {r["study_id"] for r in _rows("studies.csv") if r["condition"] == CONDITION}
    supports = [r["support"] for r in _rows("risk_of_bias.csv") if r["study_id"] in studies]
    assert supports
    assert [s[:60] for s in supports if _squash(s) not in squashed] == []


def test_every_page_carries_the_title_and_its_number_of_the_total(printed):
    pages, text, job = printed
    sheets = text.split("\f")[:pages]
    for number, sheet in enumerate(sheets, start=1):
        assert f"page {number} of {pages}" in sheet, number
        assert _squash(job.title) in _squash(sheet), number


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


_LAYOUT = """() => {
  const wide = (el) => el.getBoundingClientRect().width > document.documentElement.clientWidth;
  return {
    page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    rows: getComputedStyle(document.querySelector("table.evsum-rows td")).display,
    label: getComputedStyle(document.querySelector("table.evsum-rows td"), "::before").content,
    wideCards: [...document.querySelectorAll("td[data-label]")].filter(wide).length,
    figures: [...document.querySelectorAll("figure.evsum-figure img")].map(
      (img) => img.getBoundingClientRect().width / img.naturalWidth),
  };
}"""


@pytest.mark.parametrize("width", [390, 768, 1366])
def test_no_sideways_page_scroll_cards_on_a_phone_and_no_serious_violation(
    rendered, browser, width
):
    from axe_playwright_python.sync_playwright import Axe

    page_path, _ = rendered
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(page_path.as_uri(), wait_until="load")
    layout = page.evaluate(_LAYOUT)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    context.close()
    assert layout["page"] == 0, layout  # the document itself never scrolls sideways
    assert layout["figures"]
    if width <= 600:
        # one card per row, each value after its column's name, none wider than the screen
        assert layout["rows"] == "block" and layout["label"] == '"Study: "', layout
        assert layout["wideCards"] == 0, layout
        # every figure's text (FONT_SIZE points of an SVG, 96 CSS px to the inch at full
        # size) is shown at 9 CSS px or more, the figure scrolling sideways inside itself
        text_px = [FONT_SIZE / 72 * 96 * scale for scale in layout["figures"]]
        assert min(text_px) >= 9, text_px
    else:
        assert layout["rows"] == "table-cell", layout
    bad = [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def test_the_report_links_terms_to_the_glossary_and_every_sibling_page(rendered):
    page_path, job = rendered
    page = page_path.read_text(encoding="utf-8")
    nav = re.search(r"<nav[^>]*evsum-home[^>]*>.*?</nav>", page, flags=re.S).group(0)
    hrefs = re.findall(r'href="([^"]+)"', nav)
    assert hrefs[0] == "index.html" and hrefs[-1] == "curation-log.html"
    for href in ("overview.html", "methods.html", "claims-audit.html", "cocaine.html"):
        assert href in hrefs, href
    assert f"{CONDITION}.html" not in hrefs  # not to itself
    # the first use of a term is explained: REML is named in the few-studies panel's text
    assert page.count('href="glossary.html#reml"') <= 1
    assert (page_path.parent / "glossary.html").exists()
    assert len(set(re.findall(r'href="glossary.html#([^"]+)"', page))) >= 5
