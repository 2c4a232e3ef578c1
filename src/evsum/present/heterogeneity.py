"""The condition report's heterogeneity block: heterogeneity per analysis, leave-one-out
tables, contour-enhanced funnel plots with Egger's test, sensitivity analyses."""

from __future__ import annotations

from typing import Any

import numpy as np

from evsum import vocab
from evsum.present import text
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.present.sensitivity import sensitivity_tables
from evsum.review.analysis import OutcomeAnalysis


def _leave_one_out_table(analysis: OutcomeAnalysis) -> dict:
    """Leave-one-out rows for people: the study left out, the pooled effect without it on
    the reader's scale (ratios back-transformed), its CI and p, and the heterogeneity left."""
    result = analysis.pooled
    measure = result.measure or "effect"
    f = np.exp if result.is_ratio else (lambda x: x)
    if analysis.leave_one_out is None:
        raise ValueError(f"{analysis.title}: no leave-one-out table")
    rows = []
    for r in analysis.leave_one_out.itertuples(index=False):
        if not r.converged:
            rows.append([r.label, "did not converge", "", "", "", ""])
            continue
        rows.append(
            [
                r.label,
                text.number(float(f(r.estimate))),
                text.interval(float(f(r.ci_low)), float(f(r.ci_high))),
                text.p_value(r.pval),
                text.number(r.tau2, 4),
                text.percentage(r.i2),
            ]
        )
    headers = [
        "Study left out",
        f"Pooled {measure} without it",
        "95% CI",
        "p",
        "τ²" + (" (log scale)" if result.is_ratio else ""),
        "I²",
    ]
    scale = f"{measure} back-transformed from the log scale." if result.is_ratio else ""
    return {
        "title": analysis.title,
        "headers": headers,
        "rows": rows,
        "scale": scale,
        "method": vocab.METHOD_LABELS.get(result.method, result.method),
        "k": result.k,
    }


#: Confidence levels (percent) of the contour-enhanced funnel plots of the reports (Peters
#: et al. 2008; Cochrane Handbook 13.3.5.3).
FUNNEL_CONTOURS: tuple[float, ...] = (90, 95, 99)


def funnel_figure(analysis: OutcomeAnalysis) -> Any:
    """The report's funnel plot of an analysis: contour-enhanced at :data:`FUNNEL_CONTOURS`,
    with the analysis's Egger test."""
    from evsum.present.figures.funnel import funnel_plot

    return funnel_plot(analysis.result, egger=analysis.egger, contours=FUNNEL_CONTOURS)


def funnel_alt(analysis: OutcomeAnalysis) -> str:
    """The text alternative of a contour-enhanced funnel plot, from its data."""
    result = analysis.pooled
    scale = f"log {result.measure}" if result.is_ratio else (result.measure or "effect")
    null = "1" if result.is_ratio else "0"
    levels = [text.number(c, 0) for c in FUNNEL_CONTOURS]
    p_values = [text.number(1 - c / 100, 2) for c in FUNNEL_CONTOURS]
    alt = (
        f"Contour-enhanced funnel plot of {text.plural(result.k, 'study', 'studies')} "
        f"({analysis.title}): each study's {scale} against its standard error, around the "
        f"pooled estimate. Shaded bands centred on the null effect ({null}) at the "
        f"{', '.join(levels[:-1])} and {levels[-1]}% levels mark where a study's own two-sided "
        f"p-value is below {', '.join(p_values[:-1])} and {p_values[-1]}; the white area "
        "holds studies that are not statistically significant."
    )
    if analysis.egger is not None:
        alt += f" Egger's test for funnel asymmetry: {text.p_value(analysis.egger.pval)}."
    return alt


def heterogeneity_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """Heterogeneity of every pooled analysis, and leave-one-out results where k ≥ 3; funnel
    plots (contour-enhanced) with Egger's test (computed by the review) for analyses of 10 or
    more studies."""
    rows, loo = [], []
    for analysis in analyses:
        result = analysis.result
        if result is None or result.k < 2:
            continue
        rows.append(
            [
                analysis.title,
                str(result.k),
                text.number(result.tau2, 4),
                text.percentage(result.i2),
                f"{text.number(result.q)} (df {result.q_df})",
                text.p_value(result.q_pval),
            ]
        )
        if analysis.leave_one_out is not None:
            loo.append(_leave_one_out_table(analysis))
    funnels = [
        (a.title, figure_html(funnel_figure(a), funnel_alt(a)))
        for a in analyses
        if a.result is not None and a.result.k >= 10
    ]
    sensitivity = [t for a in analyses if a.result is not None if (t := sensitivity_tables(a))]
    levels = [text.number(c, 0) for c in FUNNEL_CONTOURS]
    return render(
        "heterogeneity.html.j2",
        rows=rows,
        loo=loo,
        funnels=funnels,
        sensitivity=sensitivity,
        funnel_levels=f"{', '.join(levels[:-1])} and {levels[-1]}%",
    )
