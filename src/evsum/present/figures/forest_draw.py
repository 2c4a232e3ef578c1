"""Draw step of the forest plot: matplotlib artists where the layout puts them.

The rows and their words come from :mod:`evsum.present.figures.forest_measure`, every position
from :mod:`evsum.present.figures.forest_layout`; this module only draws.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from evsum.present.figures.forest_layout import LINE, ForestLayout, TextWidth, log_ticks
from evsum.present.figures.forest_measure import ForestLine
from evsum.present.figures.style import COLOURS, FONT_SIZE, ROW_HEIGHT, ReportFigure, text_width


def text_measure() -> TextWidth:
    """A measure of text width in inches, by the Agg renderer of a scratch figure."""
    renderer = FigureCanvasAgg(Figure()).get_renderer()
    return lambda text, bold: text_width(renderer, text, bold)


def _axes(box: ForestLayout, ax: Axes | None) -> Axes:
    """``ax``, or the panel of a new figure sized to the layout."""
    if ax is not None:
        return ax
    fig = ReportFigure(figsize=box.fig_size)
    FigureCanvasAgg(fig)
    return fig.add_axes(box.axes_rect)


def _put(ax: Axes, col_x: float, dx: float, y: float, text: str, align: str, line: ForestLine):
    """A text of ``line`` at ``dx`` inches from the panel edge ``col_x`` (axes fraction)."""
    trans = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
        dx, 0, ax.figure.dpi_scale_trans
    )
    ax.text(
        col_x,
        y,
        text,
        transform=trans,
        ha=align,
        va="center",
        clip_on=False,
        fontsize=FONT_SIZE,
        fontweight="bold" if line.bold else "normal",
        color=COLOURS["muted"] if line.muted else "black",
        parse_math=False,
    )


def _diamond(ax: Axes, line: ForestLine, y: float, tx: Any) -> None:
    pooled = line.kind == "pooled"
    diamond = Polygon(
        [
            (tx(line.lo), y),
            (tx(line.x), y + 0.32),
            (tx(line.hi), y),
            (tx(line.x), y - 0.32),
        ],
        closed=True,
        facecolor=COLOURS["pooled" if pooled else "subgroup"],
        edgecolor=COLOURS["pooled"],
        linewidth=0.8,
        gid="pooled_diamond" if pooled else "subgroup_diamond",
    )
    ax.add_patch(diamond)


def _rows(ax: Axes, lines: list[ForestLine], box: ForestLayout, tx: Any) -> list[float]:
    """Each row's texts, diamonds and prediction intervals; returns the ys of rows with a
    graphic (studies, diamonds, prediction intervals)."""
    graphic_ys = []
    for line, y in zip(lines, box.row_ys, strict=True):
        for c, text in line.cells.items():
            if text and c in box.anchors:
                base, dx, align = box.anchors[c]
                _put(ax, base, dx, y, text, align, line)
        if line.span:
            _put(ax, 0.0, -box.left_width, y, line.span, "left", line)
        if line.kind in ("pooled", "subtotal"):
            _diamond(ax, line, y, tx)
        elif line.kind == "pi":
            ax.hlines(
                [y],
                [tx(line.lo)],
                [tx(line.hi)],
                colors=COLOURS["prediction"],
                linewidth=3,
                gid="prediction_interval",
            )
        if line.kind in ("study", "pooled", "subtotal", "pi"):
            graphic_ys.append(y)
    return graphic_ys


def _study_intervals(
    ax: Axes, studies: list[tuple[ForestLine, float]], box: ForestLayout, tx: Any
) -> None:
    """Study CIs, clipped at the axis limits with an arrow where they run off it."""
    lo_lim, hi_lim = box.x_limits
    study_y = [y for _, y in studies]
    lo_arr = np.asarray([ln.lo for ln, _ in studies], float)
    hi_arr = np.asarray([ln.hi for ln, _ in studies], float)
    ax.hlines(
        study_y,
        tx(np.clip(lo_arr, lo_lim, hi_lim)),
        tx(np.clip(hi_arr, lo_lim, hi_lim)),
        colors=COLOURS["study"],
        linewidth=1.0,
        gid="study_ci",
    )
    for mask, edge, marker in ((lo_arr < lo_lim, lo_lim, "<"), (hi_arr > hi_lim, hi_lim, ">")):
        if mask.any():
            ax.plot(
                np.full(int(mask.sum()), tx(edge)),
                np.asarray(study_y)[mask],
                linestyle="none",
                marker=marker,
                markersize=4,
                color=COLOURS["study"],
                gid="ci_arrows",
                clip_on=False,
            )


def _study_markers(ax: Axes, studies: list[tuple[ForestLine, float]], tx: Any) -> None:
    """One square per study, its area proportional to the study's weight."""
    w = np.asarray([ln.weight for ln, _ in studies], float)
    w_max = np.nanmax(w) if w.size and np.isfinite(w).any() else 1.0
    side_max = ROW_HEIGHT * 72 * 0.7
    sizes = np.where(np.isfinite(w), np.maximum(side_max**2 * w / w_max, 9.0), 16.0)
    ax.scatter(
        tx(np.asarray([ln.x for ln, _ in studies], float)),
        [y for _, y in studies],
        s=sizes,
        marker="s",
        color=COLOURS["study"],
        zorder=3,
        gid="study_markers",
        clip_on=False,
    )


def _axis(ax: Axes, box: ForestLayout, graphic_ys: list[float], log: bool, null: float) -> None:
    """The null line, the limits and ticks; no y axis, no frame but the bottom spine."""
    tx = np.exp if log else (lambda v: v)
    lo_lim, hi_lim = box.x_limits
    if graphic_ys:
        ax.vlines(
            [tx(null)],
            min(graphic_ys) - 0.5,
            max(graphic_ys) + 0.5,
            colors=COLOURS["reference"],
            linewidth=0.8,
            gid="null_line",
            zorder=0,
        )
    ax.set_ylim(-(box.slots - 0.5), 0.5)
    ax.set_xlim(tx(lo_lim), tx(hi_lim))
    ax.yaxis.set_major_locator(NullLocator())
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if log:
        ax.xaxis.set_major_locator(FixedLocator(log_ticks(tx(lo_lim), tx(hi_lim))))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
    ax.patch.set_visible(False)


def _favours(ax: Axes, box: ForestLayout, null: float) -> None:
    """The "Favours …" labels under the axis, either side of the null."""
    below = blended_transform_factory(ax.transData, ax.transAxes)
    left_text, right_text = box.favours_lines
    for text, align, sign in ((left_text, "right", -1), (right_text, "left", 1)):
        trans = below + ScaledTranslation(sign * 0.06, -0.34, ax.figure.dpi_scale_trans)
        ax.text(
            null,
            0.0,
            text,
            transform=trans,
            ha=align,
            va="top",
            fontsize=FONT_SIZE,
            color=COLOURS["muted"],
            clip_on=False,
            parse_math=False,
            gid="favours",
            multialignment=align,
        )


def _headings(ax: Axes, box: ForestLayout, title: str | None) -> None:
    """The subtitle, then the title above it, flush with the study column."""
    rise = 0.12
    shift = ax.figure.dpi_scale_trans
    if box.sub_lines:
        trans = ax.transAxes + ScaledTranslation(-box.left_width, rise, shift)
        ax.text(
            0.0,
            1.0,
            "\n".join(box.sub_lines),
            transform=trans,
            ha="left",
            va="bottom",
            fontsize=FONT_SIZE,
            color=COLOURS["muted"],
            clip_on=False,
            parse_math=False,
            gid="subtitle",
        )
        rise += len(box.sub_lines) * LINE
    if title:
        trans = ax.transAxes + ScaledTranslation(-box.left_width, rise, shift)
        ax.text(
            0.0,
            1.0,
            title,
            transform=trans,
            ha="left",
            va="bottom",
            fontsize=FONT_SIZE + 1,
            fontweight="bold",
            clip_on=False,
            parse_math=False,
            gid="title",
        )


def draw(
    lines: list[ForestLine],
    box: ForestLayout,
    *,
    ax: Axes | None,
    log: bool,
    null: float,
    title: str | None,
    measure: str,
) -> Figure:
    """Draw the rows ``lines`` laid out by ``box`` on ``ax`` (by default a new figure)."""
    ax = _axes(box, ax)
    tx = np.exp if log else (lambda v: v)
    graphic_ys = _rows(ax, lines, box, tx)
    if log:
        ax.set_xscale("log")
    studies = [(ln, y) for ln, y in zip(lines, box.row_ys, strict=True) if ln.kind == "study"]
    _study_intervals(ax, studies, box, tx)
    _study_markers(ax, studies, tx)
    _axis(ax, box, graphic_ys, log, null)
    _favours(ax, box, tx(null))
    axis_label = f"{measure} (log scale)" if log else measure
    ax.set_xlabel(axis_label, labelpad=22 + box.extra * 72)
    _headings(ax, box, title)
    return ax.figure  # type: ignore[return-value]  # a SubFigure draws as its Figure does
