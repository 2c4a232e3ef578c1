"""Funnel plot: study effects against their standard errors, with the pseudo 95% region."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from scipy.stats import norm

from evsum.present import text
from evsum.present.figures.style import COLOURS, FONT_SIZE, ReportFigure, figure_style
from evsum.review.analysis import EGGER_MIN_K


def _egger_text(result: Any, egger: Any) -> str:
    k = int(result.k)
    if k < EGGER_MIN_K:
        return (
            f"Egger's test not shown: {text.plural(k, 'study', 'studies')}; "
            f"it needs at least {EGGER_MIN_K} to have useful power."
        )
    if egger is None:
        return "Egger's test not given (pass egger=evsum.egger_test(result))."
    return (
        f"Egger's test: bias = {text.number(egger.bias)} "
        f"(SE {text.number(egger.bias_se)}), t({int(egger.df)}) = "
        f"{text.number(egger.tval)}, {text.p_value(egger.pval)}"
    )


def funnel_plot(
    result: Any,
    *,
    egger: Any = None,
    exp: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Funnel plot of a pooled result, with Egger's test when there are enough studies.

    Parameters
    ----------
    result : PoolResult
        From :func:`evsum.pool`; its ``yi``, ``vi``, ``estimate`` and ``alpha`` are drawn.
    egger : EggerResult, optional
        Egger's test to print, computed by the caller (:func:`evsum.egger_test`; the
        review's analyses carry it as ``OutcomeAnalysis.egger``): the figure draws it and
        never computes it. With fewer than 10 studies the figure says why no test is shown.
    exp : bool, optional
        Back-transform and use a log axis; defaults to ``result.is_ratio``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure is made.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry ``gid`` values: ``funnel_points`` (one per study), ``funnel_region``
        (the pseudo confidence region), ``funnel_estimate`` and ``egger`` (the text line).

    Notes
    -----
    The pseudo confidence region is the set of effects within
    :math:`\\hat\\theta \\pm z_{1-\\alpha/2}\\,\\mathrm{SE}` of the pooled estimate, drawn for
    standard errors from 0 to the largest in the data (Sterne & Egger 2001). The y axis is the
    standard error, inverted so that large studies sit at the top.
    """
    log = bool(result.is_ratio) if exp is None else bool(exp)
    tx = np.exp if log else (lambda v: v)
    yi = np.asarray(result.yi, float)
    se = np.sqrt(np.asarray(result.vi, float))
    est = float(result.estimate)
    z = float(norm.isf(float(result.alpha) / 2))
    level = round(100 * (1 - float(result.alpha)))
    with figure_style():
        if ax is None:
            fig = ReportFigure(figsize=(5.6, 4.4))
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.14, 0.2, 0.82, 0.72))
        fig = ax.figure
        se_max = float(np.nanmax(se)) * 1.08 if se.size else 1.0
        grid = np.linspace(0.0, se_max, 50)
        ax.fill_betweenx(
            grid,
            tx(est - z * grid),
            tx(est + z * grid),
            color=COLOURS["region"],
            gid="funnel_region",
            label=f"pseudo {level}% confidence region",
        )
        for sign in (-1, 1):
            ax.plot(
                tx(est + sign * z * grid),
                grid,
                linestyle="--",
                linewidth=0.8,
                color=COLOURS["reference"],
            )
        ax.axvline(
            tx(est),
            color=COLOURS["pooled"],
            linewidth=0.9,
            gid="funnel_estimate",
            label="pooled estimate",
        )
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.scatter(
            tx(yi),
            se,
            s=28,
            color=COLOURS["study"],
            edgecolor="white",
            linewidth=0.5,
            zorder=3,
            gid="funnel_points",
            label="study",
        )
        ax.set_ylim(se_max, 0.0)
        half = max(float(np.nanmax(np.abs(yi - est))) if yi.size else 0.0, z * se_max) * 1.05
        ax.set_xlim(tx(est - half), tx(est + half))
        measure = result.measure or "Effect"
        ax.set_xlabel(f"{measure} (log scale)" if log else str(measure))
        ax.set_ylabel("Standard error")
        ax.legend(loc="upper right", fontsize=FONT_SIZE - 1, frameon=False)
        if title:
            ax.set_title(title, loc="left")
        ax.annotate(
            _egger_text(result, egger),
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0.0, -40.0),
            textcoords="offset points",
            va="top",
            ha="left",
            fontsize=FONT_SIZE,
            color=COLOURS["muted"],
            gid="egger",
            parse_math=False,
            annotation_clip=False,
        )
    return fig
