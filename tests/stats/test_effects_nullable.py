"""compute_effects on a study table typed with pandas' nullable integers (pd.NA cells)."""

import warnings

import pandas as pd
import pytest

from evsum.stats.effects import compute_effects


def test_a_crossover_row_whose_comparator_n_is_pd_na():
    # A crossover trial records its N once (n_comparator empty); in a nullable Int64 column the
    # empty cell is pd.NA, which must read as missing, not fail as "boolean value of NA".
    # 10 (SD 4) vs 12 (SD 4) in the same 20 participants, no correlation given: analysed as
    # parallel groups of 20, MD -2, var 16/20 + 16/20 = 1.6 (Cochrane Handbook 23.2.6).
    frame = pd.DataFrame(
        {
            "study_id": ["x1"],
            "data_level": ["arm"],
            "source_type": ["primary"],
            "effect_measure": ["MD"],
            "design": ["crossover_rct"],
            "mean_intervention": [10.0],
            "sd_intervention": [4.0],
            "mean_comparator": [12.0],
            "sd_comparator": [4.0],
            "n_intervention": pd.array([20], dtype="Int64"),
            "n_comparator": pd.array([pd.NA], dtype="Int64"),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = compute_effects(frame, warn=False)
    assert out.loc[0, "yi"] == pytest.approx(-2.0)
    assert out.loc[0, "vi"] == pytest.approx(1.6)
