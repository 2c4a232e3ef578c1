"""Influence diagnostics, cumulative meta-analysis, trim-and-fill and small-study tests
against metafor 3.8 (tests/reference/make_sensitivity_reference.R writes
tests/reference/sensitivity.json: dat.bcg, dat.hackshaw1998, dat.egger2001,
dat.collins1985a and generated data)."""

import warnings

import numpy as np
import pytest
from refdata import load, to_float

from evsum.exceptions import SmallKWarning
from evsum.stats.bias import harbord_test, peters_test, rank_test
from evsum.stats.cumulative import cumulative
from evsum.stats.diagnostics import egger_test
from evsum.stats.influence import baujat, influence_diagnostics
from evsum.stats.mh import pool_peto
from evsum.stats.pooling import pool
from evsum.stats.trimfill import trim_and_fill

CASES = load("sensitivity.json")["cases"]
# REML and PM are iterative (Fisher scoring to a change <= 1e-5, Brent's search); evsum runs
# metafor's algorithms step for step, so the values agree far closer than this tolerance
RTOL, ATOL = 1e-6, 1e-9

FITS = [
    pytest.param(case, fit, id=f"{case['name'][:16]}-{fit['method']}-{fit['test']}")
    for case in CASES
    for fit in case["fits"]
]


def _fit(case, fit):
    measure = case["measure"] if case["measure"] != "NA" else None
    return pool(
        case["yi"],
        case["vi"],
        method=fit["method"],
        test=fit["test"],
        measure=measure,
        labels=case["labels"],
        warn=False,
    )


def _close(got, want, name):
    np.testing.assert_allclose(
        np.asarray(got, dtype=float), to_float(want), rtol=RTOL, atol=ATOL, err_msg=name
    )


@pytest.mark.parametrize(("case", "fit"), FITS)
def test_influence_matches_metafor(case, fit):
    # metafor 3.8 influence(rma(yi, vi, method, test))
    res = _fit(case, fit)
    _close(res.estimate, fit["estimate"], "estimate")
    inf = influence_diagnostics(res)
    ref = fit["influence"]
    for name in (
        "rstudent",
        "dffits",
        "cook_d",
        "cov_r",
        "tau2_del",
        "q_del",
        "hat",
        "weight",
        "dfbetas",
    ):
        _close(getattr(inf, name), ref[name], name)
    assert list(inf.influential) == ref["influential"]
    frame = inf.to_frame()
    assert frame["label"].tolist() == case["labels"] and len(frame) == len(case["yi"])


@pytest.mark.parametrize(("case", "fit"), FITS)
def test_baujat_matches_metafor(case, fit):
    # metafor 3.8 baujat(rma(yi, vi, method, test)): x and y of the returned data frame
    res = baujat(_fit(case, fit))
    _close(res.heterogeneity, fit["baujat"]["x"], "x")
    _close(res.influence, fit["baujat"]["y"], "y")
    assert res.to_frame()["label"].tolist() == case["labels"]


@pytest.mark.parametrize(("case", "fit"), FITS)
def test_cumulative_matches_metafor(case, fit):
    # metafor 3.8 cumul(rma(yi, vi, method, test), order = year)
    res = cumulative(_fit(case, fit), order=case["order"])
    ref = fit["cumul"]
    # metafor labels the steps with the study ids (1-based positions) when no slab is given
    assert list(res.labels) == [case["labels"][i - 1] for i in ref["labels"]]
    assert list(res.k) == list(range(1, len(case["yi"]) + 1))
    for name in ("estimate", "se", "zval", "pval", "ci_low", "ci_high", "tau2", "i2", "h2"):
        if ref[name] == []:  # metafor's cumul has no τ² (NULL) for a common-effect fit
            assert fit["method"] == "FE" and set(getattr(res, name)) == {0.0}
            continue
        _close(getattr(res, name), ref[name], name)
    _close(res.q, ref["q"], "q")
    _close(res.q_pval, ref["q_pval"], "q_pval")
    assert res.to_frame().shape[0] == len(case["yi"])


TRIMFILL = [
    pytest.param(case, fit, tf, id=f"{case['name'][:16]}-{fit['method']}-{tf['estimator']}")
    for case in CASES
    for fit in case["fits"]
    for tf in fit.get("trimfill", [])
]


@pytest.mark.parametrize(("case", "fit", "ref"), TRIMFILL)
def test_trim_and_fill_matches_metafor(case, fit, ref):
    # metafor 3.8 trimfill(rma(yi, vi, method), estimator = "L0" / "R0"), side as metafor
    res = trim_and_fill(_fit(case, fit), estimator=ref["estimator"])
    assert res.side == ref["side"]
    assert res.k0 == ref["k0"]
    _close(res.k0_se, ref["k0_se"], "k0_se")
    if ref["estimator"] == "R0":
        _close(res.p_k0, ref["p_k0"], "p_k0")
    else:
        assert np.isnan(res.p_k0)
    _close(res.filled.estimate, ref["estimate"], "estimate")
    _close(res.filled.se, ref["se"], "se")
    _close(res.filled.tau2, ref["tau2"], "tau2")
    _close(res.filled.yi, ref["yi"], "yi")
    _close(res.filled.vi, ref["vi"], "vi")
    assert sum(res.is_filled) == res.k0
    assert "sensitivity analysis" in res.notes[0]


def test_trim_and_fill_forced_side():
    # metafor 3.8 trimfill(rma(yi, vi, method="FE"), side = "left") on dat.bcg chooses no
    # study for that side, so the fit comes back unchanged
    case = CASES[0]
    fit = _fit(case, case["fits"][0])
    res = trim_and_fill(fit, side="left")
    assert res.side == "left"
    with pytest.raises(ValueError, match="estimator must be one of"):
        trim_and_fill(fit, estimator="Q9")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["name"][:24])
def test_rank_test_matches_metafor(case):
    # metafor 3.8 ranktest(rma(yi, vi, method = "FE")) (exact p without ties)
    fit = pool(case["yi"], case["vi"], method="FE", warn=False)
    res = rank_test(fit)
    _close(res.tau, case["ranktest"]["tau"], "tau")
    _close(res.pval, case["ranktest"]["pval"], "pval")


def test_rank_test_with_ties_uses_the_normal_approximation():
    # metafor 3.8 ranktest with tied vi: cor.test's normal approximation, ties corrected
    ref = load("sensitivity.json")["ranktest_ties"]
    res = rank_test(pool(ref["yi"], ref["vi"], method="FE", warn=False))
    assert not res.exact
    _close(res.tau, ref["tau"], "tau")
    _close(res.pval, ref["pval"], "pval")


BINARY = [case for case in CASES if "bias" in case]


@pytest.mark.parametrize("case", BINARY, ids=lambda c: c["name"][:24])
def test_harbord_and_peters_match_regtest(case):
    # metafor 3.8 regtest(..., model = "lm") on Harbord's score effects and on Peters'
    # 1/n predictor, the regressions R meta's metabias() runs
    t = case["tables"]
    tables = (t["ai"], t["bi"], t["ci"], t["di"])
    ref = case["bias"]
    fit = pool(ref["or_yi"], ref["or_vi"], measure="OR", labels=case["labels"], warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = {"harbord": harbord_test(fit, *tables), "peters": peters_test(fit, *tables)}
    for name, res in results.items():
        want = ref[name]
        assert res.k == want["k"] and res.df == want["df"]
        for field in ("slope", "slope_se", "tval", "pval", "intercept", "intercept_se"):
            _close(getattr(res, field), want[field], f"{name} {field}")
        assert res.to_frame().shape == (1, 11)


def test_harbord_equals_egger_on_peto_effects():
    # Harbord's regression is Egger's on Peto's (O - E)/V with variance 1/V (Harbord et al.
    # 2006, section 2): pool_peto's study effects through egger_test give the same slope
    case = BINARY[0]
    t = case["tables"]
    tables = (t["ai"], t["bi"], t["ci"], t["di"])
    peto = pool_peto(*tables, warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        harbord = harbord_test(peto, *tables)
        egger = egger_test(pool(peto.yi, peto.vi, method="FE", warn=False))
    np.testing.assert_allclose(harbord.slope, egger.bias, rtol=1e-10)
    np.testing.assert_allclose(harbord.slope, case["bias"]["harbord"]["slope"], rtol=RTOL)


def test_small_k_warns_and_peters_needs_odds_ratios():
    fit = pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], method="FE", warn=False)
    with pytest.warns(SmallKWarning, match="at least 10"):
        rank_test(fit)
    with pytest.raises(ValueError, match="odds ratios"):
        peters_test(fit, [1] * 4, [9] * 4, [2] * 4, [8] * 4)
    with pytest.raises(ValueError, match="one table per study"):
        harbord_test(fit, [1] * 3, [9] * 3, [2] * 3, [8] * 3)
