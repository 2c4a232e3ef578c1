"""Funnel plot: study effects against their standard errors, with the pseudo 95% region."""

from __future__ import annotations

from collections.abc import Sequence
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
    contours: Sequence[float] | None = None,
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
    contours : sequence of float, optional
        Confidence levels in percent, e.g. ``(90, 95, 99)``: draw a contour-enhanced funnel
        plot (Peters et al. 2008; metafor ``funnel(level = c(90, 95, 99), refline = 0)``)
        instead of the pseudo confidence region. The bands are centred on the null effect
        (0, or 1 for ratios) and shade where a study's own two-sided p-value would fall:
        inside the smallest level's contour no shade (p above 1 - level), then each band
        lighter as p gets smaller, so a gap of studies in the white area next to the
        shaded ones suggests missing non-significant studies.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry ``gid`` values: ``funnel_points`` (one per study), ``funnel_region``
        (the pseudo confidence region), ``funnel_contour`` (each shaded band of a
        contour-enhanced plot), ``funnel_estimate`` and ``egger`` (the text line).

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
        half = max(float(np.nanmax(np.abs(yi - est))) if yi.size else 0.0, z * se_max) * 1.05
        if contours is not None:
            half = _contour_bands(ax, contours, grid, tx, est, half, yi)
        if contours is None:
            ax.fill_betweenx(
                grid,
                tx(est - z * grid),
                tx(est + z * grid),
                color=COLOURS["region"],
                gid="funnel_region",
                label=f"pseudo {level}% confidence region",
            )
        for sign in (-1, 1) if contours is None else ():
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
        centre = 0.0 if contours is not None else est
        ax.set_xlim(tx(centre - half), tx(centre + half))
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


#: Shades of the contour bands, from the band nearest the null outwards (lighter = smaller p).
CONTOUR_SHADES: tuple[str, ...] = ("#9E9E9E", "#C4C4C4", "#E3E3E3", "#F2F2F2")


def _contour_bands(ax: Axes, contours, grid, tx, est: float, half: float, yi) -> float:
    """Shade the significance bands of a contour-enhanced funnel plot around 0; returns
    the half-width of the x axis around 0."""
    levels = sorted({float(c) for c in contours})
    if not levels or not all(0 < c < 100 for c in levels):
        raise ValueError(f"contours must be confidence levels between 0 and 100; got {contours!r}")
    if len(levels) > len(CONTOUR_SHADES):
        raise ValueError(f"at most {len(CONTOUR_SHADES)} contour levels; got {len(levels)}")
    zs = [float(norm.isf((1 - c / 100) / 2)) for c in levels]
    half = max(
        half, float(np.nanmax(np.abs(yi))) * 1.05 if len(yi) else 0.0, zs[-1] * grid[-1] * 1.15
    )
    for i, shade in enumerate(CONTOUR_SHADES[: len(levels)]):
        p_high = text.number(1 - levels[i] / 100, 2)
        last = i + 1 == len(levels)
        label = (
            f"p < {p_high}"
            if last
            else (f"{text.number(1 - levels[i + 1] / 100, 2)} < p < {p_high}")
        )
        inner = zs[i] * grid
        outer = np.full_like(grid, 2 * half) if last else zs[i + 1] * grid
        for sign in (-1, 1):
            ax.fill_betweenx(
                grid,
                tx(sign * inner),
                tx(sign * outer),
                color=shade,
                linewidth=0,
                gid="funnel_contour",
                label=label if sign == 1 else None,
            )
    return half
