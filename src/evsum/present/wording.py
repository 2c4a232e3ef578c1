"""Which protocol words a block: the one given, the evidence's, or a generic one."""

from __future__ import annotations

from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import Protocol
from evsum.review.analysis import OutcomeAnalysis

#: Wording used when an evidence base has no protocol file.
GENERIC_PROTOCOL = Protocol(
    title="Evidence summary", question="", intervention="intervention", comparator="comparator"
)


def protocol_of(
    source: Evidence | tuple[OutcomeAnalysis, ...] | None, protocol: Protocol | None = None
) -> Protocol:
    """The protocol to word a block with: the one given, else the evidence's (or the
    analyses'), else :data:`GENERIC_PROTOCOL`."""
    if protocol is not None:
        return protocol
    if isinstance(source, Evidence):
        return source.protocol or GENERIC_PROTOCOL
    for analysis in source or ():
        found = getattr(analysis, "protocol", None)
        if found is not None:
            return found
    return GENERIC_PROTOCOL


def capital(words: str) -> str:
    """``words`` with its first letter capitalised (the rest unchanged)."""
    return words[:1].upper() + words[1:]
