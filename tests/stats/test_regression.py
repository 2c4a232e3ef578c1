"""Meta-regression against metafor 3.8 (tests/reference/regression.json, written by
tests/reference/make_regression_reference.R) and the published BCG numbers of issue 23."""

import warnings

import numpy as np
import pandas as pd
import pytest
from refdata import load, to_float

from evsum.exceptions import EvsumError, EvsumWarning, SmallKWarning
from evsum.stats.effects import effect_size
from evsum.stats.regression import meta_regression, permutation_test, predict
from evsum.stats.results import MetaRegressionResult
from evsum.stats.subgroups import pool_subgroups

from conftest import ROOT

REF = load("regression.json")
DATASETS = REF["datasets"]
BCG_STUDIES = ROOT / "examples" / "bcg-vaccine" / "data" / "studies.csv"

#: Compared with metafor to 1e-4 relative (the brief's tolerance for printed quantities); the
#: absolute floor covers values that are 0 in one and ~1e-12 in the other.
REL, ABS = 1e-4, 1e-8
SCALARS = ("df", "tau2", "tau2_se", "i2", "h2", "r2", "qm", "qm_df2", "qm_pval", "q", "q_pval")
VECTORS = ("estimate", "se", "zval", "pval", "ci_low", "ci_high", "weights", "fitted")


def _names(mods) -> list[str]:
    return [mods] if isinstance(mods, str) else list(mods)


def _column(values: list):
    """A moderator column from the JSON: strings stay strings ("NA" is missing)."""
    if any(isinstance(v, str) and v not in ("NA", "NaN") for v in values):
        return pd.Series([None if v == "NA" else v for v in values], dtype=object)
    return to_float(values)


def _moderators(dataset: str, mods) -> dict:
    ds = DATASETS[dataset]
    return {name: _column(ds["mods"][name]) for name in _names(mods)}


def _fit(case: dict, **kwargs) -> MetaRegressionResult:
    ds = DATASETS[case["dataset"]]
    return meta_regression(
        to_float(ds["yi"]),
        to_float(ds["vi"]),
        _moderators(case["dataset"], case["mods"]),
        method=case["method"],
        test=case["test"],
        warn=False,
        **kwargs,
    )


def _close(got, expected) -> bool:
    got = np.asarray(got, dtype=float)
    expected = np.asarray(to_float(expected), dtype=float)
    if got.size == 1 and expected.size == 1:  # R's length-1 vectors are scalars in the JSON
        got, expected = got.ravel(), expected.ravel()
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=REL, atol=ABS, equal_nan=True)
    )


def _case_id(case: dict) -> str:
    extra = ("-btt" if "btt_r" in case else "") + ("" if case["intercept"] else "-noint")
    mods = "+".join(_names(case["mods"]))
    return f"{case['dataset']}-{mods}-{case['method']}-{case['test']}{extra}"


@pytest.mark.parametrize("case", REF["cases"], ids=_case_id)
def test_matches_metafor(case):
    btt = [b - 1 for b in case["btt_r"]] if "btt_r" in case else None  # R counts from 1
    if "error" in case:  # metafor stops: so does evsum, saying why
        assert "did not converge" in case["error"]
        with pytest.raises(EvsumError, match="did not converge in 100 Fisher scoring steps"):
            _fit(case, btt=btt, intercept=case["intercept"])
        return
    res = _fit(case, btt=btt, intercept=case["intercept"])
    ref = case["fit"]
    assert list(res.names) == _names(ref["names"])
    assert (res.k, res.p, res.qm_df, res.q_df) == (ref["k"], ref["p"], ref["qm_df"], ref["q_df"])
    assert list(res.btt) == _names_list(ref["btt"])
    wrong = [f for f in SCALARS if not _close(getattr(res, f), ref[f])]
    wrong += [f for f in VECTORS if not _close(getattr(res, f), ref[f])]
    if not _close(res.vcov, ref["vcov"]):
        wrong.append("vcov")
    assert not wrong, {f: (getattr(res, f), ref.get(f)) for f in wrong}


def _names_list(x) -> list:
    return [x] if isinstance(x, (int, float)) else list(x)


def test_reference_grid_covers_every_method_and_test():
    grid = {
        (c["dataset"], "+".join(_names(c["mods"])), c["method"], c["test"])
        for c in REF["cases"]
        if c["intercept"] and c["dataset"] != "non_converged"
    }
    models = {(d, m) for d, m, _, _ in grid}
    assert len(models) >= 12
    for dataset, mods in models:
        for method in ("FE", "DL", "REML", "PM", "ML"):
            for test in ("z", "knha", "adhoc"):
                assert (dataset, mods, method, test) in grid
    # numeric, categorical, both, two numeric moderators, and missing values among them
    assert {"ablat", "alloc", "ablat+alloc", "x1+x2", "x1+g"} <= {m for _, m in models}


@pytest.mark.parametrize(
    "case", REF["predictions"], ids=lambda c: f"{c['dataset']}-{c['method']}-{c['test']}"
)
def test_predict_matches_metafor(case):
    res = _fit(case)
    newmods = case["newmods"] or None  # NULL in R (the studies' fitted values): {} in JSON
    if isinstance(newmods, dict):
        newmods = {k: v if isinstance(v, list) else [v] for k, v in newmods.items()}
    transf = None if case["transf"] == "NA" else case["transf"]
    pred = predict(res, newmods, transf=transf)
    for field in ("estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high"):
        assert _close(getattr(pred, field), case[field]), (field, getattr(pred, field))
    assert pred.transformed is (transf is not None)


def test_predict_accepts_a_design_array_as_metafor():
    case = next(c for c in REF["predictions"] if c["mods"] == ["ablat", "alloc"])
    res = _fit(case)
    # rbind(c(20, 0, 0), c(40, 1, 0), c(50, 0, 1)): ablat, allocrandom, allocsystematic
    pred = predict(res, [[20, 0, 0], [40, 1, 0], [50, 0, 1]])
    assert _close(pred.estimate, case["estimate"])
    assert _close(pred.pi_high, case["pi_high"])
    frame = pred.to_frame()
    assert list(frame.columns) == ["estimate", "se", "ci_low", "ci_high", "pi_low", "pi_high"]


@pytest.mark.parametrize(
    "case", REF["permutest"], ids=lambda c: f"{c['dataset']}-{c['method']}-{c['test']}"
)
def test_exact_permutation_test_matches_permutest(case):
    res = _fit(case)
    perm = permutation_test(res)
    assert perm.exact
    assert list(perm.names) == case["names"]
    assert _close(perm.pval, case["pval"])
    assert perm.qm_pval == pytest.approx(case["qm_pval"], rel=REL)


def test_random_permutations_are_seeded_and_close_to_exact():
    case = REF["permutest"][0]
    res = _fit(case)
    a = permutation_test(res, n_iter=300, seed=7)
    b = permutation_test(res, n_iter=300, seed=7)
    assert not a.exact and a.n_iter == 300 and a == b
    # 300 draws: Monte Carlo SE of a p-value of 0.1 is about 0.017
    assert a.qm_pval == pytest.approx(case["qm_pval"], abs=0.07)


# --- the BCG trials: data from examples/bcg-vaccine, numbers published in issue 23 -----------


@pytest.fixture(scope="module")
def bcg():
    """yi, vi of the 13 trials from the example's studies.csv; ablat and alloc from dat.bcg."""
    rows = pd.read_csv(BCG_STUDIES)
    ds = DATASETS["bcg"]
    # the example's rows are dat.bcg's rows in the same order: the 2x2 tables agree
    assert rows["events_intervention"].tolist() == ds["tpos"]
    assert rows["events_comparator"].tolist() == ds["cpos"]
    assert (rows["n_intervention"] - rows["events_intervention"]).tolist() == ds["tneg"]
    yi, vi = effect_size(
        "RR",
        ai=rows["events_intervention"],
        n1i=rows["n_intervention"],
        ci=rows["events_comparator"],
        n2i=rows["n_comparator"],
    )
    assert _close(yi, ds["yi"]) and _close(vi, ds["vi"])
    # the example records randomisation; dat.bcg's alloc says the same
    randomised = rows["randomised"].astype(str).str.lower().eq("true").tolist()
    assert randomised == [a == "random" for a in ds["mods"]["alloc"]]
    return {
        "yi": yi,
        "vi": vi,
        "ablat": ds["mods"]["ablat"],
        "alloc": ds["mods"]["alloc"],
        "labels": rows["study_id"].tolist(),
        "randomised": ["random" if r else "other" for r in randomised],
    }


def test_bcg_latitude_published_numbers(bcg):
    # issue 23: all 13 trials, RR, REML, mods = ~ ablat: slope -0.0291 (SE 0.0072),
    # QM 16.36 (p < 0.001), tau^2 0.0764, R^2 75.6 %
    res = meta_regression(bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"]}, measure="RR")
    slope = res.coefficient("ablat")
    assert round(slope["estimate"], 4) == -0.0291
    assert round(slope["se"], 4) == 0.0072
    assert round(res.qm, 2) == 16.36 and res.qm_pval < 0.001
    assert round(res.tau2, 4) == 0.0764
    assert round(res.r2, 1) == 75.6
    assert res.notes == ()
    # with test="knha": F 12.59, p 0.0046
    knha = meta_regression(bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"]}, test="knha")
    assert round(knha.qm, 2) == 12.59 and round(knha.qm_pval, 4) == 0.0046
    assert (knha.qm_df, knha.qm_df2, knha.df) == (1, 11.0, 11.0)


def test_bcg_allocation_subgroups_both_models(bcg):
    # issue 23: allocation subgroups with a common tau^2 (mods = ~ factor(g)): QM 1.83, p 0.176
    res = pool_subgroups(
        bcg["yi"], bcg["vi"], bcg["randomised"], labels=bcg["labels"], tau2="both", warn=False
    )
    separate, common = res.differences
    assert (separate.tau2_model, common.tau2_model) == ("separate", "common")
    assert separate.statistic == res.q_between and separate.pval == res.q_between_pval
    assert len(separate.tau2) == 2 and separate.model is None
    assert round(common.statistic, 2) == 1.83 and round(common.pval, 3) == 0.176
    assert common.distribution == "chisq" and common.df == 1
    assert res.difference("common") is common
    # the same QM as the metafor reference for mods = ~ allocation
    ref = next(
        c["fit"]
        for c in REF["cases"]
        if c["mods"] == "allocation" and c["method"] == "REML" and c["test"] == "z"
    )
    assert common.statistic == pytest.approx(ref["qm"], rel=REL)
    assert common.tau2[0] == pytest.approx(ref["tau2"], rel=REL)


def test_common_tau2_with_knha_is_an_f_test(bcg):
    ref = next(
        c["fit"]
        for c in REF["cases"]
        if c["mods"] == "allocation" and c["method"] == "DL" and c["test"] == "knha"
    )
    res = pool_subgroups(
        bcg["yi"], bcg["vi"], bcg["randomised"], method="DL", test="knha", tau2="common"
    )
    (common,) = res.differences
    assert common.distribution == "F"
    assert (common.df, common.df2) == (ref["qm_df"], ref["qm_df2"])
    assert common.statistic == pytest.approx(ref["qm"], rel=REL)
    assert common.pval == pytest.approx(ref["qm_pval"], rel=REL)


def test_subgroups_default_is_the_separate_test_only(bcg):
    res = pool_subgroups(bcg["yi"], bcg["vi"], bcg["randomised"], warn=False)
    assert [d.tau2_model for d in res.differences] == ["separate"]
    with pytest.raises(KeyError, match="common"):
        res.difference("common")
    with pytest.raises(ValueError, match="tau2 must be"):
        pool_subgroups(bcg["yi"], bcg["vi"], bcg["randomised"], tau2="shared")


def test_common_tau2_that_cannot_be_fitted_is_nan_with_a_note():
    # 3 studies, 2 subgroups: REML needs p + 1 = 3 studies... and has them; 2 studies do not
    res = pool_subgroups([0.1, 0.5], [0.01, 0.02], ["a", "b"], tau2="both", warn=False)
    common = res.difference("common")
    assert np.isnan(common.statistic) and np.isnan(common.pval) and common.model is None
    assert any("common τ²" in n and "at least 3 studies" in n for n in res.notes)


# --- the result object ------------------------------------------------------------------------


def test_to_frame_and_coefficient(bcg):
    res = meta_regression(
        bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"], "alloc": bcg["alloc"]}, warn=False
    )
    frame = res.to_frame()
    assert list(frame.columns) == ["term", "estimate", "se", "zval", "pval", "ci_low", "ci_high"]
    assert frame["term"].tolist() == ["intrcpt", "ablat", "allocrandom", "allocsystematic"]
    assert res.coefficient("allocrandom")["se"] == res.se[2]
    with pytest.raises(KeyError, match="no coefficient 'alloc'"):
        res.coefficient("alloc")
    assert [t.kind for t in res.terms] == ["numeric", "categorical"]
    assert res.terms[1].levels == ("alternate", "random", "systematic")
    assert sum(res.weights) == pytest.approx(100)


def test_categorical_order_from_a_pandas_categorical(bcg):
    alloc = pd.Categorical(bcg["alloc"], categories=["random", "alternate", "systematic"])
    res = meta_regression(bcg["yi"], bcg["vi"], {"alloc": alloc}, warn=False)
    assert res.names == ("intrcpt", "allocalternate", "allocsystematic")
    ref = next(
        c["fit"]
        for c in REF["cases"]
        if c["mods"] == "alloc" and c["method"] == "REML" and c["test"] == "z"
    )
    # another reference level: the same model, the same QM and tau^2
    assert res.qm == pytest.approx(ref["qm"], rel=REL)
    assert res.tau2 == pytest.approx(ref["tau2"], rel=REL)


def test_numeric_codes_can_be_categorical():
    yi = [0.1, 0.2, 0.5, 0.6, 0.9, 1.0, 0.15, 0.55]
    vi = [0.02] * 8
    res = meta_regression(
        yi, vi, {"arm": [1, 1, 2, 2, 3, 3, 1, 2]}, categorical=["arm"], method="FE", warn=False
    )
    assert res.names == ("intrcpt", "arm2", "arm3")
    with pytest.raises(ValueError, match="categorical names moderators that are not given"):
        meta_regression(yi, vi, {"arm": [1] * 8}, categorical=["dose"])


def test_missing_moderator_values_are_excluded_with_a_reason():
    case = next(c for c in REF["cases"] if c["dataset"] == "generated_missing")
    with pytest.warns(EvsumWarning) as caught:
        res = meta_regression(
            to_float(DATASETS["generated_missing"]["yi"]),
            to_float(DATASETS["generated_missing"]["vi"]),
            _moderators("generated_missing", case["mods"]),
            method=case["method"],
            test=case["test"],
        )
    assert any("2 studies with a missing" in str(w.message) for w in caught)
    assert res.k == 14
    assert res.excluded == (
        ("Study 2", "missing moderator 'x1'"),
        ("Study 9", "missing moderator 'x1'"),
    )


def test_notes_few_studies_and_truncated_tau2():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = meta_regression(
            to_float(DATASETS["small"]["yi"]),
            to_float(DATASETS["small"]["vi"]),
            _moderators("small", "x"),
            method="DL",
        )
    assert any(issubclass(w.category, SmallKWarning) for w in caught)
    assert any("fewer than 10 studies per coefficient" in n for n in res.notes)
    quiet = meta_regression([0.1, 0.2, 0.3, 0.4], [1.0] * 4, {"x": [1, 2, 3, 4]}, warn=False)
    assert quiet.tau2 == 0
    assert any("Residual τ² truncated at 0" in n for n in quiet.notes)


# --- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "MH"}, "method must be one of"),
        ({"test": "t"}, "test must be one of"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"measure": "XX"}, "measure must be one of"),
        ({"btt": "dose"}, "btt names no coefficient or moderator"),
        ({"btt": [7]}, "btt position 7 is out of range"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        meta_regression([0.1, 0.2, 0.3, 0.4], [0.1] * 4, {"x": [1, 2, 3, 5]}, **kwargs)


def test_too_few_studies_for_the_coefficients():
    with pytest.raises(
        ValueError, match="3 coefficients .* needs at least 4 studies with method='REML' .*; got 3"
    ):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, {"x": [1, 2, 3], "z": [0.5, 0.1, 0.7]})
    # FE estimates no tau^2: p studies suffice
    res = meta_regression(
        [0.1, 0.2, 0.3], [0.1] * 3, {"x": [1, 2, 4], "z": [0.5, 0.1, 0.7]}, method="FE", warn=False
    )
    assert res.q_df == 0 and res.q == 0 and res.q_pval == 1


def test_rank_deficient_design_is_refused():
    yi, vi = [0.1, 0.2, 0.3, 0.4, 0.5], [0.1] * 5
    with pytest.raises(ValueError, match="not of full rank: column 'y' is a linear combination"):
        meta_regression(yi, vi, {"x": [1, 2, 3, 4, 5], "y": [2, 4, 6, 8, 10]})
    with pytest.raises(ValueError, match="column 'x' is a linear combination of \\['intrcpt'\\]"):
        meta_regression(yi, vi, {"x": [3, 3, 3, 3, 3]})
    with pytest.raises(ValueError, match="single level"):
        meta_regression(yi, vi, {"g": ["a"] * 5})
    with pytest.raises(ValueError, match="not of full rank"):
        meta_regression(yi, vi, {"g": ["a", "a", "b", "b", "b"], "h": ["c", "c", "d", "d", "d"]})


def test_bad_shapes_and_values():
    with pytest.raises(ValueError, match="one value per study"):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, {"x": [1, 2]})
    with pytest.raises(ValueError, match="moderators is empty"):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, {})
    with pytest.raises(ValueError, match="vi must be > 0"):
        meta_regression([0.1, 0.2, 0.3], [0.1, 0, 0.1], {"x": [1, 2, 3]})
    with pytest.raises(ValueError, match="moderator 'x' must be finite"):
        meta_regression([0.1, 0.2, 0.3, 0.4], [0.1] * 4, {"x": [1, 2, np.inf, 3]})


def test_predict_bad_newmods(bcg):
    res = meta_regression(
        bcg["yi"], bcg["vi"], {"ablat": bcg["ablat"], "alloc": bcg["alloc"]}, warn=False
    )
    with pytest.raises(ValueError, match="missing \\['alloc'\\]"):
        predict(res, {"ablat": 30})
    with pytest.raises(ValueError, match="unknown \\['latitude'\\]"):
        predict(res, {"ablat": 30, "alloc": "random", "latitude": 3})
    with pytest.raises(ValueError, match="unknown level\\(s\\) \\['quasi'\\]"):
        predict(res, {"ablat": 30, "alloc": "quasi"})
    with pytest.raises(ValueError, match="newmods must have 3 columns"):
        predict(res, [30, 1])
    with pytest.raises(ValueError, match="transf must be"):
        predict(res, {"ablat": 30, "alloc": "random"}, transf="log")
    # scalars broadcast; a callable transformation as metafor's transf
    pred = predict(res, {"ablat": [20, 40], "alloc": "random"}, transf=np.exp)
    assert len(pred.estimate) == 2 and np.isnan(pred.se).all()


def test_metafor_reference_gives_the_published_bcg_numbers():
    # the pinned metafor values round to the numbers issue 23 quotes
    def fit(mods, method, test):
        return next(
            c["fit"]
            for c in REF["cases"]
            if c["dataset"] == "bcg"
            and c["mods"] == mods
            and (c["method"], c["test"]) == (method, test)
        )

    ref = fit("ablat", "REML", "z")
    assert (round(ref["estimate"][1], 4), round(ref["se"][1], 4)) == (-0.0291, 0.0072)
    assert (round(ref["qm"], 2), round(ref["tau2"], 4), round(ref["r2"], 1)) == (
        16.36,
        0.0764,
        75.6,
    )
    ref = fit("ablat", "REML", "knha")
    assert (round(ref["qm"], 2), round(ref["qm_pval"], 4)) == (12.59, 0.0046)
    ref = fit("allocation", "REML", "z")
    assert (round(ref["qm"], 2), round(ref["qm_pval"], 3)) == (1.83, 0.176)


def test_common_and_separate_tests_agree_for_a_common_effect_model(bcg):
    # with tau^2 = 0 both are the weighted sum of squares of the subgroup estimates around
    # their weighted mean: an algebraic identity, so they agree to rounding error
    res = pool_subgroups(bcg["yi"], bcg["vi"], bcg["alloc"], method="FE", tau2="both", warn=False)
    separate, common = res.differences
    assert common.statistic == pytest.approx(separate.statistic, rel=1e-10)
    assert (common.df, separate.df) == (2, 2)


def test_fe_cell_means_model_gives_each_subgroups_common_effect_estimate(bcg):
    # mods = ~ alloc - 1 with tau^2 = 0: each coefficient is the inverse-variance pooled
    # estimate of its subgroup, with the same standard error (weighted least squares on
    # indicator columns separates into one weighted mean per subgroup)
    from evsum.stats.pooling import pool

    res = meta_regression(
        bcg["yi"], bcg["vi"], {"alloc": bcg["alloc"]}, method="FE", intercept=False, warn=False
    )
    assert res.names == ("allocalternate", "allocrandom", "allocsystematic")
    for level, estimate, se in zip(res.terms[0].levels, res.estimate, res.se, strict=True):
        rows = [a == level for a in bcg["alloc"]]
        fe = pool(np.asarray(bcg["yi"])[rows], np.asarray(bcg["vi"])[rows], method="FE")
        assert (estimate, se) == (pytest.approx(fe.estimate), pytest.approx(fe.se))
    assert np.isnan(res.r2)  # metafor gives no R^2 without an intercept
