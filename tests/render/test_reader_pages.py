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
def site(review_site):
    """The repository's review rendered with every report notebook (once per session)."""
    return review_site.out, review_site.jobs


def _visible(page: str) -> str:
    """The page's text and attributes without embedded images and style sheets."""
    page = re.sub(r'src="data:[^"]*"', 'src=""', page)
    return re.sub(r"<style.*?</style>", "", page, flags=re.S)


def _reader_pages(out: Path) -> dict[str, str]:
    return {
        p.name: _visible(p.read_text(encoding="utf-8"))
        for p in sorted(out.glob("*.html"))
        if p.name != "curation-log.html"
    }


def test_no_curation_note_reaches_a_reader_page(site):
    out, _ = site
    pages = _reader_pages(out)
    assert {"alcohol.html", "methods.html", "overview.html", "gallery.html"} <= set(pages)
    for name, page in pages.items():
        for phrase in CURATION_PHRASES:
            pattern = r"\s+".join(re.escape(word) for word in phrase.split())
            found = re.search(
                r"\b" + pattern + (r"\b" if phrase[-1].isalnum() else ""), page, re.IGNORECASE
            )
            assert not found, f"{name}: {phrase!r} in {page[found.start() - 80 : found.end()]!r}"


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
        forests = re.findall(
            r'<figure class="evsum-figure"[^>]*><img alt="Forest plot[^"]*"[^>]*>\s*'
            r"<figcaption>(.*?)</figcaption>",
            page,
            re.S,
        )
        assert len(forests) == page.count('alt="Forest plot'), job.name
        for caption in forests:
            assert re.match(r"\d+ (RCTs?|crossover RCTs?|non-randomised stud(y|ies))", caption)
            assert " vs " in caption and "Certainty of the evidence (GRADE): " in caption
            assert "dose comparison vs" not in caption and "vs dose comparison" not in caption
    grade = evidence.grade
    certainty = grade.loc[
        (grade["condition"] == "opioids")
        & (grade["outcome"] == "abstinence")
        & (grade["comparator_type"] == "dose comparison")
        & (grade["timepoint"] == "12 months"),
        "certainty",
    ].item()
    opioids = html.unescape((out / "opioids.html").read_text(encoding="utf-8"))
    assert (
        "<figcaption>1 RCT (dose comparison: both arms received ketamine): 3 sessions vs 1 "
        "session of ketamine-assisted psychotherapy. Certainty of the evidence (GRADE): "
        f"{CERTAINTY_SYMBOLS[certainty]} {certainty.capitalize()}.</figcaption>"
    ) in opioids


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
        gallery
    )
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


def _cells(soup, selector: str) -> list[list]:
    return [tr.find_all("td") for tr in soup.select(selector)]


def _numbers(words: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", words)


def test_one_count_and_one_result_per_study_on_every_page(site):
    """Issue 14: one participant count and one formatted result per study everywhere. Each
    study's count reads the same wherever it is shown; a headline row resting on one study
    gives a number of that count and the same effect and certainty as its condition's summary
    of findings; the claims audit's arm data use the study's own denominators."""
    from bs4 import BeautifulSoup

    from evsum.present.text import study_participants as count_words
    from evsum.review.participants import study_participants

    out, _ = site
    pages = {
        p.stem: BeautifulSoup(text, "html.parser")
        for p, text in ((p, p.read_text(encoding="utf-8")) for p in out.glob("*.html"))
    }
    counts = {c.label: c for c in study_participants(load_evidence(base=ROOT)).values()}
    shown: dict[str, set[str]] = {}
    for soup in pages.values():
        for cells in _cells(soup, "table.evsum-studies tbody tr"):
            shown.setdefault(cells[0].get_text(" ", strip=True), set()).add(
                cells[2].get_text(" ", strip=True)
            )
    assert set(shown) == set(counts)
    assert {label: len(words) for label, words in shown.items()} == dict.fromkeys(counts, 1)
    for label, words in shown.items():
        assert words == {count_words(counts[label])}, label
    # the papers' counts (study_characteristics.csv and studies.csv quote them)
    assert shown["Das 2019"] == {"90 randomised in 3 arms (per-arm n not reported)"}
    assert shown["Gent 2024"] == {"28 randomised (per-arm n not reported)"}
    assert shown["Krupitsky 2007"] == {"59 randomised, 53 analysed (26 / 27)"}
    assert shown["Dakwar 2017"] == {"20 (crossover)"}
    assert shown["Dakwar 2019"] == {"55 (27 / 28)"}

    checked = 0
    for cells in _cells(pages["overview"], "table.evsum-headline tbody tr"):
        page = cells[0].a["href"].split("#")[0].removesuffix(".html")
        outcome, timepoint = (cells[i].get_text(" ", strip=True) for i in (1, 5))
        studies = cells[6].get_text(" ", strip=True).split(": ", 1)[-1]
        n, effect = cells[7].get_text(strip=True), cells[8].get_text(" ", strip=True)
        certainty = cells[9].get_text(" ", strip=True)
        if "," in studies:
            continue
        study = counts[studies]
        pairs = [a + (b or 0) for a, b in study.comparisons if a is not None]
        assert int(n) in {study.randomised, study.analysed, *pairs}, (studies, n)
        # one summary of findings per comparison: the row of this outcome and time point
        # that counts this study's participants
        rows = [
            r
            for r in _cells(pages[page], "table.evsum-sof tbody tr")
            if r[0].get_text(" ", strip=True).startswith(f"{outcome} ({timepoint})")
            and any(c.get_text(" ", strip=True).startswith(f"{n} (") for c in r)
        ]
        assert len(rows) == 1, (page, outcome, timepoint)
        texts = [c.get_text(" ", strip=True) for c in rows[0]]
        assert any(t.startswith(f"{n} (") for t in texts), (studies, texts)
        assert _numbers(effect) in [_numbers(t)[:3] for t in texts], (studies, effect, texts)
        assert certainty.split()[-1] in " ".join(texts), (studies, certainty)
        checked += 1
    assert checked >= 5

    audit = re.sub(r"\s+", " ", pages["claims-audit"].get_text(" "))
    arms = re.findall(r"(\w+ \d{4}) \([^)]*\): [^:]*: \d+/(\d+) vs \d+/(\d+)", audit)
    assert arms
    for label, first, second in arms:
        assert (int(first), int(second)) in counts[label].comparisons, label
    # an arm-level row's result reads as its analysis gives it (Dakwar 2019, 13/27 vs 3/28)
    assert "13/27 vs 3/28; RR 4.49 (1.44 to 14.03)" in audit
    assert "Krupitsky 2007 (3 sessions vs 1 session of ketamine-assisted psychotherapy)" in audit


def _table_rows(page: str, css: str) -> list[list[str]]:
    """The body rows of the page's ``<table class="css">``, each a list of its cells' text."""
    table = re.search(rf'<table class="{css}">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody>", 1)[1]

    def words(cell: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())

    return [
        [words(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_a_result_read_only_in_an_abstract_says_so_in_the_headline(site):
    out, _ = site
    overview = (out / "overview.html").read_text(encoding="utf-8")
    headers = re.search(
        r'<table class="evsum-headline"><thead>(.*?)</thead>', overview, re.S
    ).group(1)
    source = re.findall(r"<th>(.*?)</th>", headers).index("Source")
    rows = _table_rows(overview, "evsum-headline")
    # data/studies.csv line 2: Krupitsky 1997's locator is "10.1080/02791072.1997.10400185,
    # Abstract (publisher abstract ...)"; NCT04177706's is ClinicalTrials.gov results
    [krupitsky] = [r for r in rows if "Krupitsky 1997" in r[6]]
    assert krupitsky[source] == "abstract only"
    [registry] = [r for r in rows if "NCT04177706" in r[6] or "Jones 2024" in r[6]]
    assert registry[source] == "registry results"
    assert "trial report" not in {r[source] for r in rows}


def test_condition_reports_say_what_each_row_was_read_in(site):
    out, _ = site
    alcohol = (out / "alcohol.html").read_text(encoding="utf-8")
    data_rows = _table_rows(alcohol, "evsum-rows")
    kinds = {(r[0], r[1], r[9].split(":", 1)[0].strip()) for r in data_rows}
    # data/studies.csv lines 2 and 11: Krupitsky 1997 (abstract), Grabski 2022's relapse OR
    # from psychiatryadvisor.com ("press report of Grabski 2022")
    assert ("Krupitsky 1997", "Abstinence", "abstract only") in kinds
    assert ("Grabski 2022", "Relapse", "press report, secondary source") in kinds
    table = re.search(r'<table class="evsum-studies">(.*?)<tbody>', alcohol, re.S).group(1)
    headers = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table)]
    source = headers.index("Source")
    studies = {r[0]: r[source] for r in _table_rows(alcohol, "evsum-studies")}
    assert studies["Krupitsky 1997"].startswith("abstract only ")
    assert studies["Dakwar 2020"].startswith("abstract only, press report ")
    # the summary of findings footnotes a result from an abstract and one from the press
    assert "From the abstract of the trial report only" in alcohol
    assert "Secondary source (a press report of the trial)" in alcohol
    depression = (out / "depression.html").read_text(encoding="utf-8")
    # Zarate 2006: a review table (PMC4714563) and Cochrane CD011612 only
    assert "Secondary source (a review of the trial)" in depression


def test_no_page_shows_an_empty_table(site):
    out, _ = site
    for name, page in _reader_pages(out).items():
        assert not re.search(r"<tbody>\s*</tbody>", page), name
