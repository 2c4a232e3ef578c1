"""Summary of findings: relative and absolute effects, certainty, escaping and footnotes."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import evsum
from evsum.present.sof import sof_html, summary_of_findings
from evsum.stats.pooling import pool


def _result(measure="RR", k=3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool(
            np.log([1.5, 2.0, 1.2][:k]) if measure == "RR" else [-2.0, -1.0, -3.0][:k],
            [0.05, 0.08, 0.1][:k],
            method="FE",
            measure=measure,
        )


def _grade(**changes) -> pd.DataFrame:
    grade = evsum.examples.example_grade()
    for column, value in changes.items():
        grade.loc[0, column] = value
    return grade


def test_relative_and_absolute_effects_per_1000():
    result = _result()
    sof = summary_of_findings(
        {"abstinence": result},
        _grade(),
        condition="condition_a",
        comparator_type="placebo",
        participants={"abstinence": 210},
    )
    row = sof.iloc[0]
    est, lo, hi = np.exp([result.estimate, result.ci_low, result.ci_high])
    assert row["relative_effect"] == f"RR {est:.2f} ({lo:.2f} to {hi:.2f})"
    # GRADE handbook 5.2.1: risk with intervention = comparator risk × RR (300 per 1000 here)
    assert row["baseline_risk_per_1000"] == 300.0
    assert row["risk_per_1000"] == pytest.approx(300.0 * est)
    assert row["risk_ci_low_per_1000"] == pytest.approx(300.0 * lo)
    assert (
        row["absolute_effect"] == f"{round(300 * est)} per 1000 ({round(300 * lo)} to "
        f"{round(300 * hi)})"
    )
    assert row["risk_difference"].startswith(f"{round(300 * est - 300)} more per 1000")
    assert row["participants"] == 210 and row["k"] == 3


def test_certainty_symbols_and_reasons():
    sof = summary_of_findings({("condition_a", "relapse", "placebo"): _result()}, _grade())
    row = sof.iloc[0]
    assert row["certainty"] == "very low"
    assert row["certainty_symbols"] == "\u2295\u25ef\u25ef\u25ef"
    assert row["reasons"][0].startswith("Risk of bias (serious): ")
    assert row["reasons"][1].startswith("Imprecision (very serious): ")


def test_continuous_outcome_reads_as_a_difference_in_the_absolute_column():
    result = _result("MD")
    sof = summary_of_findings({("condition_a", "craving", "placebo"): result}, _grade())
    row = sof.iloc[0]
    # display only: the pooled value itself, minus sign as U+2212, not back-transformed
    assert row["relative_effect"].startswith(f"MD \u2212{abs(result.estimate):.2f} (")
    assert math.isnan(row["risk_per_1000"])
    # GRADEpro writes a continuous outcome's absolute effect as "MD 1.9 lower (2.2 lower to
    # 1.6 lower)" in the absolute-effect column (GRADE handbook 5.2.2; Cochrane Handbook
    # 14.1.6.1), the interval from its lower limit.
    assert row["absolute_effect"] == (
        f"MD {abs(result.estimate):.2f} lower ({abs(result.ci_low):.2f} lower to "
        f"{abs(result.ci_high):.2f} lower)"
    )


def test_outcome_without_grade_row_is_not_assessed_and_none_result_is_not_pooled():
    sof = summary_of_findings({("opioids", "abstinence", "placebo"): _result()}, _grade())
    assert sof.iloc[0]["certainty"] == "not assessed"
    # no result at all: nothing to rate, whatever grade.csv holds (issue 25, finding 6)
    sof = summary_of_findings({("opioids", "abstinence", "placebo"): None}, _grade())
    row = sof.iloc[0]
    assert row["certainty"] == "not rated" and row["k"] == 0
    assert row["relative_effect"] == "not pooled"


def test_stated_certainty_must_match_arithmetic():
    with pytest.raises(ValueError, match="must equal start less the downgrades"):
        summary_of_findings(
            {("condition_a", "abstinence", "placebo"): _result()}, _grade(certainty="high")
        )


def test_ambiguous_grade_rows_raise():
    grade = pd.concat([_grade(), _grade().assign(comparator_type="active placebo")])
    with pytest.raises(ValueError, match="give the condition"):
        summary_of_findings({"abstinence": _result()}, grade, condition="condition_a")


def test_accepts_analyses():
    rows = evsum.examples.example_rows()

    class Analysis:  # the attributes summary_of_findings reads from OutcomeAnalysis
        condition, outcome, comparator_type = "condition_a", "abstinence", "placebo"
        timepoint = "4 weeks"
        participants = int(rows["n_intervention"].iloc[0])
        result = _result()

    sof = summary_of_findings([Analysis()], _grade())
    assert sof.loc[0, "timepoint"] == "4 weeks" and sof.loc[0, "certainty"] == "low"


def test_sof_html_escapes_values_and_lists_footnotes():
    grade = _grade(risk_of_bias_reason="<script>alert(1)</script> & more")
    sof = summary_of_findings({("condition_a", "abstinence", "placebo"): _result()}, grade)
    html = sof_html(sof, title="Ketamine <vs> placebo")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Ketamine &lt;vs&gt; placebo" in html
    assert 'class="sof-certainty sof-certainty-low"' in html
    assert "\u2295\u2295\u25ef\u25ef LOW<sup>a,b</sup>" in html
    assert html.count("<li>") == 2
    assert "<th>Risk with intervention</th>" in html


def test_sof_html_marks_shared_reasons_once():
    grade = evsum.examples.example_grade()
    outcomes = {(r.condition, r.outcome, r.comparator_type): _result() for r in grade.itertuples()}
    html = sof_html(summary_of_findings(outcomes, grade))
    reasons = {r for rs in summary_of_findings(outcomes, grade)["reasons"] for r in rs}
    assert html.count("<li>") == len(reasons)


def _at(timepoint):
    class Analysis:
        condition, outcome, comparator_type = "condition_a", "abstinence", "placebo"
        participants = 100
        result = _result()

    Analysis.timepoint = timepoint
    return Analysis()


def test_grade_row_for_the_time_point_wins_over_the_blank_one():
    # example_grade()'s condition_a/abstinence/placebo row says "low"; a 6-month row says
    # "very low" (one more step for imprecision).
    general = _grade().assign(timepoint="")
    six = general.iloc[[0]].assign(
        timepoint="6 months", imprecision="very serious", certainty="very low"
    )
    grade = pd.concat([general, six], ignore_index=True)
    at = {
        t: summary_of_findings([_at(t)], grade).loc[0, "certainty"]
        for t in ("6 months", "4 weeks")
    }
    assert at == {"6 months": "very low", "4 weeks": "low"}
    only_six = pd.concat([general.iloc[1:], six], ignore_index=True)
    sof = summary_of_findings([_at("4 weeks")], only_six)
    assert sof.loc[0, "certainty"] == "not assessed"


def test_randomised_and_non_randomised_evidence_take_their_own_grade_row():
    # GRADE starts randomised evidence at high and non-randomised at low (GRADE handbook
    # 5.2.1); the reports analyse the two apart, so each analysis takes the row of its design
    high = _grade().iloc[[0]].assign(timepoint="")
    low = high.assign(
        start="low", risk_of_bias="not serious", imprecision="not serious", certainty="low"
    )

    def certainty(design, grade):
        analysis = _at("4 weeks")
        analysis.design_class = design
        return summary_of_findings([analysis], grade).loc[0, "certainty"]

    both = pd.concat([high, low], ignore_index=True)
    assert certainty("randomised", both) == high.iloc[0]["certainty"]
    assert certainty("non-randomised", both) == "low"
    # a rating of randomised evidence never rates non-randomised studies
    assert certainty("non-randomised", high) == "not assessed"
