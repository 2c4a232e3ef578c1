"""The kind of review on the page: the title line of every report, the methods page's
"Kind of review and search" section, the limitations of the review process, the flow of the
studies checked (for kinds a PRISMA 2020 diagram does not fit) and the audited text's
identity.

Every block renders a template of ``templates/review_kind/``; the words come from the
protocol (``evsum.ingest.review_kind``).
"""

from __future__ import annotations

from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present.html import HtmlBlock, render
from evsum.review.selection import PrismaFlow, prisma_flow

__all__ = [
    "kind_line",
    "outcome_measure",
    "review_kind_html",
    "review_process_limitations",
    "source_text_html",
    "studies_checked_flow_html",
    "thresholds_words",
]


def kind_line(protocol: Protocol | None) -> str:
    """The words every page's title line uses for the kind of review ('' without a
    protocol, as for fictional examples built in code)."""
    if protocol is None:
        return ""
    return protocol.kind.label


def outcome_measure(protocol: Protocol | None, condition: str | None, outcome: str) -> str:
    """How an outcome was measured (instrument and scale) for a condition, from the
    protocol's ``[outcome_measures]`` (``"condition.outcome"`` first, then ``"outcome"``);
    ``""`` when not stated."""
    if protocol is None:
        return ""
    measures = protocol.kind.outcome_measures
    return measures.get(f"{condition}.{outcome}") or measures.get(outcome) or ""


def review_process_limitations(protocol: Protocol | None) -> tuple[str, ...]:
    """The limitations of the review process that follow from the kind and the search."""
    return () if protocol is None else protocol.kind.limitations()


def thresholds_words(protocol: Protocol | None) -> str:
    """One sentence with the thresholds the GRADE judgements rest on (methods page and the
    summary of findings' footnotes)."""
    if protocol is None:
        return ""
    t = protocol.kind.thresholds
    said = "stated in the protocol" if t.stated else "GRADE's rules of thumb (none stated)"
    return (
        f"Thresholds ({said}): for ratios an important effect from {t.ratio_mid:g} "
        f"(or {1 / t.ratio_mid:.2g}) and a large one from {t.ratio_large:g} "
        f"(or {1 / t.ratio_large:.2g}); for a standardised mean difference {t.smd_mid:g} and "
        f"{t.smd_large:g}; an outcome's own minimal important difference, where the protocol "
        "gives one, takes precedence."
    )


def review_kind_html(evidence: Evidence) -> HtmlBlock:
    """The methods page's "Kind of review and search": the kind, what the search was (sources,
    dates, strategies, selection, extraction, people), what was not done, and the limitations
    of the review process that follow."""
    protocol = evidence.protocol
    kind = protocol.kind if protocol else None
    return render(
        "review_kind/methods.html.j2",
        kind=kind,
        label=kind_line(protocol) or "Kind of review not stated (no protocol)",
        limitations=review_process_limitations(protocol),
        thresholds=thresholds_words(protocol),
    )


def studies_checked_flow_html(evidence: Evidence, flow: PrismaFlow | None = None) -> HtmlBlock:
    """The flow of the studies checked, for a kind of review that did not search databases:
    where the candidates came from, how many were checked and what was decided, with no
    PRISMA 2020 box that implies a database search or a screening stage."""
    flow = flow or prisma_flow(evidence)
    protocol = evidence.protocol
    return render(
        "review_kind/flow.html.j2",
        label=kind_line(protocol),
        flow=flow,
        sources=[s for s in flow.sources],
    )


def source_text_html(protocol: Protocol | None) -> HtmlBlock:
    """Which text a claims audit checks: title, publisher, address and date read, each
    "not recorded" where the protocol does not say."""
    source = protocol.kind.source_text if protocol else None
    return render("review_kind/source_text.html.j2", source=source)
