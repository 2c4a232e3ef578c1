"""Every report of the project's data as a reader gets it: a descriptive title, a link home,
zero serious or critical axe-core violations (WCAG 2.1 A/AA), and a PDF (evsum render --pdf)
with the report's title and every section heading, no figure split across pages.

Needs Debian's chromium (``make test`` installs it): skipped without it, except under CI.
"""

import hashlib
import html
import io
import re
import shutil
import subprocess
import sys
import unicodedata

import pytest

from evsum.render.pdf import CHROMIUM, CHROMIUM_ARGS, write_pdfs

from browser import need_browser
from conftest import ROOT, SMALL

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.slow]

#: axe-core rule tags of WCAG 2.1 levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def reports(review_site, review_pdfs):
    """The project's data rendered with every notebook, and a PDF of each report (both once
    per session)."""
    need_browser("axe_playwright_python", "pypdf")
    return review_site.out, review_site.jobs, review_pdfs


@pytest.fixture(scope="module")
def browser():
    need_browser("axe_playwright_python", "pypdf")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


def _headings(page_html: str, levels: str = "12") -> list[str]:
    found = re.findall(rf"<h([{levels}])[^>]*>(.*?)</h\1>", page_html, flags=re.S)
    texts = [html.unescape(re.sub(r"<[^>]+>", "", text)) for _, text in found]
    return [t.replace("¶", "").strip() for t in texts if t.strip()]


def _squash(text: str) -> str:
    """Without spaces and with ligatures undone (a PDF may print "fi" as one glyph)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_every_report_has_a_descriptive_title_and_links_home_and_to_the_methods(reports):
    out, jobs, _ = reports
    assert "methods" in [job.name for job in jobs]
    for job in jobs:
        page = job.html_path.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)
        assert title != "Notebook" and html.unescape(title).startswith(job.title), job.name
        assert '<a href="index.html">' in page, job.name
        if job.name != "methods":
            assert '<a href="methods.html">Methods</a>' in page, job.name
    review = "Ketamine for substance use disorders"  # evsum.toml, [review] title
    assert f"<title>Methods · {review}</title>" in (out / "methods.html").read_text()


def test_methods_page_shows_the_prisma_diagram_and_every_section(reports):
    out, _, _ = reports
    page = (out / "methods.html").read_text(encoding="utf-8")
    for heading in (
        "Question and eligibility criteria",
        "Information sources",
        "Study selection",
        "Data extraction and provenance",
        "Risk of bias",
        "Effect measures and synthesis",
        "Certainty of the evidence",
        "Data version",
    ):
        assert heading in _headings(page), heading
    # an evidence check draws the flow of the studies it checked, not a PRISMA diagram;
    # counted by hand from data/search_log.csv: 36 distinct candidates = 15 excluded + 6
    # ongoing + 1 awaiting classification + 14 included
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    for step in (
        "Distinct candidate studies checked 36",
        "Excluded 15",
        "Ongoing (no results yet) 6",
        "Awaiting classification 1",
        "Included 14",
    ):
        assert step in words, step


@pytest.mark.parametrize(
    "name",
    [
        "index",
        "methods",
        "alcohol",
        "cocaine",
        "depression",
        "opioids",
        "overview",
        "claims-audit",
        "gallery",
        "curation-log",
    ],
)
def test_no_serious_or_critical_accessibility_violations(reports, browser, name):
    from axe_playwright_python.sync_playwright import Axe

    out, _, _ = reports
    context = browser.new_context(offline=True, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto((out / f"{name}.html").as_uri(), wait_until="load")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    # heading-order (a moderate best-practice rule, not a WCAG tag): the title comes first,
    # then the contents list, and no heading level is skipped
    order = Axe().run(page, options={"runOnly": {"type": "rule", "values": ["heading-order"]}})
    first = page.evaluate("document.querySelector('h1, h2, h3, h4, h5, h6').tagName")
    context.close()
    assert first == "H1", f"{name}: the first heading is {first}, not the page's title"
    bad = [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    bad += [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in order.response["violations"]
    ]
    assert bad == [], bad
    assert order.response["passes"] or order.response["inapplicable"]  # the rule ran


def test_each_pdf_has_the_title_every_section_heading_and_no_split_figure(reports):
    import pypdf

    out, jobs, pdfs = reports
    assert [p.name for p in pdfs] == [f"{job.name}.pdf" for job in jobs]
    for job, path in zip(jobs, pdfs, strict=True):
        reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
        assert len(reader.pages) >= 1
        text = _squash("".join(page.extract_text() for page in reader.pages))
        assert _squash(job.title) in text, job.name  # printed in every page's footer
        headings = _headings(job.html_path.read_text(encoding="utf-8"))
        assert headings, job.name
        for heading in headings:
            assert _squash(heading) in text, (job.name, heading)
        # A figure split across pages is drawn on both: the same image on two pages.
        pages_of: dict[str, set[int]] = {}
        for number, page in enumerate(reader.pages):
            for image in page.images:
                pages_of.setdefault(hashlib.sha256(image.data).hexdigest(), set()).add(number)
        split = {h[:8]: sorted(p) for h, p in pages_of.items() if len(p) > 1}
        assert split == {}, (job.name, split)


def test_write_pdfs_says_when_chromium_is_missing(tmp_path):
    need_browser("axe_playwright_python", "pypdf")
    from evsum.exceptions import EvsumError

    page = tmp_path / "a.html"
    page.write_text("<title>a</title>")
    with pytest.raises(EvsumError, match="needs Chromium at .*missing"):
        write_pdfs([page], executable=tmp_path / "no-chromium")


def test_pdf_has_no_figure_cut_even_when_a_figure_is_taller_than_the_page(tmp_path, browser):
    # The print stylesheet keeps an image within one page; without it, Chromium would draw
    # this 16-inch figure on two pages.
    need_browser("axe_playwright_python", "pypdf")
    import base64

    import pypdf
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 16))
    fig.add_subplot().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    data = base64.b64encode(buffer.getvalue()).decode()
    css = (ROOT / "src" / "evsum" / "present" / "templates" / "print.css").read_text()
    page = tmp_path / "tall.html"
    page.write_text(
        f'<html><head><title>t</title><style media="print">{css}</style></head>'
        f'<body><p>before</p><img alt="tall" src="data:image/png;base64,{data}">'
        "</body></html>"
    )
    (pdf,) = write_pdfs([page], browser=browser)
    reader = pypdf.PdfReader(str(pdf))
    assert sum(len(p.images) for p in reader.pages) == 1


def test_evsum_render_pdf_writes_a_pdf_per_report(tmp_path):
    need_browser("axe_playwright_python", "pypdf")
    (tmp_path / "data").mkdir()
    shutil.copy(SMALL, tmp_path / "data" / "studies.csv")
    # the fixture table's own protocol (the repository's names studies it does not have)
    shutil.copy(ROOT / "tests" / "data" / "evsum.toml", tmp_path / "evsum.toml")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "condition_report.ipynb", tmp_path / "notebooks")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "evsum",
            "render",
            "--base",
            str(tmp_path),
            "--data",
            str(tmp_path / "data" / "studies.csv"),
            "--notebooks",
            str(tmp_path / "notebooks"),
            "--out",
            str(tmp_path / "reports"),
            "--build",
            str(tmp_path / "build"),
            "--only",
            "alcohol",
            "--pdf",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "reports" / "alcohol.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
