"""Presentation tables built from results: the GRADE summary of findings.

Nothing is estimated here. Pooled estimates come from :class:`~evsum.stats.results.PoolResult`
(back-transformed for display); certainty is the curated ``grade.csv`` judgement; absolute
effects are the GRADE presentation of a relative effect against a stated baseline risk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.footnotes import footnote_mark
from evsum.present.html import HtmlBlock, render
from evsum.present.review_kind import outcome_measure, thresholds_words
from evsum.review.overview import (
    analysis_comparison,
    analysis_grade,
    analysis_statement,
    design_count,
    grade_row,
)
from evsum.review.participants import comparison_participants
from evsum.stats.grade import downgrade_reasons, grade_certainty
from evsum.vocab import NOT_ASSESSED, RATIO_MEASURES

#: Columns of :func:`summary_of_findings`, in order.
SOF_COLUMNS: tuple[str, ...] = (
    "condition",
    "outcome",
    "comparator_type",
    "timepoint",
    "k",
    "participants",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "relative_effect",
    "baseline_risk_per_1000",
    "risk_per_1000",
    "risk_ci_low_per_1000",
    "risk_ci_high_per_1000",
    "absolute_effect",
    "risk_difference",
    "certainty",
    "certainty_symbols",
    "reasons",
    "anchor",
    "design",
    "importance",
    "comment",
    "narrative",
    "secondary",
    "comparison",
    "abstract_only",
    "secondary_kinds",
    "baseline_note",
    "comparator_mean",
)

#: GRADE Working Group grades of evidence, the key under every summary-of-findings table
#: (GRADE handbook, section 5 and Table 5.1; Balshem et al. 2011, J Clin Epidemiol 64:401,
#: Table 2, as GRADEpro prints it under its tables).
CERTAINTY_KEY: tuple[tuple[str, str], ...] = (
    (
        "High certainty",
        "we are very confident that the true effect lies close to that of the "
        "estimate of the effect.",
    ),
    (
        "Moderate certainty",
        "we are moderately confident in the effect estimate: the true "
        "effect is likely to be close to the estimate of the effect, but there is a possibility "
        "that it is substantially different.",
    ),
    (
        "Low certainty",
        "our confidence in the effect estimate is limited: the true effect may "
        "be substantially different from the estimate of the effect.",
    ),
    (
        "Very low certainty",
        "we have very little confidence in the effect estimate: the true "
        "effect is likely to be substantially different from the estimate of effect.",
    ),
)
#: Most outcomes in one summary-of-findings table (GRADE handbook 5.1: "up to seven"
#: outcomes; Cochrane Handbook 14.1.4); the rest go to a second table.
MAX_SOF_OUTCOMES: int = 7


@dataclass(frozen=True)
class _Entry:
    condition: str | None
    outcome: str
    comparator_type: str | None
    timepoint: str | None
    result: Any
    participants: int | None
    anchor: str | None = None
    analysis: Any = None


def _entries(
    outcome_results: Any,
    participants: Mapping | None,
    condition: str | None,
    comparator_type: str | None,
) -> list[_Entry]:
    if isinstance(outcome_results, Mapping):
        out = []
        for key, result in outcome_results.items():
            if isinstance(key, tuple):
                if len(key) != 3:
                    raise ValueError(
                        "outcome_results keys must be an outcome or a "
                        f"(condition, outcome, comparator_type) tuple; got {key!r}"
                    )
                cond, outcome, comp = key
            else:
                cond, outcome, comp = condition, key, comparator_type
            n = None if participants is None else participants.get(key)
            out.append(_Entry(cond, str(outcome), comp, None, result, n))
        return out
    if isinstance(outcome_results, Iterable):
        return [
            _Entry(
                getattr(a, "condition", condition),
                a.outcome,
                getattr(a, "comparator_type", comparator_type),
                getattr(a, "timepoint", None),
                a.result,
                getattr(a, "participants", None),
                getattr(a, "anchor", None),
                a,
            )
            for a in outcome_results
        ]
    raise TypeError(
        "outcome_results must be a mapping of outcome to PoolResult or a sequence "
        "of analyses (evsum.analyse_condition)"
    )


def _grade_row(grade_df: pd.DataFrame | None, entry: _Entry) -> dict[str, Any] | None:
    if entry.analysis is not None:
        return analysis_grade(entry.analysis, grade_df)
    return grade_row(
        grade_df, entry.condition, entry.outcome, entry.comparator_type, entry.timepoint
    )


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        value = value.strip()
        return float(value) if value else math.nan
    return float(value)


def _risk(baseline: float, effect: float, measure: str) -> float:
    """Risk per 1000 in the intervention arm for a comparator risk per 1000 (GRADE)."""
    p = baseline / 1000.0
    if measure in ("RR",):
        risk = p * effect
    elif measure == "OR":
        risk = effect * p / (1.0 - p + effect * p)
    elif measure == "RD":
        risk = p + effect
    elif measure == "HR":
        # S_intervention(t) = S_comparator(t) ** HR (GRADE handbook 5.2.1; Cochrane 14.1.6.3)
        risk = 1.0 - (1.0 - p) ** effect
    else:
        return math.nan
    return 1000.0 * min(max(risk, 0.0), 1.0)


def _difference(diff: float) -> str:
    n = round(abs(diff))
    if n == 0:
        return "0 fewer"
    return f"{n} {'more' if diff > 0 else 'fewer'}"


def _label(row: Mapping) -> str:
    label = row.get("label")
    return (
        str(label)
        if isinstance(label, str) and label
        else text.study_label(row.get("first_author"), row.get("year"))
    )


def _source_kind(row: pd.Series) -> str:
    """A row's ``source_kind``, ``""`` where not recorded (or the column is absent)."""
    kind = row.get("source_kind")
    return kind.strip() if isinstance(kind, str) else ""


def _basis(entry: _Entry, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a summary of findings row rests on: those pooled; without a result, the
    primary sources' rows (else all)."""
    excluded = (
        rows["excluded_reason"] if "excluded_reason" in rows else pd.Series("", index=rows.index)
    )
    used = rows[excluded == ""]
    primary = rows[rows["source_type"] != "secondary"]
    return used if entry.result is not None and len(used) else (primary if len(primary) else rows)


def _secondary_rows(entry: _Entry, rows: pd.DataFrame) -> tuple[list[pd.Series], list[pd.Series]]:
    """The secondary rows with a reported effect (shown), and those the row's footnote
    speaks of: the shown ones, or, for an outcome known only in words from a review or press
    report, every secondary row (the curated summary says it)."""
    secondary = [r for _, r in rows.iterrows() if r["source_type"] == "secondary"]
    shown = [r for r in secondary if text.reported_effect(r)]
    return shown, (secondary if entry.result is None and not shown else shown)


def _basis_kinds(basis: pd.DataFrame, told: list[pd.Series]) -> dict[str, tuple[str, ...]]:
    """What the row rests on: trials read only in their abstract; the kinds of secondary
    sources (those spoken of, or all of the basis when no primary source is left)."""
    abstract_only = (
        _label(r)
        for _, r in basis.iterrows()
        if r["source_type"] != "secondary" and _source_kind(r) == "abstract"
    )
    resting = [r for _, r in basis.iterrows() if r["source_type"] == "secondary"]
    return {
        "abstract_only": tuple(dict.fromkeys(abstract_only)),
        "secondary_kinds": tuple(dict.fromkeys(_source_kind(r) for r in [*told, *resting])),
    }


def _comment(entry: _Entry, grade: Mapping | None, comparison: str) -> str:
    """GRADE's plain-language statement: the analysis's, or for very low certainty evidence
    without an estimate, the very-low statement (it needs no estimate, Santesso et al. 2020;
    it names the arms actually compared)."""
    a = entry.analysis
    protocol = getattr(a, "protocol", None)
    if protocol is None:
        return ""
    if entry.result is not None:
        return analysis_statement(a, grade)[2]
    if grade is not None and result_obtained(grade) and grade_certainty(grade) == "very low":
        first, second = text.comparison_arms(comparison, protocol.intervention)
        return (
            f"The evidence is very uncertain about the effect of "
            f"{first} on {entry.outcome.replace('_', ' ')} when compared with {second}."
        )
    return ""


def _analysis_columns(
    entry: _Entry, grade: Mapping | None, characteristics: pd.DataFrame | None
) -> dict[str, Any]:
    """Design, importance, statement, narrative and secondary results of an analysis entry."""
    a = entry.analysis
    rows = getattr(a, "rows", None)
    protocol = getattr(a, "protocol", None)
    out: dict[str, Any] = {
        "design": "",
        "comparison": "",
        "comment": "",
        "narrative": (),
        "secondary": (),
        "abstract_only": (),
        "secondary_kinds": (),
        "k": 0,
        "participants": None,
        "importance": (protocol.outcome_importance(entry.outcome) if protocol else ""),
    }
    if not isinstance(rows, pd.DataFrame) or rows.empty:
        return out
    basis = _basis(entry, rows)
    out["design"] = design_count(basis)
    if protocol is not None:
        out["comparison"] = analysis_comparison(a, basis)
    if entry.result is None:
        out["k"] = int(basis["study_id"].nunique())
        out["participants"] = comparison_participants(basis, characteristics)
        # the curated short result in words (grade.csv summary), never a raw quote
        out["narrative"] = (result_summary(grade),)
    shown, told = _secondary_rows(entry, rows)
    out["secondary"] = tuple(f"{_label(r)}: {text.reported_effect(r)}" for r in shown)
    out.update(_basis_kinds(basis, told))
    out["comment"] = _comment(entry, grade, out["comparison"])
    return out


#: What a summary of findings says for evidence without a number and without a curated
#: summary of its result (``grade.csv`` ``summary``); a ``summary`` starting with it says why.
RESULT_NOT_AVAILABLE = "Result not available"
#: The certainty shown for a result not available: nothing to rate.
NOT_RATED = "not rated"


def result_obtained(grade: Mapping[str, Any] | None) -> bool:
    """Whether a row without a number has a result in words (``grade.csv`` ``summary``,
    not one saying the result is not available)."""
    summary = str((grade or {}).get("summary") or "").strip()
    return bool(summary) and not summary.lower().startswith(RESULT_NOT_AVAILABLE.lower())


def result_summary(grade: Mapping[str, Any] | None) -> str:
    """The words a summary of findings shows for evidence without a number: the curated
    ``summary`` of ``grade.csv`` (which may itself say why the result is not available), else
    that the result is not available and why."""
    summary = str((grade or {}).get("summary") or "").strip()
    if summary:
        return summary
    return (
        f"{RESULT_NOT_AVAILABLE}: the sources read give no number for this outcome, and no "
        "summary of a result in words is curated."
    )


def _difference_words(entry: _Entry, measure: str, est: float, lo: float, hi: float) -> str:
    """A difference in GRADEpro's words: ``MD 10.1 percentage points higher (1.1 higher to
    19.0 higher)``, an SMD in standard deviations (``SMD 0.19 SD lower (0.34 lower to 0.05
    lower)``); a single study's reported contrast keeps the paper's digits."""
    a = entry.analysis
    rows = getattr(a, "rows", None)
    values = [(v, text.number(abs(v))) for v in (est, lo, hi)]
    if isinstance(rows, pd.DataFrame) and entry.result is not None and entry.result.k == 1:
        used = rows[rows["excluded_reason"] == ""] if "excluded_reason" in rows else rows
        row = used.iloc[0] if len(used) else None
        if (
            row is not None
            and row.get("data_level") == "contrast"
            and text.reported_effect(row)
            and not text.is_missing(row.get("ci_low"))
        ):
            values = [
                (_number(row[c]), text.reported(row, c).lstrip(text.MINUS))
                for c in ("effect", "ci_low", "ci_high")
            ]
    protocol = getattr(a, "protocol", None)
    unit = protocol.outcome_unit(entry.outcome) if protocol else ""
    if measure == "SMD":  # in standard deviations, whatever the outcome's unit (GRADEpro: SD)
        unit = "SD"
    words = [
        f"{shown} {'higher' if v > 0 else 'lower' if v < 0 else 'different'}"
        for v, shown in values
    ]
    head = f"{measure} {values[0][1]}{' ' + unit if unit else ''} {words[0].split(' ')[-1]}"
    return f"{head} ({words[1]} to {words[2]})"


def _relative_effect(res: Any, measure: str) -> tuple[float, float, float, str]:
    """The pooled estimate and CI on the display scale and the relative effect in words
    (``"not pooled"`` without a result)."""
    if res is None:
        return math.nan, math.nan, math.nan, "not pooled"
    scale = np.exp if res.is_ratio else (lambda v: v)
    est, lo, hi = (float(scale(getattr(res, f))) for f in ("estimate", "ci_low", "ci_high"))
    level = round(100 * (1 - float(res.alpha)))
    return est, lo, hi, text.estimate_ci(measure, est, lo, hi, level=level)


def _baseline_risk(
    entry: _Entry, res: Any, grade: Mapping | None, measure: str
) -> tuple[float, str]:
    """The comparator risk per 1000 (``grade.csv``, else the included studies' comparator
    arms, GRADEpro's default) and the footnote saying where it came from."""
    baseline = _number(grade.get("baseline_risk_per_1000")) if grade else math.nan
    if res is not None and not np.isfinite(baseline) and measure in _RISK_MEASURES:
        return control_arm_risk(entry.analysis)
    return baseline, ""


def _absolute_effects(
    baseline: float, values: tuple[float, float, float], measure: str
) -> tuple[list[float], str, str]:
    """Risks per 1000 with the intervention (estimate and limits), the absolute effect and
    the risk difference in words; ``""`` without a comparator risk."""
    risks = [_risk(baseline, v, measure) if np.isfinite(baseline) else math.nan for v in values]
    if not np.isfinite(risks[0]):
        return risks, "", ""
    low, high = sorted(risks[1:])
    absolute = f"{text.per_1000(risks[0])} ({text.count(round(low))} to {text.count(round(high))})"
    diff_lo, diff_hi = sorted([risks[1] - baseline, risks[2] - baseline])
    difference = (
        f"{_difference(risks[0] - baseline)} per 1000 "
        f"({_difference(diff_lo)} to {_difference(diff_hi)})"
    )
    return risks, absolute, difference


def _certainty(entry: _Entry, res: Any, grade: Mapping | None) -> tuple[str, str, tuple[str, ...]]:
    """Certainty, its symbols and the downgrade reasons; ValueError when ``grade.csv``'s
    stated certainty is not start less the downgrades."""
    if res is None and not result_obtained(grade):
        return NOT_RATED, "", ()  # no result: nothing to rate
    if grade is None:
        return NOT_ASSESSED, "", ()
    certainty = grade_certainty(grade)
    stated = str(grade.get("certainty") or "").strip()
    if stated and stated != certainty:
        raise ValueError(
            f"certainty of {entry.outcome!r} must equal start less the downgrades "
            f"({certainty!r}); got {stated!r} in grade_df"
        )
    return certainty, text.certainty_symbols(certainty), tuple(downgrade_reasons(grade))


def _sof_record(
    entry: _Entry, grade: Mapping | None, characteristics: pd.DataFrame | None
) -> dict[str, Any]:
    """One outcome's row of :func:`summary_of_findings`."""
    res = entry.result
    measure = getattr(res, "measure", None) or ""
    k = int(res.k) if res is not None else 0
    est, lo, hi, relative = _relative_effect(res, measure)
    baseline, baseline_note = _baseline_risk(entry, res, grade, measure)
    risks, absolute, difference = _absolute_effects(baseline, (est, lo, hi), measure)
    extra = _analysis_columns(entry, grade, characteristics)
    if res is not None and measure not in RATIO_MEASURES and np.isfinite(est):
        absolute = _difference_words(entry, measure, est, lo, hi)
    words_only = res is None and extra["k"]
    certainty, symbols, reasons = _certainty(entry, res, grade)
    return {
        "condition": entry.condition,
        "outcome": entry.outcome,
        "comparator_type": entry.comparator_type,
        "timepoint": entry.timepoint,
        "k": extra["k"] if words_only else k,
        "participants": extra["participants"] if words_only else entry.participants,
        "measure": measure or None,
        "estimate": est,
        "ci_low": lo,
        "ci_high": hi,
        "relative_effect": relative,
        "baseline_risk_per_1000": baseline,
        "risk_per_1000": risks[0],
        "risk_ci_low_per_1000": min(risks[1:]),
        "risk_ci_high_per_1000": max(risks[1:]),
        "absolute_effect": absolute,
        "risk_difference": difference,
        "certainty": certainty,
        "certainty_symbols": symbols,
        "reasons": reasons,
        "anchor": entry.anchor,
        **{key: extra[key] for key in _ANALYSIS_KEYS},
        "baseline_note": baseline_note,
        "comparator_mean": comparator_mean(entry.analysis) if measure in ("MD", "SMD") else "",
    }


#: The columns :func:`_analysis_columns` gives a summary of findings row as they are.
_ANALYSIS_KEYS = SOF_COLUMNS[
    SOF_COLUMNS.index("design") : SOF_COLUMNS.index("secondary_kinds") + 1
]


def summary_of_findings(
    outcome_results: Mapping[Any, Any] | Iterable[Any],
    grade_df: pd.DataFrame | None,
    *,
    participants: Mapping[Any, int] | None = None,
    condition: str | None = None,
    comparator_type: str | None = None,
    characteristics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """GRADE summary-of-findings table: one row per outcome.

    Parameters
    ----------
    outcome_results : mapping or sequence
        Either a mapping from an outcome (or a ``(condition, outcome, comparator_type)``
        tuple) to its :class:`~evsum.stats.results.PoolResult`, or the analyses returned by
        :func:`evsum.analyse_condition` (objects with ``condition``, ``outcome``,
        ``comparator_type``, ``timepoint``, ``participants`` and ``result``). A ``None``
        result (narrative evidence only) gives a row with ``k = 0``.
    grade_df : pandas.DataFrame or None
        ``grade.csv`` rows. An outcome without a row is ``not assessed``. With a
        ``timepoint`` column, a row for the analysis's time point is used, else a row whose
        time point is blank (it covers every time point without a row of its own).
    participants : mapping, optional
        Participants per key of a mapping ``outcome_results`` (analyses carry their own).
    condition, comparator_type : str, optional
        Select ``grade_df`` rows for outcome-only keys.
    characteristics : pandas.DataFrame, optional
        ``study_characteristics.csv``: its ``n_randomised`` is the denominator of an outcome
        reported only in words (analyses only).

    Returns
    -------
    pandas.DataFrame
        ======================== ========================================================
        condition, outcome       identify the row (with ``comparator_type``, ``timepoint``)
        k, participants          studies pooled and their participants
        measure                  effect measure code
        estimate, ci_low,        pooled effect and CI on the display scale (``exp`` for
        ci_high                  ratio measures)
        relative_effect          e.g. ``"RR 1.52 (1.10 to 2.10)"``
        baseline_risk_per_1000   comparator-arm risk from ``grade.csv`` (NaN if none)
        risk_per_1000,           risk with the intervention and its CI, per 1000
        risk_ci_*_per_1000
        absolute_effect          e.g. ``"456 per 1000 (330 to 630)"``
        risk_difference          e.g. ``"156 more per 1000 (30 more to 330 more)"``
        certainty                ``high`` … ``very low`` or ``not assessed``
        certainty_symbols        e.g. ``"⊕⊕◯◯"``
        reasons                  tuple of downgrade reasons (see :func:`downgrade_reasons`)
        anchor                   id of the analysis in the report (analyses only), which
                                 ``sof_html(link_analyses=True)`` links the effect to
        design                   studies by design, GRADEpro's words (``"1 RCT"``)
        importance               the protocol's GRADE importance of the outcome
        comment                  GRADE plain-language statement (Santesso et al. 2020)
        narrative                for an outcome without numbers: each study's own words
        secondary                secondary-source results (``Label: OR 0.80 (0.31 to
                                 2.10)``): shown, never pooled
        comparison               the comparison in its own words (one study's
                                 ``[study_comparisons]`` entry, else the protocol's
                                 wording of the comparator type)
        abstract_only            labels of the studies the row rests on that were read
                                 only in their abstract (``source_kind`` ``abstract``)
        secondary_kinds          the ``source_kind`` of the secondary sources shown or
                                 rested on (``review``, ``press``; ``""`` not recorded)
        ======================== ========================================================

    Raises
    ------
    ValueError
        If ``grade.csv``'s ``certainty`` disagrees with ``start`` less the downgrades, or
        several ``grade_df`` rows match one outcome.

    Notes
    -----
    Absolute effects follow the GRADE handbook (section 5.2.1): for a comparator risk
    :math:`p_0`, the risk with the intervention is :math:`p_0 \\cdot RR`, or
    :math:`OR\\,p_0 / (1 - p_0 + OR\\,p_0)` for odds ratios, applied to the estimate and to
    each confidence limit.
    """
    records = [
        _sof_record(entry, _grade_row(grade_df, entry), characteristics)
        for entry in _entries(outcome_results, participants, condition, comparator_type)
    ]
    frame = pd.DataFrame.from_records(records, columns=list(SOF_COLUMNS))
    frame["participants"] = pd.array(frame["participants"], dtype="Int64")
    return frame


#: Measures whose absolute effect is a risk per 1000 from a comparator risk.
_RISK_MEASURES = frozenset({"RR", "OR", "RD", "HR"})


def _used_rows(analysis: Any) -> pd.DataFrame | None:
    rows = getattr(analysis, "rows", None)
    if not isinstance(rows, pd.DataFrame) or rows.empty:
        return None
    if "excluded_reason" in rows:
        rows = rows[rows["excluded_reason"] == ""]
    return rows if len(rows) else None


def control_arm_risk(analysis: Any) -> tuple[float, str]:
    """The comparator-arm risk per 1000 of the included studies' arm-level rows (all their
    comparator events over all their comparator participants, GRADEpro's default "study
    population" risk when no baseline risk is given) and a footnote saying so; ``(nan, "")``
    without arm counts."""
    rows = _used_rows(analysis)
    if rows is None:
        return math.nan, ""
    events = pd.to_numeric(rows.get("events_comparator"), errors="coerce")
    n = pd.to_numeric(rows.get("n_comparator"), errors="coerce")
    usable = events.notna() & n.notna() & (n > 0)
    if not usable.any():
        return math.nan, ""
    e, total = float(events[usable].sum()), float(n[usable].sum())
    return 1000.0 * e / total, (
        f"Risk with the comparator: the included studies' comparator arms, "
        f"{text.count(round(e))} of {text.count(round(total))} (no baseline risk given)."
    )


def comparator_mean(analysis: Any) -> str:
    """GRADEpro's comparator column of a continuous outcome: "The mean was 12.5" for one
    study's comparator arm, "The mean ranged from 10.0 to 14.2" across several; ``""``
    without arm means."""
    rows = _used_rows(analysis)
    if rows is None or "mean_comparator" not in rows:
        return ""
    means = pd.to_numeric(rows["mean_comparator"], errors="coerce").dropna()
    if means.empty:
        return ""
    protocol = getattr(analysis, "protocol", None)
    unit = protocol.outcome_unit(analysis.outcome) if protocol else ""
    unit = f" {unit}" if unit else ""
    if len(means) == 1:
        return f"The mean was {text.number(float(means.iloc[0]), 1)}{unit}"
    return (
        f"The mean ranged from {text.number(float(means.min()), 1)} to "
        f"{text.number(float(means.max()), 1)}{unit}"
    )


def _dash(value: Any) -> Any:
    return text.DASH if text.is_missing(value) or value == "" else value


def _basis_marks(
    row: Mapping[str, Any], footnotes: list[str], k: int, secondary_mark: str
) -> list[str]:
    """The marks next to the participants: trials read only in their abstract, and secondary
    sources the row rests on but cannot show."""
    abstract_only = tuple(row.get("abstract_only") or ())
    marks = []
    if abstract_only:
        note = (
            text.ABSTRACT_ONLY_NOTE
            if len(abstract_only) >= k
            else text.ABSTRACT_SOME_NOTE.format(studies=text.join_values(abstract_only))
        )
        marks.append(footnote_mark(footnotes, note))
    if secondary_mark and not row.get("secondary"):
        marks.append(secondary_mark)  # rests on secondary sources it cannot show
    return marks


def _outcome_cells(row: Mapping[str, Any], protocol: Protocol | None) -> dict[str, Any]:
    """The outcome column: its label, what measured it, time point and comparison."""
    return {
        "importance": row.get("importance") or "",
        "measured": (
            outcome_measure(protocol, row.get("condition"), row["outcome"]) if protocol else ""
        ),
        "outcome": (
            protocol.outcome_label(row["outcome"])
            if protocol
            else text.outcome_words(row["outcome"])
        ),
        "timepoint": row.get("timepoint") or "",
        "comparator_type": text.versus(row.get("comparison") or row.get("comparator_type")),
    }


def _secondary_mark(
    row: Mapping[str, Any], footnotes: list[str], protocol: Protocol | None
) -> str:
    """The mark of the secondary sources a row shows or rests on (a re-analysis pools its
    source's secondary rows, and says so); ``""`` without any."""
    secondary_kinds = tuple(row.get("secondary_kinds") or ())
    if not (row.get("secondary") or secondary_kinds):
        return ""
    return footnote_mark(
        footnotes, text.reanalysis_note(protocol) or text.secondary_note(secondary_kinds)
    )


def _effect_cells(row: Mapping[str, Any], pooled: bool) -> dict[str, Any]:
    """The effect columns: relative effect, risk with the comparator and the intervention,
    the difference, and the words or secondary results of a row without a pooled number."""
    baseline = row.get("baseline_risk_per_1000")
    secondary = tuple(row.get("secondary") or ())
    narrative = tuple(row.get("narrative") or ())
    return {
        "comparator_mean": row.get("comparator_mean") or "",
        "pooled": pooled,
        "ratio": row.get("measure") in RATIO_MEASURES,
        "relative_effect": _dash(row["relative_effect"]),
        "baseline": (
            "" if baseline is None or text.is_missing(baseline) else text.per_1000(float(baseline))
        ),
        "absolute_effect": row.get("absolute_effect") or "",
        "risk_difference": row.get("risk_difference") or "",
        "narrative": narrative or (() if pooled or secondary else (result_summary(None),)),
        "secondary": secondary,
    }


def _certainty_cells(row: Mapping[str, Any], marks: list[str]) -> dict[str, Any]:
    """The certainty column (symbols, level, the downgrades' marks) and the comment."""
    level = str(row["certainty"])
    return {
        "css": "sof-certainty-" + re.sub(r"[^a-z0-9]+", "-", level.lower()),
        "symbols": row.get("certainty_symbols") or "",
        "level": level.upper(),
        "marks": marks,
        "comment": row.get("comment") or "",
    }


def _studies_cell(row: Mapping[str, Any], k: int, link_analyses: bool) -> dict[str, Any]:
    """The participants (studies) column and the anchor the relative effect links to."""
    anchor = row.get("anchor") if k and link_analyses else None
    design = row.get("design")
    return {
        "participants": text.participants(row.get("participants")),
        "studies": (
            design if isinstance(design, str) and design else text.plural(k, "study", "studies")
        ),
        "anchor": anchor if isinstance(anchor, str) and anchor else "",
    }


def _sof_row(
    row: Mapping[str, Any],
    footnotes: list[str],
    protocol: Protocol | None,
    link_analyses: bool,
) -> dict[str, Any]:
    """One outcome's cells of the summary of findings table, its footnotes marked (in the
    order GRADEpro letters them: downgrades, secondary sources, basis, baseline risk)."""
    marks = [footnote_mark(footnotes, reason) for reason in row.get("reasons") or ()]
    k = int(row["k"])
    pooled = not text.is_missing(row.get("measure")) and row.get("relative_effect") != "not pooled"
    secondary_mark = _secondary_mark(row, footnotes, protocol)
    basis_marks = _basis_marks(row, footnotes, k, secondary_mark)
    baseline_note = row.get("baseline_note") or ""
    return {
        "baseline_mark": footnote_mark(footnotes, baseline_note) if baseline_note else "",
        **_outcome_cells(row, protocol),
        **_studies_cell(row, k, link_analyses),
        **_effect_cells(row, pooled),
        "secondary_mark": secondary_mark,
        "basis_marks": basis_marks,
        **_certainty_cells(row, marks),
    }


def sof_html(
    sof_df: pd.DataFrame,
    *,
    title: str | None = None,
    intervention: str = "intervention",
    comparator: str = "comparator",
    link_analyses: bool = False,
    protocol: Protocol | None = None,
    header: Mapping[str, str] | None = None,
) -> HtmlBlock:
    """Render a summary-of-findings frame as an HTML table laid out as GRADEpro does.

    Parameters
    ----------
    sof_df : pandas.DataFrame
        From :func:`summary_of_findings`, in the order to show (critical outcomes first).
    title : str, optional
        Caption of the table (GRADEpro: "<intervention> compared with <comparison> for ...").
    intervention, comparator : str
        Names in the absolute-effect column headers.
    link_analyses : bool
        Link each relative effect to ``#<anchor>`` (the analysis on the same page); only for
        pages that show the analyses.
    protocol : Protocol, optional
        The review's protocol: outcome labels (without it, the outcome keys in words).
    header : mapping, optional
        The table's header lines, e.g. ``{"Patient or population": ..., "Setting": ...,
        "Intervention": ..., "Comparison": ...}`` (GRADE handbook 5.2; empty values left out).

    Returns
    -------
    HtmlBlock
        Rendered from ``templates/sof.html.j2``: a ``<style>`` block (``templates/sof.css``),
        ``<table class="evsum-sof">`` with the columns Outcomes, the anticipated absolute
        effects (risk with the comparator, with the intervention, the difference), relative
        effect, No. of participants (studies), certainty and comments; lettered footnotes
        (each downgrade reason marked next to the certainty it lowered; a result read only
        in a trial's abstract, or resting on a review or press report, marked next to its
        number of participants; secondary-source results next to each)
        and the GRADE Working Group's key to the certainty levels. Every data value is
        HTML-escaped. Certainty cells have the classes ``sof-certainty
        sof-certainty-<level>`` (spaces as hyphens).
    """
    footnotes: list[str] = []
    rows = [_sof_row(row, footnotes, protocol, link_analyses) for row in sof_df.to_dict("records")]
    lines = [(k, v) for k, v in (header or {}).items() if isinstance(v, str) and v.strip()]
    return render(
        "sof.html.j2",
        title=title,
        intervention=intervention,
        comparator=comparator,
        rows=rows,
        footnotes=footnotes,
        header=lines,
        key=CERTAINTY_KEY,
        thresholds=thresholds_words(protocol),
    )
