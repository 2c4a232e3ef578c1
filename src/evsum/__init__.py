"""evsum: evidence summaries from curated trial data.

The public names below are imported on first use (PEP 562), so that the command line starts
quickly; ``from evsum import pool`` and ``evsum.pool`` work as usual.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from evsum.version import __version__

#: Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "OutcomeAnalysis": "evsum.review.analysis",
    "StudyParticipants": "evsum.review.participants",
    "study_participants": "evsum.review.participants",
    "comparison_participants": "evsum.review.participants",
    "Analysis": "evsum.present.analyses",
    "ConditionAnalyses": "evsum.present.analyses",
    "analyse_condition": "evsum.present.analyses",
    "Explorer": "evsum.present.explore",
    "explore": "evsum.present.explore",
    "choose_condition": "evsum.review.analysis",
    "FewStudies": "evsum.review.few_studies",
    "few_studies": "evsum.review.few_studies",
    "few_studies_html": "evsum.present.few_studies",
    "audit_summary_html": "evsum.present.audit_sections",
    "audit_title_html": "evsum.present.audit_sections",
    "citation_audit_html": "evsum.present.audit_sections",
    "claims_html": "evsum.present.audit_sections",
    "verdict_scale_html": "evsum.present.audit_sections",
    "CitationAudit": "evsum.review.citations",
    "audit_citations": "evsum.review.citations",
    "audit_references": "evsum.review.citations",
    "parse_reference": "evsum.ingest.references",
    "parse_reference_list": "evsum.ingest.references",
    "ClaimTable": "evsum.ingest.claims",
    "audit_source_references": "evsum.review.claims",
    "claim_data_summary": "evsum.present.audit_sections",
    "claims_frame": "evsum.present.audit_sections",
    "load_claims": "evsum.ingest.claims",
    "read_claims": "evsum.ingest.claims",
    "validate_claims": "evsum.ingest.claims",
    "compute_effects": "evsum.stats.effects",
    "effect_size": "evsum.stats.effects",
    "Evidence": "evsum.ingest.evidence",
    "load_evidence": "evsum.ingest.evidence",
    "example_evidence": "evsum.review.examples",
    "example_grade": "evsum.review.examples",
    "example_risk_of_bias": "evsum.review.examples",
    "example_rows": "evsum.review.examples",
    "example_protocol": "evsum.review.examples",
    "Protocol": "evsum.ingest.protocol",
    "find_base": "evsum.ingest.protocol",
    "load_protocol": "evsum.ingest.protocol",
    "GradeStatement": "evsum.review.statements",
    "grade_statement": "evsum.review.statements",
    "EvsumError": "evsum.exceptions",
    "EvsumWarning": "evsum.exceptions",
    "SmallKWarning": "evsum.exceptions",
    "StudyDataError": "evsum.exceptions",
    "ZeroCellWarning": "evsum.exceptions",
    "certainty_symbols": "evsum.present.text",
    "describe": "evsum.present.text",
    "downgrade_reasons": "evsum.stats.grade",
    "grade_certainty": "evsum.stats.grade",
    "pool_mh": "evsum.stats.mh",
    "pool_peto": "evsum.stats.mh",
    "BayesResult": "evsum.stats.bayes",
    "pool_bayes": "evsum.stats.bayes",
    "ConfintResult": "evsum.stats.heterogeneity",
    "confint": "evsum.stats.heterogeneity",
    "FragilityResult": "evsum.stats.fragility",
    "fragility_index": "evsum.stats.fragility",
    "analyse_all": "evsum.review.overview",
    "headline_frame": "evsum.review.overview",
    "prisma_counts": "evsum.review.overview",
    "PrismaFlow": "evsum.review.selection",
    "SourceRecords": "evsum.review.selection",
    "prisma_flow": "evsum.review.selection",
    "evidence_map": "evsum.present.figures.evidence_map",  # the function, not the module
    "forest_plot": "evsum.present.figures",
    "funnel_plot": "evsum.present.figures",
    "prisma_diagram": "evsum.present.figures",
    "rob_summary": "evsum.present.figures",
    "rob_traffic_light": "evsum.present.figures",
    "save_figure": "evsum.present.figures",
    "egger_test": "evsum.stats.pooling",
    "leave_one_out": "evsum.stats.pooling",
    "pool": "evsum.stats.pooling",
    "pool_groups": "evsum.stats.pooling",
    "BackTransformed": "evsum.stats.results",
    "EggerResult": "evsum.stats.results",
    "PoolResult": "evsum.stats.results",
    "Problem": "evsum.exceptions",
    "StudyTable": "evsum.ingest.studies",
    "SubgroupResult": "evsum.stats.results",
    "HtmlBlock": "evsum.present.html",
    "analyses_html": "evsum.present.sections",
    "ResultBasis": "evsum.present.basis",
    "result_basis": "evsum.present.basis",
    "data_version_html": "evsum.present.sections",
    "evidence_map_html": "evsum.present.sections",
    "headline_html": "evsum.present.sections",
    "heterogeneity_html": "evsum.present.sections",
    "limitations_html": "evsum.present.sections",
    "outcome_rows_html": "evsum.present.sections",
    "overview_title_html": "evsum.present.sections",
    "pico_html": "evsum.present.sections",
    "prisma_html": "evsum.present.sections",
    "references_html": "evsum.present.sections",
    "risk_of_bias_html": "evsum.present.sections",
    "studies_html": "evsum.present.sections",
    "summary_of_findings_html": "evsum.present.sections",
    "title_html": "evsum.present.sections",
    "pool_subgroups": "evsum.stats.subgroups",
    "methods_title_html": "evsum.present.methods",
    "eligibility_html": "evsum.present.methods",
    "information_sources_html": "evsum.present.methods",
    "prisma_figure_html": "evsum.present.methods",
    "extraction_html": "evsum.present.methods",
    "risk_of_bias_tools_html": "evsum.present.methods",
    "synthesis_html": "evsum.present.methods",
    "certainty_html": "evsum.present.methods",
    "curation_log_html": "evsum.present.curation",
    "sof_html": "evsum.present.sof",
    "summary_of_findings": "evsum.present.sof",
    "load_studies": "evsum.ingest.studies",
    "validate_studies": "evsum.ingest.studies",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from evsum.exceptions import (
        EvsumError,
        EvsumWarning,
        Problem,
        SmallKWarning,
        StudyDataError,
        ZeroCellWarning,
    )
    from evsum.ingest.claims import ClaimTable, load_claims, read_claims, validate_claims
    from evsum.ingest.evidence import Evidence, load_evidence
    from evsum.ingest.protocol import Protocol, find_base, load_protocol
    from evsum.ingest.references import parse_reference, parse_reference_list
    from evsum.ingest.studies import StudyTable, load_studies, validate_studies
    from evsum.present.analyses import Analysis, ConditionAnalyses, analyse_condition
    from evsum.present.audit_sections import (
        audit_summary_html,
        audit_title_html,
        citation_audit_html,
        claim_data_summary,
        claims_frame,
        claims_html,
        verdict_scale_html,
    )
    from evsum.present.basis import ResultBasis, result_basis
    from evsum.present.curation import curation_log_html
    from evsum.present.explore import Explorer, explore
    from evsum.present.few_studies import few_studies_html
    from evsum.present.figures import (
        forest_plot,
        funnel_plot,
        prisma_diagram,
        rob_summary,
        rob_traffic_light,
        save_figure,
    )
    from evsum.present.figures.evidence_map import evidence_map
    from evsum.present.html import HtmlBlock
    from evsum.present.methods import (
        certainty_html,
        eligibility_html,
        extraction_html,
        information_sources_html,
        methods_title_html,
        prisma_figure_html,
        risk_of_bias_tools_html,
        synthesis_html,
    )
    from evsum.present.sections import (
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
    from evsum.present.sof import sof_html, summary_of_findings
    from evsum.present.text import certainty_symbols, describe
    from evsum.review.analysis import OutcomeAnalysis, choose_condition
    from evsum.review.citations import CitationAudit, audit_citations, audit_references
    from evsum.review.claims import audit_source_references
    from evsum.review.examples import (
        example_evidence,
        example_grade,
        example_protocol,
        example_risk_of_bias,
        example_rows,
    )
    from evsum.review.few_studies import FewStudies, few_studies
    from evsum.review.overview import analyse_all, headline_frame, prisma_counts
    from evsum.review.participants import (
        StudyParticipants,
        comparison_participants,
        study_participants,
    )
    from evsum.review.selection import PrismaFlow, SourceRecords, prisma_flow
    from evsum.review.statements import GradeStatement, grade_statement
    from evsum.stats.bayes import BayesResult, pool_bayes
    from evsum.stats.effects import compute_effects, effect_size
    from evsum.stats.fragility import FragilityResult, fragility_index
    from evsum.stats.grade import downgrade_reasons, grade_certainty
    from evsum.stats.heterogeneity import ConfintResult, confint
    from evsum.stats.mh import pool_mh, pool_peto
    from evsum.stats.pooling import egger_test, leave_one_out, pool, pool_groups
    from evsum.stats.results import BackTransformed, EggerResult, PoolResult, SubgroupResult
    from evsum.stats.subgroups import pool_subgroups


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
