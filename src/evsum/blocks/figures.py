"""The report's figures as matplotlib ``Figure`` objects to restyle or save.

The forest plot is :func:`evsum.forest_plot`. Figures never compute statistics.
"""

from __future__ import annotations

from evsum.present.figures import (
    evidence_map,
    funnel_plot,
    prisma_diagram,
    rob_summary,
    rob_traffic_light,
    save_figure,
)

__all__ = [
    "evidence_map",
    "funnel_plot",
    "prisma_diagram",
    "rob_summary",
    "rob_traffic_light",
    "save_figure",
]
