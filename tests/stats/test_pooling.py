"""pool() against metafor 3.8 (tests/reference), published values and statsmodels."""

import dataclasses
import warnings

import numpy as np
import pytest
from refdata import FIT_FIELDS, fit_cases, load, to_float

from evsum import EvsumError, EvsumWarning, PoolResult, pool
from evsum.exceptions import SmallKWarning
from evsum.vocab import MEASURES, METHODS, TESTS

GRID = load("grid.json")
BCG_RR = next(c for c in GRID["cases"] if c["measure"] == "RR")


def _pool(yi, vi, method="REML", test="z", **kwargs) -> PoolResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        return pool(yi, vi, method=method, test=test, **kwargs)


def _check_fit(res: PoolResult, fit: dict, atol: float) -> None:
    for name in FIT_FIELDS:
        np.testing.assert_allclose(
            getattr(res, name), to_float(fit[name]), rtol=1e-9, atol=atol, err_msg=name
        )
    np.testing.assert_allclose(res.weights, to_float(fit["weights"]), rtol=1e-9, atol=atol)
    assert res.k == fit["k"]


# The JSON holds metafor's values to 15 significant digits, so the tolerance is far tighter
# than the 5e-5 needed for values printed to 4 decimals.
@pytest.mark.parametrize(
    ("case", "fit"), [pytest.param(c, f, id=i) for i, c, f in fit_cases("grid.json")]
)
def test_matches_metafor_grid(case, fit):
    # metafor 3.8 rma(yi, vi, method=, test=) + predict(); source block of grid.json
    res = _pool(case["yi"], case["vi"], fit["method"], fit["test"], measure=case["measure"])
    _check_fit(res, fit, atol=1e-10)


@pytest.mark.parametrize(
    ("case", "fit"), [pytest.param(c, f, id=i) for i, c, f in fit_cases("edge_cases.json")]
)
def test_matches_metafor_k1_k2(case, fit):
    # metafor 3.8 rma(yi[1:k], vi[1:k], method=, test=) on dat.bcg RR, k = 1, 2
    res = _pool(case["yi"], case["vi"], fit["method"], fit["test"])
    _check_fit(res, fit, atol=1e-10)


@pytest.mark.parametrize(
    ("case", "fit"), [pytest.param(c, f, id=i) for i, c, f in fit_cases("zero_cells.json")]
)
def test_matches_metafor_zero_cell_fits(case, fit):
    # metafor 3.8 rma() on the finite escalc values of zero_cells.json
    yi, vi = to_float(case["yi"]), to_float(case["vi"])
    ok = np.isfinite(yi) & np.isfinite(vi)
    res = _pool(yi[ok], vi[ok], fit["method"], fit["test"])
    _check_fit(res, fit, atol=1e-10)


def test_published_bcg_reml():
    # Viechtbauer W (2010), "Conducting meta-analyses in R with the metafor package",
    # J Stat Softw 36(3), section 3 (dat.bcg, escalc RR, rma default REML) prints:
    # estimate -0.7145, se 0.1798, zval -3.9744, CI -1.0669 to -0.3622, tau^2 0.3132
    # (SE 0.1664), I^2 92.22%, H^2 12.86, Q(df = 12) = 152.2330. The same printed output is
    # reproduced at https://cttir.github.io/courses/course3_design_causal/labs/
    # lab_week4_session2_slides.html ("Random-Effects Model (k = 13; tau^2 estimator: REML)").
    res = _pool(BCG_RR["yi"], BCG_RR["vi"], "REML")
    assert res.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert res.se == pytest.approx(0.1798, abs=5e-5)
    assert res.zval == pytest.approx(-3.9744, abs=5e-5)
    assert res.ci_low == pytest.approx(-1.0669, abs=5e-5)
    assert res.ci_high == pytest.approx(-0.3622, abs=5e-5)
    assert res.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert res.tau2_se == pytest.approx(0.1664, abs=5e-5)
    assert res.i2 == pytest.approx(92.22, abs=5e-3)  # percent, printed to 2 decimals
    assert res.h2 == pytest.approx(12.86, abs=5e-3)
    assert res.q == pytest.approx(152.2330, abs=5e-5)
    assert res.q_df == 12


def test_i2_is_percent_not_fraction():
    res = _pool(BCG_RR["yi"], BCG_RR["vi"], "DL")
    assert 1 < res.i2 <= 100


@pytest.mark.parametrize("method", ["FE", "DL"])
def test_agrees_with_statsmodels(method):
    sm = pytest.importorskip("statsmodels.stats.meta_analysis")
    yi, vi = np.array(BCG_RR["yi"]), np.array(BCG_RR["vi"])
    ref = sm.combine_effects(yi, vi, method_re="dl")
    res = _pool(yi, vi, method)
    row = ref.summary_frame().loc["fixed effect" if method == "FE" else "random effect"]
    assert res.estimate == pytest.approx(row["eff"], rel=1e-12)
    assert res.se == pytest.approx(row["sd_eff"], rel=1e-12)
    assert res.ci_low == pytest.approx(row["ci_low"], rel=1e-12)
    assert res.ci_high == pytest.approx(row["ci_upp"], rel=1e-12)
    assert res.q == pytest.approx(ref.q, rel=1e-12)
    # statsmodels reports I² as a fraction; evsum (like metafor) in percent. For FE and DL
    # metafor's two I² definitions coincide with statsmodels' (Q - df) / Q.
    assert res.i2 == pytest.approx(100 * ref.i2, rel=1e-12)
    if method == "DL":
        assert res.tau2 == pytest.approx(ref.tau2, rel=1e-12)
        np.testing.assert_allclose(np.array(res.weights) / 100, ref.weights_rel_re, rtol=1e-12)
        knha = _pool(yi, vi, "DL", "knha")
        assert knha.se == pytest.approx(ref.sd_eff_w_re_hksj, rel=1e-12)


def test_ee_is_fe():
    assert _pool(BCG_RR["yi"], BCG_RR["vi"], "EE").method == "FE"


def test_fields_and_weights():
    res = _pool(BCG_RR["yi"], BCG_RR["vi"], "REML", measure="RR")
    assert sum(res.weights) == pytest.approx(100)
    assert res.labels[0] == "Study 1" and len(res.labels) == res.k == 13
    assert res.is_ratio and res.test == "z" and res.alpha == 0.05
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]


def test_small_k_warns_and_notes():
    with pytest.warns(SmallKWarning, match="Only 2 studies"):
        res = pool([0.1, 0.5], [0.02, 0.03], method="REML")
    assert any("Only 2 studies" in n for n in res.notes)


def test_fe_small_k_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pool([0.1, 0.5], [0.02, 0.03], method="FE")


def test_k1_knha_falls_back_to_z():
    # metafor resets test to "z" when k = 1 (edge_cases.json has the values)
    with pytest.warns(SmallKWarning):
        res = pool([0.2], [0.04], method="DL", test="knha")
    assert res.test == "z" and res.tau2 == 0 and np.isnan(res.tau2_se)


def test_truncated_tau2_warns_and_notes():
    with pytest.warns(EvsumWarning, match="truncated at 0"):
        res = pool([0.1, 0.12, 0.11], [0.04, 0.05, 0.03], method="DL")
    assert res.tau2 == 0
    assert any("truncated" in n for n in res.notes)
    fe = _pool([0.1, 0.12, 0.11], [0.04, 0.05, 0.03], method="FE")
    assert res.estimate == pytest.approx(fe.estimate, rel=1e-14)


def test_fe_with_knha_warns():
    with pytest.warns(EvsumWarning, match="not meant for common-effect"):
        pool(BCG_RR["yi"], BCG_RR["vi"], method="FE", test="knha")


def test_missing_values_are_excluded_with_reason():
    yi = [0.1, np.nan, 0.3, 0.2]
    vi = [0.01, 0.02, np.nan, 0.03]
    with pytest.warns(EvsumWarning, match="2 studies without"):
        res = pool(yi, vi, method="FE", labels=["a", "b", "c", "d"])
    assert res.k == 2 and res.labels == ("a", "d")
    assert res.excluded == (
        ("b", "missing effect size or variance"),
        ("c", "missing effect size or variance"),
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (([0.1], [0.1]), {"method": "XX"}, "method must be one of"),
        (([0.1], [0.1]), {"method": "REML", "test": "t"}, "test must be one of"),
        (([0.1, 0.2], [0.1]), {}, "same length"),
        (([0.1, 0.2], [0.1, 0.0]), {}, r"vi\[1\]"),
        (([0.1, np.inf], [0.1, 0.1]), {}, r"yi\[1\]"),
        (([0.1], [0.1]), {"measure": "XYZ"}, "measure must be one of"),
        (([0.1], [0.1]), {"labels": ["a", "b"]}, "labels"),
        (([0.1], [0.1]), {"alpha": 1.5}, "alpha"),
        (([np.nan], [0.1]), {}, "no study"),
    ],
)
def test_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match), warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        pool(*args, **kwargs)


def test_non_convergence_raises(monkeypatch):
    import evsum.stats.tau2 as tau2

    monkeypatch.setattr(tau2, "MAXITER", 0)
    with pytest.raises(EvsumError, match="did not converge"):
        _pool(BCG_RR["yi"], BCG_RR["vi"], "REML")


def test_reml_oscillation_fails_like_metafor():
    # metafor 3.8: rma(c(0,0,0,0,0,1), c(1,1,1,1,1,0.125), method="REML") stops with
    # "Fisher scoring algorithm did not converge" (tau^2 oscillates between ~0.004 and ~0.2)
    with pytest.raises(EvsumError, match="did not converge"):
        _pool([0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 0.125], "REML")
    assert _pool([0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 0.125], "PM").tau2 >= 0


def test_alpha_changes_intervals():
    wide = _pool(BCG_RR["yi"], BCG_RR["vi"], "REML", alpha=0.01)
    narrow = _pool(BCG_RR["yi"], BCG_RR["vi"], "REML")
    assert wide.ci_low < narrow.ci_low and wide.pi_high > narrow.pi_high


# --- result methods -------------------------------------------------------------------------


def test_to_frame_rows_and_back_transform():
    res = _pool(BCG_RR["yi"], BCG_RR["vi"], "REML", measure="RR")
    log = res.to_frame(exp=False)
    assert list(log.columns) == [
        "label",
        "effect",
        "variance",
        "se",
        "ci_low",
        "ci_high",
        "weight",
    ]
    assert len(log) == res.k + 1 and log["label"].iloc[-1] == "pooled"
    assert log["effect"].iloc[-1] == res.estimate
    assert log["weight"].iloc[:-1].sum() == pytest.approx(100)
    shown = res.to_frame()  # RR is a ratio measure: exp by default
    np.testing.assert_allclose(shown["effect"], np.exp(log["effect"]))
    np.testing.assert_allclose(shown["variance"], log["variance"])
    bt = res.back_transform()
    assert bt.transformed and bt.estimate == pytest.approx(np.exp(res.estimate))
    assert bt.pi_low == pytest.approx(np.exp(res.pi_low))


def test_non_ratio_is_not_transformed():
    res = _pool([0.1, 0.3, 0.2], [0.01, 0.02, 0.03], "FE", measure="MD")
    assert not res.is_ratio
    assert res.back_transform().estimate == res.estimate
    assert res.to_frame()["effect"].iloc[-1] == res.estimate


def test_grid_covers_every_measure_method_and_test():
    covered = {(c["measure"], f["method"], f["test"]) for c in GRID["cases"] for f in c["fits"]}
    wanted = {(m, meth, t) for m in MEASURES for meth in METHODS for t in TESTS}
    assert wanted <= covered
