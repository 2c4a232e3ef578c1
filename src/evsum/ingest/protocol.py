"""The review protocol (``evsum.toml`` at the root of an evidence base): question and wording.

An evidence base is data: its question, the words used for the intervention and comparator,
its conditions and outcomes (with their direction and GRADE importance), its named time points
and claim types come from this file, never from the library. The file is validated with the
same error model as the CSV files: every problem at once, each naming the file, the line, the
key, what came and what was expected.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from evsum import vocab
from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import read_text
from evsum.ingest.plan import DEFAULT_PLAN, AnalysisPlan, parse_plan

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
    plan : AnalysisPlan
        The analysis plan (``[synthesis]``, ``[covariates]``, ``[analyses]``;
        :mod:`evsum.ingest.plan`), :data:`~evsum.ingest.plan.DEFAULT_PLAN` when absent.
    reports : tuple of str
        Notebooks (file stems in ``notebooks/``) to render; empty: every notebook there.
    data_date : str
        When the data were last curated, ``YYYY-MM-DD`` (empty if the protocol does not say):
        reports show it with the study table's SHA-256 instead of the render time.
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
    reports: tuple[str, ...] = ()
    data_date: str = ""
    source: str = ""
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
        if (folder / PROTOCOL_FILE).is_file():
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
        if not (folder / PROTOCOL_FILE).is_file():
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

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part


def _split_dotted(name: str) -> tuple[str, ...]:
    return tuple(_unquote(p) for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', name))


def _locate(text: str, table: tuple[str, ...], key: str | None = None) -> int | None:
    """Line (1-based) of ``key`` in ``[table]`` (or of the table's header), else ``None``."""
    current: tuple[str, ...] = ()
    header_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TABLE.match(line)
        if match:
            current = _split_dotted(match.group(1))
            if current == table:
                header_line = number
            continue
        if key is not None and current == table:
            found = _KEY.match(line)
            if found and _unquote(found.group(1)) == key:
                return number
    return header_line


class _Checker:
    """Collects the problems of one protocol file, each at the line of its key."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self.problems: list[Problem] = []

    def add(self, table: tuple[str, ...], key: str | None, value, expected: str) -> None:
        name = ".".join((*table, key) if key else table) or None
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        line = _locate(self.text, table, key)
        self.problems.append(Problem(self.source, line, name, shown, expected))

    def text_value(
        self, table: tuple[str, ...], data: Mapping, key: str, *, required: bool
    ) -> str:
        if key not in data:
            if required:
                self.add(table, None, None, f"a key {key!r} (text) in [{'.'.join(table)}]")
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.add(table, key, value, "text in quotes")
            return ""
        if required and not value.strip():
            self.add(table, key, value, "a value (this key may not be empty)")
        return value

    def unknown(self, table: tuple[str, ...], data: Mapping, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                self.add(
                    table,
                    key,
                    key,
                    "one of the keys "
                    + ", ".join(allowed)
                    + " (misspelled key? see data/README.md, 'The protocol')",
                )

    def table(self, table: tuple[str, ...], data: Mapping, key: str) -> Mapping:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.add(table, key, value, f"a table [{'.'.join((*table, key))}]")
            return {}
        return value

    def text_list(self, table: tuple[str, ...], data: Mapping, key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(table, key, value, 'a list of texts such as ["...", "..."]')
            return ()
        return tuple(value)


#: The keys of evsum.toml (data/README.md, "The protocol", documents each).
TOP_KEYS = (
    "review",
    "conditions",
    "outcomes",
    "comparisons",
    "study_comparisons",
    "timepoints",
    "claim_types",
    "synthesis",
    "covariates",
    "analyses",
)
REVIEW_KEYS = (
    "title",
    "question",
    "intervention",
    "comparator",
    "eligibility",
    "reports",
    "data_date",
)
CONDITION_KEYS = ("label", "population", "setting", "question")
OUTCOME_KEYS = ("label", "type", "higher_is_better", "importance", "mid", "unit")


def _data_date(check: _Checker, review: Mapping) -> str:
    """``[review] data_date`` as ``YYYY-MM-DD`` (a TOML date or that text), '' if absent."""
    value = review.get("data_date")
    if value is None:
        return ""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    check.add(
        ("review",),
        "data_date",
        value,
        "the date the data were last curated, YYYY-MM-DD such as 2026-12-01",
    )
    return ""


def parse_protocol(text: str, source: str = PROTOCOL_FILE) -> Protocol:
    """Validate the text of an ``evsum.toml`` and build its :class:`Protocol`.

    Raises
    ------
    StudyDataError
        Every problem at once (TOML syntax, missing or unknown keys, types, vocabularies),
        each naming the file, the line of the key, the key, what came and what was expected.
    """
    try:
        data = tomllib.loads(text)
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
    check = _Checker(text, source)
    check.unknown((), data, TOP_KEYS)
    review = check.table((), data, "review")
    if "review" not in data:
        check.add(
            (), None, None, "a [review] table with title, question, intervention and comparator"
        )
    check.unknown(("review",), review, REVIEW_KEYS)
    words = {
        k: check.text_value(("review",), review, k, required="review" in data)
        for k in ("title", "question", "intervention", "comparator")
    }
    eligibility = check.text_list(("review",), review, "eligibility")
    reports = check.text_list(("review",), review, "reports")
    data_date = _data_date(check, review)

    conditions: dict[str, ConditionSpec] = {}
    raw_conditions = check.table((), data, "conditions")
    if not raw_conditions:
        check.add(
            (),
            None,
            None,
            "at least one [conditions.KEY] table (KEY as studies.csv writes the condition)",
        )
    for key, spec in raw_conditions.items():
        table = ("conditions", key)
        if not KEY_PATTERN.match(key):
            check.add(
                table, None, key, "a key of lower-case letters, digits and _ such as tuberculosis"
            )
        if not isinstance(spec, Mapping):
            check.add(("conditions",), key, spec, f"a table [conditions.{key}]")
            continue
        check.unknown(table, spec, CONDITION_KEYS)
        conditions[key] = ConditionSpec(
            key=key,
            label=check.text_value(table, spec, "label", required=True),
            population=check.text_value(table, spec, "population", required=False),
            setting=check.text_value(table, spec, "setting", required=False),
            question=check.text_value(table, spec, "question", required=False),
        )

    outcomes: dict[str, OutcomeSpec] = {}
    raw_outcomes = check.table((), data, "outcomes")
    if not raw_outcomes:
        check.add(
            (),
            None,
            None,
            "at least one [outcomes.KEY] table (KEY as studies.csv writes the outcome)",
        )
    for key, spec in raw_outcomes.items():
        table = ("outcomes", key)
        if not KEY_PATTERN.match(key):
            check.add(
                table, None, key, "a key of lower-case letters, digits and _ such as abstinence"
            )
        if not isinstance(spec, Mapping):
            check.add(("outcomes",), key, spec, f"a table [outcomes.{key}]")
            continue
        check.unknown(table, spec, OUTCOME_KEYS)
        label = check.text_value(table, spec, "label", required=True)
        kind = check.text_value(table, spec, "type", required=True)
        if kind and kind not in vocab.OUTCOME_TYPES:
            check.add(table, "type", kind, "one of " + ", ".join(vocab.OUTCOME_TYPES))
        importance = check.text_value(table, spec, "importance", required=True)
        if importance and importance not in IMPORTANCE:
            check.add(
                table, "importance", importance, "one of " + ", ".join(IMPORTANCE) + " (GRADE)"
            )
        better = spec.get("higher_is_better")
        if "higher_is_better" not in spec:
            check.add(
                table, None, None, f"a key 'higher_is_better' (true or false) in [outcomes.{key}]"
            )
        elif not isinstance(better, bool):
            check.add(table, "higher_is_better", better, "true or false (without quotes)")
        mid = spec.get("mid")
        if mid is not None and (
            isinstance(mid, bool)
            or not isinstance(mid, (int, float))
            or not math.isfinite(mid)
            or mid <= 0
        ):
            check.add(
                table,
                "mid",
                mid,
                "a number > 0 without quotes: the minimal important "
                "difference on the effect measure's scale (a ratio > 1 such as 1.25 for "
                "ratio measures, a difference in the outcome's units otherwise)",
            )
            mid = None
        outcomes[key] = OutcomeSpec(
            key=key,
            label=label,
            type=kind or "binary",
            higher_is_better=better is True,
            importance=importance or "important",
            mid=None if mid is None else float(mid),
            unit=check.text_value(table, spec, "unit", required=False),
        )

    comparisons = check.table((), data, "comparisons")
    for key, value in comparisons.items():
        if key not in vocab.COMPARATOR_TYPES:
            check.add(
                ("comparisons",),
                key,
                key,
                "a comparator_type: " + ", ".join(vocab.COMPARATOR_TYPES),
            )
        if not isinstance(value, str) or not value.strip():
            check.add(("comparisons",), key, value, "the wording of that comparison (text)")
    study_comparisons = check.table((), data, "study_comparisons")
    for key, value in study_comparisons.items():
        if not isinstance(value, str) or not value.strip():
            check.add(
                ("study_comparisons",), key, value, "the wording of that study's comparison (text)"
            )
    timepoints = dict(BUILTIN_TIMEPOINTS)
    for key, value in check.table((), data, "timepoints").items():
        if TIMEPOINT_PATTERN.match(key):
            check.add(
                ("timepoints",),
                key,
                key,
                "a name that is not '<number> <unit>' (those are always allowed)",
            )
        if not isinstance(value, str) or not value.strip():
            check.add(("timepoints",), key, value, "what the time point means (text)")
        timepoints[key] = str(value)
    claim_types = dict(check.table((), data, "claim_types")) or dict(DEFAULT_CLAIM_TYPES)
    for key, value in claim_types.items():
        if not isinstance(value, str) or not value.strip():
            check.add(("claim_types",), key, value, "what that kind of claim is (text)")

    plan, plan_problems = parse_plan(data, text, source, outcomes)
    check.problems += plan_problems
    if check.problems:
        raise StudyDataError(source, check.problems)
    return Protocol(
        plan=plan,
        title=words["title"],
        question=words["question"],
        intervention=words["intervention"],
        comparator=words["comparator"],
        conditions=conditions,
        outcomes=outcomes,
        comparisons={k: str(v) for k, v in comparisons.items()},
        study_comparisons={k: str(v) for k, v in study_comparisons.items()},
        timepoints=timepoints,
        eligibility=eligibility,
        claim_types={k: str(v) for k, v in claim_types.items()},
        reports=reports,
        data_date=data_date,
        source=source,
    )


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
