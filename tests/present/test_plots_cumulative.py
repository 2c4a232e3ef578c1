"""Cumulative forest plot: one estimate and one interval per step, on the reader's scale."""

import warnings

import matplotlib
import numpy as np

from evsum.present.figures.cumulative import cumulative_plot
from evsum.stats.cumulative import cumulative
from evsum.stats.pooling import pool

matplotlib.use("Agg")


def test_one_step_per_study_back_transformed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pool(
            [0.4, 0.1, -0.2, 0.3], [0.04, 0.01, 0.2, 0.05], measure="RR", labels=list("abcd")
        )
    cum = cumulative(fit, order=[2004, 2001, 2003, 2002])
    fig = cumulative_plot(cum)
    ax = fig.axes[0]
    points = [c for c in ax.collections if c.get_gid() == "cumulative_points"][0]
    np.testing.assert_allclose(points.get_offsets()[:, 0], np.exp(cum.estimate))
    assert len([line for line in ax.lines if line.get_gid() == "cumulative_ci"]) == 4
    # added in order of year: b (2001), d, c, a (2004), the first at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["+ b", "+ d", "+ c", "+ a"]
    assert ax.get_xscale() == "log"
