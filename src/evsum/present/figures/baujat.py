"""Baujat plot: each study's contribution to heterogeneity against its influence."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from evsum.present.figures.style import COLOURS, FONT_SIZE, ReportFigure, figure_style


def baujat_plot(baujat: Any, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Draw a Baujat plot from :func:`evsum.stats.influence.baujat` (computed by the caller).

    Parameters
    ----------
    baujat : BaujatResult
        Per-study contribution to heterogeneity (x) and influence on the pooled estimate (y).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; by default a new figure is made.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        Artists carry ``gid`` values: ``baujat_points`` (one per study) and
        ``baujat_label`` (one text per study).

    Notes
    -----
    As metafor ``baujat``: studies to the right add much to the heterogeneity, studies at
    the top move the pooled estimate much (Baujat et al. 2002).
    """
    x = np.asarray(baujat.heterogeneity, float)
    y = np.asarray(baujat.influence, float)
    with figure_style():
        if ax is None:
            fig = ReportFigure(figsize=(5.6, 4.4))
            FigureCanvasAgg(fig)
            ax = fig.add_axes((0.14, 0.14, 0.82, 0.78))
        fig = ax.figure
        ax.scatter(x, y, s=24, color=COLOURS["study"], zorder=3, gid="baujat_points")
        for xi, yi, label in zip(x, y, baujat.labels, strict=True):
            ax.annotate(
                str(label),
                (xi, yi),
                xytext=(3, 3),
                textcoords="offset points",
                fontsize=FONT_SIZE - 1,
                color=COLOURS["muted"],
                gid="baujat_label",
                parse_math=False,
            )
        ax.set_xlabel(
            "Contribution to heterogeneity"
            if baujat.method != "FE"
            else "Contribution to Cochran's Q"
        )
        ax.set_ylabel("Influence on the pooled estimate")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        if title:
            ax.set_title(title, loc="left")
    return fig
