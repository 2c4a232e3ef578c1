"""Multi-arm trials: arms combined into one group, or the shared comparator split."""

import numpy as np
import pandas as pd
import pytest

from evsum.review.multiarm import apply_multi_arm
from evsum.stats.effects import compute_effects


def _rows(binary: bool = True) -> pd.DataFrame:
    base = {
        "study_id": "trial1",
        "comparator": "placebo",
        "data_level": "arm",
        "source_type": "primary",
        "effect": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
    }
    if binary:
        arms = [
            dict(intervention="low dose", n_intervention=40, events_intervention=10),
            dict(intervention="high dose", n_intervention=60, events_intervention=21),
        ]
        shared = dict(n_comparator=50, events_comparator=20, effect_measure="RR")
    else:
        arms = [
            dict(
                intervention="low dose",
                n_intervention=10,
                mean_intervention=5.0,
                sd_intervention=2.0,
            ),
            dict(
                intervention="high dose",
                n_intervention=20,
                mean_intervention=8.0,
                sd_intervention=3.0,
            ),
        ]
        shared = dict(n_comparator=30, mean_comparator=4.0, sd_comparator=2.5, effect_measure="MD")
    rows = pd.DataFrame([{**base, **shared, **arm} for arm in arms])
    for column in ("events", "mean", "sd"):
        for side in ("intervention", "comparator"):
            if f"{column}_{side}" not in rows:
                rows[f"{column}_{side}"] = np.nan
    out = compute_effects(rows, warn=False)
    out["excluded_reason"] = out["excluded_reason"].fillna("")
    return out


def test_combine_binary_arms_by_hand():
    # events 10 + 21 of 40 + 60 against 20 of 50: log RR = log((31/100) / (20/50)) and
    # var = 1/31 - 1/100 + 1/20 - 1/50 (escalc RR)
    out = apply_multi_arm(_rows(), "combine")
    assert list(out["excluded_reason"] == "") == [True, False]
    first = out.iloc[0]
    assert (first["n_intervention"], first["events_intervention"]) == (100, 31)
    assert first["intervention"] == "low dose + high dose"
    assert np.isclose(first["yi"], np.log(0.31 / 0.4), rtol=1e-14)
    assert np.isclose(first["vi"], 1 / 31 - 1 / 100 + 1 / 20 - 1 / 50, rtol=1e-14)


def test_combine_continuous_arms_by_hand():
    # Handbook Table 6.5.a: N 30, mean 7, SD² 267/29; MD = 7 - 4, var = 267/29/30 + 2.5²/30
    out = apply_multi_arm(_rows(binary=False), "combine")
    first = out.iloc[0]
    assert np.isclose(first["yi"], 3.0, rtol=1e-14)
    assert np.isclose(first["vi"], 267 / 29 / 30 + 2.5**2 / 30, rtol=1e-14)


def test_split_shares_the_comparator():
    # each comparison gets 25 participants and 10 events of the shared 50 and 20:
    # RR = (10/40)/(10/25), var = 1/10 - 1/40 + 1/10 - 1/25
    out = apply_multi_arm(_rows(), "split")
    assert list(out["excluded_reason"]) == ["", ""]
    assert list(out["n_comparator"]) == [25, 25] and list(out["events_comparator"]) == [10, 10]
    assert np.isclose(out.iloc[0]["yi"], np.log(0.25 / 0.4), rtol=1e-14)
    assert np.isclose(out.iloc[0]["vi"], 1 / 10 - 1 / 40 + 1 / 10 - 1 / 25, rtol=1e-14)


def test_first_leaves_rows_alone_and_bad_rule():
    rows = _rows()
    assert apply_multi_arm(rows, "first") is rows
    with pytest.raises(ValueError, match="rule must be one of"):
        apply_multi_arm(rows, "merge")


def test_analyse_outcomes_takes_the_rule():
    from evsum.review.analysis import analyse_outcomes
    from evsum.review.examples import example_evidence

    evidence = example_evidence()
    with pytest.raises(ValueError, match="multi_arm must be one of"):
        analyse_outcomes(evidence, "condition_a", multi_arm="merge")
    first = analyse_outcomes(evidence, "condition_a")
    for rule in ("combine", "split"):
        # the example has no comparator shared by two comparisons: nothing changes
        other = analyse_outcomes(evidence, "condition_a", multi_arm=rule)
        assert [a.result.estimate if a.result else None for a in other] == [
            a.result.estimate if a.result else None for a in first
        ]


def test_after_a_split_other_comparators_of_the_study_are_not_pooled():
    from evsum.review.multiarm import keep_one_comparator

    rows = pd.concat([_rows(), _rows().assign(comparator="usual care")], ignore_index=True)
    out = keep_one_comparator(apply_multi_arm(rows, "split"), "second comparator")
    assert list(out["excluded_reason"]) == ["", "", "second comparator", "second comparator"]
