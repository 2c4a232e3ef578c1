"""Few small trials (issue 17) against metafor 3.8 (tests/reference/small_k.json).

Q-profile intervals for τ² (``confint``), Hartung-Knapp ad hoc, t(k - 2) prediction
intervals, Peto's OR, the Mantel-Haenszel risk difference, ``drop00``, and the four defects:
NA tables in ``pool_mh``, an undefined MH estimate, non-converged REML rows, Egger's test on
identical effects.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from refdata import load, to_float

import evsum
from evsum import (
    EvsumWarning,
    confint,
    egger_test,
    leave_one_out,
    pool,
    pool_groups,
    pool_mh,
    pool_peto,
)

REF = load("small_k.json")
CI_FIELDS = (
    "tau2",
    "tau2_low",
    "tau2_high",
    "tau",
    "tau_low",
    "tau_high",
    "i2",
    "i2_low",
    "i2_high",
    "h2",
    "h2_low",
    "h2_high",
)
FIT_FIELDS = (
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "tau2",
    "i2",
    "h2",
    "q",
    "q_pval",
)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize(
    "case", REF["confint"], ids=lambda c: f"{c['dataset']}-{c['rows']}-{c['method']}"
)
def test_confint_matches_metafor_q_profile(case):
    res = _quiet(pool, case["yi"], case["vi"], method=case["method"])
    ci = confint(res)
    for name in CI_FIELDS:
        # same uniroot port, same interval and tolerance as metafor: digit for digit
        np.testing.assert_allclose(
            getattr(ci, name), to_float(case[name]), rtol=1e-8, atol=1e-10, err_msg=name
        )


def test_confint_first_four_bcg_trials_as_in_the_issue():
    # metafor 3.8 confint(rma(yi, vi)) on dat.bcg[1:4] (RR): tau^2 0 to 0.987, I^2 0 to 86 %
    case = next(c for c in REF["confint"] if c["rows"] == 4 and c["method"] == "REML")
    ci = confint(_quiet(pool, case["yi"], case["vi"], method="REML"))
    assert ci.tau2 == 0 and ci.tau2_low == 0
    assert round(ci.tau2_high, 3) == 0.987 and round(ci.i2_high) == 86
    assert "τ²" in evsum.describe(ci) and list(ci.to_frame()["quantity"]) == [
        "tau2",
        "tau",
        "i2",
        "h2",
    ]


def test_confint_rejects_common_effect_and_single_study():
    case = REF["confint"][0]
    with pytest.raises(ValueError, match="random-effects"):
        confint(_quiet(pool, case["yi"], case["vi"], method="FE"))
    with pytest.raises(ValueError, match="at least 2"):
        confint(_quiet(pool, case["yi"][:1], case["vi"][:1], method="REML"))


@pytest.mark.parametrize(
    "case", REF["pi_t"], ids=lambda c: f"{c['rows']}-{c['method']}-{c['test']}"
)
def test_t_prediction_interval_matches_higgins_formula_in_r(case):
    res = _quiet(pool, case["yi"], case["vi"], method=case["method"], test=case["test"], pi="t")
    assert res.pi == "t"
    np.testing.assert_allclose(res.estimate, case["estimate"], rtol=1e-9)
    np.testing.assert_allclose(res.se, case["se"], rtol=1e-9)
    np.testing.assert_allclose(
        [res.pi_low, res.pi_high], [case["pi_t_low"], case["pi_t_high"]], rtol=1e-8
    )
    assert "k - 2" in evsum.describe(res)


def test_t_prediction_interval_in_the_issue_and_default_stays_normal():
    case = next(
        c for c in REF["pi_t"] if c["rows"] == 4 and c["method"] == "REML" and c["test"] == "z"
    )
    # issue 17 (from metafor): normal PI [-1.674, -1.170]; t(k-2) gives [-1.975, -0.869]
    default = _quiet(pool, case["yi"], case["vi"], method="REML")
    t = _quiet(pool, case["yi"], case["vi"], method="REML", pi="t")
    assert default.pi == "z"
    assert (round(default.pi_low, 3), round(default.pi_high, 3)) == (-1.674, -1.170)
    assert (round(t.pi_low, 3), round(t.pi_high, 3)) == (-1.975, -0.869)


def test_t_prediction_interval_needs_three_studies():
    case = REF["pi_t"][0]
    with pytest.warns(EvsumWarning, match="at least 3"):
        res = pool(case["yi"][:2], case["vi"][:2], method="DL", pi="t")
    assert np.isnan(res.pi_low) and np.isnan(res.pi_high)
    with pytest.raises(ValueError, match="pi must be one of"):
        pool(case["yi"], case["vi"], pi="HTS")


def test_pool_groups_takes_pi_and_adhoc():
    case = next(
        c
        for c in REF["pi_t"]
        if c["rows"] == 13 and c["method"] == "REML" and c["test"] == "adhoc"
    )
    frame = pd.DataFrame({"g": "a", "yi": case["yi"], "vi": case["vi"]})
    out = pool_groups(frame, "g", test="adhoc", pi="t").iloc[0]
    np.testing.assert_allclose(
        [out["pi_low"], out["pi_high"]], [case["pi_t_low"], case["pi_t_high"]], rtol=1e-8
    )


@pytest.mark.parametrize("fit", REF["hine1989"]["fits"], ids=lambda f: f["test"])
def test_hine1989_rd_knha_and_adhoc_match_metafor(fit):
    data = REF["hine1989"]
    res = _quiet(pool, data["yi"], data["vi"], method="REML", test=fit["test"], measure="RD")
    for name in FIT_FIELDS + ("pi_low", "pi_high"):
        np.testing.assert_allclose(
            getattr(res, name), to_float(fit[name]), rtol=1e-9, atol=1e-12, err_msg=name
        )


def test_adhoc_is_never_narrower_than_z_on_hine1989():
    # issue 17: on dat.hine1989 (RD) Q < k - 1, so plain Hartung-Knapp is narrower than z
    data = REF["hine1989"]
    width = {
        t: (lambda r: r.ci_high - r.ci_low)(
            _quiet(pool, data["yi"], data["vi"], method="REML", test=t)
        )
        for t in ("z", "knha", "adhoc")
    }
    assert width["knha"] < width["z"] <= width["adhoc"]


def _two_by_two_cases():
    for name, data in REF["two_by_two"].items():
        for fit in data["fits"]:
            drop00 = fit["drop00"]
            tag = "-".join(map(str, drop00)) if isinstance(drop00, list) else str(drop00)
            yield pytest.param(
                data["tables"], fit, id=f"{name}-{fit['method']}-{fit['measure']}-drop00={tag}"
            )


@pytest.mark.parametrize(("tables", "fit"), list(_two_by_two_cases()))
def test_mh_and_peto_match_metafor(tables, fit):
    drop00 = tuple(fit["drop00"]) if isinstance(fit["drop00"], list) else fit["drop00"]
    t = {key: to_float(tables[key]) for key in ("ai", "bi", "ci", "di")}
    if fit["method"] == "PETO":
        res = _quiet(pool_peto, t["ai"], t["bi"], t["ci"], t["di"], drop00=drop00)
    else:
        res = _quiet(
            pool_mh, t["ai"], t["bi"], t["ci"], t["di"], measure=fit["measure"], drop00=drop00
        )
    assert res.k == fit["k"] and res.q_df == max(fit["k_yi"] - 1, 0)
    for name in FIT_FIELDS:
        np.testing.assert_allclose(
            getattr(res, name), to_float(fit[name]), rtol=1e-9, atol=1e-12, err_msg=name
        )
    np.testing.assert_allclose(res.weights, to_float(fit["weights"]), rtol=1e-9)


def test_pool_mh_drops_tables_with_missing_counts_as_metafor():
    # defect 1: dat.collins1985a bleeding, 2 NA tables. metafor 3.8 rma.mh: log OR -0.121113,
    # SE 0.099356, Q 34.817 on 23 df, k 25 (issue 17)
    t = {
        key: to_float(REF["two_by_two"]["collins1985a_bleeding"]["tables"][key])
        for key in ("ai", "bi", "ci", "di")
    }
    with pytest.warns(EvsumWarning, match="left out"):
        res = pool_mh(t["ai"], t["bi"], t["ci"], t["di"])
    assert res.k == 25 and res.q_df == 23 and len(res.excluded) == 2
    assert all(reason == "missing cell counts" for _, reason in res.excluded)
    assert (round(res.estimate, 6), round(res.se, 6), round(res.q, 3)) == (
        -0.121113,
        0.099356,
        34.817,
    )


def test_undefined_mh_estimate_gives_nan_heterogeneity():
    # defect 2: metafor 3.8 rma.mh gives NA for beta, QE, QEp, I2 and H2 here
    fit = REF["mh_undefined"]
    with pytest.warns(EvsumWarning, match="not defined"):
        res = pool_mh([0, 0, 0], [10, 12, 9], [1, 3, 2], [9, 9, 8])
    for name in ("estimate", "q", "q_pval", "i2", "h2"):
        assert to_float(fit[name]) != to_float(fit[name])  # NA in metafor
        assert np.isnan(getattr(res, name)), name


def test_non_converged_rows_are_nan_throughout():
    # defect 3: metafor 3.8 rma(c(0,0,0,0,0,1), c(1,1,1,1,1,.125), method="REML") does not
    # converge; leave1out() of the 7-study set leaves row 7 NA in every column
    ref = REF["non_converged"]
    assert ref["reml_fails_without_study_7"]
    frame = pd.DataFrame({"g": "a", "yi": ref["yi"][:6], "vi": ref["vi"][:6]})
    row = pool_groups(frame, "g").iloc[0]
    assert not row["converged"]
    for name in ("estimate", "se", "tau2", "tau2_se", "i2", "h2", "q", "q_pval", "pi_low"):
        assert np.isnan(row[name]), name
    out = leave_one_out(pool(ref["yi"], ref["vi"], warn=False))
    assert out["converged"].tolist() == [True] * 6 + [False]
    for name, values in ref["leave1out"].items():
        np.testing.assert_allclose(out[name], to_float(values), rtol=1e-8, err_msg=name)


def test_egger_on_identical_effects_warns_and_is_nan():
    # defect 4: identical effects fit the regression exactly; the t statistic was rounding
    # noise (t = -0.514 in issue 17)
    with pytest.warns(EvsumWarning, match="not defined"):
        res = egger_test(pool([0.3] * 5, [0.01, 0.02, 0.04, 0.03, 0.05], warn=False))
    assert np.isnan(res.tval) and np.isnan(res.pval) and np.isnan(res.bias_se)


def test_drop00_validation_and_peto_without_information():
    with pytest.raises(ValueError, match="drop00"):
        pool_mh([1], [2], [3], [4], drop00=(True,))
    with pytest.raises(ValueError, match="Peto"):
        _quiet(pool_peto, [0, 0], [10, 5], [0, 0], [10, 5])
