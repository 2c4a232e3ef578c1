"""A reader sees an outcome's label, never its key (issue 24, defect 2).

The report notebooks' cells are run in this process on a base whose outcome key
(``tbx_cases``) differs from its label ("Tuberculosis cases"); every block they display and
every text drawn in a figure (axis labels, titles, captions) is collected, and the key, with
or without its underscore, is nowhere in it.
"""

import ast
import html
import re

import matplotlib.figure
import matplotlib.text
import nbformat
import pytest
from few_bases import HIDDEN_KEY, relabelled_base

from evsum.render.scaffold import skeleton

NOTEBOOKS = ("condition_report", "overview", "methods", "curation_log")


def _run_cells(path, parameters):
    """The displayed value of each code cell (its last expression), as a notebook shows it."""
    book = nbformat.read(path, as_version=4)
    space: dict = {}
    shown = []
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(cell.source, space)
            space.update(parameters)
            continue
        tree = ast.parse(cell.source)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last else tree.body
        exec(compile(ast.Module(body=body, type_ignores=[]), "cell", "exec"), space)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), "cell", "eval"), space))
    return shown


def _text_of(value) -> str:
    if hasattr(value, "_repr_html_"):
        markup = value._repr_html_() or ""
        markup = re.sub(r'src="data:[^"]*"', "", markup)
        markup = re.sub(r"<style.*?</style>", "", markup, flags=re.S)
        # text and the attributes a reader meets (alt, title, aria-label), not ids or hrefs
        attrs = " ".join(re.findall(r'(?:alt|title|aria-label)="([^"]*)"', markup))
        return html.unescape(re.sub(r"<[^>]+>", " ", markup) + " " + attrs)
    return ""


@pytest.fixture(scope="module")
def reader_text(tmp_path_factory, monkeypatch_module):
    base = relabelled_base(tmp_path_factory.mktemp("relabelled") / "base")
    drawn: list[str] = []
    savefig = matplotlib.figure.Figure.savefig

    def recording(self, *args, **kwargs):
        drawn.extend(t.get_text() for t in self.findobj(matplotlib.text.Text))
        return savefig(self, *args, **kwargs)

    monkeypatch_module.setattr(matplotlib.figure.Figure, "savefig", recording)
    texts = []
    for name in NOTEBOOKS:
        path = skeleton() / "notebooks" / f"{name}.ipynb"
        for value in _run_cells(path, {"base": str(base)}):
            texts.append(_text_of(value))
            if isinstance(value, matplotlib.figure.Figure):
                drawn.extend(t.get_text() for t in value.findobj(matplotlib.text.Text))
    return " ".join(texts), " ".join(drawn)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _keys_in(text: str) -> list[str]:
    spoken = HIDDEN_KEY.replace("_", " ")
    return [
        text[max(m.start() - 60, 0) : m.end() + 30]
        for m in re.finditer(f"{re.escape(HIDDEN_KEY)}|{re.escape(spoken)}", text, re.I)
    ]


def test_the_pages_say_the_outcome_label(reader_text):
    pages, _ = reader_text
    assert "Tuberculosis cases" in pages


def test_no_page_text_shows_an_outcome_key(reader_text):
    pages, _ = reader_text
    assert _keys_in(pages) == []


def test_no_figure_shows_an_outcome_key(reader_text):
    _, drawn = reader_text
    assert drawn, "no figure was drawn"
    assert _keys_in(drawn) == []


def test_no_page_shows_a_comparator_type_code_or_another_review_s_comparators(reader_text):
    """The BCG base's control is an untreated one (comparator_type ``none``): no page shows
    the code, and no page names comparator types the base does not have (issue 24, defect 6).
    """
    pages, _ = reader_text
    assert not re.search(r"\(none\)|\bnone:|>\s*none\s*<", pages)
    assert "active placebo" not in pages and "dose comparison" not in pages
