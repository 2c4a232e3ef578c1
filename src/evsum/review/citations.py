"""Citation audit: parse a printed reference list and check each entry against references.json.

A reference list (APA or Vancouver style, one entry per paragraph or per line) is parsed into
fields: authors, year, title, journal, volume, issue, pages and DOI. Each entry is matched to
the curated CSL-JSON references by DOI and by title/author similarity (rapidfuzz), then
compared field by field. Every difference is classified with one of :data:`DISCREPANCY_KINDS`.

Parsing, matching and comparison are pure functions of strings and dicts; only
:func:`audit_citations` reads files (through :mod:`evsum.ingest.io`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

from evsum.ingest.io import read_references, read_text
from evsum.ingest.references import (
    ParsedReference,
    normalise_pages,
    parse_reference_list,
)

#: Kinds of discrepancy between a cited entry and the curated reference it matches.
DISCREPANCY_KINDS: dict[str, str] = {
    "unparseable": "the entry could not be read as an APA or Vancouver reference",
    "no match": "no curated reference has this DOI, title or first author and year",
    "doi of another paper": "the cited DOI belongs to a different curated paper",
    "title of another paper": "the title is that of another paper by the same group; the "
    "entry's year names a different paper of that first author",
    "wrong doi": "the cited DOI differs from the paper's DOI and belongs to no curated paper",
    "missing doi": "the entry gives no DOI although the paper has one",
    "wrong year": "the year differs from the paper's",
    "wrong journal": "the journal differs from the paper's",
    "wrong volume": "the volume differs from the paper's",
    "wrong issue": "the issue differs from the paper's",
    "wrong pages": "the pages (or article number) differ from the paper's",
    "title differs": "the title is close to, but not the same as, the paper's title",
    "author list differs": "the authors (names or order) differ from the paper's",
}

#: Similarity (rapidfuzz ``token_sort_ratio`` on normalised titles, 0-100) above which two
#: titles name the same paper; at 100 they are the same up to case and punctuation.
TITLE_MATCH = 85.0
#: Similarity of two family names above which they are the same name (spelling variants).
NAME_MATCH = 85.0

_STOPWORDS = {"of", "the", "and", "for", "in", "on", "&"}


@dataclass(frozen=True)
class Discrepancy:
    """One difference between a cited entry and the curated record (or a note about one)."""

    kind: str
    field: str
    cited: str
    curated: str
    detail: str

    def __str__(self) -> str:
        """``kind: detail``."""
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class CitationCheck:
    """The audit of one entry: the curated record it matches and every difference.

    ``reference_id`` is the curated item whose fields the entry shares most (``None`` if no
    match); ``matched_by`` says how it was found (``DOI``, ``title``, ``author and year``
    or ``""``); ``related_ids`` are other curated papers the entry's fields point to
    (a conflated citation); ``notes`` are fields that could not be checked.
    """

    entry: ParsedReference
    reference_id: str | None
    matched_by: str
    title_similarity: float
    discrepancies: tuple[Discrepancy, ...] = ()
    notes: tuple[Discrepancy, ...] = ()
    related_ids: tuple[str, ...] = ()
    doi_verified: bool = False

    @property
    def ok(self) -> bool:
        """True when the entry matched a record and no field differs."""
        return self.reference_id is not None and not self.discrepancies

    @property
    def kinds(self) -> tuple[str, ...]:
        """Discrepancy kinds of this entry, in order, without repeats."""
        return tuple(dict.fromkeys(d.kind for d in self.discrepancies))


@dataclass(frozen=True)
class CitationAudit:
    """Audit of a whole reference list against a set of curated references."""

    source: str
    checks: tuple[CitationCheck, ...]
    references: tuple[dict, ...] = field(repr=False, default=())

    @property
    def ok(self) -> bool:
        """True when every entry matches its curated record without a discrepancy."""
        return all(check.ok for check in self.checks)

    def to_frame(self) -> pd.DataFrame:
        """One row per entry × discrepancy (one row with empty ``kind`` for clean entries).

        Columns: ``entry`` (1-based), ``key``, ``style``, ``reference_id``, ``matched_by``,
        ``title_similarity``, ``kind``, ``field``, ``cited``, ``curated``, ``detail``.
        """
        records = []
        for check in self.checks:
            base = {
                "entry": check.entry.index,
                "key": check.entry.key,
                "style": check.entry.style,
                "reference_id": check.reference_id or "",
                "matched_by": check.matched_by,
                "title_similarity": round(check.title_similarity, 1),
            }
            items = check.discrepancies + check.notes
            if not items:
                records.append(
                    {
                        **base,
                        "kind": "",
                        "field": "",
                        "cited": "",
                        "curated": "",
                        "detail": "matches",
                    }
                )
            for item in items:
                records.append(
                    {
                        **base,
                        "kind": item.kind,
                        "field": item.field,
                        "cited": item.cited,
                        "curated": item.curated,
                        "detail": item.detail,
                    }
                )
        return pd.DataFrame.from_records(
            records,
            columns=[
                "entry",
                "key",
                "style",
                "reference_id",
                "matched_by",
                "title_similarity",
                "kind",
                "field",
                "cited",
                "curated",
                "detail",
            ],
        )

    def summary(self) -> str:
        """One paragraph: how many entries matched cleanly and what went wrong."""
        total = len(self.checks)
        clean = sum(check.ok and not check.notes for check in self.checks)
        partial = sum(check.ok and bool(check.notes) for check in self.checks)
        kinds: dict[str, int] = {}
        for check in self.checks:
            for kind in check.kinds:
                kinds[kind] = kinds.get(kind, 0) + 1
        text = f"{clean} of {total} entries in {self.source} match their curated record."
        if partial:
            text += (
                f" {partial} more {'matches' if partial == 1 else 'match'} in every field that "
                "could be checked, but not in all: the curated record lacks a field the entry "
                "gives (not verified)."
            )
        if kinds:
            text += (
                " Entries with: "
                + "; ".join(f"{kind} ({n})" for kind, n in sorted(kinds.items()))
                + "."
            )
        return text


# --------------------------------------------------------------------------- parsing


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _year(ref: dict) -> int | None:
    parts = (ref.get("issued") or {}).get("date-parts") or [[None]]
    try:
        return int(parts[0][0])
    except (TypeError, ValueError, IndexError):
        return None


def _families(ref: dict) -> list[str]:
    return [a.get("family", "") or a.get("literal", "") for a in ref.get("author", [])]


def _same_name(a: str, b: str) -> bool:
    return fuzz.ratio(_fold(a), _fold(b)) >= NAME_MATCH


def _expand_pages(pages: str) -> str:
    """``856-64`` → ``856-864`` (abbreviated end page, as Vancouver prints it)."""
    match = re.fullmatch(r"([A-Za-z]?)(\d+)-([A-Za-z]?)(\d+)", pages)
    if not match or len(match.group(4)) >= len(match.group(2)):
        return pages
    start, end = match.group(2), match.group(4)
    return f"{match.group(1)}{start}-{match.group(3)}{start[: len(start) - len(end)]}{end}"


def _journal_matches(cited: str, curated: str) -> bool:
    """Same journal, allowing abbreviations (``Am J Psychiatry``) and case differences."""
    a = [w for w in _fold(cited).split() if w not in _STOPWORDS]
    b = [w for w in _fold(curated).split() if w not in _STOPWORDS]
    if a == b:
        return True
    if len(a) == len(b) and all(
        x.startswith(y) or y.startswith(x) for x, y in zip(a, b, strict=True)
    ):
        return True
    return fuzz.token_sort_ratio(" ".join(a), " ".join(b)) >= 95


def title_similarity(a: str, b: str) -> float:
    """Similarity (0-100) of two titles (rapidfuzz ``token_sort_ratio``, case ignored)."""
    return float(fuzz.token_sort_ratio(_fold(a), _fold(b)))


def _author_overlap(entry: ParsedReference, ref: dict) -> float:
    curated = _families(ref)
    n = min(len(entry.authors), len(curated))
    if n == 0:
        return 0.0
    return sum(_same_name(a, b) for a, b in zip(entry.authors, curated, strict=False)) / n


def _describe(ref: dict) -> str:
    where = ", ".join(str(ref[k]) for k in ("volume", "issue", "page") if ref.get(k))
    first = (_families(ref) or ["?"])[0]
    return (
        f"{ref.get('id')}: {first} {_year(ref) or 'n.d.'}, {ref.get('container-title', '')}"
        + (f" {where}" if where else "")
        + (f", doi {ref['DOI']}" if ref.get("DOI") else "")
    )


# --------------------------------------------------------------------------- matching


def _find(
    entry: ParsedReference, references: tuple[dict, ...]
) -> tuple[dict | None, str, float, dict | None, dict | None]:
    """Best record by title, the record with the cited DOI, the record by author and year."""
    by_doi = next(
        (
            r
            for r in references
            if entry.doi and r.get("DOI") and r["DOI"].lower() == entry.doi.lower()
        ),
        None,
    )
    scored = [
        (
            title_similarity(entry.title, r.get("title", "")) if entry.title else 0.0,
            _author_overlap(entry, r),
            r,
        )
        for r in references
    ]
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    by_title = None
    best_title = scored[0][0] if scored else 0.0
    if scored and best_title >= TITLE_MATCH:
        by_title = scored[0][2]
    by_key = None
    if entry.authors and entry.year is not None:
        by_key = next(
            (
                r
                for r in references
                if _year(r) == entry.year
                and _families(r)
                and _same_name(_families(r)[0], entry.authors[0])
            ),
            None,
        )
    if by_title is not None:
        return by_title, "title", best_title, by_doi, by_key
    if by_doi is not None:
        return (
            by_doi,
            "DOI",
            title_similarity(entry.title, by_doi.get("title", "")),
            by_doi,
            by_key,
        )
    if by_key is not None:
        return (
            by_key,
            "author and year",
            title_similarity(entry.title, by_key.get("title", "")),
            None,
            by_key,
        )
    return None, "", best_title, None, None


def _others_with(references, ref, first_author, test) -> list[str]:
    return [
        r["id"]
        for r in references
        if r is not ref and _families(r) and _same_name(_families(r)[0], first_author) and test(r)
    ]


def check_reference(
    entry: ParsedReference, references: tuple[dict, ...] | list[dict]
) -> CitationCheck:
    """Match one parsed entry to the curated references and classify every difference.

    The entry is matched by title first (similarity ≥ :data:`TITLE_MATCH`), then by DOI, then
    by first author and year. Fields are then compared with the matched record; a cited value
    that equals another curated paper of the same first author is named in the detail.

    Returns
    -------
    CitationCheck
    """
    references = tuple(references)
    if entry.style == "unparsed":
        return CitationCheck(
            entry,
            None,
            "",
            0.0,
            (
                Discrepancy(
                    "unparseable",
                    "entry",
                    entry.text,
                    "",
                    "the entry could not be read as an APA or "
                    "Vancouver journal reference; check it by hand",
                ),
            ),
        )
    ref, how, similarity, by_doi, by_key = _find(entry, references)
    if ref is None:
        return CitationCheck(
            entry,
            None,
            "",
            similarity,
            (
                Discrepancy(
                    "no match",
                    "entry",
                    entry.key,
                    "",
                    "no curated reference has this DOI, a title "
                    f"within similarity {TITLE_MATCH:g}, or this first author and year",
                ),
            ),
        )
    checked = _Comparison(entry, ref, references)
    doi_verified = checked.doi(by_doi)
    checked.year(how, by_key)
    checked.title(how, similarity)
    checked.journal()
    checked.numbers()
    checked.authors()
    return CitationCheck(
        entry,
        ref["id"],
        how,
        similarity,
        tuple(checked.found),
        tuple(checked.notes),
        tuple(dict.fromkeys(r for r in checked.related if r != ref["id"])),
        doi_verified,
    )


@dataclass
class _Comparison:
    """The fields of one entry compared with its matched curated record: the differences
    found, the fields that could not be checked and the other curated papers named."""

    entry: ParsedReference
    ref: dict
    references: tuple[dict, ...]
    found: list[Discrepancy] = field(default_factory=list)
    notes: list[Discrepancy] = field(default_factory=list)
    related: list[str] = field(default_factory=list)

    def also(self, field_name: str, value: str, test: Any) -> str:
        """Which other curated papers of the same first author have the cited value."""
        ids = _others_with(self.references, self.ref, self.entry.authors[0], test)
        self.related.extend(ids)
        return (
            f"; {value} is the {field_name} of {', '.join(ids)}"
            if ids
            else "; it matches no curated paper"
        )

    def doi(self, by_doi: dict | None) -> bool:
        """Compare the DOIs; whether the entry's DOI is the curated one."""
        entry, ref = self.entry, self.ref
        curated_doi = ref.get("DOI", "")
        if entry.doi and curated_doi:
            if entry.doi.lower() == curated_doi.lower():
                return True
            if by_doi is not None:
                self.related.append(by_doi["id"])
                self.found.append(
                    Discrepancy(
                        "doi of another paper",
                        "DOI",
                        entry.doi,
                        curated_doi,
                        f"doi {entry.doi} is that of {_describe(by_doi)}; the entry's title is "
                        f"that of {ref['id']} (doi {curated_doi})",
                    )
                )
            else:
                self.found.append(
                    Discrepancy(
                        "wrong doi",
                        "DOI",
                        entry.doi,
                        curated_doi,
                        f"doi {entry.doi} belongs to no curated paper; "
                        f"{ref['id']} has doi {curated_doi}",
                    )
                )
        elif curated_doi:
            self.found.append(
                Discrepancy(
                    "missing doi",
                    "DOI",
                    "",
                    curated_doi,
                    f"no DOI given; {ref['id']} has doi {curated_doi}",
                )
            )
        elif entry.doi:
            self.notes.append(
                Discrepancy(
                    "doi unverified",
                    "DOI",
                    entry.doi,
                    "",
                    f"{ref['id']} has no DOI in the curated record, so "
                    f"doi {entry.doi} could not be checked",
                )
            )
        return False

    def year(self, how: str, by_key: dict | None) -> None:
        """Compare the years; a title borrowed from another paper of the same group."""
        entry, ref = self.entry, self.ref
        year = _year(ref)
        if entry.year is None or year is None or entry.year == year:
            return
        self.found.append(
            Discrepancy(
                "wrong year",
                "year",
                str(entry.year),
                str(year),
                f"cited {entry.year}, {ref['id']} is {year}"
                + self.also("year", str(entry.year), lambda r: _year(r) == entry.year),
            )
        )
        if how == "title" and by_key is not None and by_key is not ref:
            self.found.append(
                Discrepancy(
                    "title of another paper",
                    "title",
                    entry.title,
                    ref.get("title", ""),
                    f"the entry is cited as {entry.key}, which is {_describe(by_key)}; "
                    f"its title is that of {_describe(ref)}",
                )
            )

    def title(self, how: str, similarity: float) -> None:
        """Compare the titles (ignoring case and punctuation)."""
        entry, ref = self.entry, self.ref
        if how != "title" and entry.title:
            detail = f"title similarity {similarity:.0f} of 100 with {ref['id']}, matched by {how}"
        elif similarity < 100:
            detail = (
                f"title similarity {similarity:.0f} of 100 with {ref['id']} "
                "(ignoring case and punctuation)"
            )
        else:
            return
        self.found.append(
            Discrepancy("title differs", "title", entry.title, ref.get("title", ""), detail)
        )

    def journal(self) -> None:
        entry, ref = self.entry, self.ref
        journal = ref.get("container-title", "")
        if entry.journal and journal and not _journal_matches(entry.journal, journal):
            self.found.append(
                Discrepancy(
                    "wrong journal",
                    "journal",
                    entry.journal,
                    journal,
                    f"cited {entry.journal!r}, {ref['id']} is in {journal!r}",
                )
            )

    def numbers(self) -> None:
        """Compare volume, issue and pages; a field the curated record lacks is a note."""
        entry, ref = self.entry, self.ref
        for name, csl, cited in (
            ("volume", "volume", entry.volume),
            ("issue", "issue", entry.issue),
            ("pages", "page", _expand_pages(entry.pages)),
        ):
            value = str(ref.get(csl, "") or "")
            if not cited:
                continue
            if not value:
                self.notes.append(
                    Discrepancy(
                        "field unverified",
                        name,
                        cited,
                        "",
                        f"{ref['id']} has no {name} in the curated record",
                    )
                )
            elif normalise_pages(cited) != normalise_pages(value):
                self.found.append(
                    Discrepancy(
                        f"wrong {name}",
                        name,
                        cited,
                        value,
                        f"cited {cited}, {ref['id']} has {value}"
                        + self.also(
                            name,
                            cited,
                            lambda r, c=csl, v=cited: (
                                normalise_pages(str(r.get(c, ""))) == normalise_pages(v)
                            ),
                        ),
                    )
                )

    def authors(self) -> None:
        """Compare the names both author lists print, in order, and the last author."""
        entry, ref = self.entry, self.ref
        curated = _families(ref)
        pairs = list(zip(entry.authors, curated, strict=False))
        differ = [(a, b) for a, b in pairs if not _same_name(a, b)]
        if differ:
            detail = "position " + ", ".join(
                f"{i + 1}: cited {a}, {ref['id']} has {b}"
                for i, (a, b) in enumerate(pairs)
                if not _same_name(a, b)
            )
        elif len(entry.authors) < len(curated) and not entry.truncated:
            detail = (
                f"the entry lists {len(entry.authors)} of the {len(curated)} authors of "
                f"{ref['id']} without 'et al.'"
            )
        else:
            detail = ""
        if detail:
            self.found.append(
                Discrepancy(
                    "author list differs",
                    "authors",
                    "; ".join(entry.authors),
                    "; ".join(curated),
                    detail,
                )
            )
        if (
            entry.last_author
            and curated
            and len(curated) > len(entry.authors)
            and not any(_same_name(entry.last_author, c) for c in curated[len(pairs) :])
        ):
            self.found.append(
                Discrepancy(
                    "author list differs",
                    "authors",
                    entry.last_author,
                    "; ".join(curated),
                    f"last author {entry.last_author} is not among the authors of {ref['id']}",
                )
            )


def audit_references(
    entries: tuple[ParsedReference, ...] | list[ParsedReference],
    references: tuple[dict, ...] | list[dict],
    *,
    source: str = "reference list",
) -> CitationAudit:
    """Check every parsed entry against the curated references (see :func:`check_reference`).

    Examples
    --------
    >>> from evsum.ingest.references import parse_reference
    >>> refs = [{"id": "duman2012", "title": "Synaptic dysfunction in depression: potential "
    ...          "therapeutic targets", "author": [{"family": "Duman"}, {"family": "Aghajanian"}],
    ...          "container-title": "Science", "issued": {"date-parts": [[2012]]},
    ...          "volume": "338", "issue": "6103", "page": "68-72",
    ...          "DOI": "10.1126/science.1222939"}]
    >>> entry = parse_reference("Duman, R. S., & Aghajanian, G. K. (2013). Synaptic dysfunction "
    ...     "in depression: Potential therapeutic targets. *Science*, 338(6103), 68-72. "
    ...     "https://doi.org/10.1126/science.1222939")
    >>> audit = audit_references([entry], refs)
    >>> audit.ok, audit.checks[0].kinds
    (False, ('wrong year',))
    """
    references = tuple(references)
    return CitationAudit(
        source, tuple(check_reference(e, references) for e in entries), references
    )


def audit_citations(path: str | Path, references_path: str | Path) -> CitationAudit:
    """Read a reference list file and a CSL-JSON file and audit the list.

    Parameters
    ----------
    path : str or Path
        UTF-8 text file with the printed reference list.
    references_path : str or Path
        CSL-JSON array of curated references (``data/references.json``).

    Raises
    ------
    StudyDataError
        Either file is unreadable or not in the expected format.
    """
    entries = parse_reference_list(read_text(path))
    return audit_references(entries, read_references(references_path), source=str(path))
