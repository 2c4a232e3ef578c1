"""Validation of the study table: every problem at once, each naming file, line and column."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evsum import vocab as schema
from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import LINE, file_sha256, read_with_partial
from evsum.ingest.printed import SUFFIX as PRINTED_SUFFIX
from evsum.ingest.protocol import TIMEPOINT_PATTERN, Protocol, load_protocol, resolve_base
from evsum.stats.effects import CI_RULE, usable_confidence_interval

# Patterns end in \Z, not $: "$" also matches before a final "\n", which would let
# "12 months\n" through as a time point.
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[^\s<>\"']+\Z")
#: Earliest plausible year of a trial report (controlled trials were published from 1900 on).
YEAR_MIN = 1900
#: Integers from 2**53 on are not all representable as floats (and overflow Int64 casts).
INTEGER_LIMIT = 2**53
#: Study ids name anchors, file names and reference keys: lower-case letters, digits and
#: underscores, starting with a letter (e.g. ``dakwar2019``, ``krupitsky2002_b``).
STUDY_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\Z")
#: Control characters, C0, DEL and C1 (e.g. U+0085 next line, U+009B CSI); tab, line feed and
#: carriage return excepted: the CSV reader handles them.
CONTROL_PATTERN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Columns that hold one fact of the study, the same in all its rows.
STUDY_LEVEL_COLUMNS = (
    "first_author",
    "year",
    "doi",
    "pmid",
    "design",
    "randomised",
    "condition",
    "blinding",
)


@dataclass(frozen=True)
class StudyTable:
    """The validated study table.

    Attributes
    ----------
    data : pandas.DataFrame
        One row per study × comparison × outcome × time point, typed (nullable integers,
        floats, booleans), with a ``line`` column giving each row's line in the source file.
    source : str
        Path of the file as the user named it.
    sha256 : str
        SHA-256 of the file's bytes, for report provenance.
    """

    data: pd.DataFrame = field(repr=False)
    source: str
    sha256: str

    @property
    def conditions(self) -> list[str]:
        """Conditions present in the table, sorted."""
        return sorted(self.data["condition"].unique())

    def for_condition(self, condition: str) -> pd.DataFrame:
        """Rows of one condition, in file order."""
        return self.data[self.data["condition"] == condition].reset_index(drop=True)


class _Collector:
    """Gathers problems for one file; rows are addressed by their position in the frame.

    Only flagged rows are visited one by one, so a large file of valid rows costs only the
    vectorised checks.
    """

    def __init__(self, frame: pd.DataFrame, source: str):
        self.frame = frame
        self.source = source
        self.problems: list[Problem] = []
        self._lines = frame[LINE].to_numpy()
        self._studies = (
            frame["study_id"].to_numpy(dtype=object)
            if "study_id" in frame
            else np.full(len(frame), None, dtype=object)
        )

    def add(
        self,
        mask: pd.Series | np.ndarray,
        column: str | None,
        expected: str,
        *,
        value_column: str | None = None,
    ) -> None:
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        shown = value_column or column
        values = None if shown is None else self.frame[shown].to_numpy(dtype=object)
        for position in positions:
            value = None if values is None else str(values[position])
            study = self._studies[position] or None
            self.problems.append(
                Problem(self.source, int(self._lines[position]), column, value, expected, study)
            )


class _Distinct:
    """A column factorised once, so that each check runs once per distinct value.

    Columns repeat few values many times (vocabularies, empty cells), so a check costs one
    call per distinct value rather than one per row.
    """

    def __init__(self, values: pd.Series):
        self.values = values.to_numpy(dtype=object)
        self.codes, self.uniques = pd.factorize(self.values, use_na_sentinel=False)

    def map(self, func: Callable[[Any], object]) -> np.ndarray:
        """``func`` of every row's value (object array)."""
        results = np.empty(len(self.uniques), dtype=object)
        results[:] = [func(u) for u in self.uniques]
        return results[self.codes]

    def flags(self, func: Callable[[Any], object]) -> np.ndarray:
        """Where ``func`` of the row's value is true (bool array)."""
        return np.fromiter(
            (bool(func(u)) for u in self.uniques), dtype=bool, count=len(self.uniques)
        )[self.codes]

    def has_control(self) -> np.ndarray:
        """Where the value holds a control character."""
        # one scan of the whole column ("\n" is allowed, so it may join the cells); value by
        # value only when that scan finds something
        if not CONTROL_PATTERN.search("\n".join(self.uniques)):
            return np.zeros(len(self.values), dtype=bool)
        return self.flags(CONTROL_PATTERN.search)

    def numbers(self, index: pd.Index) -> pd.Series:
        """The values as floats (NaN where empty or not a number)."""
        parsed = pd.to_numeric(
            pd.Series([u.strip() or np.nan for u in self.uniques], dtype=object), errors="coerce"
        )
        return pd.Series(parsed.to_numpy(dtype=float)[self.codes], index=index)


def check_header(
    frame: pd.DataFrame, source: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[Problem]:
    """Problems with the header: each missing column (other than the ``optional`` ones),
    each column not in ``columns``."""
    header = [c for c in frame.columns if c != LINE]
    problems = [
        Problem(source, 1, c, None, "this column in the header (see data/README.md)")
        for c in columns
        if c not in header and c not in optional
    ]
    problems += [
        Problem(
            source, 1, c, c, "only the columns of data/README.md (misspelled or renamed column?)"
        )
        for c in header
        if c not in columns
    ]
    return problems


def validate_studies(
    frame: pd.DataFrame, source: str, sha256: str = "", protocol: Protocol | None = None
) -> StudyTable:
    """Check a study table read by :func:`evsum.ingest.io.read_csv_records` and type its columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        String cells plus ``line``, as ``read_csv_records`` returns them.
    source : str
        File name to use in messages.
    sha256 : str, optional
        Digest of the file, carried into the result for provenance.
    protocol : Protocol, optional
        The review protocol: ``condition`` and ``outcome`` must be its keys and ``timepoint``
        may be one of its named time points. Without it those two vocabularies are not
        checked (only their format) and only ``<number> <unit>`` time points are accepted.

    Returns
    -------
    StudyTable
        Typed table: integers as ``Int64``, numbers as ``float``, ``randomised`` as ``bool``;
        each decimal column also keeps its text as ``<column>_printed`` (see
        :mod:`evsum.ingest.printed`).

    Raises
    ------
    StudyDataError
        With every problem found, in line order. Checks: column set, required values, number
        formats, study_id slugs, ranges (year, n > 0, 0 ≤ events ≤ n, SD > 0, ratio effects > 0,
        CI contains the estimate and has a width, the rule of
        :func:`evsum.stats.effects.usable_confidence_interval`), vocabularies (a
        ``source_kind``, where given, of the row's ``source_type``: ``full text`` or
        ``abstract`` for ``primary`` and so on, :data:`evsum.vocab.SOURCE_KINDS`; the column
        is optional and an empty cell means not recorded), DOI format, time
        point format (patterns match the whole cell: no final line feed), a source for every
        number, consistency of ``data_level`` with the numbers present (an arm-level row needs
        both n), one value of study-level facts per study (:data:`STUDY_LEVEL_COLUMNS`), and
        unique rows (study × comparison × outcome × time point, compared with
        :func:`normalised_key`; a copy that differs in other cells is a conflicting
        duplicate).
    """
    file_problems = check_header(
        frame, source, schema.STUDY_COLUMNS, schema.OPTIONAL_STUDY_COLUMNS
    )
    if file_problems:
        raise StudyDataError(source, file_problems)
    # an optional column left out reads as empty cells ("not recorded")
    frame = frame.assign(
        **{c: "" for c in schema.OPTIONAL_STUDY_COLUMNS if c not in frame.columns}
    )
    if frame.empty:
        raise StudyDataError(
            source, [Problem(source, None, None, "no records", "at least one study row")]
        )
    check = _Collector(frame, source)
    text = frame[list(schema.STUDY_COLUMNS)].astype(object)
    distinct = {c: _Distinct(text[c]) for c in schema.STUDY_COLUMNS}
    blank = pd.DataFrame(
        {c: distinct[c].flags(lambda v: not v.strip()) for c in schema.STUDY_COLUMNS},
        index=text.index,
    )

    for column in schema.STUDY_COLUMNS:
        check.add(distinct[column].has_control(), column, "text without control characters")
    for column in schema.REQUIRED_VALUE_COLUMNS:
        check.add(blank[column], column, "a value (this column may not be empty)")

    numbers = {c: distinct[c].numbers(text.index) for c in schema.NUMERIC_COLUMNS}
    for column in schema.NUMERIC_COLUMNS:
        value = numbers[column]
        check.add(~blank[column] & value.isna(), column, "a number")
        check.add(~blank[column] & value.notna() & ~np.isfinite(value), column, "a finite number")
    for column in schema.INTEGER_COLUMNS:
        value = numbers[column]
        check.add(
            value.notna() & np.isfinite(value) & (value != value.round()), column, "a whole number"
        )
        check.add(
            value.notna() & np.isfinite(value) & (value.abs() >= INTEGER_LIMIT),
            column,
            f"a whole number below {INTEGER_LIMIT:,} (larger ones lose digits)",
        )
    year_max = _dt.date.today().year + 1
    year = numbers["year"]
    check.add(
        year.notna() & ((year < YEAR_MIN) | (year > year_max)),
        "year",
        f"a year from {YEAR_MIN} to {year_max}",
    )
    check.add(numbers["pmid"].notna() & (numbers["pmid"] <= 0), "pmid", "a positive PubMed id")
    for arm in ("intervention", "comparator"):
        n = numbers[f"n_{arm}"]
        events = numbers[f"events_{arm}"]
        check.add(n.notna() & (n <= 0), f"n_{arm}", "a number of participants > 0")
        check.add(events.notna() & (events < 0), f"events_{arm}", "a number of events ≥ 0")
        # (only where n itself is valid: a bad n is reported once, above)
        check.add(
            events.notna() & (n > 0) & (events > n),
            f"events_{arm}",
            f"events ≤ n_{arm} (more events than participants)",
        )
        sd = numbers[f"sd_{arm}"]
        check.add(sd.notna() & (sd <= 0), f"sd_{arm}", "a standard deviation > 0")

    vocabularies = {
        "design": schema.DESIGNS,
        "blinding": schema.BLINDING,
        "randomised": schema.BOOLEAN_VALUES,
        "comparator_type": schema.COMPARATOR_TYPES,
        "outcome_type": schema.OUTCOME_TYPES,
        "data_level": schema.DATA_LEVELS,
        "source_type": schema.SOURCE_TYPES,
        "source_kind": schema.SOURCE_KINDS,
    }
    review_words: dict[str, tuple[Collection[str], str]] = {}
    if protocol is not None:
        where = f" (the {{}} of {protocol.source or 'the protocol'})"
        review_words = {
            "condition": (protocol.conditions, where.format("conditions")),
            "outcome": (protocol.outcomes, where.format("outcomes")),
        }
    for column in ("condition", "outcome"):
        allowed, tail = review_words.get(column, (None, ""))
        if allowed is None:
            check.add(
                ~blank[column] & ~distinct[column].flags(STUDY_ID_PATTERN.match),
                column,
                "a key of lower-case letters, digits and _",
            )
        else:
            check.add(
                ~blank[column] & ~text[column].isin(list(allowed)),
                column,
                "one of " + ", ".join(repr(a) for a in allowed) + tail,
            )
    for column, allowed in vocabularies.items():
        check.add(
            ~blank[column] & ~text[column].isin(list(allowed)),
            column,
            "one of " + ", ".join(repr(a) for a in allowed),
        )
    measure = text["effect_measure"]
    check.add(
        ~blank["effect_measure"] & ~measure.isin(schema.REPORTED_MEASURES),
        "effect_measure",
        "one of " + ", ".join(schema.REPORTED_MEASURES),
    )
    check.add(
        ~blank["study_id"] & ~distinct["study_id"].flags(STUDY_ID_PATTERN.match),
        "study_id",
        "a slug of lower-case letters, digits and _ such as dakwar2019",
    )
    check.add(
        ~blank["doi"] & ~distinct["doi"].flags(DOI_PATTERN.match),
        "doi",
        "a DOI such as 10.1176/appi.ajp.2019.19070684 (no https://doi.org/ prefix)",
    )
    if protocol is None:
        check.add(
            ~blank["timepoint"] & ~distinct["timepoint"].flags(TIMEPOINT_PATTERN.match),
            "timepoint",
            "'<number> <unit>' with unit h, day(s), week(s), month(s), year(s)",
        )
    else:
        check.add(
            ~blank["timepoint"] & ~distinct["timepoint"].flags(protocol.is_timepoint),
            "timepoint",
            protocol.timepoint_expectation(),
        )

    _check_source_kind(check, text, blank)
    _check_levels(check, text, blank, numbers)
    _check_consistency(check, text)

    if check.problems:
        problems = sorted(check.problems, key=lambda p: p.line or 0)
        raise StudyDataError(source, problems)
    return StudyTable(data=_typed(frame, numbers), source=source, sha256=sha256)


def _check_source_kind(check: _Collector, text: pd.DataFrame, blank: pd.DataFrame) -> None:
    """A source kind belongs to one source type (``full text`` and ``abstract`` to
    ``primary``, ...); an empty kind is not recorded, and an unknown kind or type is
    reported once, by the vocabulary check."""
    kind, source_type = text["source_kind"], text["source_type"]
    belongs = kind.map(schema.SOURCE_KINDS)
    mismatch = (
        ~blank["source_kind"]
        & belongs.notna()
        & source_type.isin(list(schema.SOURCE_TYPES))
        & (belongs != source_type)
    )
    if not mismatch.any():
        return
    for wanted in schema.SOURCE_TYPES:
        kinds = [k for k, t in schema.SOURCE_KINDS.items() if t == wanted]
        check.add(
            mismatch & (source_type == wanted),
            "source_kind",
            f"a source kind of source_type {wanted!r}: "
            + " or ".join(repr(k) for k in kinds)
            + " (or an empty cell: not recorded)",
        )


def _check_levels(
    check: _Collector, text: pd.DataFrame, blank: pd.DataFrame, numbers: dict[str, pd.Series]
) -> None:
    level = text["data_level"]
    has = {c: numbers[c].notna() for c in schema.SOURCED_NUMBER_COLUMNS}
    any_number = np.logical_or.reduce([has[c] for c in schema.SOURCED_NUMBER_COLUMNS])
    check.add(
        any_number & blank["source_quote"],
        "source_quote",
        "the words of the paper that state the numbers in this row",
    )
    narrative = level == "narrative"
    for column in schema.SOURCED_NUMBER_COLUMNS:
        check.add(narrative & has[column], column, "an empty cell: data_level is 'narrative'")
    arm = level == "arm"
    binary = text["outcome_type"] == "binary"
    continuous = text["outcome_type"] == "continuous"
    measure = text["effect_measure"]
    needed_binary = ("events_intervention", "n_intervention", "events_comparator", "n_comparator")
    needed_continuous = (
        "mean_intervention",
        "sd_intervention",
        "n_intervention",
        "mean_comparator",
        "sd_comparator",
        "n_comparator",
    )
    for column in needed_binary:
        check.add(
            arm & binary & blank[column],
            column,
            "a number: data_level 'arm' with a binary outcome needs events and n in both arms",
        )
    for column in needed_continuous:
        check.add(
            arm & continuous & blank[column],
            column,
            "a number: data_level 'arm' with a continuous outcome needs mean, SD and "
            "n in both arms",
        )
    check.add(
        arm & binary & ~measure.isin(sorted(schema.BINARY_MEASURES)),
        "effect_measure",
        "RR, OR or RD for an arm-level binary outcome",
    )
    check.add(
        arm & continuous & ~measure.isin(sorted(schema.CONTINUOUS_MEASURES)),
        "effect_measure",
        "MD or SMD for an arm-level continuous outcome",
    )
    check.add(
        arm & ~(binary | continuous),
        "outcome_type",
        "binary or continuous for data_level 'arm' (give other outcomes as contrasts)",
    )
    contrast = level == "contrast"
    for column in ("effect", "ci_low", "ci_high"):
        check.add(contrast & blank[column], column, "a number: data_level is 'contrast'")
    check.add(
        contrast & blank["effect_measure"], "effect_measure", "the measure of the reported effect"
    )
    effect, low, high = numbers["effect"], numbers["ci_low"], numbers["ci_high"]
    given = low.notna() & high.notna() & effect.notna()
    usable = usable_confidence_interval(effect, low, high)
    outside = given & ~((low <= effect) & (effect <= high))
    check.add(outside, "effect", "an estimate inside its confidence interval [ci_low, ci_high]")
    # the same rule as evsum.stats.effects: a zero-width interval gives no standard error
    check.add(
        given & ~outside & ~usable,
        "ci_high",
        f"an interval of some width ({CI_RULE}): equal bounds give a standard error of 0",
    )
    ratio = measure.isin(sorted(schema.RATIO_MEASURES))
    for column in ("effect", "ci_low", "ci_high"):
        check.add(
            ratio & numbers[column].notna() & (numbers[column] <= 0),
            column,
            "a ratio > 0 (ratios are given on the natural scale, not the log scale)",
        )


def _check_consistency(check: _Collector, text: pd.DataFrame) -> None:
    codes, _ = pd.factorize(text["study_id"].to_numpy(dtype=object), use_na_sentinel=False)
    _, first_position = np.unique(codes, return_index=True)
    first_row = first_position[codes]  # position of the first row of each row's study
    # (a cell already reported, e.g. an unknown condition, is not reported again here)
    lines = check.frame[LINE].to_numpy()
    for column in STUDY_LEVEL_COLUMNS:
        values = text[column].to_numpy(dtype=object)
        reported = {p.line for p in check.problems if p.column == column and p.line is not None}
        fresh = ~np.isin(lines, list(reported)) if reported else True
        check.add(
            (values != values[first_row]) & fresh,
            column,
            f"one {column} per study_id, as in the first row of this study",
        )
    # Keys are compared as analyses compare them, and case does not make a new comparison:
    # spaces trimmed and collapsed, case folded.
    key = pd.DataFrame({c: text[c].map(normalised_key) for c in schema.ROW_KEY})
    duplicated = np.flatnonzero(key.duplicated(keep="first").to_numpy())
    if not len(duplicated):
        return
    group = key.groupby(list(schema.ROW_KEY), sort=False).ngroup().to_numpy()
    _, first_of_group = np.unique(group, return_index=True)
    cells = text[list(schema.STUDY_COLUMNS)].to_numpy(dtype=object)
    study = text["study_id"].to_numpy(dtype=object)
    for position in duplicated:
        first = first_of_group[group[position]]
        if (cells[position] == cells[first]).all():
            expected = "one row per study × comparison × outcome × time point (duplicate row)"
        else:
            expected = (
                "one row per study × comparison × outcome × time point: a conflicting "
                f"copy of line {int(lines[first])} (keys are compared with spaces "
                "trimmed and case ignored)"
            )
        check.problems.append(
            Problem(
                check.source,
                int(lines[position]),
                "study_id",
                str(study[position]),
                expected,
                study[position] or None,
            )
        )


def normalised_key(value: str) -> str:
    """A key cell as rows are matched: spaces trimmed and collapsed, case folded."""
    return " ".join(str(value).split()).casefold()


def _typed(frame: pd.DataFrame, numbers: dict[str, pd.Series]) -> pd.DataFrame:
    typed = frame.copy()
    for column in schema.INTEGER_COLUMNS:
        typed[column] = numbers[column].astype("Int64")
    for column in schema.FLOAT_COLUMNS:
        typed[column] = numbers[column].astype(float)
        typed[column + PRINTED_SUFFIX] = frame[column].astype(str).str.strip()
    typed["randomised"] = typed["randomised"].map(schema.BOOLEAN_VALUES).astype(bool)
    for column in set(schema.STUDY_COLUMNS) - set(schema.NUMERIC_COLUMNS) - {"randomised"}:
        typed[column] = typed[column].astype(str)
    typed[LINE] = typed[LINE].astype(int)
    return typed.reset_index(drop=True)


def load_studies(
    path: str | Path, *, source: str | None = None, protocol: Protocol | None = None
) -> StudyTable:
    """Read and validate a study table in one call.

    Parameters
    ----------
    path : str or Path
        The study table.
    source : str, optional
        How to name the file in messages.
    protocol : Protocol, optional
        The review protocol; default the ``evsum.toml`` of the evidence base holding ``path``
        (or else the current directory), see :func:`evsum.ingest.protocol.resolve_base`.

    Raises
    ------
    StudyDataError
        If no protocol is found, the file cannot be parsed or fails validation (every problem
        listed).
    """
    source = str(path) if source is None else source
    if protocol is None:
        protocol = load_protocol(resolve_base(near=path))
    return read_with_partial(
        path,
        lambda frame: validate_studies(frame, source, file_sha256(path), protocol),
        source=source,
    )
