"""Effect sizes against metafor 3.8 escalc (tests/reference/*.json) and by hand."""

import warnings

import numpy as np
import pandas as pd
import pytest
from refdata import load, to_float
from scipy import special, stats

from evsum import compute_effects, effect_size
from evsum.exceptions import ZeroCellWarning

GRID = load("grid.json")
ZERO = load("zero_cells.json")


@pytest.mark.parametrize("case", GRID["cases"], ids=lambda c: c["measure"])
def test_escalc_grid(case):
    # metafor 3.8 escalc(measure, ...) on dat.bcg (RR, OR, RD) / dat.normand1999 (MD, SMD)
    data = {k: v for k, v in case["data"].items() if k != "labels"}
    yi, vi = effect_size(case["measure"], **data)
    np.testing.assert_allclose(yi, to_float(case["yi"]), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(vi, to_float(case["vi"]), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    "case", ZERO["cases"], ids=lambda c: f"{c['measure']}-{c['add']}-{c['to']}"
)
def test_escalc_zero_cells(case):
    # metafor 3.8 escalc(measure, ai, n1i, ci, n2i, add=, to=) on hand-made zero-cell tables;
    # NaN where metafor gives NA (log of 0 recoded, double zeros with to="none")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroCellWarning)
        yi, vi = effect_size(case["measure"], add=case["add"], to=case["to"], **ZERO["tables"])
    np.testing.assert_allclose(yi, to_float(case["yi"]), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(vi, to_float(case["vi"]), rtol=1e-12, atol=1e-13)


def test_counts_or_group_sizes_give_the_same_tables():
    t = ZERO["tables"]
    ai, n1i, ci, n2i = (np.array(t[k], dtype=float) for k in ("ai", "n1i", "ci", "n2i"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ZeroCellWarning)
        for measure in ("RR", "OR", "RD"):
            a = effect_size(measure, ai=ai, n1i=n1i, ci=ci, n2i=n2i)
            b = effect_size(measure, ai=ai, bi=n1i - ai, ci=ci, di=n2i - ci)
            np.testing.assert_array_equal(a[0], b[0])
            np.testing.assert_array_equal(a[1], b[1])


def test_zero_cell_warning_names_studies():
    with pytest.warns(ZeroCellWarning, match=r"index \[0\]"):
        effect_size("OR", ai=[0, 3], n1i=[10, 10], ci=[2, 4], n2i=[10, 10])


def test_no_warning_without_correction():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        effect_size("OR", ai=[1, 3], n1i=[10, 10], ci=[2, 4], n2i=[10, 10])
        effect_size("OR", ai=[0, 3], n1i=[10, 10], ci=[2, 4], n2i=[10, 10], to="none")


def test_smd_uses_exact_gamma_correction():
    # Hedges (1981) eq. 6b: J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)), m = n1 + n2 - 2
    n1, n2, m1, m2, sd1, sd2 = 5.0, 6.0, 10.0, 8.0, 2.0, 3.0
    m = n1 + n2 - 2
    sp = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / m)
    j = special.gamma(m / 2) / (np.sqrt(m / 2) * special.gamma((m - 1) / 2))
    g = j * (m1 - m2) / sp
    yi, vi = effect_size("SMD", m1i=m1, sd1i=sd1, n1i=n1, m2i=m2, sd2i=sd2, n2i=n2)
    assert yi[0] == pytest.approx(g, rel=1e-13)
    assert vi[0] == pytest.approx(1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2)), rel=1e-13)
    # the approximation 1 - 3 / (4m - 1) is close but not what metafor uses
    assert j != pytest.approx(1 - 3 / (4 * m - 1), rel=1e-8)
    assert j == pytest.approx(1 - 3 / (4 * m - 1), rel=1e-3)


def test_smd_undefined_for_tiny_samples_is_nan():
    # metafor .cmicalc: NA when m = n1 + n2 - 2 <= 1
    yi, vi = effect_size("SMD", m1i=[1.0], sd1i=[1.0], n1i=[1], m2i=[0.0], sd2i=[1.0], n2i=[2])
    assert np.isnan(yi[0]) and np.isnan(vi[0])


def test_missing_inputs_give_nan():
    yi, vi = effect_size(
        "MD", m1i=[1.0, np.nan], sd1i=[1, 1], n1i=[10, 10], m2i=[0, 0], sd2i=[1, 1], n2i=[10, 10]
    )
    assert not np.isnan(yi[0]) and np.isnan(yi[1]) and np.isnan(vi[1])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ai": [3, 12], "n1i": [10, 10], "ci": [1, 1], "n2i": [10, 10]}, r"ai\[1\]: got 12"),
        ({"ai": [3, 2], "n1i": [10, 10], "ci": [-1, 1], "n2i": [10, 10]}, r"ci\[0\]: got -1"),
        ({"ai": [3, 2], "n1i": [10, 0], "ci": [1, 0], "n2i": [10, 10]}, r"n1i\[1\]: got 0"),
        ({"ai": [3], "bi": [-2], "ci": [1], "di": [4]}, r"bi\[0\]: got -2"),
        ({"ai": [3], "bi": [7], "n1i": [11], "ci": [1], "n2i": [4]}, r"n1i\[0\].*ai \+ bi"),
        ({"ai": [3, 2], "n1i": [10, 10], "ci": [1]}, r"bi/di .* or n1i/n2i"),
        ({"ai": [3, 2], "n1i": [10, 10], "ci": [1], "n2i": [5]}, "same length"),
    ],
)
def test_impossible_binary_input_names_argument_and_index(kwargs, match):
    with pytest.raises(ValueError, match=match):
        effect_size("RR", **kwargs)


def test_negative_sd_names_argument_and_index():
    with pytest.raises(ValueError, match=r"sd2i\[1\]: got -1.2"):
        effect_size(
            "SMD", m1i=[1, 2], sd1i=[1, 1], n1i=[10, 10], m2i=[0, 0], sd2i=[1, -1.2], n2i=[10, 10]
        )


def test_continuous_missing_argument():
    with pytest.raises(ValueError, match="needs sd2i"):
        effect_size("MD", m1i=[1], sd1i=[1], n1i=[10], m2i=[0], n2i=[10])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "HR"}, "measure must be one of"),
        ({"measure": "OR", "to": "some"}, "to must be one of"),
        ({"measure": "OR", "add": -1}, "add must be"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        effect_size(ai=[1], n1i=[5], ci=[1], n2i=[5], **kwargs)


# --- compute_effects ------------------------------------------------------------------------


def _rows(**columns):
    base = {
        "study_id": "s1",
        "data_level": "arm",
        "source_type": "primary",
        "effect_measure": "RR",
        "events_intervention": np.nan,
        "n_intervention": np.nan,
        "events_comparator": np.nan,
        "n_comparator": np.nan,
        "mean_intervention": np.nan,
        "sd_intervention": np.nan,
        "mean_comparator": np.nan,
        "sd_comparator": np.nan,
        "effect": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
    }
    n = max(len(v) for v in columns.values())
    data = {k: columns.get(k, [v] * n) for k, v in base.items()}
    return pd.DataFrame(data)


def test_compute_effects_arm_binary_and_continuous():
    rows = _rows(
        study_id=["a", "b", "c"],
        effect_measure=["OR", "SMD", "MD"],
        events_intervention=[4, np.nan, np.nan],
        n_intervention=[123, 20, 20],
        events_comparator=[11, np.nan, np.nan],
        n_comparator=[139, 22, 22],
        mean_intervention=[np.nan, 5.0, 5.0],
        sd_intervention=[np.nan, 2.0, 2.0],
        mean_comparator=[np.nan, 4.0, 4.0],
        sd_comparator=[np.nan, 2.5, 2.5],
    )
    out = compute_effects(rows)
    yi, vi = effect_size("OR", ai=4, n1i=123, ci=11, n2i=139)
    assert out.loc[0, "yi"] == yi[0] and out.loc[0, "vi"] == vi[0]
    g, vg = effect_size("SMD", m1i=5, sd1i=2, n1i=20, m2i=4, sd2i=2.5, n2i=22)
    assert out.loc[1, "yi"] == g[0] and out.loc[1, "vi"] == vg[0]
    assert out.loc[2, "yi"] == 1.0
    assert out.loc[2, "vi"] == pytest.approx(4 / 20 + 6.25 / 22)
    assert out["excluded_reason"].isna().all()
    assert list(out.index) == list(rows.index)


def test_compute_effects_contrast_rows():
    rows = _rows(
        study_id=["a", "b"],
        data_level=["contrast", "contrast"],
        effect_measure=["OR", "MD"],
        effect=[0.5, -2.0],
        ci_low=[0.25, -3.5],
        ci_high=[1.0, -0.5],
    )
    out = compute_effects(rows)
    z = stats.norm.isf(0.025)
    assert out.loc[0, "yi"] == pytest.approx(np.log(0.5))
    assert out.loc[0, "vi"] == pytest.approx(((np.log(1.0) - np.log(0.25)) / (2 * z)) ** 2)
    assert out.loc[1, "yi"] == -2.0
    assert out.loc[1, "vi"] == pytest.approx((3.0 / (2 * z)) ** 2)


def test_compute_effects_keeps_unusable_rows_with_a_reason():
    rows = _rows(
        study_id=["n", "s", "m", "h"],
        data_level=["narrative", "arm", "arm", "arm"],
        source_type=["primary", "secondary", "primary", "primary"],
        effect_measure=[np.nan, "RR", "RR", "HR"],
        events_intervention=[np.nan, 3, 3, 3],
        n_intervention=[10, 10, 10, 10],
        events_comparator=[np.nan, 2, np.nan, 2],
        n_comparator=[10, 10, 10, 10],
    )
    out = compute_effects(rows)
    assert len(out) == 4
    assert out[["yi", "vi"]].isna().all().all()
    reasons = out["excluded_reason"].tolist()
    assert reasons[0].startswith("narrative")
    assert reasons[1].startswith("secondary")
    assert "events_comparator" in reasons[2]
    assert "HR" in reasons[3]


def test_compute_effects_names_the_study_on_bad_data():
    rows = _rows(
        study_id=["bad"],
        events_intervention=[12],
        n_intervention=[10],
        events_comparator=[1],
        n_comparator=[10],
    )
    with pytest.raises(ValueError, match=r"study_id=bad.*events cannot exceed n"):
        compute_effects(rows)
    rows = _rows(
        study_id=["ci"],
        data_level=["contrast"],
        effect_measure=["RR"],
        effect=[2.0],
        ci_low=[2.5],
        ci_high=[3.0],
    )
    with pytest.raises(ValueError, match="study_id=ci"):
        compute_effects(rows)


def test_compute_effects_zero_cell_warning_names_the_study():
    rows = _rows(
        study_id=["z"],
        events_intervention=[0],
        n_intervention=[10],
        events_comparator=[2],
        n_comparator=[10],
    )
    with pytest.warns(ZeroCellWarning, match="study_id=z"):
        out = compute_effects(rows)
    assert np.isfinite(out.loc[0, "yi"])


def test_a_continuity_correction_is_a_caveat_in_words_and_warn_false_keeps_it_quiet():
    """A zero-event arm (0/10 vs 3/10): metafor escalc(measure="RR", add=0.5, to="only0")
    adds 0.5 to every cell: RR = (0.5/11) / (3.5/11) = 1/7, log RR = -1.9459."""
    import warnings

    import pandas as pd

    from evsum.exceptions import ZeroCellWarning
    from evsum.stats.effects import CONTINUITY_CAVEAT, compute_effects

    rows = pd.DataFrame(
        {
            "study_id": ["a", "b"],
            "data_level": ["arm", "arm"],
            "source_type": ["primary", "primary"],
            "effect_measure": ["RR", "RR"],
            "events_intervention": [0, 4],
            "n_intervention": [10, 10],
            "events_comparator": [3, 2],
            "n_comparator": [10, 10],
        }
    )
    with pytest.warns(ZeroCellWarning):
        loud = compute_effects(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warn=False issues nothing
        quiet = compute_effects(rows, warn=False)
    for out in (loud, quiet):
        assert out["caveat"].tolist() == [CONTINUITY_CAVEAT, ""]
        assert out["yi"].iloc[0] == pytest.approx(-1.9459, abs=1e-4)


def test_pool_warn_false_keeps_the_caveat_in_the_notes_only():
    """Two identical effects: Q = 0, so REML τ² is truncated at 0 (metafor gives 0 too)."""
    import warnings

    from evsum.stats.pooling import pool

    with pytest.warns(UserWarning):
        loud = pool([0.2, 0.2], [0.04, 0.05], method="REML")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = pool([0.2, 0.2], [0.04, 0.05], method="REML", warn=False)
    assert quiet.notes == loud.notes and any("truncated" in n for n in quiet.notes)


def test_pool_subgroups_warn_false_keeps_the_caveats_in_the_notes_only():
    """Subgroup a holds two identical effects: Q = 0, so its REML τ² is truncated at 0."""
    import warnings

    from evsum.stats.subgroups import pool_subgroups

    args = ([0.2, 0.2, 0.5, 0.9], [0.04, 0.05, 0.03, 0.04], ["a", "a", "b", "b"])
    with pytest.warns(UserWarning):
        loud = pool_subgroups(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = pool_subgroups(*args, warn=False)
    assert quiet.notes == loud.notes and any(n.startswith("Subgroup a:") for n in quiet.notes)
