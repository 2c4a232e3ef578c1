"""Validation of the study table: every problem at once, each naming file, line and column."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evsum import vocab
from evsum.exceptions import Problem
from evsum.ingest.forms import check_forms, contrast_needs_interval
from evsum.ingest.io import LINE, file_sha256, read_with_partial
from evsum.ingest.printed import SUFFIX as PRINTED_SUFFIX
from evsum.ingest.protocol import TIMEPOINT_PATTERN, Protocol, load_protocol, resolve_base
from evsum.ingest.schema import (
    Column,
    Context,
    FileSchema,
    Rule,
    Table,
    Values,
    check_file,
    one_of,
    one_of_quoted,
)
from evsum.stats.effects import CI_RULE, usable_confidence_interval

# Patterns end in \Z, not $: "$" also matches before a final "\n", which would let
# "12 months\n" through as a time point.
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/[^\s<>\"']+\Z")
#: Earliest plausible year of a trial report (controlled trials were published from 1900 on).
YEAR_MIN = 1900
#: Study ids name anchors, file names and reference keys: lower-case letters, digits and
#: underscores, starting with a letter (e.g. ``dakwar2019``, ``krupitsky2002_b``).
STUDY_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\Z")
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


def _protocol_keys(kind: str) -> Callable[[Context], Values]:
    """``condition``/``outcome``: a key of the protocol's ``kind`` (``conditions``), or,
    without a protocol, a key of the right form."""

    def values(context: Context) -> Values:
        protocol = context.protocol
        if protocol is None:
            return Values(STUDY_ID_PATTERN, "a key of lower-case letters, digits and _")
        allowed = tuple(getattr(protocol, kind))
        where = f" (the {kind} of {protocol.source or 'the protocol'})"
        return Values(allowed, one_of_quoted(allowed) + where)

    return values


def _timepoints(context: Context) -> Values:
    """``<number> <unit>``, or one of the protocol's named time points."""
    if context.protocol is None:
        return Values(
            TIMEPOINT_PATTERN, "'<number> <unit>' with unit h, day(s), week(s), month(s), year(s)"
        )
    return Values(context.protocol.is_timepoint, context.protocol.timepoint_expectation())


def _vocabulary(allowed: Collection[str]) -> Values:
    return Values(tuple(allowed), one_of_quoted(allowed))


def _at_most_n(arm: str) -> Rule:
    """Events ≤ n (only where n itself is valid: a bad n is reported once)."""

    def flags(events: pd.Series, table: Table) -> pd.Series:
        n = table.number(f"n_{arm}")
        return (n > 0) & (events > n)

    return Rule(flags, f"events ≤ n_{arm} (more events than participants)")


_POSITIVE_N = Rule(lambda n, _: n <= 0, "a number of participants > 0")
_EVENTS = Rule(lambda events, _: events < 0, "a number of events ≥ 0")
_SD = Rule(lambda sd, _: sd <= 0, "a standard deviation > 0")


def _year_rule() -> Rule:
    year_max = _dt.date.today().year + 1
    return Rule(
        lambda year, _: (year < YEAR_MIN) | (year > year_max),
        f"a year from {YEAR_MIN} to {year_max}",
    )


def _columns() -> tuple[Column, ...]:
    """The columns of ``studies.csv``, in file order (data/README.md documents each)."""
    return (
        Column(
            "study_id",
            "slug",
            required=True,
            values=Values(
                STUDY_ID_PATTERN, "a slug of lower-case letters, digits and _ such as dakwar2019"
            ),
        ),
        Column("first_author", required=True),
        Column("year", "integer", required=True, rules=(_year_rule(),)),
        Column(
            "doi",
            "doi",
            values=Values(
                DOI_PATTERN,
                "a DOI such as 10.1176/appi.ajp.2019.19070684 (no https://doi.org/ prefix)",
            ),
        ),
        Column("pmid", "integer", rules=(Rule(lambda v, _: v <= 0, "a positive PubMed id"),)),
        Column("condition", "key", required=True, values=_protocol_keys("conditions")),
        Column("design", "vocabulary", required=True, values=_vocabulary(vocab.DESIGNS)),
        Column("randomised", "boolean", required=True, values=_vocabulary(vocab.BOOLEAN_VALUES)),
        # empty only for an observational design (ingest/forms.py)
        Column("blinding", "vocabulary", values=_vocabulary(vocab.BLINDING)),
        Column("intervention", required=True),
        Column("comparator", required=True),
        Column(
            "comparator_type",
            "vocabulary",
            required=True,
            values=_vocabulary(vocab.COMPARATOR_TYPES),
        ),
        Column("n_intervention", "integer", rules=(_POSITIVE_N,)),
        Column("n_comparator", "integer", rules=(_POSITIVE_N,)),
        Column("outcome", "key", required=True, values=_protocol_keys("outcomes")),
        Column(
            "outcome_type", "vocabulary", required=True, values=_vocabulary(vocab.OUTCOME_TYPES)
        ),
        Column("timepoint", "timepoint", required=True, values=_timepoints),
        Column("events_intervention", "integer", rules=(_EVENTS, _at_most_n("intervention"))),
        Column("events_comparator", "integer", rules=(_EVENTS, _at_most_n("comparator"))),
        Column("mean_intervention", "number"),
        Column("sd_intervention", "number", rules=(_SD,)),
        Column("mean_comparator", "number"),
        Column("sd_comparator", "number", rules=(_SD,)),
        Column(
            "effect_measure",
            "vocabulary",
            values=Values(vocab.REPORTED_MEASURES, one_of(vocab.REPORTED_MEASURES)),
        ),
        Column("effect", "number"),
        Column("ci_low", "number"),
        Column("ci_high", "number"),
        # the forms in which papers report a result and a design (ingest/forms.py)
        Column("ci_level", "number", optional=True),
        Column("se", "number", optional=True),
        Column("p_value", "number", optional=True),
        Column("scale", "vocabulary", optional=True),
        Column("icc", "number", optional=True),
        Column("cluster_size", "number", optional=True),
        Column("design_effect", "number", optional=True),
        Column("correlation", "number", optional=True),
        Column("median_intervention", "number", optional=True),
        Column("median_comparator", "number", optional=True),
        Column("spread", "vocabulary", optional=True, values=_vocabulary(vocab.SPREADS)),
        Column("spread_low_intervention", "number", optional=True),
        Column("spread_high_intervention", "number", optional=True),
        Column("spread_low_comparator", "number", optional=True),
        Column("spread_high_comparator", "number", optional=True),
        Column("data_level", "vocabulary", required=True, values=_vocabulary(vocab.DATA_LEVELS)),
        Column("source_type", "vocabulary", required=True, values=_vocabulary(vocab.SOURCE_TYPES)),
        Column("source_kind", "vocabulary", optional=True, values=_vocabulary(vocab.SOURCE_KINDS)),
        Column("source_locator", required=True),
        Column("source_quote"),
        Column("derivation"),
        Column("notes"),
    )


def studies_schema() -> FileSchema:
    """The schema of ``studies.csv`` (data/README.md documents it).

    Built on each call: the latest plausible year is next year.
    """
    return FileSchema(
        "studies.csv",
        _columns(),
        checks=(_check_source_kind, _check_levels, _check_consistency, check_forms),
        show_blank=True,
        needs_rows="at least one study row",
    )


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
    frame, table = check_file(studies_schema(), frame, source, Context(protocol=protocol))
    numbers = {c: table.number(c) for c in vocab.NUMERIC_COLUMNS}
    return StudyTable(data=_typed(frame, numbers), source=source, sha256=sha256)


def _check_source_kind(check: Table) -> None:
    """A source kind belongs to one source type (``full text`` and ``abstract`` to
    ``primary``, ...); an empty kind is not recorded, and an unknown kind or type is
    reported once, by the vocabulary check."""
    kind, source_type = check.text["source_kind"], check.text["source_type"]
    belongs = kind.map(vocab.SOURCE_KINDS)
    mismatch = (
        ~check.blank("source_kind")
        & belongs.notna()
        & source_type.isin(list(vocab.SOURCE_TYPES))
        & (belongs != source_type)
    )
    if not mismatch.any():
        return
    for wanted in vocab.SOURCE_TYPES:
        kinds = [k for k, t in vocab.SOURCE_KINDS.items() if t == wanted]
        check.add(
            mismatch & (source_type == wanted),
            "source_kind",
            f"a source kind of source_type {wanted!r}: "
            + " or ".join(repr(k) for k in kinds)
            + " (or an empty cell: not recorded)",
        )


def _check_levels(check: Table) -> None:
    """Numbers as the data level needs them: an arm-level row has its arm numbers, a contrast
    its estimate and interval (usable, as effect sizes need it), a narrative row none."""
    text, blank = check.text, check.blank
    numbers = {c: check.number(c) for c in vocab.NUMERIC_COLUMNS}
    level = text["data_level"]
    has = {c: numbers[c].notna() for c in vocab.SOURCED_NUMBER_COLUMNS}
    any_number = np.logical_or.reduce([has[c] for c in vocab.SOURCED_NUMBER_COLUMNS])
    check.add(
        any_number & blank("source_quote"),
        "source_quote",
        "the words of the paper that state the numbers in this row",
    )
    narrative = level == "narrative"
    for column in vocab.SOURCED_NUMBER_COLUMNS:
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
    # a crossover trial's one group is counted once, in n_intervention
    one_group = (text["design"] == "crossover_rct") & blank("n_comparator")
    for column in needed_binary:
        check.add(
            arm & binary & blank(column) & ~(one_group & (column == "n_comparator")),
            column,
            "a number: data_level 'arm' with a binary outcome needs events and n in both arms",
        )
    medians = ~blank("median_intervention") | ~blank("median_comparator")  # forms.py
    for column in needed_continuous:
        check.add(
            arm
            & continuous
            & blank(column)
            & ~(one_group & (column == "n_comparator"))
            & ~(medians & column.startswith(("mean_", "sd_"))),
            column,
            "a number: data_level 'arm' with a continuous outcome needs mean, SD and "
            "n in both arms",
        )
    check.add(
        arm & binary & ~measure.isin(sorted(vocab.BINARY_MEASURES)),
        "effect_measure",
        "RR, OR or RD for an arm-level binary outcome",
    )
    check.add(
        arm & continuous & ~measure.isin(sorted(vocab.CONTINUOUS_MEASURES)),
        "effect_measure",
        "MD or SMD for an arm-level continuous outcome",
    )
    check.add(
        arm & ~(binary | continuous),
        "outcome_type",
        "binary or continuous for data_level 'arm' (give other outcomes as contrasts)",
    )
    contrast = level == "contrast"
    check.add(contrast & blank("effect"), "effect", "a number: data_level is 'contrast'")
    for column in ("ci_low", "ci_high"):  # or a standard error or p-value (forms.py)
        check.add(
            contrast & blank(column) & contrast_needs_interval(check),
            column,
            "a number: data_level is 'contrast' (or give se or p_value)",
        )
    check.add(
        contrast & blank("effect_measure"), "effect_measure", "the measure of the reported effect"
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
    ratio = measure.isin(sorted(vocab.RATIO_MEASURES)) & (text["scale"] != "log")
    for column in ("effect", "ci_low", "ci_high"):
        check.add(
            ratio & numbers[column].notna() & (numbers[column] <= 0),
            column,
            "a ratio > 0 (ratios are given on the natural scale, not the log scale)",
        )


def _check_consistency(check: Table) -> None:
    """One value of each study-level fact per study, and no duplicate rows."""
    text = check.text
    codes, _ = pd.factorize(text["study_id"].to_numpy(dtype=object), use_na_sentinel=False)
    _, first_position = np.unique(codes, return_index=True)
    first_row = first_position[codes]  # position of the first row of each row's study
    # (a cell already reported, e.g. an unknown condition, is not reported again here)
    lines = check.frame[LINE].to_numpy()
    for column in STUDY_LEVEL_COLUMNS:
        values = text[column].to_numpy(dtype=object)
        reported = {p.line for p in check.problems if p.column == column and p.line}
        fresh = ~np.isin(lines, list(reported)) if reported else True
        check.add(
            (values != values[first_row]) & fresh,
            column,
            f"one {column} per study_id, as in the first row of this study",
        )
    # Keys are compared as analyses compare them, and case does not make a new comparison:
    # spaces trimmed and collapsed, case folded.
    key = pd.DataFrame({c: text[c].map(normalised_key) for c in vocab.ROW_KEY})
    duplicated = np.flatnonzero(key.duplicated(keep="first").to_numpy())
    if not len(duplicated):
        return
    group = key.groupby(list(vocab.ROW_KEY), sort=False).ngroup().to_numpy()
    _, first_of_group = np.unique(group, return_index=True)
    cells = text[list(vocab.STUDY_COLUMNS)].to_numpy(dtype=object)
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
    for column in vocab.INTEGER_COLUMNS:
        typed[column] = numbers[column].astype("Int64")
    for column in vocab.FLOAT_COLUMNS:
        typed[column] = numbers[column].astype(float)
        typed[column + PRINTED_SUFFIX] = frame[column].astype(str).str.strip()
    typed["randomised"] = typed["randomised"].map(vocab.BOOLEAN_VALUES).astype(bool)
    for column in set(vocab.STUDY_COLUMNS) - set(vocab.NUMERIC_COLUMNS) - {"randomised"}:
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
