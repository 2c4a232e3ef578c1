"""Numerical edge cases: degenerate MH tables, cancellation in tr(P), a REML likelihood with
two peaks, Egger's test without spread in the SEs, subgroups without an all-studies fit.

Reference values come from metafor 3.8 (tests/reference/make_numerics_reference.R writes
tests/reference/numerics.json) or are derived by hand in the test.
"""

import warnings

import numpy as np
import pytest
from refdata import load, to_float

from evsum.exceptions import EvsumWarning
from evsum.stats.diagnostics import egger_test
from evsum.stats.heterogeneity import confint
from evsum.stats.mh import pool_mh
from evsum.stats.pooling import pool
from evsum.stats.subgroups import pool_subgroups
from evsum.stats.tau2 import Grouped, weighted_fit

REF = load("numerics.json")
MH_FIELDS = ("estimate", "se", "zval", "pval", "ci_low", "ci_high", "q", "q_pval", "i2", "h2")


def _mh(case):
    ai, n1, ci, n2 = (np.array(case[x], dtype=float) for x in ("ai", "n1i", "ci", "n2i"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool_mh(
            ai, n1 - ai, ci, n2 - ci, measure=case["measure"], add=case["add"], to=case["to"]
        )


@pytest.mark.parametrize("case", REF["mh"][:4], ids=lambda c: c["name"])
def test_mh_degenerate_tables_match_rma_mh(case):
    # metafor 3.8 rma.mh(ai, n1i, ci, n2i, measure, add, to): estimate 0 with SE 0 and
    # z, p NaN (no ZeroDivisionError); Q = inf with I² NaN and H² inf (not I² = 0)
    res = _mh(case)
    for name in MH_FIELDS:
        np.testing.assert_allclose(
            getattr(res, name), to_float(case[name]), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_mh_undefined_estimate_gives_nan_heterogeneity_documented():
    # metafor 3.8 gives NA for Q with two or more study effects, but Q = 0, I² = 0 with one;
    # evsum reports NaN in both cases and says so in the docstring and the note
    two, one = REF["mh"][4], REF["mh"][5]
    assert np.isnan(to_float(two["q"])) and to_float(one["q"]) == 0 and to_float(one["i2"]) == 0
    for case in (two, one):
        res = _mh(case)
        assert np.isnan(res.estimate)
        assert all(np.isnan(getattr(res, x)) for x in ("q", "q_pval", "i2", "h2"))
        assert any("metafor 3.8 reports Q = 0" in note for note in res.notes)
    assert "evsum gives NaN in both cases" in " ".join(pool_mh.__doc__.split())


def test_egger_equal_variances_is_an_argument_error():
    # the regression of y on the SE has no slope to estimate when all SEs are equal: the
    # same kind of error as for k < 3, never a number or a numpy LinAlgError
    fit = pool([1.0] * 5, [0.1] * 5, method="FE", warn=False)
    with pytest.raises(ValueError, match="same sampling variance"):
        egger_test(fit)
    fit = pool([0.2, 0.5, 0.1, 0.4, 0.3], [0.04] * 5, method="FE", warn=False)
    with pytest.raises(ValueError, match="same sampling variance"):
        egger_test(fit)


# The two-study subgroup: variance ratio 3.4e9.
Y2, V2 = np.array([-1.7196, -1.0167]), np.array([83.14, 2.43e-8])


def test_traces_of_p_without_cancellation():
    # two studies: P = [[1, -1], [-1, 1]] / (v1 + v2) at τ² = 0, so tr(P) = 2 / (v1 + v2)
    # and tr(PP) = 4 / (v1 + v2)²
    fit = weighted_fit(Grouped(Y2, V2, np.zeros(2, dtype=np.intp), 1), None)
    np.testing.assert_allclose(fit.tr_p, 2 / V2.sum(), rtol=1e-13)
    np.testing.assert_allclose(fit.tr_pp, 4 / V2.sum() ** 2, rtol=1e-13)


def test_reml_two_studies_dominant_weight_is_exactly_zero():
    # For k = 2 the restricted likelihood is that of the contrast y1 - y2 ~ N(0, v1 + v2 +
    # 2τ²): its maximum is at τ² = ((y1 - y2)² - v1 - v2) / 2 = (0.494 - 83.14) / 2 < 0,
    # so REML τ² = 0 exactly; Fisher information tr(PP)/2 gives se(τ²) = (v1 + v2) / √2.
    with pytest.warns(EvsumWarning, match="times the smallest"):
        res = pool(Y2, V2, method="REML")
    assert res.tau2 == 0.0
    np.testing.assert_allclose(res.tau2_se, V2.sum() / np.sqrt(2), rtol=1e-12)
    assert any("metafor warns from 1e7" in note for note in res.notes)


def test_confint_i2_bound_with_extreme_variance_ratio():
    # ratio 2.3e17: the typical within-study variance is (k - 1)/tr(P) = (v1 + v2)/2; the
    # τ² upper bound is at the search limit 100, so I² high = 100 · 100 / (100 + 0.5)
    v = np.array([1.0, 4.3e-18])
    res = pool(Y2, v, method="REML", warn=False)
    np.testing.assert_allclose(res.tau2_se, v.sum() / np.sqrt(2), rtol=1e-12)
    ci = confint(res)
    assert ci.tau2_high == 100.0
    np.testing.assert_allclose(ci.i2_high, 100 * 100 / (100 + v.sum() / 2), rtol=1e-12)


def test_no_variance_ratio_note_below_metafor_threshold():
    res = pool([0.1, 0.3, 0.2], [1.0, 2.0, 1e-6], method="DL", warn=False)
    assert not any("times the smallest" in note for note in res.notes)


def test_subgroups_when_only_the_all_studies_fit_fails():
    # metafor 3.8: rma(method="PM") per subgroup, then rma(est, sei=se, method="FE")$QE;
    # the all-studies PM fit stops ("tau2.max too low"), as evsum's pool does
    ref = REF["subgroups_without_overall"]
    assert "tau2.max" in ref["overall_error"]
    with pytest.warns(EvsumWarning, match="All studies: PM estimation"):
        res = pool_subgroups(ref["yi"], ref["vi"], ref["group"], method="PM")
    for fit in ref["fits"]:
        sub = res[fit["group"]]
        np.testing.assert_allclose(sub.estimate, fit["estimate"], rtol=1e-8)
        np.testing.assert_allclose(sub.se, fit["se"], rtol=1e-6)
        np.testing.assert_allclose(sub.tau2, fit["tau2"], atol=1e-7)
    np.testing.assert_allclose(res.q_between, ref["q_between"], rtol=1e-6)
    assert res.overall.k == 7 and np.isnan(res.overall.estimate)
    assert res.to_frame()["group"].tolist() == ["a", "b", "overall"]


def test_reml_local_maximum_at_zero_is_kept_and_noted():
    # metafor 3.8 rma(method="REML") stops at τ² = 0; its log-likelihood at fixed τ²
    # (optimize over (0.05, 10)) peaks higher inside
    ref = REF["reml_two_peaks"]
    assert ref["tau2"] == 0
    res = pool(ref["yi"], ref["vi"], method="REML", warn=False)
    assert res.tau2 == 0.0
    note = next(n for n in res.notes if "two peaks" in n)
    assert f"τ² = {ref['peak_tau2']:.3g}" in note
    gain = ref["peak_loglik"] - ref["loglik_at_0"]
    assert f"+ {gain:.3g}" in note
    from evsum.stats.tau2 import interior_peak

    tau2, height = interior_peak(np.array(ref["yi"]), np.array(ref["vi"]), "REML")
    np.testing.assert_allclose(tau2, ref["peak_tau2"], rtol=1e-6)
    np.testing.assert_allclose(height, gain, rtol=1e-8)


def test_no_second_peak_note_on_an_ordinary_zero_estimate():
    res = pool([-0.89, -1.59, -1.35], [0.33, 0.19, 0.42], method="REML", warn=False)
    assert res.tau2 == 0 and not any("two peaks" in n for n in res.notes)
