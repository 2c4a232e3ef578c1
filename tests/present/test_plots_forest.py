"""Forest plot: structure read back from the Axes (rows, markers, scale, texts), not pixels."""

import itertools
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

import evsum
from evsum.stats.effects import compute_effects
from evsum.stats.pooling import pool
from evsum.stats.subgroups import pool_subgroups

matplotlib.use("Agg")
DASH = "\u2014"


def _rows(
    k: int,
    *,
    zero: bool = False,
    contrast: int = 0,
    narrative: int = 0,
    long_labels: bool = False,
    measure: str = "RR",
) -> pd.DataFrame:
    """k fictional binary (or continuous, measure MD) study rows, deterministic."""
    rng = np.random.default_rng(k)
    records = []
    for i in range(k + contrast + narrative):
        author = f"Author{i:02d}"
        if long_labels:
            author = f"Vandersteen-Oyelaran-Kowalczyk-Montgomery{i:02d} and collaborators"
        rec = {
            "study_id": f"s{i}",
            "first_author": author,
            "year": 2000 + i,
            "design": "parallel_rct" if i % 4 else "crossover_rct",
            "comparator_type": "placebo" if i % 2 else "active placebo",
            "outcome_type": "binary" if measure == "RR" else "continuous",
            "effect_measure": measure,
            "source_type": "primary",
            "data_level": "arm",
            "n_intervention": int(rng.integers(15, 80)),
            "n_comparator": int(rng.integers(15, 80)),
        }
        if i >= k + contrast:
            rec["data_level"] = "narrative"
        elif i >= k:
            rec.update(data_level="contrast", effect=1.4, ci_low=0.8, ci_high=2.45)
        elif measure == "RR":
            rec.update(
                events_intervention=int(rng.integers(1, rec["n_intervention"])),
                events_comparator=int(rng.integers(1, rec["n_comparator"])),
            )
        else:
            rec.update(
                mean_intervention=float(rng.normal(10, 2)),
                sd_intervention=4.0,
                mean_comparator=float(rng.normal(12, 2)),
                sd_comparator=4.5,
            )
        records.append(rec)
    frame = pd.DataFrame(records)
    if zero:
        frame.loc[0, "events_comparator"] = 0
    return frame


def _analyse(rows: pd.DataFrame, measure: str = "RR", method: str = "REML"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eff = compute_effects(rows)
        used = eff[eff["excluded_reason"].isna()]
        labels = list(used["first_author"] + " " + used["year"].astype(str))
        result = pool(
            used["yi"],
            used["vi"],
            method=method if len(used) > 1 else "FE",
            measure=measure,
            labels=labels,
        )
    return eff, result


def _plot_ax(fig: Figure):
    return next(
        ax for ax in fig.axes if any(c.get_gid() == "study_markers" for c in ax.collections)
    )


def _markers(fig: Figure) -> PathCollection:
    ax = _plot_ax(fig)
    return next(c for c in ax.collections if c.get_gid() == "study_markers")


def _gid(fig: Figure, gid: str) -> list:
    ax = _plot_ax(fig)
    return [a for a in [*ax.patches, *ax.collections, *ax.lines] if a.get_gid() == gid]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible texts (incl. tick labels and axis label) whose boxes intersect."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = []
    for ax in fig.axes:
        texts += [*ax.texts, ax.xaxis.label, *ax.get_xticklabels()]
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if t.get_visible() and t.get_text().strip()
    ]
    bad = []
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        # shrink by half a pixel: touching edges are not an overlap
        if (
            box_a.x0 + 0.5 < box_b.x1
            and box_b.x0 + 0.5 < box_a.x1
            and box_a.y0 + 0.5 < box_b.y1
            and box_b.y0 + 0.5 < box_a.y1
        ):
            bad.append((a, b))
    return bad


@pytest.mark.parametrize("k", [2, 5, 30])
def test_one_marker_and_whisker_per_study(k):
    eff, result = _analyse(_rows(k))
    fig = evsum.forest_plot(eff, result)
    assert isinstance(fig, Figure)
    assert len(_markers(fig).get_offsets()) == k
    whiskers = _gid(fig, "study_ci")
    assert len(whiskers) == 1 and isinstance(whiskers[0], LineCollection)
    assert len(whiskers[0].get_segments()) == k
    assert len(_gid(fig, "pooled_diamond")) == 1
    labels = {f"Author{i:02d} {2000 + i}" for i in range(k)}
    assert labels <= set(_texts(fig))


def test_marker_area_follows_weight():
    eff, result = _analyse(_rows(6))
    sizes = _markers(fig := evsum.forest_plot(eff, result)).get_sizes()
    assert isinstance(fig, Figure)
    assert np.argmax(sizes) == np.argmax(result.weights)
    np.testing.assert_allclose(
        sizes / sizes.max(),
        np.maximum(np.array(result.weights) / max(result.weights), sizes.min() / sizes.max()),
        rtol=1e-9,
    )


def test_ratio_measure_uses_log_axis_and_favours_labels():
    eff, result = _analyse(_rows(4))
    ax = _plot_ax(evsum.forest_plot(eff, result))
    assert ax.get_xscale() == "log"
    favours = {t.get_text(): t.get_position()[0] for t in ax.texts if t.get_gid() == "favours"}
    # abstinence-like outcome: higher is better, so the intervention is favoured right of 1
    assert set(favours) == {"Favours intervention", "Favours comparator"}
    texts = {
        t.get_text(): t.get_horizontalalignment() for t in ax.texts if t.get_gid() == "favours"
    }
    assert texts == {"Favours intervention": "left", "Favours comparator": "right"}


def test_lower_is_better_swaps_favours_labels():
    eff, result = _analyse(_rows(4))
    ax = _plot_ax(
        evsum.forest_plot(
            eff, result, higher_is_better=False, comparator="placebo", intervention="treatment"
        )
    )
    texts = {
        t.get_text(): t.get_horizontalalignment() for t in ax.texts if t.get_gid() == "favours"
    }
    assert texts == {"Favours treatment": "right", "Favours placebo": "left"}


def test_continuous_measure_uses_linear_axis_and_mean_sd_columns():
    rows = _rows(3, measure="MD")
    eff, result = _analyse(rows, measure="MD")
    fig = evsum.forest_plot(eff, result)
    assert _plot_ax(fig).get_xscale() == "linear"
    texts = _texts(fig)
    assert any("mean (SD) n" in t for t in texts)
    n = int(rows.loc[0, "n_intervention"])
    # no printed cell text in a hand-made frame: the shortest form of each number
    assert f"{rows.loc[0, 'mean_intervention']:g} (4) {n}" in texts


def test_heterogeneity_and_overall_test_lines():
    eff, result = _analyse(_rows(5))
    texts = _texts(evsum.forest_plot(eff, result))
    het = next(t for t in texts if t.startswith("Heterogeneity:"))
    assert "\u03c4\u00b2 = " in het and "I\u00b2 = " in het and "Q = " in het
    assert f"df = {result.q_df}" in het
    assert any(t.startswith("Test for overall effect: z = ") for t in texts)
    assert "Prediction interval" in texts
    assert len(_gid(evsum.forest_plot(eff, result), "prediction_interval")) == 1


def test_knha_prints_t_with_k_minus_1_df():
    eff, result = _analyse(_rows(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        knha = pool(result.yi, result.vi, method="REML", test="knha", measure="RR")
    texts = _texts(evsum.forest_plot(eff, knha))
    assert any(t.startswith("Test for overall effect: t(3) = ") for t in texts)


def test_single_study_has_no_diamond_and_says_so():
    eff, result = _analyse(_rows(1))
    fig = evsum.forest_plot(eff, result)
    assert len(_markers(fig).get_offsets()) == 1
    assert not _gid(fig, "pooled_diamond")
    assert "Single study: no pooling" in _texts(fig)
    assert not any(t.startswith("Heterogeneity") for t in _texts(fig))


def test_two_studies_have_a_diamond_but_no_prediction_interval():
    eff, result = _analyse(_rows(2))
    fig = evsum.forest_plot(eff, result)
    assert len(_gid(fig, "pooled_diamond")) == 1
    assert not _gid(fig, "prediction_interval")
    assert not _overlaps(fig)


def test_diamond_spans_the_pooled_interval():
    eff, result = _analyse(_rows(5))
    diamond = _gid(evsum.forest_plot(eff, result), "pooled_diamond")[0]
    assert isinstance(diamond, Polygon)
    xs = diamond.get_xy()[:, 0]
    np.testing.assert_allclose([xs.min(), xs.max()], np.exp([result.ci_low, result.ci_high]))


def test_height_grows_with_k():
    heights = [evsum.forest_plot(*_analyse(_rows(k))).get_size_inches()[1] for k in (2, 10, 30)]
    assert heights[0] < heights[1] < heights[2]


def test_zero_event_arm_is_shown_with_its_counts():
    rows = _rows(4, zero=True)
    eff, result = _analyse(rows)
    fig = evsum.forest_plot(eff, result)
    assert f"0/{int(rows.loc[0, 'n_comparator'])}" in _texts(fig)
    assert len(_markers(fig).get_offsets()) == 4


def test_contrast_rows_show_arm_sizes_or_dashes_in_arm_columns():
    rows = _rows(3, contrast=1)
    eff, result = _analyse(rows)
    fig = evsum.forest_plot(eff, result)
    assert result.k == 4
    contrast = rows[rows["data_level"] == "contrast"].iloc[0]
    for arm in ("intervention", "comparator"):  # no counts, but the arm size is known
        assert f"n = {int(contrast[f'n_{arm}'])}" in _texts(fig)
    # the paper's own numbers for a reported contrast (effect=1.4, ci_low=0.8, ci_high=2.45 in _rows)
    assert "1.4 (0.8 to 2.45)" in _texts(fig)
    unknown = rows.astype(object)
    unknown.loc[unknown["data_level"] == "contrast", ["n_intervention", "n_comparator"]] = None
    eff, result = _analyse(unknown)
    assert _texts(evsum.forest_plot(eff, result)).count(DASH) == 2


def test_rows_none_draws_generic_inverse_variance_rows():
    _, result = _analyse(_rows(3))
    fig = evsum.forest_plot(None, result)
    assert len(_markers(fig).get_offsets()) == 3
    assert set(result.labels) <= set(_texts(fig))


def test_narrative_rows_are_listed_as_not_pooled():
    eff, result = _analyse(_rows(3, narrative=1))
    texts = _texts(evsum.forest_plot(eff, result))
    assert "Not pooled: Author03 2003 (narrative row: no usable numbers)" in texts


def test_rows_that_do_not_match_result_raise():
    eff, result = _analyse(_rows(3))
    with pytest.raises(ValueError, match="rows must hold the 3 studies"):
        evsum.forest_plot(eff.iloc[:2], result)
    with pytest.raises(ValueError, match="do not match result.yi"):
        evsum.forest_plot(eff.iloc[::-1], result)


def test_subgroup_blocks_with_diamonds_and_test_for_differences():
    eff, result = _analyse(_rows(6))
    used = eff[eff["excluded_reason"].isna()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sub = pool_subgroups(used["yi"], used["vi"], used["comparator_type"], measure="RR")
    fig = evsum.forest_plot(eff, result, subgroups=sub)
    texts = _texts(fig)
    assert {"placebo", "active placebo"} <= set(texts)
    assert len(_gid(fig, "subgroup_diamond")) == 2
    assert len(_gid(fig, "pooled_diamond")) == 1
    assert any(
        t.startswith("Test for subgroup differences (separate τ² per subgroup): Q = ")
        for t in texts
    )
    assert len(_markers(fig).get_offsets()) == 6
    assert not _overlaps(fig)


@pytest.mark.parametrize("k", [2, 30])
def test_no_text_overlaps_with_long_labels(k):
    eff, result = _analyse(_rows(k, long_labels=True, contrast=1, narrative=1))
    fig = evsum.forest_plot(eff, result, title="A long title " * 3)
    assert not _overlaps(fig)


def test_draws_into_given_axes():
    eff, result = _analyse(_rows(3))
    fig = Figure(figsize=(12, 4))
    ax = fig.add_axes((0.45, 0.3, 0.25, 0.6))
    assert evsum.forest_plot(eff, result, ax=ax) is fig
    assert len(ax.collections) >= 2


def test_overlap_check_detects_overlapping_texts():
    fig = Figure()
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "overlapping text")
    ax.text(0.52, 0.5, "overlapping text")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    assert _overlaps(fig)
