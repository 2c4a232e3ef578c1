"""Report headings: the condition report's title and the overview's."""

from __future__ import annotations

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.present.review_kind import kind_line as _kind_line
from evsum.present.wording import capital, protocol_of
from evsum.review.analysis import OutcomeAnalysis


def title_html(
    condition: str,
    method: str,
    *,
    protocol: Protocol | None = None,
    analyses: tuple[OutcomeAnalysis, ...] | None = None,
) -> HtmlBlock:
    """The report's heading: ``<Intervention> for <condition label>`` with the protocol's
    words (without a protocol, ``Evidence summary: <condition>``).

    The subtitle names the pooling method only where something is pooled: given the
    condition's ``analyses`` and none of them pools two or more studies, it says so instead.
    """
    if not method:  # the plan's method (REML when the protocol has no [synthesis])
        method = protocol.plan.synthesis.pooling_method if protocol is not None else "REML"
    method = {"Peto": "PETO", "EE": "FE"}.get(method, method)
    if protocol is None:
        heading = f"Evidence summary: {condition}"
    else:
        label = protocol.condition_label(condition)
        heading = text.close_bidi(protocol.wording.title(protocol.intervention, label) or "") or (
            f"{text.close_bidi(capital(protocol.intervention))} for "
            f"{text.close_bidi(label.lower())}"
        )
    pooled = analyses is None or any(a.result is not None and a.result.k >= 2 for a in analyses)
    subtitle = (
        f"Evidence summary; pooling method: {vocab.METHOD_LABELS.get(method, method)}."
        if pooled
        else "Evidence summary; no analysis pools two or more studies, so each result is "
        "a single study's."
    )
    return render(
        "title.html.j2",
        heading=heading,
        subtitle=subtitle,
        kind=_kind_line(protocol),
        note=text.reanalysis_note(protocol),
    )


def overview_title_html(evidence: Evidence) -> HtmlBlock:
    """Heading of the overview report with the size of the evidence base."""
    data = evidence.studies.data
    return render(
        "title.html.j2",
        heading=f"{text.close_bidi(protocol_of(evidence).title)}: overview",
        kind=_kind_line(evidence.protocol),
        subtitle=(
            f"{text.plural(data['study_id'].nunique(), 'study', 'studies')}, "
            f"{text.plural(len(data), 'data row')}, "
            f"{text.plural(len(evidence.studies.conditions), 'condition')}."
        ),
        note=text.reanalysis_note(evidence.protocol),
    )
