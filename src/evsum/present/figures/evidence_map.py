"""Evidence map: one bubble per condition × outcome (× comparison), sized by participants."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from evsum.ingest.protocol import Protocol
from evsum.present.figures.style import (
    CERTAINTY_COLOURS,
    FONT_SIZE,
    OKABE_ITO,
    ReportFigure,
    figure_style,
    text_width,
)
from evsum.vocab import GRADE_CERTAINTY, NOT_ASSESSED

_MAX_AREA = 700.0  # points² of the largest bubble (about 0.37 inch across)
_SPACING = 0.45  # inches between bubbles that share a cell
_MIN_AREA = 30.0
_CATEGORY_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
    "#7F7F7F",
)


#: Colours of the ``direction`` categories of :func:`~evsum.review.overview.headline_frame`;
#: any other ``favours …`` value (the intervention, named by the protocol) is
#: :data:`FAVOURS_COLOUR`.
DIRECTION_COLOURS: dict[str, str] = {
    "favours comparator": OKABE_ITO["vermillion"],
    "uncertain": "#9E9E9E",
    "not pooled": "#FFFFFF",
}
FAVOURS_COLOUR = OKABE_ITO["bluish_green"]


def _colour_map(values: pd.Series, colour: str) -> dict[str, str]:
    present = list(dict.fromkeys(values))
    if colour == "certainty":
        return {v: CERTAINTY_COLOURS[v] for v in [*GRADE_CERTAINTY, NOT_ASSESSED] if v in present}
    if colour == "direction" and all(
        v in DIRECTION_COLOURS or v.startswith("favours ") for v in present
    ):
        order = {v: i for i, v in enumerate(DIRECTION_COLOURS)}
        return {
            v: DIRECTION_COLOURS.get(v, FAVOURS_COLOUR)
            for v in sorted(present, key=lambda v: order.get(v, -1))
        }
    return {v: _CATEGORY_COLOURS[i % len(_CATEGORY_COLOURS)] for i, v in enumerate(present)}


def evidence_map(
    summary_df: pd.DataFrame,
    *,
    colour: str | None = None,
    title: str | None = None,
    outcomes_down: bool = False,
    protocol: Protocol | None = None,
) -> Figure:
    """Bubble map of the evidence: conditions down, outcomes across (or the other way round).

    Parameters
    ----------
    summary_df : pandas.DataFrame
        One row per condition × outcome (× comparison), e.g. the concatenated
        :func:`~evsum.present.sof.summary_of_findings` tables. Required columns: ``condition``,
        ``outcome``, ``participants``; plus the column named by ``colour``. Several rows in
        one cell are drawn side by side.
    colour : str, optional
        Column that colours the bubbles: ``"certainty"`` (GRADE levels; missing values are
        "not assessed"), ``"direction"`` (as :func:`~evsum.review.overview.headline_frame`
        gives it; empty values are "not pooled") or any categorical column. Default:
        ``certainty`` if the frame has it, else ``direction``.
    title : str, optional
        Title above the map.
    outcomes_down : bool
        Outcomes as rows and conditions as columns: narrower, for many outcomes.
    protocol : Protocol, optional
        The review's protocol: condition labels, and conditions and outcomes in its order
        (without it, keys as they first appear).

    Returns
    -------
    matplotlib.figure.Figure
        Bubbles are one collection with ``gid="evidence_bubbles"``; bubble area is
        proportional to participants.

    Raises
    ------
    ValueError
        If a required column is missing.
    """
    if colour is None:
        colour = "certainty" if "certainty" in summary_df.columns else "direction"
    data = _map_data(summary_df, colour)
    participants = pd.to_numeric(data["participants"], errors="coerce").fillna(0.0)
    conditions = _in_order(data["condition"], list(protocol.conditions) if protocol else [])
    outcomes = _in_order(data["outcome"], list(protocol.outcomes) if protocol else [])
    palette = _colour_map(data[colour], colour)
    counts = data.groupby(["condition", "outcome"]).size()
    per_cell = int(counts.max()) if len(counts) else 1
    cell_w = _SPACING * per_cell + 0.3  # inches per column
    outcome_names = [
        protocol.outcome_label(o)
        if protocol and o in protocol.outcomes
        else o.replace("_", " ").capitalize()
        for o in outcomes
    ]
    condition_names = [protocol.condition_label(c) if protocol else c for c in conditions]
    across, down = (conditions, outcomes) if outcomes_down else (outcomes, conditions)
    x_names, y_names = (
        (condition_names, outcome_names) if outcomes_down else (outcome_names, condition_names)
    )
    with figure_style():
        ax = _map_axes(
            x_names, y_names, palette, cell_w, len(across), len(down), title, outcomes_down
        )
        fig = ax.figure
        if data.empty:
            ax.set_axis_off()
            ax.text(0.0, 0.5, "No outcomes to map.", transform=ax.transAxes, gid="no_outcomes")
            return fig  # type: ignore[return-value]
        xs, ys = _positions(data, across, down, cell_w, outcomes_down)
        top = float(participants.max()) or 1.0
        sizes = np.maximum(_MAX_AREA * participants.to_numpy(float) / top, _MIN_AREA)
        ax.scatter(
            xs,
            ys,
            s=sizes,
            c=[palette[v] for v in data[colour]],
            alpha=0.9,
            edgecolors="#333333",
            linewidths=0.6,
            gid="evidence_bubbles",
            zorder=3,
        )
        _grid(ax, x_names, y_names)
        _legends(ax, palette, colour, top)
        if title:
            ax.set_title(title, loc="left", fontweight="bold")
    return fig  # type: ignore[return-value]


def _map_data(summary_df: pd.DataFrame, colour: str) -> pd.DataFrame:
    """The rows to map, their ``colour`` column's blanks named ("not assessed", "not
    pooled"); ValueError naming missing columns."""
    needed = {"condition", "outcome", "participants", colour}
    missing = sorted(needed - set(summary_df.columns))
    if missing:
        raise ValueError(f"summary_df must have columns {sorted(needed)}; missing {missing}")
    data = summary_df.reset_index(drop=True).copy()
    blank = NOT_ASSESSED if colour == "certainty" else "not pooled"
    data[colour] = (
        data[colour].where(data[colour].notna() & (data[colour] != ""), blank).astype(str)
    )
    return data


def _in_order(values: pd.Series, known: list[str]) -> list[str]:
    """The distinct ``values``: those ``known`` (the protocol's) in its order, then the
    others as they first appear."""
    return [v for v in known if v in set(values)] + [
        v for v in dict.fromkeys(values) if v not in known
    ]


def _map_axes(
    x_names: list[str],
    y_names: list[str],
    palette: dict[str, str],
    cell_w: float,
    n_across: int,
    n_down: int,
    title: str | None,
    outcomes_down: bool,
) -> Axes:
    """The map's axes in a figure sized to its labels, cells and legends."""
    renderer = FigureCanvasAgg(Figure()).get_renderer()
    left = max([text_width(renderer, n) for n in y_names] + [0.5]) + 0.3
    bottom = max([text_width(renderer, n) for n in x_names] + [0.3]) * 0.6 + 0.5
    legend_w = max(text_width(renderer, t) for t in [*palette, "Participants", "not assessed"])
    right = legend_w + 1.4
    plot_w = cell_w * max(n_across, 1)
    plot_h = (0.45 if outcomes_down else 0.8) * max(n_down, 1)
    top = 0.5 if title else 0.2
    fig_w, fig_h = left + plot_w + right, max(bottom + plot_h + top, 3.2)
    fig = ReportFigure(figsize=(fig_w, fig_h))
    FigureCanvasAgg(fig)
    return fig.add_axes((left / fig_w, bottom / fig_h, plot_w / fig_w, plot_h / fig_h))


def _positions(
    data: pd.DataFrame, across: list[str], down: list[str], cell_w: float, outcomes_down: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each bubble's centre: its cell, several bubbles of one cell side by side."""
    xs, ys = np.zeros(len(data)), np.zeros(len(data))
    for (cond, out), cell in data.groupby(["condition", "outcome"], sort=False):
        offsets = (np.arange(len(cell)) - (len(cell) - 1) / 2) * _SPACING / cell_w
        xs[cell.index] = across.index(cond if outcomes_down else out) + offsets
        ys[cell.index] = down.index(out if outcomes_down else cond)
    return xs, ys


def _grid(ax: Axes, x_names: list[str], y_names: list[str]) -> None:
    """Cell labels and a light grid, no frame."""
    ax.set_xticks(range(len(x_names)), x_names, rotation=30, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(y_names)), y_names)
    ax.set_xlim(-0.5, len(x_names) - 0.5)
    ax.set_ylim(len(y_names) - 0.5, -0.5)
    ax.grid(True, color="#E5E5E5", linewidth=0.6, zorder=0)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _legends(ax: Axes, palette: dict[str, str], colour: str, top: float) -> None:
    """The colour legend and, under it, the bubble-size legend (participants)."""
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markersize=9,
            markerfacecolor=c,
            markeredgecolor="#333333",
            label=v,
        )
        for v, c in palette.items()
    ]
    legend = ax.legend(
        handles=handles,
        title=colour.replace("_", " ").capitalize(),
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
    )
    ax.add_artist(legend)
    legend.set_clip_on(False)  # else a tight crop clips it to the axes and cuts it off
    refs = sorted({int(round(top)), int(round(top / 4))} - {0})
    size_handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            color="#BBBBBB",
            markeredgecolor="#333333",
            markersize=float(np.sqrt(max(_MAX_AREA * r / top, _MIN_AREA))),
            label=f"{r}",
        )
        for r in refs
    ]
    ax.legend(
        handles=size_handles,
        title="Participants",
        loc="lower left",
        bbox_to_anchor=(1.02, 0.0),
        frameon=False,
        labelspacing=1.3,
        fontsize=FONT_SIZE,
    )
