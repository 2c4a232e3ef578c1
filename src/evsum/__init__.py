"""evsum: evidence summaries from curated trial data.

The public names below are imported on first use (PEP 562), so that the command line starts
quickly; ``from evsum import pool`` and ``evsum.pool`` work as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "OutcomeAnalysis": "evsum.analysis",
    "analyse_condition": "evsum.analysis",
    "audit_summary_html": "evsum.audit_sections",
    "audit_title_html": "evsum.audit_sections",
    "citation_audit_html": "evsum.audit_sections",
    "claims_html": "evsum.audit_sections",
    "verdict_scale_html": "evsum.audit_sections",
    "CitationAudit": "evsum.citations",
    "audit_citations": "evsum.citations",
    "audit_references": "evsum.citations",
    "parse_reference": "evsum.citations",
    "parse_reference_list": "evsum.citations",
    "ClaimTable": "evsum.claims",
    "audit_source_references": "evsum.claims",
    "claim_data_summary": "evsum.claims",
    "claims_frame": "evsum.claims",
    "load_claims": "evsum.claims",
    "read_claims": "evsum.claims",
    "validate_claims": "evsum.claims",
    "compute_effects": "evsum.effects",
    "effect_size": "evsum.effects",
    "Evidence": "evsum.evidence",
    "load_evidence": "evsum.evidence",
    "example_evidence": "evsum.examples",
    "example_grade": "evsum.examples",
    "example_risk_of_bias": "evsum.examples",
    "example_rows": "evsum.examples",
    "EvsumError": "evsum.exceptions",
    "EvsumWarning": "evsum.exceptions",
    "SmallKWarning": "evsum.exceptions",
    "StudyDataError": "evsum.exceptions",
    "ZeroCellWarning": "evsum.exceptions",
    "certainty_symbols": "evsum.grade",
    "downgrade_reasons": "evsum.grade",
    "grade_certainty": "evsum.grade",
    "pool_mh": "evsum.mh",
    "analyse_all": "evsum.overview",
    "headline_frame": "evsum.overview",
    "prisma_counts": "evsum.overview",
    "evidence_map": "evsum.plots",
    "forest_plot": "evsum.plots",
    "funnel_plot": "evsum.plots",
    "rob_summary": "evsum.plots",
    "rob_traffic_light": "evsum.plots",
    "save_figure": "evsum.plots",
    "egger_test": "evsum.pooling",
    "leave_one_out": "evsum.pooling",
    "pool": "evsum.pooling",
    "pool_groups": "evsum.pooling",
    "BackTransformed": "evsum.results",
    "EggerResult": "evsum.results",
    "PoolResult": "evsum.results",
    "Problem": "evsum.results",
    "StudyTable": "evsum.results",
    "SubgroupResult": "evsum.results",
    "HtmlBlock": "evsum.sections",
    "analyses_html": "evsum.sections",
    "data_version_html": "evsum.sections",
    "evidence_map_html": "evsum.sections",
    "headline_html": "evsum.sections",
    "heterogeneity_html": "evsum.sections",
    "limitations_html": "evsum.sections",
    "outcome_rows_html": "evsum.sections",
    "overview_title_html": "evsum.sections",
    "pico_html": "evsum.sections",
    "prisma_html": "evsum.sections",
    "references_html": "evsum.sections",
    "risk_of_bias_html": "evsum.sections",
    "studies_html": "evsum.sections",
    "summary_of_findings_html": "evsum.sections",
    "title_html": "evsum.sections",
    "pool_subgroups": "evsum.subgroups",
    "sof_html": "evsum.tables",
    "summary_of_findings": "evsum.tables",
    "load_studies": "evsum.validate",
    "validate_studies": "evsum.validate",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from evsum.analysis import OutcomeAnalysis, analyse_condition
    from evsum.audit_sections import (
        audit_summary_html,
        audit_title_html,
        citation_audit_html,
        claims_html,
        verdict_scale_html,
    )
    from evsum.citations import (
        CitationAudit,
        audit_citations,
        audit_references,
        parse_reference,
        parse_reference_list,
    )
    from evsum.claims import (
        ClaimTable,
        audit_source_references,
        claim_data_summary,
        claims_frame,
        load_claims,
        read_claims,
        validate_claims,
    )
    from evsum.effects import compute_effects, effect_size
    from evsum.evidence import Evidence, load_evidence
    from evsum.examples import example_evidence, example_grade, example_risk_of_bias, example_rows
    from evsum.exceptions import (
        EvsumError,
        EvsumWarning,
        SmallKWarning,
        StudyDataError,
        ZeroCellWarning,
    )
    from evsum.grade import certainty_symbols, downgrade_reasons, grade_certainty
    from evsum.mh import pool_mh
    from evsum.overview import analyse_all, headline_frame, prisma_counts
    from evsum.plots import (
        evidence_map,
        forest_plot,
        funnel_plot,
        rob_summary,
        rob_traffic_light,
        save_figure,
    )
    from evsum.pooling import egger_test, leave_one_out, pool, pool_groups
    from evsum.results import (
        BackTransformed,
        EggerResult,
        PoolResult,
        Problem,
        StudyTable,
        SubgroupResult,
    )
    from evsum.sections import (
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
    from evsum.subgroups import pool_subgroups
    from evsum.tables import sof_html, summary_of_findings
    from evsum.validate import load_studies, validate_studies


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first access."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'evsum' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
