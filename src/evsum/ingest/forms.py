"""The forms in which papers report a study and its result, checked with the study table.

A design beyond the parallel trial (crossover, cluster-randomised, quasi-randomised, cohort,
case-control), blinding that is not reported or does not apply, and a contrast given as an
estimate with its standard error, with a confidence interval of another level than 95 %, or
with a p-value, on the natural or the log scale (data/README.md, "Reported effects"). Each
check adds its problems to the study table's collector, so every problem is still reported at
once, naming file, line and column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from evsum import vocab

if TYPE_CHECKING:
    from evsum.ingest.schema import Table

__all__ = ["check_forms", "contrast_needs_interval"]


def contrast_needs_interval(check: Table) -> np.ndarray:
    """Where a contrast row must give ``ci_low`` and ``ci_high``: it has neither a standard
    error (``se``) nor a p-value (``p_value``) to give its precision instead."""
    return np.asarray(check.blank("se")) & np.asarray(check.blank("p_value"))


class _Blank:
    def __init__(self, check: Table) -> None:
        self._check = check

    def __getitem__(self, column: str) -> pd.Series:
        return pd.Series(np.asarray(self._check.blank(column)), index=self._check.text.index)


def check_forms(check: Table) -> None:
    """Add the problems of the design, blinding and reported-effect columns to ``check`` (the
    study table's :class:`~evsum.ingest.schema.Table`: ``text``, ``blank``, ``number`` and
    ``add(mask, column, expected)``)."""
    text, blank = check.text, _Blank(check)
    numbers = {c: check.number(c) for c in vocab.NUMERIC_COLUMNS}
    design = text["design"]
    known_design = design.isin(list(vocab.DESIGNS))
    observational = design.isin(sorted(vocab.OBSERVATIONAL_DESIGNS))
    check.add(
        blank["blinding"] & known_design & ~observational,
        "blinding",
        "a value: 'open', 'single-blind', 'double-blind', 'not reported' (the paper does not "
        "say) or 'not applicable'; only an observational design may leave it empty",
    )
    randomised_design = design.isin(sorted(vocab.RANDOMISED_DESIGNS))
    flag = text["randomised"]
    check.add(
        known_design & randomised_design & (flag == "false"),
        "randomised",
        "true: the design allocates at random (a trial allocated by alternation or another "
        "rule is 'quasi_randomised')",
    )
    check.add(
        known_design & ~randomised_design & (flag == "true"),
        "randomised",
        "false: the design does not allocate at random (a randomised trial is "
        "'parallel_rct', 'crossover_rct' or 'cluster_rct')",
    )

    level = numbers["ci_level"]
    check.add(
        level.notna() & ((level <= 50) | (level >= 100)),
        "ci_level",
        "the confidence level in percent, above 50 and below 100 (e.g. 90; empty: 95)",
    )
    check.add(
        level.notna() & (blank["ci_low"] | blank["ci_high"]),
        "ci_level",
        "an empty cell: ci_level is the level of ci_low and ci_high, which are not given",
    )
    se = numbers["se"]
    check.add(se.notna() & (se <= 0), "se", "a standard error > 0")
    p = numbers["p_value"]
    check.add(
        p.notna() & ((p <= 0) | (p >= 1)),
        "p_value",
        "a two-sided p-value above 0 and below 1 (a p-value of 1 gives no standard error)",
    )
    scale = text["scale"]
    check.add(
        ~blank["scale"] & ~scale.isin(list(vocab.SCALES)),
        "scale",
        "one of " + ", ".join(repr(s) for s in vocab.SCALES) + " (or empty: natural)",
    )
    ratio = text["effect_measure"].isin(sorted(vocab.RATIO_MEASURES))
    check.add(
        (scale == "log") & ~ratio & ~blank["effect_measure"],
        "scale",
        "'natural' or empty: only a ratio (RR, OR, HR, IRR) is given on the log scale",
    )
    contrast = text["data_level"] == "contrast"
    for column in ("se", "p_value", "ci_level", "scale"):
        check.add(
            ~contrast & ~blank[column],
            column,
            "an empty cell: it describes a reported contrast (data_level 'contrast')",
        )
    # a p-value gives a standard error only through a non-null estimate
    effect = numbers["effect"]
    null = np.where(ratio & (scale != "log"), 1.0, 0.0)
    check.add(
        contrast
        & p.notna()
        & blank["se"]
        & effect.notna()
        & (effect == null)
        & (blank["ci_low"] | blank["ci_high"]),
        "p_value",
        "an estimate other than no effect: a p-value gives a standard error only as "
        "|estimate| / z (Cochrane Handbook 6.3.2)",
    )
    check.add(
        contrast & (blank["ci_low"] != blank["ci_high"]) & ~contrast_needs_interval(check),
        "ci_high",
        "both bounds of the interval, or neither (then se or p_value)",
    )

    _check_medians(check, text, blank, numbers)
    cluster = design == "cluster_rct"
    icc, size, effect_size = numbers["icc"], numbers["cluster_size"], numbers["design_effect"]
    check.add(icc.notna() & ((icc < 0) | (icc >= 1)), "icc", "an ICC from 0 to below 1")
    check.add(size.notna() & (size < 1), "cluster_size", "a mean cluster size ≥ 1")
    check.add(effect_size.notna() & (effect_size < 1), "design_effect", "a design effect ≥ 1")
    for column in ("icc", "cluster_size", "design_effect"):
        check.add(
            ~cluster & ~blank[column],
            column,
            "an empty cell: it adjusts a cluster-randomised trial (design 'cluster_rct')",
        )
    check.add(
        cluster & (blank["icc"] != blank["cluster_size"]),
        "cluster_size",
        "both icc and cluster_size (design effect 1 + (cluster_size - 1) × icc), or neither",
    )
    check.add(
        cluster & ~blank["design_effect"] & ~blank["icc"],
        "design_effect",
        "an empty cell when icc and cluster_size give the design effect (one or the other)",
    )
    r = numbers["correlation"]
    check.add(r.notna() & ((r <= -1) | (r >= 1)), "correlation", "a correlation in (-1, 1)")
    crossover = design == "crossover_rct"
    check.add(
        ~blank["correlation"] & ~(crossover & (text["outcome_type"] == "continuous")),
        "correlation",
        "an empty cell: it is the within-participant correlation of a crossover trial's "
        "continuous outcome",
    )


def _check_medians(
    check: Table, text: pd.DataFrame, blank: _Blank, numbers: dict[str, pd.Series]
) -> None:
    """A median with its quartiles or range, per arm, only where the protocol lets medians
    be converted (``[review] medians``) and only for an arm-level continuous row without
    means."""
    given = ~blank["median_intervention"] | ~blank["median_comparator"]
    protocol = getattr(check.context, "protocol", None)
    wording = getattr(protocol, "wording", None)
    allowed = bool(getattr(wording, "medians", "")) or protocol is None
    check.add(
        given & (not allowed),
        "median_intervention",
        'no median unless the protocol\'s [review] medians = "wan2014" lets medians be '
        "converted to means (Wan et al. 2014); otherwise give the means and SDs",
    )
    arm_continuous = (text["data_level"] == "arm") & (text["outcome_type"] == "continuous")
    check.add(
        given & ~arm_continuous,
        "median_intervention",
        "an empty cell: medians are the arm data of a continuous outcome (data_level 'arm')",
    )
    check.add(
        given & (~blank["mean_intervention"] | ~blank["mean_comparator"]),
        "median_intervention",
        "an empty cell when the means are given (one or the other)",
    )
    for column in vocab.MEDIAN_COLUMNS:
        check.add(
            given & blank[column],
            column,
            "a value: a median needs both arms' medians, spread ('iqr' or 'range') and its "
            "low and high values",
        )
    for arm in ("intervention", "comparator"):
        low, mid, high = (numbers[f"{c}_{arm}"] for c in ("spread_low", "median", "spread_high"))
        check.add(
            low.notna() & mid.notna() & high.notna() & ~((low <= mid) & (mid <= high)),
            f"median_{arm}",
            f"spread_low_{arm} ≤ median_{arm} ≤ spread_high_{arm}",
        )
