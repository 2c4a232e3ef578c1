"""Effects from the forms papers report them in (Cochrane Handbook 6.3, 23.1.4, 23.2.7), each
value computed by hand in the comment beside it."""

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evsum.stats.effects import CLUSTER_UNADJUSTED, compute_effects


def _row(**cells):
    base = {
        "study_id": "s1",
        "design": "parallel_rct",
        "data_level": "contrast",
        "source_type": "primary",
        "effect_measure": "OR",
        "effect": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "ci_level": np.nan,
        "se": np.nan,
        "p_value": np.nan,
        "scale": "",
    }
    return {**base, **cells}


def _effects(*rows):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute_effects(pd.DataFrame(list(rows)), warn=False)


def test_a_90_percent_interval():
    # OR 2.0 (90% CI 1.0 to 4.0): z(90%) = 1.644854; SE = (ln 4 - ln 1) / (2 × 1.644854)
    # = 1.386294 / 3.289707 = 0.421404; vi = 0.177581; yi = ln 2 = 0.693147.
    out = _effects(_row(effect=2.0, ci_low=1.0, ci_high=4.0, ci_level=90))
    assert out.loc[0, "yi"] == pytest.approx(0.693147, abs=1e-6)
    assert math.sqrt(out.loc[0, "vi"]) == pytest.approx(0.421404, abs=1e-6)


def test_an_estimate_with_its_p_value():
    # RR 0.5, p = 0.03: z = Φ⁻¹(1 - 0.015) = 2.170090; SE = |ln 0.5| / z = 0.693147 / 2.170090
    # = 0.319409 (Cochrane Handbook 6.3.2); the sign stays the estimate's: yi = -0.693147.
    out = _effects(_row(effect_measure="RR", effect=0.5, p_value=0.03))
    assert out.loc[0, "yi"] == pytest.approx(-0.693147, abs=1e-6)
    assert math.sqrt(out.loc[0, "vi"]) == pytest.approx(0.319409, abs=1e-6)


def test_an_estimate_with_its_standard_error():
    # MD -1.2, SE 0.4: vi = 0.16.
    out = _effects(_row(effect_measure="MD", effect=-1.2, se=0.4))
    assert (out.loc[0, "yi"], out.loc[0, "vi"]) == (pytest.approx(-1.2), pytest.approx(0.16))


def test_a_ratio_on_the_log_scale():
    # log OR 0.6931 (95% CI 0.0 to 1.3863), as a regression reports it: yi = 0.6931;
    # SE = 1.3863 / (2 × 1.959964) = 1.3863 / 3.919928 = 0.353654.
    out = _effects(_row(effect=0.6931, ci_low=0.0, ci_high=1.3863, scale="log"))
    assert out.loc[0, "yi"] == pytest.approx(0.6931)
    assert math.sqrt(out.loc[0, "vi"]) == pytest.approx(0.353654, abs=1e-6)


def _arm(**cells):
    return {
        "study_id": "c1",
        "data_level": "arm",
        "source_type": "primary",
        "effect_measure": "RR",
        "events_intervention": 10,
        "n_intervention": 100,
        "events_comparator": 20,
        "n_comparator": 100,
        "design": "cluster_rct",
        "icc": np.nan,
        "cluster_size": np.nan,
        "design_effect": np.nan,
        "correlation": np.nan,
        **cells,
    }


def test_a_cluster_trial_at_its_effective_sample_size():
    # 10/100 vs 20/100 in clusters of mean size 21 with ICC 0.02: design effect
    # 1 + 20 × 0.02 = 1.4; effective 7.142857/71.428571 vs 14.285714/71.428571;
    # log RR = ln 0.5 = -0.693147; vi = 1/7.142857 - 1/71.428571 + 1/14.285714 - 1/71.428571
    # = 0.14 - 0.014 + 0.07 - 0.014 = 0.182 (Cochrane Handbook 23.1.4).
    out = _effects(_arm(icc=0.02, cluster_size=21))
    assert out.loc[0, "yi"] == pytest.approx(-0.693147, abs=1e-6)
    assert out.loc[0, "vi"] == pytest.approx(0.182, abs=1e-9)
    assert "design effect 1.4" in out.loc[0, "caveat"]
    # the same design effect given directly
    same = _effects(_arm(design_effect=1.4))
    assert same.loc[0, "vi"] == pytest.approx(0.182, abs=1e-9)


def test_a_cluster_trial_without_its_design_effect_is_not_pooled():
    out = _effects(_arm())
    assert np.isnan(out.loc[0, "yi"]) and out.loc[0, "excluded_reason"] == CLUSTER_UNADJUSTED


def test_a_crossover_trial_with_its_correlation_is_paired():
    # 10 (SD 4) vs 12 (SD 4) in the same 20 participants, r = 0.5: MD -2,
    # var = (16 + 16 - 2 × 0.5 × 4 × 4) / 20 = 0.8 (Cochrane Handbook 23.2.7.2).
    row = {
        "study_id": "x1",
        "data_level": "arm",
        "source_type": "primary",
        "effect_measure": "MD",
        "design": "crossover_rct",
        "mean_intervention": 10.0,
        "sd_intervention": 4.0,
        "mean_comparator": 12.0,
        "sd_comparator": 4.0,
        "n_intervention": 20,
        "n_comparator": np.nan,
        "correlation": 0.5,
    }
    out = _effects(row)
    assert (out.loc[0, "yi"], out.loc[0, "vi"]) == (pytest.approx(-2.0), pytest.approx(0.8))
    # without the correlation: as if parallel groups of 20 (var 16/20 + 16/20 = 1.6), said
    unpaired = _effects({**row, "correlation": np.nan})
    assert unpaired.loc[0, "vi"] == pytest.approx(1.6)
    assert "analysed as if its conditions were parallel groups" in unpaired.loc[0, "caveat"]


def test_mean_and_sd_from_a_median_and_its_quartiles():
    from evsum.stats.reported import mean_sd_from_iqr

    # Wan et al. 2014, S3: median 4 (IQR 2 to 7), n = 50: mean (2 + 4 + 7) / 3 = 4.3333;
    # η = 2 Φ⁻¹((37.5 - 0.125) / 50.25) = 2 Φ⁻¹(0.743781) = 2 × 0.655047 = 1.310093;
    # SD = (7 - 2) / 1.310093 = 3.8165.
    mean, sd = mean_sd_from_iqr(2, 4, 7, 50)
    assert (mean, sd) == (pytest.approx(4.3333, abs=1e-4), pytest.approx(3.8165, abs=1e-4))


def test_mean_and_sd_from_a_median_and_its_range():
    from evsum.stats.reported import mean_sd_from_range

    # Wan et al. 2014, S1: median 4 (range 0 to 9), n = 50: mean (0 + 8 + 9) / 4 = 4.25;
    # ξ = 2 Φ⁻¹((50 - 0.375) / 50.25) = 2 Φ⁻¹(0.987562) = 2 × 2.243329 = 4.486658;
    # SD = 9 / 4.486658 = 2.0059.
    mean, sd = mean_sd_from_range(0, 4, 9, 50)
    assert (mean, sd) == (pytest.approx(4.25), pytest.approx(2.0059, abs=1e-4))
