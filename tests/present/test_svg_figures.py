"""Report figures are embedded as SVG: vector, their words as text in a font the reader has,
the same bytes for the same figure, and the alt text and long description as before."""

import base64
import re

from matplotlib.figure import Figure

from evsum.present.figures.style import figure_style, page_svg
from evsum.present.html import figure_html


def _figure() -> Figure:
    with figure_style():
        fig = Figure(figsize=(4, 2))
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("RR (log scale)")
        ax.text(0.5, 0.5, 'Study "A" <1>')
    return fig


def test_the_svg_keeps_words_as_text_with_a_sans_serif_fallback():
    svg = page_svg(_figure()).decode("utf-8")
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert "RR (log scale)" in texts and 'Study "A" &lt;1&gt;' in texts
    # DejaVu Sans measured the layout; a reader without it gets a sans-serif, never Times
    assert "font-family: 'DejaVu Sans', sans-serif" in svg
    assert "<path d=" in svg  # the line is a vector path, not pixels
    # nothing an <img> does not read: no XML declaration, DOCTYPE, RDF metadata or date
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata>" not in svg


def test_the_same_figure_gives_the_same_bytes():
    assert page_svg(_figure()) == page_svg(_figure())


def test_the_figure_block_is_an_svg_image_with_its_alt_text_and_description():
    html = str(
        figure_html(
            _figure(),
            'A "forest" plot',
            caption="Caption",
            description=["One study."],
            description_id="d1",
        )
    )
    src = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(src).startswith(b"<svg ")
    assert 'alt="A &#34;forest&#34; plot"' in html
    assert 'aria-describedby="d1"' in html and "<li>One study.</li>" in html
    assert "<figcaption>Caption</figcaption>" in html
