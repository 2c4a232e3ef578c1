"""Validation of the files beside the study table: characteristics, risk of bias, GRADE, the
search log. Each file is one declarative :class:`~evsum.ingest.schema.FileSchema` (its columns
and the rules across them), run by :func:`~evsum.ingest.schema.check_file`."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from evsum import vocab
from evsum.exceptions import Problem
from evsum.ingest.io import LINE
from evsum.ingest.protocol import TIMEPOINT_PATTERN, Protocol
from evsum.ingest.schema import (
    INTEGER_LIMIT,
    Column,
    Context,
    FileSchema,
    Rule,
    Table,
    Values,
    check_file,
    one_of,
)
from evsum.ingest.studies import normalised_key
from evsum.rules import (
    DOWNGRADE_STEPS,
    can_escalate,
    certainty_after_downgrades,
    overall_judgement,
)

GRADE_LEVELS = tuple(DOWNGRADE_STEPS)
#: ``source`` marks a row describing where records came from (a review, a database).
#: Decisions of the search log, as PRISMA 2020 and Cochrane name them: ``ongoing`` studies have no
#: results yet; ``awaiting classification`` ones could not be assessed (e.g. no citation found).
SEARCH_DECISIONS = ("included", "excluded", "ongoing", "awaiting classification", "source")


def _known_studies(context: Context) -> Values | None:
    """A ``study_id`` of ``studies.csv`` (not checked when the studies are not known)."""
    if context.study_ids is None:
        return None
    return Values(context.study_ids, "a study_id that appears in studies.csv", when="always")


def _is_whole_number(text: str) -> bool:
    """Digits only (no sign, no words), > 0 and below the float-exact limit."""
    return text.isascii() and text.isdigit() and 0 < int(text) < INTEGER_LIMIT


def _count(expected: str, minimum: int = 1) -> Values:
    """A whole number written in digits, at least ``minimum``; checked without spaces."""
    return Values(lambda v: _is_whole_number(v) and int(v) >= minimum, expected, strip=True)


# --- study_characteristics.csv --------------------------------------------------------------

_N_RANDOMISED = "a whole number > 0 (digits only), or empty when not reported"


def _analysed_counts(table: Table) -> None:
    """No more analysed than randomised; an ``n_analysed`` with the words that state it."""
    valid = {c: ~table.blank(c) & ~table.unaccepted[c] for c in ("n_randomised", "n_analysed")}
    randomised = table.text["n_randomised"].str.strip()
    analysed = table.text["n_analysed"].str.strip()
    both = np.flatnonzero(valid["n_randomised"] & valid["n_analysed"])
    over = [p for p in both if int(analysed.iloc[p]) > int(randomised.iloc[p])]
    for position in over:
        table.add_item(
            position,
            "n_analysed",
            str(table.text["n_analysed"].iloc[position]),
            f"at most n_randomised ({int(randomised.iloc[position])})",
        )
    table.add(
        valid["n_analysed"] & table.blank("n_source"),
        "n_source",
        "the source's words stating the number analysed",
        value="",
    )


def _one_row_per_study(table: Table) -> None:
    table.add(
        table.frame.duplicated("study_id").to_numpy(), "study_id", "one row per study (duplicate)"
    )


#: ``study_characteristics.csv``: one row per study (data/README.md documents each column).
CHARACTERISTICS = FileSchema(
    "study_characteristics.csv",
    (
        Column("study_id", "id", required=True, values=_known_studies),
        Column("title", required=True),
        Column("journal"),
        Column("population"),
        Column("country"),
        Column("setting"),
        Column("n_randomised", "count", values=_count(_N_RANDOMISED)),
        Column("n_analysed", "count", optional=True, values=_count(_N_RANDOMISED)),
        Column(
            "n_arms",
            "count",
            optional=True,
            values=_count(
                "the number of allocated groups, a whole number of at least 2 (digits only), "
                "or empty for two",
                minimum=2,
            ),
        ),
        Column("n_source", optional=True),
        Column("dose_route"),
        Column("sessions"),
        Column("co_therapy"),
        Column("follow_up"),
        Column("funding"),
        Column("conflicts"),
        Column("registration"),
        Column("source_locator", required=True),
        Column("notes"),
    ),
    checks=(_analysed_counts, _one_row_per_study),
)
CHARACTERISTICS_COLUMNS = CHARACTERISTICS.names
#: Participant-count columns a characteristics file may leave out (then empty).
CHARACTERISTICS_OPTIONAL = CHARACTERISTICS.optional


def validate_characteristics(
    frame: pd.DataFrame, source: str, study_ids: set[str] | None
) -> pd.DataFrame:
    """Check ``study_characteristics.csv``: columns, one row per known study, and the counts:
    ``n_randomised`` and ``n_analysed`` whole numbers > 0 (or empty), no more analysed than
    randomised, an ``n_analysed`` only with the ``n_source`` words that state it, and
    ``n_arms`` (the groups participants were allocated to) a whole number of at least 2, or
    empty (two arms, or a crossover trial's one group).

    Raises
    ------
    StudyDataError
        Every problem, in line order (:data:`CHARACTERISTICS` lists the checks).
    """
    frame, _ = check_file(CHARACTERISTICS, frame, source, Context(study_ids=study_ids))
    return frame


# --- risk_of_bias.csv ---------------------------------------------------------------------


def _rob_outcomes(context: Context) -> Values | None:
    """An outcome of the protocol, or empty (the study's default assessment)."""
    protocol = context.protocol
    if protocol is None:
        return None
    return Values(
        tuple(protocol.outcomes),
        f"an outcome of {protocol.source or 'the protocol'}, "
        "or empty for the study's default assessment",
        strip=True,
    )


def _per_tool(tools: pd.Series, table: dict[str, tuple[str, ...]], what: str) -> np.ndarray:
    """Per row, the expectation ``a <tool> <what>: <values>`` of the row's tool."""
    words = {t: f"a {t} {what}: " + ", ".join(values) for t, values in table.items()}
    return tools.map(words).to_numpy(dtype=object)


def _rob_domains(table: Table) -> None:
    """Domains and judgements of the row's tool; an escalation reason on overall rows only;
    one judgement per study, outcome and domain; then each assessment's overall judgement."""
    text = table.text
    tool = text["tool"]
    known = tool.isin(list(vocab.ROB_TOOLS)).to_numpy()
    pairs = {
        "domain": (vocab.ROB_TOOLS, "domain"),
        "judgement": (vocab.ROB_JUDGEMENTS, "judgement"),
    }
    valid = known.copy()
    for column, (allowed, what) in pairs.items():
        ok = np.array(
            [t not in allowed or v in allowed[t] for t, v in zip(tool, text[column], strict=True)],
            dtype=bool,
        )
        table.add(known & ~ok, column, _per_tool(tool, allowed, what))
        valid &= ok
    table.add(
        known & ~table.blank("escalation_reason") & (text["domain"] != "overall").to_numpy(),
        "escalation_reason",
        "empty (a reason for escalating belongs on the overall row)",
    )
    key = ["study_id", "outcome", "domain"]
    table.add(
        table.frame.duplicated(key).to_numpy(),
        "domain",
        "one judgement per study, outcome and domain (duplicate)",
    )
    # an assessment with a row already refused (a misspelled tool) is not judged as a whole:
    # that row is there, and "missing D1" would send the reader looking for it
    assessment = table.frame["study_id"].astype(str) + "\x1f" + table.frame["outcome"].astype(str)
    refused = assessment.isin(set(assessment[~valid])).to_numpy()
    rows = table.frame[valid & ~refused].drop_duplicates(key)
    table.problems += _rob_overall(rows, table.source)


#: ``risk_of_bias.csv``: one row per study × outcome × domain; an empty ``outcome`` is the
#: study's default assessment, for every outcome without one of its own.
RISK_OF_BIAS = FileSchema(
    "risk_of_bias.csv",
    (
        Column("study_id", "id", required=True, values=_known_studies),
        Column("outcome", "key", optional=True, values=_rob_outcomes),
        Column(
            "tool",
            "vocabulary",
            required=True,
            values=Values(tuple(vocab.ROB_TOOLS), one_of(vocab.ROB_TOOLS), when="always"),
        ),
        Column("domain", "vocabulary", required=True),
        Column("judgement", "vocabulary", required=True),
        Column("support", required=True),
        Column("escalation_reason", optional=True),
        Column("source_locator", required=True),
    ),
    checks=(_rob_domains,),
)
ROB_COLUMNS = RISK_OF_BIAS.names
ROB_REQUIRED = RISK_OF_BIAS.required
#: Columns a risk-of-bias file may leave out (then empty: study-wide, not escalated).
ROB_OPTIONAL = RISK_OF_BIAS.optional


def validate_risk_of_bias(
    frame: pd.DataFrame, source: str, study_ids: set[str] | None, protocol: Protocol | None = None
) -> pd.DataFrame:
    """Check ``risk_of_bias.csv``: vocabularies, one complete assessment per study × outcome,
    and the overall judgement the tool's algorithm gives (:mod:`evsum.rules`).

    An ``outcome`` must be one of the ``protocol``'s outcomes (not checked without one) or
    empty (the study's default assessment).

    An overall ``high`` reached only by several domains with some concerns needs its
    ``escalation_reason``; the same pattern of domain judgements must give the same overall
    judgement in every result of the file.

    Raises
    ------
    StudyDataError
        Every problem, in line order (:data:`RISK_OF_BIAS` lists the checks).
    """
    context = Context(protocol=protocol, study_ids=study_ids)
    frame, _ = check_file(RISK_OF_BIAS, frame, source, context)
    return frame


def _problem(source: str, row: pd.Series, column: str, value: object, expected: str) -> Problem:
    study = row.get("study_id") or None
    return Problem(source, int(row[LINE]), column, str(value), expected, study)


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
        missing = [d for d in vocab.ROB_TOOLS[tool] if d not in judgements]
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


# --- grade.csv ------------------------------------------------------------------------------

#: Columns of ``grade.csv`` that name a vocabulary: a row with a value outside one gets no
#: certainty or baseline-risk check (its arithmetic would mean nothing).
_GRADE_VOCABULARY_COLUMNS = (
    "condition",
    "outcome",
    "comparator_type",
    "start",
    "certainty",
    *vocab.GRADE_DOMAINS,
)


def _grade_keys(kind: str) -> Callable[[Context], Values | None]:
    """``condition``/``outcome``: a key of the protocol (not checked without one)."""

    def values(context: Context) -> Values | None:
        if context.protocol is None:
            return None
        allowed = tuple(getattr(context.protocol, kind))
        return Values(allowed, one_of(allowed), when="nonempty")

    return values


def _grade_timepoints(context: Context) -> Values:
    protocol = context.protocol
    return Values(
        protocol.is_timepoint if protocol is not None else TIMEPOINT_PATTERN.match,
        "'<number> <unit>' or a named time point as in studies.csv, or empty for every time point",
        strip=True,
    )


def _grade_vocabulary(allowed: tuple[str, ...]) -> Values:
    return Values(allowed, one_of(allowed), when="nonempty")


def _needs_reason(domain: str) -> Rule:
    return Rule(
        lambda level, table: (
            level.isin(GRADE_LEVELS[1:]).to_numpy() & table.blank(f"{domain}_reason")
        ),
        "the reason for downgrading",
        column=f"{domain}_reason",
        value="",
    )


def _grade_domain(domain: str) -> tuple[Column, Column]:
    reason = Column(f"{domain}_reason")
    level = Column(
        domain,
        "vocabulary",
        required=True,
        values=_grade_vocabulary(GRADE_LEVELS),
        rules=(_needs_reason(domain),),
    )
    return level, reason


def _certainty(table: Table) -> None:
    """``certainty`` is ``start`` less the downgrades; a baseline risk is a number from 0 to
    1000 with its source (rows whose vocabularies are right, and complete)."""
    text = table.text
    checked = ~table.any_unaccepted(_GRADE_VOCABULARY_COLUMNS)
    complete = ~np.logical_or.reduce(
        [(text[c] == "").to_numpy() for c in ("start", *vocab.GRADE_DOMAINS)]
    )
    for position in np.flatnonzero(checked & complete):
        row = text.iloc[position]
        expected = certainty_after_downgrades(row["start"], [row[d] for d in vocab.GRADE_DOMAINS])
        if row["certainty"] != expected:
            table.add_item(
                position,
                "certainty",
                row["certainty"],
                f"{expected!r} ({row['start']} less the downgrades)",
            )
    risk = text["baseline_risk_per_1000"].str.strip()
    number = risk.map(_float_or_nan)
    given = checked & (risk != "").to_numpy()
    wrong = given & ~((number >= 0) & (number <= 1000)).to_numpy()
    table.add(wrong, "baseline_risk_per_1000", "a number from 0 to 1000", value=risk.to_numpy())
    table.add(
        given & ~wrong & table.blank("baseline_risk_source"),
        "baseline_risk_source",
        "where the baseline risk comes from",
        value="",
    )


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _one_row_per_rating(table: Table) -> None:
    # compared as the summary of findings matches them (time point trimmed); randomised
    # (start high) and non-randomised (start low) evidence is rated apart
    key = table.text[["condition", "outcome", "comparator_type", "timepoint", "start"]]
    table.add(
        key.map(normalised_key).duplicated().to_numpy(),
        "outcome",
        "one row per condition × outcome × comparator type × time point × start (design)",
    )


#: ``grade.csv``: one row per condition × outcome × comparator type × time point × start.
GRADE = FileSchema(
    "grade.csv",
    (
        Column("condition", "key", required=True, values=_grade_keys("conditions")),
        Column("outcome", "key", required=True, values=_grade_keys("outcomes")),
        Column(
            "comparator_type",
            "vocabulary",
            required=True,
            values=_grade_vocabulary(vocab.COMPARATOR_TYPES),
        ),
        Column("timepoint", "timepoint", values=_grade_timepoints),
        Column("start", "vocabulary", required=True, values=_grade_vocabulary(("high", "low"))),
        *[c for d in vocab.GRADE_DOMAINS for c in _grade_domain(d)],
        Column(
            "certainty",
            "vocabulary",
            required=True,
            values=_grade_vocabulary(vocab.GRADE_CERTAINTY),
        ),
        Column("baseline_risk_per_1000", "decimal"),
        Column("baseline_risk_source"),
        # the curated short result in words of evidence without a number (never a quote)
        Column("summary", optional=True),
    ),
    checks=(_certainty, _one_row_per_rating),
    id_column=None,
)
GRADE_COLUMNS = GRADE.names


def validate_grade(
    frame: pd.DataFrame, source: str, protocol: Protocol | None = None
) -> pd.DataFrame:
    """Check ``grade.csv``: vocabularies, time points, a reason for each downgrade, certainty
    arithmetic, one row per condition × outcome × comparator type × time point (a blank time
    point covers every time point without a row of its own).

    ``condition`` and ``outcome`` must be keys of the ``protocol`` (not checked without one);
    a time point is ``<number> <unit>`` or one of its named time points.

    Raises
    ------
    StudyDataError
        Every problem, in line order (:data:`GRADE` lists the checks).
    """
    frame, _ = check_file(GRADE, frame, source, Context(protocol=protocol))
    return frame


# --- search_log.csv -------------------------------------------------------------------------

#: ``search_log.csv``: the candidates considered for inclusion, each with its decision.
SEARCH_LOG = FileSchema(
    "search_log.csv",
    (
        Column("candidate_id", "id", required=True),
        Column("first_author"),
        Column("year"),
        Column("title"),
        Column("doi"),
        Column("found_via", required=True),
        Column(
            "decision",
            "vocabulary",
            required=True,
            values=Values(SEARCH_DECISIONS, one_of(SEARCH_DECISIONS), when="always"),
        ),
        Column("reason"),
        # the curators' working notes, shown on the curation log only (optional column)
        Column("curation_note", optional=True),
    ),
    id_column=None,
)
SEARCH_LOG_COLUMNS = SEARCH_LOG.names


def validate_search_log(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Check ``search_log.csv``: columns, a decision and a reason for each candidate.

    Raises
    ------
    StudyDataError
        Every problem, in line order (:data:`SEARCH_LOG` lists the checks).
    """
    frame, _ = check_file(SEARCH_LOG, frame, source)
    return frame
