"""``evsum render`` as one call: plan the reports (:mod:`~evsum.render.plan`), then render
them (:mod:`~evsum.render.run`), with the output folder's state and lock
(:mod:`~evsum.render.state`) and worker processes (:mod:`~evsum.render.workers`) each in a
module of its own. This module names the entry points.
"""

from __future__ import annotations

from evsum.render.plan import (
    CONDITION_NOTEBOOK,
    CONTEXT_FILES,
    GLOSSARY,
    NAV_PAGES,
    plan_reports,
    report_notebooks,
    site_nav,
)
from evsum.render.run import RenderSummary, render_all
from evsum.render.state import LOCK_FILE, STATE_FILE

__all__ = [
    "CONDITION_NOTEBOOK",
    "CONTEXT_FILES",
    "GLOSSARY",
    "NAV_PAGES",
    "LOCK_FILE",
    "STATE_FILE",
    "RenderSummary",
    "plan_reports",
    "render_all",
    "report_notebooks",
    "site_nav",
]
