"""PRISMA 2020 flow diagram (Page et al. 2021, BMJ 372:n71) drawn from :class:`PrismaFlow`.

The boxes follow the 2020 template for new reviews that searched databases, registers and
other sources. The search log records one decision per candidate whatever its source, so both
identification boxes feed one screening path. A box whose number the log does not give says
"not recorded". The figure only draws: every count comes from
:func:`~evsum.review.selection.prisma_flow`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from evsum.present.figures.style import FONT_SIZE, OKABE_ITO, ReportFigure, figure_style
from evsum.review.selection import PrismaFlow

#: Figure width in inches: fits a printed page (A4 or Letter with 2 cm margins) unscaled.
WIDTH = 7.0
_LABEL_X, _LABEL_W = 0.02, 0.3  # phase labels down the left edge
_COL_X = (0.45, 3.85)
_COL_W = 3.1
_PAD = 0.08
_LINE = FONT_SIZE * 1.25 / 72.0  # inches per text line
_GAP = 0.32  # inches between rows of boxes
_WRAP = 42  # characters per line in a column-wide box
_MIN_PHASE = 0.7  # inches: the height a rotated phase label needs
_HEADER_COLOUR = "#FFE9A8"  # pale yellow, as the PRISMA template's identification headers
_PHASE_COLOUR = "#CFE8F7"  # pale sky blue (Okabe-Ito sky blue, lightened) for phase labels


def count_text(value: int | None) -> str:
    """``n = 6``, or ``not recorded`` for a count the search log does not give."""
    return "not recorded" if value is None else f"n = {value}"


@dataclass
class _Box:
    key: str
    lines: list[str]
    column: int

    @property
    def height(self) -> float:
        return len(self.lines) * _LINE + 2 * _PAD


_KEEP_TOGETHER = ("n = ", "not recorded")


def _wrap(text: str, indent: str = "") -> list[str]:
    """Wrap to the box width, never inside "n = 6" or "not recorded"."""
    for words in _KEEP_TOGETHER:
        text = text.replace(words, words.replace(" ", "\x00"))
    lines = textwrap.wrap(
        text, _WRAP, initial_indent=indent, subsequent_indent=indent + "  ", break_long_words=True
    ) or [indent]
    return [line.replace("\x00", " ") for line in lines]


def _identification(flow: PrismaFlow) -> tuple[_Box, _Box]:
    left = ["Records identified from:"]
    for kind, name in (("database", "Databases"), ("register", "Registers")):
        left += _wrap(f"{name} ({count_text(flow.records(kind))})", "  ")
        for source in flow.sources_of(kind):
            left += _wrap(f"{source.label} (n = {source.records})", "    ")
    right = ["Records identified from:"]
    others = flow.sources_of("other")
    if not others:
        right += _wrap("Other sources (not recorded)", "  ")
    for source in others:
        right += _wrap(f"{source.label} (n = {source.records})", "  ")
    return _Box("identified_databases", left, 0), _Box("identified_other", right, 1)


def _rows(flow: PrismaFlow) -> list[tuple[str, list[_Box]]]:
    """The diagram's rows: (phase, boxes), top to bottom."""
    excluded = [f"Reports excluded ({count_text(flow.reports_excluded_total)}):"]
    for reason, n in flow.reports_excluded:
        excluded += _wrap(f"{reason} (n = {n})", "  ")
    return [
        ("Identification", list(_identification(flow))),
        (
            "Identification",
            [
                _Box(
                    "identified_all",
                    _wrap(
                        f"Records identified from all sources "
                        f"({count_text(flow.records_identified)})"
                    ),
                    0,
                ),
                _Box(
                    "removed",
                    [
                        "Records removed before screening:",
                        *_wrap(f"Duplicate records ({count_text(flow.duplicates_removed)})", "  "),
                    ],
                    1,
                ),
            ],
        ),
        (
            "Screening",
            [
                _Box(
                    "screened", _wrap(f"Records screened ({count_text(flow.records_screened)})"), 0
                ),
                _Box(
                    "screen_excluded",
                    _wrap(f"Records excluded ({count_text(flow.records_excluded)})"),
                    1,
                ),
            ],
        ),
        (
            "Screening",
            [
                _Box(
                    "sought",
                    _wrap(f"Reports sought for retrieval ({count_text(flow.reports_sought)})"),
                    0,
                ),
                _Box(
                    "not_retrieved",
                    _wrap(f"Reports not retrieved ({count_text(flow.reports_not_retrieved)})"),
                    1,
                ),
            ],
        ),
        (
            "Screening",
            [
                _Box(
                    "assessed",
                    _wrap(
                        f"Reports assessed for eligibility ({count_text(flow.reports_assessed)})"
                    ),
                    0,
                ),
                _Box("excluded", excluded, 1),
            ],
        ),
        (
            "Included",
            [
                _Box(
                    "included",
                    [
                        *_wrap(
                            f"Studies included in review ({count_text(flow.studies_included)})"
                        ),
                        *_wrap(
                            f"Reports of included studies ({count_text(flow.reports_of_included)})"
                        ),
                    ],
                    0,
                ),
                _Box(
                    "ongoing",
                    [
                        *_wrap(f"Ongoing studies ({count_text(flow.ongoing)})"),
                        *_wrap(
                            "Studies awaiting classification "
                            f"({count_text(flow.awaiting_classification)})"
                        ),
                    ],
                    1,
                ),
            ],
        ),
    ]


def _arrow(
    ax,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    head: bool = True,
    gid: str | None = None,
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>" if head else "-",
            mutation_scale=10,
            linewidth=1.0,
            color=OKABE_ITO["black"],
            shrinkA=0,
            shrinkB=0,
            gid=gid,
        )
    )


def prisma_diagram(flow: PrismaFlow, *, title: str | None = None) -> Figure:
    """Draw the PRISMA 2020 flow diagram of a review.

    Parameters
    ----------
    flow : PrismaFlow
        Counts from :func:`~evsum.review.selection.prisma_flow`.
    title : str, optional
        Title above the diagram.

    Returns
    -------
    matplotlib.figure.Figure
        7 inches wide (page width); every box is a text artist with ``gid="prisma_<box>"``
        (``prisma_screened``, ``prisma_excluded``, ...), so an SVG saved with
        ``svg.fonttype = "none"`` keeps the words as text.

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> from evsum.review.selection import prisma_flow
    >>> fig = prisma_diagram(prisma_flow(example_evidence()))
    >>> float(fig.get_figwidth())
    7.0
    """
    rows = _rows(flow)
    header = 0.42
    top = (0.45 if title else 0.1) + header + 0.1
    heights = [max(b.height for b in boxes) for _, boxes in rows]
    heights[-1] = max(heights[-1], _MIN_PHASE)  # room for the "Included" label
    total = top + sum(heights) + _GAP * (len(rows) - 1) + 0.1
    with figure_style():
        fig = ReportFigure(figsize=(WIDTH, total))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(total, 0)
        ax.set_axis_off()
        if title:
            ax.text(
                WIDTH / 2,
                0.12,
                title,
                ha="center",
                va="top",
                fontsize=FONT_SIZE + 2,
                parse_math=False,
                gid="prisma_title",
            )
        y_header = top - header - 0.1
        for column, text in enumerate(
            (
                "Identification of studies via\ndatabases and registers",
                "Identification of studies via\nother methods",
            )
        ):
            ax.add_patch(
                FancyBboxPatch(
                    (_COL_X[column], y_header),
                    _COL_W,
                    header,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    facecolor=_HEADER_COLOUR,
                    edgecolor="none",
                )
            )
            ax.text(
                _COL_X[column] + _COL_W / 2,
                y_header + header / 2,
                text,
                ha="center",
                va="center",
                linespacing=1.25,
                parse_math=False,
                gid=f"prisma_header_{column}",
            )
        placed: dict[str, tuple[float, float, float]] = {}  # key -> x, y, height
        phases: dict[str, list[float]] = {}
        y = top
        for (phase, boxes), height in zip(rows, heights, strict=True):
            for box in boxes:
                x = _COL_X[box.column]
                ax.add_patch(
                    FancyBboxPatch(
                        (x, y),
                        _COL_W,
                        box.height,
                        boxstyle="round,pad=0,rounding_size=0.04",
                        facecolor="white",
                        edgecolor=OKABE_ITO["black"],
                        linewidth=1.0,
                    )
                )
                ax.text(
                    x + _PAD,
                    y + _PAD,
                    "\n".join(box.lines),
                    ha="left",
                    va="top",
                    linespacing=1.25,
                    parse_math=False,
                    gid=f"prisma_{box.key}",
                )
                placed[box.key] = (x, y, box.height)
            span = phases.setdefault(phase, [y, y + height])
            span[1] = y + height
            y += height + _GAP
        for phase, (start, end) in phases.items():
            ax.add_patch(
                FancyBboxPatch(
                    (_LABEL_X, start),
                    _LABEL_W,
                    end - start,
                    boxstyle="round,pad=0,rounding_size=0.06",
                    facecolor=_PHASE_COLOUR,
                    edgecolor="none",
                )
            )
            ax.text(
                _LABEL_X + _LABEL_W / 2,
                (start + end) / 2,
                phase,
                rotation=90,
                ha="center",
                va="center",
                parse_math=False,
                gid=f"prisma_phase_{phase.lower()}",
            )
        centre = _COL_X[0] + _COL_W / 2

        def bottom(key: str) -> float:
            return placed[key][1] + placed[key][2]

        # both identification boxes join above "all sources"
        join = placed["identified_all"][1] - _GAP / 2
        _arrow(ax, (centre, bottom("identified_databases")), (centre, join), head=False)
        other = _COL_X[1] + _COL_W / 2
        _arrow(ax, (other, bottom("identified_other")), (other, join), head=False)
        _arrow(ax, (other, join), (centre, join), head=False)
        _arrow(ax, (centre, join), (centre, placed["identified_all"][1]))
        down = ["identified_all", "screened", "sought", "assessed", "included"]
        for upper, lower in zip(down, down[1:], strict=False):
            _arrow(ax, (centre, bottom(upper)), (centre, placed[lower][1]))
        for left, right in (
            ("identified_all", "removed"),
            ("screened", "screen_excluded"),
            ("sought", "not_retrieved"),
            ("assessed", "excluded"),
        ):
            level = placed[left][1] + min(placed[left][2], placed[right][2]) / 2
            _arrow(ax, (_COL_X[0] + _COL_W, level), (_COL_X[1], level))
    return fig
