"""The footer every report ends with: the data version and the files not found."""

from __future__ import annotations

from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.present.wording import protocol_of


def data_version_html(evidence: Evidence) -> HtmlBlock:
    """The data version: the date the data were last curated (the protocol's ``data_date``)
    and the study table's SHA-256, and the optional files the reports did not find."""
    return render(
        "data_version.html.j2",
        sha256=evidence.studies.sha256,
        date=protocol_of(evidence).data_date,
        missing=[m for m in evidence.missing if m not in evidence.empty],
        empty=list(evidence.empty),
        note=text.reanalysis_note(evidence.protocol),
    )
