"""GRADEpro's summary of findings and evidence profile in full (issue 25, finding 9)."""

import dataclasses
import html
import re
import warnings

import numpy as np
import pytest

import evsum
from evsum.ingest.protocol import parse_protocol
from evsum.present.sof import sof_html, summary_of_findings
from evsum.stats.pooling import pool

from conftest import ROOT, SMALL_PROTOCOL


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def example():
    evidence = evsum.examples.example_evidence()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, "condition_a")
    return evidence, analyses


def test_a_hazard_ratio_gets_absolute_effects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = pool([np.log(0.5)], [0.04], method="FE", measure="HR")
    grade = evsum.examples.example_grade()  # row 0: baseline 300 per 1000
    sof = summary_of_findings(
        {"abstinence": result}, grade, condition="condition_a", comparator_type="placebo"
    )
    # risk with the intervention = 1 - (1 - 0.300) ** 0.5 = 1 - 0.83666 = 0.16334
    assert round(sof.iloc[0]["risk_per_1000"]) == 163
    assert sof.iloc[0]["risk_difference"].startswith("137 fewer per 1000")


def test_control_arm_risk_when_no_baseline_is_given(example):
    evidence, analyses = example
    (a,) = [x for x in analyses if (x.outcome, x.comparator_type) == ("abstinence", "placebo")]
    grade = evidence.grade.copy()
    grade["baseline_risk_per_1000"] = np.nan
    grade["baseline_risk_source"] = ""
    sof = summary_of_findings([a], grade)
    used = a.rows[a.rows["excluded_reason"] == ""]
    arm = used.dropna(subset=["events_comparator"])
    expected = 1000 * arm["events_comparator"].sum() / arm["n_comparator"].sum()
    assert sof.iloc[0]["baseline_risk_per_1000"] == pytest.approx(expected)
    assert "comparator arms" in sof.iloc[0]["baseline_note"]
    page = _plain(str(sof_html(sof, protocol=evidence.protocol)))
    assert "Risk with the comparator: the included studies' comparator arms" in page


def test_a_mean_difference_shows_the_comparator_mean_and_a_dash_relative_effect(example):
    evidence, analyses = example
    (a,) = [x for x in analyses if x.outcome == "craving"]
    sof = summary_of_findings([a], evidence.grade)
    used = a.rows[a.rows["excluded_reason"] == ""]
    low, high = used["mean_comparator"].min(), used["mean_comparator"].max()
    assert sof.iloc[0]["comparator_mean"] == f"The mean ranged from {low:.1f} to {high:.1f}"
    table = str(sof_html(sof, protocol=evidence.protocol))
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[1] == sof.iloc[0]["comparator_mean"]
    assert cells[3] == "—"  # relative effect of a difference (GRADEpro)
    assert "IMPORTANT" in cells[0]  # the outcome's importance under its name


def test_the_instrument_is_protocol_data_under_the_outcome(example):
    text = SMALL_PROTOCOL.read_text(encoding="utf-8") + (
        '\n[outcome_measures]\ncraving = "visual analogue scale, 0 to 100"\n'
        '"cocaine.abstinence" = "urine toxicology"\n'
    )
    protocol = parse_protocol(text)
    from evsum.present.review_kind import outcome_measure

    assert outcome_measure(protocol, "alcohol", "craving") == "visual analogue scale, 0 to 100"
    assert outcome_measure(protocol, "cocaine", "abstinence") == "urine toxicology"
    assert outcome_measure(protocol, "alcohol", "abstinence") == ""
    evidence, analyses = example
    kind = dataclasses.replace(
        evidence.protocol.kind, outcome_measures={"craving": "visual analogue scale, 0 to 100"}
    )
    shown = dataclasses.replace(evidence.protocol, kind=kind)
    (a,) = [x for x in analyses if x.outcome == "craving"]
    table = str(sof_html(summary_of_findings([a], evidence.grade), protocol=shown))
    assert "<small>visual analogue scale, 0 to 100</small>" in table
    with pytest.raises(evsum.StudyDataError):
        parse_protocol(text + '"nothing" = "x"\n')


def test_evidence_profile_domain_by_domain_with_not_serious_reasons_and_every_outcome():
    evidence = evsum.load_evidence(base=ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = str(
            evsum.blocks.condition.summary_of_findings(
                evidence, evsum.analyse_condition(evidence, "cocaine")
            )
        )
    profiles = re.findall(r'<table class="evsum-sof evsum-evidence-profile">.*?</ol>', page, re.S)
    assert profiles
    text = _plain(profiles[0])
    for domain in ("Risk of bias", "Inconsistency", "Indirectness", "Imprecision"):
        assert domain in text
    # grade.csv, cocaine abstinence 5 weeks: inconsistency 'not serious' with its reason
    assert "Inconsistency (not serious): Single study: inconsistency cannot be assessed." in text
    # Dakwar 2019 abstinence, arm data 13/27 vs 3/28 (data/studies.csv)
    assert "13/27 (48.1%)" in text and "3/28 (10.7%)" in text
    # motivation to quit is 'not important' (evsum.toml): in the profile, not in the SoF
    assert "Motivation to quit" in text
    sofs = re.findall(r'<table class="evsum-sof">.*?</table>', page, re.S)
    assert all("Motivation to quit" not in t for t in sofs)
    assert all(len(re.findall(r"<tr><td[ >]", t)) <= 7 for t in sofs)
    # Dakwar 2019 relapse, HR 0.47 (a contrast: no arm counts) with no baseline risk in
    # grade.csv: the absolute effect is said not to be estimated, not left blank
    row = re.search(r"<tr><td[^>]*>Relapse \(5 weeks\).*?</tr>", sofs[0], re.S)
    assert "the absolute effect is not estimated" in row.group(0)
