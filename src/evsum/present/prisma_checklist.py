"""The PRISMA 2020 checklist of an evidence base, generated, and its structured abstract.

Each of the 27 items (42 with their sub-items) of the PRISMA 2020 checklist (Page et al. 2021,
BMJ 372:n71, Table 1) is stated with where the reports address it, or "not reported", from
what the evidence base actually holds: the protocol (``[review]`` type and search,
``[reporting]``: rationale, registration, protocol, funding, competing interests, data
availability), the optional files and the report sections evsum generates. Nothing is
claimed that the data do not support: an item the protocol is silent on is "not reported".

The structured abstract follows the PRISMA 2020 for Abstracts headings (Page et al. 2021,
Table 2) with the protocol's words and the analyses' GRADE statements.
"""

from __future__ import annotations

from dataclasses import dataclass

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.present.review_kind import kind_line
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.overview import headline_frame

__all__ = [
    "CHECKLIST",
    "ChecklistItem",
    "prisma_checklist",
    "prisma_checklist_html",
    "prisma_checklist_title_html",
    "structured_abstract",
    "structured_abstract_html",
]

REPORTED, PARTLY, NOT_REPORTED = "reported", "partly reported", "not reported"
METHODS = "Methods page"
REPORTS = "Condition reports"
OVERVIEW = "Overview"
THIS_PAGE = "This page"

#: The PRISMA 2020 items: (item, section, topic, what it asks, in short).
CHECKLIST: tuple[tuple[str, str, str, str], ...] = (
    ("1", "Title", "Title", "Identify the report as a systematic review (or what it is)"),
    ("2", "Abstract", "Abstract", "A structured abstract (PRISMA 2020 for Abstracts)"),
    ("3", "Introduction", "Rationale", "The rationale in the context of existing knowledge"),
    ("4", "Introduction", "Objectives", "The objectives or questions the review addresses"),
    ("5", "Methods", "Eligibility criteria", "Inclusion and exclusion criteria; grouping"),
    ("6", "Methods", "Information sources", "Every source searched, with the date of each"),
    ("7", "Methods", "Search strategy", "The full search strategies"),
    ("8", "Methods", "Selection process", "How studies were selected; how many reviewers"),
    ("9", "Methods", "Data collection process", "How data were collected; how many reviewers"),
    ("10a", "Methods", "Data items", "Outcomes for which data were sought"),
    ("10b", "Methods", "Data items", "Other variables sought; assumptions about missing data"),
    ("11", "Methods", "Study risk of bias assessment", "Tools and how they were applied"),
    ("12", "Methods", "Effect measures", "Effect measures for each outcome"),
    ("13a", "Methods", "Synthesis methods", "Which studies were eligible for each synthesis"),
    ("13b", "Methods", "Synthesis methods", "Preparing data for synthesis (conversions)"),
    ("13c", "Methods", "Synthesis methods", "Tabulation and display of results"),
    ("13d", "Methods", "Synthesis methods", "Synthesis model, heterogeneity methods, software"),
    ("13e", "Methods", "Synthesis methods", "Methods exploring causes of heterogeneity"),
    ("13f", "Methods", "Synthesis methods", "Sensitivity analyses"),
    ("14", "Methods", "Reporting bias assessment", "Methods for bias due to missing results"),
    ("15", "Methods", "Certainty assessment", "Methods for certainty in the body of evidence"),
    ("16a", "Results", "Study selection", "Results of the search and selection (flow diagram)"),
    ("16b", "Results", "Study selection", "Studies excluded that seemed eligible, and why"),
    ("17", "Results", "Study characteristics", "Each included study and its characteristics"),
    ("18", "Results", "Risk of bias in studies", "Risk of bias of each included study"),
    ("19", "Results", "Results of individual studies", "Each study's results with precision"),
    ("20a", "Results", "Results of syntheses", "Characteristics and risk of bias per synthesis"),
    ("20b", "Results", "Results of syntheses", "Every synthesis: estimate, precision"),
    ("20c", "Results", "Results of syntheses", "Investigations of causes of heterogeneity"),
    ("20d", "Results", "Results of syntheses", "Sensitivity analyses"),
    ("21", "Results", "Reporting biases", "Bias due to missing results per synthesis"),
    ("22", "Results", "Certainty of evidence", "Certainty for each outcome"),
    ("23a", "Discussion", "Discussion", "Interpretation in the context of other evidence"),
    ("23b", "Discussion", "Discussion", "Limitations of the evidence"),
    ("23c", "Discussion", "Discussion", "Limitations of the review process"),
    ("23d", "Discussion", "Discussion", "Implications for practice, policy and research"),
    ("24a", "Other information", "Registration and protocol", "Registration, or not"),
    ("24b", "Other information", "Registration and protocol", "Where the protocol is"),
    ("24c", "Other information", "Registration and protocol", "Amendments to the protocol"),
    ("25", "Other information", "Support", "Sources of support and the funders' role"),
    ("26", "Other information", "Competing interests", "Competing interests of the authors"),
    (
        "27",
        "Other information",
        "Availability of data, code and other materials",
        "What is publicly available and where",
    ),
)


@dataclass(frozen=True)
class ChecklistItem:
    """One PRISMA 2020 item with its status and where the reports address it."""

    item: str
    section: str
    topic: str
    asks: str
    status: str
    where: str


def _protocol_text(evidence: Evidence, key: str) -> str:
    protocol = evidence.protocol
    return getattr(protocol.kind.reporting, key, "") if protocol else ""


def _status(evidence: Evidence) -> dict[str, tuple[str, str]]:
    """Item -> (status, where) from what the evidence base holds (see the module notes)."""
    protocol = evidence.protocol
    kind = protocol.kind if protocol else None
    search = kind.search if kind else None
    recorded = evidence.recorded
    out: dict[str, tuple[str, str]] = {}

    def said(item: str, value: str, where: str, partly: bool = False) -> None:
        out[item] = (
            (PARTLY if partly else REPORTED, f"{where}: {value}") if value else (NOT_REPORTED, "")
        )

    label = kind_line(protocol)
    out["1"] = (
        (REPORTED, f"Title line of every page: {label}")
        if kind and kind.type
        else (NOT_REPORTED, "")
    )
    out["2"] = (REPORTED, f"{THIS_PAGE}: Structured abstract")
    said("3", _protocol_text(evidence, "rationale"), "Structured abstract (Background)")
    out["4"] = (
        (REPORTED, f"{METHODS}: Question and eligibility criteria")
        if protocol and protocol.question
        else (NOT_REPORTED, "")
    )
    eligibility = bool(protocol and protocol.eligibility)
    out["5"] = (
        (REPORTED if eligibility else PARTLY, f"{METHODS}: Question and eligibility criteria")
        if protocol
        else (NOT_REPORTED, "")
    )
    sources = bool((search and search.sources) or recorded("search_log.csv"))
    out["6"] = (
        (REPORTED if search and search.dates else PARTLY, f"{METHODS}: Information sources")
        if sources
        else (NOT_REPORTED, "")
    )
    out["7"] = (
        (REPORTED, f"{METHODS}: Kind of review and search (search strategies)")
        if search and search.strategies
        else (NOT_REPORTED, "no search strategy is recorded")
    )
    for item, value in (
        ("8", search.selection if search else ""),
        ("9", search.extraction if search else ""),
    ):
        said(
            item,
            value and "Kind of review and search",
            METHODS,
            partly=not (search and search.people),
        )
    out["10a"] = (REPORTED, f"{METHODS}: Question and eligibility criteria (outcomes)")
    out["10b"] = (
        (REPORTED, f"{REPORTS}: Included studies")
        if recorded("study_characteristics.csv")
        else (NOT_REPORTED, "")
    )
    out["11"] = (
        (PARTLY if not (search and search.people) else REPORTED, f"{METHODS}: Risk of bias")
        if recorded("risk_of_bias.csv")
        else (NOT_REPORTED, "")
    )
    synthesis = f"{METHODS}: Effect measures and synthesis"
    out["12"] = (REPORTED, synthesis)
    out["13a"] = (REPORTED, synthesis + " (what is pooled, what never is)")
    out["13b"] = (REPORTED, f"{METHODS}: Data extraction and provenance (derivations)")
    out["13c"] = (REPORTED, f"{REPORTS}: forest plots, data rows, summary of findings")
    out["13d"] = (REPORTED, synthesis + " (model, τ² method)")
    out["13e"] = (NOT_REPORTED, "")
    out["13f"] = (NOT_REPORTED, "")
    out["14"] = (
        (PARTLY, f"{METHODS}: Certainty of the evidence (publication bias domain)")
        if recorded("grade.csv")
        else (NOT_REPORTED, "")
    )
    out["15"] = (
        (REPORTED, f"{METHODS}: Certainty of the evidence")
        if recorded("grade.csv")
        else (NOT_REPORTED, "")
    )
    out["16a"] = (
        (REPORTED, f"{METHODS}: Study selection")
        if recorded("search_log.csv")
        else (NOT_REPORTED, "")
    )
    out["16b"] = (
        (REPORTED, f"{OVERVIEW}: Study selection (excluded studies with reasons)")
        if recorded("search_log.csv")
        else (NOT_REPORTED, "")
    )
    out["17"] = (REPORTED, f"{REPORTS}: Included studies")
    out["18"] = (
        (REPORTED, f"{REPORTS}: Risk of bias")
        if recorded("risk_of_bias.csv")
        else (NOT_REPORTED, "")
    )
    out["19"] = (REPORTED, f"{REPORTS}: data rows and forest plots")
    out["20a"] = (REPORTED, f"{REPORTS}: summary of findings and evidence profile")
    out["20b"] = (REPORTED, f"{REPORTS}: forest plots and heterogeneity")
    out["20c"] = (NOT_REPORTED, "")
    out["20d"] = (PARTLY, f"{REPORTS}: leave-one-out analyses where studies were pooled")
    out["21"] = (
        (PARTLY, f"{REPORTS}: evidence profile (publication bias domain)")
        if recorded("grade.csv")
        else (NOT_REPORTED, "")
    )
    out["22"] = (
        (REPORTED, f"{REPORTS}: summary of findings")
        if recorded("grade.csv")
        else (NOT_REPORTED, "")
    )
    out["23a"] = (NOT_REPORTED, "")
    out["23b"] = (REPORTED, f"{REPORTS}: Limitations")
    out["23c"] = (
        (REPORTED, f"{METHODS}: Kind of review and search (limitations of the review process)")
        if kind
        else (NOT_REPORTED, "")
    )
    out["23d"] = (NOT_REPORTED, "")
    said("24a", _protocol_text(evidence, "registration"), "Protocol ([reporting] registration)")
    said("24b", _protocol_text(evidence, "protocol"), "Protocol ([reporting] protocol)")
    said("24c", _protocol_text(evidence, "amendments"), "Protocol ([reporting] amendments)")
    said("25", _protocol_text(evidence, "funding"), "Protocol ([reporting] funding)")
    said(
        "26",
        _protocol_text(evidence, "competing_interests"),
        "Protocol ([reporting] competing interests)",
    )
    said(
        "27",
        _protocol_text(evidence, "data_availability"),
        "Protocol ([reporting] data availability)",
    )
    return out


def prisma_checklist(evidence: Evidence) -> tuple[ChecklistItem, ...]:
    """The 42 PRISMA 2020 items (27 with sub-items) of an evidence base, each with its status
    (``reported``, ``partly reported``, ``not reported``) and where it is addressed."""
    found = _status(evidence)
    return tuple(
        ChecklistItem(item, section, topic, asks, *found.get(item, (NOT_REPORTED, "")))
        for item, section, topic, asks in CHECKLIST
    )


def prisma_checklist_title_html(evidence: Evidence) -> HtmlBlock:
    """The checklist page's heading, with the kind of review on its title line."""
    protocol = evidence.protocol
    title = protocol.title if protocol else "Evidence summary"
    items = prisma_checklist(evidence)
    counts = {s: sum(i.status == s for i in items) for s in (REPORTED, PARTLY, NOT_REPORTED)}
    return render(
        "title.html.j2",
        heading=f"{title}: PRISMA 2020 checklist",
        kind=kind_line(protocol),
        subtitle=(
            f"{len(items)} items of the PRISMA 2020 checklist (27 with their sub-items): "
            f"{counts[REPORTED]} reported, {counts[PARTLY]} partly reported, "
            f"{counts[NOT_REPORTED]} not reported."
        ),
    )


def prisma_checklist_html(evidence: Evidence) -> HtmlBlock:
    """The checklist as a table: item, topic, what it asks, status and where."""
    return render("prisma_checklist.html.j2", items=prisma_checklist(evidence))


def _statements(evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]) -> list[str]:
    """Each result with a number in GRADE's words, named by condition, outcome and time."""
    protocol = evidence.protocol
    frame = headline_frame(analyses, grade=evidence.grade)
    out = []
    for _, row in frame[frame["k"] > 0].iterrows():
        condition = protocol.condition_label(row["condition"]) if protocol else row["condition"]
        outcome = protocol.outcome_label(row["outcome"]) if protocol else row["outcome"]
        out.append(f"{condition}, {outcome.lower()} ({row['timepoint']}): {row['statement']}")
    return out


def structured_abstract(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]
) -> list[tuple[str, str]]:
    """``(heading, words)`` pairs of the structured abstract (PRISMA 2020 for Abstracts):
    the protocol's words, the data's counts and each result's GRADE statement."""
    protocol = evidence.protocol
    kind = protocol.kind if protocol else None
    data = evidence.studies.data
    studies = data["study_id"].nunique()
    read = data["source_kind"].fillna("").eq("abstract").sum() if "source_kind" in data else 0
    sources = "; ".join(kind.search.sources) if kind and kind.search.sources else ""
    rows = [
        ("Background", _protocol_text(evidence, "rationale") or "Not reported."),
        ("Objectives", protocol.question if protocol else "Not reported."),
        ("Kind of review", (kind_line(protocol) + ". " + (kind.detail if kind else "")).strip()),
        (
            "Eligibility criteria",
            "; ".join(protocol.eligibility)
            if protocol and protocol.eligibility
            else "Not stated beyond the question.",
        ),
        (
            "Information sources",
            (sources or "The sources of the search log.")
            + (
                f" Searched: {kind.search.dates}."
                if kind and kind.search.dates
                else " Search dates not recorded."
            ),
        ),
        (
            "Risk of bias",
            "RoB 2 for randomised trials, ROBINS-I for non-randomised comparisons."
            if evidence.recorded("risk_of_bias.csv")
            else "Not assessed.",
        ),
        (
            "Included studies",
            f"{text.plural(studies, 'study', 'studies')}, {text.plural(len(data), 'data row')}; "
            f"{read} of the rows were read in an abstract only.",
        ),
        ("Synthesis of results", " ".join(_statements(evidence, analyses)) or "No result."),
        (
            "Limitations of the evidence and of the review",
            " ".join(kind.limitations()[:2]) if kind else "Not reported.",
        ),
        ("Funding", _protocol_text(evidence, "funding") or "Not reported."),
        ("Registration", _protocol_text(evidence, "registration") or "Not reported."),
    ]
    return rows


def structured_abstract_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]
) -> HtmlBlock:
    """The structured abstract as a definition list."""
    return render("structured_abstract.html.j2", rows=structured_abstract(evidence, analyses))
