"""evsum: evidence summaries from curated trial data."""

from __future__ import annotations

__version__ = "0.1.0"

from evsum.analysis import OutcomeAnalysis, analyse_condition  # noqa: E402
from evsum.evidence import Evidence, load_evidence  # noqa: E402
from evsum.overview import analyse_all, headline_frame, prisma_counts  # noqa: E402
from evsum.sections import (  # noqa: E402
    HtmlBlock,
    analyses_html,
    data_version_html,
    evidence_map_html,
    headline_html,
    heterogeneity_html,
    limitations_html,
    outcome_rows_html,
    overview_title_html,
    pico_html,
    prisma_html,
    references_html,
    risk_of_bias_html,
    studies_html,
    summary_of_findings_html,
    title_html,
)
from evsum.validate import load_studies, validate_studies  # noqa: E402
from evsum.examples import (  # noqa: E402
    example_evidence,
    example_grade,
    example_risk_of_bias,
    example_rows,
)
from evsum.grade import certainty_symbols, downgrade_reasons, grade_certainty  # noqa: E402
from evsum.plots import (  # noqa: E402
    evidence_map,
    forest_plot,
    funnel_plot,
    rob_summary,
    rob_traffic_light,
    save_figure,
)
from evsum.tables import sof_html, summary_of_findings  # noqa: E402
from evsum.exceptions import EvsumError, EvsumWarning, StudyDataError  # noqa: E402
from evsum.results import Problem, StudyTable  # noqa: E402
from evsum.effects import compute_effects, effect_size  # noqa: E402
from evsum.exceptions import SmallKWarning, ZeroCellWarning  # noqa: E402
from evsum.mh import pool_mh  # noqa: E402
from evsum.pooling import egger_test, leave_one_out, pool, pool_groups  # noqa: E402
from evsum.results import (  # noqa: E402
    BackTransformed,
    EggerResult,
    PoolResult,
    SubgroupResult,
)
from evsum.subgroups import pool_subgroups  # noqa: E402
from evsum.citations import (  # noqa: E402
    CitationAudit,
    audit_citations,
    audit_references,
    parse_reference,
    parse_reference_list,
)
from evsum.claims import (  # noqa: E402
    ClaimTable,
    audit_source_references,
    claim_data_summary,
    claims_frame,
    load_claims,
    read_claims,
    validate_claims,
)
from evsum.audit_sections import (  # noqa: E402
    audit_summary_html,
    audit_title_html,
    citation_audit_html,
    claims_html,
    verdict_scale_html,
)

__all__ = [
    "Evidence",
    "HtmlBlock",
    "OutcomeAnalysis",
    "analyse_all",
    "analyse_condition",
    "analyses_html",
    "data_version_html",
    "evidence_map_html",
    "headline_frame",
    "headline_html",
    "heterogeneity_html",
    "limitations_html",
    "load_evidence",
    "load_studies",
    "outcome_rows_html",
    "overview_title_html",
    "pico_html",
    "prisma_counts",
    "prisma_html",
    "references_html",
    "risk_of_bias_html",
    "studies_html",
    "summary_of_findings_html",
    "title_html",
    "validate_studies",
    "certainty_symbols",
    "downgrade_reasons",
    "evidence_map",
    "example_evidence",
    "example_grade",
    "example_risk_of_bias",
    "example_rows",
    "forest_plot",
    "funnel_plot",
    "grade_certainty",
    "rob_summary",
    "rob_traffic_light",
    "save_figure",
    "sof_html",
    "summary_of_findings",
    "EvsumError",
    "EvsumWarning",
    "Problem",
    "StudyDataError",
    "StudyTable",
    "BackTransformed",
    "EggerResult",
    "PoolResult",
    "SmallKWarning",
    "SubgroupResult",
    "ZeroCellWarning",
    "compute_effects",
    "effect_size",
    "egger_test",
    "leave_one_out",
    "pool",
    "pool_groups",
    "pool_mh",
    "pool_subgroups",
    "CitationAudit",
    "ClaimTable",
    "audit_citations",
    "audit_references",
    "audit_source_references",
    "audit_summary_html",
    "audit_title_html",
    "citation_audit_html",
    "claim_data_summary",
    "claims_frame",
    "claims_html",
    "load_claims",
    "parse_reference",
    "parse_reference_list",
    "read_claims",
    "validate_claims",
    "verdict_scale_html",
    "__version__",
]
