"""The overview's headline rows name what each result rests on and say it in GRADE's words.

Expected wording is Santesso et al. 2020 ("GRADE guidelines 26", J Clin Epidemiol 119:126,
table of suggested statements): very low certainty reads "The evidence is very uncertain about
the effect of X on Y"; low certainty with an important effect "X may increase/reduce Y". The
certainty of each row is the curated data/grade.csv judgement (start less the downgrades).
"""

import dataclasses
import warnings

import pytest

import evsum
from evsum.review.overview import analysis_statement, design_count, grade_row, headline_frame

from conftest import ROOT


@pytest.fixture(scope="module")
def evidence_and_frame():
    evidence = evsum.load_evidence(base=ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_all(evidence)
    frame = headline_frame(analyses, grade=evidence.grade)
    frame = frame[frame["k"] > 0]  # analyses with numbers (the headline table's rows)
    return evidence, analyses, frame.set_index(["condition", "outcome", "comparator_type"])


def test_krupitsky_2007_is_a_dose_comparison_in_its_own_words(evidence_and_frame):
    _, _, frame = evidence_and_frame
    row = frame.loc[("opioids", "abstinence", "dose comparison")]
    assert row["design"] == "RCT (dose comparison)"
    assert row["comparison"] == "3 sessions vs 1 session of ketamine-assisted psychotherapy"
    # data/grade.csv: opioids abstinence dose comparison, certainty very low.
    assert row["certainty"] == "very low"
    # the statement names the arms compared, not "ketamine" (GRADE guidelines 26)
    assert row["statement"] == (
        "The evidence is very uncertain about the effect of 3 sessions on abstinence when "
        "compared with 1 session of ketamine-assisted psychotherapy."
    )


def test_a_one_study_analysis_is_titled_with_the_study_s_own_comparison(evidence_and_frame):
    _, analyses, _ = evidence_and_frame
    titles = {a.title for a in analyses if a.condition == "opioids"}
    # evsum.toml [study_comparisons]: krupitsky2007 and krupitsky2002 in their own words;
    # the outcome in its label (issue 24)
    assert (
        "Abstinence, 12 months — 3 sessions vs 1 session of ketamine-assisted psychotherapy (RR)"
    ) in titles
    assert (
        "Abstinence, 24 months — ketamine 2.0 mg/kg vs 0.2 mg/kg, one session of "
        "ketamine-assisted psychotherapy (RR)"
    ) in titles
    assert not any("fewer ketamine sessions" in t for t in titles)


def test_krupitsky_1997_is_non_randomised_and_very_uncertain(evidence_and_frame):
    _, _, frame = evidence_and_frame
    row = frame.loc[("alcohol", "abstinence", "treatment as usual")]
    assert row["design"] == "non-randomised study"
    assert row["certainty"] == "very low"  # data/grade.csv, alcohol abstinence row
    assert row["category"] == "very uncertain"
    # data/studies.csv line 2: source_locator "10.1080/02791072.1997.10400185, Abstract"
    assert row["source_type"] == ("primary",)
    assert row["source_kind"] == ("abstract",)


def test_a_registry_result_says_so(evidence_and_frame):
    _, _, frame = evidence_and_frame
    # NCT04177706: "ClinicalTrials.gov NCT04177706 results ..., Participant Flow" in
    # data/studies.csv, source_type registry.
    row = frame.loc[("opioids", "retention", "placebo")]
    assert row["source_type"] == ("registry",)
    assert row["source_kind"] == ("registry results",)


def test_a_mean_difference_without_a_mid_is_not_sized(evidence_and_frame):
    evidence, analyses, _ = evidence_and_frame
    # grade.csv rates Grabski 2022 very low (publication bias suspected); rated low, as it was
    # before that judgement, the statement shows how an unsized MD reads at low certainty
    grade = evidence.grade.copy()
    rated = (grade["condition"] == "alcohol") & (grade["outcome"] == "percent_days_abstinent")
    grade.loc[rated, ["publication_bias", "certainty"]] = ["not serious", "low"]
    frame = headline_frame(analyses, grade=grade).set_index(
        ["condition", "outcome", "comparator_type"]
    )
    row = frame.loc[("alcohol", "percent_days_abstinent", "placebo")]
    assert row["category"] == "size not judged"
    # Grabski 2022: MD 10.1 (1.1 to 19.0), low certainty: GRADE's low-certainty
    # verb for the direction the interval shows (Santesso et al. 2020, table 2), not a size
    assert row["statement"] == (
        "Ketamine may increase percentage of days abstinent when compared with placebo; whether the "
        "difference is important cannot be judged (no minimal important difference is set for "
        "this outcome)."
    )


def test_a_mid_from_the_protocol_sizes_a_mean_difference(evidence_and_frame):
    evidence, analyses, _ = evidence_and_frame
    (analysis,) = [a for a in analyses if a.outcome == "percent_days_abstinent"]
    spec = dataclasses.replace(analysis.protocol.outcomes["percent_days_abstinent"], mid=5.0)
    protocol = dataclasses.replace(
        analysis.protocol, outcomes={**analysis.protocol.outcomes, "percent_days_abstinent": spec}
    )
    grade = grade_row(
        evidence.grade, "alcohol", "percent_days_abstinent", "placebo", analysis.timepoint
    )
    # rated low, as before publication bias was judged serious (data/grade.csv: very low)
    grade = {**grade, "publication_bias": "not serious", "certainty": "low"}
    certainty, category, sentence = analysis_statement(
        dataclasses.replace(analysis, protocol=protocol), grade
    )
    # Grabski 2022 MD 10.1 (1.1 to 19.0), low certainty; 10.1 >= a MID of 5
    # is an important effect: Santesso 2020, low certainty, "X may increase Y".
    assert (certainty, category) == ("low", "moderate")
    assert sentence == (
        "Ketamine may increase percentage of days abstinent when compared with placebo."
    )


def test_headline_html_never_says_favours(evidence_and_frame):
    evidence, analyses, _ = evidence_and_frame
    page = str(evsum.blocks.overview.headline(analyses, grade=evidence.grade))
    assert "favours" not in page.lower()
    assert "3 sessions vs 1 session of ketamine-assisted psychotherapy" in page
    assert "VERY LOW" in page


def test_design_count_reads_as_gradepro_does():
    import pandas as pd

    rows = pd.DataFrame(
        {
            "study_id": ["a", "b", "b", "c"],
            "design": ["parallel_rct", "parallel_rct", "parallel_rct", "crossover_rct"],
        }
    )
    # GRADEpro's "No. of participants (studies)": "40 (1 RCT)"; plural "RCTs".
    assert design_count(rows) == "2 RCTs, 1 crossover RCT"
    assert design_count(rows.iloc[:1]) == "1 RCT"
