"""The review protocol (``evsum.toml`` at the root of an evidence base): question and wording.

An evidence base is data: its question, the words used for the intervention and comparator,
its conditions and outcomes (with their direction and GRADE importance), its named time points
and claim types come from this file, never from the library. The file is validated with the
same error model as the CSV files: every problem at once, each naming the file, the line, the
key, what came and what was expected.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsum import vocab
from evsum.exceptions import Problem, StudyDataError
from evsum.ingest import review_kind
from evsum.ingest.bidi import close_bidi
from evsum.ingest.io import read_text
from evsum.ingest.plan import DEFAULT_PLAN, PLAN_SECTIONS, AnalysisPlan, parse_plan
from evsum.ingest.toml_schema import (
    CustomSection,
    Key,
    KeyedTables,
    Section,
    TableSection,
    TextMapping,
    TomlChecker,
    check_sections,
    key_names,
)
from evsum.ingest.wording import (
    WORDING,
    WORDING_KEY_DECLARATIONS,
    ReviewWording,
    without_wording,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Name of the protocol file at the root of an evidence base.
PROTOCOL_FILE = "evsum.toml"
#: GRADE importance of an outcome, most important first (orders the summary of findings).
IMPORTANCE: tuple[str, ...] = ("critical", "important", "not important")
#: Time points every evidence base may use besides ``<number> <unit>``.
BUILTIN_TIMEPOINTS: dict[str, str] = {
    "end of treatment": "when the allocated treatment ended",
    "end of follow-up": "the last assessment of the trial",
    "discharge": "discharge from hospital or from the treatment programme",
}
#: Claim types of a claims audit when the protocol declares none (no review words).
DEFAULT_CLAIM_TYPES: dict[str, str] = {
    "effect": "the intervention changes an outcome",
    "study type": "what kind of study a source is",
    "attribution": "a finding attributed to a cited study",
    "mechanism": "how the intervention works",
    "case story": "a patient anecdote",
    "safety": "harms or tolerability",
}
#: Condition and outcome keys (they name files, anchors and CSV values).
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\Z")
#: A ``[glossary]`` term: words as a page writes them, on one line, no space at either end.
GLOSSARY_TERM = re.compile(r"^\S(?:[^\n\r]*\S)?\Z")
#: ``<number> <unit>`` time points, as ``studies.csv`` writes them.
TIMEPOINT_PATTERN = re.compile(r"^\d+(\.\d+)?\s(h|day|days|week|weeks|month|months|year|years)\Z")


@dataclass(frozen=True)
class ConditionSpec:
    """One condition of the review (one report, one table per condition)."""

    key: str
    label: str
    population: str = ""
    setting: str = ""
    question: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome of the review: its label, data type, direction and GRADE importance."""

    key: str
    label: str
    type: str = "binary"
    higher_is_better: bool = True
    importance: str = "important"
    mid: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class Protocol:
    """The review protocol of one evidence base.

    Attributes
    ----------
    title, question : str
        The review's title (report titles, index, page ``<title>``) and its question.
    intervention, comparator : str
        The words used for the intervention and the default comparator everywhere.
    conditions, outcomes : mapping
        Keys as ``studies.csv`` uses them, in the protocol's order.
    comparisons : mapping
        ``comparator_type`` -> wording of that comparison (``"dose comparison"`` ->
        ``"3 sessions vs 1 session"``); types without an entry use the comparator wording.
    study_comparisons : mapping
        ``study_id`` -> the comparison of that study in its own words (``"3 sessions vs 1
        session"``), shown where a result rests on that one study; studies without an entry
        use :attr:`comparisons`.
    timepoints : mapping
        Named time points the data may use besides ``<number> <unit>`` (name -> meaning),
        the built-in ones (:data:`BUILTIN_TIMEPOINTS`) included.
    eligibility : tuple of str
        The inclusion criteria, one sentence each.
    claim_types : mapping
        Kinds of claim of a claims audit (name -> meaning).
    glossary : mapping
        The review's own terms and abbreviations as its reports write them (term ->
        meaning), added to evsum's glossary of generic terms (``present/glossary.py``).
    plan : AnalysisPlan
        The analysis plan (``[synthesis]``, ``[covariates]``, ``[analyses]``;
        :mod:`evsum.ingest.plan`), :data:`~evsum.ingest.plan.DEFAULT_PLAN` when absent.
    reports : tuple of str
        Notebooks (file stems in ``notebooks/``) to render; empty: every notebook there.
    data_date : str
        When the data were last curated, ``YYYY-MM-DD`` (empty if the protocol does not say):
        reports show it with the study table's SHA-256 instead of the render time.
    cell_timeout : float or None
        ``[render] cell_timeout``: seconds one notebook cell may run before its report fails
        (``None``: evsum's default; ``evsum render --cell-timeout`` overrides it).
    source : str
        The protocol file as named to the user (empty for a protocol built in code).
    """

    title: str
    question: str
    intervention: str
    comparator: str
    conditions: Mapping[str, ConditionSpec] = field(default_factory=dict)
    outcomes: Mapping[str, OutcomeSpec] = field(default_factory=dict)
    comparisons: Mapping[str, str] = field(default_factory=dict)
    study_comparisons: Mapping[str, str] = field(default_factory=dict)
    timepoints: Mapping[str, str] = field(default_factory=lambda: dict(BUILTIN_TIMEPOINTS))
    eligibility: tuple[str, ...] = ()
    claim_types: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLAIM_TYPES))
    glossary: Mapping[str, str] = field(default_factory=dict)
    reports: tuple[str, ...] = ()
    data_date: str = ""
    cell_timeout: float | None = None
    source: str = ""
    #: Re-analysis of a published review, title template, favours labels (ingest/wording.py).
    wording: ReviewWording = field(default_factory=ReviewWording)
    #: the kind of review, its search, reporting, source text and thresholds (review_kind.py)
    kind: review_kind.ReviewKind = field(default_factory=review_kind.ReviewKind)
    plan: AnalysisPlan = DEFAULT_PLAN

    def condition_label(self, key: str) -> str:
        """The condition's label, or the key itself when the protocol does not name it."""
        spec = self.conditions.get(key)
        return spec.label if spec else key

    def outcome_label(self, key: str) -> str:
        """The outcome's label, or the key with spaces when the protocol does not name it."""
        spec = self.outcomes.get(key)
        return spec.label if spec else key.replace("_", " ")

    def higher_is_better(self, key: str) -> bool:
        """Whether more events (or a larger value) of an outcome favour the intervention."""
        spec = self.outcomes.get(key)
        return bool(spec.higher_is_better) if spec else False

    def comparison_label(self, comparator_type: str) -> str:
        """The words for a comparison of this ``comparator_type``: its ``[comparisons]`` entry,
        else the default comparator wording for ``none`` (an untreated control), else the
        type's own name (so two types never share a label)."""
        if comparator_type in self.comparisons:
            return self.comparisons[comparator_type]
        if comparator_type in ("", "none"):
            return self.comparator or comparator_type
        return comparator_type

    def study_comparison(self, study_id: str, comparator_type: str) -> str:
        """The words for one study's comparison (its own entry, else its type's wording)."""
        return self.study_comparisons.get(study_id) or self.comparison_label(comparator_type)

    def outcome_mid(self, key: str) -> float | None:
        """The outcome's minimal important difference, or ``None`` (the documented default
        of :func:`~evsum.review.statements.grade_statement` applies; measures without one
        cannot be sized)."""
        spec = self.outcomes.get(key)
        return spec.mid if spec else None

    def outcome_unit(self, key: str) -> str:
        """The unit of a continuous outcome's difference (``percentage points``), or ``""``."""
        spec = self.outcomes.get(key)
        return spec.unit if spec else ""

    def outcome_importance(self, key: str) -> str:
        """The outcome's GRADE importance (``important`` when the protocol does not say)."""
        spec = self.outcomes.get(key)
        return spec.importance if spec else "important"

    def is_timepoint(self, value: str) -> bool:
        """Whether ``value`` is ``<number> <unit>`` or a named time point of this protocol."""
        return bool(TIMEPOINT_PATTERN.match(value)) or value in self.timepoints

    def timepoint_expectation(self) -> str:
        """What a valid time point looks like, for error messages."""
        named = ", ".join(repr(t) for t in self.timepoints)
        return (
            "'<number> <unit>' with unit h, day(s), week(s), month(s), year(s), "
            f"or a named time point: {named}"
        )


# --- finding the evidence base -----------------------------------------------------------


def find_base(start: str | Path | None = None) -> Path | None:
    """The evidence base holding ``start``: the first of it and its parents with ``evsum.toml``.

    Parameters
    ----------
    start : str or Path, optional
        A folder or a file inside the base; default the current directory.

    Returns
    -------
    Path or None
        The base folder (absolute), or ``None`` when no folder up to the root holds one.
    """
    here = Path.cwd() if start is None else Path(start).resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / PROTOCOL_FILE).exists():
            return folder
    return None


def resolve_base(base: str | Path | None = None, *, near: str | Path | None = None) -> Path:
    """The evidence base to work on.

    ``base`` when given (it must hold ``evsum.toml``); else the base holding ``near`` (e.g. the
    study table named on the command line); else the one holding the current directory.

    Raises
    ------
    StudyDataError
        No ``evsum.toml`` where it was looked for (the message says where and what to do).
    """
    if base not in (None, ""):
        folder = Path(base)
        if not (folder / PROTOCOL_FILE).exists():
            raise StudyDataError(
                str(folder),
                [
                    Problem(
                        str(folder / PROTOCOL_FILE),
                        None,
                        None,
                        "no such file",
                        "the protocol of the evidence base (create a base with `evsum new DIR`)",
                    )
                ],
            )
        return folder
    found = find_base(near) if near is not None else None
    found = found or find_base()
    if found is None:
        where = Path.cwd() if near is None else Path(near).resolve().parent
        raise StudyDataError(
            str(where),
            [
                Problem(
                    str(where),
                    None,
                    None,
                    f"no {PROTOCOL_FILE} here or in a parent folder",
                    "an evidence base: run evsum inside one, give --base DIR (a `base` notebook "
                    "parameter), or create one with `evsum new DIR`",
                )
            ],
        )
    return found


# --- reading and validating the protocol -------------------------------------------------


#: An entry of ``[review] reports``: a notebook's file stem, never a path.
REPORT_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")


def _condition(key: str, values: dict[str, Any]) -> ConditionSpec:
    return ConditionSpec(key=key, **values)


def _outcome(key: str, values: dict[str, Any]) -> OutcomeSpec:
    return OutcomeSpec(
        key=key,
        label=values["label"],
        type=values["type"] or "binary",
        higher_is_better=values["higher_is_better"],
        importance=values["importance"] or "important",
        mid=values["mid"],
        unit=values["unit"],
    )


#: ``[review]``: the question and the words of the review (keys named as Protocol fields).
REVIEW = TableSection(
    "review",
    (
        Key("title", required=True),
        Key("question", required=True),
        Key("intervention", required=True),
        Key("comparator", required=True),
        Key("eligibility", "text list"),
        Key(
            "reports",
            "text list",
            rule=lambda stem: bool(REPORT_STEM.match(stem)),
            unique=True,
            expected="the file stem of a notebook in notebooks/, such as overview (letters, "
            "digits, - and _; no folder, no .ipynb)",
        ),
        Key(
            "data_date",
            "date",
            expected="the date the data were last curated, YYYY-MM-DD such as 2026-12-01",
        ),
        *review_kind.REVIEW_KEYS,
        *WORDING_KEY_DECLARATIONS,  # ingest/wording.py: re-analysis, title, favours labels
    ),
    missing="a [review] table with title, question, intervention and comparator",
    build=lambda values: review_kind.build_review(without_wording(values)),
)
#: ``[conditions.KEY]``: one per condition of ``studies.csv``.
CONDITIONS = KeyedTables(
    "conditions",
    (Key("label", required=True), Key("population"), Key("setting"), Key("question")),
    build=_condition,
    key_pattern=KEY_PATTERN,
    key_expected="a key of lower-case letters, digits and _ such as tuberculosis",
    missing="at least one [conditions.KEY] table (KEY as studies.csv writes the condition)",
)
#: ``[outcomes.KEY]``: one per outcome of ``studies.csv``.
OUTCOMES = KeyedTables(
    "outcomes",
    (
        Key("label", required=True),
        Key(
            "type",
            "vocabulary",
            required=True,
            vocabulary=vocab.OUTCOME_TYPES,
            expected="one of " + ", ".join(vocab.OUTCOME_TYPES),
        ),
        Key("higher_is_better", "boolean", required=True),
        Key(
            "importance",
            "vocabulary",
            required=True,
            vocabulary=IMPORTANCE,
            expected="one of " + ", ".join(IMPORTANCE) + " (GRADE)",
        ),
        Key(
            "mid",
            "number",
            rule=lambda mid: mid > 0,
            expected="a number > 0 without quotes: the minimal important difference on the "
            "effect measure's scale (a ratio > 1 such as 1.25 for ratio measures, a "
            "difference in the outcome's units otherwise)",
        ),
        Key("unit"),
    ),
    build=_outcome,
    key_pattern=KEY_PATTERN,
    key_expected="a key of lower-case letters, digits and _ such as abstinence",
    missing="at least one [outcomes.KEY] table (KEY as studies.csv writes the outcome)",
)

#: ``[render]``: how the reports are rendered.
RENDER = TableSection(
    "render",
    (
        Key(
            "cell_timeout",
            "number",
            rule=lambda seconds: seconds > 0,
            expected="a number of seconds > 0 without quotes, such as 600: how long one "
            "notebook cell may run before its report fails",
        ),
    ),
)

#: The sections of ``evsum.toml``, in the order they are checked (data/README.md, "The
#: protocol", documents each). Each builds keyword arguments of :class:`Protocol`: a new
#: section is one more entry here and one more field there.
SECTIONS: tuple[Section, ...] = (
    REVIEW,
    WORDING,  # [review]'s wording keys again, checked together (ingest/wording.py)
    CONDITIONS,
    OUTCOMES,
    TextMapping(
        "comparisons",
        "the wording of that comparison (text)",
        key_rule=lambda key: key in vocab.COMPARATOR_TYPES,
        key_expected="a comparator_type: " + ", ".join(vocab.COMPARATOR_TYPES),
    ),
    TextMapping("study_comparisons", "the wording of that study's comparison (text)"),
    TextMapping(
        "timepoints",
        "what the time point means (text)",
        key_rule=lambda key: not TIMEPOINT_PATTERN.match(key),
        key_expected="a name that is not '<number> <unit>' (those are always allowed)",
        builtin=BUILTIN_TIMEPOINTS,
    ),
    TextMapping("claim_types", "what that kind of claim is (text)", default=DEFAULT_CLAIM_TYPES),
    TextMapping(
        "glossary",
        "what the term means, as the glossary explains it (text)",
        key_rule=lambda term: bool(GLOSSARY_TERM.match(term)),
        key_expected="a term as the reports write it, on one line, without spaces around it",
    ),
    *review_kind.SECTIONS,
    RENDER,
    # the analysis plan: read together by evsum.ingest.plan.parse_plan (its sections refer to
    # each other), so each section here only declares its name
    *(CustomSection(name, lambda check, table, built: {}) for name in PLAN_SECTIONS),
)
#: The keys of evsum.toml (data/README.md, "The protocol", documents each).
TOP_KEYS = tuple(dict.fromkeys(s.name for s in SECTIONS))
REVIEW_KEYS = key_names(REVIEW)
CONDITION_KEYS = key_names(CONDITIONS)
OUTCOME_KEYS = key_names(OUTCOMES)


def _toml(text: str, source: str) -> dict[str, Any]:
    """The parsed TOML, or the syntax error as a problem at its line."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    None,
                    None,
                    "tables or arrays nested too deeply to read",
                    "a protocol of a few levels (see data/README.md)",
                )
            ],
        ) from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    int(found.group(1)) if found else None,
                    None,
                    str(err).split(" (at")[0],
                    'valid TOML (key = "text", [table] headers; see data/README.md)',
                )
            ],
        ) from None


def parse_protocol(text: str, source: str = PROTOCOL_FILE) -> Protocol:
    """Validate the text of an ``evsum.toml`` and build its :class:`Protocol`.

    The file's schema is :data:`SECTIONS` (see :mod:`evsum.ingest.toml_schema`).

    Raises
    ------
    StudyDataError
        Every problem at once (TOML syntax, missing or unknown keys, types, vocabularies),
        each naming the file, the line of the key, the key, what came and what was expected.
    """
    data = _toml(text, source)
    check = TomlChecker(text, source)
    fields = check_sections(check, data, SECTIONS)
    fields["plan"], plan_problems = parse_plan(data, text, source, fields.get("outcomes", {}))
    check.problems += plan_problems
    if check.problems:
        raise StudyDataError(source, check.problems)
    return Protocol(**_bidi_closed(fields), source=source)


def _bidi_closed(value: Any) -> Any:
    """``value`` with each text's bidi overrides closed at its end: the protocol's words are
    composed into titles and sentences ("<intervention> vs <comparator>"), where an override
    left open would reverse the words after them."""
    if isinstance(value, str):
        return close_bidi(value)
    if isinstance(value, dict):
        return {k: _bidi_closed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_bidi_closed(v) for v in value)
    if isinstance(value, (ConditionSpec, OutcomeSpec)):
        import dataclasses

        spec: Any = value  # a condition or an outcome: its texts closed
        changes: dict[str, Any] = {
            f.name: close_bidi(getattr(spec, f.name))
            for f in dataclasses.fields(spec)
            if isinstance(getattr(spec, f.name), str)
        }
        return dataclasses.replace(spec, **changes)
    return value


def study_comparison_problems(protocol: Protocol, study_ids: set[str]) -> list[Problem]:
    """Each ``[study_comparisons]`` key that is not a ``study_id`` of the study table (a
    misspelled id would leave that study's comparison in the generic words)."""
    from evsum.ingest.toml_schema import locate

    try:
        text = read_text(protocol.source) if protocol.source else ""
    except (OSError, StudyDataError):
        text = ""
    return [
        Problem(
            protocol.source or PROTOCOL_FILE,
            locate(text, ("study_comparisons",), key),
            f"study_comparisons.{key}",
            key,
            "a study_id of studies.csv (misspelled id?)",
        )
        for key in protocol.study_comparisons
        if key not in study_ids
    ]


def load_protocol(path: str | Path) -> Protocol:
    """Read and validate ``evsum.toml``.

    Parameters
    ----------
    path : str or Path
        The protocol file, or the evidence base folder holding it.

    Raises
    ------
    StudyDataError
        The file is missing or unreadable, or has problems (every one listed).
    """
    path = Path(path)
    if path.is_dir():
        path = path / PROTOCOL_FILE
    try:
        text = read_text(path)
    except OSError as err:
        raise StudyDataError(
            str(path), [Problem(str(path), None, None, None, f"a readable file ({err.strerror})")]
        ) from None
    return parse_protocol(text, str(path))
