"""GRADE consistency checks: warnings naming file, line, column and rule, never a change."""

import dataclasses
import math

import pandas as pd
from click.testing import CliRunner

import evsum
from evsum.cli import main
from evsum.ingest.review_kind import ReviewKind, SearchFacts
from evsum.review.grade_checks import grade_warnings, stopped_early, threshold_crossings

from conftest import ROOT


def _evidence(kind="systematic review", grade=None, characteristics=None):
    evidence = evsum.examples.example_evidence()
    protocol = dataclasses.replace(evidence.protocol, kind=ReviewKind(type=kind))
    return dataclasses.replace(
        evidence,
        protocol=protocol,
        grade=evidence.grade if grade is None else grade,
        characteristics=(evidence.characteristics if characteristics is None else characteristics),
    )


def _rules(warnings):
    return sorted({w.rule for w in warnings})


def _graded(**changes):
    """The example's grade rows, with row 0 (condition_a, abstinence, placebo) changed."""
    grade = evsum.examples.example_evidence().grade.copy()
    for column, value in changes.items():
        grade.loc[0, column] = value
    return grade


def test_threshold_crossings_of_the_reviewers_two_results():
    # issue: abstinence RR 4.49 (1.44 to 14.03) crosses none of 0.8, 1, 1.25;
    # relapse HR 0.47 (0.24 to 0.92) crosses 0.8 only
    assert threshold_crossings("RR", 1.44, 14.03, 1.25) == 0
    assert threshold_crossings("HR", 0.24, 0.92, 1.25) == 1
    assert threshold_crossings("RR", 0.5, 1.3, 1.25) == 3  # 0.8, 1 and 1.25
    assert threshold_crossings("MD", 1.1, 19.0, 10.0) == 1  # 10 only (PDA, MID 10 points)


def test_publication_bias_not_serious_with_a_search_that_is_not_comprehensive():
    assert "publication-bias-search" not in _rules(grade_warnings(_evidence()))
    warnings = grade_warnings(_evidence("evidence check"))
    flagged = [w for w in warnings if w.rule == "publication-bias-search"]
    # every example row judges publication bias 'not serious'
    assert len(flagged) == len(evsum.examples.example_evidence().grade)
    assert {w.column for w in flagged} == {"publication_bias"}
    assert "search was not comprehensive" in str(flagged[0])
    # a search stated comprehensive in the protocol is believed
    evidence = _evidence("evidence check")
    protocol = dataclasses.replace(
        evidence.protocol,
        kind=ReviewKind(type="evidence check", search=SearchFacts(comprehensive=True)),
    )
    evidence = dataclasses.replace(evidence, protocol=protocol)
    assert "publication-bias-search" not in _rules(grade_warnings(evidence))


def test_imprecision_judgements_that_contradict_the_thresholds():
    # the example's abstinence vs placebo (7 trials): its 95% CI lies above 1.25, crossing no
    # threshold, so imprecision may be rated down one level (optimal information size), not two
    analyses = evsum.analyse_condition(_evidence(), "condition_a")
    (placebo,) = [
        a for a in analyses if (a.outcome, a.comparator_type) == ("abstinence", "placebo")
    ]
    low, high = math.exp(placebo.result.ci_low), math.exp(placebo.result.ci_high)
    assert threshold_crossings("RR", low, high, 1.25) == 0
    warnings = grade_warnings(_evidence(grade=_graded(imprecision="very serious")))
    (w,) = [w for w in warnings if w.rule == "imprecision-thresholds"]
    assert (w.column, w.line) == ("imprecision", None)  # the example has no file lines
    assert "rates down one level, not two" in w.message
    for judged in ("not serious", "serious"):
        ok = grade_warnings(_evidence(grade=_graded(imprecision=judged)))
        assert "imprecision-thresholds" not in _rules(ok)
    # relapse vs placebo (2 trials) is wide: judged 'not serious' it is too lenient
    relapse = evsum.examples.example_evidence().grade.copy()
    relapse.loc[1, "imprecision"] = "not serious"
    relapse.loc[1, "certainty"] = "moderate"
    (w,) = [
        w for w in grade_warnings(_evidence(grade=relapse)) if w.rule == "imprecision-thresholds"
    ]
    assert "expected at least" in w.message


def test_a_stopped_early_trial_must_be_named():
    characteristics = pd.DataFrame(
        {
            "study_id": ["aalto2001"],
            "registration": ["NCT00000001 (terminated early: interim analysis)"],
            "notes": [""],
        }
    )
    assert list(stopped_early(characteristics)) == ["aalto2001"]
    warnings = grade_warnings(_evidence(characteristics=characteristics))
    (w,) = [w for w in warnings if w.rule == "stopped-early"]
    assert "Aalto 2001 stopped early" in w.message
    named = _graded(risk_of_bias_reason="Some concerns; Aalto 2001 was stopped early.")
    warnings = grade_warnings(_evidence(grade=named, characteristics=characteristics))
    assert "stopped-early" not in _rules(warnings)


def test_certainty_rated_for_evidence_without_a_result():
    grade = evsum.examples.example_evidence().grade.copy()
    extra = grade.iloc[[3]].assign(outcome="relapse")  # condition_b has no relapse data
    grade = pd.concat([grade, extra], ignore_index=True)
    warnings = grade_warnings(_evidence(grade=grade))
    (w,) = [w for w in warnings if w.rule == "no-result"]
    assert w.column == "certainty"
    grade["summary"] = ""
    grade.loc[len(grade) - 1, "summary"] = "No difference reported in words."
    assert "no-result" not in _rules(grade_warnings(_evidence(grade=grade)))


def test_non_randomised_evidence_is_not_rated_down_twice_for_confounding():
    # example row 5: start low, ROBINS-I study, risk of bias 'serious' for confounding
    warnings = grade_warnings(_evidence())
    (w,) = [w for w in warnings if w.rule == "nonrandomised-confounding"]
    assert w.column == "risk_of_bias"
    grade = evsum.examples.example_evidence().grade.copy()
    grade.loc[5, "risk_of_bias_reason"] = "Fictional: outcome assessors not blinded."
    assert "nonrandomised-confounding" not in _rules(grade_warnings(_evidence(grade=grade)))


def test_validate_prints_the_warnings_with_file_line_and_rule_and_exits_0(tmp_path):
    # the repository's grade.csv as it was before curation: publication bias 'not serious'
    # although the search was not comprehensive (issue 25)
    import shutil

    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copy(ROOT / "evsum.toml", tmp_path / "evsum.toml")
    grade = pd.read_csv(tmp_path / "data" / "grade.csv", dtype=str, keep_default_na=False)
    grade.loc[0, "publication_bias"] = "not serious"
    grade.loc[0, "certainty"] = evsum_certainty(grade.loc[0].to_dict())
    grade.to_csv(tmp_path / "data" / "grade.csv", index=False)
    result = CliRunner().invoke(main, ["validate", "--base", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert lines and "GRADE consistency warnings:" in result.output
    assert all("grade.csv:" in line and "(rule " in line for line in lines)
    assert any("publication-bias-search" in line for line in lines)


def test_the_curated_grade_file_gives_no_warning():
    # "none once it is curated" (issue 25): data/grade.csv as curated
    result = CliRunner().invoke(main, ["validate", "--base", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "GRADE consistency warnings:" not in result.output


def evsum_certainty(row):
    from evsum.stats.grade import grade_certainty

    return grade_certainty(row)
