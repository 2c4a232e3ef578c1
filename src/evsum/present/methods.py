"""The methods page: question, sources, selection (PRISMA 2020), extraction, risk of bias,
synthesis, certainty. Every block is rendered from a Jinja2 template in
``templates/methods/`` with autoescaping on; no markup is built in Python strings.

The templates are rendered in evsum's one environment (:mod:`evsum.present.html`), which
escapes every value and closes each value's bidi overrides.
"""

from __future__ import annotations

from pathlib import PurePath

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.figures.prisma import prisma_diagram
from evsum.present.html import HtmlBlock, render, svg_data_uri
from evsum.present.review_kind import kind_line, studies_checked_flow_html
from evsum.review.selection import RECORD_SOURCES, PrismaFlow, prisma_flow
from evsum.vocab import (
    DESIGN_GRADE_START,
    DESIGNS,
    GRADE_DOMAINS,
    MEASURE_LABELS,
    METHOD_ALIASES,
    METHOD_LABELS,
    ROB_DOMAIN_LABELS,
)

#: How a source kind is named on the methods page.
SOURCE_KIND_LABELS: dict[str, str] = {
    "database": "bibliographic database",
    "register": "trial register",
    "other": "other method",
}


def _render(name: str, **context) -> HtmlBlock:
    """``templates/methods/<name>`` in evsum's one template environment
    (:func:`evsum.present.html.environment`: every value escaped, its bidi overrides closed)."""
    return render(f"methods/{name}", **context)


def methods_title_html(evidence: Evidence) -> HtmlBlock:
    """The page heading: the review's title (from the protocol) and "methods"."""
    protocol = evidence.protocol
    return _render(
        "title.html.j2",
        title=protocol.title if protocol else "",
        kind=kind_line(protocol),
        studies=int(evidence.studies.data["study_id"].nunique()),
        rows=len(evidence.studies.data),
        note=text.reanalysis_note(protocol),
    )


def eligibility_html(evidence: Evidence) -> HtmlBlock:
    """Question and eligibility: what the protocol records (conditions, comparisons,
    outcomes with their direction and importance), and the study designs in the data."""
    protocol = evidence.protocol
    designs = [  # each with the level GRADE starts its evidence at
        f"{DESIGNS.get(d, d)} (GRADE starts at {DESIGN_GRADE_START.get(d, 'low')})"
        for d in sorted(set(evidence.studies.data["design"]))
    ]
    # the protocol's file name, never the machine's path to it
    source = PurePath(protocol.source).name if protocol and protocol.source else ""
    return _render("eligibility.html.j2", protocol=protocol, designs=designs, source=source)


def information_sources_html(evidence: Evidence, flow: PrismaFlow | None = None) -> HtmlBlock:
    """Each source of records with its kind, the records it gave and what was read of it."""
    flow = flow or prisma_flow(evidence)
    rows = [
        {
            "label": s.label,
            "kind": SOURCE_KIND_LABELS[s.kind],
            "records": s.records,
            "note": s.note,
        }
        for kind in RECORD_SOURCES
        for s in flow.sources_of(kind)
    ]
    dated = "search_date" in evidence.search_log.columns
    protocol = evidence.protocol
    return _render(
        "sources.html.j2",
        rows=rows,
        recorded=flow.recorded,
        dated=dated,
        dates=protocol.kind.search.dates if protocol is not None else "",  # [search] dates
        absence=evidence.absence("search_log.csv") or "search_log.csv lists no candidates",
    )


def prisma_alt_text(flow: PrismaFlow) -> str:
    """One or two sentences saying what the PRISMA diagram shows, from its counts."""
    if not flow.recorded:
        return (
            "PRISMA 2020 flow diagram: no search log was recorded, so every count is not recorded."
        )

    def n(value: int | None) -> str:
        return "not recorded" if value is None else str(value)

    return (
        f"PRISMA 2020 flow diagram. Records identified: {n(flow.records_identified)}; "
        f"duplicates removed: {n(flow.duplicates_removed)}; screened: "
        f"{n(flow.records_screened)}; reports excluded with reasons: "
        f"{n(flow.reports_excluded_total)}. Studies included: {n(flow.studies_included)}; "
        f"ongoing: {n(flow.ongoing)}; awaiting classification: "
        f"{n(flow.awaiting_classification)}."
    )


def prisma_figure_html(evidence: Evidence, flow: PrismaFlow | None = None) -> HtmlBlock:
    """The PRISMA 2020 flow diagram as an image with a text alternative and a caption."""
    flow = flow or prisma_flow(evidence)
    if evidence.protocol is not None and not evidence.protocol.kind.prisma:
        return studies_checked_flow_html(evidence, flow)  # no database search: no PRISMA boxes
    src = svg_data_uri(prisma_diagram(flow))  # vector, its words as text
    return _render("prisma.html.j2", src=src, alt=prisma_alt_text(flow), recorded=flow.recorded)


def extraction_html(evidence: Evidence) -> HtmlBlock:
    """Data extraction and provenance rules, with how many rows of each kind the data hold
    (data level, source type, and what the numbers were read in: abstract only, full paper,
    …)."""
    data = evidence.studies.data
    levels = data["data_level"].value_counts().to_dict()
    sources = data["source_type"].value_counts().to_dict()
    read_in = data["source_kind"].map(text.source_kind).value_counts().to_dict()
    return _render(
        "extraction.html.j2",
        rows=len(data),
        levels=levels,
        sources=sources,
        read_in=read_in,
        reanalysis=text.reanalysis_note(evidence.protocol),
    )


def risk_of_bias_tools_html(evidence: Evidence) -> HtmlBlock:
    """The risk-of-bias tools used, their domains and how many studies each assessed."""
    rob = evidence.risk_of_bias
    tools = []
    for tool, labels in ROB_DOMAIN_LABELS.items():
        used = rob[rob["tool"] == tool] if len(rob) else rob
        tools.append(
            {
                "tool": tool,
                "studies": int(used["study_id"].nunique()) if len(used) else 0,
                "domains": [labels[d] for d in labels if d != "overall"],
            }
        )
    return _render(
        "risk_of_bias.html.j2",
        tools=tools,
        recorded=bool(len(rob)),
        absence=evidence.absence("risk_of_bias.csv") or "risk_of_bias.csv has no rows",
    )


def synthesis_html(evidence: Evidence, *, method: str = "") -> HtmlBlock:
    """Effect measures and synthesis: what is pooled and how, what never is, single studies,
    the τ² method and how p-values are shown; with a declared plan, the plan item by item of
    PRISMA 2020 13a to 13f (:func:`evsum.present.plan.plan_statement`). An empty ``method``
    is the protocol's."""
    data = evidence.studies.data
    measures = sorted({m for m in data["effect_measure"] if isinstance(m, str) and m})
    if not method:  # the protocol's [synthesis] (REML when it has none)
        protocol = evidence.protocol
        method = protocol.plan.synthesis.pooling_method if protocol is not None else "REML"
    method = METHOD_ALIASES.get(method, method)
    block = _render(
        "synthesis.html.j2",
        method=method,
        method_label=METHOD_LABELS.get(method, method),
        measures=[MEASURE_LABELS.get(m, m) for m in measures],
    )
    from evsum.present.plan import plan_statement

    items = plan_statement(evidence.protocol)
    return block if items is None else HtmlBlock(block + _render("plan.html.j2", items=items))


def certainty_html(evidence: Evidence) -> HtmlBlock:
    """Certainty assessment: GRADE domains and how many outcome comparisons were rated."""
    grade = evidence.grade
    levels = grade["certainty"].value_counts().to_dict() if len(grade) else {}
    return _render(
        "certainty.html.j2",
        rated=len(grade),
        levels=levels,
        domains=[d.replace("_", " ") for d in GRADE_DOMAINS],
        absence=evidence.absence("grade.csv") or "grade.csv has no rows",
    )
