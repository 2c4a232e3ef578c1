"""What kind of review an evidence base is, and what its search and reporting actually were.

The kind of review is protocol data (``[review] type`` in ``evsum.toml``), because what a
reader may conclude follows from it: a systematic review searches comprehensively and draws a
PRISMA 2020 flow diagram; an evidence check of the studies a source text cites does neither,
and says so on every page. The search facts (``[review.search]``: sources, dates, strategies
as files, who selected and extracted and how many people, what was not done), the reporting
facts a PRISMA 2020 checklist asks for (``[reporting]``), the audited source text
(``[source_text]``) and the effect-size thresholds GRADE judgements rest on (``[grade]``) are
read here with the protocol's error model: every problem at once, each at the line of its key.

:func:`parse_review_kind` is called by :func:`evsum.ingest.protocol.parse_protocol` with the
parsed TOML and the protocol's problem collector.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReviewType:
    """One kind of review and what follows from it.

    Attributes
    ----------
    name : str
        The protocol's word (``[review] type``).
    label : str
        How every page's title line names it.
    comprehensive : bool
        Whether a search of this kind is meant to find every eligible study (publication bias
        can then be judged); a search that is not cannot support "not serious".
    prisma : bool
        Whether the PRISMA 2020 flow diagram fits (records from databases and registers,
        screened); otherwise the methods page draws the flow of the studies checked.
    limitation : str
        The limitation of the review process that follows from the kind alone.
    """

    name: str
    label: str
    comprehensive: bool
    prisma: bool
    limitation: str


#: The kinds of review a protocol may declare (``[review] type``).
REVIEW_TYPES: dict[str, ReviewType] = {
    t.name: t
    for t in (
        ReviewType(
            "systematic review",
            "Systematic review",
            True,
            True,
            "A systematic review can still miss studies its searches did not reach.",
        ),
        ReviewType(
            "rapid review",
            "Rapid review",
            False,
            True,
            "A rapid review abbreviates the search, selection or appraisal of a systematic "
            "review, so eligible studies may have been missed.",
        ),
        ReviewType(
            "evidence check",
            "Evidence check of the studies a source text cites (not a systematic review)",
            False,
            False,
            "The studies checked are those a source text cites and those otherwise known to "
            "the reviewers, not the result of a systematic search: eligible studies may be "
            "missing, and the set may lean towards studies that support the source text.",
        ),
        ReviewType(
            "re-analysis",
            "Re-analysis of the studies of a named source (not a new search)",
            False,
            False,
            "The studies are those of the named source; no search for other studies was made, "
            "so the analysis inherits the source's selection.",
        ),
    )
}

#: Keys this module reads in ``[review]`` (beside the protocol's own).
REVIEW_KEYS: tuple[str, ...] = ("type", "type_detail", "search")
#: Keys of ``[review.search]``.
SEARCH_KEYS: tuple[str, ...] = (
    "sources",
    "dates",
    "strategies",
    "comprehensive",
    "selection",
    "extraction",
    "people",
    "not_done",
)
#: Keys of ``[reporting]`` (PRISMA 2020 items 3, 24, 25, 26, 27).
REPORTING_KEYS: tuple[str, ...] = (
    "rationale",
    "registration",
    "protocol",
    "amendments",
    "funding",
    "competing_interests",
    "data_availability",
)
#: Keys of ``[source_text]``.
SOURCE_TEXT_KEYS: tuple[str, ...] = ("title", "publisher", "address", "date_read")
#: Keys of ``[grade]``: thresholds on the effect measure's scale.
GRADE_KEYS: tuple[str, ...] = ("ratio_mid", "ratio_large", "smd_mid", "smd_large")
#: Top-level tables this module reads.
TOP_KEYS: tuple[str, ...] = ("reporting", "source_text", "grade", "outcome_measures")

#: GRADE's rules of thumb when the protocol states no threshold (GRADE guidelines 6 and 9;
#: Cohen 1988 for the SMD), the same the plain-language statements use.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "ratio_mid": 1.25,
    "ratio_large": 2.0,
    "smd_mid": 0.2,
    "smd_large": 0.8,
}


@dataclass(frozen=True)
class SearchFacts:
    """What the search actually was (``[review.search]``); empty where not stated."""

    sources: tuple[str, ...] = ()
    dates: str = ""
    strategies: tuple[str, ...] = ()
    comprehensive: bool | None = None
    selection: str = ""
    extraction: str = ""
    people: int | None = None
    not_done: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reporting:
    """Reporting facts a PRISMA 2020 checklist asks for (``[reporting]``)."""

    rationale: str = ""
    registration: str = ""
    protocol: str = ""
    amendments: str = ""
    funding: str = ""
    competing_interests: str = ""
    data_availability: str = ""


@dataclass(frozen=True)
class SourceText:
    """The text a claims audit checks (``[source_text]``)."""

    title: str = ""
    publisher: str = ""
    address: str = ""
    date_read: str = ""

    @property
    def stated(self) -> bool:
        """Whether the protocol identifies the text at all."""
        return bool(self.title or self.publisher or self.address)


@dataclass(frozen=True)
class Thresholds:
    """Effect-size thresholds the GRADE judgements rest on (``[grade]``).

    ``stated`` says whether the protocol gave them (else GRADE's rules of thumb apply and the
    pages say so). An outcome's own ``mid`` (``[outcomes.KEY] mid``) takes precedence.
    """

    ratio_mid: float = DEFAULT_THRESHOLDS["ratio_mid"]
    ratio_large: float = DEFAULT_THRESHOLDS["ratio_large"]
    smd_mid: float = DEFAULT_THRESHOLDS["smd_mid"]
    smd_large: float = DEFAULT_THRESHOLDS["smd_large"]
    stated: bool = False


@dataclass(frozen=True)
class ReviewKind:
    """The kind of review with its search, reporting, source text and thresholds.

    ``type`` is empty when the protocol does not say (the pages then say the kind is not
    stated); :attr:`spec` is the :class:`ReviewType` of a stated kind.
    """

    type: str = ""
    detail: str = ""
    search: SearchFacts = field(default_factory=SearchFacts)
    reporting: Reporting = field(default_factory=Reporting)
    source_text: SourceText = field(default_factory=SourceText)
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: ``outcome`` or ``condition.outcome`` -> how it was measured (instrument, scale), shown
    #: under the outcome in the summary of findings (``[outcome_measures]``)
    outcome_measures: Mapping[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> ReviewType | None:
        """The stated kind's :class:`ReviewType`, or ``None``."""
        return REVIEW_TYPES.get(self.type)

    @property
    def label(self) -> str:
        """How the title line of every page names the kind."""
        spec = self.spec
        return spec.label if spec else "Kind of review not stated in the protocol"

    @property
    def comprehensive(self) -> bool:
        """Whether the search was comprehensive: as stated, else as the kind implies (a kind
        not stated is not taken to be comprehensive)."""
        if self.search.comprehensive is not None:
            return self.search.comprehensive
        spec = self.spec
        return bool(spec and spec.comprehensive)

    @property
    def prisma(self) -> bool:
        """Whether a PRISMA 2020 flow diagram fits this kind (a kind not stated: yes, as
        before the kind was recorded)."""
        spec = self.spec
        return spec.prisma if spec else True

    def limitations(self) -> tuple[str, ...]:
        """The limitations of the review process, from the kind and the search facts."""
        out = []
        spec = self.spec
        if spec:
            out.append(spec.limitation)
        else:
            out.append(
                "The protocol does not say what kind of review this is, so how complete its "
                "search is cannot be judged."
            )
        search = self.search
        if not self.comprehensive and (spec is None or spec.comprehensive):
            out.append("The search was not comprehensive.")
        if search.people == 1:
            out.append(
                "One person selected the studies and extracted the data: no second person "
                "checked either, so errors of selection and extraction may remain."
            )
        if not search.dates:
            out.append("The dates of the search are not recorded.")
        if not search.strategies:
            out.append("No search strategy is recorded, so the search cannot be repeated.")
        out.extend(f"Not done: {item}" for item in search.not_done)
        return tuple(out)


def _expected_keys(keys: tuple[str, ...]) -> str:
    return (
        "one of the keys " + ", ".join(keys) + " (misspelled key? see data/README.md, "
        "'The protocol')"
    )


def _text(check: Any, table: tuple[str, ...], data: Mapping, key: str) -> str:
    return check.text_value(table, data, key, required=False)


def _date(check: Any, table: tuple[str, ...], data: Mapping, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    check.add(table, key, value, "a date, YYYY-MM-DD such as 2026-12-01")
    return ""


def _search(check: Any, review: Mapping) -> SearchFacts:
    table = ("review", "search")
    raw = review.get("search", {})
    if not isinstance(raw, Mapping):
        check.add(("review",), "search", raw, "a table [review.search]")
        return SearchFacts()
    for key in raw:
        if key not in SEARCH_KEYS:
            check.add(table, key, key, _expected_keys(SEARCH_KEYS))
    comprehensive = raw.get("comprehensive")
    if comprehensive is not None and not isinstance(comprehensive, bool):
        check.add(table, "comprehensive", comprehensive, "true or false (without quotes)")
        comprehensive = None
    people = raw.get("people")
    if people is not None and (isinstance(people, bool) or not isinstance(people, int)):
        check.add(table, "people", people, "a whole number of people > 0, without quotes")
        people = None
    elif people is not None and people < 1:
        check.add(table, "people", people, "a whole number of people > 0, without quotes")
        people = None
    return SearchFacts(
        sources=check.text_list(table, raw, "sources"),
        dates=_text(check, table, raw, "dates"),
        strategies=check.text_list(table, raw, "strategies"),
        comprehensive=comprehensive,
        selection=_text(check, table, raw, "selection"),
        extraction=_text(check, table, raw, "extraction"),
        people=people,
        not_done=check.text_list(table, raw, "not_done"),
    )


def _thresholds(check: Any, data: Mapping) -> Thresholds:
    raw = check.table((), data, "grade")
    for key in raw:
        if key not in GRADE_KEYS:
            check.add(("grade",), key, key, _expected_keys(GRADE_KEYS))
    values = dict(DEFAULT_THRESHOLDS)
    for key in GRADE_KEYS:
        if key not in raw:
            continue
        value = raw[key]
        ratio = key.startswith("ratio")
        bad = (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or (value <= 1 if ratio else value <= 0)
        )
        if bad:
            check.add(
                ("grade",),
                key,
                value,
                "a number without quotes, "
                + ("a ratio > 1 (1.25 also means 0.8)" if ratio else "a difference > 0"),
            )
            continue
        values[key] = float(value)
    for kind in ("ratio", "smd"):
        if values[f"{kind}_mid"] >= values[f"{kind}_large"]:
            check.add(
                ("grade",),
                f"{kind}_large",
                values[f"{kind}_large"],
                f"a threshold of a large effect above {kind}_mid ({values[f'{kind}_mid']})",
            )
    return Thresholds(**values, stated=bool(raw))


def parse_review_kind(check: Any, data: Mapping) -> ReviewKind:
    """The :class:`ReviewKind` of a parsed ``evsum.toml`` (``data``), problems to ``check``.

    ``check`` is the protocol's problem collector (``evsum.ingest.protocol._Checker``): each
    problem names the line of its key.
    """
    review = data.get("review", {})
    review = review if isinstance(review, Mapping) else {}
    kind = check.text_value(("review",), review, "type", required=False)
    if kind and kind not in REVIEW_TYPES:
        check.add(("review",), "type", kind, "one of " + ", ".join(REVIEW_TYPES))
        kind = ""
    reporting = check.table((), data, "reporting")
    for key in reporting:
        if key not in REPORTING_KEYS:
            check.add(("reporting",), key, key, _expected_keys(REPORTING_KEYS))
    source = check.table((), data, "source_text")
    for key in source:
        if key not in SOURCE_TEXT_KEYS:
            check.add(("source_text",), key, key, _expected_keys(SOURCE_TEXT_KEYS))
    measures = {}
    outcomes = data.get("outcomes", {})
    conditions = data.get("conditions", {})
    for key, value in check.table((), data, "outcome_measures").items():
        parts = key.split(".")
        known = (len(parts) == 1 and parts[0] in outcomes) or (
            len(parts) == 2 and parts[0] in conditions and parts[1] in outcomes
        )
        if not known:
            check.add(
                ("outcome_measures",),
                key,
                key,
                "an outcome key, or CONDITION.OUTCOME in quotes, of this protocol",
            )
        if not isinstance(value, str) or not value.strip():
            check.add(("outcome_measures",), key, value, "how the outcome was measured (text)")
            continue
        measures[key] = value
    return ReviewKind(
        outcome_measures=measures,
        type=kind,
        detail=check.text_value(("review",), review, "type_detail", required=False),
        search=_search(check, review),
        reporting=Reporting(
            **{k: _text(check, ("reporting",), reporting, k) for k in REPORTING_KEYS}
        ),
        source_text=SourceText(
            title=_text(check, ("source_text",), source, "title"),
            publisher=_text(check, ("source_text",), source, "publisher"),
            address=_text(check, ("source_text",), source, "address"),
            date_read=_date(check, ("source_text",), source, "date_read"),
        ),
        thresholds=_thresholds(check, data),
    )
