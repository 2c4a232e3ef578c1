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
from typing import Any

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, page_link, render
from evsum.present.reporting import (
    OTHER_INFORMATION,
    analyses_of,
    analysis_methods,
    pooled_count,
)
from evsum.present.review_kind import kind_line
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.overview import headline_frame
from evsum.review.sensitivity import SENSITIVITY_MIN_K

__all__ = [
    "CHECKLIST",
    "NOT_APPLICABLE",
    "STATUSES",
    "ChecklistItem",
    "prisma_checklist",
    "prisma_checklist_html",
    "prisma_checklist_title_html",
    "structured_abstract",
    "structured_abstract_html",
]

REPORTED, PARTLY, NOT_REPORTED = "reported", "partly reported", "not reported"
#: An item that does not apply, with where the pages say why (e.g. no analysis pools two or
#: more studies, so there are no investigations of heterogeneity to report).
NOT_APPLICABLE = "not applicable"
STATUSES = (REPORTED, PARTLY, NOT_APPLICABLE, NOT_REPORTED)
METHODS = "Methods page"
REPORTS = "Condition reports"
OVERVIEW = "Overview"
#: The report names of the pages the checklist links to (the notebooks' names).
METHODS_PAGE, OVERVIEW_PAGE = "methods", "overview"
#: Section anchors of the report notebooks evsum ships (nbconvert makes an ``id`` of each
#: markdown heading, its words joined by ``-``); the blocks of :mod:`evsum.present.reporting`
#: and the kind of review carry their own ``id``.
METHODS_ANCHORS: dict[str, str] = {
    "abstract": "Structured-abstract",
    "kind": "kind-of-review",
    "eligibility": "Question-and-eligibility-criteria",
    "sources": "Information-sources",
    "selection": "Study-selection",
    "extraction": "Data-extraction-and-provenance",
    "risk_of_bias": "Risk-of-bias",
    "synthesis": "Effect-measures-and-synthesis",
    "certainty": "Certainty-of-the-evidence",
}
CONDITION_ANCHORS: dict[str, str] = {
    "studies": "Included-studies",
    "rows": "Outcome-data",
    "forest": "Forest-plots",
    "heterogeneity": "Heterogeneity-and-sensitivity",
    "risk_of_bias": "Risk-of-bias",
    "sof": "Summary-of-findings-(GRADE)",
    "limitations": "Limitations",
}
OVERVIEW_ANCHORS: dict[str, str] = {"selection": "Study-selection"}

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
    #: ``(href, label)`` of each place in the reports the item points to
    links: tuple[tuple[str, str], ...] = ()


def _protocol_text(evidence: Evidence, key: str) -> str:
    protocol = evidence.protocol
    return getattr(protocol.kind.reporting, key, "") if protocol else ""


Links = tuple[tuple[str, str], ...]
Found = tuple[str, str, Links]


class _Places:
    """Links to the places in the reports where an item is addressed."""

    def __init__(self, evidence: Evidence) -> None:
        protocol = evidence.protocol
        data = evidence.studies.data
        present = set(data["condition"]) if len(data) else set()
        order = list(protocol.conditions) if protocol else []
        keys = sorted(present, key=lambda c: (order.index(c) if c in order else len(order), c))
        self.conditions = [(k, protocol.condition_label(k) if protocol else k) for k in keys]
        # the protocol's ``reports`` (notebook stems), when it lists them, say which pages exist
        listed = protocol.reports if protocol else ()
        self.has_overview = not listed or OVERVIEW_PAGE in listed
        self.has_conditions = not listed or "condition_report" in listed

    def methods(self, anchor: str, label: str = METHODS) -> Links:
        return ((page_link(METHODS_PAGE, METHODS_ANCHORS.get(anchor, anchor)), label),)

    def overview(self, anchor: str) -> Links:
        if not self.has_overview:
            return ()
        return ((page_link(OVERVIEW_PAGE, OVERVIEW_ANCHORS[anchor]), OVERVIEW),)

    def reports(self, anchor: str) -> Links:
        if not self.has_conditions:
            return ()
        return tuple(
            (page_link(key, CONDITION_ANCHORS[anchor]), label) for key, label in self.conditions
        )


@dataclass(frozen=True)
class _Facts:
    """What the checklist items are read from: the protocol's kind of review and search,
    the plan, which data files are recorded, where things are in the reports."""

    evidence: Evidence
    analyses: tuple[OutcomeAnalysis, ...]
    at: _Places

    @property
    def protocol(self) -> Any:
        return self.evidence.protocol

    @property
    def kind(self) -> Any:
        return self.protocol.kind if self.protocol else None

    @property
    def search(self) -> Any:
        return self.kind.search if self.kind else None

    @property
    def people(self) -> bool:
        return bool(self.search and self.search.people)

    def recorded(self, name: str) -> bool:
        return bool(self.evidence.recorded(name))

    def said(self, key: str, anchor: str, heading: str) -> Found:
        """A protocol text reported on the methods page under ``heading``, if there is one."""
        value = _protocol_text(self.evidence, key)
        return (
            (REPORTED, f"{METHODS}: {heading}: {value}", self.at.methods(anchor))
            if value
            else _NONE
        )


#: An item the evidence base does not report.
_NONE: Found = (NOT_REPORTED, "", ())


def _status(evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...]) -> dict[str, Found]:
    """Item -> (status, where, links) from what the evidence base holds (see the module
    notes)."""
    facts = _Facts(evidence, analyses, _Places(evidence))
    out: dict[str, Found] = {}
    for items in (_intro_items, _search_items, _synthesis_items, _results_items, _other_items):
        out.update(items(facts))
    return out


def _intro_items(f: _Facts) -> dict[str, Found]:
    """Title, abstract, rationale, objectives and eligibility (items 1 to 5)."""
    protocol, kind, at, none = f.protocol, f.kind, f.at, _NONE
    out: dict[str, Found] = {}
    out["1"] = (
        (REPORTED, f"Title line of every page: {kind_line(protocol)}", at.methods(""))
        if kind and kind.type
        else none
    )
    out["2"] = (REPORTED, f"{METHODS}: Structured abstract", at.methods("abstract"))
    rationale = _protocol_text(f.evidence, "rationale")
    out["3"] = (
        (REPORTED, f"{METHODS}: Structured abstract (Background)", at.methods("abstract"))
        if rationale
        else none
    )
    eligibility = at.methods("eligibility")
    out["4"] = (
        (REPORTED, f"{METHODS}: Question and eligibility criteria", eligibility)
        if protocol and protocol.question
        else none
    )
    out["5"] = (
        (
            REPORTED if protocol.eligibility else PARTLY,
            f"{METHODS}: Question and eligibility criteria",
            eligibility,
        )
        if protocol
        else none
    )
    return out


def _search_items(f: _Facts) -> dict[str, Found]:
    """Information sources, search, selection, data collection and risk of bias (items 6
    to 11)."""
    search, people, at, none = f.search, f.people, f.at, _NONE
    recorded = f.recorded
    eligibility = at.methods("eligibility")
    out: dict[str, Found] = {}
    sources = bool((search and search.sources) or recorded("search_log.csv"))
    out["6"] = (
        (
            REPORTED if search and search.dates else PARTLY,
            f"{METHODS}: Information sources; Kind of review and search (dates)"
            + ("" if search and search.dates else ": search dates not recorded"),
            at.methods("sources") + at.methods("kind", "Kind of review and search"),
        )
        if sources
        else none
    )
    out["7"] = (
        (REPORTED, f"{METHODS}: Kind of review and search (search strategies)", at.methods("kind"))
        if search and search.strategies
        else (NOT_REPORTED, "no search strategy is recorded", ())
    )
    for item, value in (
        ("8", search.selection if search else ""),
        ("9", search.extraction if search else ""),
    ):
        out[item] = (
            (
                REPORTED if people else PARTLY,
                f"{METHODS}: Kind of review and search"
                + ("" if people else ": the number of people is not recorded"),
                at.methods("kind"),
            )
            if value
            else none
        )
    out["10a"] = (
        REPORTED,
        f"{METHODS}: Question and eligibility criteria (outcomes)",
        eligibility,
    )
    out["10b"] = (
        (REPORTED, f"{REPORTS}: Included studies", at.reports("studies"))
        if recorded("study_characteristics.csv")
        else none
    )
    out["11"] = (
        (
            REPORTED if people else PARTLY,
            f"{METHODS}: Risk of bias"
            + ("" if people else ": the number of assessors is not recorded"),
            at.methods("risk_of_bias"),
        )
        if recorded("risk_of_bias.csv")
        else none
    )
    return out


def _synthesis_items(f: _Facts) -> dict[str, Found]:
    """Effect measures, synthesis, reporting bias, certainty and study selection (items 12
    to 16b)."""
    at, none, recorded = f.at, _NONE, f.recorded
    out: dict[str, Found] = {}
    synthesis = at.methods("synthesis")
    out["12"] = (REPORTED, f"{METHODS}: Effect measures and synthesis", synthesis)
    out["13a"] = (
        REPORTED,
        f"{METHODS}: Effect measures and synthesis (what is pooled)",
        synthesis,
    )
    out["13b"] = (
        REPORTED,
        f"{METHODS}: Data extraction and provenance (derivations)",
        at.methods("extraction"),
    )
    out["13c"] = (
        REPORTED,
        f"{REPORTS}: forest plots, data rows, summary of findings",
        at.reports("forest"),
    )
    out["13d"] = (
        REPORTED,
        f"{METHODS}: Effect measures and synthesis (model, τ² method)",
        synthesis,
    )
    out["13e"] = (
        REPORTED,
        f"{METHODS}: Exploring causes of heterogeneity",
        at.methods("reporting-heterogeneity-methods"),
    )
    out["13f"] = (
        REPORTED,
        f"{METHODS}: Sensitivity analyses",
        at.methods("reporting-sensitivity-methods"),
    )
    grade = recorded("grade.csv")
    out["14"] = (
        REPORTED if grade else PARTLY,
        f"{METHODS}: Risk of bias due to missing results",
        at.methods("reporting-bias-methods"),
    )
    out["15"] = (
        (REPORTED, f"{METHODS}: Certainty of the evidence", at.methods("certainty"))
        if grade
        else none
    )
    selection = recorded("search_log.csv")
    out["16a"] = (
        (REPORTED, f"{METHODS}: Study selection", at.methods("selection")) if selection else none
    )
    out["16b"] = (
        (
            REPORTED,
            f"{OVERVIEW}: Study selection (excluded studies with reasons)",
            at.overview("selection"),
        )
        if selection
        else none
    )
    return out


def _results_items(f: _Facts) -> dict[str, Found]:
    """Study characteristics, risk of bias, results and certainty (items 17 to 22)."""
    at, none, recorded, analyses = f.at, _NONE, f.recorded, f.analyses
    plan = f.protocol.plan if f.protocol else None
    grade = recorded("grade.csv")
    methods = {s.id: s for s in analysis_methods(f.evidence, analyses)}
    out: dict[str, Found] = {}
    out["17"] = (REPORTED, f"{REPORTS}: Included studies", at.reports("studies"))
    out["18"] = (
        (REPORTED, f"{REPORTS}: Risk of bias", at.reports("risk_of_bias"))
        if recorded("risk_of_bias.csv")
        else none
    )
    out["19"] = (REPORTED, f"{REPORTS}: data rows and forest plots", at.reports("rows"))
    out["20a"] = (
        REPORTED,
        f"{REPORTS}: summary of findings and evidence profile",
        at.reports("sof"),
    )
    out["20b"] = (REPORTED, f"{REPORTS}: forest plots and heterogeneity", at.reports("forest"))
    two, three = pooled_count(analyses, 2), pooled_count(analyses, SENSITIVITY_MIN_K)
    explored = bool(plan and any(a.subgroup or a.moderators for a in plan.analyses.values()))
    out["20c"] = (
        (REPORTED, f"{REPORTS}: Forest plots (declared analyses)", at.reports("forest"))
        if explored and two
        else (
            NOT_APPLICABLE,
            f"{METHODS}: Exploring causes of heterogeneity: "
            + methods["reporting-heterogeneity-methods"].sentences[-1 if not two else 0],
            at.methods("reporting-heterogeneity-methods"),
        )
    )
    out["20d"] = (
        (
            REPORTED,
            f"{REPORTS}: Heterogeneity and sensitivity",
            at.reports("heterogeneity"),
        )
        if three
        else (
            NOT_APPLICABLE,
            f"{METHODS}: Sensitivity analyses: "
            + methods["reporting-sensitivity-methods"].sentences[-1],
            at.methods("reporting-sensitivity-methods"),
        )
    )
    out["21"] = (
        (
            REPORTED,
            f"{REPORTS}: evidence profile (publication bias, with its reason)",
            at.reports("sof"),
        )
        if grade
        else none
    )
    out["22"] = (REPORTED, f"{REPORTS}: summary of findings", at.reports("sof")) if grade else none
    return out


def _other_items(f: _Facts) -> dict[str, Found]:
    """Discussion and other information (items 23a to 27)."""
    at, none, kind = f.at, _NONE, f.kind
    out: dict[str, Found] = {}
    out["23a"] = f.said("interpretation", "reporting-interpretation", "Discussion")
    out["23b"] = (REPORTED, f"{REPORTS}: Limitations", at.reports("limitations"))
    out["23c"] = (
        (
            REPORTED,
            f"{METHODS}: Kind of review and search (limitations of the review process)",
            at.methods("kind"),
        )
        if kind
        else none
    )
    out["23d"] = f.said("implications", "reporting-implications", "Discussion")
    for item, key in (
        ("24a", "registration"),
        ("24b", "protocol"),
        ("24c", "amendments"),
        ("25", "funding"),
        ("26", "competing_interests"),
        ("27", "data_availability"),
    ):
        anchor, heading = OTHER_INFORMATION[key]
        out[item] = f.said(key, anchor, heading)
    return out


def prisma_checklist(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> tuple[ChecklistItem, ...]:
    """The 42 PRISMA 2020 items (27 with sub-items) of an evidence base, each with its status
    (``reported``, ``partly reported``, ``not applicable``, ``not reported``), where it is
    addressed and the links to that place in the reports.

    ``analyses`` (default: every analysis of the evidence) tell whether any analysis pools
    enough studies for investigations of heterogeneity and sensitivity analyses to apply.
    """
    found = _status(evidence, analyses_of(evidence, analyses))
    return tuple(
        ChecklistItem(item, section, topic, asks, *found.get(item, (NOT_REPORTED, "", ())))
        for item, section, topic, asks in CHECKLIST
    )


def prisma_checklist_title_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> HtmlBlock:
    """The checklist page's heading, with the kind of review on its title line."""
    protocol = evidence.protocol
    title = protocol.title if protocol else "Evidence summary"
    items = prisma_checklist(evidence, analyses)
    counts = {s: sum(i.status == s for i in items) for s in STATUSES}
    return render(
        "title.html.j2",
        heading=f"{title}: PRISMA 2020 checklist",
        kind=kind_line(protocol),
        subtitle=(
            f"{len(items)} items of the PRISMA 2020 checklist (27 with their sub-items): "
            f"{counts[REPORTED]} reported, {counts[PARTLY]} partly reported, "
            f"{counts[NOT_APPLICABLE]} not applicable, {counts[NOT_REPORTED]} not reported."
        ),
    )


def prisma_checklist_html(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> HtmlBlock:
    """The checklist as a table: item, topic, what it asks, status and where (with links),
    after a line counting the items of each status."""
    items = prisma_checklist(evidence, analyses)
    counts = [(s, sum(i.status == s for i in items)) for s in STATUSES]
    return render("prisma_checklist.html.j2", items=items, counts=counts)


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
                f" Searched: {kind.search.dates.rstrip('.')}."
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
