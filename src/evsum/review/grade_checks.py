"""GRADE consistency checks: warnings about ``grade.csv`` judgements that contradict the
protocol, the data or GRADE's own rules. Never a silent change: each warning names the file,
the line, the column and the rule, and the curator decides.

Rules (each a :class:`GradeWarning` ``rule``):

``publication-bias-search``
    Publication bias judged ``not serious`` although the protocol's search was not
    comprehensive (``[review] type``, ``[search] comprehensive``): a search that could
    not find unpublished or unregistered studies cannot show that none are missing (GRADE
    guidelines 5, Guyatt et al. 2011, J Clin Epidemiol 64:1277).
``imprecision-thresholds``
    The imprecision judgement contradicts the thresholds: a 95% confidence interval that
    crosses one of the null and the minimal important differences on either side needs at
    least ``serious``, two or more ``very serious``; an interval that crosses none may be
    rated down one level for a small body of evidence (optimal information size), never two
    (GRADE guidelines 6, Guyatt et al. 2011, J Clin Epidemiol 64:1283; Schünemann et al.
    2022, J Clin Epidemiol 150:225). The thresholds are the outcome's ``mid`` or the
    protocol's ``[grade]`` ones.
``stopped-early``
    A study the rated evidence rests on stopped early (``study_characteristics.csv``: its
    registration or notes say it was terminated or stopped early), and no reason of the row
    names it (GRADE guidelines 4, Guyatt et al. 2011; Bassler et al. 2010, JAMA 303:1180).
``no-result``
    Certainty rated for evidence with no result: no analysis of the row has a number and the
    row's ``summary`` (the curated short result in words) is empty.
``nonrandomised-confounding``
    Non-randomised evidence started at ``low`` and rated down again for risk of bias whose
    reason is confounding, with studies assessed with ROBINS-I, which already judges
    confounding: GRADE guidelines 18 (Schünemann et al. 2019, J Clin Epidemiol 111:105) starts
    ROBINS-I-assessed evidence high *or* counts confounding once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.io import LINE
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.overview import analyse_all, analysis_grade
from evsum.rules import DOWNGRADE_STEPS
from evsum.vocab import GRADE_DOMAINS, RATIO_MEASURES

__all__ = ["GradeWarning", "grade_warnings", "stopped_early", "threshold_crossings"]

#: Words in ``registration`` or ``notes`` of ``study_characteristics.csv`` that say a study
#: stopped early.
STOPPED_EARLY = re.compile(
    r"\b(terminated|stopped|halted)\b[^.;]{0,40}\bearly\b|\bearly (termination|stopping)\b",
    re.IGNORECASE,
)
_STOP_WORDS = re.compile(r"\b(terminat\w*|stopp\w*|halt\w*|early)\b", re.IGNORECASE)
_CONFOUNDING = re.compile(r"confound", re.IGNORECASE)
_LEVELS = tuple(DOWNGRADE_STEPS)


@dataclass(frozen=True)
class GradeWarning:
    """One GRADE consistency warning: where, which rule, and what was found."""

    source: str
    line: int | None
    column: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where} {self.column}: {self.message} (rule {self.rule})"


def stopped_early(characteristics: pd.DataFrame) -> dict[str, str]:
    """``study_id`` -> the words that say the study stopped early, for studies whose
    ``registration`` or ``notes`` in ``study_characteristics.csv`` say so."""
    out: dict[str, str] = {}
    if characteristics is None or not len(characteristics):
        return out
    for _, row in characteristics.iterrows():
        for column in ("registration", "notes"):
            value = str(row.get(column, "") or "")
            found = STOPPED_EARLY.search(value)
            if found:
                out[str(row["study_id"])] = value
                break
    return out


def threshold_crossings(measure: str, low: float, high: float, mid: float) -> int:
    """How many of the null and the two minimal important differences lie strictly inside the
    interval ``(low, high)``, on the measure's natural scale (ratios: 1/mid, 1, mid).

    Examples
    --------
    >>> threshold_crossings("HR", 0.24, 0.92, 1.25)   # crosses 0.8 only
    1
    >>> threshold_crossings("RR", 1.44, 14.03, 1.25)  # crosses none
    0
    >>> threshold_crossings("MD", -3.0, 12.0, 10.0)   # crosses 0 and 10
    2
    """
    if measure in RATIO_MEASURES:
        cuts = (1 / mid, 1.0, mid)
    else:
        cuts = (-mid, 0.0, mid)
    return sum(low < c < high for c in cuts)


def _mid(evidence: Evidence, analysis: OutcomeAnalysis) -> float | None:
    protocol = evidence.protocol
    own = protocol.outcome_mid(analysis.outcome) if protocol else None
    if own is not None:
        return own
    thresholds = protocol.kind.thresholds if protocol else None
    if analysis.measure in RATIO_MEASURES:
        return thresholds.ratio_mid if thresholds else 1.25
    if analysis.measure == "SMD":
        return thresholds.smd_mid if thresholds else 0.2
    return None


def _interval(analysis: OutcomeAnalysis) -> tuple[float, float] | None:
    result = analysis.result
    if result is None or not (math.isfinite(result.ci_low) and math.isfinite(result.ci_high)):
        return None
    if analysis.measure in RATIO_MEASURES:
        return math.exp(result.ci_low), math.exp(result.ci_high)
    return result.ci_low, result.ci_high


def _words(value: float) -> str:
    return f"{value:.3g}"


def _imprecision(evidence, source, row, analyses) -> list[GradeWarning]:
    judged = str(row.get("imprecision", "") or "not serious").strip()
    out = []
    for analysis in analyses:
        mid = _mid(evidence, analysis)
        interval = _interval(analysis)
        if mid is None or interval is None or judged not in DOWNGRADE_STEPS:
            continue
        crossings = threshold_crossings(analysis.measure, *interval, mid)
        expected = min(crossings, 2)
        steps = DOWNGRADE_STEPS[judged]
        ratio = analysis.measure in RATIO_MEASURES
        cuts = f"{_words(1 / mid)}, 1 and {_words(mid)}" if ratio else f"±{_words(mid)} and 0"
        shown = f"{analysis.measure} 95% CI {_words(interval[0])} to {_words(interval[1])}"
        where = f"{analysis.outcome}, {analysis.timepoint}"
        if steps < expected:
            out.append(
                GradeWarning(
                    source,
                    row.get(LINE),
                    "imprecision",
                    "imprecision-thresholds",
                    f"judged {judged!r}, but the {shown} ({where}) crosses {crossings} of the "
                    f"thresholds {cuts} (minimal important difference {_words(mid)}): "
                    f"expected at least {_LEVELS[expected]!r}",
                )
            )
        elif steps > expected + 1:
            out.append(
                GradeWarning(
                    source,
                    row.get(LINE),
                    "imprecision",
                    "imprecision-thresholds",
                    f"judged {judged!r}, but the {shown} ({where}) crosses none of the "
                    f"thresholds {cuts}: a small body of evidence (optimal information size) "
                    "rates down one level, not two",
                )
            )
    return out


def _reasons(row) -> str:
    return " ".join(str(row.get(f"{d}_reason", "") or "") for d in GRADE_DOMAINS)


def _stopped(source, row, analyses, early, labels) -> list[GradeWarning]:
    ids = sorted({s for a in analyses for s in a.rows["study_id"] if s in early})
    reasons = _reasons(row)
    out = []
    for study in ids:
        author = labels.get(study, study).split(" ")[0]
        named = author.lower() in reasons.lower() and _STOP_WORDS.search(reasons)
        if not named:
            out.append(
                GradeWarning(
                    source,
                    row.get(LINE),
                    "risk_of_bias_reason",
                    "stopped-early",
                    f"{labels.get(study, study)} stopped early (study_characteristics.csv: "
                    f"{early[study]!r}), and no reason of this row says so: name it where it "
                    "bears on the judgement (risk of bias or imprecision)",
                )
            )
    return out


def grade_warnings(
    evidence: Evidence, analyses: tuple[OutcomeAnalysis, ...] | None = None
) -> list[GradeWarning]:
    """Every GRADE consistency warning for ``evidence.grade`` (see the module notes).

    Parameters
    ----------
    evidence : Evidence
        A validated evidence base.
    analyses : tuple of OutcomeAnalysis, optional
        Its analyses (default :func:`evsum.review.overview.analyse_all`).

    Returns
    -------
    list of GradeWarning
        In the file's line order, then rule order; empty without ``grade.csv``.
    """
    grade = evidence.grade
    if grade is None or not len(grade):
        return []
    source = (
        str(evidence.data_dir).rstrip("/") + "/grade.csv" if evidence.data_dir else "grade.csv"
    )
    analyses = analyse_all(evidence) if analyses is None else analyses
    numbered = grade.reset_index(drop=True).assign(_position=range(len(grade)))
    by_position = _analyses_by_row(numbered, analyses)
    protocol = evidence.protocol
    comprehensive = bool(protocol and protocol.kind.comprehensive)
    kind = protocol.kind.type if protocol and protocol.kind.type else "not stated"
    early = stopped_early(evidence.characteristics)
    data = evidence.studies.data
    labels = dict(
        zip(data["study_id"], data["first_author"] + " " + data["year"].astype(str), strict=False)
    )
    rob = evidence.risk_of_bias
    robins = set(rob[rob["tool"] == "ROBINS-I"]["study_id"]) if len(rob) else set()
    out: list[GradeWarning] = []
    for position, (_, row) in enumerate(numbered.iterrows()):
        line = int(row[LINE]) if LINE in row and not pd.isna(row[LINE]) else None
        record = row.to_dict()
        record[LINE] = line
        rated = by_position.get(position, [])
        if not comprehensive:
            out += _publication_bias(source, record, kind)
        out += _imprecision(evidence, source, record, rated)
        out += _stopped(source, record, rated, early, labels)
        out += _no_result(source, record, rated)
        out += _confounding(source, record, rated, robins)
    return out


def _analyses_by_row(
    numbered: pd.DataFrame, analyses: tuple[OutcomeAnalysis, ...]
) -> dict[int, list[OutcomeAnalysis]]:
    """The analyses each ``grade.csv`` row rates, by the row's position."""
    by_position: dict[int, list[OutcomeAnalysis]] = {}
    for analysis in analyses:
        matched = analysis_grade(analysis, numbered)
        if matched is not None:
            by_position.setdefault(int(matched["_position"]), []).append(analysis)
    return by_position


def _publication_bias(source: str, record: dict, kind: str) -> list[GradeWarning]:
    """Publication bias judged 'not serious' after a search that was not comprehensive."""
    judged = str(record.get("publication_bias", "") or "not serious").strip()
    if judged != "not serious":
        return []
    return [
        GradeWarning(
            source,
            record[LINE],
            "publication_bias",
            "publication-bias-search",
            "judged 'not serious' although the search was not comprehensive "
            f"([review] type: {kind}): studies that were not found cannot be ruled "
            "out; rate down, or make the search comprehensive",
        )
    ]


def _no_result(source: str, record: dict, rated: list[OutcomeAnalysis]) -> list[GradeWarning]:
    """A certainty rated for a row with no number and no result in words."""
    summary = str(record.get("summary", "") or "").strip()
    obtained = bool(summary) and not summary.lower().startswith("result not available")
    if any(a.result is not None for a in rated) or obtained:
        return []
    return [
        GradeWarning(
            source,
            record[LINE],
            "certainty",
            "no-result",
            f"certainty {record.get('certainty')!r} rated, but no analysis of this row "
            "has a number and its summary is empty: give the result in words in "
            "'summary', or delete the row (the summary of findings then says "
            "'result not available')",
        )
    ]


def _confounding(
    source: str, record: dict, rated: list[OutcomeAnalysis], robins: set
) -> list[GradeWarning]:
    """Non-randomised evidence started low and rated down again for confounding."""
    studies = {s for a in rated for s in a.rows["study_id"]}
    rob_judged = str(record.get("risk_of_bias", "") or "not serious").strip()
    if not (
        str(record.get("start", "")).strip() == "low"
        and rob_judged != "not serious"
        and studies & robins
        and _CONFOUNDING.search(str(record.get("risk_of_bias_reason", "") or ""))
    ):
        return []
    return [
        GradeWarning(
            source,
            record[LINE],
            "risk_of_bias",
            "nonrandomised-confounding",
            "non-randomised evidence started at 'low' and rated down again for risk of "
            "bias that names confounding, with ROBINS-I assessments: starting low "
            "already counts confounding (GRADE guidelines 18); rate down only for the "
            "other domains",
        )
    ]
