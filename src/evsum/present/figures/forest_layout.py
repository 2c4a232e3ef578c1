"""Layout step of the forest plot: where every row, column and label goes, in inches.

Pure arithmetic over the rows of :mod:`evsum.present.figures.forest_measure` and the widths of
their texts: no matplotlib here, so the layout is testable with any measure of text width
(:func:`evsum.present.figures.style.text_width` in the figure). The draw step
(:mod:`evsum.present.figures.forest_draw`) places the artists where this says.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evsum.present.figures.forest_measure import ForestLine

PLOT_WIDTH = 3.0  # inches of the graphical panel (at least)
GAP = 0.18  # inches between text columns
MARGIN = 0.12  # inches around the figure
BOTTOM = 0.95  # inches below the rows: ticks, favours labels, axis label
LINE = 0.17  # inches per extra line of wrapped text (favours labels, subtitle)
FAVOURS_WIDTH = 32  # characters per line of a "Favours ..." label
ROW_HEIGHT = 0.24  # inches per row slot (evsum.present.figures.style.ROW_HEIGHT)
_LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)

#: How wide a text is in inches: ``width(text, bold)``.
TextWidth = Callable[[str, bool], float]


@dataclass(frozen=True)
class ForestLayout:
    """Positions of a forest plot, in inches unless said otherwise.

    ``anchors`` maps a column to ``(side, dx, align)``: the panel edge it hangs from (0 left,
    1 right, in axes fraction), its offset from that edge and its alignment. ``row_ys`` holds
    each row's centre in data units (0 for the first row, going down). ``x_limits`` are the
    axis limits on the analysis scale.
    """

    widths: dict[str, float]
    left_width: float
    right_width: float
    plot_width: float
    slots: int
    fig_size: tuple[float, float]
    axes_rect: tuple[float, float, float, float]
    anchors: dict[str, tuple[float, float, str]]
    row_ys: tuple[float, ...]
    favours_lines: tuple[str, str]
    extra: float
    sub_lines: tuple[str, ...]
    x_limits: tuple[float, float]


def column_widths(
    lines: list[ForestLine], columns: list[str], width: TextWidth
) -> dict[str, float]:
    """Each column's width: its widest text."""
    return {c: max(width(ln.cells.get(c, ""), ln.bold) for ln in lines) for c in columns}


def anchors(
    left: list[str], right: list[str], widths: dict[str, float], left_width: float
) -> dict[str, tuple[float, float, str]]:
    """Where each column's texts hang: left columns from the panel's left edge (the study
    column left-aligned, the others right-aligned), right columns from its right edge."""
    out: dict[str, tuple[float, float, str]] = {}
    x = -left_width
    for c in left:
        align = "left" if c == "study" else "right"
        out[c] = (0.0, x if align == "left" else x + widths[c], align)
        x += widths[c] + GAP
    x = GAP
    for c in right:
        out[c] = (1.0, x + widths[c], "right")
        x += widths[c] + GAP
    return out


def row_ys(lines: list[ForestLine]) -> tuple[float, ...]:
    """Each row's centre: rows stack downwards from 0, a row of n slots centred on them."""
    ys, cursor = [], 0.0
    for line in lines:
        ys.append(-(cursor + (line.slots - 1) / 2))
        cursor += line.slots
    return tuple(ys)


def favours_lines(
    favours: tuple[str, str], higher_is_better: bool
) -> tuple[tuple[str, str], float]:
    """The "Favours …" labels left and right of the null (the intervention's side right when
    higher is better), wrapped, and the inches their extra lines take."""
    good, bad = favours
    right_label, left_label = (good, bad) if higher_is_better else (bad, good)
    left_text, right_text = (
        textwrap.fill(t, FAVOURS_WIDTH, break_on_hyphens=False) for t in (left_label, right_label)
    )
    extra = max(t.count("\n") for t in (left_text, right_text)) * LINE
    return (left_text, right_text), extra


def subtitle_lines(subtitle: str | None, fig_width: float) -> tuple[str, ...]:
    """The subtitle's lines, each wrapped to the figure's width (at least 40 characters)."""
    return tuple(
        line
        for part in (subtitle or "").splitlines()
        for line in textwrap.wrap(part, max(40, int((fig_width - 2 * MARGIN) * 15)))
    )


def limits(lines: list[ForestLine], null: float, log: bool) -> tuple[float, float]:
    """Axis limits, symmetric around the null (analysis scale).

    They cover every point estimate, the pooled intervals and the prediction intervals, and
    every study interval up to 10 studies, beyond that most of them (80th percentile of their
    distance from the null): a single very
    wide interval, e.g. from a zero-event arm, runs off the axis with an arrow instead of
    squashing the other studies.
    """
    must = [
        v
        for ln in lines
        for v in (
            (ln.x,)
            if ln.kind == "study"
            else (ln.lo, ln.hi, ln.x)
            if ln.kind in ("pooled", "subtotal", "pi")
            else ()
        )
        if np.isfinite(v)
    ]
    bounds = [v for ln in lines if ln.kind == "study" for v in (ln.lo, ln.hi) if np.isfinite(v)]
    half = max([abs(v - null) for v in must] + [0.0])
    if bounds:  # with few studies every interval fits; with many, an outlier may run off
        share = 1.0 if len(bounds) <= 20 else 0.8
        half = max(half, float(np.quantile(np.abs(np.asarray(bounds) - null), share)))
    if log:  # at least ratio 1/1.5 to 1.5, at most 1/100 to 100
        half = min(max(half, math.log(1.5)), math.log(100.0))
    half = (half or 1.0) * 1.08
    return null - half, null + half


def log_ticks(lo: float, hi: float) -> list[float]:
    """The ticks of a log axis from ``lo`` to ``hi`` (ratio scale): 1-2-5 steps, only the
    powers of ten when more than 7 would show."""
    ticks = [t for t in _LOG_TICKS if lo <= t <= hi]
    if len(ticks) > 7:
        ticks = [t for t in ticks if str(t).lstrip("0.").startswith("1")]
    return ticks


def layout(
    lines: list[ForestLine],
    left: list[str],
    right: list[str],
    width: TextWidth,
    *,
    log: bool,
    null: float,
    title: str | None,
    subtitle: str | None,
    favours: tuple[str, str],
    higher_is_better: bool,
) -> ForestLayout:
    """The layout of a forest plot whose rows are ``lines``, with text columns ``left`` and
    ``right`` of the panel; ``width`` measures a text in inches.

    Examples
    --------
    >>> from evsum.present.figures.forest_measure import ForestLine
    >>> rows = [ForestLine("study", {"study": "Ann 2001", "effect": "1.2"}, x=0.2, lo=0, hi=0.4)]
    >>> box = layout(rows, ["study"], ["effect"], lambda t, bold: 0.1 * len(t), log=False,
    ...              null=0.0, title=None, subtitle=None, favours=("A", "B"),
    ...              higher_is_better=True)
    >>> [round(v, 2) for v in (box.left_width, box.right_width, box.plot_width)]
    [0.98, 0.48, 3.0]
    """
    widths = column_widths(lines, left + right, width)
    span_width = max([width(ln.span, ln.bold) for ln in lines] + [0.0])
    left_width = sum(widths[c] for c in left) + GAP * len(left)
    right_width = sum(widths[c] for c in right) + GAP * len(right)
    plot_width = max(PLOT_WIDTH, span_width - left_width - right_width + 0.2)
    slots = sum(ln.slots for ln in lines)
    favours_text, extra = favours_lines(favours, higher_is_better)
    fig_w = 2 * MARGIN + left_width + plot_width + right_width
    sub_lines = subtitle_lines(subtitle, fig_w)
    top = (0.45 if title else 0.15) + len(sub_lines) * LINE
    fig_h = slots * ROW_HEIGHT + BOTTOM + extra + top
    axes_rect = (
        (MARGIN + left_width) / fig_w,
        (BOTTOM + extra) / fig_h,
        plot_width / fig_w,
        slots * ROW_HEIGHT / fig_h,
    )
    return ForestLayout(
        widths=widths,
        left_width=left_width,
        right_width=right_width,
        plot_width=plot_width,
        slots=slots,
        fig_size=(fig_w, fig_h),
        axes_rect=axes_rect,
        anchors=anchors(left, right, widths, left_width),
        row_ys=row_ys(lines),
        favours_lines=favours_text,
        extra=extra,
        sub_lines=sub_lines,
        x_limits=limits(lines, null, log),
    )
