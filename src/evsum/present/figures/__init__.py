"""Figures drawn from results: forest, funnel, risk of bias, evidence map, PRISMA flow.

Plots never compute statistics; they draw :class:`~evsum.stats.results.PoolResult` and friends.
"""

from __future__ import annotations

from evsum.present.figures.evidence_map import evidence_map
from evsum.present.figures.forest import forest_plot
from evsum.present.figures.funnel import funnel_plot
from evsum.present.figures.prisma import prisma_diagram
from evsum.present.figures.rob import rob_summary, rob_traffic_light
from evsum.present.figures.style import (
    OKABE_ITO,
    ReportFigure,
    figure_style,
    save_figure,
)

__all__ = [
    "OKABE_ITO",
    "ReportFigure",
    "evidence_map",
    "figure_style",
    "forest_plot",
    "funnel_plot",
    "prisma_diagram",
    "rob_summary",
    "rob_traffic_light",
    "save_figure",
]
