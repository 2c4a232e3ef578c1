"""The printed reference list of an audited text, parsed into fields (APA or Vancouver).

Pure functions of strings: :func:`parse_reference_list` splits a text into entries and reads
each entry's authors, year, title, journal, volume, issue, pages and DOI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)(10\.\d{4,9}/\S+)", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_APA = re.compile(r"^(?P<authors>.+?)\s*\((?P<year>\d{4})[a-z]?(?:,[^)]*)?\)\.\s*(?P<rest>.+)$")
_APA_SOURCE = re.compile(
    r"^(?P<journal>[^,]+?),\s*(?P<volume>\d+)(?:\s*\((?P<issue>[^)]+)\))?"
    r"(?:,\s*(?P<pages>[A-Za-z]?\d+(?:\s*[-\u2013]\s*[A-Za-z]?\d+)?))?\.?\s*$"
)
_VANCOUVER = re.compile(
    r"^(?P<authors>[^.]+?)\.\s+(?P<title>.+?[.?!])\s+(?P<journal>[^.;]+?)\.?\s+"
    r"(?P<year>\d{4})[^;:]*;\s*(?P<volume>\d+)?(?:\s*\((?P<issue>[^)]+)\))?"
    r"(?::\s*(?P<pages>[A-Za-z]?\d+(?:\s*[-\u2013]\s*[A-Za-z]?\d+)?))?\.?\s*$"
)
_APA_AUTHOR = re.compile(r"([^,&]+?),\s*((?:[A-Z][a-z]?\.[\s-]*)+)")
_VANCOUVER_AUTHOR = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})$")
_NUMBERING = re.compile(r"^\s*(?:\[\d+\]|\d+\.)\s+")
_HEADINGS = {"references", "reference list", "bibliography", "works cited", "literature"}


@dataclass(frozen=True)
class ParsedReference:
    """One entry of a printed reference list, split into fields.

    ``authors`` holds family names in printed order; ``truncated`` is true when the list was
    shortened (``et al.`` or an ellipsis); ``last_author`` is the name printed after an
    ellipsis (APA 7 style), if any. Missing fields are ``""`` (``year`` is ``None``).
    ``style`` is ``"APA"``, ``"Vancouver"`` or ``"unparsed"``.
    """

    index: int
    text: str
    style: str
    authors: tuple[str, ...] = ()
    truncated: bool = False
    last_author: str = ""
    year: int | None = None
    title: str = ""
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""

    @property
    def key(self) -> str:
        """In-text citation key as APA prints it: ``Krupitsky et al. (2002)``."""
        if not self.authors:
            return ""
        names = list(self.authors) + ([self.last_author] if self.last_author else [])
        year = "n.d." if self.year is None else str(self.year)
        if len(names) == 1 and not self.truncated:
            return f"{names[0]} ({year})"
        if len(names) == 2 and not self.truncated:
            return f"{names[0]} & {names[1]} ({year})"
        return f"{names[0]} et al. ({year})"


def split_reference_list(text: str) -> list[str]:
    """Split a printed reference list into entries.

    Entries are separated by blank lines; without blank lines, each non-empty line is one
    entry. A heading line such as ``References`` and leading numbers (``1.``, ``[1]``) are
    dropped.
    """
    text = text.replace("\r\n", "\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) <= 1:
        blocks = [line for line in text.split("\n") if line.strip()]
    entries = []
    for block in blocks:
        entry = " ".join(part.strip() for part in block.split("\n"))
        if entry.strip().rstrip(":").lower() in _HEADINGS:
            continue
        entries.append(_NUMBERING.sub("", entry).strip())
    return entries


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "").replace("_", " ")).strip()


def normalise_pages(text: str | None) -> str:
    return re.sub(r"\s*[-\u2013\u2014]\s*", "-", text or "").strip()


def _apa_authors(text: str) -> tuple[tuple[str, ...], bool, str]:
    parts = re.split(r"\.\.\.|\u2026", text, maxsplit=1)
    head, tail = parts[0], (parts[1] if len(parts) > 1 else "")
    truncated = len(parts) > 1 or "et al" in text
    names = tuple(m.group(1).strip(" &") for m in _APA_AUTHOR.finditer(head + ","))
    found = _APA_AUTHOR.findall(tail.replace("&", "") + ",") if tail else []
    last = found[-1][0].strip(" &") if found else ""
    return tuple(n for n in names if n), truncated, last


def _vancouver_authors(text: str) -> tuple[tuple[str, ...], bool] | None:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    truncated = bool(parts) and parts[-1].lower().startswith("et al")
    if truncated:
        parts = parts[:-1]
    names = []
    for part in parts:
        match = _VANCOUVER_AUTHOR.match(part)
        if match is None:
            return None
        names.append(match.group("family"))
    return (tuple(names), truncated) if names else None


def parse_reference(text: str, index: int = 1) -> ParsedReference:
    """Parse one APA or Vancouver journal reference into fields.

    Parameters
    ----------
    text : str
        The printed entry (markdown ``*italics*`` allowed).
    index : int
        1-based position of the entry in its list.

    Returns
    -------
    ParsedReference
        With ``style="unparsed"`` (fields empty except ``doi``) when neither style fits.

    Examples
    --------
    >>> ref = parse_reference("Duman RS, Aghajanian GK. Synaptic dysfunction in depression: "
    ...                       "potential therapeutic targets. Science. 2012;338(6103):68-72.")
    >>> ref.style, ref.authors, ref.year, ref.volume, ref.issue, ref.pages
    ('Vancouver', ('Duman', 'Aghajanian'), 2012, '338', '6103', '68-72')
    """
    raw = " ".join(text.split())
    doi_match = _DOI.search(raw)
    doi = doi_match.group(1).rstrip(".,;") if doi_match else ""
    body = _URL.sub("", _DOI.sub("", raw)).strip()
    body = re.sub(r"\s+", " ", body).strip().rstrip(".").strip() + "."
    apa = _APA.match(body)
    if apa:
        rest = apa.group("rest")
        italic = re.search(r"\*([^*]+)\*(.*)$", rest)
        if italic:
            title = rest[: italic.start()].strip()
            source = italic.group(1) + italic.group(2)
        else:
            head, _, source = rest.rpartition(". ")
            title = head + "."
        match = _APA_SOURCE.match(_clean(source))
        authors, truncated, last = _apa_authors(apa.group("authors"))
        if match and authors and title.strip(" ."):
            return ParsedReference(
                index=index,
                text=raw,
                style="APA",
                authors=authors,
                truncated=truncated,
                last_author=last,
                year=int(apa.group("year")),
                title=_clean(title).rstrip("."),
                journal=match.group("journal").strip(),
                volume=match.group("volume") or "",
                issue=match.group("issue") or "",
                pages=normalise_pages(match.group("pages")),
                doi=doi,
            )
    vancouver = _VANCOUVER.match(_clean(body))
    if vancouver:
        parsed = _vancouver_authors(vancouver.group("authors"))
        if parsed is not None:
            authors, truncated = parsed
            return ParsedReference(
                index=index,
                text=raw,
                style="Vancouver",
                authors=authors,
                truncated=truncated,
                year=int(vancouver.group("year")),
                title=vancouver.group("title").rstrip("."),
                journal=vancouver.group("journal").strip(),
                volume=vancouver.group("volume") or "",
                issue=vancouver.group("issue") or "",
                pages=normalise_pages(vancouver.group("pages")),
                doi=doi,
            )
    return ParsedReference(index=index, text=raw, style="unparsed", doi=doi)


def parse_reference_list(text: str) -> tuple[ParsedReference, ...]:
    """Split a reference list (see :func:`split_reference_list`) and parse every entry."""
    return tuple(
        parse_reference(entry, i) for i, entry in enumerate(split_reference_list(text), start=1)
    )


# --------------------------------------------------------------------------- curated records
