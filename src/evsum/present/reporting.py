"""Methods-page blocks for the PRISMA 2020 items the other blocks do not state: how causes of
heterogeneity were explored, which sensitivity analyses were run and how risk of bias due to
missing results was judged (items 13e, 13f, 14); the discussion (23a to 23d); and the other
information (registration, protocol and its amendments, support, competing interests,
availability of data and code: 24a to 27).

What can be derived is derived: from the analysis plan (``[analyses]``), the analyses (how many
pool two, three or ten studies), the kind of review and its search, the search log and
``grade.csv``. What needs the reviewers' words comes from the protocol's ``[reporting]``
section; a key the protocol leaves empty reads "Not reported.", never a guess. Each statement
carries an ``id`` so that the PRISMA 2020 checklist can link to it
(:mod:`evsum.present.prisma_checklist`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.review.analysis import EGGER_MIN_K, OutcomeAnalysis
from evsum.review.sensitivity import SENSITIVITY_MIN_K

__all__ = [
    "NOT_REPORTED_TEXT",
    "OTHER_INFORMATION",
    "Statement",
    "analyses_of",
    "analysis_methods",
    "analysis_methods_html",
    "discussion",
    "discussion_html",
    "other_information",
    "other_information_html",
    "pooled_count",
]

#: What a statement the protocol leaves empty reads.
NOT_REPORTED_TEXT = "Not reported."

#: ``[reporting]`` key -> (anchor id, heading) of the other information (PRISMA 24a to 27).
OTHER_INFORMATION: dict[str, tuple[str, str]] = {
    "registration": ("reporting-registration", "Registration"),
    "protocol": ("reporting-protocol", "Protocol"),
    "amendments": ("reporting-amendments", "Amendments to the protocol"),
    "funding": ("reporting-funding", "Support (funding)"),
    "competing_interests": ("reporting-competing-interests", "Competing interests"),
    "data_availability": (
        "reporting-data-availability",
        "Availability of data, code and other materials",
    ),
}


@dataclass(frozen=True)
class Statement:
    """One statement of a methods-page block: its anchor, heading and sentences.

    ``stated`` is False when the statement only says that nothing was reported.
    """

    id: str
    heading: str
    sentences: tuple[str, ...]
    stated: bool = True


def analyses_of(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> tuple[OutcomeAnalysis, ...]:
    """``analyses`` as given, or every analysis of the evidence (its warnings silenced)."""
    if analyses is not None:
        return tuple(analyses)
    from evsum.review.overview import analyse_all

    with warnings.catch_warnings():  # the condition reports show each analysis's caveats
        warnings.simplefilter("ignore")
        return tuple(analyse_all(evidence))


def pooled_count(analyses: tuple[OutcomeAnalysis, ...], k: int) -> int:
    """How many analyses pool at least ``k`` studies."""
    return sum(a.result is not None and a.result.k >= k for a in analyses)


def _studies(k: int) -> str:
    return {2: "two", 3: "three"}.get(k, text.count(k))


def _pooled_sentence(analyses: tuple[OutcomeAnalysis, ...], k: int, what: str) -> str:
    n = pooled_count(analyses, k)
    if n == 0:
        return f"No analysis pools {_studies(k)} or more studies, so {what}."
    verb = "pools" if n == 1 else "pool"
    return f"{text.plural(n, 'analysis', 'analyses')} {verb} {_studies(k)} or more studies."


def analysis_methods(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> tuple[Statement, ...]:
    """How causes of heterogeneity were explored (13e), the sensitivity analyses (13f) and
    how risk of bias due to missing results was judged (14), from the plan, the analyses, the
    kind of review, the search log and ``grade.csv``."""
    from evsum.present.plan import plan_statement

    analyses = analyses_of(evidence, analyses)
    protocol = evidence.protocol
    plan = plan_statement(protocol) or {}
    heterogeneity = list(plan.get("13e", [])) or [
        "No subgroup analysis or meta-regression is declared in the analysis plan, so causes "
        "of heterogeneity are not explored."
    ]
    heterogeneity.append(
        "Heterogeneity (τ², I², Q) is shown for every analysis that pools two or more studies."
    )
    heterogeneity.append(_pooled_sentence(analyses, 2, "there is no heterogeneity to explore"))
    sensitivity = [
        f"Every analysis that pools {_studies(SENSITIVITY_MIN_K)} or more studies is re-run "
        "leaving out one study at a time (leave-one-out), with influence diagnostics and a "
        "cumulative meta-analysis."
    ]
    sensitivity.extend(s for s in plan.get("13f", []) if "besides leave-one-out" not in s)
    sensitivity.append(
        _pooled_sentence(analyses, SENSITIVITY_MIN_K, "no sensitivity analysis could be run")
    )
    log = evidence.search_log
    decisions = log["decision"].value_counts().to_dict() if len(log) else {}
    kind = protocol.kind if protocol is not None else None
    reporting_bias = []
    if evidence.recorded("grade.csv"):
        reporting_bias.append(
            "Risk of bias due to missing results is judged for each rated outcome comparison "
            "in GRADE's publication-bias domain, with its reason (evidence profile of each "
            "condition report)."
        )
    if kind is not None:
        reporting_bias.append(
            "The search was comprehensive, so missing studies can be judged."
            if kind.comprehensive
            else "The search was not comprehensive, so eligible studies may be missing "
            "whatever the data show."
        )
    if len(log):
        reporting_bias.append(
            "Registered studies without results are listed in the search log: "
            f"{text.plural(int(decisions.get('ongoing', 0)), 'ongoing study', 'ongoing studies')}"
            "; the excluded studies with their reasons are on the overview."
        )
    reporting_bias.append(
        f"Contour-enhanced funnel plots, Egger's test, the rank correlation test and "
        f"trim-and-fill are used only for analyses of {text.count(EGGER_MIN_K)} or more studies."
    )
    reporting_bias.append(_pooled_sentence(analyses, EGGER_MIN_K, "none of these was used"))
    return (
        Statement(
            "reporting-heterogeneity-methods",
            "Exploring causes of heterogeneity",
            tuple(heterogeneity),
        ),
        Statement("reporting-sensitivity-methods", "Sensitivity analyses", tuple(sensitivity)),
        Statement(
            "reporting-bias-methods",
            "Risk of bias due to missing results (reporting biases)",
            tuple(reporting_bias),
        ),
    )


def _reporting(evidence: Evidence, key: str) -> str:
    protocol = evidence.protocol
    return getattr(protocol.kind.reporting, key, "") if protocol is not None else ""


def _said(anchor: str, heading: str, value: str) -> Statement:
    return Statement(anchor, heading, (value or NOT_REPORTED_TEXT,), stated=bool(value))


def discussion(evidence: Evidence) -> tuple[Statement, ...]:
    """The discussion items (PRISMA 23a to 23d): the interpretation and the implications in
    the protocol's words (``[reporting]``), the limitations where the reports state them."""
    protocol = evidence.protocol
    kind = protocol.kind if protocol is not None else None
    return (
        _said(
            "reporting-interpretation",
            "Interpretation in the context of other evidence",
            _reporting(evidence, "interpretation"),
        ),
        Statement(
            "reporting-limitations-evidence",
            "Limitations of the evidence",
            (
                "Each condition report states the limitations of its evidence (Limitations), "
                "and the evidence profile gives the reason of every rating down.",
            ),
        ),
        Statement(
            "reporting-limitations-review",
            "Limitations of the review process",
            kind.limitations() if kind is not None else (NOT_REPORTED_TEXT,),
            stated=kind is not None,
        ),
        _said(
            "reporting-implications",
            "Implications for practice, policy and research",
            _reporting(evidence, "implications"),
        ),
    )


def other_information(evidence: Evidence) -> tuple[Statement, ...]:
    """Registration, protocol, amendments, support, competing interests and availability of
    data and code (PRISMA 24a to 27), in the protocol's words (``[reporting]``)."""
    return tuple(
        _said(anchor, heading, _reporting(evidence, key))
        for key, (anchor, heading) in OTHER_INFORMATION.items()
    )


def analysis_methods_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> HtmlBlock:
    """:func:`analysis_methods` as a block of the methods page."""
    return render("reporting.html.j2", statements=analysis_methods(evidence, analyses))


def discussion_html(evidence: Evidence) -> HtmlBlock:
    """:func:`discussion` as a block of the methods page."""
    return render("reporting.html.j2", statements=discussion(evidence))


def other_information_html(evidence: Evidence) -> HtmlBlock:
    """:func:`other_information` as a block of the methods page."""
    return render("reporting.html.j2", statements=other_information(evidence))
