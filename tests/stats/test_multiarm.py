"""Combining arms (Cochrane Handbook 6.5.2.10) and splitting a shared comparator (23.3.4)."""

import numpy as np
import pytest

from evsum.stats.multiarm import ArmSummary, combine_arms, split_shared_arm


def test_two_arms_by_hand():
    # Table 6.5.a by hand: N = 30, M = (10·5 + 20·8)/30 = 7,
    # SD² = (9·4 + 19·9 + (10·20/30)(25 + 64 − 80)) / 29 = 267/29
    res = combine_arms([10, 20], mean=[5.0, 8.0], sd=[2.0, 3.0])
    assert res.n == 30 and res.mean == 7.0
    assert np.isclose(res.sd, np.sqrt(267 / 29), rtol=1e-14)


def test_combined_sd_is_the_sd_of_the_pooled_participants():
    # three arms of raw values: the combined mean and SD equal those of all values together
    rng = np.random.default_rng(3)
    arms = [rng.normal(mu, s, size) for mu, s, size in ((1, 2, 7), (3, 1, 12), (-2, 4, 5))]
    res = combine_arms(
        [len(a) for a in arms], mean=[a.mean() for a in arms], sd=[a.std(ddof=1) for a in arms]
    )
    everyone = np.concatenate(arms)
    assert res.n == len(everyone)
    assert np.isclose(res.mean, everyone.mean(), rtol=1e-13)
    assert np.isclose(res.sd, everyone.std(ddof=1), rtol=1e-13)


def test_events_are_summed_and_shared_arm_split():
    res = combine_arms([25, 30, 20], events=[5, 9, 2])
    assert (res.n, res.events) == (75.0, 16.0)
    half = split_shared_arm(ArmSummary(n=41, mean=2.5, sd=1.2), 2)
    assert (half.n, half.mean, half.sd) == (20.5, 2.5, 1.2)


def test_bad_arms():
    with pytest.raises(ValueError, match="n must be > 0"):
        combine_arms([10, 0], events=[1, 0])
    with pytest.raises(ValueError, match="between 0 and n"):
        combine_arms([10, 5], events=[1, 6])
    with pytest.raises(ValueError, match="events, or mean and sd"):
        combine_arms([10, 5])
    with pytest.raises(ValueError, match="one value per argument"):
        combine_arms([10, 5], mean=[1.0], sd=[1.0, 2.0])
    with pytest.raises(ValueError, match="whole number"):
        split_shared_arm(ArmSummary(n=10), 0)
