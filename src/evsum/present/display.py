"""Notebook display of the statistics results: IPython HTML formatters registered from here.

The result classes in :mod:`evsum.stats` format nothing; in a notebook a
:class:`~evsum.stats.results.PoolResult` (and a subgroup, Egger, τ² interval, Bayesian or
fragility result) shows the paragraph of :func:`evsum.present.text.describe` and, for results
with one, the per-study table. ``import evsum`` in IPython calls :func:`register` on the
running shell.
"""

from __future__ import annotations

import functools
from typing import Any

from evsum.present import text
from evsum.present.html import render
from evsum.stats.bayes import BayesResult
from evsum.stats.fragility import FragilityResult
from evsum.stats.heterogeneity import ConfintResult
from evsum.stats.results import EggerResult, PoolResult, SubgroupResult

#: Result classes shown as HTML.
RESULT_TYPES: tuple[type, ...] = (
    PoolResult,
    SubgroupResult,
    EggerResult,
    ConfintResult,
    BayesResult,
    FragilityResult,
)


def _page(result: Any, columns: list, cells: list) -> str:
    return str(
        render("result.html.j2", description=text.describe(result), columns=columns, cells=cells)
    )


@functools.singledispatch
def result_html(result: Any) -> str:
    """A result as HTML: its description (:func:`~evsum.present.text.describe`) and, when it
    has one, its table of studies (``to_frame()``)."""
    return _page(result, [], [])


@result_html.register(PoolResult)
@result_html.register(SubgroupResult)
@result_html.register(ConfintResult)
@result_html.register(BayesResult)
def _result_with_table(result: Any) -> str:
    frame = result.to_frame()
    cells = [
        [text.number(v, 4) if isinstance(v, float) else v for v in row]
        for row in frame.itertuples(index=False)
    ]
    return _page(result, list(frame.columns), cells)


def register(shell: Any) -> None:
    """Register :func:`result_html` as the HTML formatter of the result classes."""
    formatter = shell.display_formatter.formatters["text/html"]
    for kind in RESULT_TYPES:
        formatter.for_type(kind, result_html)
