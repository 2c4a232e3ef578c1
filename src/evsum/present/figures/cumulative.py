"""Cumulative forest plot: the pooled estimate and its CI as studies are added."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from evsum.present.figures.style import COLOURS, ReportFigure, figure_style
from evsum.vocab import RATIO_MEASURES


def cumulative_plot(
    cumulative: Any,
    *,
    exp: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw a cumulative meta-analysis (:func:`evsum.stats.cumulative.cumulative`).

    Parameters
    ----------
    cumulative : CumulativeResult
        One pooled estimate and CI per step, computed by the caller.
    exp : bool, optional
        Back-transform and use a log axis; defaults to True for ratio measures.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure is made.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        One row per step, top to bottom in the order the studies were added, labelled
        "+ study"; artists carry ``gid`` values ``cumulative_points`` (the estimates),
        ``cumulative_ci`` (one line per step) and ``cumulative_null`` (the line of no effect).
    """
    log = (cumulative.measure in RATIO_MEASURES) if exp is None else bool(exp)
    tx = np.exp if log else (lambda v: v)
    est = tx(np.asarray(cumulative.estimate, float))
    low = tx(np.asarray(cumulative.ci_low, float))
    high = tx(np.asarray(cumulative.ci_high, float))
    k = len(est)
    ypos = np.arange(k)[::-1]
    with figure_style():
        if ax is None:
            fig = ReportFigure(figsize=(6.4, 0.9 + 0.28 * k))
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.36, 0.12, 0.6, 0.8))
        fig = ax.figure
        for y, lo, hi in zip(ypos, low, high, strict=True):
            ax.plot([lo, hi], [y, y], color=COLOURS["pooled"], linewidth=1.0, gid="cumulative_ci")
        ax.scatter(
            est, ypos, marker="D", s=22, color=COLOURS["pooled"], zorder=3, gid="cumulative_points"
        )
        ax.axvline(
            1.0 if log else 0.0, color=COLOURS["reference"], linewidth=0.8, gid="cumulative_null"
        )
        ax.set_yticks(ypos)
        ax.set_yticklabels([f"+ {label}" for label in cumulative.labels])
        ax.set_ylim(-0.7, k - 0.3)
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        measure = cumulative.measure or "Effect"
        ax.set_xlabel(f"Pooled {measure} (log scale)" if log else f"Pooled {measure}")
        if title:
            ax.set_title(title, loc="left")
    return fig
