"""The one Jinja2 environment of evsum: every piece of report markup comes from its templates.

Templates live in ``present/templates/*.html.j2`` with autoescaping on. Python passes data;
the environment escapes every value it prints and closes each value's bidi overrides
(:func:`~evsum.present.text.close_bidi`), so an override in one value (one author's family
name, one cell) never reorders what follows it. Links are only made by the helpers below: to
``https://doi.org/`` for a well-formed DOI, and for https URLs.
"""

from __future__ import annotations

import base64
import functools
import re
import urllib.parse
from typing import Any

import jinja2

from evsum.ingest.studies import DOI_PATTERN
from evsum.present import text

_URL = re.compile(r"https://[^\s<>\"'()]+[^\s<>\"'().,;:]")


class HtmlBlock(str):
    """A piece of trusted HTML (rendered from a template, data escaped) that notebooks
    display; it is a ``str`` of the markup.

    Displayed in a notebook (``_repr_html_``) the block is wrapped in
    ``<div class="evsum-block">`` with its own ``<style>`` (``templates/block.css``, every
    rule scoped to that div), so it looks the same in JupyterLab, VS Code, a notebook's static
    HTML and the rendered report, whatever styles the host page has. Placed in another
    template or taken as ``str`` it is the bare markup.
    """

    __slots__ = ()

    @property
    def html(self) -> str:
        """The markup."""
        return str(self)

    def _repr_html_(self) -> str:
        return styled(self)

    def __html__(self) -> str:  # a block placed in a template is not escaped again
        return str(self)


def _finalize(value: Any) -> Any:
    """What a template prints for a value: missing values as '', text with bidi closed."""
    if hasattr(value, "__html__"):
        return value
    if text.is_missing(value):
        return ""
    if isinstance(value, str):
        return text.close_bidi(value)
    return value


def doi_href(doi: Any) -> str:
    """``https://doi.org/<doi>`` for a well-formed DOI, else ''."""
    doi = "" if doi is None or text.is_missing(doi) else str(doi).strip()
    if not doi or not DOI_PATTERN.match(doi):
        return ""
    return "https://doi.org/" + urllib.parse.quote(doi, safe="/:;()._-")


def url_parts(value: Any) -> list[tuple[str, bool]]:
    """``value`` split into ``(text, is_link)`` parts; each https URL is a part of its own."""
    raw = "" if value is None or text.is_missing(value) else str(value)
    out, last = [], 0
    for match in _URL.finditer(raw):
        parsed = urllib.parse.urlparse(match.group(0))
        out.append((raw[last : match.start()], False))
        out.append((match.group(0), parsed.scheme == "https" and bool(parsed.netloc)))
        last = match.end()
    out.append((raw[last:], False))
    return [(part, link) for part, link in out if part]


def page_link(name: Any, anchor: str = "", suffix: str = ".html") -> str:
    """The link to a report beside the page (``<condition>.html#row-…``, or another
    ``suffix`` such as ``.error.txt``): the name percent-encoded, so it can only be a file
    beside the page, never a scheme (``javascript:``) or a path elsewhere."""
    page = urllib.parse.quote(str(name), safe="") + suffix
    return f"{page}#{anchor}" if anchor else page


def png_data_uri(fig: Any) -> str:
    """A matplotlib figure as a PNG ``data:`` URI at the page's resolution
    (:func:`evsum.present.figures.style.page_png`); the figure is closed."""
    import matplotlib.pyplot as plt

    from evsum.present.figures.style import page_png

    data = page_png(fig)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def svg_data_uri(fig: Any) -> str:
    """A matplotlib figure as an SVG ``data:`` URI (:func:`evsum.present.figures.style.page_svg`:
    vector, its words as text); the figure is closed. Base64, so the URI holds no character
    an HTML attribute or a URL would read otherwise."""
    import matplotlib.pyplot as plt

    from evsum.present.figures.style import page_svg

    data = page_svg(fig)
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode("ascii")


def css_class(value: Any) -> str:
    """A value as a CSS class suffix: ``not supported`` -> ``not-supported``."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")


@functools.cache
def environment() -> jinja2.Environment:
    """The template environment (autoescape on, text.py's formatters as filters)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("evsum.present", "templates"),
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        number=text.number,
        p_value=text.p_value,
        interval=text.interval,
        percentage=text.percentage,
        count=text.count,
        plural=text.plural,
        outcome_words=text.outcome_words,
        page_link=page_link,
        verdict_class=css_class,
        join=text.join_values,
    )  # each joined value's bidi overrides closed
    env.globals.update(doi_href=doi_href, url_parts=url_parts, page_link=page_link)
    return env


def render(template: str, **data: Any) -> HtmlBlock:
    """Render ``templates/<template>`` with ``data``."""
    return HtmlBlock(environment().get_template(template).render(**data).strip())


def styled(markup: Any) -> str:
    """``markup`` (trusted HTML) inside ``<div class="evsum-block">`` with the scoped styles
    of ``templates/block.css``: what a notebook displays for every evsum block."""
    return str(render("block.html.j2", body=HtmlBlock(markup)))


def figure_html(
    fig: Any, alt: str, caption: str = "", *, description: Any = (), description_id: str = ""
) -> HtmlBlock:
    """Embed a matplotlib figure as an SVG data URI (:func:`svg_data_uri`; ``<img>`` with
    escaped alt text); with a ``caption``, inside ``<figure>`` with it as the
    ``<figcaption>``.

    ``description`` (sentences, one list item each) is a long description for screen
    readers: visually hidden, in an element with id ``description_id`` that the image names
    in ``aria-describedby``.
    """
    description = list(description)
    if description and not description_id:
        raise ValueError("a figure's description needs a description_id")
    return render(
        "figure.html.j2",
        src=svg_data_uri(fig),
        alt=alt,
        caption=caption,
        description=description,
        description_id=description_id,
    )
