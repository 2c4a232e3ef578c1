"""The declared analyses of a condition report: the plan's subgroup test, meta-regression
and sensitivity analyses of each analysis the protocol declares (``[analyses.KEY]``).

The forest plot of each declared analysis is in the report's forest-plot section with the
automatic ones; this block adds what the plan asks beyond it. Numbers are words from
:mod:`evsum.present.text`; the markup is ``templates/plan.html.j2``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evsum.ingest.plan import STUDY_SUBGROUPS
from evsum.present import text
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.vocab import MEASURE_LABELS

#: How each test's statistic is named in a table of tests for subgroup differences.
_TAU2_MODELS = {
    "separate": "Separate τ² per subgroup (RevMan)",
    "common": "Common τ², mixed-effects model (metafor mods = ~ factor(g))",
}


def _pooled_cells(label: str, result: Any) -> list[str]:
    if result is None:
        return [label, "0", "no study left to pool", "", ""]
    tau2 = "" if result.method in ("FE", "MH", "PETO") else text.number(result.tau2, 4)
    return [
        label,
        text.count(result.k),
        text.pooled_effect(result),
        tau2,
        text.percentage(result.i2),
    ]


def sensitivity_table(analysis: Any) -> list[list[str]]:
    """The main result beside each sensitivity result: analysis, k, effect (CI), τ², I²."""
    rows = [_pooled_cells("Main analysis", analysis.result)]
    for s in analysis.sensitivity_results:
        rows.append(_pooled_cells(f"Sensitivity: {s.label}", s.analysis.result))
    return rows


def _differences(subgroups: Any) -> list[list[str]]:
    rows = []
    for d in subgroups.differences:
        if d.distribution == "F":
            stat, df = f"F = {text.number(d.statistic)}", f"{int(d.df)}, {int(d.df2)}"
        else:
            stat, df = f"Q = {text.number(d.statistic)}", str(int(d.df))
        rows.append([_TAU2_MODELS.get(d.tau2_model, d.tau2_model), stat, df, text.p_value(d.pval)])
    return rows


def _coefficients(fit: Any) -> list[list[str]]:
    return [
        [
            name,
            text.number(est, 4),
            text.number(se, 4),
            text.number(z),
            text.p_value(p),
            text.interval(lo, hi, 4),
        ]
        for name, est, se, z, p, lo, hi in zip(
            fit.names,
            fit.estimate,
            fit.se,
            fit.zval,
            fit.pval,
            fit.ci_low,
            fit.ci_high,
            strict=True,
        )
    ]


def _regression_summary(fit: Any) -> str:
    if np.isfinite(fit.qm_df2):
        omnibus = f"F({int(fit.qm_df)}, {int(fit.qm_df2)}) = {text.number(fit.qm)}"
    else:
        omnibus = f"QM = {text.number(fit.qm)}, df = {int(fit.qm_df)}"
    parts = [f"Test of moderators: {omnibus} ({text.p_value(fit.qm_pval)})"]
    if fit.method != "FE":
        parts.append(f"residual τ² = {text.number(fit.tau2, 4)}")
        parts.append(f"residual I² = {text.percentage(fit.i2)}")
    if np.isfinite(fit.r2):
        parts.append(f"R² = {text.percentage(fit.r2)}")
    parts.append(
        f"residual heterogeneity QE = {text.number(fit.q)}, df = {int(fit.q_df)} "
        f"({text.p_value(fit.q_pval)})"
    )
    return "; ".join(parts) + "."


def _subgroup_figure(analysis: Any, name: str) -> HtmlBlock:
    from evsum.present.figures.forest import forest_plot

    used = analysis.rows[analysis.rows["excluded_reason"] == ""]
    protocol = analysis.protocol
    fig = forest_plot(
        used,
        analysis.subgroup_result.overall,
        subgroups=analysis.subgroup_result,
        higher_is_better=analysis.higher_is_better,
        intervention=analysis.intervention,
        comparator=analysis.comparison or analysis.comparator_type,
    )
    outcome = protocol.outcome_label(analysis.outcome) if protocol else analysis.outcome
    alt = (
        f"Forest plot of {outcome} by {name}: {text.plural(analysis.result.k, 'study', 'studies')}"
        f" in {len(analysis.subgroup_result.groups)} subgroups, each with its subtotal, and "
        "the tests for subgroup differences."
    )
    return figure_html(fig, alt)


def _sensitivity_figure(analysis: Any, label: str) -> HtmlBlock:
    """The forest plot of one sensitivity analysis: its pooled rows, the others listed under
    it as not pooled, with the reason."""
    from evsum.present.figures.forest import forest_plot

    fig = forest_plot(
        analysis.rows,
        analysis.result,
        higher_is_better=analysis.higher_is_better,
        intervention=analysis.intervention,
        comparator=analysis.comparison or analysis.comparator_type,
    )
    alt = (
        f"Forest plot of the sensitivity analysis ({label}): "
        f"{text.plural(analysis.result.k, 'study', 'studies')} pooled, "
        f"{text.pooled_effect(analysis.result)}."
    )
    return figure_html(fig, alt)


def _bubble_figure(analysis: Any, label: str, unit: str) -> HtmlBlock | None:
    from evsum.present.figures.bubble import bubble_plot

    fit = analysis.regression_result
    if len(fit.terms) != 1 or fit.terms[0].kind != "numeric":
        return None
    moderator = fit.terms[0].name
    axis = f"{label} ({unit})" if unit else label
    fig = bubble_plot(fit, moderator, xlabel=axis)
    alt = (
        f"Bubble plot: each study's {fit.measure or 'effect'} against {label.lower()}, "
        "circles sized by weight, with the fitted meta-regression line and its 95% "
        "confidence band."
    )
    return figure_html(fig, alt)


def plan_html(analyses: tuple, heading: str = "Declared analysis") -> HtmlBlock | None:
    """The declared analyses of ``analyses``: for each, the test for subgroup differences
    (both models of τ²) with its subgroup forest plot, the meta-regression with its
    coefficients and bubble plot, and the sensitivity analyses beside the main result.

    Returns
    -------
    HtmlBlock or None
        None when the protocol declares no analysis (the report shows nothing).
    """
    declared = [a for a in analyses if getattr(a, "plan_key", "") and a.result is not None]
    if not declared:
        return None
    blocks = []
    for a in declared:
        protocol = a.protocol
        covariates = protocol.plan.covariates if protocol is not None else {}
        block: dict[str, Any] = {
            "anchor": a.anchor + "-plan",
            "title": a.title,
            "main": a.main,
            "measure": MEASURE_LABELS.get(a.measure, a.measure),
            "result": text.pooled_effect(a.result),
            "subgroup": None,
            "regression": None,
            "sensitivity": None,
            "sensitivity_figures": [],
        }
        if a.subgroup_result is not None:
            name = (
                covariates[a.subgroup].label
                if a.subgroup in covariates
                else STUDY_SUBGROUPS.get(a.subgroup, a.subgroup)
            ).lower()
            block["subgroup"] = {
                "name": name,
                "figure": _subgroup_figure(a, name),
                "tests": _differences(a.subgroup_result),
            }
        if a.regression_result is not None:
            fit = a.regression_result
            specs = [covariates.get(m) for m in a.moderators]
            labels = [s.label if s else m for s, m in zip(specs, a.moderators, strict=True)]
            unit = specs[0].unit if len(specs) == 1 and specs[0] is not None else ""
            block["regression"] = {
                "moderators": ", ".join(labels),
                "scale": "log scale" if fit.is_ratio else "effect's own scale",
                "statistic": "z" if fit.test == "z" else f"t({text.number(fit.df, 0)})",
                "rows": _coefficients(fit),
                "summary": _regression_summary(fit),
                "figure": _bubble_figure(a, labels[0], unit),
                "k": fit.k,
            }
        if a.sensitivity_results:
            block["sensitivity"] = sensitivity_table(a)
            block["sensitivity_figures"] = [
                (s.label, _sensitivity_figure(s.analysis, s.label))
                for s in a.sensitivity_results
                if s.analysis.result is not None
            ]
        blocks.append(block)
    return render("plan.html.j2", blocks=blocks, heading=heading)


def summary_analyses(analyses: Any) -> list:
    """The analyses a summary of findings rows come from: for an outcome with a declared
    main analysis, that one alone; declared analyses that are not main never (they are the
    plan's further analyses); the automatic ones otherwise."""
    mains = {(a.outcome, a.comparator_type) for a in analyses if getattr(a, "main", False)}
    return [
        a
        for a in analyses
        if (a.main if (a.outcome, a.comparator_type) in mains else not a.plan_key)
    ]


def plan_statement(protocol: Any) -> dict[str, Any] | None:
    """What the methods page says of the plan, item by item of PRISMA 2020 13a to 13f: which
    studies each synthesis holds, how data were prepared (the zero-cell correction, how a
    reported confidence interval became a standard error), how results are shown, the
    synthesis methods, the exploration of heterogeneity and the sensitivity analyses.

    Returns
    -------
    dict or None
        Sentences per item (``13a`` ... ``13f``); None when the protocol declares no plan.
    """
    from evsum.ingest.plan import pooling_method
    from evsum.vocab import METHOD_LABELS

    plan = getattr(protocol, "plan", None)
    if plan is None or not plan.declared:
        return None
    s, z = plan.synthesis, plan.synthesis.zero_cells
    method = pooling_method(s.model, s.method)
    designs = (
        "randomised and non-randomised studies pooled together"
        if s.designs == "together"
        else "randomised and non-randomised studies analysed apart"
    )
    items: dict[str, list[str]] = {k: [] for k in ("13a", "13b", "13c", "13d", "13e", "13f")}
    multi_arm = {
        "first": "a trial with several arms against one comparator enters with its first "
        "comparison, the others shown unpooled",
        "combine": "the intervention arms of a trial with several arms against one comparator "
        "are combined into one (Cochrane Handbook 6.5.2.10: events and participants summed, "
        "means and SDs pooled)",
        "split": "the shared comparator arm of a trial with several arms is split among its "
        "comparisons (participants and events divided evenly)",
    }.get(s.multi_arm, s.multi_arm)
    items["13a"].append(
        "Each outcome is analysed per comparator type and time point, one comparison per "
        f"study, with {designs} (protocol [synthesis] designs); {multi_arm} "
        "(protocol [synthesis] multi_arm)."
    )
    items["13b"].append(
        f"Zero cells: {text.number(z.correction, 1)} added to every cell of a 2×2 table "
        + {
            "only0": "with a zero cell",
            "all": "of every study when any table has a zero cell",
            "if0all": "of every study when any table has a zero cell",
            "none": "never",
        }.get(z.to, z.to)
        + "; a table without events (or with only events) in both arms is "
        + ("left out as not estimable." if z.drop_double_zero else "kept, not estimable.")
    )
    items["13b"].append(
        "A reported ratio or difference with its 95% confidence interval enters as its effect "
        "(log scale for ratios) with standard error (upper limit − lower limit) / (2 × 1.96), "
        "the limits on the same scale."
    )
    items["13c"].append(
        "Forest plots with each study's data per arm, its weight, the total (95% CI) with "
        "participants and events per arm, the heterogeneity and the test for overall effect; "
        "subgroup forest plots with subtotals; a bubble plot for each meta-regression on a "
        "numeric covariate."
    )
    items["13d"].append(
        f"Model: {METHOD_LABELS.get(method, method)}; test of the pooled effect {s.test}, "
        f"prediction interval {s.prediction}. Mantel-Haenszel and Peto pool 2×2 tables with "
        "a common effect (metafor rma.mh, rma.peto)."
    )
    _declared_items(items, plan, protocol)
    if not items["13e"]:
        items["13e"].append("No subgroup analysis or meta-regression is declared.")
    if not items["13f"]:
        items["13f"].append("No sensitivity analysis is declared besides leave-one-out.")
    return items


def _declared_items(items: dict[str, list[str]], plan: Any, protocol: Any) -> None:
    """The sentences of each declared analysis, added to the PRISMA items they belong to."""
    from evsum.ingest.plan import SENSITIVITY, pooling_method
    from evsum.vocab import METHOD_LABELS

    for a in plan.analyses.values():
        measure = MEASURE_LABELS.get(a.measure, a.measure) if a.measure else "as reported"
        m = pooling_method(a.model, a.method)
        items["13a"].append(
            f"Declared analysis {a.label or a.key}{' (main)' if a.main else ''}: outcome "
            f"{protocol.outcome_label(a.outcome)}"
            + (f", {a.comparator_type}" if a.comparator_type else "")
            + (f", {a.timepoint}" if a.timepoint else "")
            + f"; {'designs together' if a.designs == 'together' else 'designs apart'}."
        )
        items["13d"].append(
            f"{a.label or a.key}: {measure}; {METHOD_LABELS.get(m, m)}, test {a.test}."
        )
        if a.subgroup:
            name = (
                plan.covariates[a.subgroup].label
                if a.subgroup in plan.covariates
                else STUDY_SUBGROUPS.get(a.subgroup, a.subgroup)
            )
            items["13e"].append(
                f"{a.label or a.key}: subgroups by {name.lower()}, tested with a separate τ² per "
                "subgroup (RevMan) and with a common τ² (mixed-effects model)."
            )
        if a.moderators:
            names = [plan.covariates[m].label if m in plan.covariates else m for m in a.moderators]
            items["13e"].append(
                f"{a.label or a.key}: meta-regression on {', '.join(names).lower()} "
                "(mixed-effects model, same τ² estimator; at least 10 studies per moderator)."
            )
        if a.sensitivity:
            items["13f"].append(
                f"{a.label or a.key}: " + "; ".join(SENSITIVITY[n] for n in a.sensitivity) + "."
            )
