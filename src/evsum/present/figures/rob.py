"""Risk-of-bias figures drawn as robvis draws them: traffic lights and weighted summary bars.

Both take the long ``risk_of_bias.csv`` frame (one row per study × domain, or per study ×
outcome × domain where an ``outcome`` column gives results their own assessment). Judgements
are shown by colour *and* symbol, so the figures read without colour vision.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from evsum.present.figures.style import (
    FONT_SIZE,
    ROB_MISSING,
    ROB_STYLE,
    ROW_HEIGHT,
    ReportFigure,
    figure_style,
    text_width,
)
from evsum.vocab import ROB_DOMAIN_LABELS, ROB_JUDGEMENTS, ROB_TOOLS

_CELL = 0.42  # inches per domain column of the traffic-light grid


def _no_assessment(tool: str, what: str) -> Figure:
    """A small figure that says there is nothing to draw."""
    with figure_style():
        fig = ReportFigure(figsize=(5.0, 0.8))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.text(
            0.02,
            0.5,
            f"No risk-of-bias assessment ({tool}) {what}.",
            va="center",
            fontsize=FONT_SIZE,
            gid="no_assessment",
            parse_math=False,
        )
    return fig


def _judgements(rob_df: pd.DataFrame | None, tool: str) -> pd.DataFrame:
    """Rows of one tool with normalised judgements; raises on unknown tool or values."""
    if tool not in ROB_TOOLS:
        raise ValueError(f"tool must be one of {sorted(ROB_TOOLS)}; got {tool!r}")
    if rob_df is None or rob_df.empty or "tool" not in rob_df.columns:
        return pd.DataFrame(columns=["study_id", "tool", "domain", "judgement", "result"])
    rows = rob_df[rob_df["tool"] == tool].copy()
    # One row of the figure per assessed result: the study, or study and outcome where an
    # outcome has an assessment of its own (an empty outcome is the study's default).
    outcome = (
        rows["outcome"].fillna("").astype(str).str.strip()
        if "outcome" in rows.columns
        else pd.Series("", index=rows.index)
    )
    rows["result"] = list(zip(rows["study_id"], outcome, strict=True))
    rows["judgement"] = rows["judgement"].astype(str).str.strip().str.lower()
    bad = sorted(set(rows["judgement"]) - set(ROB_JUDGEMENTS[tool]))
    if bad:
        raise ValueError(
            f"judgement must be one of {list(ROB_JUDGEMENTS[tool])} for {tool}; got {bad}"
        )
    bad_domains = sorted(set(rows["domain"]) - set(ROB_TOOLS[tool]))
    if bad_domains:
        raise ValueError(
            f"domain must be one of {list(ROB_TOOLS[tool])} for {tool}; got {bad_domains}"
        )
    return rows


def rob_traffic_light(
    rob_df: pd.DataFrame | None,
    tool: str = "RoB 2",
    *,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Figure:
    """Traffic-light plot: one row per study, one coloured circle with a symbol per domain.

    Parameters
    ----------
    rob_df : pandas.DataFrame or None
        ``risk_of_bias.csv`` rows: ``study_id``, ``tool``, ``domain``, ``judgement``. Rows of
        other tools are ignored. ``None`` or no rows for ``tool`` gives a figure that says
        "No risk-of-bias assessment".
    tool : {"RoB 2", "RoB 2 crossover", "ROBINS-I"}
        Which tool's judgements to draw; sets the domains and the judgement scale.
    labels : mapping, optional
        ``study_id`` → label shown (e.g. ``"Dakwar 2020"``); default the ``study_id``.
    title : str, optional
        Title above the grid.

    Returns
    -------
    matplotlib.figure.Figure
        Studies (or study: outcome, for a result with its own assessment) in order of first
        appearance. The circles are one collection with
        ``gid="rob_cells"`` (studies × domains, a grey circle where a judgement is missing);
        symbols are texts; the domain key lists ``D1: Randomisation process`` etc.

    Raises
    ------
    ValueError
        Unknown tool, domain or judgement.
    """
    rows = _judgements(rob_df, tool)
    if rows.empty:
        return _no_assessment(tool, "for these studies")
    labels = dict(labels or {})
    studies = list(dict.fromkeys(rows["result"]))
    domains = list(ROB_TOOLS[tool])
    cell = {
        (s, d): j for s, d, j in rows[["result", "domain", "judgement"]].itertuples(index=False)
    }
    names = [labels.get(s, s) + (f": {o}" if o else "") for s, o in studies]
    with figure_style():
        renderer = FigureCanvasAgg(Figure()).get_renderer()
        label_w = max(text_width(renderer, n) for n in names) + 0.25
        key_lines = [f"{d}: {ROB_DOMAIN_LABELS[tool][d]}" for d in domains if d != "overall"]
        used = [j for j in ROB_JUDGEMENTS[tool] if j in set(cell.values())]
        missing = len(cell) < len(studies) * len(domains)
        key_w = max(text_width(renderer, t) for t in key_lines + ["Judgement", *used]) + 0.6
        grid_w = _CELL * len(domains)
        top = 0.75 if title else 0.45
        grid_h = ROW_HEIGHT * 1.5 * len(studies)
        key_h = ROW_HEIGHT * (len(key_lines) + len(used) + 3 + int(missing))
        fig_h = max(grid_h, key_h) + top + 0.15
        fig_w = label_w + grid_w + key_w + 0.3
        fig = ReportFigure(figsize=(fig_w, fig_h))
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes(
            (label_w / fig_w, (fig_h - top - grid_h) / fig_h, grid_w / fig_w, grid_h / fig_h)
        )
        _cells(ax, studies, domains, cell)
        _grid(ax, studies, domains, names)
        if title:
            ax.set_title(title, loc="left", pad=22, fontweight="bold")
        key_x = (label_w + grid_w + 0.3) / fig_w
        legend = _judgement_legend(fig, used, missing, (key_x, 1 - top / fig_h))
        # The domain key starts just under the drawn legend (an estimate from the number of
        # entries left a gap that grew with it).
        below = legend.get_window_extent(canvas.get_renderer()).y0 / fig.dpi
        key_top = (below - 0.12) / fig_h
        fig.text(
            key_x + 0.06 / fig_w,
            key_top,
            "Domains\n" + "\n".join(key_lines),
            va="top",
            ha="left",
            fontsize=FONT_SIZE,
            linespacing=1.5,
            gid="rob_domain_key",
            parse_math=False,
        )
    return fig


def _cells(ax: Axes, studies: list, domains: list[str], cell: dict) -> None:
    """One circle per study and domain, coloured by its judgement and marked with its
    symbol (a grey circle where a judgement is missing)."""
    xs, ys, colours = [], [], []
    for i, study in enumerate(studies):
        for j, domain in enumerate(domains):
            judgement = cell.get((study, domain))
            colour, symbol = ROB_STYLE[judgement] if judgement else ROB_MISSING
            xs.append(j)
            ys.append(i)
            colours.append(colour)
            if symbol:
                ax.text(
                    j,
                    i,
                    symbol,
                    ha="center",
                    va="center",
                    fontsize=FONT_SIZE + 2,
                    fontweight="bold",
                    color="black",
                    gid="rob_symbol",
                )
    size = (min(_CELL, ROW_HEIGHT * 1.5) * 72 * 0.8) ** 2
    ax.scatter(
        xs,
        ys,
        s=size,
        c=colours,
        edgecolors="#333333",
        linewidths=0.5,
        gid="rob_cells",
        zorder=2,
    )


def _grid(ax: Axes, studies: list, domains: list[str], names: list[str]) -> None:
    """Domains across the top, study names down the side, light lines between studies and
    a darker one before the overall judgement."""
    ax.set_xlim(-0.5, len(domains) - 0.5)
    ax.set_ylim(len(studies) - 0.5, -0.5)
    ax.set_xticks(range(len(domains)), [d if d != "overall" else "Overall" for d in domains])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(studies)), names, parse_math=False)  # names are data
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    for gridline in range(len(studies)):
        ax.axhline(gridline + 0.5, color="#DDDDDD", linewidth=0.5, zorder=0)
    ax.axvline(len(domains) - 1.5, color="#999999", linewidth=0.8, zorder=0)


def _judgement_legend(
    fig: Figure, used: list[str], missing: bool, anchor: tuple[float, float]
) -> Legend:
    """The key to the judgements drawn (and to "not assessed" when a cell is missing)."""
    styles = [(ROB_STYLE[j][0], f"{ROB_STYLE[j][1]}  {j}") for j in used]
    if missing:
        styles.append((ROB_MISSING[0], "not assessed"))
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=11,
            markerfacecolor=face,
            markeredgecolor="#333333",
            label=label,
        )
        for face, label in styles
    ]
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        title="Judgement",
        bbox_to_anchor=anchor,
        frameon=False,
        alignment="left",
    )
    legend.set_gid("rob_legend")
    return legend


def rob_summary(
    rob_df: pd.DataFrame | None,
    tool: str = "RoB 2",
    weights: Mapping[str, float] | pd.Series | None = None,
    *,
    title: str | None = None,
) -> Figure:
    """Summary plot: for each domain, the share of studies (results, or weight) per judgement.

    Parameters
    ----------
    rob_df : pandas.DataFrame or None
        ``risk_of_bias.csv`` rows; see :func:`rob_traffic_light`.
    tool : {"RoB 2", "RoB 2 crossover", "ROBINS-I"}
        Which tool's judgements to draw.
    weights : mapping or Series, optional
        ``study_id`` → weight (e.g. the meta-analysis weights in percent). Each study counts
        in proportion to its weight, as robvis ``rob_summary(weighted = TRUE)``. By default
        every study counts once.
    title : str, optional
        Title above the bars.

    Returns
    -------
    matplotlib.figure.Figure
        One horizontal stacked bar per domain (``Overall`` last, at the bottom), x axis
        0–100 %; bar segments have ``gid="rob_bar_<judgement>"``.

    Raises
    ------
    ValueError
        Unknown tool, domain or judgement; a study without a weight.
    """
    rows = _judgements(rob_df, tool)
    if rows.empty:
        return _no_assessment(tool, "for these studies")
    if weights is not None:
        weight_of = pd.Series(weights, dtype=float)
        lacking = sorted(set(rows["study_id"]) - set(weight_of.index))
        if lacking:
            raise ValueError(f"weights must give a weight for every study; missing {lacking}")
        rows["w"] = rows["study_id"].map(weight_of).to_numpy(float)
    else:
        rows["w"] = 1.0
    domains = list(ROB_TOOLS[tool])
    levels = list(ROB_JUDGEMENTS[tool])
    share = rows.pivot_table(
        index="domain", columns="judgement", values="w", aggfunc="sum", fill_value=0.0
    ).reindex(index=domains, columns=levels, fill_value=0.0)
    totals = share.sum(axis=1).replace(0.0, np.nan)
    percent = share.div(totals, axis=0).mul(100.0).fillna(0.0)
    names = [
        ROB_DOMAIN_LABELS[tool][d] if d == "overall" else f"{d}: {ROB_DOMAIN_LABELS[tool][d]}"
        for d in domains
    ]
    with figure_style():
        renderer = FigureCanvasAgg(Figure()).get_renderer()
        label_w = max(text_width(renderer, n) for n in names) + 0.25
        bars_h = ROW_HEIGHT * 1.6 * len(domains)
        fig_w, fig_h = label_w + 4.2, bars_h + 1.3 + (0.3 if title else 0.0)
        fig = ReportFigure(figsize=(fig_w, fig_h))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((label_w / fig_w, 1.0 / fig_h, 4.0 / fig_w, bars_h / fig_h))
        left = np.zeros(len(domains))
        y = np.arange(len(domains))
        for level in levels:
            values = percent[level].to_numpy(float)
            if not values.any():
                continue
            colour, symbol = ROB_STYLE[level]
            ax.barh(
                y,
                values,
                left=left,
                height=0.7,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                label=f"{symbol}  {level}",
                gid=f"rob_bar_{level}",
            )
            left += values
        ax.set_yticks(y, names)
        ax.set_ylim(len(domains) - 0.5, -0.5)
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        n_results, n_studies = rows["result"].nunique(), rows["study_id"].nunique()
        per_result = n_results != n_studies
        basis = (
            "of total weight"
            if weights is not None
            else "of results"
            if per_result
            else "of studies"
        )
        counted = (
            f"{n_results} results of {n_studies} studies" if per_result else f"{n_studies} studies"
        )
        ax.set_xlabel(f"Percent {basis} ({counted}, {tool})")
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.62 / bars_h),
            ncol=len(levels),
            frameon=False,
            handlelength=1.2,
            columnspacing=1.0,
        )
        if title:
            ax.set_title(title, loc="left", fontweight="bold")
    return fig
