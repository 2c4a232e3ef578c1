"""Bubble plot of a meta-regression on one numeric moderator (as metafor's ``regplot``): each
study's effect against the moderator, points sized by weight, the fitted line with its
confidence band.

Nothing is estimated here: the fitted line and its band are
:func:`evsum.stats.regression.predict` of the fit, computed by the caller's result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from evsum.present import text
from evsum.present.figures.style import COLOURS, FONT_SIZE, figure_style

#: Points along the moderator's range at which the fitted line and its band are drawn.
GRID_POINTS = 100
_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def bubble_plot(
    fit: Any,
    moderator: str,
    *,
    exp: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    xlabel: str | None = None,
) -> Figure:
    """Bubble plot of a meta-regression with one numeric moderator.

    Parameters
    ----------
    fit : MetaRegressionResult
        From :func:`evsum.stats.regression.meta_regression` with ``moderator`` as its only
        moderator (numeric).
    moderator : str
        The moderator on the x axis.
    exp : bool, optional
        Back-transform the effects (log axis for ratio measures); default ``fit.is_ratio``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure.
    title, xlabel : str, optional
        Title, and the x axis label (default the moderator's name).

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry ``gid`` values: ``study_points`` (area proportional to weight),
        ``fitted_line``, ``confidence_band``.

    Raises
    ------
    ValueError
        The fit has another moderator, or ``moderator`` is categorical.
    """
    from evsum.stats.regression import predict

    terms = list(fit.terms)
    if len(terms) != 1 or terms[0].name != moderator or terms[0].kind != "numeric":
        raise ValueError(
            f"a bubble plot needs a fit with one numeric moderator {moderator!r}; the fit has "
            f"{[(t.name, t.kind) for t in terms]}"
        )
    log = fit.is_ratio if exp is None else bool(exp)
    column = list(fit.names).index(terms[0].columns[0])
    x = np.asarray(fit.x, float)[:, column]
    yi = np.asarray(fit.yi, float)
    grid = np.linspace(x.min(), x.max(), GRID_POINTS)
    line = predict(fit, {moderator: grid})
    est, lo, hi = (np.asarray(getattr(line, n), float) for n in ("estimate", "ci_low", "ci_high"))
    weights = np.asarray(fit.weights, float)
    with figure_style():
        if ax is None:
            fig = Figure(figsize=(6.0, 4.2))
            FigureCanvasAgg(fig)
            ax = fig.add_subplot(1, 1, 1)
        fig = ax.figure  # type: ignore[assignment]  # a SubFigure draws as its Figure does
        ax.fill_between(grid, lo, hi, color=COLOURS["region"], gid="confidence_band")
        ax.plot(grid, est, color=COLOURS["pooled"], lw=1.4, gid="fitted_line")
        sizes = 20 + 600 * weights / weights.max()
        ax.scatter(
            x,
            yi,
            s=sizes,
            facecolor="none",
            edgecolor=COLOURS["study"],
            linewidth=0.9,
            gid="study_points",
        )
        ax.axhline(0.0, color=COLOURS["reference"], lw=0.6, ls="--")
        if log:
            low, high = ax.get_ylim()
            ticks = [t for t in _RATIO_TICKS if low <= np.log(t) <= high]
            ax.yaxis.set_major_locator(FixedLocator(np.log(ticks).tolist()))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: text.number(np.exp(v))))
        ax.set_xlabel(xlabel or moderator, fontsize=FONT_SIZE)
        measure = fit.measure or "effect"
        ax.set_ylabel(
            f"{measure} (log scale)" if log else measure,
            fontsize=FONT_SIZE,
        )
        if title:
            ax.set_title(title, fontsize=FONT_SIZE + 1, loc="left")
    return fig
