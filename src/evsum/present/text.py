"""The one place that turns numbers, p-values, intervals, arm data and counts into words.

Every report section, table and figure formats through these functions, so one result reads
the same everywhere. The rules:

- numbers: fixed decimals (2 unless a caller needs another precision), a true minus sign
  (U+2212), and a dash (``—``) for a missing or non-finite value;
- p-values: ``p < 0.001`` below 0.001, else ``p = `` with 3 decimals (:data:`P_VALUE_RULE`);
- a study's own reported result: the paper's numbers with the paper's digits (the cell text
  kept by :mod:`evsum.ingest.printed`), never the float formatted again.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pandas as pd

from evsum.ingest.bidi import close_bidi
from evsum.ingest.printed import printed
from evsum.stats.bayes import BayesResult
from evsum.stats.fragility import FragilityResult
from evsum.stats.heterogeneity import ConfintResult
from evsum.stats.reported import design_effect, se_from_ci, se_from_p, z_of_level
from evsum.stats.results import EggerResult, SubgroupResult
from evsum.vocab import NOT_ASSESSED, RATIO_MEASURES

#: Shown for a missing or non-finite number.
DASH = "\u2014"
MINUS = "\u2212"

#: The p-value rule, in words, for the methods and limitations text.
P_VALUE_RULE = "p-values are given to 3 decimals, or as p < 0.001 below 0.001"

#: Symbols GRADEpro prints for each certainty level.
CERTAINTY_SYMBOLS: dict[str, str] = {
    "high": "\u2295\u2295\u2295\u2295",
    "moderate": "\u2295\u2295\u2295\u25ef",
    "low": "\u2295\u2295\u25ef\u25ef",
    "very low": "\u2295\u25ef\u25ef\u25ef",
}

#: What a row's numbers were read from (``source_kind`` of ``studies.csv``), in a reader's
#: words; an empty cell (or an evidence base without the column) reads :data:`NOT_RECORDED`.
SOURCE_KIND_WORDS: dict[str, str] = {
    "full text": "full paper",
    "abstract": "abstract only",
    "registry results": "registry results",
    "review": "review",
    "press": "press report",
}
NOT_RECORDED = "not recorded"
#: Summary-of-findings footnotes on what a result rests on: trials read only in their
#: abstract (all of the row's, or some, ``{studies}`` naming them), and a secondary source of
#: each kind.
ABSTRACT_ONLY_NOTE = (
    "From the abstract of the trial report only: the full paper's methods "
    "and results could not be checked."
)
ABSTRACT_SOME_NOTE = (
    "From the abstract of the trial report only (the full paper's methods "
    "and results could not be checked): {studies}."
)
SECONDARY_NOTES: dict[str, str] = {
    "review": "Secondary source (a review of the trial): shown as reported, never pooled.",
    "press": "Secondary source (a press report of the trial): shown as reported, never pooled.",
    "": "Secondary source (a review or press report of the trial): shown as reported, never "
    "pooled.",
}


def is_missing(value: Any) -> bool:
    """True for ``None``, ``pandas.NA`` and non-finite floats."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float | int) and not isinstance(value, bool):
        return not math.isfinite(float(value))
    return False


def _signed(text: str) -> str:
    return text.replace("-", MINUS) if text.startswith("-") else text


def number(value: Any, digits: int = 2) -> str:
    """A number with ``digits`` decimals and a true minus sign; missing values give ``—``.

    Examples
    --------
    >>> number(-0.7145, 2)
    '−0.71'
    >>> number(float("nan"))
    '—'
    """
    if is_missing(value):
        return DASH
    return _signed(f"{float(value):.{digits}f}")


def count(value: Any) -> str:
    """A whole number (participants, events); missing values give ``—``."""
    return DASH if is_missing(value) else str(int(value))


def participants(value: Any) -> str:
    """A count of participants, or ``not reported`` when no study gives one (never a 0 that
    reads as nobody).

    Examples
    --------
    >>> participants(40), participants(None)
    ('40', 'not reported')
    """
    return "not reported" if is_missing(value) or value is None else str(int(value))


def p_value(p: Any) -> str:
    """A p-value by the one rule: ``p < 0.001`` below 0.001, else ``p = `` with 3 decimals.

    Examples
    --------
    >>> p_value(0.0004), p_value(0.04567)
    ('p < 0.001', 'p = 0.046')
    """
    if is_missing(p):
        return "p = " + DASH
    return "p < 0.001" if float(p) < 0.001 else f"p = {float(p):.3f}"


def interval(low: Any, high: Any, digits: int = 2) -> str:
    """``low to high``.

    Examples
    --------
    >>> interval(0.34, 0.70)
    '0.34 to 0.70'
    """
    return f"{number(low, digits)} to {number(high, digits)}"


def estimate_ci(
    measure: str | None, estimate: Any, low: Any, high: Any, *, level: int = 95, digits: int = 2
) -> str:
    """``RR 0.49 (0.34 to 0.70)``; a level other than 95 is named (``(90% CI …)``).

    Examples
    --------
    >>> estimate_ci("RR", 0.4894, 0.3441, 0.6962)
    'RR 0.49 (0.34 to 0.70)'
    """
    ci = "" if level == 95 else f"{level}% CI "
    what = f"{measure} " if measure else ""
    return f"{what}{number(estimate, digits)} ({ci}{interval(low, high, digits)})"


def percentage(value: Any, digits: int = 1) -> str:
    """``92.2%`` (the value is already a percentage).

    Examples
    --------
    >>> percentage(92.22)
    '92.2%'
    """
    return DASH if is_missing(value) else f"{number(value, digits)}%"


def per_1000(value: Any) -> str:
    """A risk per 1000 people, rounded to a whole number: ``456 per 1000``."""
    return f"{count(round(float(value)))} per 1000" if not is_missing(value) else ""


def events_n(events: Any, n: Any) -> str:
    """``13/27`` (events of n).

    Examples
    --------
    >>> events_n(13, 27.0)
    '13/27'
    """
    return f"{count(events)}/{count(n)}"


def mean_sd(mean: str, sd: str, n: Any = None) -> str:
    """``10.1 (2.3)`` or, with ``n``, ``10.1 (2.3), n=12``; mean and SD are the printed cells.

    Examples
    --------
    >>> mean_sd("10.1", "2.3", 12)
    '10.1 (2.3), n=12'
    """
    text = f"{_signed(mean)} ({sd})"
    return text if n is None else f"{text}, n={count(n)}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 study``, ``2 studies``.

    Examples
    --------
    >>> plural(1, "study", "studies"), plural(2, "study", "studies"), plural(3, "claim")
    ('1 study', '2 studies', '3 claims')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def versus(comparison: Any) -> str:
    """``vs placebo``; a comparison already in its own words (``3 sessions vs 1 session``)
    as it is.

    Examples
    --------
    >>> versus("placebo"), versus("3 sessions vs 1 session")
    ('vs placebo', '3 sessions vs 1 session')
    """
    if not isinstance(comparison, str) or not comparison:
        return ""
    return comparison if " vs " in comparison else f"vs {comparison}"


def study_label(first_author: Any, year: Any) -> str:
    """``First author year``, e.g. ``Krupitsky 2002``."""
    return f"{first_author} {year}"


def outcome_words(key: str) -> str:
    """An outcome key in words when no label is given (``heavy_drinking_days``)."""
    return str(key).replace("_", " ")


def outcome_at(outcome: str, timepoint: str) -> str:
    """An outcome at its time point, as a figure title: ``Abstinent, 12 months``."""
    return f"{outcome}, {timepoint}" if timepoint else outcome


def analysis_heading(
    outcome: str,
    comparison: str,
    measure: str,
    non_randomised: bool = False,
    *,
    all_designs: bool = False,
    label: str = "",
) -> str:
    """The heading of one analysis: outcome (at its time point), the comparison in its own
    words and the measure, e.g. ``Abstinent, 12 months — 3 sessions vs 1 session (RR)``;
    ``(RR; non-randomised studies)`` for non-randomised evidence, analysed apart, ``(RR;
    randomised and non-randomised studies)`` for both pooled together; a declared analysis
    starts with its ``label`` (``All trials: …``)."""
    studies = (
        "; randomised and non-randomised studies"
        if all_designs
        else "; non-randomised studies"
        if non_randomised
        else ""
    )
    start = f"{label}: " if label else ""
    return f"{start}{outcome} — {comparison} ({measure}{studies})"


def certainty_symbols(certainty: str) -> str:
    """GRADE symbols of a certainty level, e.g. ``'⊕⊕◯◯'`` for ``'low'``.

    Examples
    --------
    >>> certainty_symbols("moderate")
    '⊕⊕⊕◯'
    """
    if certainty not in CERTAINTY_SYMBOLS:
        raise ValueError(f"certainty must be one of {list(CERTAINTY_SYMBOLS)}; got {certainty!r}")
    return CERTAINTY_SYMBOLS[certainty]


def join_values(values: Any, sep: str = ", ") -> str:
    """Values from data joined into one text, each value's bidi overrides closed before the
    next value (a U+202E in one name never reverses the names after it).

    Examples
    --------
    >>> join_values(["Evil\u202eName", "Next"]) == "Evil\u202eName\u202c, Next"
    True
    """
    return sep.join(close_bidi(str(v)) for v in values)


# --------------------------------------------------------------------- a study's own result


def reported(row: pd.Series, column: str) -> str:
    """A decimal cell of a study row as the paper printed it (minus sign typeset)."""
    return _signed(printed(row, column, missing=DASH))


def reported_effect(row: pd.Series) -> str:
    """A study row's reported effect in the paper's digits: ``HR 0.47 (0.24 to 0.92)``.

    Empty when the row reports no effect; without a CI only the estimate is given.
    """
    if is_missing(row.get("effect")):
        return ""
    text = f"{row['effect_measure']} {reported(row, 'effect')}"
    if row.get("scale") == "log":
        text = f"log {text}"
    if is_missing(row.get("ci_low")) or is_missing(row.get("ci_high")):
        if not is_missing(row.get("se")):
            return f"{text}, SE {reported(row, 'se')}"
        if not is_missing(row.get("p_value")):
            return f"{text}, p = {reported(row, 'p_value')}"
        return text
    level = row.get("ci_level")
    level = "" if is_missing(level) else f"{number(float(level), 0)}% CI "
    return f"{text} ({level}{reported(row, 'ci_low')} to {reported(row, 'ci_high')})"


def reanalysis_note(protocol: Any) -> str:
    """The sentence every page of a re-analysis shows (the protocol's ``[review]
    reanalysis_of``); '' for any other review.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> reanalysis_note(NS(wording=NS(reanalysis_of="Colditz et al. 1994"))).split(":")[0]
    'A re-analysis of Colditz et al. 1994'
    """
    wording = getattr(protocol, "wording", None)
    source = getattr(wording, "reanalysis_of", "") if wording is not None else ""
    if not source or not source.strip():
        return ""
    return (
        f"A re-analysis of {source.strip()}: the data are that source's (secondary, as it "
        "reports the studies), and they are pooled here, as a re-analysis does; a review of the "
        "studies' own reports would pool only primary sources."
    )


def design_blinding(design: str, blinding: Any) -> str:
    """A study's design with its blinding as the data state it: ``Randomised, parallel
    groups; double-blind``, ``…; blinding not reported``; the design alone when blinding is
    empty (an observational study).

    Examples
    --------
    >>> design_blinding("Cohort study", "")
    'Cohort study'
    >>> design_blinding("Randomised, clusters", "not reported")
    'Randomised, clusters; blinding not reported'
    """
    if is_missing(blinding) or not str(blinding).strip():
        return design
    if blinding in ("not reported", "not applicable"):
        return f"{design}; blinding {blinding}"
    return f"{design}; {blinding}"


def _se_words(row: pd.Series) -> tuple[str, str, bool]:
    """``SE of log OR`` (what is derived), ``"ln "`` for a ratio on its own scale, and
    whether it is one."""
    measure = row.get("effect_measure")
    ratio = measure in RATIO_MEASURES and row.get("scale") != "log"
    what = f"SE of {'log ' if ratio or row.get('scale') == 'log' else ''}{measure}"
    return what, "ln " if ratio else "", ratio


def _contrast_conversion(row: pd.Series) -> str:
    """How a reported contrast's SE was obtained: from its CI at a stated level, or from its
    p-value; '' when the SE is given or there is nothing to derive it from."""
    if not is_missing(row.get("se")):
        return ""
    what, ln, ratio = _se_words(row)
    lo, hi, level = row.get("ci_low"), row.get("ci_high"), row.get("ci_level")
    if not is_missing(lo) and not is_missing(hi):
        if is_missing(level):
            return ""
        low, high = (float(lo), float(hi))
        logs = (math.log(low), math.log(high)) if ratio else (low, high)
        se = se_from_ci(*logs, float(level))
        return (
            f"{what} {number(se, 4)} from the {number(float(level), 0)}% CI: "
            f"({ln}{reported(row, 'ci_high')} − {ln}{reported(row, 'ci_low')}) / "
            f"(2 × {number(z_of_level(float(level)), 3)}) (Cochrane Handbook 6.3.1)"
        )
    p = row.get("p_value")
    if is_missing(p):
        return ""
    est = float(row["effect"])
    yi = math.log(est) if ratio else est
    z = z_of_level(100 * (1 - float(p)))
    se = se_from_p(yi, float(p))
    return (
        f"{what} {number(se, 4)} from p = {reported(row, 'p_value')}: "
        f"|{ln}{reported(row, 'effect')}| / {number(z, 3)}, the normal quantile of "
        f"1 − p/2 (Cochrane Handbook 6.3.2)"
    )


def _cluster_conversion(row: pd.Series) -> str:
    """How a cluster-randomised trial's arms were brought to their effective sample size."""
    given, icc, size = row.get("design_effect"), row.get("icc"), row.get("cluster_size")
    if not is_missing(given):
        return (
            f"Cluster-randomised: each arm's participants and events divided by the design "
            f"effect {reported(row, 'design_effect')} (Cochrane Handbook 23.1.4)"
        )
    if not is_missing(icc) and not is_missing(size):
        factor = design_effect(float(icc), float(size))
        return (
            f"Cluster-randomised: design effect 1 + ({reported(row, 'cluster_size')} − 1) "
            f"× {reported(row, 'icc')} = {number(factor, 2)}; each arm's participants and "
            "events divided by it (Cochrane Handbook 23.1.4)"
        )
    return "Cluster-randomised, no ICC or design effect given: not adjusted, not pooled"


def _crossover_conversion(row: pd.Series) -> str:
    """How a crossover trial was analysed: paired, or as if parallel groups."""
    if row.get("effect_measure") == "MD" and not is_missing(row.get("correlation")):
        return (
            "Paired analysis: SE = √((SD₁² + SD₂² − 2 r SD₁ SD₂) / N) with "
            f"r = {reported(row, 'correlation')} (Cochrane Handbook 23.2.7)"
        )
    return (
        "Crossover trial analysed as if parallel groups (no within-participant correlation "
        "given); its interval is too wide (Cochrane Handbook 23.2.6)"
    )


def _arm_conversion(row: pd.Series) -> str:
    """How arm data were allowed for: means from medians, clustering, a crossover design."""
    if not is_missing(row.get("median_intervention")):
        spread = "quartiles" if row.get("spread") == "iqr" else "range"
        return (
            f"Means and SDs estimated from the medians and their {spread} (Wan et al. 2014), "
            "an approximation that assumes roughly normal data"
        )
    design = row.get("design")
    if design == "cluster_rct":
        return _cluster_conversion(row)
    if design == "crossover_rct":
        return _crossover_conversion(row)
    return ""


def conversion(row: pd.Series) -> str:
    """How a reported contrast's standard error was obtained when the paper gives no 95%
    interval, or how a design was allowed for, as the outcome-data table shows it: ``SE of
    log OR 0.4214 from the 90% CI: (ln 4.0 − ln 1.0) / (2 × 1.645)`` (Cochrane Handbook 6.3,
    23.1.4, 23.2.7); '' when there is nothing to derive."""
    if row.get("data_level") == "contrast" and not is_missing(row.get("effect")):
        return _contrast_conversion(row)
    if row.get("data_level") == "arm":
        return _arm_conversion(row)
    return ""


def arm_data(row: pd.Series, arm: str, *, with_n: bool = True) -> str:
    """One arm's numbers: ``13/27`` or ``10.1 (2.3), n=12``; empty when the row has none."""
    n = row.get(f"n_{arm}")
    if not is_missing(row.get(f"events_{arm}")):
        return events_n(row[f"events_{arm}"], n)
    if not is_missing(row.get(f"mean_{arm}")):
        return mean_sd(
            reported(row, f"mean_{arm}"), reported(row, f"sd_{arm}"), n if with_n else None
        )
    if not is_missing(row.get(f"median_{arm}")):
        spread = "IQR" if row.get("spread") == "iqr" else "range"
        text = (
            f"median {reported(row, f'median_{arm}')} ({spread} "
            f"{reported(row, f'spread_low_{arm}')} to {reported(row, f'spread_high_{arm}')})"
        )
        return f"{text}, n={count(n)}" if with_n and not is_missing(n) else text
    return ""


def row_result(row: pd.Series, result: Any = None) -> str:
    """The numbers of one study row in words: ``13/27 vs 3/28; RR 4.49 (1.44 to 14.03)`` or
    ``HR 0.47 (0.24 to 0.92)``, with the data level, the source kind where recorded
    (``abstract only``) and a secondary source in brackets.

    ``result`` is the row's own result (:func:`evsum.review.analysis.row_results`): an arm-level
    row shows it after its arm data, in the words its analysis uses everywhere."""
    parts = []
    if not is_missing(row.get("events_intervention")) and not is_missing(
        row.get("events_comparator")
    ):
        parts.append(f"{arm_data(row, 'intervention')} vs {arm_data(row, 'comparator')}")
    elif not is_missing(row.get("mean_intervention")) and not is_missing(
        row.get("mean_comparator")
    ):
        parts.append(f"mean {arm_data(row, 'intervention')} vs {arm_data(row, 'comparator')}")
    effect = reported_effect(row)
    if effect:
        parts.append(effect)
    elif result is not None and row.get("data_level") == "arm":
        parts.append(pooled_effect(result))
    if not parts:
        parts.append("no usable numbers")
    kind = _kind(row.get("source_kind"))
    level = row["data_level"] + (f", {source_kind(kind)}" if kind else "")
    if row["source_type"] == "secondary" or (row["source_type"] != "primary" and not kind):
        level += f", {row['source_type']} source"
    return f"{'; '.join(parts)} [{level}]"


def study_participants(study: Any) -> str:
    """A study's one participant count, the same words on every page (a
    :class:`~evsum.review.participants.StudyParticipants`).

    ``55 (27 / 28)`` for a parallel trial whose arms add up to its randomised n;
    ``59 randomised, 53 analysed (26 / 27)`` where they differ; ``90 randomised in 3 arms
    (per-arm n not reported)``; ``65 randomised in 3 arms, 58 analysed; 19 / 19 in the
    comparison analysed``; ``20 (crossover)`` (every participant had both conditions);
    ``not reported`` when the data hold no count.
    """
    head = _participant_head(study)
    pairs = [
        p for p in study.comparisons if p[0] is not None and (study.crossover or p[1] is not None)
    ]
    if study.crossover:
        return _crossover_participants(study, head)
    split = " and ".join(f"{a} / {b}" for a, b in pairs)
    if study.arms > 2:
        return _multiarm_participants(study, head, pairs, split)
    if not pairs:
        return f"{', '.join(head)} (per-arm n not reported)" if head else "not reported"
    if len(pairs) == 1 and (not head or head == [f"{sum(pairs[0])} randomised"]):
        return f"{sum(pairs[0])} ({split})"
    return f"{', '.join(head)} ({split})" if head else split


def _participant_head(study: Any) -> list[str]:
    """``["90 randomised in 3 arms", "85 analysed"]``: the counts before the arms'."""
    head = []
    if study.randomised is not None:
        head.append(f"{study.randomised} randomised")
        if study.arms > 2:
            head[-1] += f" in {study.arms} arms"
    if study.analysed is not None and study.analysed != study.randomised:
        head.append(f"{study.analysed} analysed")
    return head


def _crossover_participants(study: Any, head: list[str]) -> str:
    n = study.total
    if n is None:
        return "not reported (crossover)"
    return f"{', '.join(head)} (crossover)" if len(head) > 1 else f"{n} (crossover)"


def _multiarm_participants(study: Any, head: list[str], pairs: list, split: str) -> str:
    head = head or [f"{study.arms} arms"]
    if not pairs:
        return f"{', '.join(head)} (per-arm n not reported)"
    many = "comparisons" if len(pairs) > 1 else "comparison"
    return f"{', '.join(head)}; {split} in the {many} analysed"


def _kind(value: Any) -> str:
    return "" if is_missing(value) or not isinstance(value, str) else value.strip()


def source_kind(value: Any) -> str:
    """A ``source_kind`` in words: ``"abstract"`` → ``"abstract only"``; empty or missing →
    ``"not recorded"``."""
    kind = _kind(value)
    return SOURCE_KIND_WORDS.get(kind, kind) if kind else NOT_RECORDED


def source_kinds(values: Any) -> str:
    """The distinct source kinds of several rows in words, in order of first appearance
    (``"abstract only, press report"``); ``"not recorded"`` when none is."""
    kinds = list(dict.fromkeys(_kind(v) for v in values))
    recorded = [source_kind(k) for k in kinds if k]
    if not recorded:
        return NOT_RECORDED
    return join_values([*recorded, *([NOT_RECORDED] if "" in kinds else [])])


def source_words(kind: Any, source_type: str) -> str:
    """What a row was read in, as its Source cell opens: the kind in words, with
    ``secondary source`` for a review or press report (never pooled); without a kind,
    ``source kind not recorded`` and any source type other than ``primary``."""
    if _kind(kind):
        words = source_kind(kind)
        return f"{words}, secondary source" if source_type == "secondary" else words
    return f"source kind {NOT_RECORDED}" + (
        f", {source_type} source" if source_type != "primary" else ""
    )


def secondary_note(values: Any) -> str:
    """The summary-of-findings footnote of secondary-source results of these kinds: the
    kind's own when they share one (a review, a press report), else the general one."""
    kinds = set(_kind(v) for v in values)
    return SECONDARY_NOTES[
        kinds.pop() if len(kinds) == 1 and kinds <= set(SECONDARY_NOTES) else ""
    ]


# ----------------------------------------------------------------------- pooled results


def _level(alpha: float) -> int:
    return round(100 * (1 - float(alpha)))


@functools.singledispatch
def describe(result: Any) -> str:
    """A result in one plain-text paragraph: a :class:`~evsum.stats.results.PoolResult`,
    :class:`~evsum.stats.results.SubgroupResult`, :class:`~evsum.stats.results.EggerResult`,
    :class:`~evsum.stats.heterogeneity.ConfintResult`, :class:`~evsum.stats.bayes.BayesResult`
    or :class:`~evsum.stats.fragility.FragilityResult` (one implementation per class,
    registered with :func:`functools.singledispatch`; any other object is read as a pooled
    result).

    Examples
    --------
    >>> import evsum
    >>> res = evsum.pool([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], method="FE", measure="MD")
    >>> describe(res).startswith("FE meta-analysis of 3 studies: pooled MD 0.18")
    True
    """
    text = _describe_pool(result)
    if result.excluded:
        text += (
            f" {len(result.excluded)} excluded: "
            + "; ".join(f"{label} ({reason})" for label, reason in result.excluded)
            + "."
        )
    return _with_notes(text, result)


def _with_notes(text: str, result: Any) -> str:
    return text + " Notes: " + " ".join(result.notes) if result.notes else text


@describe.register(SubgroupResult)
def _describe_subgroups(result: SubgroupResult) -> str:
    text = (
        f"Test for subgroup differences across {len(result.groups)} subgroups: "
        f"Q = {number(result.q_between)} on {result.q_between_df} df "
        f"({p_value(result.q_between_pval)})."
    )
    return _with_notes(text, result)


@describe.register(ConfintResult)
def _describe_confint(result: ConfintResult) -> str:
    level = _level(result.alpha)
    text = (
        f"τ² = {number(result.tau2, 4)} ({level}% CI "
        f"{interval(result.tau2_low, result.tau2_high, 4)}), I² = "
        f"{percentage(result.i2)} ({percentage(result.i2_low)} to "
        f"{percentage(result.i2_high)}), Q-profile interval from "
        f"{plural(result.k, 'study', 'studies')}."
    )
    return _with_notes(text, result)


@describe.register(BayesResult)
def _describe_bayes(result: BayesResult) -> str:
    level = _level(result.alpha)
    text = (
        f"Bayesian random-effects meta-analysis of {plural(result.k, 'study', 'studies')}"
        f" (prior for τ: {result.tau_prior}; for μ: {result.mu_prior}): posterior "
        f"median effect {number(result.mu_median)} ({level}% credible interval "
        f"{interval(result.mu_low, result.mu_high)}); τ median "
        f"{number(result.tau_median)} ({interval(result.tau_low, result.tau_high)}); "
        f"{level}% prediction interval {interval(result.pred_low, result.pred_high)}."
    )
    return _with_notes(text, result)


@describe.register(FragilityResult)
def _describe_fragility(result: FragilityResult) -> str:
    what = "reverse fragility index" if result.reverse else "fragility index"
    crossed = "significant" if result.reverse else "non-significant"
    text = (
        f"{what.capitalize()} {result.index}: changing the outcome of "
        f"{plural(result.index, 'participant')} in arm {result.arm} makes the result "
        f"{crossed} (Fisher's exact {p_value(result.pval)} before, "
        f"{p_value(result.pval_after)} after)."
    )
    return _with_notes(text, result)


@describe.register(EggerResult)
def _describe_egger(result: EggerResult) -> str:
    text = (
        f"Egger's regression test for funnel-plot asymmetry "
        f"({plural(result.k, 'study', 'studies')}): t = {number(result.tval)} on "
        f"{result.df} df, {p_value(result.pval)}."
    )
    return _with_notes(text, result)


def _describe_pool(result: Any) -> str:
    shown = result.back_transform()
    level = _level(result.alpha)
    scale = " (back-transformed from the log scale)" if shown.transformed else ""
    # Hartung-Knapp's t has k - 1 degrees of freedom (metafor: "t(df)"); a common-effect
    # model estimates no τ², so none is printed (it would read as a measured 0).
    if result.test in ("knha", "adhoc"):
        statistic = f"t = {number(result.zval)} on {result.k - 1} df"
    else:
        statistic = f"z = {number(result.zval)}"
    tau2 = "" if result.method in ("FE", "EE") else f"τ² = {number(result.tau2, 4)}, "
    text = (
        f"{result.method} meta-analysis of {plural(result.k, 'study', 'studies')}: pooled "
        f"{result.measure or 'effect'} {number(shown.estimate)} ({level}% CI "
        f"{interval(shown.ci_low, shown.ci_high)}){scale}, "
        f"{statistic}, "
        f"{p_value(result.pval)}. Heterogeneity: {tau2}"
        f"I² = {percentage(result.i2)}, Q = {number(result.q)} on {result.q_df} df "
        f"({p_value(result.q_pval)})."
    )
    if not is_missing(result.pi_low):
        how = " (t on k - 2 df)" if getattr(result, "pi", "z") == "t" else ""
        text += f" {level}% prediction interval{how} {interval(shown.pi_low, shown.pi_high)}."
    return text


def rows_pooled(pooled: int, rows: int) -> str:
    """How many summary-of-findings rows pool two or more studies, worded for the counts.

    Examples
    --------
    >>> rows_pooled(1, 1)
    'The one summary-of-findings row pools two or more studies.'
    >>> rows_pooled(4, 5).split("; ")[1]
    'the other rests on a single study or none.'
    """
    if rows == 1:
        if pooled:
            return "The one summary-of-findings row pools two or more studies."
        return "The one summary-of-findings row rests on a single study or none."
    if pooled == rows:
        return f"All {rows} summary-of-findings rows pool two or more studies."
    if pooled == 0:
        return (
            f"None of the {rows} summary-of-findings rows pools two or more studies: each "
            "rests on a single study or none."
        )
    rest = "the other rests" if rows - pooled == 1 else "the others rest"
    return (
        f"{pooled} of {rows} summary-of-findings rows pool two or more studies; {rest} on a "
        "single study or none."
    )


def pooled_effect(result: Any) -> str:
    """A pooled result's estimate and CI on the display scale: ``RR 0.49 (0.34 to 0.70)``."""
    shown = result.back_transform()
    return estimate_ci(
        result.measure, shown.estimate, shown.ci_low, shown.ci_high, level=_level(result.alpha)
    )


# ------------------------------------------------------------ what a figure or row rests on

#: How a dose comparison's first arm reads when the comparison's words do not name it
#: (both arms had the intervention: never "favours <intervention>").
DOSE_ARM = "more {intervention} (a higher dose or more sessions)"
#: What a dose comparison adds to its design words.
DOSE_DESIGN = "dose comparison: both arms received {intervention}"


def comparison_arms(
    comparison: str, intervention: str, *, dose_comparison: bool = False
) -> tuple[str, str]:
    """The two arms of a comparison in its own words.

    ``"A vs B"`` gives ``(A, B)``; a comma in B starts context both arms share
    (``"drug X 2.0 mg/kg vs 0.2 mg/kg, one session of therapy"`` gives
    ``("drug X 2.0 mg/kg", "0.2 mg/kg")``). Words without ``" vs "`` name the comparator
    arm only, and the first arm is ``intervention``; for a dose comparison (both arms had
    the intervention) it is :data:`DOSE_ARM`.

    Examples
    --------
    >>> comparison_arms("3 sessions vs 1 session of drug X-assisted therapy", "drug X")
    ('3 sessions', '1 session of drug X-assisted therapy')
    >>> comparison_arms("placebo", "drug X")
    ('drug X', 'placebo')
    """
    if " vs " in comparison:
        first, second = comparison.split(" vs ", 1)
        return first.strip(), second.split(", ", 1)[0].strip()
    first = DOSE_ARM.format(intervention=intervention) if dose_comparison else intervention
    return first, comparison


def comparison_words(comparison: str, intervention: str, *, dose_comparison: bool = False) -> str:
    """A comparison as ``A vs B`` (its own words when they name both arms).

    Examples
    --------
    >>> comparison_words("placebo", "drug X")
    'drug X vs placebo'
    """
    if " vs " in comparison:
        return comparison
    first, second = comparison_arms(comparison, intervention, dose_comparison=dose_comparison)
    return f"{first} vs {second}"


def favours_labels(protocol: Any) -> tuple[str, str] | None:
    """The protocol's two "favours" labels (``favours_intervention``, ``favours_comparator``)
    when it sets both, else None (each side then reads ``Favours <arm>``)."""
    wording = getattr(protocol, "wording", None)
    if wording is None or not (wording.favours_intervention and wording.favours_comparator):
        return None
    return wording.favours_intervention, wording.favours_comparator


def favours(arm: str) -> str:
    """The label of one side of a forest plot: ``Favours 3 sessions``."""
    return f"Favours {arm}"


def certainty_words(certainty: str) -> str:
    """A GRADE certainty as a summary of findings prints it, with its name:
    ``Certainty of the evidence (GRADE): ⊕⊕◯◯ Low``, or ``… not assessed``.

    Examples
    --------
    >>> certainty_words("low")
    'Certainty of the evidence (GRADE): ⊕⊕◯◯ Low'
    >>> certainty_words("")
    'Certainty of the evidence (GRADE): not assessed'
    """
    if certainty in CERTAINTY_SYMBOLS:
        shown = f"{certainty_symbols(certainty)} {certainty.capitalize()}"
    else:
        shown = NOT_ASSESSED
    return f"Certainty of the evidence (GRADE): {shown}"


def design_words(designs: str, intervention: str, *, dose_comparison: bool = False) -> str:
    """Studies by design (``"1 RCT"``), with what a dose comparison means.

    Examples
    --------
    >>> design_words("1 RCT", "drug X", dose_comparison=True)
    '1 RCT (dose comparison: both arms received drug X)'
    """
    if dose_comparison:
        return f"{designs} ({DOSE_DESIGN.format(intervention=intervention)})"
    return designs


def basis_caption(design: str, comparison: str, certainty: str, sep: str = " ") -> str:
    """What a figure rests on: design, comparison and certainty (``sep`` between the two
    sentences).

    Examples
    --------
    >>> basis_caption("1 RCT", "drug X vs placebo", "moderate")
    '1 RCT: drug X vs placebo. Certainty of the evidence (GRADE): ⊕⊕⊕◯ Moderate.'
    """
    return f"{design}: {comparison}.{sep}{certainty_words(certainty)}."


def evidence_map_alt(analyses: int, conditions: int, certainties: dict[str, int]) -> str:
    """The short text alternative of an evidence map: what it shows and how many bubbles
    of each certainty (the bubbles themselves are listed in its long description).

    Examples
    --------
    >>> evidence_map_alt(3, 2, {"low": 2, "not assessed": 1})[:62]
    'Evidence map of 3 analyses with numbers in 2 conditions: one b'
    """
    counts = ", ".join(f"{level} {n}" for level, n in certainties.items())
    return (
        f"Evidence map of {plural(analyses, 'analysis', 'analyses')} with numbers in "
        f"{plural(conditions, 'condition')}: one bubble per analysis, placed by condition "
        "and outcome, its area the participants, its colour the GRADE certainty of the "
        f"evidence ({counts}). Each bubble is listed in the figure's description."
    )


def bubble_words(
    condition: str,
    outcome: str,
    comparison: str,
    design: str,
    k: int,
    participants: Any,
    certainty: str,
) -> str:
    """One bubble of an evidence map in words: where it sits, what it compares, how many
    studies and participants, and its certainty.

    Examples
    --------
    >>> bubble_words("A", "Abstinence", "X vs placebo", "RCT", 7, 480, "low")
    'A, Abstinence: X vs placebo; RCT, 7 studies, 480 participants; certainty of the \
evidence (GRADE) low.'
    """
    known = not is_missing(participants) and bool(participants)
    people = f"{count(participants)} participants" if known else "participants not reported"
    return (
        f"{condition}, {outcome}: {comparison}; {design}, "
        f"{plural(int(k), 'study', 'studies')}, {people}; certainty of the evidence "
        f"(GRADE) {certainty or NOT_ASSESSED}."
    )
