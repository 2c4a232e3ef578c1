"""Validation of the files beside the study table: characteristics, risk of bias, GRADE."""

from __future__ import annotations

import pandas as pd

from evsum import vocab as schema
from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import LINE
from evsum.ingest.protocol import TIMEPOINT_PATTERN, Protocol
from evsum.ingest.studies import (
    CONTROL_PATTERN,
    INTEGER_LIMIT,
    check_header,
    normalised_key,
)
from evsum.stats.grade import DOWNGRADE_STEPS, certainty_after_downgrades
from evsum.stats.rob import can_escalate, overall_judgement

CHARACTERISTICS_COLUMNS = (
    "study_id",
    "title",
    "journal",
    "population",
    "country",
    "setting",
    "n_randomised",
    "n_analysed",
    "n_arms",
    "n_source",
    "dose_route",
    "sessions",
    "co_therapy",
    "follow_up",
    "funding",
    "conflicts",
    "registration",
    "source_locator",
    "notes",
)
#: Participant-count columns a characteristics file may leave out (then empty).
CHARACTERISTICS_OPTIONAL = ("n_analysed", "n_arms", "n_source")
#: One row per study × outcome × domain; an empty ``outcome`` is the study's default
#: assessment, for every outcome without one of its own.
ROB_COLUMNS = (
    "study_id",
    "outcome",
    "tool",
    "domain",
    "judgement",
    "support",
    "escalation_reason",
    "source_locator",
)
ROB_REQUIRED = ("study_id", "tool", "domain", "judgement", "support", "source_locator")
#: Columns a risk-of-bias file may leave out (then empty: study-wide, not escalated).
ROB_OPTIONAL = ("outcome", "escalation_reason")
GRADE_LEVELS = tuple(DOWNGRADE_STEPS)
GRADE_COLUMNS = (
    "condition",
    "outcome",
    "comparator_type",
    "timepoint",
    "start",
    *[c for d in schema.GRADE_DOMAINS for c in (d, f"{d}_reason")],
    "certainty",
    "baseline_risk_per_1000",
    "baseline_risk_source",
)
#: ``source`` marks a row describing where records came from (a review, a database).
#: Decisions of the search log, as PRISMA 2020 and Cochrane name them: ``ongoing`` studies have no
#: results yet; ``awaiting classification`` ones could not be assessed (e.g. no citation found).
SEARCH_DECISIONS = ("included", "excluded", "ongoing", "awaiting classification", "source")
SEARCH_LOG_COLUMNS = (
    "candidate_id",
    "first_author",
    "year",
    "title",
    "doi",
    "found_via",
    "decision",
    "reason",
)


def _problem(
    source: str,
    row: pd.Series | None,
    column: str | None,
    value: object,
    expected: str,
) -> Problem:
    line = None if row is None else int(row[LINE])
    study = None if row is None else (row.get("study_id") or None)
    return Problem(source, line, column, None if value is None else str(value), expected, study)


def _required(frame: pd.DataFrame, source: str, columns: tuple[str, ...]) -> list[Problem]:
    return [
        _problem(source, row, c, "", "a value (this column may not be empty)")
        for _, row in frame.iterrows()
        for c in columns
        if not str(row[c]).strip()
    ]


def _control_characters(frame: pd.DataFrame, source: str) -> list[Problem]:
    problems = []
    for column in (c for c in frame.columns if c != LINE):
        bad = frame[column].astype(str).str.contains(CONTROL_PATTERN)
        problems += [
            _problem(source, row, column, row[column], "text without control characters")
            for _, row in frame[bad].iterrows()
        ]
    return problems


def _known_studies(frame: pd.DataFrame, source: str, study_ids: set[str] | None) -> list[Problem]:
    if study_ids is None:
        return []
    return [
        _problem(
            source, row, "study_id", row["study_id"], "a study_id that appears in studies.csv"
        )
        for _, row in frame.iterrows()
        if row["study_id"] not in study_ids
    ]


def _is_whole_number(text: str) -> bool:
    """Digits only (no sign, no words), > 0 and below the float-exact limit."""
    return text.isascii() and text.isdigit() and 0 < int(text) < INTEGER_LIMIT


def validate_characteristics(
    frame: pd.DataFrame, source: str, study_ids: set[str] | None
) -> pd.DataFrame:
    """Check ``study_characteristics.csv``: columns, one row per known study, and the counts:
    ``n_randomised`` and ``n_analysed`` whole numbers > 0 (or empty), no more analysed than
    randomised, an ``n_analysed`` only with the ``n_source`` words that state it, and
    ``n_arms`` (the groups participants were allocated to) a whole number of at least 2, or
    empty (two arms, or a crossover trial's one group)."""
    frame = frame.assign(**{c: "" for c in CHARACTERISTICS_OPTIONAL if c not in frame.columns})
    problems = check_header(frame, source, CHARACTERISTICS_COLUMNS)
    if not problems:
        problems += _required(frame, source, ("study_id", "title", "source_locator"))
        problems += _control_characters(frame, source)
        problems += _known_studies(frame, source, study_ids)
        problems += _counts(frame, source)
        for _, row in frame[frame.duplicated("study_id")].iterrows():
            problems.append(
                _problem(source, row, "study_id", row["study_id"], "one row per study (duplicate)")
            )
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def _counts(frame: pd.DataFrame, source: str) -> list[Problem]:
    problems = []
    for _, row in frame.iterrows():
        counts = {}
        for column in ("n_randomised", "n_analysed"):
            text = row[column].strip()
            if text and not _is_whole_number(text):
                problems.append(
                    _problem(
                        source,
                        row,
                        column,
                        text,
                        "a whole number > 0 (digits only), or empty when not reported",
                    )
                )
            elif text:
                counts[column] = int(text)
        if counts.get("n_analysed", 0) > counts.get("n_randomised", float("inf")):
            problems.append(
                _problem(
                    source,
                    row,
                    "n_analysed",
                    row["n_analysed"],
                    f"at most n_randomised ({counts['n_randomised']})",
                )
            )
        arms = row["n_arms"].strip()
        if arms and not (_is_whole_number(arms) and int(arms) >= 2):
            problems.append(
                _problem(
                    source,
                    row,
                    "n_arms",
                    arms,
                    "the number of allocated groups, a whole number of at "
                    "least 2 (digits only), or empty for two",
                )
            )
        if "n_analysed" in counts and not row["n_source"].strip():
            problems.append(
                _problem(
                    source, row, "n_source", "", "the source's words stating the number analysed"
                )
            )
    return problems


def validate_risk_of_bias(
    frame: pd.DataFrame, source: str, study_ids: set[str] | None, protocol: Protocol | None = None
) -> pd.DataFrame:
    """Check ``risk_of_bias.csv``: vocabularies, one complete assessment per study × outcome,
    and the overall judgement the tool's algorithm gives (``evsum.stats.rob``).

    An ``outcome`` must be one of the ``protocol``'s outcomes (not checked without one) or
    empty (the study's default assessment).

    An overall ``high`` reached only by several domains with some concerns needs its
    ``escalation_reason``; the same pattern of domain judgements must give the same overall
    judgement in every result of the file.
    """
    frame = frame.assign(**{c: "" for c in ROB_OPTIONAL if c not in frame.columns})
    problems = check_header(frame, source, ROB_COLUMNS)
    if not problems:
        problems += _required(frame, source, ROB_REQUIRED)
        problems += _control_characters(frame, source)
        problems += _known_studies(frame, source, study_ids)
        valid = []
        for index, row in frame.iterrows():
            tool = row["tool"]
            outcome = row["outcome"].strip()
            if outcome and protocol is not None and outcome not in protocol.outcomes:
                problems.append(
                    _problem(
                        source,
                        row,
                        "outcome",
                        outcome,
                        f"an outcome of {protocol.source or 'the protocol'}, "
                        "or empty for the study's default assessment",
                    )
                )
            if tool not in schema.ROB_TOOLS:
                problems.append(
                    _problem(source, row, "tool", tool, "one of " + ", ".join(schema.ROB_TOOLS))
                )
                continue
            ok = True
            if row["domain"] not in schema.ROB_TOOLS[tool]:
                problems.append(
                    _problem(
                        source,
                        row,
                        "domain",
                        row["domain"],
                        f"a {tool} domain: " + ", ".join(schema.ROB_TOOLS[tool]),
                    )
                )
                ok = False
            if row["judgement"] not in schema.ROB_JUDGEMENTS[tool]:
                problems.append(
                    _problem(
                        source,
                        row,
                        "judgement",
                        row["judgement"],
                        f"a {tool} judgement: " + ", ".join(schema.ROB_JUDGEMENTS[tool]),
                    )
                )
                ok = False
            if row["escalation_reason"].strip() and row["domain"] != "overall":
                problems.append(
                    _problem(
                        source,
                        row,
                        "escalation_reason",
                        row["escalation_reason"],
                        "empty (a reason for escalating belongs on the overall row)",
                    )
                )
            if ok:
                valid.append(index)
        key = ["study_id", "outcome", "domain"]
        for _, row in frame[frame.duplicated(key)].iterrows():
            problems.append(
                _problem(
                    source,
                    row,
                    "domain",
                    row["domain"],
                    "one judgement per study, outcome and domain (duplicate)",
                )
            )
        problems += _rob_overall(frame.loc[valid].drop_duplicates(key), source)
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def _rob_overall(frame: pd.DataFrame, source: str) -> list[Problem]:
    """Each study × outcome assessment: one tool, every domain, the algorithm's overall."""
    problems = []
    seen: dict[tuple[object, ...], tuple[str, str]] = {}
    for (study, outcome), group in frame.groupby(["study_id", "outcome"], sort=False):
        first = group.iloc[0]
        what = f"{study} ({outcome or 'default for every outcome'})"
        tools = list(dict.fromkeys(group["tool"]))
        if len(tools) > 1:
            problems += [
                _problem(
                    source,
                    row,
                    "tool",
                    row["tool"],
                    f"one tool per assessment ({what} also uses {tools[0]})",
                )
                for _, row in group[group["tool"] != tools[0]].iterrows()
            ]
            continue
        tool = tools[0]
        judgements = dict(zip(group["domain"], group["judgement"], strict=True))
        missing = [d for d in schema.ROB_TOOLS[tool] if d not in judgements]
        if missing:
            problems.append(
                _problem(
                    source,
                    first,
                    "domain",
                    ", ".join(missing),
                    f"a row for each {tool} domain of {what}; missing " + ", ".join(missing),
                )
            )
            continue
        row = group[group["domain"] == "overall"].iloc[0]
        domains = {d: j for d, j in judgements.items() if d != "overall"}
        reason = row["escalation_reason"].strip()
        pattern = ", ".join(f"{d} {j}" for d, j in domains.items())
        if reason and not can_escalate(tool, domains):
            problems.append(
                _problem(
                    source,
                    row,
                    "escalation_reason",
                    reason,
                    f"empty: escalation to high applies only when two or more domains have some "
                    f"concerns and none is high ({pattern})",
                )
            )
            continue
        expected = overall_judgement(tool, domains, escalate=bool(reason))
        if row["judgement"] != expected:
            hint = (
                "; to judge it high because several domains with some concerns "
                "substantially lower confidence, give the escalation_reason"
                if can_escalate(tool, domains) and row["judgement"] == "high"
                else ""
            )
            problems.append(
                _problem(
                    source,
                    row,
                    "judgement",
                    row["judgement"],
                    f"{expected!r}, the {tool} overall judgement for {pattern}{hint}",
                )
            )
            continue
        signature = (tool, tuple(sorted(domains.items())))
        if signature in seen and seen[signature][1] != expected:
            problems.append(
                _problem(
                    source,
                    row,
                    "judgement",
                    expected,
                    f"{seen[signature][1]!r} as for {seen[signature][0]}, which has the same "
                    f"domain judgements ({pattern}): the same pattern must give one overall "
                    "judgement",
                )
            )
        seen.setdefault(signature, (what, expected))
    return problems


def validate_grade(
    frame: pd.DataFrame, source: str, protocol: Protocol | None = None
) -> pd.DataFrame:
    """Check ``grade.csv``: vocabularies, time points, a reason for each downgrade, certainty
    arithmetic, one row per condition × outcome × comparator type × time point (a blank time
    point covers every time point without a row of its own).

    ``condition`` and ``outcome`` must be keys of the ``protocol`` (not checked without one);
    a time point is ``<number> <unit>`` or one of its named time points."""
    conditions = tuple(protocol.conditions) if protocol is not None else None
    outcomes = tuple(protocol.outcomes) if protocol is not None else None
    is_timepoint = (
        protocol.is_timepoint
        if protocol is not None
        else lambda v: bool(TIMEPOINT_PATTERN.match(v))
    )
    problems = check_header(frame, source, GRADE_COLUMNS)
    if not problems:
        problems += _required(
            frame,
            source,
            (
                "condition",
                "outcome",
                "comparator_type",
                "start",
                "certainty",
                *schema.GRADE_DOMAINS,
            ),
        )
        problems += _control_characters(frame, source)
        for _, row in frame.iterrows():
            vocab = {
                "comparator_type": schema.COMPARATOR_TYPES,
                "start": ("high", "low"),
                "certainty": schema.GRADE_CERTAINTY,
                **{d: GRADE_LEVELS for d in schema.GRADE_DOMAINS},
            }
            if conditions is not None and outcomes is not None:
                vocab = {"condition": conditions, "outcome": outcomes, **vocab}
            bad = [c for c, allowed in vocab.items() if row[c] and row[c] not in allowed]
            problems += [
                _problem(source, row, c, row[c], "one of " + ", ".join(vocab[c])) for c in bad
            ]
            for domain in schema.GRADE_DOMAINS:
                if row[domain] in GRADE_LEVELS[1:] and not row[f"{domain}_reason"].strip():
                    problems.append(
                        _problem(source, row, f"{domain}_reason", "", "the reason for downgrading")
                    )
            when = row["timepoint"].strip()
            if when and not is_timepoint(when):
                problems.append(
                    _problem(
                        source,
                        row,
                        "timepoint",
                        when,
                        "'<number> <unit>' or a named time point as in "
                        "studies.csv, or empty for every time point",
                    )
                )
            if bad:
                continue
            expected = certainty_after_downgrades(
                row["start"], [row[d] for d in schema.GRADE_DOMAINS]
            )
            if row["certainty"] != expected:
                problems.append(
                    _problem(
                        source,
                        row,
                        "certainty",
                        row["certainty"],
                        f"{expected!r} ({row['start']} less the downgrades)",
                    )
                )
            risk = row["baseline_risk_per_1000"].strip()
            if risk:
                try:
                    ok = 0 <= float(risk) <= 1000
                except ValueError:
                    ok = False
                if not ok:
                    problems.append(
                        _problem(
                            source, row, "baseline_risk_per_1000", risk, "a number from 0 to 1000"
                        )
                    )
                elif not row["baseline_risk_source"].strip():
                    problems.append(
                        _problem(
                            source,
                            row,
                            "baseline_risk_source",
                            "",
                            "where the baseline risk comes from",
                        )
                    )
        # compared as the summary of findings matches them (time point trimmed)
        # randomised (start high) and non-randomised (start low) evidence is rated apart
        key = frame[["condition", "outcome", "comparator_type", "timepoint", "start"]].map(
            normalised_key
        )
        for _, row in frame[key.duplicated().to_numpy()].iterrows():
            problems.append(
                _problem(
                    source,
                    row,
                    "outcome",
                    row["outcome"],
                    "one row per condition × outcome × comparator type × "
                    "time point × start (design)",
                )
            )
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)


def validate_search_log(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check ``search_log.csv``: columns, a decision and a reason for each candidate."""
    problems = check_header(frame, source, SEARCH_LOG_COLUMNS)
    if not problems:
        problems += _required(frame, source, ("candidate_id", "found_via", "decision"))
        problems += _control_characters(frame, source)
        problems += [
            _problem(
                source, row, "decision", row["decision"], "one of " + ", ".join(SEARCH_DECISIONS)
            )
            for _, row in frame.iterrows()
            if row["decision"] not in SEARCH_DECISIONS
        ]
    if problems:
        raise StudyDataError(source, problems)
    return frame.reset_index(drop=True)
