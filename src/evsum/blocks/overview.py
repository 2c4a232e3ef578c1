"""Blocks of the overview (``notebooks/overview.ipynb``): every condition at a glance.

The analyses come from :func:`evsum.analyse_all`.
"""

from __future__ import annotations

from evsum.present.sections import evidence_map_html as evidence_map
from evsum.present.sections import headline_html as headline
from evsum.present.sections import overview_title_html as title
from evsum.present.sections import prisma_html as study_selection

__all__ = ["evidence_map", "headline", "study_selection", "title"]
