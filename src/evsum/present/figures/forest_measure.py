"""Measure step of the forest plot: its rows, labels and numbers, as words.

Each row of the plot is a :class:`ForestLine`: the texts of its columns (every number formatted
by :mod:`evsum.present.text`) and what the graphical panel draws (an estimate, its interval, a
weight). Nothing here knows about positions (:mod:`evsum.present.figures.forest_layout`) or
matplotlib (:mod:`evsum.present.figures.forest_draw`).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evsum.present import text as words

#: Short design labels for the design column.
DESIGN_SHORT: dict[str, str] = {
    "parallel_rct": "RCT",
    "crossover_rct": "Crossover RCT",
    "cluster_rct": "Cluster RCT",
    "quasi_randomised": "Quasi-randomised",
    "nonrandomised_controlled": "Non-randomised",
    "cohort": "Cohort",
    "case_control": "Case-control",
    "uncontrolled": "Uncontrolled",
}
DASH = words.DASH
_ARM_WIDTH = 22  # characters per line of an arm's column header


@dataclass
class ForestLine:
    """One row of the plot: texts per column plus what is drawn in the panel."""

    kind: str  # header, group, study, pooled, subtotal, pi, text, note, blank
    cells: dict[str, str] = field(default_factory=dict)
    span: str = ""  # a text spanning the row (group titles, heterogeneity, notes)
    bold: bool = False
    muted: bool = False
    x: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    weight: float = math.nan
    slots: int = 1


def result_field(obj: Any, name: str, default: Any = math.nan) -> Any:
    """``obj.name``, or ``default`` where the result has no such field or it is None."""
    value = getattr(obj, name, default)
    return default if value is None else value


def is_ratio(result: Any) -> bool:
    """Whether ``result`` is on a ratio scale (shown exponentiated on a log axis)."""
    flag = getattr(result, "is_ratio", None)
    return bool(flag) if flag is not None else False


def _study_labels(rows: pd.DataFrame) -> list[str]:
    """``First author year``, disambiguated by time point then comparator when repeated."""
    if "label" in rows.columns:
        return [str(v) for v in rows["label"]]
    if not {"first_author", "year"} <= set(rows.columns):
        if "study_id" in rows.columns:
            return [str(v) for v in rows["study_id"]]
        return [f"Study {i + 1}" for i in range(len(rows))]
    labels = [f"{a} {y}" for a, y in zip(rows["first_author"], rows["year"], strict=True)]
    for extra in ("timepoint", "comparator"):
        counts = pd.Series(labels).value_counts()
        if extra not in rows.columns or counts.max() <= 1:
            break
        labels = [
            f"{lab} ({val})" if counts[lab] > 1 else lab
            for lab, val in zip(labels, rows[extra], strict=True)
        ]
    return labels


def _has(row: pd.Series, *cols: str) -> bool:
    return all(c in row.index and pd.notna(row[c]) for c in cols)


def _arm_text(row: pd.Series, arm: str) -> str:
    """``events/n`` or ``mean (SD) n`` of one arm; for contrast-only rows ``n = N`` when the
    arm size is known, else a dash."""
    n = f"n_{arm}"
    if "data_level" in row.index and row["data_level"] != "arm":
        return f"n = {int(row[n])}" if _has(row, n) else DASH
    if _has(row, f"events_{arm}", n):
        return words.events_n(row[f"events_{arm}"], row[n])
    if _has(row, f"mean_{arm}", f"sd_{arm}", n):
        return f"{words.arm_data(row, arm, with_n=False)} {words.count(row[n])}"
    return DASH


def _arm_header(rows: pd.DataFrame | None) -> str:
    if rows is None or "outcome_type" not in rows.columns:
        return ""
    types = set(rows["outcome_type"].dropna())
    if types == {"binary"}:
        return "events/n"
    if types == {"continuous"}:
        return "mean (SD) n"
    return ""


def _pooled_rows(rows: pd.DataFrame | None, result: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``rows`` into the rows behind ``result`` (in order) and the rows left out."""
    k = int(result.k)
    if rows is None:
        labels = list(result_field(result, "labels", ()) or ())
        if len(labels) != k:
            labels = [f"Study {i + 1}" for i in range(k)]
        return pd.DataFrame({"label": labels, "data_level": "contrast"}), pd.DataFrame()
    rows = rows.reset_index(drop=True)
    if "yi" in rows.columns:
        used = rows["yi"].notna() & rows.get("vi", rows["yi"]).notna()
        if "excluded_reason" in rows.columns:
            reason = rows["excluded_reason"]
            used &= reason.isna() | (reason.astype(str).str.strip() == "")
        pooled, left_out = rows[used], rows[~used]
    else:
        pooled, left_out = rows, rows.iloc[0:0]
    if len(pooled) != k:
        raise ValueError(
            f"rows must hold the {k} studies of result (rows with a finite yi and no "
            f"excluded_reason, in the order given to pool); got {len(pooled)}"
        )
    # Peto's study effects are (O - E)/V, not the rows' escalc log odds ratios; MH leaves a
    # double-zero table's effect out (NaN: "not estimable")
    # without a yi column the rows' effects are not compared (pyi is then never read)
    ryi = np.asarray(result.yi, float)
    pyi = pooled["yi"].to_numpy(float) if "yi" in pooled else np.zeros_like(ryi)
    both = np.isfinite(ryi) & np.isfinite(pyi) if "yi" in pooled.columns else ryi == ryi
    if (
        "yi" in pooled.columns
        and str(result_field(result, "method", "")) != "PETO"
        and not np.allclose(pyi[both], ryi[both])
    ):
        raise ValueError(
            "rows' yi do not match result.yi: pass the rows given to pool, in the same order"
        )
    return pooled.reset_index(drop=True), left_out.reset_index(drop=True)


def _group_members(result: Any, subgroups: Any) -> list[tuple[str, Any, list[int]]]:
    """For each subgroup: name, its PoolResult and the indices of its studies in ``result``."""
    groups = _subgroup_results(subgroups)
    free = list(zip(np.asarray(result.yi, float), np.asarray(result.vi, float), strict=True))
    taken: set[int] = set()
    out = []
    for name, sub in groups.items():
        members = []
        for y, v in zip(np.asarray(sub.yi, float), np.asarray(sub.vi, float), strict=True):
            match = next(
                (
                    i
                    for i, (y0, v0) in enumerate(free)
                    if i not in taken
                    and math.isclose(y0, y, rel_tol=1e-12, abs_tol=1e-15)
                    and math.isclose(v0, v, rel_tol=1e-12, abs_tol=1e-15)
                ),
                None,
            )
            if match is None:
                raise ValueError(f"subgroup {name!r} holds a study that is not in result")
            taken.add(match)
            members.append(match)
        out.append((str(name), sub, members))
    if len(taken) != len(free):
        raise ValueError("subgroups must partition the studies of result")
    return out


def _subgroup_results(subgroups: Any) -> dict[str, Any]:
    groups, results = getattr(subgroups, "groups", None), getattr(subgroups, "results", None)
    if groups is None or results is None:
        raise TypeError("subgroups must be a SubgroupResult from evsum.pool_subgroups")
    return dict(zip(groups, results, strict=True))


def _heterogeneity_text(result: Any) -> str:
    parts = []
    if str(result_field(result, "method", "")) not in ("FE", "EE"):
        parts.append(f"\u03c4\u00b2 = {words.number(float(result_field(result, 'tau2')), 3)}")
    parts.append(f"I\u00b2 = {words.percentage(float(result_field(result, 'i2')), 0)}")
    q_df = result_field(result, "q_df", None)
    df_text = DASH if q_df is None else str(int(q_df))
    parts.append(
        f"Q = {words.number(float(result_field(result, 'q')), 2)}, df = {df_text} "
        f"({words.p_value(float(result_field(result, 'q_pval')))})"
    )
    return "Heterogeneity: " + "; ".join(parts)


def _test_text(result: Any) -> str:
    test = str(result_field(result, "test", "z"))
    stat = float(result_field(result, "zval"))
    if test == "z":
        name = "z"
    else:
        name = f"t({int(result.k) - 1})"
    return (
        f"Test for overall effect: {name} = {words.number(stat, 2)} "
        f"({words.p_value(float(result.pval))})"
    )


#: What a study without an effect shows (RevMan: a table without events in either arm).
NOT_ESTIMABLE = "Not estimable"
TOTAL, SUBTOTAL = "Total ({level}% CI)", "Subtotal ({level}% CI)"
#: The names of the models of τ² of a test for subgroup differences.
_TAU2_MODELS = {
    "separate": "separate τ² per subgroup",
    "common": "common τ², mixed-effects model",
}


def _subgroup_test_texts(subgroups: Any) -> list[str]:
    """The tests for subgroup differences, each labelled with its model of τ²."""
    differences = tuple(result_field(subgroups, "differences", ()) or ())
    if not differences:
        return [
            "Test for subgroup differences: "
            f"Q = {words.number(float(result_field(subgroups, 'q_between')), 2)}, "
            f"df = {int(result_field(subgroups, 'q_between_df', 0))} "
            f"({words.p_value(float(result_field(subgroups, 'q_between_pval')))})"
        ]
    texts = []
    for d in differences:
        model = _TAU2_MODELS.get(d.tau2_model, d.tau2_model)
        if d.distribution == "F":
            stat = f"F({int(d.df)}, {int(d.df2)}) = {words.number(float(d.statistic), 2)}"
        else:
            stat = f"Q = {words.number(float(d.statistic), 2)}, df = {int(d.df)}"
        texts.append(
            f"Test for subgroup differences ({model}): {stat} ({words.p_value(float(d.pval))})"
        )
    return texts


def _totals(rows: pd.DataFrame, yi: np.ndarray) -> dict[str, str] | None:
    """Participants (and events) per arm of the rows with an effect, as RevMan's Total row:
    None when the rows have no arm sizes."""
    rows = rows[np.isfinite(np.asarray(yi, float))]
    if not {"n_intervention", "n_comparator"} <= set(rows.columns) or rows.empty:
        return None
    n1, n2 = rows["n_intervention"], rows["n_comparator"]
    if n1.isna().any() or n2.isna().any():
        return None
    out = {"n_trt": words.count(n1.sum()), "n_ctl": words.count(n2.sum())}
    if {"events_intervention", "events_comparator"} <= set(rows.columns):
        e1, e2 = rows["events_intervention"], rows["events_comparator"]
        if not (e1.isna().any() or e2.isna().any()):
            out["events_trt"], out["events_ctl"] = words.count(e1.sum()), words.count(e2.sum())
    return out


def method_label(result: Any) -> str:
    """RevMan's label of the statistical method and model: ``"M-H, Fixed, 95% CI"``,
    ``"IV, Random, 95% CI"``, ``"Peto, Fixed, 95% CI"``."""
    method = str(result_field(result, "method", ""))
    name = {"MH": "M-H", "PETO": "Peto"}.get(method, "IV")
    model = "Fixed" if method in ("FE", "EE", "MH", "PETO") else "Random"
    level = 100 * (1 - float(result_field(result, "alpha", 0.05)))
    return f"{name}, {model}, {words.number(level, 0)}% CI"


def _ci_text(est: float, lo: float, hi: float, scale: Any) -> str:
    return f"{words.number(scale(est))} ({words.interval(scale(lo), scale(hi))})"


def _study_effect_text(row: pd.Series, est: float, lo: float, hi: float, scale: Any) -> str:
    """A study's effect: the paper's own numbers (its digits) for a reported contrast, else
    the effect evsum computed from the arm data."""
    if row.get("data_level") == "contrast" and _has(row, "effect", "ci_low", "ci_high"):
        return (
            f"{words.reported(row, 'effect')} ({words.reported(row, 'ci_low')} to "
            f"{words.reported(row, 'ci_high')})"
        )
    return _ci_text(est, lo, hi, scale)


def _study_intervals(result: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-study effect and confidence limits as ``result.to_frame()`` reports them."""
    frame = result.to_frame(exp=False) if hasattr(result, "to_frame") else None
    k = int(result.k)
    if frame is not None and {"ci_low", "ci_high"} <= set(frame.columns) and len(frame) >= k:
        studies = frame.iloc[:k]
        effect_col = "effect" if "effect" in frame.columns else "yi"
        return (
            studies[effect_col].to_numpy(float),
            studies["ci_low"].to_numpy(float),
            studies["ci_high"].to_numpy(float),
        )
    raise ValueError("result.to_frame() must give one row per study with ci_low and ci_high")


@dataclass(frozen=True)
class _Studies:
    """The studies behind a result as the plot reads them: rows in the result's order, the
    rows left out, labels, effects, limits and weights (analysis scale)."""

    result: Any
    rows: pd.DataFrame
    left_out: pd.DataFrame
    labels: list[str]
    yi: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    weights: np.ndarray
    scale: Any
    columns: list[str]


def _studies(rows: pd.DataFrame | None, result: Any, scale: Any, columns: list[str]) -> _Studies:
    pooled_rows, left_out = _pooled_rows(rows, result)
    labels = _study_labels(pooled_rows)
    yi, lo, hi = _study_intervals(result)
    weights = np.asarray(result_field(result, "weights", ()) or (), float)
    if weights.size != int(result.k):
        weights = np.full(int(result.k), np.nan)
    return _Studies(result, pooled_rows, left_out, labels, yi, lo, hi, weights, scale, columns)


def _study_line(s: _Studies, i: int) -> ForestLine:
    row = s.rows.iloc[i]
    estimable = bool(np.isfinite(s.yi[i]))
    cells = {
        "study": s.labels[i],
        "effect": _study_effect_text(row, s.yi[i], s.lo[i], s.hi[i], s.scale)
        if estimable
        else NOT_ESTIMABLE,
        "weight": words.percentage(s.weights[i]),
    }
    if "trt" in s.columns:
        cells["trt"] = _arm_text(row, "intervention")
        cells["ctl"] = _arm_text(row, "comparator")
    if "design" in s.columns:
        cells["design"] = DESIGN_SHORT.get(str(row.get("design", "")), DASH)
    return ForestLine("study", cells, x=s.yi[i], lo=s.lo[i], hi=s.hi[i], weight=s.weights[i])


def _prediction_lines(s: _Studies, res: Any) -> list[ForestLine]:
    """The prediction interval of a random-effects result of 3 or more studies, if any."""
    pi_low, pi_high = float(result_field(res, "pi_low")), float(result_field(res, "pi_high"))
    method = str(result_field(res, "method", ""))
    if int(res.k) < 3 or method in ("FE", "EE"):
        return []
    if not (np.isfinite(pi_low) and np.isfinite(pi_high)):
        return []
    effect = "(" + words.interval(s.scale(pi_low), s.scale(pi_high)) + ")"
    cells = {"study": "Prediction interval", "effect": effect}
    return [ForestLine("pi", cells, lo=pi_low, hi=pi_high, muted=True)]


def _pooled_block(
    s: _Studies, res: Any, name: str, kind: str, weight: float, members: list[int] | None = None
) -> list[ForestLine]:
    """A pooled (or subtotal) row, its prediction interval, total events and heterogeneity."""
    k = int(res.k)
    if k < 2:
        return [ForestLine("note", span="Single study: no pooling", muted=True)]
    cells = {
        "study": f"{name} (k = {k})",
        "effect": _ci_text(float(res.estimate), float(res.ci_low), float(res.ci_high), s.scale),
        "weight": words.percentage(weight),
    }
    picked = list(range(int(s.result.k))) if members is None else members
    totals = _totals(s.rows.iloc[picked], s.yi[picked]) if "trt" in s.columns else None
    if totals is not None:
        cells["trt"], cells["ctl"] = totals["n_trt"], totals["n_ctl"]
    estimate, low, high = float(res.estimate), float(res.ci_low), float(res.ci_high)
    block = [ForestLine(kind, cells, bold=True, x=estimate, lo=low, hi=high)]
    block += _prediction_lines(s, res)
    if totals is not None and "events_trt" in totals:
        events = {"study": "Total events", "trt": totals["events_trt"]}
        events["ctl"] = totals["events_ctl"]
        block.append(ForestLine("text", events, muted=True))
    block.append(ForestLine("text", span=_heterogeneity_text(res), muted=True))
    return block


def _study_blocks(s: _Studies, subgroups: Any, subtotal: str) -> list[ForestLine]:
    """The study rows: all of them then a blank row, or one block per subgroup with its
    subtotal."""
    if subgroups is None:
        return [_study_line(s, i) for i in range(int(s.result.k))] + [ForestLine("blank")]
    lines: list[ForestLine] = []
    for name, sub, members in _group_members(s.result, subgroups):
        lines.append(ForestLine("group", span=name, bold=True))
        lines += [_study_line(s, i) for i in members]
        weight = float(np.nansum(s.weights[members]))
        lines += _pooled_block(s, sub, subtotal, "subtotal", weight, members)
        lines.append(ForestLine("blank"))
    return lines


def _test_lines(result: Any, subgroups: Any) -> list[ForestLine]:
    """The test for the overall effect and the tests for subgroup differences."""
    lines = []
    if int(result.k) >= 2:
        lines.append(ForestLine("text", span=_test_text(result), muted=True))
    if subgroups is not None:
        lines += [ForestLine("text", muted=True, span=t) for t in _subgroup_test_texts(subgroups)]
    return lines


def _notes(s: _Studies) -> list[str]:
    """The rows not pooled (with their reason), each row's caveat and the result's notes."""
    notes = []
    if len(s.left_out):
        reasons = s.left_out.get("excluded_reason", pd.Series([None] * len(s.left_out)))
        notes += [
            f"Not pooled: {lab}" + (f" ({why})" if isinstance(why, str) and why else "")
            for lab, why in zip(_study_labels(s.left_out), reasons, strict=True)
        ]
    if "caveat" in s.rows.columns:  # what compute_effects did to a row (its words)
        notes += [
            f"Note: {lab}: {why}"
            for lab, why in zip(s.labels, s.rows["caveat"], strict=True)
            if isinstance(why, str) and why
        ]
    notes += [f"Note: {n}" for n in (result_field(s.result, "notes", ()) or ())]
    return notes


def build_lines(
    rows: pd.DataFrame | None, result: Any, subgroups: Any, scale: Any, columns: list[str]
) -> list[ForestLine]:
    """The rows of the plot under its header: studies (per subgroup), pooled rows, tests and
    notes, with every number in words (``scale`` back-transforms ratio measures)."""
    s = _studies(rows, result, scale, columns)
    level = words.number(100 * (1 - float(result_field(result, "alpha", 0.05))), 0)
    total, subtotal = TOTAL.format(level=level), SUBTOTAL.format(level=level)
    lines = _study_blocks(s, subgroups, subtotal)
    lines += _pooled_block(s, result, total, "pooled", float(np.nansum(s.weights)))
    lines += _test_lines(result, subgroups)
    for note in _notes(s):
        for part in textwrap.wrap(str(note), 110, subsequent_indent="    "):
            lines.append(ForestLine("note", span=part, muted=True))
    return lines


def plot_columns(rows: pd.DataFrame | None, show_design: bool | None) -> list[str]:
    """The text columns left of the panel: study, design (by default when ``rows`` has more
    than one design) and the two arms (when ``rows`` has arm data)."""
    if show_design is None:
        show_design = (
            rows is not None and "design" in rows.columns and rows["design"].nunique() > 1
        )
    has_arms = rows is not None and any(
        c in rows.columns for c in ("events_intervention", "mean_intervention")
    )
    return ["study"] + (["design"] if show_design else []) + (["trt", "ctl"] if has_arms else [])


def _arm_title(arm: str, sub: str) -> str:
    """A column header for one arm: its words (first letter capitalised, wrapped), then
    what the column holds (``events/n``)."""
    wrapped = textwrap.fill(arm[:1].upper() + arm[1:], _ARM_WIDTH, break_on_hyphens=False)
    return wrapped + (f"\n{sub}" if sub else "")


def header_line(
    rows: pd.DataFrame | None, result: Any, measure: str, intervention: str, comparator: str
) -> ForestLine:
    """The header row: column titles (RevMan's method label under the measure), as many
    slots high as its tallest title (at least 2)."""
    arm_sub = _arm_header(rows)
    header = {
        "study": "Study",
        "design": "Design",
        "trt": _arm_title(intervention, arm_sub),
        "ctl": _arm_title(comparator, arm_sub),
        "effect": f"{measure}\n{method_label(result)}",
        "weight": "Weight",
    }
    slots = max([2] + [v.count("\n") + 1 for v in header.values()])
    return ForestLine("header", header, bold=True, slots=slots)
