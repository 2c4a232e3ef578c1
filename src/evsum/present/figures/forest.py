"""Forest plot of a pooled result: one row per study, pooled diamond, heterogeneity lines.

The plot only draws what :func:`evsum.pool` (and :func:`evsum.pool_subgroups`) computed. Ratio
measures arrive on the log scale and are back-transformed here for display (``exp=True``).

It is made in three steps: measure (:mod:`~evsum.present.figures.forest_measure`: the rows and
their words), layout (:mod:`~evsum.present.figures.forest_layout`: positions in inches, no
matplotlib) and draw (:mod:`~evsum.present.figures.forest_draw`: matplotlib only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from evsum.present import text as words
from evsum.present.figures.forest_draw import draw, text_measure
from evsum.present.figures.forest_layout import layout
from evsum.present.figures.forest_measure import (
    build_lines,
    header_line,
    is_ratio,
    method_label,
    plot_columns,
    result_field,
)
from evsum.present.figures.style import figure_style

__all__ = ["forest_plot", "method_label"]


def forest_plot(
    rows: pd.DataFrame | None,
    result: Any,
    *,
    subgroups: Any = None,
    exp: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    higher_is_better: bool = True,
    intervention: str = "intervention",
    comparator: str = "comparator",
    show_design: bool | None = None,
    subtitle: str | None = None,
    favours: tuple[str, str] | None = None,
) -> Figure:
    """Forest plot of a meta-analysis, with arm data, weights and heterogeneity.

    Parameters
    ----------
    rows : pandas.DataFrame or None
        The study rows given to :func:`evsum.pool` (the output of
        :func:`evsum.compute_effects` for one condition and outcome). Rows whose ``yi`` is
        missing are listed under the plot as not pooled, with ``excluded_reason``. The other
        rows must match ``result.yi`` in order. Columns used when present: ``label`` (else
        ``first_author`` + ``year``), ``design``, ``data_level``, ``outcome_type``, the arm
        columns (``events_*``, ``mean_*``, ``sd_*``, ``n_*``) and ``caveat`` (from
        :func:`evsum.compute_effects`, printed as a note under the plot, as are
        ``result.notes``). Contrast-only rows show a dash
        in the arm columns. ``None`` draws generic inverse-variance rows from
        ``result.labels``.
    result : PoolResult
        The pooled result to draw.
    subgroups : SubgroupResult, optional
        From :func:`evsum.pool_subgroups` on the same studies: draws one block per subgroup
        with its subtotal diamond and heterogeneity, and the test for subgroup differences.
    exp : bool, optional
        Back-transform log-scale effects and use a log axis; defaults to ``result.is_ratio``.
    ax : matplotlib.axes.Axes, optional
        Axes for the graphical panel; the text columns are drawn to its left and right, so
        leave room in the figure. By default a figure is created and sized to the content:
        its height grows with the number of rows, its width with the longest text.
    title : str, optional
        Title above the plot.
    higher_is_better : bool
        Whether values above the null favour the intervention (abstinence: ``True``;
        relapse: ``False``). Sets the "Favours ..." labels under the axis.
    intervention, comparator : str
        The two arms in the comparison's own words, used in the column headers and the
        "Favours ..." labels (a dose comparison: ``"3 sessions"``, ``"1 session"``, never
        the comparator type's name). Long words wrap.
    show_design : bool, optional
        Add a design column; by default shown when ``rows`` has more than one design.
    subtitle : str, optional
        A line under the title, e.g. what the result rests on
        (:attr:`evsum.present.basis.ResultBasis.subtitle`: design, comparison, certainty);
        each line wraps when long.
    favours : (str, str), optional
        The two "favours" labels in full, the intervention's side first, when "Favours
        <arm>" does not fit (an exposure: ``("Favours spouse who smokes", "Favours
        non-smoking spouse")``; the protocol's ``favours_intervention`` and
        ``favours_comparator``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure. Artists carry ``gid`` values for tests and styling:
        ``study_markers`` (one square per study, area proportional to weight),
        ``study_ci``, ``pooled_diamond``, ``subgroup_diamond``, ``prediction_interval``.

    Raises
    ------
    ValueError
        If ``rows`` does not match ``result`` or ``subgroups`` does not partition it.

    Notes
    -----
    Nothing is estimated here: study intervals, weights, the pooled estimate, τ², I², Q and
    the prediction interval are read from ``result``. A single study is drawn without a
    diamond and with the note "Single study: no pooling".
    """
    log = is_ratio(result) if exp is None else bool(exp)
    scale = np.exp if log else (lambda v: v)
    with figure_style():
        columns = plot_columns(rows, show_design)
        lines = build_lines(rows, result, subgroups, scale, columns)
        measure = str(result_field(result, "measure", "") or "Effect")
        lines.insert(0, header_line(rows, result, measure, intervention, comparator))
        box = layout(
            lines,
            columns,
            ["effect", "weight"],
            text_measure(),
            log=log,
            null=0.0,
            title=title,
            subtitle=subtitle,
            favours=favours or (words.favours(intervention), words.favours(comparator)),
            higher_is_better=higher_is_better,
        )
        return draw(lines, box, ax=ax, log=log, null=0.0, title=title, measure=measure)
