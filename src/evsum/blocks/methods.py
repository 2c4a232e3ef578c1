"""Blocks of the methods page (``notebooks/methods.ipynb``), in page order.

The blocks taking ``flow`` read the study-selection flow from the evidence when it is not
given.
"""

from __future__ import annotations

from evsum.present.methods import certainty_html as certainty
from evsum.present.methods import eligibility_html as eligibility
from evsum.present.methods import extraction_html as extraction
from evsum.present.methods import information_sources_html as information_sources
from evsum.present.methods import methods_title_html as title
from evsum.present.methods import prisma_figure_html as prisma
from evsum.present.methods import risk_of_bias_tools_html as risk_of_bias_tools
from evsum.present.methods import synthesis_html as synthesis
from evsum.present.prisma_checklist import prisma_checklist_html as checklist
from evsum.present.prisma_checklist import structured_abstract_html as structured_abstract
from evsum.present.reporting import analysis_methods_html as analysis_methods
from evsum.present.reporting import discussion_html as discussion
from evsum.present.reporting import other_information_html as other_information
from evsum.present.review_kind import review_kind_html as kind

__all__ = [
    "analysis_methods",
    "certainty",
    "checklist",
    "discussion",
    "eligibility",
    "extraction",
    "information_sources",
    "kind",
    "other_information",
    "prisma",
    "risk_of_bias_tools",
    "structured_abstract",
    "synthesis",
    "title",
]
