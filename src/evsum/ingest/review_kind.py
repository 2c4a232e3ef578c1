"""What kind of review an evidence base is, and what its search and reporting actually were.

The kind of review is protocol data (``[review] type`` in ``evsum.toml``), because what a
reader may conclude follows from it: a systematic review searches comprehensively and draws a
PRISMA 2020 flow diagram; an evidence check of the studies a source text cites does neither,
and says so on every page. The search facts (``[search]``: sources, dates, strategies
as files, who selected and extracted and how many people, what was not done), the reporting
facts a PRISMA 2020 checklist asks for (``[reporting]``), the audited source text
(``[source_text]``), the effect-size thresholds GRADE judgements rest on (``[grade]``) and how
outcomes were measured (``[outcome_measures]``) are read here with the protocol's error
model (:mod:`evsum.ingest.toml_schema`): every problem at once, each at the line of its key.

The protocol's ``[review]`` section reads :data:`REVIEW_KEYS` and builds ``kind`` with
:func:`build_review`; each of :data:`SECTIONS` then refines it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evsum.ingest.toml_schema import CustomSection, Key, TomlChecker


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
    """What the search actually was (``[search]``); empty where not stated."""

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
    interpretation: str = ""
    implications: str = ""


@dataclass(frozen=True)
class SourceText:
    """The text a claims audit checks (``[source_text]``)."""

    title: str = ""
    publisher: str = ""
    published: str = ""
    address: str = ""
    date_read: str = ""
    note: str = ""

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


def _positive_whole(value: float) -> bool:
    return value >= 1 and float(value).is_integer()


#: Keys this module reads in ``[review]`` (beside the protocol's own).
REVIEW_KEYS: tuple[Key, ...] = (
    Key(
        "type",
        "vocabulary",
        vocabulary=tuple(REVIEW_TYPES),
        expected="one of " + ", ".join(REVIEW_TYPES),
    ),
    Key("type_detail"),
)
#: Keys of ``[search]``: what the search actually was.
SEARCH_KEYS: tuple[Key, ...] = (
    Key("sources", "text list"),
    Key("dates"),
    Key("strategies", "text list"),
    Key("comprehensive", "boolean"),
    Key("selection"),
    Key("extraction"),
    Key(
        "people",
        "number",
        rule=_positive_whole,
        expected="a whole number of people > 0, without quotes",
    ),
    Key("not_done", "text list"),
)
#: Keys of ``[reporting]`` (PRISMA 2020 items 3, 23a, 23d, 24, 25, 26, 27).
REPORTING_KEYS: tuple[Key, ...] = tuple(
    Key(name)
    for name in (
        "rationale",
        "registration",
        "protocol",
        "amendments",
        "funding",
        "competing_interests",
        "data_availability",
        "interpretation",
        "implications",
    )
)
#: Keys of ``[source_text]``.
SOURCE_TEXT_KEYS: tuple[Key, ...] = (
    Key("title"),
    Key("publisher"),
    Key("published"),
    Key("address"),
    Key("date_read", "date", expected="a date, YYYY-MM-DD such as 2026-12-01"),
    Key("note"),
)
_RATIO = "a number without quotes, a ratio > 1 (1.25 also means 0.8)"
_DIFFERENCE = "a number without quotes, a difference > 0"
#: Keys of ``[grade]``: thresholds on the effect measure's scale.
GRADE_KEYS: tuple[Key, ...] = (
    Key("ratio_mid", "number", rule=lambda v: v > 1, expected=_RATIO),
    Key("ratio_large", "number", rule=lambda v: v > 1, expected=_RATIO),
    Key("smd_mid", "number", rule=lambda v: v > 0, expected=_DIFFERENCE),
    Key("smd_large", "number", rule=lambda v: v > 0, expected=_DIFFERENCE),
)


def _read(
    check: TomlChecker, name: str, table: Mapping[str, Any], keys: tuple[Key, ...]
) -> dict[str, Any]:
    check.unknown((name,), table, tuple(k.name for k in keys))
    return {k.name: k.read(check, (name,), table) for k in keys}


def build_review(values: dict[str, Any]) -> dict[str, Any]:
    """The ``[review]`` table's keyword arguments of the protocol: its own keys, and
    ``kind`` from ``type`` and ``type_detail``."""
    values = dict(values)
    kind = ReviewKind(type=values.pop("type", "") or "", detail=values.pop("type_detail", ""))
    return {**values, "kind": kind}


def _kind(built: Mapping[str, Any]) -> ReviewKind:
    return built.get("kind") or ReviewKind()


def _read_search(
    check: TomlChecker, table: Mapping[str, Any], built: Mapping[str, Any]
) -> dict[str, Any]:
    values = _read(check, "search", table, SEARCH_KEYS)
    if "comprehensive" not in table or not isinstance(table.get("comprehensive"), bool):
        values["comprehensive"] = None  # not stated: as the kind implies
    people = values["people"]
    values["people"] = None if people is None else int(people)
    return {"kind": dataclasses.replace(_kind(built), search=SearchFacts(**values))}


def _read_reporting(
    check: TomlChecker, table: Mapping[str, Any], built: Mapping[str, Any]
) -> dict[str, Any]:
    values = _read(check, "reporting", table, REPORTING_KEYS)
    return {"kind": dataclasses.replace(_kind(built), reporting=Reporting(**values))}


def _read_source_text(
    check: TomlChecker, table: Mapping[str, Any], built: Mapping[str, Any]
) -> dict[str, Any]:
    values = _read(check, "source_text", table, SOURCE_TEXT_KEYS)
    return {"kind": dataclasses.replace(_kind(built), source_text=SourceText(**values))}


def _read_grade(
    check: TomlChecker, table: Mapping[str, Any], built: Mapping[str, Any]
) -> dict[str, Any]:
    read = _read(check, "grade", table, GRADE_KEYS)
    values = dict(DEFAULT_THRESHOLDS)
    values.update({k: v for k, v in read.items() if v is not None})
    for kind in ("ratio", "smd"):
        if values[f"{kind}_mid"] >= values[f"{kind}_large"]:
            check.add(
                ("grade",),
                f"{kind}_large",
                values[f"{kind}_large"],
                f"a threshold of a large effect above {kind}_mid ({values[f'{kind}_mid']:g})",
            )
    thresholds = Thresholds(**values, stated=bool(table))
    return {"kind": dataclasses.replace(_kind(built), thresholds=thresholds)}


def _read_outcome_measures(
    check: TomlChecker, table: Mapping[str, Any], built: Mapping[str, Any]
) -> dict[str, Any]:
    outcomes = built.get("outcomes", {})
    conditions = built.get("conditions", {})
    measures = {}
    for key, value in table.items():
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
    return {"kind": dataclasses.replace(_kind(built), outcome_measures=measures)}


#: The protocol sections this module reads, after the protocol's own (each refines ``kind``).
SECTIONS: tuple[CustomSection, ...] = (
    CustomSection("search", _read_search, SEARCH_KEYS),
    CustomSection("reporting", _read_reporting, REPORTING_KEYS),
    CustomSection("source_text", _read_source_text, SOURCE_TEXT_KEYS),
    CustomSection("grade", _read_grade, GRADE_KEYS),
    CustomSection("outcome_measures", _read_outcome_measures),
)
