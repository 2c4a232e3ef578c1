"""The data behind each claim of an audited text, and the audit of its reference list.

Every number shown beside a claim is built from the mapped rows of ``studies.csv`` by
:func:`claim_data_summary`, so a corrected study row changes the report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evsum import vocab as schema
from evsum.ingest.claims import ClaimTable, split_list
from evsum.ingest.evidence import Evidence
from evsum.ingest.io import read_text
from evsum.ingest.printed import printed
from evsum.ingest.references import parse_reference_list
from evsum.review.citations import CitationAudit, audit_references


def audit_source_references(evidence: Evidence, path: str | Path | None = None
                            ) -> CitationAudit:
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


def _int(value) -> str:
    return "?" if pd.isna(value) else str(int(value))


def row_result(row: pd.Series) -> str:
    """The numbers of one study row in words: ``13/27 vs 3/28`` or ``HR 0.47 (0.24 to 0.92)``."""
    parts = []
    if not pd.isna(row["events_intervention"]) and not pd.isna(row["events_comparator"]):
        parts.append(f"{_int(row['events_intervention'])}/{_int(row['n_intervention'])} vs "
                     f"{_int(row['events_comparator'])}/{_int(row['n_comparator'])}")
    elif not pd.isna(row["mean_intervention"]) and not pd.isna(row["mean_comparator"]):
        parts.append(f"mean {printed(row, 'mean_intervention')} (SD "
                     f"{printed(row, 'sd_intervention')}, n {_int(row['n_intervention'])}) vs "
                     f"{printed(row, 'mean_comparator')} (SD {printed(row, 'sd_comparator')}, "
                     f"n {_int(row['n_comparator'])})")
    if not pd.isna(row["effect"]):
        ci = ("" if pd.isna(row["ci_low"]) or pd.isna(row["ci_high"])
              else f" (95% CI {printed(row, 'ci_low')} to {printed(row, 'ci_high')})")
        parts.append(f"{row['effect_measure']} {printed(row, 'effect')}{ci}")
    if not parts:
        parts.append("no usable numbers")
    level = row["data_level"] + ("" if row["source_type"] == "primary"
                                 else f", {row['source_type']} source")
    return f"{'; '.join(parts)} [{level}]"


def study_summary(rows: pd.DataFrame) -> str:
    """One study's mapped rows: design, comparator type, n, then each outcome's result."""
    first = rows.iloc[0]
    design = schema.DESIGNS.get(first["design"], first["design"]).lower()
    if pd.isna(first["n_intervention"]) and pd.isna(first["n_comparator"]):
        n = "n per arm not reported"
    elif pd.isna(first["n_comparator"]):
        n = f"n {_int(first['n_intervention'])}"
    else:
        n = f"n {_int(first['n_intervention'])} vs {_int(first['n_comparator'])}"
    results = "; ".join(f"{r['outcome'].replace('_', ' ')} at {r['timepoint']}: {row_result(r)}"
                        for _, r in rows.iterrows())
    return (f"{first['first_author']} {first['year']} ({first['condition']}; {design}; "
            f"comparator: {first['comparator_type']}; {n}): {results}")


def claim_data_summary(claim: pd.Series, studies: pd.DataFrame) -> str:
    """What the mapped study rows say, in one string (the numbers shown beside a claim).

    Examples
    --------
    >>> import evsum
    >>> ev = evsum.example_evidence()
    >>> claim = pd.Series({"study_ids": "aalto2001", "outcomes": "abstinence"})
    >>> claim_data_summary(claim, ev.studies.data).startswith("Aalto 2001 (")
    True
    """
    rows = claim_rows(claim, studies)
    parts = [study_summary(group) for _, group in rows.groupby("study_id", sort=False)]
    return ". ".join(parts + claim_gaps(claim, studies)) + "."


def claim_gaps(claim: pd.Series, studies: pd.DataFrame) -> list[str]:
    """What the data lack for a claim: no study mapped, or mapped outcomes no row reports."""
    rows = claim_rows(claim, studies)
    ids = split_list(claim["study_ids"])
    outcomes = split_list(claim["outcomes"])
    if not ids:
        if outcomes:
            found = studies[studies["outcome"].isin(outcomes)]["study_id"].nunique()
            return [f"No study is mapped; {found} studies in the data report "
                    + ", ".join(o.replace("_", " ") for o in outcomes)]
        return ["No study in the evidence base is mapped to this claim"]
    gaps = []
    without = [s for s in ids if s not in set(rows["study_id"])]
    if without:
        what = ", ".join(o.replace("_", " ") for o in outcomes) or "any outcome"
        gaps.append(f"No row for {what} in: {', '.join(without)}")
    absent = [o for o in outcomes if not (rows["outcome"] == o).any()]
    if absent:
        gaps.append("No mapped study reports " + ", ".join(o.replace("_", " ") for o in absent))
    return gaps


def claims_frame(claims: ClaimTable, evidence: Evidence) -> pd.DataFrame:
    """The claims with ``data_summary`` (from :func:`claim_data_summary`) added."""
    data = claims.data.copy()
    studies = evidence.studies.data
    data["data_summary"] = [claim_data_summary(row, studies) for _, row in data.iterrows()]
    return data
