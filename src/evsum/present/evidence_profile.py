"""The GRADE Evidence Profile (GRADEpro's "Evidence profile" table, GRADE handbook 5.1;
Guyatt et al. 2011, J Clin Epidemiol 64:383): for each outcome of one comparison, the
certainty assessment domain by domain (with the reason for every judgement ``grade.csv``
holds, "not serious" ones included), the numbers of participants per arm, the effect, the
certainty and the importance. Rendered from ``templates/evidence_profile.html.j2``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from evsum.ingest.protocol import Protocol
from evsum.present import text
from evsum.present.footnotes import footnote_mark
from evsum.present.html import HtmlBlock, render
from evsum.review.overview import analysis_grade
from evsum.rules import DOMAIN_LABELS
from evsum.vocab import GRADE_DOMAINS

__all__ = ["evidence_profile_html"]


def _arm(rows: pd.DataFrame, arm: str) -> str:
    """``events/n (percent)`` of one arm of arm-level binary rows, else ``n``, else ``—``;
    each study counted once (a study's several rows of one outcome are one set of people)."""
    if "study_id" in rows:
        rows = rows.drop_duplicates("study_id")
    n = pd.to_numeric(rows.get(f"n_{arm}"), errors="coerce")
    events = pd.to_numeric(rows.get(f"events_{arm}"), errors="coerce")
    usable = n.notna() & (n > 0)
    if not usable.any():
        return text.DASH
    total = int(n[usable].sum())
    counted = usable & events.notna()
    if counted.any() and counted.sum() == usable.sum():
        e = int(events[counted].sum())
        return f"{text.count(e)}/{text.count(total)} ({text.percentage(100.0 * e / total)})"
    return text.count(total)


def _used_rows(analysis: Any) -> pd.DataFrame:
    """The analysis's pooled rows (all of them when none is pooled)."""
    used = analysis.rows
    if "excluded_reason" in used:
        kept = used[used["excluded_reason"] == ""]
        used = kept if len(kept) else used
    return used


def _domains(
    rated: Mapping[str, Any] | None, row: Mapping[str, Any], footnotes: list[str]
) -> list[dict[str, str]]:
    """Each GRADE domain's judgement, marked with its footnote (the reason); dashes when the
    outcome is not rated or not assessed."""
    if rated is None or row["certainty"] in ("not rated", "not assessed"):
        return [{"judgement": text.DASH, "mark": ""} for _ in GRADE_DOMAINS]
    domains = []
    for domain in GRADE_DOMAINS:
        judged = str(rated.get(domain) or "not serious").strip()
        reason = str(rated.get(f"{domain}_reason") or "").strip()
        note = f"{DOMAIN_LABELS[domain]} ({judged}): {reason or 'no reason recorded'}"
        domains.append({"judgement": judged, "mark": footnote_mark(footnotes, note)})
    return domains


def _absolute(row: Mapping[str, Any], pooled: bool) -> str:
    """The absolute effect (risk difference first), or a result in words when not pooled."""
    if pooled:
        return row.get("risk_difference") or row.get("absolute_effect") or text.DASH
    return (tuple(row.get("narrative") or ()) or (text.DASH,))[0]


def _profile_row(
    analysis: Any,
    row: Mapping[str, Any],
    grade: pd.DataFrame | None,
    protocol: Protocol,
    footnotes: list[str],
) -> dict[str, Any]:
    """One analysis's row of the evidence profile (``row``: its summary of findings row)."""
    rated = analysis_grade(analysis, grade) if grade is not None else None
    used = _used_rows(analysis)
    ratio = row.get("measure") in ("RR", "OR", "HR", "IRR", "RD")
    pooled = row.get("relative_effect") not in (None, "", "not pooled")
    return {
        "outcome": protocol.outcome_label(row["outcome"]),
        "timepoint": row.get("timepoint") or "",
        "studies": row.get("design") or text.DASH,
        "domains": _domains(rated, row, footnotes),
        "intervention": _arm(used, "intervention"),
        "comparator": _arm(used, "comparator"),
        "relative": row["relative_effect"] if pooled and ratio else text.DASH,
        "absolute": _absolute(row, pooled),
        "certainty": (
            f"{row.get('certainty_symbols') or ''} {str(row['certainty']).upper()}"
        ).strip(),
        "importance": str(row.get("importance") or "").upper() or text.DASH,
        "narrative": not pooled,
    }


def evidence_profile_html(
    analyses: Sequence[Any],
    sof: pd.DataFrame,
    grade: pd.DataFrame | None,
    *,
    protocol: Protocol,
    title: str,
    intervention: str,
    comparator: str,
) -> HtmlBlock:
    """The Evidence Profile of one comparison: one row per analysis of ``sof`` (the frame
    :func:`evsum.present.sof.summary_of_findings` made of ``analyses``, in the same order)."""
    footnotes: list[str] = []
    rows = [
        _profile_row(analysis, row, grade, protocol, footnotes)
        for analysis, row in zip(analyses, sof.to_dict("records"), strict=True)
    ]
    return render(
        "evidence_profile.html.j2",
        title=title,
        rows=rows,
        footnotes=footnotes,
        intervention=intervention,
        comparator=comparator,
        domains=[DOMAIN_LABELS[d] for d in GRADE_DOMAINS],
    )
