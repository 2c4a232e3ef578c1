"""The summary of findings laid out as GRADEpro does, on the project's own data.

Conventions checked (GRADE handbook, section 5, "Summary of findings tables"; Cochrane
Handbook 14.1): a header naming population, setting, intervention and comparison; up to seven
outcomes per table, critical ones first; "No. of participants (studies)" with the design
("40 (1 RCT)"); continuous outcomes as "MD ... higher (... higher to ... higher)" in the
absolute-effect column; a Comments column; the GRADE Working Group grades of evidence under
the table. Counts and results are those of data/studies.csv and study_characteristics.csv.
"""

import html
import re
import warnings

import pytest

import evsum
from evsum.ingest.protocol import IMPORTANCE
from evsum.present.sof import CERTAINTY_KEY, MAX_SOF_OUTCOMES, summary_of_findings

from conftest import ROOT


@pytest.fixture(scope="module")
def pages():
    evidence = evsum.load_evidence(base=ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            c: str(
                evsum.blocks.condition.summary_of_findings(
                    evidence, evsum.analyse_condition(evidence, c)
                )
            )
            for c in evidence.studies.conditions
        }, evidence


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _tables(page: str) -> list[str]:
    return re.findall(r'<table class="evsum-sof">.*?</table>', page, flags=re.S)


def test_no_row_reads_zero_studies(pages):
    for condition, page in pages[0].items():
        assert "0 (0 studies)" not in _plain(page), condition
        assert "(0 studies)" not in _plain(page), condition


def test_at_most_seven_outcomes_per_table_critical_first(pages):
    pages, evidence = pages
    protocol = evidence.protocol
    labels = {protocol.outcome_label(k): k for k in protocol.outcomes}
    for condition, page in pages.items():
        for table in _tables(page):
            body = table.split("<tbody>")[1]
            rows = re.findall(r"<tr><td[^>]*>(.*?)(?: \(|<br>)", body)
            assert 0 < len(rows) <= MAX_SOF_OUTCOMES, condition
            ranks = [
                IMPORTANCE.index(protocol.outcome_importance(labels[html.unescape(r)]))
                for r in rows
            ]
            assert ranks == sorted(ranks), (condition, rows)


def test_header_comments_and_certainty_key_under_every_table(pages):
    for page in pages[0].values():
        tables = _tables(page)
        assert tables
        for table in tables:
            text = _plain(table)
            assert "Intervention:" in text and "Comparison:" in text
            if re.search(r"<caption>Ketamine compared with", table):
                assert "Intervention: ketamine" in text
            assert "No. of participants (studies)" in text and "Comments" in text
        assert page.count("GRADE Working Group grades of evidence") == len(tables)
        for level, meaning in CERTAINTY_KEY:
            assert f"{level}:" in _plain(page) and meaning in _plain(page)


def test_narrative_rows_have_their_real_denominator_and_design(pages):
    text = _plain(pages[0]["alcohol"])
    # Dakwar 2020: 40 randomised (study_characteristics.csv, from the paper's abstract), one
    # parallel RCT, results only in words.
    assert "40 (1 RCT)" in text
    # never a raw quote in a summary of findings: the curated summary, else "not available"
    for page in pages[0].values():
        for table in _tables(page):
            assert "“" not in _plain(table).split("GRADE Working Group")[0]


def test_a_continuous_outcome_in_the_absolute_column(pages):
    # Grabski 2022 percentage of days abstinent: MD 10.1 (1.1 to 19.0) as the paper reports
    # it (data/studies.csv), unit from the protocol.
    assert "MD 10.1 percentage points higher (1.1 higher to 19.0 higher)" in _plain(
        pages[0]["alcohol"]
    )


def test_a_secondary_result_is_shown_footnoted_and_not_pooled(pages):
    page = pages[0]["alcohol"]
    text = _plain(page)
    # Grabski 2022 relapse: OR 0.80 (0.31 to 2.10) read only in a press report.
    assert "Grabski 2022: OR 0.80 (0.31 to 2.10)" in text
    assert "Secondary source" in text and "never pooled" in text
    assert "cannot be estimated" not in text


def test_an_outcome_known_only_in_a_review_shows_its_words_footnoted(pages):
    # Dakwar 2017 naturalistic use at 2 weeks, read only in a review's table (PMC11527458):
    # its curated summary (grade.csv) or "result not available", footnoted as resting on a
    # review; never the review's raw words
    row = re.search(r"Substance use \(2 weeks\).*?</tr>", pages[0]["cocaine"], flags=re.S)
    assert row and "<sup>" in row.group(0) and "“" not in row.group(0)


def test_ratio_rows_give_risk_per_1000_with_interval(pages):
    text = _plain(pages[0]["opioids"])
    # Krupitsky 2007 abstinence, RR 2.25 (1.01 to 5.03) from its arm data (13/26 vs 6/27):
    # risk with the comparator per 1000 from grade.csv, the intervention's with its interval.
    assert re.search(r"\d+ per 1000 \(\d+ to \d+\)", text)
    assert "RR 2.25 (1.01 to 5.03)" in text
    assert "53 (1 RCT)" in text  # 53 of 59 analysed (Krupitsky 2007 abstract)


def _footnotes(table: str) -> dict[str, str]:
    notes = re.search(r'<ol class="evsum-sof-footnotes">(.*?)</ol>', table, re.S).group(1)
    texts = [html.unescape(n) for n in re.findall(r"<li>(.*?)</li>", notes, re.S)]
    return {chr(ord("a") + i): t for i, t in enumerate(texts)}


def _participant_marks(page: str, participants: str) -> list[str]:
    """The footnotes marked on each "No. of participants (studies)" cell that reads
    ``participants``, table by table."""
    found = []
    # each table with the footnotes printed under it, up to the next table
    for block in page.split('<table class="evsum-sof">')[1:]:
        notes = _footnotes(block) if "evsum-sof-footnotes" in block else {}
        for marks in re.findall(
            rf"<td[^>]*>{re.escape(participants)}<sup>([a-z,]+)</sup></td>", block
        ):
            found.append([notes[m] for m in marks.split(",")])
    return found


def test_a_result_read_only_in_an_abstract_is_footnoted(pages):
    # Krupitsky 1997 (data/studies.csv line 2, locator "..., Abstract"): 111 vs 100
    # participants of one non-randomised study, the numbers read in the abstract.
    page = str(
        evsum.blocks.condition.summary_of_findings(
            pages[1], evsum.analyse_condition(pages[1], "alcohol")
        )
    )
    marked = _participant_marks(page, "211 (1 non-randomised study)")
    assert marked and all(
        any(n.startswith("From the abstract of the trial report only") for n in notes)
        for notes in marked
    )


def test_a_result_resting_on_a_review_names_the_kind(pages):
    # Zarate 2006 (data/studies.csv lines 26-27): only a review table (PMC4714563) and
    # Cochrane CD011612, no usable number; 18 randomised, 17 analysed for response
    # (study_characteristics.csv): every row counts the 17, as the response row does.
    marked = _participant_marks(pages[0]["depression"], "17 (1 crossover RCT)")
    assert marked and all(
        "Secondary source (a review of the trial): shown as reported, never pooled." in notes
        for notes in marked
    )


def test_a_press_report_is_footnoted_as_one(pages):
    # Grabski 2022 relapse OR 0.80 (0.31 to 2.10): psychiatryadvisor.com, "press report of
    # Grabski 2022" (data/studies.csv line 11).
    text = _plain(pages[0]["alcohol"])
    assert "Secondary source (a press report of the trial): shown as reported" in text


def test_some_of_several_studies_from_abstracts_are_named(pages):
    from evsum.present.sof import sof_html

    evidence = pages[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sof = summary_of_findings(
            evsum.analyse_condition(evidence, "opioids"), evidence.grade, condition="opioids"
        )
    row = sof[sof["k"] > 0].iloc[[0]].copy()
    # a (hypothetical) pooled row of two studies, one read only in its abstract
    row["k"] = 2
    row["abstract_only"] = [("Krupitsky 2007",)]
    notes = _footnotes(str(sof_html(row)))
    assert (
        "From the abstract of the trial report only (the full paper's methods and "
        "results could not be checked): Krupitsky 2007."
    ) in notes.values()
    row["abstract_only"] = [()]
    assert "From the abstract" not in str(sof_html(row))
