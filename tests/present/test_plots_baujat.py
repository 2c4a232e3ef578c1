"""Baujat plot: one point and one label per study, at the coordinates it is given."""

import warnings

import matplotlib
import numpy as np

from evsum.present.figures.baujat import baujat_plot
from evsum.stats.influence import baujat
from evsum.stats.pooling import pool

matplotlib.use("Agg")


def test_one_point_and_label_per_study():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pool([0.4, 0.1, 0.9, 0.3, 0.7], [0.04, 0.01, 0.2, 0.05, 0.1], labels=list("abcde"))
    coords = baujat(fit)
    fig = baujat_plot(coords)
    ax = fig.axes[0]
    points = [c for c in ax.collections if c.get_gid() == "baujat_points"][0]
    np.testing.assert_array_equal(
        points.get_offsets(), np.column_stack([coords.heterogeneity, coords.influence])
    )
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "baujat_label"]
    assert labels == list("abcde")
