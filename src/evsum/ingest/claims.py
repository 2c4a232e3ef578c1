"""Claims of an audited text (``data/claims.csv``): reading and validation.

Each claim quotes the text, says what kind of claim it is, which reference the text cites for
it, which studies and outcomes of the evidence base bear on it, and a verdict on the scale
:data:`VERDICTS`. The written rationale holds no numbers: every number shown beside a claim is
built from the mapped rows of ``studies.csv`` by :func:`claim_data_summary`, so a corrected
study row changes the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.evidence import Evidence
from evsum.ingest.io import LINE, read_text, read_with_partial
from evsum.ingest.protocol import DEFAULT_CLAIM_TYPES, Protocol
from evsum.ingest.references import parse_reference_list
from evsum.ingest.studies import CONTROL_PATTERN

#: Columns of ``claims.csv``, in file order.
CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "quote",
    "section",
    "claim_type",
    "cited_reference",
    "reference_id",
    "study_ids",
    "outcomes",
    "verdict",
    "rationale",
)
#: Verdict scale, from best to worst support, with its meaning.
VERDICTS: dict[str, str] = {
    "supported": "the mapped evidence shows what the claim says, as strongly as it says it",
    "partly supported": "part of the claim is shown, or only for a narrower population, "
    "outcome or comparison than the claim states",
    "overstated": "the evidence points the same way, but the claim states more certainty, "
    "generality, size, duration or study strength than the evidence has",
    "not supported": "the cited or mapped evidence does not show it, is about something else "
    "(another population, design or outcome), or shows no difference",
    "not assessable from the cited evidence": "nothing cited or in the evidence base can "
    "check it (including anecdotes)",
}
#: Kinds of claim when the protocol declares none (``[claim_types]`` of ``evsum.toml``).
CLAIM_TYPES: dict[str, str] = DEFAULT_CLAIM_TYPES
_CLAIM_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*\Z")
#: Numbers that are not four-digit years (rationales cite no numbers; the data summary does).
_NUMBER = re.compile(r"(?<![\w.])(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?%?")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")


@dataclass(frozen=True)
class ClaimTable:
    """Validated claims (``data`` holds the CSV's columns plus ``line``, all ``str``)."""

    data: pd.DataFrame
    source: str

    def verdict_counts(self) -> dict[str, int]:
        """Number of claims per verdict, in the order of :data:`VERDICTS` (zeros kept)."""
        counts = self.data["verdict"].value_counts()
        return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICTS}


def split_list(value: str) -> list[str]:
    """The ``;``-separated items of a cell, stripped, empty ones left out."""
    return [part.strip() for part in value.split(";") if part.strip()]


def validate_claims(
    frame: pd.DataFrame,
    source: str,
    *,
    study_ids: set[str] | None = None,
    reference_ids: set[str] | None = None,
    reference_keys: set[str] | None = None,
    protocol: Protocol | None = None,
) -> ClaimTable:
    """Check a claims frame (from :func:`evsum.ingest.io.read_csv_records`); report every problem.

    Parameters
    ----------
    frame : pandas.DataFrame
        All columns as ``str`` plus ``line``.
    source : str
        File name for messages.
    study_ids, reference_ids : set of str, optional
        Known ``study_id`` values and ``references.json`` ids; unknown ones are problems.
    reference_keys : set of str, optional
        In-text keys of the audited text's reference list (``Krupitsky et al. (2002)``): each
        ``cited_reference`` must be one of them, and each of them needs a claim.
    protocol : Protocol, optional
        The review protocol: ``claim_type`` must be one of its claim types (default
        :data:`CLAIM_TYPES`) and each of ``outcomes`` one of its outcomes (not checked
        without a protocol).

    Raises
    ------
    StudyDataError
        Listing every problem (file, line, claim, column, value, what was expected).
    """
    missing = [c for c in CLAIM_COLUMNS if c not in frame.columns]
    if missing:
        raise StudyDataError(
            source,
            [
                Problem(
                    source, 1, None, ", ".join(missing), "the columns " + ", ".join(CLAIM_COLUMNS)
                )
            ],
        )
    problems: list[Problem] = [
        Problem(
            source, 1, c, c, "only the columns of data/README.md (misspelled or renamed column?)"
        )
        for c in frame.columns
        if c != LINE and c not in CLAIM_COLUMNS
    ]
    claim_types = CLAIM_TYPES if protocol is None else protocol.claim_types
    outcomes = None if protocol is None else protocol.outcomes
    where = "" if protocol is None else f" of {protocol.source or 'the protocol'}"

    def add(row: pd.Series, column: str, value: str | None, expected: str) -> None:
        problems.append(
            Problem(source, int(row[LINE]), column, value, expected, row["claim_id"] or None)
        )

    for _, row in frame.iterrows():
        for column in CLAIM_COLUMNS:
            if CONTROL_PATTERN.search(row[column]):
                add(row, column, row[column], "text without control characters")

    seen: set[str] = set()
    for _, row in frame.iterrows():
        claim_id = row["claim_id"]
        if not _CLAIM_ID.match(claim_id):
            add(row, "claim_id", claim_id, "an id such as C01 (letters, digits, - or _)")
        elif claim_id in seen:
            add(row, "claim_id", claim_id, "each claim_id once")
        seen.add(claim_id)
        for column in ("quote", "section", "rationale"):
            if not row[column].strip():
                add(row, column, "", "a value")
        if _SENTENCE_BREAK.search(row["quote"].rstrip(".!? ")):
            add(row, "quote", row["quote"], "at most one sentence of the text, verbatim")
        if row["claim_type"] not in claim_types:
            add(
                row,
                "claim_type",
                row["claim_type"],
                f"one of {sorted(claim_types)} (the claim types{where})",
            )
        if row["verdict"] not in VERDICTS:
            add(row, "verdict", row["verdict"], f"one of {list(VERDICTS)}")
        number = _NUMBER.search(row["rationale"])
        if number:
            add(
                row,
                "rationale",
                number.group(0),
                "no numbers other than years: numbers come from the study rows "
                "(the report's data summary)",
            )
        if row["reference_id"] and not row["cited_reference"]:
            add(row, "cited_reference", "", "the text's citation when reference_id is given")
        if (
            reference_ids is not None
            and row["reference_id"]
            and row["reference_id"] not in reference_ids
        ):
            add(row, "reference_id", row["reference_id"], "an id of references.json")
        if (
            reference_keys is not None
            and row["cited_reference"]
            and row["cited_reference"] not in reference_keys
        ):
            add(
                row,
                "cited_reference",
                row["cited_reference"],
                f"a key of the text's reference list: {sorted(reference_keys)}",
            )
        for study in split_list(row["study_ids"]):
            if study_ids is not None and study not in study_ids:
                add(row, "study_ids", study, "study_ids of studies.csv, separated by ';'")
        for outcome in split_list(row["outcomes"]):
            if outcomes is not None and outcome not in outcomes:
                add(row, "outcomes", outcome, f"outcome keys{where}, separated by ';'")
        if (
            row["claim_type"] == "case story"
            and row["verdict"] != "not assessable from the cited evidence"
        ):
            add(
                row,
                "verdict",
                row["verdict"],
                "'not assessable from the cited evidence' for a case story (an anecdote)",
            )
    if reference_keys is not None and "cited_reference" in frame:
        cited = set(frame["cited_reference"])
        for key in sorted(reference_keys - cited):
            problems.append(
                Problem(
                    source,
                    None,
                    "cited_reference",
                    key,
                    "a claim for every entry of the text's reference list",
                )
            )
    if problems:
        raise StudyDataError(source, problems)
    return ClaimTable(frame.reset_index(drop=True), source)


def read_claims(
    path: str | Path,
    *,
    study_ids: set[str] | None = None,
    reference_ids: set[str] | None = None,
    reference_keys: set[str] | None = None,
    protocol: Protocol | None = None,
) -> ClaimTable:
    """Read ``claims.csv`` with :func:`evsum.ingest.io.read_csv_records` and validate it."""
    return read_with_partial(
        path,
        lambda frame: validate_claims(
            frame,
            str(path),
            study_ids=study_ids,
            reference_ids=reference_ids,
            reference_keys=reference_keys,
            protocol=protocol,
        ),
    )


def load_claims(
    evidence: Evidence,
    path: str | Path | None = None,
    *,
    references_path: str | Path | None = None,
) -> ClaimTable:
    """Read and validate the claims against the evidence base and the text's reference list.

    Parameters
    ----------
    evidence : Evidence
        From :func:`evsum.load_evidence`.
    path : str or Path, optional
        Default ``claims.csv`` in the evidence's data folder.
    references_path : str or Path, optional
        The text's printed reference list; default ``source_references.txt`` beside it (not
        checked if absent).

    Raises
    ------
    StudyDataError
        Every problem of the claims file.
    """
    folder = Path(evidence.data_dir)
    path = folder / "claims.csv" if path is None else Path(path)
    references_path = (
        folder / "source_references.txt" if references_path is None else Path(references_path)
    )
    keys = None
    if references_path.exists():
        keys = {e.key for e in parse_reference_list(read_text(references_path)) if e.key}
    return read_claims(
        path,
        study_ids=set(evidence.studies.data["study_id"]),
        reference_ids={r["id"] for r in evidence.references},
        reference_keys=keys,
        protocol=evidence.protocol,
    )


def validate_data(
    studies_path: str | Path | None = None, *, base: str | Path | None = None
) -> tuple[Evidence, ClaimTable | None]:
    """Validate the whole evidence base: protocol, data files, then ``claims.csv`` if present.

    Parameters
    ----------
    studies_path, base : str or Path, optional
        As for :func:`evsum.load_evidence`.

    Raises
    ------
    StudyDataError
        The problems of the evidence files, or else of the claims file.
    """
    from evsum.ingest.evidence import load_evidence

    evidence = load_evidence(studies_path, base=base)
    claims_path = Path(evidence.data_dir) / "claims.csv"
    return evidence, (load_claims(evidence) if claims_path.exists() else None)
