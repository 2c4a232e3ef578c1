"""Blocks of the condition report (``notebooks/condition_report.ipynb``), in page order.

The analyses come from :func:`evsum.analyse_condition`; displayed on their own they are the
report's forest-plot section (:func:`analyses`).
"""

from __future__ import annotations

from evsum.present.few_studies import few_studies_html as few_studies
from evsum.present.forest_section import analyses_html as analyses
from evsum.present.heterogeneity import heterogeneity_html as heterogeneity
from evsum.present.limitations import limitations_html as limitations
from evsum.present.plan import plan_html as plan
from evsum.present.risk_of_bias import risk_of_bias_html as risk_of_bias
from evsum.present.sof_section import summary_of_findings_html as summary_of_findings
from evsum.present.studies import outcome_rows_html as outcome_rows
from evsum.present.studies import pico_html as pico
from evsum.present.studies import references_html as references
from evsum.present.studies import studies_html as studies
from evsum.present.titles import title_html as title

__all__ = [
    "analyses",
    "few_studies",
    "heterogeneity",
    "limitations",
    "outcome_rows",
    "pico",
    "plan",
    "references",
    "risk_of_bias",
    "studies",
    "summary_of_findings",
    "title",
]
