"""The repository's own reports, rendered as a reader gets them: no curation note in reader
text, each quote once and never empty, every figure with a text alternative, the data version
in every footer, and pages light enough to open anywhere."""

import html
import re
from pathlib import Path

import pytest

from evsum import load_evidence
from evsum.ingest.protocol import load_protocol
from evsum.present.text import CERTAINTY_SYMBOLS
from evsum.render.batch import plan_reports, render_all

from conftest import ROOT
from page_text import machine_traces

#: Curators' working notes that reached reader pages before (issue 15): none may appear on a
#: reader page; they belong on the curation log.
CURATION_PHRASES = (
    "Fill in from Results",
    "when available",
    "Placeholder for the primary paper",
    "Never pool.",
    "n_comparator",
    "n_intervention",
    "not a vocabulary outcome",
    "retrievable through the search tool",
    "not retrievable in",
    "not read",
    "Numbers not read",
    "Note:</em>",
)
#: Sizes a reader's browser, an e-mail attachment or a slow connection copes with (issue 15).
CONDITION_LIMIT = 400_000
GALLERY_LIMIT = 1_000_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "reports"
    jobs = plan_reports(ROOT / "data" / "studies.csv", ROOT / "notebooks", out, base=ROOT,
                        build_dir=out.parent / "build")
    summary = render_all(jobs, out, quiet=True, workers=2)
    assert not summary.failed, [r.error for r in summary.failed]
    return out, jobs


def _visible(page: str) -> str:
    """The page's text and attributes without embedded images and style sheets."""
    page = re.sub(r'src="data:[^"]*"', 'src=""', page)
    return re.sub(r"<style.*?</style>", "", page, flags=re.S)


def _reader_pages(out: Path) -> dict[str, str]:
    return {p.name: _visible(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.html"))
            if p.name != "curation-log.html"}


def test_no_curation_note_reaches_a_reader_page(site):
    out, _ = site
    pages = _reader_pages(out)
    assert {"alcohol.html", "methods.html", "overview.html", "gallery.html"} <= set(pages)
    for name, page in pages.items():
        for phrase in CURATION_PHRASES:
            pattern = r"\s+".join(re.escape(word) for word in phrase.split())
            found = re.search(r"\b" + pattern + (r"\b" if phrase[-1].isalnum() else ""), page,
                              re.IGNORECASE)
            assert not found, f"{name}: {phrase!r} in {page[found.start() - 80:found.end()]!r}"


def test_the_notes_are_on_the_curation_log_linked_from_every_report(site):
    out, jobs = site
    log = (out / "curation-log.html").read_text(encoding="utf-8")
    assert "Fill in from Results" in log and "not read" in log
    assert "<title>Curation log" in log
    for job in jobs:
        if job.name not in ("curation-log",):
            page = job.html_path.read_text(encoding="utf-8")
            assert '<a href="curation-log.html">Curation log</a>' in page, job.name


def test_every_quote_once_and_none_empty(site):
    """In a condition report each row's quote is printed once, in the outcome data (the
    claims audit quotes a row under every claim it bears on, by design)."""
    out, jobs = site
    evidence = load_evidence(base=ROOT)
    conditions = {f"{job.name}.html" for job in jobs if "condition" in job.parameters}
    assert conditions
    for name, page in _reader_pages(out).items():
        if name not in conditions:
            assert not re.search(r"“\s*”", page), name
            continue
        assert not re.search(r"“\s*”", page), name
        quotes = re.findall(r'<span class="evsum-quote">“(.*?)”</span>', page, re.S)
        rows = evidence.studies.for_condition(name.removesuffix(".html"))
        wanted = [q for q in rows["source_quote"] if isinstance(q, str) and q.strip()]
        # one quote per data row that has one (two rows may quote the same sentence)
        assert sorted(html.unescape(q) for q in quotes) == sorted(wanted), name


def test_every_figure_has_a_text_alternative_from_its_data(site):
    out, _ = site
    for name, page in _reader_pages(out).items():
        for tag in re.findall(r"<img\b[^>]*>", page):
            alt = re.search(r'alt="([^"]*)"', tag)
            assert alt and alt.group(1).strip(), (name, tag[:120])
            assert "No description has been provided" not in alt.group(1), name
    opioids = (out / "opioids.html").read_text(encoding="utf-8")
    # 13/26 vs 6/27 (Krupitsky 2007, abstract): RR 2.25, 95 % CI 1.01 to 5.03 by hand
    assert "Krupitsky 2007, RR 2.25, 95 % CI 1.01 to 5.03." in opioids


def test_every_forest_plot_states_design_comparison_and_certainty(site):
    """Issue 14: every figure label states design, comparison and certainty. Krupitsky 2007
    compared 3 with 1 session of ketamine-assisted psychotherapy (J Psychoactive Drugs
    39:13); its certainty is the one the curators recorded in grade.csv."""
    out, jobs = site
    evidence = load_evidence(base=ROOT)
    for job in jobs:
        if "condition" not in job.parameters:
            continue
        page = job.html_path.read_text(encoding="utf-8")
        forests = re.findall(r'<figure class="evsum-figure"><img alt="Forest plot[^"]*"[^>]*>\s*'
                             r"<figcaption>(.*?)</figcaption>", page, re.S)
        assert len(forests) == page.count('alt="Forest plot'), job.name
        for caption in forests:
            assert re.match(r"\d+ (RCTs?|crossover RCTs?|non-randomised stud(y|ies))", caption)
            assert " vs " in caption and "Certainty of the evidence (GRADE): " in caption
            assert "dose comparison vs" not in caption and "vs dose comparison" not in caption
    grade = evidence.grade
    certainty = grade.loc[(grade["condition"] == "opioids")
                          & (grade["comparator_type"] == "dose comparison"), "certainty"].item()
    opioids = html.unescape((out / "opioids.html").read_text(encoding="utf-8"))
    assert ("<figcaption>1 RCT (dose comparison: both arms received ketamine): 3 sessions vs 1 "
            "session of ketamine-assisted psychotherapy. Certainty of the evidence (GRADE): "
            f"{CERTAINTY_SYMBOLS[certainty]} {certainty.capitalize()}.</figcaption>") in opioids


def test_footers_carry_the_data_version_once_and_no_render_time(site):
    out, jobs = site
    protocol = load_protocol(ROOT)
    assert protocol.data_date
    for job in jobs:
        page = job.html_path.read_text(encoding="utf-8")
        footer = re.search(r'<footer class="evsum-provenance">(.*?)</footer>', page, re.S)
        text = footer.group(1)
        assert f"data of {protocol.data_date}" in text and text.count(job.data_sha256) == 1
        assert "{" not in text, job.name  # parameters in words, not JSON
    methods = (out / "methods.html").read_text(encoding="utf-8")
    assert f"Data of {protocol.data_date}" in methods


def test_no_warning_traceback_or_machine_path_on_any_page(site):
    """The gallery used to print two Python warnings with kernel paths; a caveat is reader
    text (a note under the figure), never a raw warning."""
    out, _ = site
    pages = sorted(out.glob("*.html"))
    assert {"gallery.html", "methods.html", "alcohol.html"} <= {p.name for p in pages}
    for path in pages:
        assert machine_traces(path.read_text(encoding="utf-8")) == [], path.name
    gallery = (out / "gallery.html").read_text(encoding="utf-8")
    # the caveats of the fictional example, in words under the figures
    assert "continuity correction: 0.5 added to every cell of its 2×2 table" in describe_all(
        gallery)
    assert "τ² truncated at 0" in describe_all(gallery)


def describe_all(page: str) -> str:
    """The text of a page with its figures' text alternatives."""
    return html.unescape(" ".join(re.findall(r'alt="([^"]*)"', page)) + " " + page)


def test_pages_are_light_enough(site):
    out, jobs = site
    sizes = {job.name: job.html_path.stat().st_size for job in jobs}
    for name, size in sizes.items():
        limit = GALLERY_LIMIT if name == "gallery" else CONDITION_LIMIT
        assert size <= limit, f"{name}.html is {size} bytes (limit {limit})"
    assert {"alcohol", "opioids", "cocaine", "depression"} <= set(sizes)
