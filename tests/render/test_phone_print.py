"""Every report of the repository on a phone (375 CSS px) and on paper, with vector figures.

At 375 px no page scrolls sideways; the summary of findings and the evidence profile are one
card per outcome (each value after its column's name, none wider than the screen), the
population and comparison lines above a summary of findings stay in view, and no link (a
long DOI or URL) sticks out of a card. Printed (headless Chromium, A4, the project's own
``write_pdfs``), the reports keep to issue 28's page targets, and a figure is an SVG whose
words are text: poppler's pdftotext finds its axis labels in the PDF. The pages stay lighter
than before the figures were vector (issue 28: no report heavier than it was).

Needs Debian's chromium and poppler-utils: skipped without them, except under CI.
"""

import base64
import csv
import os
import re
import shutil
import subprocess
import unicodedata

import pytest

from evsum.render.batch import plan_reports, render_all
from evsum.render.pdf import CHROMIUM, CHROMIUM_ARGS, write_pdfs

from browser import need_browser
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.slow]

PHONE = 375
#: Issue 28's targets for the printed (A4) reports.
PAGE_LIMITS = {"alcohol": 15, "claims-audit": 20}
#: The alcohol report's size before its figures were SVG and its repeated styles dropped
#: (269,173 bytes, rendered from the repository at that commit); issue 28's target is
#: to be no heavier, this change aims for 230 kB.
ALCOHOL_LIMIT = 230_000
#: The methods page weighed 273 kB, 209 kB of them the PRISMA diagram as a PNG (issue 28).
METHODS_LIMIT = 100_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    need_browser()
    out = tmp_path_factory.mktemp("phone-print") / "reports"
    jobs = plan_reports(
        ROOT / "data" / "studies.csv",
        ROOT / "notebooks",
        out,
        base=ROOT,
        build_dir=out.parent / "build",
    )
    summary = render_all(jobs, out, quiet=True, workers=2)
    assert not summary.failed, [r.error for r in summary.failed]
    return out, {job.name for job in jobs}


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def printed(site):
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils (pdftotext, pdfinfo) must be installed in CI")
        pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed")
    out, _ = site
    found = {}
    for pdf in write_pdfs([out / f"{name}.html" for name in PAGE_LIMITS]):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True)
        pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M).group(1))
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True, check=True
        ).stdout
        found[pdf.stem] = (pages, text)
    return found


_PHONE = """() => {
  const screen = document.documentElement.clientWidth;
  const right = (el) => el.getBoundingClientRect().right;
  const cards = [...document.querySelectorAll("table.evsum-sof")];
  return {
    sideways: document.documentElement.scrollWidth - screen,
    screen,
    tables: cards.map((t) => getComputedStyle(t).display),
    labels: [...document.querySelectorAll("table.evsum-sof td[data-label]")].map(
      (td) => getComputedStyle(td, "::before").content),
    wide: [...document.querySelectorAll("table.evsum-sof tbody td, tr.sof-header th")]
      .filter((c) => c.getBoundingClientRect().width > 0 && right(c) > screen + 1)
      .map((c) => c.textContent.slice(0, 40)),
    headers: [...document.querySelectorAll("table.evsum-sof tr.sof-header")].map(
      (tr) => [tr.getBoundingClientRect().height, tr.scrollWidth <= tr.clientWidth + 1]),
    links: [...document.querySelectorAll("td[data-label] a[href]")]
      .filter((a) => right(a) > screen + 1).map((a) => a.textContent.slice(0, 40)),
  };
}"""


def test_no_page_scrolls_sideways_on_a_phone_and_the_summaries_are_cards(site, browser):
    out, names = site
    context = browser.new_context(offline=True, viewport={"width": PHONE, "height": 800})
    seen = {}
    for name in sorted(names):
        page = context.new_page()
        page.goto((out / f"{name}.html").as_uri(), wait_until="load")
        seen[name] = page.evaluate(_PHONE)
        page.close()
    context.close()
    assert {"alcohol", "opioids", "cocaine", "depression", "overview", "methods"} <= set(seen)
    assert {n: s["sideways"] for n, s in seen.items() if s["sideways"]} == {}
    for name in ("alcohol", "opioids", "cocaine", "depression"):
        layout = seen[name]
        # a summary of findings and an evidence profile per comparison, each as cards
        assert len(layout["tables"]) >= 2 and set(layout["tables"]) == {"block"}, name
        labels = set(layout["labels"])
        for column in ("Outcomes", "Certainty of the evidence (GRADE)", "Comments", "Importance"):
            assert f'"{column}: "' in labels, (name, column)
        assert layout["wide"] == [], name
        assert layout["links"] == [], name  # a long DOI or URL breaks inside its card
    # the population, setting, intervention and comparison above a summary of findings
    headers = [h for name in ("alcohol", "cocaine") for h in seen[name]["headers"]]
    assert headers and all(height > 0 and fits for height, fits in headers), headers


def test_the_printed_reports_keep_to_their_page_targets(printed):
    pages = {name: found[0] for name, found in printed.items()}
    assert all(pages[name] <= limit for name, limit in PAGE_LIMITS.items()), pages


def _body_text(text: str) -> str:
    """A PDF's text without each sheet's running title and page number, without spaces and
    hyphens (pdftotext joins a word hyphenated at a line's end) and with ligatures undone."""
    sheets = []
    for sheet in text.split("\f"):
        lines = [line for line in sheet.splitlines() if line.strip()][1:]
        sheets += [line for line in lines if not re.fullmatch(r"\s*page \d+ of \d+\s*", line)]
    return _squash("\n".join(sheets))


def _squash(text: str) -> str:
    return re.sub(r"[\s\-\u00ad]+", "", unicodedata.normalize("NFKC", text))


def test_every_claim_and_its_reasons_print_whole(printed):
    _, text = printed["claims-audit"]
    body = _body_text(text)
    with open(ROOT / "data" / "claims.csv", newline="", encoding="utf-8") as handle:
        claims = list(csv.DictReader(handle))
    assert len(claims) >= 30
    missing = [
        (c["claim_id"], column)
        for c in claims
        for column in ("quote", "rationale")
        if c[column].strip() and _squash(c[column]) not in body
    ]
    assert missing == []


def test_figures_are_svg_and_their_words_are_text_in_the_pdf(site, printed):
    out, _ = site
    page = (out / "alcohol.html").read_text(encoding="utf-8")
    sources = re.findall(r'<figure class="evsum-figure"[^>]*><img [^>]*src="([^"]+)"', page)
    assert len(sources) >= 4
    assert all(s.startswith("data:image/svg+xml;base64,") for s in sources)
    svg = base64.b64decode(sources[0].split(",", 1)[1]).decode("utf-8")
    assert svg.startswith("<svg ") and "<text " in svg and "<metadata>" not in svg
    _, text = printed["alcohol"]
    # axis labels drawn only inside figures (never in the page's own text): the ratio scale
    # of the forest plot of Krupitsky 1997 (an RR) and the risk-of-bias summary's axis
    assert "RR (log scale)" not in re.sub(r'src="[^"]*"|alt="[^"]*"', "", page)
    assert "RR (log scale)" in text
    assert "Percent of studies" in text


def test_pages_are_lighter_than_before(site):
    out, _ = site
    assert (out / "alcohol.html").stat().st_size <= ALCOHOL_LIMIT
    assert (out / "methods.html").stat().st_size <= METHODS_LIMIT
    page = (out / "alcohol.html").read_text(encoding="utf-8")
    # each block's style sheet once on the page, not once per block
    sheets = re.findall(r"<style[^>]*>(.*?)</style>", page, flags=re.S)
    assert len(sheets) == len(set(sheets))
    assert "data:image/png" not in page
