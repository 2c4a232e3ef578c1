"""The data behind each claim of an audited text, and the audit of its reference list.

The rows behind a claim (:func:`claim_rows`) and what they lack (:func:`claim_gaps`) are data;
the words shown beside a claim are made from them in :mod:`evsum.present.audit_sections`, so a
corrected study row changes the report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.io import read_text
from evsum.ingest.references import parse_reference_list
from evsum.ingest.schema import split_list
from evsum.review.citations import CitationAudit, audit_references


def audit_source_references(evidence: Evidence, path: str | Path | None = None) -> CitationAudit:
    """Audit the text's reference list against the evidence's ``references.json``.

    ``path`` defaults to ``source_references.txt`` in the evidence's data folder.
    """
    path = Path(evidence.data_dir) / "source_references.txt" if path is None else Path(path)
    entries = parse_reference_list(read_text(path))
    return audit_references(entries, evidence.references, source=path.name)


# --------------------------------------------------------------------------- data behind a claim


def claim_rows(claim: pd.Series, studies: pd.DataFrame) -> pd.DataFrame:
    """The study rows a claim maps to: its studies, restricted to its outcomes if any."""
    ids = split_list(claim["study_ids"])
    outcomes = split_list(claim["outcomes"])
    rows = studies[studies["study_id"].isin(ids)]
    if outcomes:
        rows = rows[rows["outcome"].isin(outcomes)]
    order = {s: i for i, s in enumerate(ids)}
    return rows.sort_values("study_id", key=lambda s: s.map(order), kind="stable")


def _words(key: str) -> str:
    return key.replace("_", " ")


def claim_gaps(claim: pd.Series, studies: pd.DataFrame, label=_words) -> list[str]:
    """What the data lack for a claim: no study mapped, or mapped outcomes no row reports;
    each outcome worded by ``label`` (the protocol's ``outcome_label``)."""
    rows = claim_rows(claim, studies)
    ids = split_list(claim["study_ids"])
    outcomes = split_list(claim["outcomes"])
    if not ids:
        if outcomes:
            found = studies[studies["outcome"].isin(outcomes)]["study_id"].nunique()
            return [
                f"No study is mapped; {found} studies in the data report "
                + ", ".join(label(o) for o in outcomes)
            ]
        return ["No study in the evidence base is mapped to this claim"]
    gaps = []
    without = [s for s in ids if s not in set(rows["study_id"])]
    if without:
        what = ", ".join(label(o) for o in outcomes) or "any outcome"
        gaps.append(f"No row for {what} in: {', '.join(without)}")
    absent = [o for o in outcomes if not (rows["outcome"] == o).any()]
    if absent:
        gaps.append("No mapped study reports " + ", ".join(label(o) for o in absent))
    return gaps
