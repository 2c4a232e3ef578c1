"""Shared look of evsum figures: palette, fonts, sizes and deterministic saving.

The palette is Okabe and Ito's colour-blind-safe set. Every figure is drawn inside
:func:`figure_style` so that rcParams changes never leak into the caller's session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

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

_RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "legend.fontsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "evsum",
    "savefig.dpi": PNG_DPI,
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


def text_width(renderer: object, text: str, bold: bool = False,
               size: float = FONT_SIZE) -> float:
    """Width in inches of a (possibly multi-line) text drawn by ``renderer`` at ``size``."""
    if not text:
        return 0.0
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    widest = max(renderer.get_text_width_height_descent(part, prop, ismath=False)[0]
                 for part in text.split("\n"))
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
        fig.savefig(png_path, format="png", metadata=_METADATA["png"], bbox_inches="tight",
                    dpi=PNG_DPI)
    return svg_path, png_path


def register_notebook_display() -> None:
    """Let IPython show a returned :class:`~matplotlib.figure.Figure` as a PNG.

    evsum's figures are plain ``Figure`` objects, never registered with pyplot (so nothing
    leaks into pyplot's state and nothing is shown twice). IPython only knows how to display
    them once a figure format is selected for the session, which this does; outside IPython
    it does nothing.
    """
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
    except ImportError:  # pragma: no cover - IPython is a dependency of jupyterlab
        return
    shell = get_ipython()
    if shell is not None:
        select_figure_formats(shell, {"png"}, bbox_inches="tight", dpi=PNG_DPI)
