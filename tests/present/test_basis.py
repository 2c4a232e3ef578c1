"""Figure labels state what a result rests on (issue 14): the design, the comparison in its own
words (its arms label the forest plot's "Favours …" sides, never a comparator type's name)
and the GRADE certainty, "not assessed" where grade.csv has no row."""

import dataclasses
import warnings

import pytest

import evsum
from evsum.present import text
from evsum.present.basis import result_basis
from evsum.review.analysis import analyse_outcomes

from conftest import ROOT


@pytest.fixture(scope="module")
def ketamine():
    return evsum.load_evidence(base=ROOT)


@pytest.fixture(scope="module")
def example():
    evidence = evsum.examples.example_evidence()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fictional zero-event study's correction
        return evidence, evsum.analyse_condition(evidence, "condition_a")


def _texts(fig, gid):
    return [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == gid]


def _recorded(grade, condition, outcome, comparator_type, timepoint):
    """The certainty the curators wrote in grade.csv's ``certainty`` column."""
    match = grade[
        (grade["condition"] == condition)
        & (grade["outcome"] == outcome)
        & (grade["comparator_type"] == comparator_type)
        & (grade["timepoint"] == timepoint)
    ]
    return match["certainty"].item()


@pytest.mark.parametrize(
    ("comparison", "arms"),
    [
        (
            "3 sessions vs 1 session of ketamine-assisted psychotherapy",
            ("3 sessions", "1 session of ketamine-assisted psychotherapy"),
        ),
        # the text after a comma is what both arms share
        (
            "ketamine 2.0 mg/kg vs 0.2 mg/kg, one session of psychotherapy",
            ("ketamine 2.0 mg/kg", "0.2 mg/kg"),
        ),
        ("placebo", ("drug X", "placebo")),
        ("active placebo", ("drug X", "active placebo")),
        ("treatment as usual", ("drug X", "treatment as usual")),
    ],
)
def test_comparison_arms_in_the_comparison_s_own_words(comparison, arms):
    assert text.comparison_arms(comparison, "drug X") == arms
    assert text.comparison_words(comparison, "drug X") == (
        comparison if " vs " in comparison else f"drug X vs {comparison}"
    )


def test_a_dose_comparison_without_its_own_words_never_reads_as_drug_versus_control():
    first, second = text.comparison_arms("a lower dose", "drug X", dose_comparison=True)
    assert (first, second) == ("more drug X (a higher dose or more sessions)", "a lower dose")
    assert text.favours(first) != "Favours drug X"


def test_certainty_in_grade_s_words():
    # GRADEpro's symbols and level names (GRADE Handbook 5.1, summary of findings tables)
    assert text.certainty_words("high") == "Certainty of the evidence (GRADE): ⊕⊕⊕⊕ High"
    assert text.certainty_words("very low") == ("Certainty of the evidence (GRADE): ⊕◯◯◯ Very low")
    assert text.certainty_words("not assessed") == (
        "Certainty of the evidence (GRADE): not assessed"
    )


def test_krupitsky_2007_forest_plot_names_its_design_arms_and_certainty(ketamine):
    """Krupitsky 2007 randomised 3 vs 1 session of ketamine-assisted psychotherapy (J
    Psychoactive Drugs 39:13); both arms had ketamine. Its comparison words are the
    protocol's [study_comparisons]; its certainty the one recorded in grade.csv."""
    opioids = evsum.analyse_condition(ketamine, "opioids")
    analysis = next(
        a for a in opioids if a.comparator_type == "dose comparison" and a.result is not None
    )
    certainty = _recorded(ketamine.grade, "opioids", "abstinence", "dose comparison", "12 months")
    basis = result_basis(analysis, ketamine.grade)
    assert basis.design == "1 RCT (dose comparison: both arms received ketamine)"
    assert basis.comparison == "3 sessions vs 1 session of ketamine-assisted psychotherapy"
    assert basis.certainty == certainty
    fig = analysis.forest_plot(title="Krupitsky 2007")
    favours = _texts(fig, "favours")
    assert sorted(" ".join(f.split()) for f in favours) == [
        "Favours 1 session of ketamine-assisted psychotherapy",
        "Favours 3 sessions",
    ]
    assert not any("dose comparison" in f.lower() for f in favours)
    subtitle = " ".join(_texts(fig, "subtitle")[0].split())
    assert "1 RCT (dose comparison: both arms received ketamine)" in subtitle
    assert f"Certainty of the evidence (GRADE): {text.certainty_symbols(certainty)}" in subtitle
    headers = [t.get_text() for ax in fig.axes for t in ax.texts if "events/n" in t.get_text()]
    assert [h.split("\n")[0] for h in headers] == ["3 sessions", "1 session of"]
    assert not any(h.startswith(("Ketamine", "Dose")) for h in headers)


@pytest.mark.parametrize("comparator_type", ["placebo", "active placebo", "treatment as usual"])
def test_every_comparator_type_labels_its_plot(example, comparator_type):
    evidence, analyses = example
    analysis = next(
        a for a in analyses if a.outcome == "abstinence" and a.comparator_type == comparator_type
    )
    fig = analysis.forest_plot()
    favours = sorted(_texts(fig, "favours"))
    assert favours == sorted(["Favours drug X", f"Favours {comparator_type}"])
    basis = result_basis(analysis, evidence.grade)
    designs = set(analysis.rows.loc[analysis.rows["excluded_reason"] == "", "design"])
    n = analysis.result.k
    word = {
        "parallel_rct": ("RCT", "RCTs"),
        "nonrandomised_controlled": ("non-randomised study", "non-randomised studies"),
    }
    (design,) = designs
    assert basis.design == f"{n} {word[design][0] if n == 1 else word[design][1]}"
    assert basis.comparison == f"drug X vs {comparator_type}"


def test_certainty_is_the_recorded_one_or_not_assessed(example):
    evidence, analyses = example
    for analysis in analyses:
        basis = result_basis(analysis, evidence.grade)
        grade = evidence.grade
        rows = grade[
            (grade["outcome"] == analysis.outcome)
            & (grade["comparator_type"] == analysis.comparator_type)
            & (grade["condition"] == analysis.condition)
        ]
        expected = rows["certainty"].item() if len(rows) else "not assessed"
        assert basis.certainty == expected, analysis.title
        assert result_basis(analysis, None).certainty == "not assessed"


def test_a_study_s_own_comparison_words_win_where_a_result_rests_on_it(example):
    evidence, _ = example
    protocol = dataclasses.replace(
        evidence.protocol, study_comparisons={"dubois2004": "drug X added to care vs care"}
    )
    evidence = dataclasses.replace(evidence, protocol=protocol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = analyse_outcomes(evidence, "condition_a")
    analysis = next(a for a in analyses if a.comparator_type == "treatment as usual")
    basis = result_basis(analysis, evidence.grade)
    assert basis.comparison == "drug X added to care vs care"
    assert (basis.intervention_arm, basis.comparator_arm) == ("drug X added to care", "care")


def test_the_report_block_captions_each_forest_plot(ketamine):
    opioids = evsum.analyse_condition(ketamine, "opioids")
    page = str(opioids.html())
    certainty = _recorded(ketamine.grade, "opioids", "abstinence", "dose comparison", "12 months")
    assert (
        "<figcaption>1 RCT (dose comparison: both arms received ketamine): 3 sessions vs 1 "
        "session of ketamine-assisted psychotherapy. Certainty of the evidence (GRADE): "
        f"{text.certainty_symbols(certainty)} {certainty.capitalize()}.</figcaption>"
    ) in page
    assert page.count("<figcaption>") == sum(a.result is not None for a in opioids)


def test_an_untreated_control_reads_as_the_protocol_s_comparator_words():
    """BCG example: comparator type "none", worded "no vaccine" in its evsum.toml; dat.bcg's
    alloc column (Colditz et al. 1994) holds 7 random and 6 non-random allocations, analysed
    apart."""
    evidence = evsum.load_evidence(base=ROOT / "examples" / "bcg-vaccine")
    analysis, other = evsum.analyse_condition(evidence, "tuberculosis")
    basis = result_basis(analysis, evidence.grade)
    assert basis.comparison == "BCG vaccine vs no vaccine"
    assert basis.design == "7 RCTs"
    # alternate or systematic allocation: quasi-randomised (export_dat_bcg.R)
    assert result_basis(other, evidence.grade).design == "6 quasi-randomised trials"
    assert basis.certainty == "not assessed"  # the example has no grade.csv row
    favours = sorted(_texts(analysis.forest_plot(), "favours"))
    assert favours == ["Favours BCG vaccine", "Favours no vaccine"]
