"""Blocks of the overview (``notebooks/overview.ipynb``): every condition at a glance.

The analyses come from :func:`evsum.analyse_all`.
"""

from __future__ import annotations

from evsum.present.overview import evidence_map_html as evidence_map
from evsum.present.overview import headline_html as headline
from evsum.present.overview import prisma_html as study_selection
from evsum.present.titles import overview_title_html as title

__all__ = ["evidence_map", "headline", "study_selection", "title"]
