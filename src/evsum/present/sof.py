"""Presentation tables built from results: the GRADE summary of findings.

Nothing is estimated here. Pooled estimates come from :class:`~evsum.stats.results.PoolResult`
(back-transformed for display); certainty is the curated ``grade.csv`` judgement; absolute
effects are the GRADE presentation of a relative effect against a stated baseline risk.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evsum.stats.grade import certainty_symbols, downgrade_reasons, grade_certainty
from evsum.vocab import OUTCOMES

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


def _fmt(value: float, digits: int = 2) -> str:
    if not np.isfinite(value):
        return "\u2014"
    return f"{value:.{digits}f}".replace("-", "\u2212")


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
            level = round(100 * (1 - float(res.alpha)))
            ci = "" if level == 95 else f"{level}% CI "
            relative = f"{measure} {_fmt(est)} ({ci}{_fmt(lo)} to {_fmt(hi)})".strip()
        else:
            est = lo = hi = math.nan
            relative = "not pooled"
        baseline = _number(grade.get("baseline_risk_per_1000")) if grade else math.nan
        risks = [_risk(baseline, v, measure) if np.isfinite(baseline) else math.nan
                 for v in (est, lo, hi)]
        if np.isfinite(risks[0]):
            low, high = sorted(risks[1:])
            absolute = f"{round(risks[0])} per 1000 ({round(low)} to {round(high)})"
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
            symbols, reasons = certainty_symbols(certainty), tuple(downgrade_reasons(grade))
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


_SOF_CSS = """<style>
table.evsum-sof {border-collapse: collapse; font-size: 0.9em;}
table.evsum-sof th, table.evsum-sof td {border: 1px solid #BBBBBB; padding: 4px 8px;
  vertical-align: top; text-align: left;}
table.evsum-sof thead th {background: #F2F2F2;}
table.evsum-sof .sof-certainty-high {background: #D6E6F4;}
table.evsum-sof .sof-certainty-moderate {background: #D4EFE6;}
table.evsum-sof .sof-certainty-low {background: #FBEBCB;}
table.evsum-sof .sof-certainty-very-low {background: #F7DCCB;}
table.evsum-sof .sof-certainty-not-assessed {background: #EEEEEE;}
ol.evsum-sof-footnotes {font-size: 0.85em; list-style-type: lower-alpha;}
</style>"""


class SofHtml(str):
    """HTML text of a summary-of-findings table; a notebook displays it rendered."""

    def _repr_html_(self) -> str:
        return str(self)


_BIDI_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_BIDI_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI


def close_bidi(text: str) -> str:
    """``text`` with every bidi embedding, override or isolate it opens closed at its end.

    A right-to-left override (U+202E) in a value would otherwise reorder whatever the page
    shows after it (the year beside an author, the next cell). Surplus closing marks are
    ignored by the Unicode bidi algorithm (UAX #9), so closing is always safe.
    """
    embeddings = sum(map(text.count, _BIDI_EMBEDDINGS))
    isolates = sum(map(text.count, _BIDI_ISOLATES))
    return text + "\u202c" * embeddings + "\u2069" * isolates


def _linked(value: Any, anchor: Any) -> str:
    """``value`` escaped, as a link to ``#anchor`` when there is one."""
    if not isinstance(anchor, str) or not anchor:
        return _e(value)
    return f'<a href="#{html.escape(anchor)}">{_e(value)}</a>'


def _e(value: Any) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "\u2014"
    if value is pd.NA:
        return "\u2014"
    return html.escape(close_bidi(str(value)))


def sof_html(sof_df: pd.DataFrame, *, title: str | None = None,
             intervention: str = "ketamine", comparator: str = "comparator",
             link_analyses: bool = False) -> SofHtml:
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

    Returns
    -------
    SofHtml
        A ``str`` (notebooks display it as HTML): a ``<style>`` block,
        ``<table class="evsum-sof">`` and an ordered list of footnotes.
        Every data value is HTML-escaped. Certainty cells have the classes
        ``sof-certainty sof-certainty-<level>`` (spaces as hyphens); each downgrade reason is
        a lettered footnote, marked next to the certainty it lowered.
    """
    footnotes: list[str] = []
    body = []
    for row in sof_df.to_dict("records"):
        marks = []
        for reason in row.get("reasons") or ():
            if reason not in footnotes:
                footnotes.append(reason)
            marks.append(chr(ord("a") + footnotes.index(reason)))
        outcome = OUTCOMES.get(row["outcome"], str(row["outcome"]))
        when = f" ({row['timepoint']})" if row.get("timepoint") else ""
        comp = f"<br><small>vs {_e(row['comparator_type'])}</small>" if row.get(
            "comparator_type") else ""
        k = int(row["k"])
        anchor = row.get("anchor") if k and link_analyses else None
        n = row.get("participants")
        n_text = "\u2014" if n is None or n is pd.NA else f"{int(n)}"
        level = str(row["certainty"])
        css = "sof-certainty-" + re.sub(r"[^a-z0-9]+", "-", level.lower())
        sup = f"<sup>{','.join(marks)}</sup>" if marks else ""
        symbols = _e(row.get("certainty_symbols") or "")
        baseline = row.get("baseline_risk_per_1000")
        base_text = (f"{round(float(baseline))} per 1000" if baseline is not None
                     and np.isfinite(float(baseline)) else "")
        body.append(
            "<tr>"
            f"<td>{_e(outcome)}{_e(when)}{comp}</td>"
            f"<td>{_e(n_text)} ({k} {'study' if k == 1 else 'studies'})</td>"
            f"<td>{_linked(row['relative_effect'], anchor)}</td>"
            f"<td>{_e(base_text)}</td>"
            f"<td>{_e(row.get('absolute_effect') or '')}</td>"
            f"<td>{_e(row.get('risk_difference') or '')}</td>"
            f'<td class="sof-certainty {css}">{symbols} {_e(level.upper())}{sup}</td>'
            "</tr>")
    caption = f"<caption>{_e(title)}</caption>" if title else ""
    head = (
        "<thead><tr>"
        '<th rowspan="2">Outcome</th>'
        '<th rowspan="2">Participants (studies)</th>'
        '<th rowspan="2">Relative effect (95% CI)</th>'
        '<th colspan="3">Anticipated absolute effects</th>'
        '<th rowspan="2">Certainty of the evidence (GRADE)</th>'
        "</tr><tr>"
        f"<th>Risk with {_e(comparator)}</th>"
        f"<th>Risk with {_e(intervention)}</th>"
        "<th>Risk difference</th>"
        "</tr></thead>"
    )
    notes = "".join(f"<li>{_e(text)}</li>" for text in footnotes)
    foot = f'<ol class="evsum-sof-footnotes">{notes}</ol>' if footnotes else ""
    return SofHtml(f'{_SOF_CSS}<table class="evsum-sof">{caption}{head}<tbody>{"".join(body)}'
            f"</tbody></table>{foot}")
