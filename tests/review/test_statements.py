"""GRADE plain-language statements against the guideline's table of statements.

Source of the wording: Santesso et al. 2020, "GRADE guidelines 26: informative statements to
communicate the findings of systematic reviews of interventions", J Clin Epidemiol 119:126-135.
The table is reproduced, with "References in this table: 1" = Santesso 2020, as Table 16
"Suggested narrative statements for phrasing conclusions" of the ACIP GRADE handbook,
chapter 11 (acip-grade-handbook/hcp/chapter-11-communicating-findings-from-the-grade-certainty-
assessment, read as the copy at jasem.chiachoob.com of the cdc.gov page). Quoted from it (X = intervention, "outcome" = the outcome; where a cell
offers several synonyms, the first "reduces/increases" or the "probably" form is used):

High certainty
  Large effect: "X results in a large reduction/increase in outcome"
  Moderate effect: "X reduces/increases outcome"
  Small important effect: "X reduces/increases outcome slightly"
  Trivial, small unimportant effect or no effect: "X results in little to no difference in
  outcome"
Moderate certainty
  Large effect: "X probably results in a large reduction/increase in outcome"
  Moderate effect: "X probably reduces/increases outcome"
  Small important effect: "X probably reduces/increases outcome slightly"
  Trivial ...: "X likely results in little to no difference in ..." (the "probably" form, as
  in the moderate-certainty cells above)
Low certainty: the same with "may", as the paper's abstract (PubMed 31711912) quotes for a
  large effect: "x may result in a large reduction…"; "X may result in little to no
  difference" is the low-certainty form used in Cochrane abstracts (e.g. CD015610.pub2:
  "intermittent fasting may result in little to no difference in percentage from baseline
  weight loss ... low-certainty evidence").
Very low certainty, any effect: "The evidence is very uncertain about the effect of X on
  outcome" (the wording issue 14 and the brief quote from the paper's table).
"""

import math

import pytest

from evsum.review.statements import STATEMENT_CATEGORIES, grade_statement

X, Y = "X", "outcome"

#: (certainty, size, direction) -> sentence quoted from the table above.
TABLE = {
    ("high", "large", "reduction"): "X results in a large reduction in outcome.",
    ("high", "large", "increase"): "X results in a large increase in outcome.",
    ("high", "moderate", "reduction"): "X reduces outcome.",
    ("high", "moderate", "increase"): "X increases outcome.",
    ("high", "small", "reduction"): "X reduces outcome slightly.",
    ("high", "small", "increase"): "X increases outcome slightly.",
    ("high", "trivial", "none"): "X results in little to no difference in outcome.",
    ("moderate", "large", "reduction"): "X probably results in a large reduction in outcome.",
    ("moderate", "large", "increase"): "X probably results in a large increase in outcome.",
    ("moderate", "moderate", "reduction"): "X probably reduces outcome.",
    ("moderate", "moderate", "increase"): "X probably increases outcome.",
    ("moderate", "small", "reduction"): "X probably reduces outcome slightly.",
    ("moderate", "small", "increase"): "X probably increases outcome slightly.",
    ("moderate", "trivial", "none"): "X probably results in little to no difference in outcome.",
    ("low", "large", "reduction"): "X may result in a large reduction in outcome.",
    ("low", "large", "increase"): "X may result in a large increase in outcome.",
    ("low", "moderate", "reduction"): "X may reduce outcome.",
    ("low", "moderate", "increase"): "X may increase outcome.",
    ("low", "small", "reduction"): "X may reduce outcome slightly.",
    ("low", "small", "increase"): "X may increase outcome slightly.",
    ("low", "trivial", "none"): "X may result in little to no difference in outcome.",
}
VERY_UNCERTAIN = "The evidence is very uncertain about the effect of X on outcome."

#: Mean differences (points) with MID 5, moderate 10, large 20: one per size and direction.
#: The intervals lie on the same side of every threshold as the estimate.
MD_CASES = {
    ("large", "increase"): (25.0, 22.0, 28.0),
    ("large", "reduction"): (-25.0, -28.0, -22.0),
    ("moderate", "increase"): (15.0, 12.0, 18.0),
    ("moderate", "reduction"): (-15.0, -18.0, -12.0),
    ("small", "increase"): (7.0, 6.0, 8.0),
    ("small", "reduction"): (-7.0, -8.0, -6.0),
    ("trivial", "none"): (1.0, -2.0, 3.0),
}


def _md(case, certainty, **kwargs):
    estimate, low, high = MD_CASES[case]
    return grade_statement(
        estimate,
        low,
        high,
        measure="MD",
        certainty=certainty,
        intervention=X,
        outcome=Y,
        higher_is_better=True,
        mid=5.0,
        moderate=10.0,
        large=20.0,
        **kwargs,
    )


@pytest.mark.parametrize(("certainty", "size", "direction"), sorted(TABLE))
def test_every_cell_of_the_table_reads_as_the_guideline_words_it(certainty, size, direction):
    result = _md((size, direction), certainty)
    assert result.sentence == TABLE[(certainty, size, direction)]
    assert (result.category, result.size, result.direction) == (size, size, direction)
    assert result.certainty == certainty
    assert not result.interval_crosses_threshold


@pytest.mark.parametrize("case", sorted(MD_CASES))
def test_very_low_certainty_reads_very_uncertain_whatever_the_size(case):
    result = _md(case, "very low")
    assert result.sentence == VERY_UNCERTAIN
    assert result.category == "very uncertain"
    assert result.size == case[0]


def test_the_table_is_complete():
    # 3 certainty levels × (3 sizes × 2 directions + trivial) + very low.
    assert len(TABLE) == 3 * (3 * 2 + 1)
    assert set(STATEMENT_CATEGORIES) == {"large", "moderate", "small", "trivial", "very uncertain"}


def test_public_name_and_comparator_phrase():
    # "include 'when compared with Y' when needed" (ACIP Table 16 heading).
    result = grade_statement(
        0.5,
        0.3,
        0.8,
        measure="RR",
        certainty="moderate",
        intervention="Ketamine",
        outcome="relapse",
        higher_is_better=False,
        comparator="placebo",
    )
    assert result.sentence == (
        "Ketamine probably results in a large reduction in relapse when compared with placebo."
    )
    assert result.benefit is True


def test_ratio_defaults_are_grades_rules_of_thumb():
    # GRADE guidelines 6 (J Clin Epidemiol 2011;64:1283, abstract): appreciable benefit or
    # harm is "an RR of under 0.75 or over 1.25"; large: RR "approximately >2 or <0.5"
    # (ACIP GRADE handbook chapter 9, Table 14).
    def size(rr):
        return grade_statement(
            rr,
            rr,
            rr,
            measure="RR",
            certainty="high",
            intervention=X,
            outcome=Y,
            higher_is_better=True,
        ).size

    assert size(1.2) == "trivial"
    assert size(1 / 1.2) == "trivial"
    assert size(1.3) == "moderate"
    assert size(0.7) == "moderate"
    assert size(2.0) == "large"
    assert size(0.5) == "large"
    assert math.isclose(
        grade_statement(
            1.0,
            0.9,
            1.1,
            measure="OR",
            certainty="low",
            intervention=X,
            outcome=Y,
            higher_is_better=True,
        ).mid,
        1.25,
    )


def test_smd_defaults_are_cohens_rule_of_thumb():
    # Cochrane Handbook 5.1, 12.6.2: "0.2 represents a small effect, 0.5 a moderate effect,
    # and 0.8 a large effect (Cohen 1988)".
    sizes = [
        grade_statement(
            d,
            d,
            d,
            measure="SMD",
            certainty="high",
            intervention=X,
            outcome=Y,
            higher_is_better=True,
        ).size
        for d in (0.1, 0.3, 0.6, 0.9, -0.9)
    ]
    assert sizes == ["trivial", "small", "moderate", "large", "large"]


def test_a_null_other_than_the_default():
    # Distances are measured from the null: with null 50 (e.g. a percentage of days), 62 is 12
    # points above it, beyond the MID of 10; 55 is within it.
    def size(estimate, null=50.0):
        return grade_statement(
            estimate,
            estimate - 1,
            estimate + 1,
            measure="MD",
            certainty="high",
            intervention=X,
            outcome=Y,
            higher_is_better=True,
            mid=10.0,
            null=null,
        ).size

    assert size(62.0) == "moderate"
    assert size(55.0) == "trivial"
    assert size(55.0, null=0.0) == "moderate"
    # Ratio nulls are multiplicative: RR 2.5 against a null of 2 is a ratio of 1.25.
    assert (
        grade_statement(
            2.5,
            2.4,
            2.6,
            measure="RR",
            certainty="high",
            intervention=X,
            outcome=Y,
            higher_is_better=True,
            null=2.0,
        ).size
        == "moderate"
    )


def test_interval_across_the_threshold_is_flagged():
    # Core GRADE (Guyatt et al. 2025, BMJ 389:e081904): the point estimate sets the target;
    # "rate down for imprecision if the 95% confidence interval crosses the MID".
    important = grade_statement(
        2.25,
        0.9,
        5.6,
        measure="RR",
        certainty="low",
        intervention=X,
        outcome=Y,
        higher_is_better=True,
    )
    assert important.size == "large" and important.interval_crosses_threshold
    trivial = grade_statement(
        1.0,
        0.6,
        1.6,
        measure="RR",
        certainty="low",
        intervention=X,
        outcome=Y,
        higher_is_better=True,
    )
    assert trivial.size == "trivial" and trivial.interval_crosses_threshold


def test_benefit_follows_the_better_direction():
    worse = grade_statement(
        -15.0,
        -18.0,
        -12.0,
        measure="MD",
        certainty="high",
        intervention=X,
        outcome=Y,
        higher_is_better=True,
        mid=5.0,
    )
    better = grade_statement(
        -15.0,
        -18.0,
        -12.0,
        measure="MD",
        certainty="high",
        intervention=X,
        outcome=Y,
        higher_is_better=False,
        mid=5.0,
    )
    assert (worse.benefit, better.benefit) == (False, True)
    assert worse.sentence == better.sentence == "X reduces outcome."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"certainty": "unclear"}, "certainty must be one of"),
        ({"estimate": 3.0}, "interval must contain the estimate"),
        ({"measure": "MD", "mid": None}, "no default minimal important difference"),
        ({"measure": "RD"}, "no default minimal important difference"),
        ({"mid": 0.8}, "mid must be a finite number > 1"),
        ({"mid": 1.5, "large": 1.2}, "thresholds must grow"),
        ({"estimate": float("nan")}, "finite numbers"),
    ],
)
def test_bad_arguments_raise(kwargs, message):
    args = {
        "estimate": 1.5,
        "ci_low": 1.1,
        "ci_high": 2.0,
        "measure": "RR",
        "certainty": "low",
        "intervention": X,
        "outcome": Y,
        "higher_is_better": True,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        grade_statement(args.pop("estimate"), args.pop("ci_low"), args.pop("ci_high"), **args)
