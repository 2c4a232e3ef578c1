"""Study selection as PRISMA 2020 counts (Page et al. 2021, BMJ 372:n71), from the search log.

``search_log.csv`` has one row per source of records (``decision`` = ``source``) and one row per
candidate study with its decision (``included``, ``excluded`` with the reason, ``ongoing``,
``awaiting classification``) and ``found_via``: the sources it came from, separated by ``;``,
each starting with a source's id (``SRC:jones2018`` is named ``jones2018``).

What the log records, and so what the counts are:

- a *record* is one candidate found via one source; records identified per source count the
  candidates whose ``found_via`` names it. Candidates naming no listed source count as
  "other searches". Sources are registers when their id or title names a trial registry,
  bibliographic databases when they name one, otherwise "other methods" (study lists of
  reviews, a known set, web searches).
- duplicates removed = records − distinct candidates; records screened and reports assessed =
  distinct candidates (the log gives each one decision).
- exclusions are counted per reason: the reason's first clause, without its parenthetical
  remarks ("No control group (single-group assignment); terminated" → "No control group").
- the log does not record records excluded on title and abstract, reports sought and not
  retrieved, or the number of reports of included studies: those counts are ``None``
  ("not recorded"), never 0. Without a search log every count is ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from evsum.ingest.evidence import Evidence

#: Kinds of source, in the order of the PRISMA 2020 identification boxes.
RECORD_SOURCES: tuple[str, ...] = ("database", "register", "other")
#: ``found_via`` id of the candidates that name no listed source.
UNLISTED = ""

_REGISTER = re.compile(r"regist|clinicaltrials|ictrp|eudract|isrctn", re.IGNORECASE)
_DATABASE = re.compile(
    r"database|medline|embase|pubmed|psycinfo|cinahl|scopus|web of science"
    r"|cochrane central|\bcentral\b",
    re.IGNORECASE,
)
_LEADING_ID = re.compile(r"[A-Za-z0-9_.:-]+")
_PARENTHESES = re.compile(r"\([^()]*\)")
_CLAUSE_END = re.compile(r"[;:,]")


@dataclass(frozen=True)
class SourceRecords:
    """Records identified from one source of the search log.

    Attributes
    ----------
    source_id : str
        The source's id without ``SRC:`` (empty for searches outside the listed sources).
    label : str
        The source as a reader knows it: first author and year, else its title.
    kind : str
        ``database``, ``register`` or ``other`` (see :data:`RECORD_SOURCES`).
    records : int
        Candidates whose ``found_via`` names this source.
    note : str
        What the log says was read of the source (its ``reason``, without "Source of records:").
    """

    source_id: str
    label: str
    kind: str
    records: int
    note: str = ""


@dataclass(frozen=True)
class PrismaFlow:
    """The counts of a PRISMA 2020 flow diagram; ``None`` means "not recorded".

    Attributes
    ----------
    sources : tuple of SourceRecords
        Records identified per source, in log order (searches outside the listed sources last).
    duplicates_removed, records_screened, records_excluded : int or None
        Records removed as duplicates before screening; records screened; records excluded at
        screening (the log does not record this stage: ``None``).
    reports_sought, reports_not_retrieved, reports_assessed : int or None
        Reports sought for retrieval, not retrieved, assessed for eligibility.
    reports_excluded : tuple of (str, int)
        Reports excluded, counted per reason (most frequent first, then alphabetical).
    studies_included, reports_of_included : int or None
        Studies included in the review; reports of the included studies.
    ongoing, awaiting_classification : int or None
        Ongoing studies (registered, no results yet) and studies awaiting classification.
    """

    sources: tuple[SourceRecords, ...] = ()
    duplicates_removed: int | None = None
    records_screened: int | None = None
    records_excluded: int | None = None
    reports_sought: int | None = None
    reports_not_retrieved: int | None = None
    reports_assessed: int | None = None
    reports_excluded: tuple[tuple[str, int], ...] = ()
    studies_included: int | None = None
    reports_of_included: int | None = None
    ongoing: int | None = None
    awaiting_classification: int | None = None

    @property
    def recorded(self) -> bool:
        """Whether a search log with candidates was read (else every count is ``None``)."""
        return self.records_screened is not None

    def records(self, kind: str) -> int | None:
        """Records identified from sources of one kind; ``None`` when the log lists none."""
        if kind not in RECORD_SOURCES:
            raise ValueError(f"kind must be one of {list(RECORD_SOURCES)}; got {kind!r}")
        chosen = [s.records for s in self.sources if s.kind == kind]
        return sum(chosen) if chosen else None

    def sources_of(self, kind: str) -> tuple[SourceRecords, ...]:
        """The sources of one kind, in log order."""
        return tuple(s for s in self.sources if s.kind == kind)

    @property
    def records_identified(self) -> int | None:
        """Records identified from all sources (before duplicates are removed)."""
        return sum(s.records for s in self.sources) if self.recorded else None

    @property
    def reports_excluded_total(self) -> int | None:
        """Reports excluded, all reasons."""
        return sum(n for _, n in self.reports_excluded) if self.recorded else None


def source_kind(source_id: str, title: str) -> str:
    """``register``, ``database`` or ``other`` for a source row of the search log."""
    text = f"{source_id} {title}"
    if _REGISTER.search(text):
        return "register"
    if _DATABASE.search(text):
        return "database"
    return "other"


def reason_clause(reason: str) -> str:
    """The reason's first clause without parenthetical remarks, for counting exclusions."""
    text = reason
    while _PARENTHESES.search(text):
        text = _PARENTHESES.sub(" ", text)
    clause = _CLAUSE_END.split(text, maxsplit=1)[0]
    clause = " ".join(clause.split())
    return clause or " ".join(reason.split()) or "no reason given"


def _found_via_ids(found_via: str, known: set[str]) -> list[str]:
    ids = []
    for part in str(found_via).split(";"):
        match = _LEADING_ID.match(part.strip())
        if match and match.group(0) in known and match.group(0) not in ids:
            ids.append(match.group(0))
    return ids


def _label(row: pd.Series) -> str:
    author, year = str(row["first_author"]).strip(), str(row["year"]).strip()
    if author:
        return f"{author} {year}".strip()
    return str(row["title"]).strip() or str(row["candidate_id"])


def selection_flow(search_log: pd.DataFrame) -> PrismaFlow:
    """PRISMA 2020 counts from a validated ``search_log.csv`` frame (see the module notes)."""
    if not len(search_log):
        return PrismaFlow()
    log = search_log.fillna("").astype(str)
    source_rows = log[log["decision"] == "source"]
    candidates = log[log["decision"] != "source"].drop_duplicates("candidate_id")
    if not len(candidates):
        return PrismaFlow()
    ids = [str(c).removeprefix("SRC:") for c in source_rows["candidate_id"]]
    found = {
        c: _found_via_ids(v, set(ids))
        for c, v in zip(candidates["candidate_id"], candidates["found_via"], strict=True)
    }
    sources = []
    for source_id, (_, row) in zip(ids, source_rows.iterrows(), strict=True):
        note = re.sub(r"^\s*source of records:\s*", "", row["reason"], flags=re.IGNORECASE)
        sources.append(
            SourceRecords(
                source_id=source_id,
                label=_label(row),
                kind=source_kind(source_id, row["title"]),
                records=sum(source_id in v for v in found.values()),
                note=note,
            )
        )
    unlisted = sum(not v for v in found.values())
    if unlisted:
        sources.append(
            SourceRecords(
                source_id=UNLISTED,
                label="other searches",
                kind="other",
                records=unlisted,
                note="candidates found otherwise (the search log names no listed source for them)",
            )
        )
    decisions = candidates["decision"]
    excluded = candidates[decisions == "excluded"]["reason"].map(reason_clause)
    per_reason = sorted(excluded.value_counts().items(), key=lambda item: (-item[1], item[0]))
    screened = len(candidates)
    return PrismaFlow(
        sources=tuple(sources),
        duplicates_removed=sum(len(v) or 1 for v in found.values()) - screened,
        records_screened=screened,
        reports_assessed=screened,
        reports_excluded=tuple((str(reason), int(n)) for reason, n in per_reason),
        studies_included=int((decisions == "included").sum()),
        ongoing=int((decisions == "ongoing").sum()),
        awaiting_classification=int((decisions == "awaiting classification").sum()),
    )


def prisma_flow(evidence: Evidence) -> PrismaFlow:
    """The PRISMA 2020 flow counts of an evidence base, from its ``search_log.csv``.

    Parameters
    ----------
    evidence : Evidence
        Validated data (see :func:`evsum.load_evidence`).

    Returns
    -------
    PrismaFlow
        Counts per box; ``None`` where the log cannot give a number ("not recorded").

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> flow = prisma_flow(example_evidence())
    >>> flow.recorded, flow.studies_included
    (False, None)
    """
    return selection_flow(evidence.search_log)
