"""Shared look of evsum figures: palette, fonts, sizes and deterministic saving.

The palette is Okabe and Ito's colour-blind-safe set. Every figure is drawn inside
:func:`figure_style` so that rcParams changes never leak into the caller's session.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

if TYPE_CHECKING:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.typing import RcKeyType  # matplotlib >= 3.9

#: Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008, "Color Universal Design").
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colours of figure elements, all taken from :data:`OKABE_ITO` (plus greys).
COLOURS: dict[str, str] = {
    "study": OKABE_ITO["blue"],
    "pooled": OKABE_ITO["black"],
    "subgroup": OKABE_ITO["sky_blue"],
    "prediction": OKABE_ITO["vermillion"],
    "reference": "#7F7F7F",
    "region": "#E8E8E8",
    "muted": "#595959",
}

#: Colour of each risk-of-bias judgement and the symbol drawn in its circle (robvis order).
ROB_STYLE: dict[str, tuple[str, str]] = {
    "low": (OKABE_ITO["bluish_green"], "+"),
    "some concerns": (OKABE_ITO["yellow"], "\u2212"),
    "moderate": (OKABE_ITO["yellow"], "\u2212"),
    "high": (OKABE_ITO["vermillion"], "\u00d7"),
    "serious": (OKABE_ITO["vermillion"], "\u00d7"),
    "critical": ("#7A2A00", "!"),
    "no information": (OKABE_ITO["sky_blue"], "?"),
}
#: Colour of a study × domain cell with no judgement in the data.
ROB_MISSING: tuple[str, str] = ("#D9D9D9", "")

#: Colour of each GRADE certainty level (dark = more certain).
CERTAINTY_COLOURS: dict[str, str] = {
    "high": OKABE_ITO["blue"],
    "moderate": OKABE_ITO["bluish_green"],
    "low": OKABE_ITO["orange"],
    "very low": OKABE_ITO["vermillion"],
    "not assessed": "#9E9E9E",
}

#: Font size in points; 9 pt stays readable at 100 % zoom at the dpi below.
FONT_SIZE: float = 9.0
#: Height of one text row of a forest plot or traffic-light plot, in inches.
ROW_HEIGHT: float = 0.24
#: Resolution of PNG output.
PNG_DPI: int = 150
#: Resolution of figures embedded in report pages: sharp at 100 % zoom on a 1366 px screen
#: (a forest plot of 13 studies is about 1250 px wide), and small enough for the page.
PAGE_DPI: int = 110
#: Colours of an embedded figure's palette: evsum's figures use a few flat colours, so 64
#: keep them and their anti-aliased edges, in about a third of the bytes of a full-colour PNG.
PAGE_COLOURS: int = 64

_RC: dict[RcKeyType, Any] = {
    # DejaVu Sans draws and measures every text; an SVG names it and, for a reader without
    # it, the generic sans-serif (never the browser's default serif)
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # an SVG's words stay text: selectable and searchable in a printed PDF, and small
    "svg.fonttype": "none",
    "svg.hashsalt": "evsum",
    "savefig.dpi": PNG_DPI,
    # every text of a figure is data or words, never TeX: a '$' in a label stays a '$'
    "text.parse_math": False,
}

#: Metadata written into saved files; fixed so that output is byte-for-byte reproducible.
_METADATA: dict[str, dict[str, str | None]] = {
    "svg": {"Date": None, "Creator": "evsum"},
    "png": {"Software": "evsum"},
}


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Apply evsum's rcParams for the duration of a ``with`` block."""
    with mpl.rc_context(_RC):
        yield


def text_width(
    renderer: RendererAgg, text: str, bold: bool = False, size: float = FONT_SIZE
) -> float:
    """Width in inches of a (possibly multi-line) text drawn by ``renderer`` at ``size``."""
    if not text:
        return 0.0
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    widest = max(
        renderer.get_text_width_height_descent(part, prop, ismath=False)[0]
        for part in text.split("\n")
    )
    return widest / renderer.points_to_pixels(72.0)


def save_figure(fig: Figure, path_stem: str | Path) -> tuple[Path, Path]:
    """Write a figure as SVG and PNG with deterministic bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    path_stem : str or Path
        Path without extension; ``.svg`` and ``.png`` are appended. The directory must exist.

    Returns
    -------
    tuple of Path
        The SVG path and the PNG path.

    Notes
    -----
    The SVG ids are salted with a fixed ``svg.hashsalt`` and the date is left out of the
    metadata, so saving the same figure twice gives identical files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     svg, png = save_figure(fig, pathlib.Path(d) / "empty")
    ...     (svg.suffix, png.suffix)
    ('.svg', '.png')
    """
    stem = Path(path_stem)
    svg_path = stem.with_name(stem.name + ".svg")
    png_path = stem.with_name(stem.name + ".png")
    with figure_style():
        fig.savefig(svg_path, format="svg", metadata=_METADATA["svg"], bbox_inches="tight")
        fig.savefig(
            png_path, format="png", metadata=_METADATA["png"], bbox_inches="tight", dpi=PNG_DPI
        )
    return svg_path, png_path


def page_png(fig: Figure) -> bytes:
    """The figure as the PNG a report page embeds: :data:`PAGE_DPI`, a palette of
    :data:`PAGE_COLOURS` colours, no metadata (the same figure gives the same bytes)."""
    from PIL import Image

    buffer = io.BytesIO()
    with figure_style():
        # an uncompressed intermediate: the same pixels, without compressing them twice
        fig.savefig(
            buffer,
            format="png",
            dpi=PAGE_DPI,
            bbox_inches="tight",
            metadata={"Software": None},
            pil_kwargs={"compress_level": 0},
        )
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=PAGE_COLOURS, method=Image.Quantize.MEDIANCUT).save(
        small, format="png", optimize=True
    )
    return small.getvalue()


#: What :func:`page_svg` leaves out of matplotlib's SVG: the XML declaration, the DOCTYPE and
#: the RDF metadata (an ``<img>`` reads none of them).
_SVG_PREAMBLE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", re.S)
#: The line breaks and indentation between matplotlib's SVG elements and inside path data
#: (never inside a text: every line of a text is an element of its own).
_SVG_SPACE = re.compile(r"\s*\n\s*")


def page_svg(fig: Figure) -> bytes:
    """The figure as the SVG a report page embeds: words as text (``svg.fonttype`` "none", in
    DejaVu Sans or else the reader's sans-serif), ids salted with the fixed ``svg.hashsalt``,
    no date and no metadata, the indentation removed, so the same figure gives the same bytes.

    A vector figure prints crisply, scales on a phone, and its words can be selected and
    searched in a printed PDF; for line art it is a fraction of a PNG's bytes. One CSS pixel
    is 3/4 of the SVG's points: a :data:`FONT_SIZE` text shows at 12 px at full size.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.text(0.5, 0.5, "a < b")
    >>> svg = page_svg(fig)
    >>> svg.startswith(b"<svg ") and b">a &lt; b</text>" in svg and svg == page_svg(fig)
    True
    """
    buffer = io.BytesIO()
    with figure_style():
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = _SVG_PREAMBLE.sub("", buffer.getvalue().decode("utf-8"))
    return _SVG_SPACE.sub(" ", svg).strip().replace("> <", "><").encode("utf-8")


#: Rows of a figure's text that its description lists before saying how many more there are.
DESCRIBED_ROWS: int = 25
_NUMBER = re.compile(r"^[\u2212\-+]?[\d.,]*\d[\d.,]*\s*%?$")
#: A risk-of-bias symbol in words (the judgements :data:`ROB_STYLE` draws with it).
_SYMBOL_WORDS: dict[str, str] = {
    symbol: " or ".join(j for j, (_, s) in ROB_STYLE.items() if s == symbol)
    for symbol in dict.fromkeys(s for _, s in ROB_STYLE.values())
}


def describe_figure(fig: Figure) -> str:
    """A text alternative read from what the figure shows: its titles, axis labels, the rows
    of text it prints (a forest plot's or traffic-light plot's table, row by row), and how
    many points it plots.

    For figures evsum builds from an analysis the report blocks give a more specific one
    (:func:`evsum.present.forest_section.forest_alt`); this is what a figure returned in a notebook
    cell carries.
    """
    parts: list[str] = []
    title = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    if title:
        parts.append(title.strip() + ".")
    for ax in fig.axes:
        parts += _axes_description(ax)
    for t in fig.texts:
        words = " ".join(t.get_text().split())
        if words and t.get_visible():
            parts.append(words + ("" if words.endswith(".") else "."))
    return " ".join(parts) or "A figure without text."


def _axes_description(ax: Any) -> list[str]:
    """What one axes shows: its title, axis labels, rows of text and points plotted."""
    parts: list[str] = []
    if ax.get_title():
        parts.append(ax.get_title().strip() + ".")
    labels = [
        f"{axis} axis: {label}"
        for axis, label in (("horizontal", ax.get_xlabel()), ("vertical", ax.get_ylabel()))
        if label
    ]
    if labels:
        parts.append("; ".join(labels) + ".")
    lines = _text_rows(ax)
    if lines:
        shown = lines[:DESCRIBED_ROWS]
        more = len(lines) - len(shown)
        parts.append("Rows: " + "; ".join(shown) + (f"; and {more} more rows." if more else "."))
    points = sum(
        len(np.asarray(c.get_offsets()))
        for c in ax.collections
        if hasattr(c, "get_offsets") and c.get_visible()
    )
    if points:
        parts.append(f"{points} points plotted.")
    return parts


def _text_rows(ax: Any) -> list[str]:
    """Every text the axes print (its own, its tick labels but numbers: scales, not
    content), as rows in page order, top first."""
    rows: dict[int, list[tuple[float, str]]] = {}
    ticks = [
        t
        for t in (*ax.get_yticklabels(), *ax.get_xticklabels())
        if not _NUMBER.match(t.get_text().strip())
    ]
    for t in [*ax.texts, *ticks]:
        words = " ".join(t.get_text().split())
        if not words or not t.get_visible():
            continue
        words = _SYMBOL_WORDS.get(words, words)
        x, y = t.get_transform().transform(t.get_unitless_position())
        rows.setdefault(round(float(y) / 3), []).append((float(x), words))
    return [
        ", ".join(w for _, w in sorted(cells))
        for _, cells in sorted(rows.items(), key=lambda item: -item[0])
    ]


class ReportFigure(Figure):
    """The :class:`~matplotlib.figure.Figure` evsum's figure functions return: in a notebook
    it shows as an ``<img>`` with a text alternative (:func:`describe_figure`), as report
    blocks show figures. Only evsum's own figures display so; nothing is registered for
    other figures of the session.

    evsum's figures are never registered with pyplot (so nothing leaks into pyplot's state
    and nothing is shown twice)."""

    def _repr_html_(self) -> str:
        return figure_display_html(self)


def figure_display_html(fig: Figure) -> str:
    """A figure as the report's figure markup (``templates/figure.html.j2``), described by
    :func:`describe_figure`."""
    from evsum.present.html import figure_html

    return str(figure_html(fig, describe_figure(fig)))
