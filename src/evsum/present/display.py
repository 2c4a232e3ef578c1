"""Notebook display of the statistics results: IPython HTML formatters registered from here.

The result classes in :mod:`evsum.stats.results` format nothing; in a notebook a
:class:`~evsum.stats.results.PoolResult` (and a subgroup or Egger result) shows the paragraph
of :func:`evsum.present.text.describe` and, for pooled results, the per-study table.
"""

from __future__ import annotations

from typing import Any

from evsum.present import text
from evsum.present.html import render

#: Result classes shown as HTML: (module, class name).
RESULT_TYPES: tuple[tuple[str, str], ...] = (
    ("evsum.stats.results", "PoolResult"),
    ("evsum.stats.results", "SubgroupResult"),
    ("evsum.stats.results", "EggerResult"),
    ("evsum.stats.heterogeneity", "ConfintResult"),
    ("evsum.stats.bayes", "BayesResult"),
    ("evsum.stats.fragility", "FragilityResult"),
)


def result_html(result: Any) -> str:
    """A result as HTML: its description and, when it has one, its table of studies."""
    columns, cells = [], []
    if type(result).__name__ in ("PoolResult", "SubgroupResult", "ConfintResult", "BayesResult"):
        frame = result.to_frame()
        columns = list(frame.columns)
        cells = [
            [text.number(v, 4) if isinstance(v, float) else v for v in row]
            for row in frame.itertuples(index=False)
        ]
    return str(
        render("result.html.j2", description=text.describe(result), columns=columns, cells=cells)
    )


def register(shell: Any) -> None:
    """Register :func:`result_html` as the HTML formatter of the result classes."""
    formatter = shell.display_formatter.formatters["text/html"]
    for module, name in RESULT_TYPES:
        formatter.for_type_by_name(module, name, result_html)
