"""fragility_index(): published examples and R's fisher.test (tests/reference/fragility.json)."""

import numpy as np
import pytest
from refdata import load

import evsum
from evsum.stats.fragility import fragility_index

TABLES = load("fragility.json")["tables"]


@pytest.mark.parametrize("t", TABLES, ids=lambda t: f"{t['e1']}of{t['n1']}-{t['e2']}of{t['n2']}")
def test_fisher_p_matches_r(t):
    res = fragility_index(t["e1"], t["n1"], t["e2"], t["n2"])
    np.testing.assert_allclose(res.pval, t["pval"], rtol=1e-9)


def _p(e1, n1, e2, n2):
    return next(
        t["pval"] for t in TABLES if (t["e1"], t["n1"], t["e2"], t["n2"]) == (e1, n1, e2, n2)
    )


def test_published_example_fragility_index_1():
    # fragilityindex R package README (Johnson, after Walsh et al. 2014): 15/40 vs 6/40,
    # fisher.test p = 0.04060921; one more event in group 2 (7/40) gives p = 0.07836101,
    # "this clinical trial has a fragility index of 1"
    res = fragility_index(15, 40, 6, 40)
    assert res.significant and not res.reverse
    assert res.index == 1 and res.arm == 2
    assert round(res.pval, 8) == 0.04060921 and round(res.pval_after, 8) == 0.07836101
    assert "Fragility index 1" in evsum.describe(res)


def test_three_versus_twelve_of_fifty():
    # Yang S, Berdine G (2019), Southwest Respir Crit Care Chron 7(27), doi
    # 10.12746/swrccc.v7i27.526: 3/50 vs 12/50 deaths, "Fisher's exact test gives a p value
    # of 0.023". Turning one non-event into an event in the arm with 3 gives 4/50 vs 12/50,
    # p = 0.0538 by R's fisher.test (fragility.json), so the fragility index is 1.
    res = fragility_index(3, 50, 12, 50)
    assert round(res.pval, 3) == 0.023
    assert _p(4, 50, 12, 50) >= 0.05 > _p(3, 50, 12, 50)
    assert res.index == 1 and res.arm == 1


def test_reverse_fragility_index():
    # 10/100 vs 20/100: p = 0.0734 (R); one event fewer in the arm with fewer events
    # (9/100 vs 20/100) gives p = 0.0432 (R): reverse fragility index 1
    assert _p(9, 100, 20, 100) < 0.05 <= _p(10, 100, 20, 100)
    res = fragility_index(10, 100, 20, 100)
    assert res.reverse and not res.significant and res.index == 1 and res.arm == 1
    assert "significant" in evsum.describe(res)


def test_reverse_moves_to_other_arm_and_impossible_cases_are_noted():
    res = fragility_index(0, 5, 1, 5)  # cannot become significant by removing events in arm 1
    assert res.reverse and res.index >= 1
    nothing = fragility_index(0, 1, 0, 1)
    assert nothing.index == 0 and nothing.notes
    assert list(res.to_frame().columns)[:4] == ["e1", "n1", "e2", "n2"]


def test_bad_counts_are_reported_together():
    with pytest.raises(ValueError, match=r"e1 = 5 must be between 0 and n1 = 4; e2 = -1"):
        fragility_index(5, 4, -1, 4)
    with pytest.raises(ValueError, match="whole number"):
        fragility_index(1.5, 4, 1, 4)
