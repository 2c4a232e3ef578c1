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
from evsum.present.html import HtmlBlock, render
from evsum.stats.grade import downgrade_reasons, grade_certainty

#: Certainty shown when no ``grade.csv`` row matches an outcome.
NOT_ASSESSED = "not assessed"

#: Columns of :func:`summary_of_findings`, in order.
SOF_COLUMNS: tuple[str, ...] = (
    "condition", "outcome", "comparator_type", "timepoint", "k", "participants", "measure",
    "estimate", "ci_low", "ci_high", "relative_effect", "baseline_risk_per_1000",
    "risk_per_1000", "risk_ci_low_per_1000", "risk_ci_high_per_1000", "absolute_effect",
    "risk_difference", "certainty", "certainty_symbols", "reasons", "anchor",
)


@dataclass(frozen=True)
class _Entry:
    condition: str | None
    outcome: str
    comparator_type: str | None
    timepoint: str | None
    result: Any
    participants: int | None
    anchor: str | None = None


def _entries(outcome_results: Any, participants: Mapping | None, condition: str | None,
             comparator_type: str | None) -> list[_Entry]:
    if isinstance(outcome_results, Mapping):
        out = []
        for key, result in outcome_results.items():
            if isinstance(key, tuple):
                if len(key) != 3:
                    raise ValueError("outcome_results keys must be an outcome or a "
                                     f"(condition, outcome, comparator_type) tuple; got {key!r}")
                cond, outcome, comp = key
            else:
                cond, outcome, comp = condition, key, comparator_type
            n = None if participants is None else participants.get(key)
            out.append(_Entry(cond, str(outcome), comp, None, result, n))
        return out
    if isinstance(outcome_results, Iterable):
        return [_Entry(getattr(a, "condition", condition), a.outcome,
                       getattr(a, "comparator_type", comparator_type),
                       getattr(a, "timepoint", None), a.result, getattr(a, "participants", None),
                       getattr(a, "anchor", None))
                for a in outcome_results]
    raise TypeError("outcome_results must be a mapping of outcome to PoolResult or a sequence "
                    "of analyses (evsum.analyse_condition)")


def _grade_row(grade_df: pd.DataFrame | None, entry: _Entry) -> dict[str, Any] | None:
    if grade_df is None or grade_df.empty:
        return None
    match = grade_df["outcome"] == entry.outcome
    for col, value in (("condition", entry.condition), ("comparator_type",
                                                        entry.comparator_type)):
        if value is not None and col in grade_df.columns:
            match &= grade_df[col] == value
    rows = grade_df[match]
    if "timepoint" in rows.columns and len(rows):
        # A row for this time point wins; a blank time point covers the others.
        when = rows["timepoint"].fillna("").astype(str).str.strip()
        exact = rows[when == (entry.timepoint or "")]
        rows = exact if len(exact) else rows[when == ""]
    if len(rows) > 1:
        raise ValueError(
            f"grade_df has {len(rows)} rows for outcome {entry.outcome!r}; give the condition "
            "and comparator_type (keys (condition, outcome, comparator_type, timepoint)) to "
            "pick one")
    return None if rows.empty else rows.iloc[0].to_dict()


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
    else:
        return math.nan
    return 1000.0 * min(max(risk, 0.0), 1.0)


def _difference(diff: float) -> str:
    n = round(abs(diff))
    if n == 0:
        return "0 fewer"
    return f"{n} {'more' if diff > 0 else 'fewer'}"


def summary_of_findings(
    outcome_results: Mapping[Any, Any] | Iterable[Any],
    grade_df: pd.DataFrame | None,
    *,
    participants: Mapping[Any, int] | None = None,
    condition: str | None = None,
    comparator_type: str | None = None,
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
    records = []
    for entry in _entries(outcome_results, participants, condition, comparator_type):
        res = entry.result
        grade = _grade_row(grade_df, entry)
        measure = getattr(res, "measure", None) or ""
        k = int(res.k) if res is not None else 0
        if res is not None:
            scale = np.exp if res.is_ratio else (lambda v: v)
            est, lo, hi = (float(scale(getattr(res, f))) for f in ("estimate", "ci_low",
                                                                     "ci_high"))
            relative = text.estimate_ci(measure, est, lo, hi,
                                        level=round(100 * (1 - float(res.alpha))))
        else:
            est = lo = hi = math.nan
            relative = "not pooled"
        baseline = _number(grade.get("baseline_risk_per_1000")) if grade else math.nan
        risks = [_risk(baseline, v, measure) if np.isfinite(baseline) else math.nan
                 for v in (est, lo, hi)]
        if np.isfinite(risks[0]):
            low, high = sorted(risks[1:])
            absolute = (f"{text.per_1000(risks[0])} "
                        f"({text.count(round(low))} to {text.count(round(high))})")
            diff_lo, diff_hi = sorted([risks[1] - baseline, risks[2] - baseline])
            difference = (f"{_difference(risks[0] - baseline)} per 1000 "
                          f"({_difference(diff_lo)} to {_difference(diff_hi)})")
        else:
            absolute = difference = ""
        if grade is None:
            certainty, symbols, reasons = NOT_ASSESSED, "", ()
        else:
            certainty = grade_certainty(grade)
            stated = str(grade.get("certainty") or "").strip()
            if stated and stated != certainty:
                raise ValueError(
                    f"certainty of {entry.outcome!r} must equal start less the downgrades "
                    f"({certainty!r}); got {stated!r} in grade_df")
            symbols = text.certainty_symbols(certainty)
            reasons = tuple(downgrade_reasons(grade))
        records.append({
            "condition": entry.condition, "outcome": entry.outcome,
            "comparator_type": entry.comparator_type, "timepoint": entry.timepoint,
            "k": k, "participants": entry.participants, "measure": measure or None,
            "estimate": est, "ci_low": lo, "ci_high": hi, "relative_effect": relative,
            "baseline_risk_per_1000": baseline, "risk_per_1000": risks[0],
            "risk_ci_low_per_1000": min(risks[1:]), "risk_ci_high_per_1000": max(risks[1:]),
            "absolute_effect": absolute, "risk_difference": difference,
            "certainty": certainty, "certainty_symbols": symbols, "reasons": reasons,
            "anchor": entry.anchor,
        })
    frame = pd.DataFrame.from_records(records, columns=list(SOF_COLUMNS))
    frame["participants"] = pd.array(frame["participants"], dtype="Int64")
    return frame


def _dash(value: Any) -> Any:
    return text.DASH if text.is_missing(value) or value == "" else value


def sof_html(sof_df: pd.DataFrame, *, title: str | None = None,
             intervention: str = "intervention", comparator: str = "comparator",
             link_analyses: bool = False, protocol: Protocol | None = None) -> HtmlBlock:
    """Render a summary-of-findings frame as an HTML table with footnotes.

    Parameters
    ----------
    sof_df : pandas.DataFrame
        From :func:`summary_of_findings`.
    title : str, optional
        Caption of the table.
    intervention, comparator : str
        Names in the absolute-effect column headers.
    link_analyses : bool
        Link each relative effect to ``#<anchor>`` (the analysis on the same page); only for
        pages that show the analyses.
    protocol : Protocol, optional
        The review's protocol: outcome labels (without it, the outcome keys in words).

    Returns
    -------
    HtmlBlock
        Rendered from ``templates/sof.html.j2`` (notebooks display it as HTML): a ``<style>``
        block (``templates/sof.css``), ``<table class="evsum-sof">`` and an ordered list of
        footnotes. Every data value is HTML-escaped. Certainty cells have the classes
        ``sof-certainty sof-certainty-<level>`` (spaces as hyphens); each downgrade reason is
        a lettered footnote, marked next to the certainty it lowered.
    """
    footnotes: list[str] = []
    rows = []
    for row in sof_df.to_dict("records"):
        marks = []
        for reason in row.get("reasons") or ():
            if reason not in footnotes:
                footnotes.append(reason)
            marks.append(chr(ord("a") + footnotes.index(reason)))
        k = int(row["k"])
        anchor = row.get("anchor") if k and link_analyses else None
        level = str(row["certainty"])
        baseline = row.get("baseline_risk_per_1000")
        rows.append({
            "outcome": (protocol.outcome_label(row["outcome"]) if protocol
                        else text.outcome_words(row["outcome"])),
            "timepoint": row.get("timepoint") or "",
            "comparator_type": row.get("comparator_type") or "",
            "participants": text.count(row.get("participants")),
            "studies": text.plural(k, "study", "studies"),
            "anchor": anchor if isinstance(anchor, str) and anchor else "",
            "relative_effect": _dash(row["relative_effect"]),
            "baseline": "" if baseline is None else text.per_1000(float(baseline)),
            "absolute_effect": row.get("absolute_effect") or "",
            "risk_difference": row.get("risk_difference") or "",
            "css": "sof-certainty-" + re.sub(r"[^a-z0-9]+", "-", level.lower()),
            "symbols": row.get("certainty_symbols") or "", "level": level.upper(),
            "marks": marks,
        })
    return render("sof.html.j2", title=title, intervention=intervention,
                  comparator=comparator, rows=rows, footnotes=footnotes)
