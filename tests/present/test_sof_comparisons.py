"""One summary of findings per comparison, in its own words; no certainty for a result not
obtained; narrative rows show the curated summary (grade.csv ``summary``), never a quote."""

import dataclasses
import re
import warnings

import pytest

import evsum
from evsum.present.sof import RESULT_NOT_AVAILABLE, result_summary

from conftest import ROOT


@pytest.fixture(scope="module")
def evidence():
    return evsum.load_evidence(base=ROOT)


def _page(evidence, condition):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, condition)
    return str(evsum.blocks.condition.summary_of_findings(evidence, analyses))


def test_each_dose_comparison_has_its_own_table_titled_in_its_own_words(evidence):
    captions = re.findall(r"<caption>(.*?)</caption>", _page(evidence, "opioids"))
    # evsum.toml [study_comparisons]: krupitsky2007 "3 sessions vs 1 session of …",
    # krupitsky2002 "ketamine 2.0 mg/kg vs 0.2 mg/kg, one session of …"
    assert (
        "3 sessions compared with 1 session of ketamine-assisted psychotherapy for opioid use "
        "disorder (heroin dependence)"
    ) in captions
    assert any(c.startswith("Ketamine 2.0 mg/kg compared with 0.2 mg/kg") for c in captions)
    assert "Ketamine compared with placebo for opioid use disorder (heroin dependence)" in (
        captions
    )
    assert not any("fewer ketamine sessions or a lower dose" in c for c in captions)


def test_a_result_not_obtained_gets_no_certainty_and_says_why(evidence):
    # Yoon 2025's abstinence: only the outcome's name was read ("Co-primary: MADRS; complete
    # alcohol abstinence"), so grade.csv has no row for it and the table says why
    page = _page(evidence, "alcohol")
    row = re.search(r"<tr><td[^>]*>Abstinence \(4 weeks\).*?</tr>", page, flags=re.S).group(0)
    assert RESULT_NOT_AVAILABLE + ": the sources read give no number" in row
    assert "NOT RATED" in row and "⊕" not in row


def test_a_result_in_words_shows_its_curated_summary_and_certainty(evidence):
    # Krupitsky 2007 craving: "No differences between groups were found in ... craving for
    # heroin" (abstract); grade.csv's summary words it and the row keeps its certainty
    page = _page(evidence, "opioids")
    row = re.search(r"<tr><td[^>]*>Craving \(12 months\).*?</tr>", page, flags=re.S).group(0)
    assert "No difference in craving between three sessions and one (abstract)." in row
    assert "NOT RATED" not in row and "⊕" in row


def test_a_narrative_row_shows_its_curated_summary(evidence):
    grade = evidence.grade.copy()
    chosen = (
        (grade["condition"] == "alcohol")
        & (grade["outcome"] == "abstinence")
        & (grade["comparator_type"] == "active placebo")
        & (grade["timepoint"].str.strip() == "21 days")
    )
    assert chosen.sum() == 1
    grade.loc[chosen, "summary"] = "More days abstinent with ketamine (in words only)."
    page = _page(dataclasses.replace(evidence, grade=grade), "alcohol")
    row = re.search(r"<tr><td[^>]*>Abstinence \(21 days\).*?</tr>", page, re.S)
    assert "More days abstinent with ketamine (in words only)." in row.group(0)
    assert "NOT RATED" not in row.group(0)
    assert result_summary({"summary": "Result not available: registry lists the name only."})
