"""Multi-arm trials in one analysis: combine the intervention arms that share a comparator
into one group, or split the shared comparator between the comparisons.

A group of rows (one analysis) may hold several comparisons of one trial against the same
comparator arm (two doses against one placebo). Pooling them all would count the
comparator's participants twice. ``"first"`` keeps one comparison per study (the review's
default, ``analysis._mark_shared_comparators``); ``"combine"`` and ``"split"`` follow the
Cochrane Handbook (23.3.4; 6.5.2.10) with :mod:`evsum.stats.multiarm`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from evsum.stats.effects import compute_effects
from evsum.stats.multiarm import MULTI_ARM_RULES, ArmSummary, combine_arms, split_shared_arm

_ARM_COLUMNS = ("n", "events", "mean", "sd")


def _arm(row: pd.Series, side: str) -> ArmSummary:
    return ArmSummary(*(float(row[f"{c}_{side}"]) for c in _ARM_COLUMNS))


def _set_arm(group: pd.DataFrame, index: Any, side: str, arm: ArmSummary) -> None:
    for column in _ARM_COLUMNS:
        value = getattr(arm, column)
        if value == value:  # leave absent (NaN) columns as they were
            group.loc[index, f"{column}_{side}"] = value


def apply_multi_arm(group: pd.DataFrame, rule: str) -> pd.DataFrame:
    """Apply the protocol's multi-arm rule to the rows of one analysis.

    Parameters
    ----------
    group : pandas.DataFrame
        Rows of one analysis with effects (:func:`evsum.stats.effects.compute_effects`) and
        ``excluded_reason`` ("" for a usable row).
    rule : {"first", "combine", "split"}
        ``"first"`` returns the rows unchanged. ``"combine"``: the arm-level rows of a study
        with the same comparator (same text and numbers) become one row whose intervention
        arm combines theirs (events summed; means and SDs by Cochrane Handbook 6.5.2.10);
        the other rows are kept, marked as combined, not pooled. ``"split"``: each of those
        rows keeps its intervention arm and gets an equal share of the comparator's
        participants and events (Handbook 23.3.4), so all are pooled.

    Returns
    -------
    pandas.DataFrame
        A copy with the changed rows' arm numbers, ``yi``, ``vi`` and ``caveat`` recomputed.

    Raises
    ------
    ValueError
        Unknown rule.
    """
    if rule not in MULTI_ARM_RULES:
        raise ValueError(f"rule must be one of {list(MULTI_ARM_RULES)}; got {rule!r}")
    if rule == "first" or group.empty:
        return group
    group = group.copy()
    usable = (group["excluded_reason"] == "") & (group["data_level"] == "arm")
    keys = ["study_id", "comparator"] + [f"{c}_comparator" for c in _ARM_COLUMNS]
    changed = []
    shared = group[usable].groupby(keys, dropna=False, sort=False).groups
    for index in shared.values():
        if len(index) < 2:
            continue
        rows = group.loc[index]
        if rule == "split":
            share = split_shared_arm(_arm(rows.iloc[0], "comparator"), len(index))
            _set_arm(group, index, "comparator", share)
            changed += list(index)
            continue
        binary = rows["events_intervention"].notna().all()
        arm = (
            combine_arms(rows["n_intervention"], events=rows["events_intervention"])
            if binary
            else combine_arms(
                rows["n_intervention"],
                mean=rows["mean_intervention"],
                sd=rows["sd_intervention"],
            )
        )
        first, rest = index[0], index[1:]
        _set_arm(group, first, "intervention", arm)
        group.loc[first, "intervention"] = " + ".join(rows["intervention"].astype(str))
        group.loc[rest, "excluded_reason"] = (
            "combined with the study's other arms against the same comparator into one "
            "intervention group (Cochrane Handbook 6.5.2.10); shown, not pooled"
        )
        changed.append(first)
    if changed:
        redone = compute_effects(group.loc[changed], warn=False)
        group.loc[changed, ["yi", "vi", "caveat"]] = redone[["yi", "vi", "caveat"]]
    return group


def keep_one_comparator(group: pd.DataFrame, reason: str) -> pd.DataFrame:
    """After a split: per study, keep the usable rows against its first comparator (the
    split comparisons) and mark the others with ``reason`` (another comparator of the same
    trial would still count participants twice)."""
    group = group.copy()
    usable = group["excluded_reason"] == ""
    first = group[usable].groupby("study_id", sort=False)["comparator"].transform("first")
    other = usable & (group["comparator"] != first.reindex(group.index))
    group.loc[other, "excluded_reason"] = reason
    return group
