"""Report blocks: the HTML sections the report notebooks display, one module per report.

- :mod:`~evsum.blocks.condition`: the condition report (title, PICO, studies, analyses,
  heterogeneity, risk of bias, summary of findings, limitations, references);
- :mod:`~evsum.blocks.overview`: the overview (title, evidence map, headline table, study
  selection);
- :mod:`~evsum.blocks.methods`: the methods page (eligibility, sources, PRISMA diagram,
  extraction, risk-of-bias tools, synthesis, certainty);
- :mod:`~evsum.blocks.audit`: the claims audit (title, summary, verdict scale, claims,
  citations);
- :mod:`~evsum.blocks.curation`: the curation log;
- :mod:`~evsum.blocks.figures`: the report figures as matplotlib figures to restyle (the
  forest plot is :func:`evsum.forest_plot`).

:func:`data_version` is the footer every report ends with. Each block is an
:class:`~evsum.present.html.HtmlBlock` that displays itself in a notebook; the blocks are
built in :mod:`evsum.present`, which never computes a statistic.

Examples
--------
>>> from evsum import blocks
>>> from evsum.examples import example_evidence
>>> "<" in str(blocks.data_version(example_evidence()))
True
"""

from __future__ import annotations

from evsum.blocks import audit, condition, curation, figures, methods, overview
from evsum.present.data_version import data_version_html as data_version

__all__ = ["audit", "condition", "curation", "data_version", "figures", "methods", "overview"]
