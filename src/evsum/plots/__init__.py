"""Figures drawn from results: forest, funnel, risk of bias, evidence map.

Plots never compute statistics; they draw :class:`~evsum.results.PoolResult` and friends.
"""

from __future__ import annotations

from evsum.plots.evidence_map import evidence_map
from evsum.plots.forest import forest_plot
from evsum.plots.funnel import funnel_plot
from evsum.plots.rob import rob_summary, rob_traffic_light
from evsum.plots.style import OKABE_ITO, figure_style, register_notebook_display, save_figure

register_notebook_display()

__all__ = [
    "OKABE_ITO",
    "evidence_map",
    "figure_style",
    "forest_plot",
    "funnel_plot",
    "rob_summary",
    "rob_traffic_light",
    "save_figure",
]
