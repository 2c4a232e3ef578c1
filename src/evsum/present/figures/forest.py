"""Forest plot of a pooled result: one row per study, pooled diamond, heterogeneity lines.

The plot only draws what :func:`evsum.pool` (and :func:`evsum.pool_subgroups`) computed. Ratio
measures arrive on the log scale and are back-transformed here for display (``exp=True``).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from evsum.present import text as words
from evsum.present.figures.style import (
    COLOURS,
    FONT_SIZE,
    ROW_HEIGHT,
    ReportFigure,
    figure_style,
    text_width,
)

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
_PLOT_WIDTH = 3.0  # inches of the graphical panel
_GAP = 0.18  # inches between text columns
_MARGIN = 0.12  # inches around the figure
_BOTTOM = 0.95  # inches below the rows: ticks, favours labels, axis label
_LINE = 0.17  # inches per extra line of wrapped text (favours labels, subtitle)
_ARM_WIDTH = 22  # characters per line of an arm's column header
_FAVOURS_WIDTH = 32  # characters per line of a "Favours ..." label


@dataclass
class _Line:
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


def _field(obj: Any, name: str, default: Any = math.nan) -> Any:
    value = getattr(obj, name, default)
    return default if value is None else value


def _is_ratio(result: Any) -> bool:
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
        labels = list(_field(result, "labels", ()) or ())
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
        and str(_field(result, "method", "")) != "PETO"
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
    if str(_field(result, "method", "")) not in ("FE", "EE"):
        parts.append(f"\u03c4\u00b2 = {words.number(float(_field(result, 'tau2')), 3)}")
    parts.append(f"I\u00b2 = {words.percentage(float(_field(result, 'i2')), 0)}")
    q_df = _field(result, "q_df", None)
    df_text = DASH if q_df is None else str(int(q_df))
    parts.append(
        f"Q = {words.number(float(_field(result, 'q')), 2)}, df = {df_text} "
        f"({words.p_value(float(_field(result, 'q_pval')))})"
    )
    return "Heterogeneity: " + "; ".join(parts)


def _test_text(result: Any) -> str:
    test = str(_field(result, "test", "z"))
    stat = float(_field(result, "zval"))
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
    differences = tuple(_field(subgroups, "differences", ()) or ())
    if not differences:
        return [
            "Test for subgroup differences: "
            f"Q = {words.number(float(_field(subgroups, 'q_between')), 2)}, "
            f"df = {int(_field(subgroups, 'q_between_df', 0))} "
            f"({words.p_value(float(_field(subgroups, 'q_between_pval')))})"
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
    method = str(_field(result, "method", ""))
    name = {"MH": "M-H", "PETO": "Peto"}.get(method, "IV")
    model = "Fixed" if method in ("FE", "EE", "MH", "PETO") else "Random"
    level = 100 * (1 - float(_field(result, "alpha", 0.05)))
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


def _build_lines(
    rows: pd.DataFrame | None, result: Any, subgroups: Any, scale: Any, columns: list[str]
) -> list[_Line]:
    pooled_rows, left_out = _pooled_rows(rows, result)
    labels = _study_labels(pooled_rows)
    yi, lo, hi = _study_intervals(result)
    weights = np.asarray(_field(result, "weights", ()) or (), float)
    if weights.size != int(result.k):
        weights = np.full(int(result.k), np.nan)

    def study_line(i: int) -> _Line:
        row = pooled_rows.iloc[i]
        estimable = bool(np.isfinite(yi[i]))
        cells = {
            "study": labels[i],
            "effect": _study_effect_text(row, yi[i], lo[i], hi[i], scale)
            if estimable
            else NOT_ESTIMABLE,
            "weight": words.percentage(weights[i]),
        }
        if "trt" in columns:
            cells["trt"] = _arm_text(row, "intervention")
            cells["ctl"] = _arm_text(row, "comparator")
        if "design" in columns:
            cells["design"] = DESIGN_SHORT.get(str(row.get("design", "")), DASH)
        return _Line("study", cells, x=yi[i], lo=lo[i], hi=hi[i], weight=weights[i])

    def pooled_block(
        res: Any, name: str, kind: str, weight: float, members: list[int] | None = None
    ) -> list[_Line]:
        k = int(res.k)
        if k < 2:
            return [_Line("note", span="Single study: no pooling", muted=True)]
        label = f"{name} (k = {k})"
        cells = {
            "study": label,
            "effect": _ci_text(float(res.estimate), float(res.ci_low), float(res.ci_high), scale),
            "weight": words.percentage(weight),
        }
        picked = list(range(int(result.k))) if members is None else members
        totals = _totals(pooled_rows.iloc[picked], yi[picked]) if "trt" in columns else None
        if totals is not None:
            cells["trt"], cells["ctl"] = totals["n_trt"], totals["n_ctl"]
        block = [
            _Line(
                kind,
                cells,
                bold=True,
                x=float(res.estimate),
                lo=float(res.ci_low),
                hi=float(res.ci_high),
            )
        ]
        pi_low, pi_high = float(_field(res, "pi_low")), float(_field(res, "pi_high"))
        method = str(_field(res, "method", ""))
        if k >= 3 and method not in ("FE", "EE") and np.isfinite(pi_low) and np.isfinite(pi_high):
            block.append(
                _Line(
                    "pi",
                    {
                        "study": "Prediction interval",
                        "effect": "(" + words.interval(scale(pi_low), scale(pi_high)) + ")",
                    },
                    lo=pi_low,
                    hi=pi_high,
                    muted=True,
                )
            )
        if totals is not None and "events_trt" in totals:
            block.append(
                _Line(
                    "text",
                    {
                        "study": "Total events",
                        "trt": totals["events_trt"],
                        "ctl": totals["events_ctl"],
                    },
                    muted=True,
                )
            )
        block.append(_Line("text", span=_heterogeneity_text(res), muted=True))
        return block

    # the method is named in the effect column's header (RevMan's label)
    level = words.number(100 * (1 - float(_field(result, "alpha", 0.05))), 0)
    total, subtotal = TOTAL.format(level=level), SUBTOTAL.format(level=level)
    lines: list[_Line] = []
    if subgroups is None:
        lines += [study_line(i) for i in range(int(result.k))]
        lines.append(_Line("blank"))
        lines += pooled_block(result, total, "pooled", float(np.nansum(weights)))
    else:
        for name, sub, members in _group_members(result, subgroups):
            lines.append(_Line("group", span=name, bold=True))
            lines += [study_line(i) for i in members]
            lines += pooled_block(
                sub, subtotal, "subtotal", float(np.nansum(weights[members])), members
            )
            lines.append(_Line("blank"))
        lines += pooled_block(result, total, "pooled", float(np.nansum(weights)))
    if int(result.k) >= 2:
        lines.append(_Line("text", span=_test_text(result), muted=True))
    if subgroups is not None:
        lines += [_Line("text", muted=True, span=t) for t in _subgroup_test_texts(subgroups)]
    notes = []
    if len(left_out):
        reasons = left_out.get("excluded_reason", pd.Series([None] * len(left_out)))
        notes += [
            f"Not pooled: {lab}" + (f" ({why})" if isinstance(why, str) and why else "")
            for lab, why in zip(_study_labels(left_out), reasons, strict=True)
        ]
    if "caveat" in pooled_rows.columns:  # what compute_effects did to a row (its words)
        notes += [
            f"Note: {lab}: {why}"
            for lab, why in zip(labels, pooled_rows["caveat"], strict=True)
            if isinstance(why, str) and why
        ]
    notes += [f"Note: {n}" for n in (_field(result, "notes", ()) or ())]
    for note in notes:
        for part in textwrap.wrap(str(note), 110, subsequent_indent="    "):
            lines.append(_Line("note", span=part, muted=True))
    return lines


def _limits(lines: list[_Line], null: float, log: bool) -> tuple[float, float]:
    """Axis limits, symmetric around the null (analysis scale).

    They cover every point estimate, the pooled intervals and the prediction intervals, and
    every study interval up to 10 studies, beyond that most of them (80th percentile of their
    distance from the null): a single very
    wide interval, e.g. from a zero-event arm, runs off the axis with an arrow instead of
    squashing the other studies.
    """
    must = [
        v
        for ln in lines
        for v in (
            (ln.x,)
            if ln.kind == "study"
            else (ln.lo, ln.hi, ln.x)
            if ln.kind in ("pooled", "subtotal", "pi")
            else ()
        )
        if np.isfinite(v)
    ]
    bounds = [v for ln in lines if ln.kind == "study" for v in (ln.lo, ln.hi) if np.isfinite(v)]
    half = max([abs(v - null) for v in must] + [0.0])
    if bounds:  # with few studies every interval fits; with many, an outlier may run off
        share = 1.0 if len(bounds) <= 20 else 0.8
        half = max(half, float(np.quantile(np.abs(np.asarray(bounds) - null), share)))
    if log:  # at least ratio 1/1.5 to 1.5, at most 1/100 to 100
        half = min(max(half, math.log(1.5)), math.log(100.0))
    half = (half or 1.0) * 1.08
    return null - half, null + half


_LOG_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def _log_ticks(lo: float, hi: float) -> list[float]:
    ticks = [t for t in _LOG_TICKS if lo <= t <= hi]
    if len(ticks) > 7:
        ticks = [t for t in ticks if str(t).lstrip("0.").startswith("1")]
    return ticks


def forest_plot(
    rows: pd.DataFrame | None,
    result: Any,
    *,
    subgroups: Any = None,
    exp: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    higher_is_better: bool = True,
    intervention: str = "intervention",
    comparator: str = "comparator",
    show_design: bool | None = None,
    subtitle: str | None = None,
    favours: tuple[str, str] | None = None,
) -> Figure:
    """Forest plot of a meta-analysis, with arm data, weights and heterogeneity.

    Parameters
    ----------
    rows : pandas.DataFrame or None
        The study rows given to :func:`evsum.pool` (the output of
        :func:`evsum.compute_effects` for one condition and outcome). Rows whose ``yi`` is
        missing are listed under the plot as not pooled, with ``excluded_reason``. The other
        rows must match ``result.yi`` in order. Columns used when present: ``label`` (else
        ``first_author`` + ``year``), ``design``, ``data_level``, ``outcome_type``, the arm
        columns (``events_*``, ``mean_*``, ``sd_*``, ``n_*``) and ``caveat`` (from
        :func:`evsum.compute_effects`, printed as a note under the plot, as are
        ``result.notes``). Contrast-only rows show a dash
        in the arm columns. ``None`` draws generic inverse-variance rows from
        ``result.labels``.
    result : PoolResult
        The pooled result to draw.
    subgroups : SubgroupResult, optional
        From :func:`evsum.pool_subgroups` on the same studies: draws one block per subgroup
        with its subtotal diamond and heterogeneity, and the test for subgroup differences.
    exp : bool, optional
        Back-transform log-scale effects and use a log axis; defaults to ``result.is_ratio``.
    ax : matplotlib.axes.Axes, optional
        Axes for the graphical panel; the text columns are drawn to its left and right, so
        leave room in the figure. By default a figure is created and sized to the content:
        its height grows with the number of rows, its width with the longest text.
    title : str, optional
        Title above the plot.
    higher_is_better : bool
        Whether values above the null favour the intervention (abstinence: ``True``;
        relapse: ``False``). Sets the "Favours ..." labels under the axis.
    intervention, comparator : str
        The two arms in the comparison's own words, used in the column headers and the
        "Favours ..." labels (a dose comparison: ``"3 sessions"``, ``"1 session"``, never
        the comparator type's name). Long words wrap.
    show_design : bool, optional
        Add a design column; by default shown when ``rows`` has more than one design.
    subtitle : str, optional
        A line under the title, e.g. what the result rests on
        (:attr:`evsum.present.basis.ResultBasis.subtitle`: design, comparison, certainty);
        each line wraps when long.
    favours : (str, str), optional
        The two "favours" labels in full, the intervention's side first, when "Favours
        <arm>" does not fit (an exposure: ``("Favours spouse who smokes", "Favours
        non-smoking spouse")``; the protocol's ``favours_intervention`` and
        ``favours_comparator``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure. Artists carry ``gid`` values for tests and styling:
        ``study_markers`` (one square per study, area proportional to weight),
        ``study_ci``, ``pooled_diamond``, ``subgroup_diamond``, ``prediction_interval``.

    Raises
    ------
    ValueError
        If ``rows`` does not match ``result`` or ``subgroups`` does not partition it.

    Notes
    -----
    Nothing is estimated here: study intervals, weights, the pooled estimate, τ², I², Q and
    the prediction interval are read from ``result``. A single study is drawn without a
    diamond and with the note "Single study: no pooling".
    """
    log = _is_ratio(result) if exp is None else bool(exp)
    scale = np.exp if log else (lambda v: v)
    null = 0.0
    with figure_style():
        if show_design is None:
            show_design = (
                rows is not None and "design" in rows.columns and rows["design"].nunique() > 1
            )
        has_arms = rows is not None and any(
            c in rows.columns for c in ("events_intervention", "mean_intervention")
        )
        columns = (
            ["study"] + (["design"] if show_design else []) + (["trt", "ctl"] if has_arms else [])
        )
        lines = _build_lines(rows, result, subgroups, scale, columns)
        measure = str(_field(result, "measure", "") or "Effect")
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
        lines.insert(0, _Line("header", header, bold=True, slots=slots))
        right_columns = ["effect", "weight"]
        return _draw(
            lines,
            columns,
            right_columns,
            ax=ax,
            log=log,
            null=null,
            title=title,
            higher_is_better=higher_is_better,
            intervention=intervention,
            comparator=comparator,
            measure=measure,
            subtitle=subtitle,
            favours=favours,
        )


def _arm_title(arm: str, sub: str) -> str:
    """A column header for one arm: its words (first letter capitalised, wrapped), then
    what the column holds (``events/n``)."""
    wrapped = textwrap.fill(arm[:1].upper() + arm[1:], _ARM_WIDTH, break_on_hyphens=False)
    return wrapped + (f"\n{sub}" if sub else "")


def _draw(
    lines: list[_Line],
    left: list[str],
    right: list[str],
    *,
    ax: Axes | None,
    log: bool,
    null: float,
    title: str | None,
    higher_is_better: bool,
    intervention: str,
    comparator: str,
    measure: str,
    subtitle: str | None = None,
    favours: tuple[str, str] | None = None,
) -> Figure:
    probe = Figure()
    renderer = FigureCanvasAgg(probe).get_renderer()
    widths = {
        c: max(text_width(renderer, ln.cells.get(c, ""), ln.bold) for ln in lines)
        for c in left + right
    }
    span_width = max([text_width(renderer, ln.span, ln.bold) for ln in lines] + [0.0])
    left_width = sum(widths[c] for c in left) + _GAP * len(left)
    right_width = sum(widths[c] for c in right) + _GAP * len(right)
    plot_width = max(_PLOT_WIDTH, span_width - left_width - right_width + 0.2)
    slots = sum(ln.slots for ln in lines)
    good, bad = favours or (words.favours(intervention), words.favours(comparator))
    right_label, left_label = (good, bad) if higher_is_better else (bad, good)
    favours_lines = [
        textwrap.fill(t, _FAVOURS_WIDTH, break_on_hyphens=False) for t in (left_label, right_label)
    ]
    extra = max(t.count("\n") for t in favours_lines) * _LINE
    fig_w = 2 * _MARGIN + left_width + plot_width + right_width
    sub_lines = [
        line
        for part in (subtitle or "").splitlines()
        for line in textwrap.wrap(part, max(40, int((fig_w - 2 * _MARGIN) * 15)))
    ]
    top = (0.45 if title else 0.15) + len(sub_lines) * _LINE
    if ax is None:
        fig_h = slots * ROW_HEIGHT + _BOTTOM + extra + top
        fig = ReportFigure(figsize=(fig_w, fig_h))
        FigureCanvasAgg(fig)
        ax = fig.add_axes(
            (
                (_MARGIN + left_width) / fig_w,
                (_BOTTOM + extra) / fig_h,
                plot_width / fig_w,
                slots * ROW_HEIGHT / fig_h,
            )
        )
    fig = ax.figure  # type: ignore[assignment]  # a SubFigure draws as its Figure does

    # x offsets (inches) of each column's anchor, relative to the panel's left or right edge
    anchors: dict[str, tuple[float, float, str]] = {}
    x = -left_width
    for c in left:
        align = "left" if c == "study" else "right"
        anchors[c] = (0.0, x if align == "left" else x + widths[c], align)
        x += widths[c] + _GAP
    x = _GAP
    for c in right:
        anchors[c] = (1.0, x + widths[c], "right")
        x += widths[c] + _GAP

    def put(col_x: float, dx: float, y: float, text: str, align: str, line: _Line) -> None:
        trans = blended_transform_factory(ax.transAxes, ax.transData) + ScaledTranslation(
            dx, 0, fig.dpi_scale_trans
        )
        ax.text(
            col_x,
            y,
            text,
            transform=trans,
            ha=align,
            va="center",
            clip_on=False,
            fontsize=FONT_SIZE,
            fontweight="bold" if line.bold else "normal",
            color=COLOURS["muted"] if line.muted else "black",
            parse_math=False,
        )

    tx = np.exp if log else (lambda v: v)
    study_y, study_x, study_lo, study_hi, study_w = [], [], [], [], []
    y_cursor = 0.0
    graphic_ys = []
    for line in lines:
        y = -(y_cursor + (line.slots - 1) / 2)
        y_cursor += line.slots
        for c, text in line.cells.items():
            if text and c in anchors:
                base, dx, align = anchors[c]
                put(base, dx, y, text, align, line)
        if line.span:
            put(0.0, -left_width, y, line.span, "left", line)
        if line.kind == "study":
            study_y.append(y)
            study_x.append(line.x)
            study_lo.append(line.lo)
            study_hi.append(line.hi)
            study_w.append(line.weight)
            graphic_ys.append(y)
        elif line.kind in ("pooled", "subtotal"):
            pooled = line.kind == "pooled"
            diamond = Polygon(
                [
                    (tx(line.lo), y),
                    (tx(line.x), y + 0.32),
                    (tx(line.hi), y),
                    (tx(line.x), y - 0.32),
                ],
                closed=True,
                facecolor=COLOURS["pooled" if pooled else "subgroup"],
                edgecolor=COLOURS["pooled"],
                linewidth=0.8,
                gid="pooled_diamond" if pooled else "subgroup_diamond",
            )
            ax.add_patch(diamond)
            graphic_ys.append(y)
        elif line.kind == "pi":
            ax.hlines(
                [y],
                [tx(line.lo)],
                [tx(line.hi)],
                colors=COLOURS["prediction"],
                linewidth=3,
                gid="prediction_interval",
            )
            graphic_ys.append(y)

    if log:
        ax.set_xscale("log")
    lo_lim, hi_lim = _limits(lines, null, log)
    # study CIs, clipped at the axis limits with an arrow where they run off it
    lo_arr, hi_arr = np.asarray(study_lo, float), np.asarray(study_hi, float)
    ax.hlines(
        study_y,
        tx(np.clip(lo_arr, lo_lim, hi_lim)),
        tx(np.clip(hi_arr, lo_lim, hi_lim)),
        colors=COLOURS["study"],
        linewidth=1.0,
        gid="study_ci",
    )
    for mask, edge, marker in ((lo_arr < lo_lim, lo_lim, "<"), (hi_arr > hi_lim, hi_lim, ">")):
        if mask.any():
            ax.plot(
                np.full(int(mask.sum()), tx(edge)),
                np.asarray(study_y)[mask],
                linestyle="none",
                marker=marker,
                markersize=4,
                color=COLOURS["study"],
                gid="ci_arrows",
                clip_on=False,
            )
    w = np.asarray(study_w, float)
    w_max = np.nanmax(w) if w.size and np.isfinite(w).any() else 1.0
    side_max = ROW_HEIGHT * 72 * 0.7
    sizes = np.where(np.isfinite(w), np.maximum(side_max**2 * w / w_max, 9.0), 16.0)
    ax.scatter(
        tx(np.asarray(study_x, float)),
        study_y,
        s=sizes,
        marker="s",
        color=COLOURS["study"],
        zorder=3,
        gid="study_markers",
        clip_on=False,
    )

    if graphic_ys:
        ax.vlines(
            [tx(null)],
            min(graphic_ys) - 0.5,
            max(graphic_ys) + 0.5,
            colors=COLOURS["reference"],
            linewidth=0.8,
            gid="null_line",
            zorder=0,
        )
    ax.set_ylim(-(slots - 0.5), 0.5)
    ax.set_xlim(tx(lo_lim), tx(hi_lim))
    ax.yaxis.set_major_locator(NullLocator())
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if log:
        ax.xaxis.set_major_locator(FixedLocator(_log_ticks(tx(lo_lim), tx(hi_lim))))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_locator(NullLocator())
    ax.patch.set_visible(False)
    null = tx(null)

    below = blended_transform_factory(ax.transData, ax.transAxes)
    for text, align, sign in ((favours_lines[0], "right", -1), (favours_lines[1], "left", 1)):
        trans = below + ScaledTranslation(sign * 0.06, -0.34, fig.dpi_scale_trans)
        ax.text(
            null,
            0.0,
            text,
            transform=trans,
            ha=align,
            va="top",
            fontsize=FONT_SIZE,
            color=COLOURS["muted"],
            clip_on=False,
            parse_math=False,
            gid="favours",
            multialignment=align,
        )
    axis_label = f"{measure} (log scale)" if log else measure
    ax.set_xlabel(axis_label, labelpad=22 + extra * 72)
    rise = 0.12
    if sub_lines:
        trans = ax.transAxes + ScaledTranslation(-left_width, rise, fig.dpi_scale_trans)
        ax.text(
            0.0,
            1.0,
            "\n".join(sub_lines),
            transform=trans,
            ha="left",
            va="bottom",
            fontsize=FONT_SIZE,
            color=COLOURS["muted"],
            clip_on=False,
            parse_math=False,
            gid="subtitle",
        )
        rise += len(sub_lines) * _LINE
    if title:
        trans = ax.transAxes + ScaledTranslation(-left_width, rise, fig.dpi_scale_trans)
        ax.text(
            0.0,
            1.0,
            title,
            transform=trans,
            ha="left",
            va="bottom",
            fontsize=FONT_SIZE + 1,
            fontweight="bold",
            clip_on=False,
            parse_math=False,
            gid="title",
        )
    return fig
