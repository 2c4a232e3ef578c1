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

import numpy as np
import pandas as pd

from evsum.exceptions import Problem
from evsum.ingest.evidence import Evidence
from evsum.ingest.io import LINE, read_text, read_with_partial
from evsum.ingest.protocol import DEFAULT_CLAIM_TYPES, Protocol
from evsum.ingest.references import parse_reference_list
from evsum.ingest.schema import (
    Column,
    Context,
    FileSchema,
    Rule,
    Table,
    Values,
    check_file,
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


def _claims_header(
    frame: pd.DataFrame, source: str, schema: FileSchema
) -> tuple[list[Problem], bool]:
    """Missing columns: one problem that stops the file; extra columns: one problem each."""
    missing = [c for c in schema.names if c not in frame.columns]
    if missing:
        expected = "the columns " + ", ".join(schema.names)
        return [Problem(source, 1, None, ", ".join(missing), expected)], True
    extra = [
        Problem(
            source, 1, c, c, "only the columns of data/README.md (misspelled or renamed column?)"
        )
        for c in frame.columns
        if c != LINE and c not in schema.names
    ]
    return extra, False


def _where(context: Context) -> str:
    protocol = context.protocol
    return "" if protocol is None else f" of {protocol.source or 'the protocol'}"


def _claim_types(context: Context) -> Values:
    """A claim type of the protocol (default :data:`CLAIM_TYPES`)."""
    types = CLAIM_TYPES if context.protocol is None else context.protocol.claim_types
    expected = f"one of {sorted(types)} (the claim types{_where(context)})"
    return Values(tuple(types), expected, when="always")


def _known(attribute: str, expected: str, *, when: str = "nonempty"):
    """The ids of the context's ``attribute`` (not checked when it is not known)."""

    def values(context: Context) -> Values | None:
        known = getattr(context, attribute)
        return None if known is None else Values(known, expected, when=when)

    return values


def _reference_keys(context: Context) -> Values | None:
    keys = context.reference_keys
    if keys is None:
        return None
    expected = f"a key of the text's reference list: {sorted(keys)}"
    return Values(keys, expected, when="nonempty")


def _outcomes(context: Context) -> Values | None:
    if context.protocol is None:
        return None
    expected = f"outcome keys{_where(context)}, separated by ';'"
    return Values(tuple(context.protocol.outcomes), expected)


def _each_id_once(table: Table) -> None:
    """A well-formed ``claim_id`` that an earlier row already has."""
    ids = table.text["claim_id"]
    table.add(
        ~table.unaccepted["claim_id"] & ids.duplicated(keep="first").to_numpy(),
        "claim_id",
        "each claim_id once",
    )


def _rationale_without_numbers(table: Table) -> None:
    """A rationale cites no numbers other than years (the report shows the data's)."""
    found = table.distinct("rationale").map(lambda v: _NUMBER.search(v))
    numbers = np.array([m.group(0) if m else "" for m in found], dtype=object)
    table.add(
        numbers != "",
        "rationale",
        "no numbers other than years: numbers come from the study rows "
        "(the report's data summary)",
        value=numbers,
    )


def _every_reference_claimed(table: Table) -> None:
    """Each entry of the text's reference list needs a claim (a whole-file problem)."""
    keys = table.context.reference_keys
    if keys is None:
        return
    cited = set(table.text["cited_reference"])
    table.problems += [
        Problem(
            table.source,
            None,
            "cited_reference",
            key,
            "a claim for every entry of the text's reference list",
        )
        for key in sorted(set(keys) - cited)
    ]


def _one_sentence(quote: pd.Series, _: Table) -> np.ndarray:
    return np.array([bool(_SENTENCE_BREAK.search(q.rstrip(".!? "))) for q in quote], dtype=bool)


def _citation_for_reference(cited: pd.Series, table: Table) -> np.ndarray:
    return ((table.text["reference_id"] != "") & (cited == "")).to_numpy()


def _case_story_not_assessable(verdict: pd.Series, table: Table) -> np.ndarray:
    story = table.text["claim_type"] == "case story"
    return (story & (verdict != "not assessable from the cited evidence")).to_numpy()


#: ``claims.csv``: one row per claim of the audited text (data/README.md documents it).
CLAIMS = FileSchema(
    "claims.csv",
    (
        Column(
            "claim_id",
            "id",
            values=Values(_CLAIM_ID, "an id such as C01 (letters, digits, - or _)", when="always"),
        ),
        Column(
            "quote",
            required=True,
            rules=(Rule(_one_sentence, "at most one sentence of the text, verbatim"),),
        ),
        Column("section", required=True),
        Column("claim_type", "key", values=_claim_types),
        Column(
            "cited_reference",
            values=_reference_keys,
            rules=(
                Rule(
                    _citation_for_reference,
                    "the text's citation when reference_id is given",
                    value="",
                ),
            ),
        ),
        Column("reference_id", "id", values=_known("reference_ids", "an id of references.json")),
        Column(
            "study_ids",
            "list",
            values=_known("study_ids", "study_ids of studies.csv, separated by ';'"),
        ),
        Column("outcomes", "list", values=_outcomes),
        Column(
            "verdict",
            "vocabulary",
            values=Values(tuple(VERDICTS), f"one of {list(VERDICTS)}", when="always"),
            rules=(
                Rule(
                    _case_story_not_assessable,
                    "'not assessable from the cited evidence' for a case story (an anecdote)",
                ),
            ),
        ),
        Column("rationale", required=True),
    ),
    checks=(_each_id_once, _rationale_without_numbers, _every_reference_claimed),
    id_column="claim_id",
    required_expected="a value",
    header=_claims_header,
)
#: Columns of ``claims.csv``, in file order.
CLAIM_COLUMNS: tuple[str, ...] = CLAIMS.names


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
        Listing every problem (file, line, claim, column, value, what was expected), in
        line order; :data:`CLAIMS` lists the checks.
    """
    context = Context(
        protocol=protocol,
        study_ids=study_ids,
        reference_ids=reference_ids,
        reference_keys=reference_keys,
    )
    frame, _ = check_file(CLAIMS, frame, source, context)
    return ClaimTable(frame, source)


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
    """Validate the whole evidence base: protocol, data files, then the claims audit's files.

    ``claims.csv`` and ``source_sentences.csv`` (the audited text's sentences, each a claim or
    marked background, promotional, heading or reference) are checked when present.

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
    from evsum.ingest.source_sentences import load_source_sentences

    evidence = load_evidence(studies_path, base=base)
    claims_path = Path(evidence.data_dir) / "claims.csv"
    claims = load_claims(evidence) if claims_path.exists() else None
    load_source_sentences(evidence.data_dir, None if claims is None else claims.data)
    return evidence, claims
