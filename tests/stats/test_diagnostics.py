"""leave_one_out, egger_test and pool_subgroups against metafor 3.8 (diagnostics.json)."""

import warnings

import numpy as np
import pytest
from refdata import load, to_float

from evsum import EvsumWarning, egger_test, leave_one_out, pool, pool_subgroups
from evsum.exceptions import SmallKWarning
from evsum.present.text import describe

DIAG = load("diagnostics.json")


@pytest.mark.parametrize("ref", DIAG["leave1out"], ids=lambda r: f"{r['method']}-{r['test']}")
def test_leave_one_out_matches_leave1out(ref):
    # metafor 3.8 leave1out(rma(yi, vi, data=es, method=, test=)), dat.bcg RR
    fit = pool(
        DIAG["yi"],
        DIAG["vi"],
        method=ref["method"],
        test=ref["test"],
        labels=DIAG["labels"],
        warn=False,
    )
    out = leave_one_out(fit)
    assert out["label"].tolist() == DIAG["labels"]
    for name in ("estimate", "se", "pval", "ci_low", "ci_high", "q", "q_pval", "tau2", "i2", "h2"):
        np.testing.assert_allclose(
            out[name], to_float(ref[name]), rtol=1e-9, atol=1e-10, err_msg=name
        )


def test_leave_one_out_equals_pool_without_the_study():
    out = leave_one_out(pool(DIAG["yi"], DIAG["vi"], method="PM", warn=False))
    yi, vi = np.array(DIAG["yi"]), np.array(DIAG["vi"])
    res = pool(np.delete(yi, 4), np.delete(vi, 4), method="PM")
    assert out.loc[4, "estimate"] == pytest.approx(res.estimate, rel=1e-13)
    assert out.loc[4, "tau2"] == pytest.approx(res.tau2, rel=1e-13)


def test_leave_one_out_needs_two_studies():
    with pytest.raises(ValueError, match="at least 2"):
        leave_one_out(pool([0.1], [0.1], method="FE", warn=False))


def test_egger_matches_regtest():
    # metafor 3.8 regtest(rma(yi, vi, data=es, method="FE"), model="lm", predictor="sei")
    res = egger_test(pool(DIAG["yi"], DIAG["vi"], method="FE", warn=False))
    ref = DIAG["regtest"]
    for name in (
        "tval",
        "pval",
        "df",
        "limit_estimate",
        "limit_ci_low",
        "limit_ci_high",
        "bias",
        "bias_se",
    ):
        assert getattr(res, name) == pytest.approx(ref[name], rel=1e-9), name
    assert res.notes == ()


def test_egger_published_bcg():
    # Printed R output of regtest() for dat.bcg RR (weighted regression with multiplicative
    # dispersion, predictor sei): "t = -1.4013, df = 11, p = 0.1887; Limit Estimate
    # b = -0.1909 (CI: -0.6753, 0.2935)", read from
    # https://cttir.github.io/courses/course3_design_causal/labs/lab_week4_session2_slides.html
    # Values printed to 4 decimals, hence atol=5e-5.
    res = egger_test(pool(DIAG["yi"], DIAG["vi"], method="FE", warn=False))
    assert res.tval == pytest.approx(-1.4013, abs=5e-5)
    assert res.pval == pytest.approx(0.1887, abs=5e-5)
    assert res.limit_estimate == pytest.approx(-0.1909, abs=5e-5)


def test_egger_small_k_warns_and_notes():
    with pytest.warns(SmallKWarning, match="only 4 studies"):
        res = egger_test(pool([0.1, 0.3, 0.5, 0.2], [0.01, 0.02, 0.04, 0.03], warn=False))
    assert res.notes and "10" in res.notes[0]
    with pytest.raises(ValueError, match="at least 3"):
        egger_test(pool([0.1, 0.2], [0.01, 0.02], method="FE", warn=False))


def test_subgroups_match_separate_rma_fits():
    # metafor 3.8: rma(yi, vi, subset=alloc==g) per subgroup, then
    # rma(estimates, sei=ses, method="FE")$QE as the test for subgroup differences
    ref = DIAG["subgroups"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        res = pool_subgroups(DIAG["yi"], DIAG["vi"], DIAG["alloc"], method="REML", measure="RR")
    assert set(res.groups) == set(ref["groups"])
    for name, g in ref["groups"].items():
        assert res[name].k == g["k"]
        for field in ("estimate", "se", "tau2"):
            assert getattr(res[name], field) == pytest.approx(g[field], rel=1e-9)
    assert res.q_between == pytest.approx(ref["q_between"], rel=1e-9)
    assert res.q_between_df == ref["q_between_df"]
    assert res.q_between_pval == pytest.approx(ref["q_between_pval"], rel=1e-9)
    assert res.overall.k == 13
    frame = res.to_frame()
    assert frame["group"].tolist()[-1] == "overall" and len(frame) == 4
    assert "Q =" in describe(res)


def test_subgroups_prefix_warnings_with_group():
    with pytest.warns(SmallKWarning, match="Subgroup b: Only 2"), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Subgroup .: τ² truncated", EvsumWarning)
        res = pool_subgroups([0.1, 0.2, 0.3, 0.6, 0.7], [0.01] * 5, ["a", "a", "a", "b", "b"])
    assert any(n.startswith("Subgroup b") for n in res.notes)


def test_subgroups_bad_input():
    with pytest.raises(ValueError, match="at least 2 subgroups"):
        pool_subgroups([0.1, 0.2], [0.1, 0.1], ["a", "a"])
    with pytest.raises(ValueError, match="same length"):
        pool_subgroups([0.1, 0.2], [0.1, 0.1], ["a"])
