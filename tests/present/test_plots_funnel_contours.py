"""Contour-enhanced funnel plot: bands centred on the null at the normal quantiles."""

import warnings

import matplotlib
import numpy as np
import pytest

from evsum.present.figures.funnel import funnel_plot
from evsum.stats.pooling import pool

matplotlib.use("Agg")


def _fit(measure="MD"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pool([0.4, 0.1, 0.9, 0.3, 0.7], [0.04, 0.01, 0.2, 0.05, 0.1], measure=measure)


def _bands(fig):
    return [c for c in fig.axes[0].collections if c.get_gid() == "funnel_contour"]


def test_contour_bands_at_normal_quantiles():
    fig = funnel_plot(_fit(), contours=(99, 90, 95))
    bands = _bands(fig)
    assert len(bands) == 6  # three bands, each on both sides of 0
    assert not [c for c in fig.axes[0].collections if c.get_gid() == "funnel_region"]
    # the band nearest 0 on the right starts at the 90% contour: x = 1.644854 se
    # (standard normal 0.95 quantile, e.g. Abramowitz & Stegun table 26.5)
    xy = bands[1].get_paths()[0].vertices
    se_max, x_at_max = xy[:, 1].max(), xy[xy[:, 1] == xy[:, 1].max(), 0]
    assert np.isclose(x_at_max.min(), 1.644854 * se_max, rtol=1e-6)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:3] == ["0.05 < p < 0.10", "0.01 < p < 0.05", "p < 0.01"]


def test_contours_on_a_ratio_axis_are_centred_on_one():
    fig = funnel_plot(_fit("OR"), contours=(95,))
    low, high = fig.axes[0].get_xlim()
    assert np.isclose(np.log(low), -np.log(high))


def test_bad_contour_levels():
    with pytest.raises(ValueError, match="between 0 and 100"):
        funnel_plot(_fit(), contours=(0.95, 120))
