"""Funnel plot: points, pseudo confidence region and the Egger text or the reason it is absent."""

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

import evsum
from evsum.stats.diagnostics import egger_test
from evsum.stats.pooling import pool

matplotlib.use("Agg")


def _result(k: int, measure: str = "RR"):
    rng = np.random.default_rng(k)
    yi = rng.normal(0.3, 0.3, k)
    vi = rng.uniform(0.02, 0.3, k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool(yi, vi, measure=measure, method="REML" if k > 1 else "FE")


def _by_gid(fig: Figure, gid: str) -> list:
    ax = fig.axes[0]
    return [a for a in [*ax.collections, *ax.lines, *ax.texts] if a.get_gid() == gid]


@pytest.mark.parametrize("k", [1, 3, 12])
def test_one_point_per_study_and_a_region(k):
    fig = evsum.blocks.figures.funnel_plot(_result(k))
    assert len(_by_gid(fig, "funnel_points")[0].get_offsets()) == k
    assert len(_by_gid(fig, "funnel_region")) == 1
    assert fig.axes[0].yaxis_inverted()


def test_ratio_on_log_axis_linear_otherwise():
    assert evsum.blocks.figures.funnel_plot(_result(4)).axes[0].get_xscale() == "log"
    assert evsum.blocks.figures.funnel_plot(_result(4, "MD")).axes[0].get_xscale() == "linear"


def test_region_apex_at_pooled_estimate():
    result = _result(5, "MD")
    line = _by_gid(evsum.blocks.figures.funnel_plot(result), "funnel_estimate")[0]
    np.testing.assert_allclose(line.get_xdata()[0], result.estimate)


def test_egger_shown_from_ten_studies():
    result = _result(12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        egger = egger_test(result)
    text = _by_gid(evsum.blocks.figures.funnel_plot(result, egger=egger), "egger")[0].get_text()
    assert text.startswith("Egger's test: bias = ")
    assert f"t({egger.df}) = {egger.tval:.2f}" in text


def test_funnel_plot_never_computes_egger():
    text = _by_gid(evsum.blocks.figures.funnel_plot(_result(12)), "egger")[0].get_text()
    assert text.startswith("Egger's test not given")


def test_egger_not_shown_below_ten_studies_says_why():
    text = _by_gid(evsum.blocks.figures.funnel_plot(_result(6)), "egger")[0].get_text()
    assert text.startswith("Egger's test not shown: 6 studies")
    assert "at least 10" in text
