"""pool_mh() against metafor 3.8 rma.mh (tests/reference/mh.json, zero_cells.json)."""

import warnings

import numpy as np
import pytest
from refdata import load, to_float

from evsum import EvsumWarning, pool_mh
from evsum.exceptions import ZeroCellWarning

MH_FIELDS = (
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


def _check(res, fit):
    assert res.k == fit["k"] and res.method == "MH"
    for name in MH_FIELDS:
        np.testing.assert_allclose(
            getattr(res, name), to_float(fit[name]), rtol=1e-10, atol=1e-12, err_msg=name
        )
    np.testing.assert_allclose(res.weights, to_float(fit["weights"]), rtol=1e-10, atol=1e-12)
    # rma.mh has no prediction interval and no SE of tau2
    assert np.isnan(res.pi_low) and np.isnan(res.tau2_se)


@pytest.mark.parametrize("fit", load("mh.json")["fits"], ids=lambda f: f["measure"])
def test_matches_rma_mh_bcg(fit):
    # metafor 3.8 rma.mh(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, measure=)
    ref = load("mh.json")
    _check(pool_mh(measure=fit["measure"], **ref["data"]), fit)


@pytest.mark.parametrize("fit", load("zero_cells.json")["mh"], ids=lambda f: f["measure"])
def test_matches_rma_mh_zero_cells(fit):
    # metafor 3.8 rma.mh(ai, n1i, ci, n2i, measure=) with its defaults add=1/2, to="only0",
    # drop00=TRUE: double-zero tables are kept in the MH sums but left out of Q
    t = {k: np.array(v, dtype=float) for k, v in load("zero_cells.json")["tables"].items()}
    with pytest.warns(ZeroCellWarning), pytest.warns(EvsumWarning, match="left out of Q"):
        res = pool_mh(
            t["ai"], t["n1i"] - t["ai"], t["ci"], t["n2i"] - t["ci"], measure=fit["measure"]
        )
    _check(res, fit)
    assert any("left out of Q" in n for n in res.notes)
    assert np.isnan(res.yi[2])  # the double-zero study


def test_no_events_in_one_group_gives_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        res = pool_mh([0, 0], [10, 12], [2, 3], [8, 9], measure="RR")
    assert np.isnan(res.estimate)
    assert any("not defined" in n for n in res.notes)


def test_bad_measure():
    with pytest.raises(ValueError, match="measure must be one of"):
        pool_mh([1], [2], [3], [4], measure="SMD")
