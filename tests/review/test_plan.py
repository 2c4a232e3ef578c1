"""The analysis plan at work in the review layer: declared analyses, Mantel-Haenszel and Peto,
other measures of the same rows, subgroups, meta-regression and sensitivity analyses.

Expected numbers are metafor 3.8's on dat.bcg, pinned in tests/reference/plan.json by the
committed script tests/reference/make_plan_reference.R (each entry names its R call).
"""

import json
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from refdata import load

from evsum.ingest.evidence import load_evidence
from evsum.review.analysis import analyse_outcomes as analyse_condition
from evsum.review.plan import double_zero, pool_tables, sensitivity_rows

from conftest import ROOT

REF = load("plan.json")
TOL = {"abs": 5e-5}


@pytest.fixture(scope="module")
def bcg():
    return load_evidence(base=ROOT / "examples" / "bcg-vaccine")


@pytest.fixture(scope="module")
def main(bcg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_condition(bcg, "tuberculosis")[-1]


def _same(result, expected, names=("estimate", "se", "ci_low", "ci_high", "tau2", "i2", "q")):
    for name in names:
        assert getattr(result, name) == pytest.approx(expected[name], **TOL), name


def test_the_main_analysis_is_metafor_rma_on_all_thirteen(main):
    assert main.plan_key == "all_trials" and main.main
    _same(main.result, REF["main"])
    assert main.result.weights == pytest.approx(REF["main"]["weights"], abs=5e-5)


@pytest.mark.parametrize(
    ("measure", "method", "key"),
    [("RR", "MH", "mh_rr"), ("OR", "MH", "mh_or"), ("OR", "Peto", "peto")],
)
def test_mantel_haenszel_and_peto_are_full_analyses(main, measure, method, key):
    again = main.with_measure(measure).with_method(method)
    assert again.result.method == method.upper() and again.measure == measure
    _same(again.result, REF[key])
    # weights as metafor's weights(rma.mh) / weights(rma.peto), in percent
    assert again.result.weights == pytest.approx(REF[key]["weights"], abs=5e-5)
    assert again.leave_one_out is None  # an inverse-variance table: not shown for MH/Peto


def test_mh_and_peto_need_the_measure_and_the_tables_they_pool(main):
    with pytest.raises(ValueError, match="Peto's method pools odds ratios"):
        main.with_method("Peto")
    with pytest.raises(ValueError, match="test must be 'z' for MH"):
        main.with_method("MH", test="knha")
    with pytest.raises(ValueError, match=r"must be one of \[.*'MH'.*'PETO'"):
        main.with_method("IVX")


def test_mh_refuses_rows_without_a_two_by_two_table():
    rows = pd.DataFrame(
        {
            "label": ["A 2001", "B 2002"],
            "data_level": ["arm", "contrast"],
            "events_intervention": [3, np.nan],
            "n_intervention": [10, np.nan],
            "events_comparator": [5, np.nan],
            "n_comparator": [10, np.nan],
        }
    )
    with pytest.raises(
        ValueError, match="every row needs events and n in both arms; not given for B 2002"
    ):
        pool_tables(rows, "RR", "MH")


def test_a_double_zero_table_is_not_estimable_and_adds_nothing():
    # hand-computed: MH RR = sum(a n2 / n) / sum(c n1 / n) = (1 * 10 / 20) / (3 * 10 / 20) = 1/3,
    # the table 0/10 vs 0/10 adds 0 to both sums
    rows = pd.DataFrame(
        {
            "label": ["A 2001", "B 2002"],
            "study_id": ["a2001", "b2002"],
            "data_level": ["arm", "arm"],
            "events_intervention": [1, 0],
            "n_intervention": [10, 10],
            "events_comparator": [3, 0],
            "n_comparator": [10, 10],
            "excluded_reason": ["", ""],
            "randomised": [True, True],
        }
    )
    assert double_zero(rows).tolist() == [False, True]
    result = pool_tables(rows, "RR", "MH")
    assert np.exp(result.estimate) == pytest.approx(1 / 3, rel=1e-12)
    assert result.k == 2 and np.isnan(result.yi[1])  # shown as "not estimable"
    dropped = sensitivity_rows(rows, "drop_double_zero")
    assert dropped["excluded_reason"].tolist() == [
        "",
        "no events in either arm: not estimable, left out",
    ]


def test_subgroup_differences_both_ways_as_metafor(main):
    result = main.subgroup_result
    assert result is not None and len(result.groups) == 2
    separate, common = result.difference("separate"), result.difference("common")
    assert separate.statistic == pytest.approx(REF["subgroups_separate"]["q"], **TOL)
    assert separate.pval == pytest.approx(REF["subgroups_separate"]["pval"], **TOL)
    # metafor rma(yi, vi, mods = ~ alloc == "random"): QM 1.83, p 0.176
    assert common.statistic == pytest.approx(REF["subgroups_common"]["qm"], **TOL)
    assert common.pval == pytest.approx(REF["subgroups_common"]["pval"], **TOL)
    assert main.subgroups("design").difference("common").df == 1


def test_latitude_meta_regression_as_metafor(main):
    fit, expected = main.regression_result, REF["regression"]
    assert fit.names == ("intrcpt", "ablat")
    assert fit.estimate == pytest.approx(expected["estimate"], **TOL)
    assert fit.se == pytest.approx(expected["se"], **TOL)
    for name in ("qm", "qm_pval", "tau2", "r2", "q"):
        assert getattr(fit, name) == pytest.approx(expected[name], **TOL), name
    knha = main.with_method("REML", test="knha").meta_regression(["ablat"])
    assert knha.qm == pytest.approx(REF["regression_knha"]["qm"], **TOL)  # F 12.59
    assert knha.qm_pval == pytest.approx(REF["regression_knha"]["qm_pval"], **TOL)


def test_sensitivity_analyses_are_full_analyses(main):
    by_name = {s.name: s for s in main.sensitivity_results}
    randomised = by_name["randomised_only"].analysis
    _same(randomised.result, REF["randomised_only"])
    assert randomised.result.k == 7 and len(randomised.rows) == 13
    _same(by_name["fixed_effect"].analysis.result, REF["fixed_effect"], ("estimate", "se", "q"))
    assert by_name["fixed_effect"].label == "common-effect model"


def test_an_automatic_analysis_offers_the_same_verbs(bcg):
    randomised = analyse_condition(bcg, "tuberculosis")[0]
    assert randomised.plan_key == "" and randomised.result.k == 7
    _same(randomised.result, REF["randomised_only"])
    assert randomised.sensitivity_analysis("fixed_effect").method == "FE"


def test_without_a_plan_the_defaults_are_todays():
    evidence = load_evidence(base=ROOT)
    condition = evidence.studies.conditions[0]
    default = analyse_condition(evidence, condition)
    explicit = analyse_condition(evidence, condition, method="REML", test="z", pi="z")
    assert [a.anchor for a in default] == [a.anchor for a in explicit]
    assert all(a.plan_key == "" and a.method in ("REML", "FE") for a in default)
    for a, b in zip(default, explicit, strict=True):
        assert (a.result is None) == (b.result is None)
        if a.result is not None:  # NaN fields compare unequal: compare the frames
            pd.testing.assert_frame_equal(a.result.to_frame(), b.result.to_frame())
            assert (a.result.method, a.result.test, a.result.pi) == (
                b.result.method,
                b.result.test,
                b.result.pi,
            )


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_live_metafor_reproduces_the_pinned_plan_values(tmp_path):
    """Where R is installed (CI installs r-cran-metafor), the committed JSON is re-made."""
    script = ROOT / "tests" / "reference" / "make_plan_reference.R"
    run = subprocess.run(
        ["Rscript", str(script), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    live = json.loads((tmp_path / "plan.json").read_text())
    pinned = json.loads((ROOT / "tests" / "reference" / "plan.json").read_text())
    assert live["source"]["metafor_version"] == pinned["source"]["metafor_version"]
    for key in ("main", "mh_rr", "peto", "subgroups_common", "regression", "prediction"):
        for name, value in pinned[key].items():
            if isinstance(value, float):
                assert live[key][name] == pytest.approx(value, rel=1e-10), (key, name)


def test_high_risk_of_bias_studies_are_left_out_by_their_overall_judgement():
    rob = pd.DataFrame(
        {
            "study_id": ["a2001", "a2001", "b2002"],
            "outcome": ["", "", "other"],
            "domain": ["D1", "overall", "overall"],
            "judgement": ["high", "high", "high"],
        }
    )
    from evsum.review.plan import high_risk_studies

    # a2001 is high overall for every outcome; b2002 only for another outcome
    assert high_risk_studies(rob, "tb_cases") == {"a2001"}
    rows = pd.DataFrame({"study_id": ["a2001", "b2002"], "excluded_reason": ["", ""]})
    out = sensitivity_rows(rows, "exclude_high_risk_of_bias", high_risk={"a2001"})
    assert out["excluded_reason"].str.startswith("high risk of bias").tolist() == [True, False]
    with pytest.raises(ValueError, match="sensitivity must be one of"):
        sensitivity_rows(rows, "trim_and_fill")


def test_designs_together_and_mh_as_the_synthesis_default(tmp_path):
    """[synthesis] designs = "together" with method MH: the automatic analysis of the BCG
    trials is all 13 pooled by Mantel-Haenszel, metafor rma.mh(measure = "RR") (plan.json)."""
    base = tmp_path / "bcg"
    shutil.copytree(
        ROOT / "examples" / "bcg-vaccine", base, ignore=shutil.ignore_patterns("reports", "build")
    )
    toml = base / "evsum.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('model = "random"\nmethod = "REML"', 'method = "MH"')
    text = text.replace('designs = "apart"', 'designs = "together"')
    toml.write_text(text, encoding="utf-8")
    evidence = load_evidence(base=base)
    assert evidence.protocol.plan.synthesis.pooling_method == "MH"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automatic, declared = analyse_condition(evidence, "tuberculosis")
    assert automatic.design_class == "all designs" and automatic.method == "MH"
    _same(automatic.result, REF["mh_rr"], ("estimate", "se", "ci_low", "ci_high", "q", "i2"))
    # the declared analysis names no method: it takes the synthesis's; its meta-regression
    # is then a common-effect one (metafor has no MH meta-regression)
    assert declared.method == "MH" and declared.regression_result.method == "FE"
    # the command line's Peto is Peto
    peto = analyse_condition(evidence, "tuberculosis", method="Peto")
    assert peto[0].method == "FE"  # RR rows: Peto pools odds ratios, inverse variance instead
    assert "Peto pools 2x2 tables of OR" in peto[0].notes[0]


def test_with_measure_recomputes_arm_data_as_metafor_escalc():
    """MD rows of dat.normand1999 re-expressed as SMD: metafor rma(measure = "SMD", method =
    "REML") (tests/reference/grid.json, case dat.normand1999 SMD)."""
    from evsum.review.plan import remeasure
    from evsum.stats.pooling import pool

    case = next(
        c
        for c in load("grid.json")["cases"]
        if c["dataset"] == "dat.normand1999" and c["measure"] == "SMD"
    )
    data = case["data"]
    rows = pd.DataFrame(
        {
            "data_level": "arm",
            "source_type": "primary",
            "outcome_type": "continuous",
            "effect_measure": "MD",
            "mean_intervention": data["m1i"],
            "sd_intervention": data["sd1i"],
            "n_intervention": data["n1i"],
            "mean_comparator": data["m2i"],
            "sd_comparator": data["sd2i"],
            "n_comparator": data["n2i"],
            "excluded_reason": "",
        }
    )
    smd = remeasure(rows, "SMD")
    assert (smd["effect_measure"] == "SMD").all()
    fit = pool(smd["yi"], smd["vi"], method="REML", measure="SMD")
    expected = next(f for f in case["fits"] if f["method"] == "REML" and f["test"] == "z")
    assert fit.estimate == pytest.approx(expected["estimate"], **TOL)
    assert fit.se == pytest.approx(expected["se"], **TOL)


def test_the_plan_s_zero_cell_correction_as_metafor_escalc_add():
    """[synthesis] zero_cells = { correction = 0.25 }: metafor rma(measure = "OR", add = 0.25,
    to = "only0", method = "REML") (plan.json, zero_cells)."""
    from evsum.ingest.plan import ZeroCells
    from evsum.review.plan import remeasure
    from evsum.stats.pooling import pool

    ref = REF["zero_cells"]
    rows = pd.DataFrame(
        {
            "data_level": "arm",
            "source_type": "primary",
            "outcome_type": "binary",
            "effect_measure": "OR",
            "events_intervention": ref["ai"],
            "n_intervention": ref["n1i"],
            "events_comparator": ref["ci"],
            "n_comparator": ref["n2i"],
            "excluded_reason": "",
            "caveat": "",
        }
    )
    corrected = remeasure(rows, "OR", ZeroCells(0.25, "only0", False))
    assert corrected.loc[0, "caveat"].startswith("continuity correction: 0.25 added")
    fit = pool(corrected["yi"], corrected["vi"], method="REML", measure="OR")
    _same(fit, ref)
