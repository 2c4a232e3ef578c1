"""Coverage of an audited text (``data/source_sentences.csv``): every sentence has a disposition.

A claims audit that quotes only the sentences it chose to check cannot show what it left out.
``source_sentences.csv`` lists the text (``source_text.txt``) sentence by sentence, in order,
and says of each what it is: a ``claim`` (its ``claim_ids`` name the claims of
``claims.csv`` whose quotes it holds) or, with a ``reason``, ``background``, ``promotional``,
a ``heading`` or a ``reference`` (an entry of the printed reference list, which the citation
audit checks). Validation refuses a sentence with neither, a claim that quotes no listed
sentence or two, two claims quoting overlapping words of one sentence, and, with the text,
any words of the text that no row lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import LINE, read_text, read_with_partial
from evsum.ingest.schema import CONTROL_PATTERN

#: Columns of ``source_sentences.csv``, in file order.
SENTENCE_COLUMNS: tuple[str, ...] = (
    "sentence_id",
    "section",
    "sentence",
    "disposition",
    "claim_ids",
    "reason",
)
#: What a sentence of the audited text can be, with its meaning.
DISPOSITIONS: dict[str, str] = {
    "claim": "states something the claims audit checks; claim_ids name its claims",
    "background": "context that states nothing the evidence could check (a definition, a "
    "framing, a disclaimer, site navigation)",
    "promotional": "advertises a provider or a service",
    "heading": "the title or a section heading",
    "reference": "an entry of the text's reference list (checked by the citation audit)",
}
_SENTENCE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class SentenceTable:
    """Validated sentences of an audited text (``data``: the CSV's columns plus ``line``)."""

    data: pd.DataFrame
    source: str

    def disposition_counts(self) -> dict[str, int]:
        """Number of sentences per disposition, in the order of :data:`DISPOSITIONS`."""
        counts = self.data["disposition"].value_counts()
        return {kind: int(counts.get(kind, 0)) for kind in DISPOSITIONS}


def _squash(text: str) -> str:
    return " ".join(text.split())


def _ids(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _coverage_problems(frame: pd.DataFrame, text: str, text_source: str, source: str):
    """Rows not found in the text in order, and words of the text that no row lists."""
    problems = []
    flat = _squash(text)
    cursor = 0
    for _, row in frame.iterrows():
        sentence = _squash(row["sentence"])
        if not sentence:
            continue
        found = flat.find(sentence, cursor)
        if found < 0:
            problems.append(
                Problem(
                    source,
                    int(row[LINE]),
                    "sentence",
                    row["sentence"],
                    f"words of {text_source}, verbatim and in the order of the text",
                    row["sentence_id"] or None,
                )
            )
            continue
        gap = flat[cursor:found].strip()
        if gap:
            problems.append(_uncovered(gap, text_source, source))
        cursor = found + len(sentence)
    tail = flat[cursor:].strip()
    if tail:
        problems.append(_uncovered(tail, text_source, source))
    return problems


def _uncovered(words: str, text_source: str, source: str) -> Problem:
    shown = words if len(words) <= 120 else words[:117] + "..."
    return Problem(
        source,
        None,
        "sentence",
        shown,
        f"a row for every sentence of {text_source} (these words have none)",
    )


def _claim_problems(frame: pd.DataFrame, claims: pd.DataFrame, source: str):
    """Each claim quoted by exactly one claim sentence; claims of a sentence not overlapping."""
    problems = []
    quotes = dict(zip(claims["claim_id"], claims["quote"], strict=True))
    where: dict[str, list[str]] = {}
    for _, row in frame.iterrows():
        if row["disposition"] != "claim":
            continue
        sentence = _squash(row["sentence"])
        spans = []
        for claim_id in _ids(row["claim_ids"]):
            where.setdefault(claim_id, []).append(row["sentence_id"])
            if claim_id not in quotes:
                problems.append(
                    Problem(
                        source,
                        int(row[LINE]),
                        "claim_ids",
                        claim_id,
                        "claim_ids of claims.csv, separated by ';'",
                        row["sentence_id"] or None,
                    )
                )
                continue
            quote = _squash(quotes[claim_id]).rstrip(".")
            start = sentence.find(quote)
            if start < 0:
                problems.append(
                    Problem(
                        source,
                        int(row[LINE]),
                        "claim_ids",
                        claim_id,
                        f"a claim whose quote is in this sentence ({claim_id} quotes "
                        f"{quotes[claim_id]!r})",
                        row["sentence_id"] or None,
                    )
                )
                continue
            spans.append((start, start + len(quote), claim_id))
        spans.sort()
        for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
            if start < end:
                problems.append(
                    Problem(
                        source,
                        int(row[LINE]),
                        "claim_ids",
                        f"{first};{second}",
                        "claims quoting separate words of the sentence (one quote holds "
                        "words of the other, so they would be counted twice)",
                        row["sentence_id"] or None,
                    )
                )
    for claim_id in claims["claim_id"]:
        listed = where.get(claim_id, [])
        if len(listed) != 1:
            problems.append(
                Problem(
                    source,
                    None,
                    "claim_ids",
                    claim_id,
                    "each claim of claims.csv in exactly one claim sentence"
                    + (f" (it is in {', '.join(listed)})" if listed else " (it is in none)"),
                )
            )
    return problems


def _row_problems(row: pd.Series, seen: set[str]) -> list[tuple[str, str, str]]:
    """(column, value, expected) for each problem of one row (``seen``: the ids before it)."""
    found = [
        (column, row[column], "text without control characters")
        for column in SENTENCE_COLUMNS
        if CONTROL_PATTERN.search(row[column])
    ]
    sentence_id = row["sentence_id"]
    if not _SENTENCE_ID.match(sentence_id):
        found.append(("sentence_id", sentence_id, "an id such as S01 (letters, digits, - or _)"))
    elif sentence_id in seen:
        found.append(("sentence_id", sentence_id, "each sentence_id once"))
    if not row["sentence"].strip():
        found.append(("sentence", "", "the sentence, verbatim"))
    return found + _disposition_problems(row)


def _disposition_problems(row: pd.Series) -> list[tuple[str, str, str]]:
    disposition = row["disposition"]
    if disposition not in DISPOSITIONS:
        return [("disposition", disposition, f"one of {list(DISPOSITIONS)}")]
    if disposition == "claim":
        if _ids(row["claim_ids"]):
            return []
        return [("claim_ids", "", "the claim_ids of claims.csv this sentence holds")]
    found = []
    if row["claim_ids"].strip():
        found.append(("claim_ids", row["claim_ids"], "empty unless the disposition is claim"))
    if not row["reason"].strip():
        found.append(("reason", "", f"why the sentence is {disposition}, not a claim"))
    return found


def validate_source_sentences(
    frame: pd.DataFrame,
    source: str,
    *,
    claims: pd.DataFrame | None = None,
    text: str | None = None,
    text_source: str = "source_text.txt",
) -> SentenceTable:
    """Check the sentences of an audited text; report every problem at once.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`evsum.ingest.io.read_csv_records` (all columns ``str`` plus ``line``).
    source : str
        File name for messages.
    claims : pandas.DataFrame, optional
        The validated claims (``claim_id`` and ``quote``): each claim must be quoted by
        exactly one ``claim`` sentence, and each claim a sentence names must quote it.
    text : str, optional
        The audited text: the sentences must be its words, in order, and cover all of them.
    text_source : str
        The text's file name, for messages.

    Raises
    ------
    StudyDataError
        Listing every problem (file, line, sentence, column, value, what was expected).
    """
    missing = [c for c in SENTENCE_COLUMNS if c not in frame.columns]
    if missing:
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    1,
                    None,
                    ", ".join(missing),
                    "the columns " + ", ".join(SENTENCE_COLUMNS),
                )
            ],
        )
    problems: list[Problem] = [
        Problem(source, 1, c, c, "only the columns of data/README.md")
        for c in frame.columns
        if c != LINE and c not in SENTENCE_COLUMNS
    ]
    seen: set[str] = set()
    for _, row in frame.iterrows():
        problems += [
            Problem(source, int(row[LINE]), column, value, expected, row["sentence_id"] or None)
            for column, value, expected in _row_problems(row, seen)
        ]
        seen.add(row["sentence_id"])
    if claims is not None:
        problems += _claim_problems(frame, claims, source)
    if text is not None:
        problems += _coverage_problems(frame, text, text_source, source)
    if problems:
        raise StudyDataError(source, problems)
    return SentenceTable(frame.reset_index(drop=True), source)


def load_source_sentences(
    folder: str | Path, claims: pd.DataFrame | None = None
) -> SentenceTable | None:
    """Read and validate ``source_sentences.csv`` of a data folder (``None`` if absent).

    The text is ``source_text.txt`` beside it (coverage is not checked without it).
    """
    folder = Path(folder)
    path = folder / "source_sentences.csv"
    if not path.exists():
        return None
    text_path = folder / "source_text.txt"
    text = read_text(text_path) if text_path.exists() else None
    return read_with_partial(
        path,
        lambda frame: validate_source_sentences(
            frame, str(path), claims=claims, text=text, text_source=str(text_path)
        ),
    )
