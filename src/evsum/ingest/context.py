"""Validation of the files beside the study table: characteristics, risk of bias, GRADE."""

from __future__ import annotations

import pandas as pd

from evsum import vocab as schema
from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import LINE
from evsum.ingest.studies import (
    CONTROL_PATTERN,
    INTEGER_LIMIT,
    TIMEPOINT_PATTERN,
    check_header,
    normalised_key,
)
from evsum.stats.grade import DOWNGRADE_STEPS, certainty_after_downgrades

CHARACTERISTICS_COLUMNS = (
    "study_id", "title", "journal", "population", "country", "setting", "n_randomised",
    "dose_route", "sessions", "co_therapy", "follow_up", "funding", "conflicts",
    "registration", "source_locator", "notes")
ROB_COLUMNS = ("study_id", "tool", "domain", "judgement", "support", "source_locator")
GRADE_LEVELS = tuple(DOWNGRADE_STEPS)
GRADE_COLUMNS = (
    "condition", "outcome", "comparator_type", "timepoint", "start",
    *[c for d in schema.GRADE_DOMAINS for c in (d, f"{d}_reason")],
    "certainty", "baseline_risk_per_1000", "baseline_risk_source")
#: ``source`` marks a row describing where records came from (a review, a database).
#: Decisions of the search log, as PRISMA 2020 and Cochrane name them: ``ongoing`` studies have no
#: results yet; ``awaiting classification`` ones could not be assessed (e.g. no citation found).
SEARCH_DECISIONS = ("included", "excluded", "ongoing", "awaiting classification", "source")
SEARCH_LOG_COLUMNS = ("candidate_id", "first_author", "year", "title", "doi", "found_via",
                      "decision", "reason")


def _problem(source: str, row: pd.Series | None, column: str | None, value, expected: str,
             ) -> Problem:
    line = None if row is None else int(row[LINE])
    study = None if row is None else (row.get("study_id") or None)
    return Problem(source, line, column, None if value is None else str(value), expected, study)


def _required(frame: pd.DataFrame, source: str, columns: tuple[str, ...]) -> list[Problem]:
    return [_problem(source, row, c, "", "a value (this column may not be empty)")
            for _, row in frame.iterrows() for c in columns if not str(row[c]).strip()]


def _control_characters(frame: pd.DataFrame, source: str) -> list[Problem]:
    problems = []
    for column in (c for c in frame.columns if c != LINE):
        bad = frame[column].astype(str).str.contains(CONTROL_PATTERN)
        problems += [_problem(source, row, column, row[column],
                              "text without control characters")
                     for _, row in frame[bad].iterrows()]
    return problems


def _known_studies(frame: pd.DataFrame, source: str,
                   study_ids: set[str] | None) -> list[Problem]:
    if study_ids is None:
        return []
    return [_problem(source, row, "study_id", row["study_id"],
                     "a study_id that appears in studies.csv")
            for _, row in frame.iterrows() if row["study_id"] not in study_ids]


def _whole_numbers(frame: pd.DataFrame, source: str, column: str) -> list[Problem]:
    """Cells of ``column`` that are neither empty nor a whole number > 0."""
    problems = []
    for _, row in frame.iterrows():
        value = str(row[column]).strip()
        if value and not (value.isascii() and value.isdigit()
                          and 0 < int(value) < INTEGER_LIMIT):
            problems.append(_problem(source, row, column, row[column],
                                     "a whole number > 0 (digits only), or empty"))
    return problems


def validate_characteristics(frame: pd.DataFrame, source: str,
                             study_ids: set[str] | None) -> pd.DataFrame:
    """Check ``study_characteristics.csv``: columns, one row per known study."""
    problems = check_header(frame, source, CHARACTERISTICS_COLUMNS)
    if not problems:
        problems += _required(frame, source, ("study_id", "title", "source_locator"))
        problems += _control_characters(frame, source)
        problems += _known_studies(frame, source, study_ids)
        for _, row in frame[frame.duplicated("study_id")].iterrows():
            problems.append(_problem(source, row, "study_id", row["study_id"],
                                     "one row per study (duplicate)"))
        problems += _whole_numbers(frame, source, "n_randomised")
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def validate_risk_of_bias(frame: pd.DataFrame, source: str,
                          study_ids: set[str] | None) -> pd.DataFrame:
    """Check ``risk_of_bias.csv``: tool, domain and judgement vocabularies, support given."""
    problems = check_header(frame, source, ROB_COLUMNS)
    if not problems:
        problems += _required(frame, source, ROB_COLUMNS)
        problems += _control_characters(frame, source)
        problems += _known_studies(frame, source, study_ids)
        for _, row in frame.iterrows():
            tool = row["tool"]
            if tool not in schema.ROB_TOOLS:
                problems.append(_problem(source, row, "tool", tool,
                                         "one of " + ", ".join(schema.ROB_TOOLS)))
                continue
            if row["domain"] not in schema.ROB_TOOLS[tool]:
                problems.append(_problem(source, row, "domain", row["domain"],
                                         f"a {tool} domain: " + ", ".join(schema.ROB_TOOLS[tool])))
            if row["judgement"] not in schema.ROB_JUDGEMENTS[tool]:
                problems.append(_problem(
                    source, row, "judgement", row["judgement"],
                    f"a {tool} judgement: " + ", ".join(schema.ROB_JUDGEMENTS[tool])))
        for _, row in frame[frame.duplicated(["study_id", "domain"])].iterrows():
            problems.append(_problem(source, row, "domain", row["domain"],
                                     "one judgement per study and domain (duplicate)"))
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def validate_grade(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check ``grade.csv``: vocabularies, time points, a reason for each downgrade, certainty
    arithmetic, one row per condition × outcome × comparator type × time point (a blank time
    point covers every time point without a row of its own)."""
    problems = check_header(frame, source, GRADE_COLUMNS)
    if not problems:
        problems += _required(frame, source, ("condition", "outcome", "comparator_type",
                                              "start", "certainty", *schema.GRADE_DOMAINS))
        problems += _control_characters(frame, source)
        for _, row in frame.iterrows():
            vocab = {"condition": schema.CONDITIONS, "outcome": schema.OUTCOMES,
                     "comparator_type": schema.COMPARATOR_TYPES,
                     "start": ("high", "low"), "certainty": schema.GRADE_CERTAINTY,
                     **{d: GRADE_LEVELS for d in schema.GRADE_DOMAINS}}
            bad = [c for c, allowed in vocab.items() if row[c] and row[c] not in allowed]
            problems += [_problem(source, row, c, row[c], "one of " + ", ".join(vocab[c]))
                         for c in bad]
            for domain in schema.GRADE_DOMAINS:
                if row[domain] in GRADE_LEVELS[1:] and not row[f"{domain}_reason"].strip():
                    problems.append(_problem(source, row, f"{domain}_reason", "",
                                             "the reason for downgrading"))
            when = row["timepoint"].strip()
            if when and not TIMEPOINT_PATTERN.match(when):
                problems.append(_problem(source, row, "timepoint", when,
                                         "'<number> <unit>' as in studies.csv, or empty for "
                                         "every time point"))
            if bad:
                continue
            expected = certainty_after_downgrades(
                row["start"], [row[d] for d in schema.GRADE_DOMAINS])
            if row["certainty"] != expected:
                problems.append(_problem(source, row, "certainty", row["certainty"],
                                         f"{expected!r} ({row['start']} less the downgrades)"))
            risk = row["baseline_risk_per_1000"].strip()
            if risk:
                try:
                    ok = 0 <= float(risk) <= 1000
                except ValueError:
                    ok = False
                if not ok:
                    problems.append(_problem(source, row, "baseline_risk_per_1000", risk,
                                             "a number from 0 to 1000"))
                elif not row["baseline_risk_source"].strip():
                    problems.append(_problem(source, row, "baseline_risk_source", "",
                                             "where the baseline risk comes from"))
        # compared as the summary of findings matches them (time point trimmed)
        key = frame[["condition", "outcome", "comparator_type", "timepoint"]].map(
            normalised_key)
        for _, row in frame[key.duplicated().to_numpy()].iterrows():
            problems.append(_problem(source, row, "outcome", row["outcome"],
                                     "one row per condition × outcome × comparator type × "
                                     "time point"))
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def validate_search_log(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check ``search_log.csv``: columns, a decision and a reason for each candidate."""
    problems = check_header(frame, source, SEARCH_LOG_COLUMNS)
    if not problems:
        problems += _required(frame, source, ("candidate_id", "found_via", "decision"))
        problems += _control_characters(frame, source)
        problems += [_problem(source, row, "decision", row["decision"],
                              "one of " + ", ".join(SEARCH_DECISIONS))
                     for _, row in frame.iterrows()
                     if row["decision"] not in SEARCH_DECISIONS]
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)
