"""A reader sees an outcome's label, never its key (issue 24, defect 2).

The report notebooks' cells are run in this process on a base whose outcome key
(``tbx_cases``) differs from its label ("Tuberculosis cases"); every block they display and
every text drawn in a figure (axis labels, titles, captions) is collected, and the key, with
or without its underscore, is nowhere in it.
"""

import re

import matplotlib.figure
import matplotlib.text
import pytest
from few_bases import HIDDEN_KEY, relabelled_base

from evsum.render.scaffold import skeleton

from page_text import reader_text_of, run_cells

NOTEBOOKS = ("condition_report", "overview", "methods", "curation_log")


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
        for value in run_cells(path, {"base": str(base)}):
            texts.append(reader_text_of(value))
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
