"""Sensitivity material for people: influence diagnostics, the cumulative analysis and, from
10 studies, the rank correlation test and trim-and-fill (all computed by the review)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from evsum.present import text
from evsum.present.html import figure_html


def _scale(result: Any) -> Callable[[Any], Any]:
    return np.exp if result.is_ratio else (lambda x: x)


def _possessive(name: str) -> str:
    """``Harbord's``, ``Peters'``."""
    return name + ("'" if name.endswith("s") else "'s")


def sensitivity_tables(analysis: Any) -> dict[str, Any] | None:
    """The rows and sentences of one analysis's sensitivity material, or None if it has none.

    ``analysis`` is an :class:`~evsum.review.analysis.OutcomeAnalysis`; its
    ``sensitivity`` holds the results, this function only formats them.
    """
    sens = analysis.sensitivity
    result = analysis.result
    if sens.influence is None or result is None:
        return None
    measure = result.measure or "effect"
    f = _scale(result)
    inf = sens.influence
    influence = [
        [
            label,
            text.number(r, 2),
            text.number(d, 2),
            text.number(c, 2),
            text.number(cr, 2),
            text.number(h, 2),
            text.percentage(w),
            "yes" if flag else "",
        ]
        for label, r, d, c, cr, h, w, flag in zip(
            inf.labels,
            inf.rstudent,
            inf.dffits,
            inf.cook_d,
            inf.cov_r,
            inf.hat,
            inf.weight,
            inf.influential,
            strict=True,
        )
    ]
    cum = sens.cumulative
    cumulative = [
        [
            label,
            text.count(k),
            text.number(float(f(e))),
            text.interval(float(f(lo)), float(f(hi))),
            text.p_value(p),
            text.number(t2, 4),
            text.percentage(i2),
        ]
        for label, k, e, lo, hi, p, t2, i2 in zip(
            cum.labels,
            cum.k,
            cum.estimate,
            cum.ci_low,
            cum.ci_high,
            cum.pval,
            cum.tau2,
            cum.i2,
            strict=True,
        )
    ]
    small = []
    if sens.rank_test is not None:
        small.append(
            f"Begg's rank correlation test: Kendall's τ = {text.number(sens.rank_test.tau)}, "
            f"{text.p_value(sens.rank_test.pval)}."
        )
    for test in (sens.harbord, sens.peters):
        if test is not None:
            small.append(
                f"{_possessive(test.test)} test for small-study effects: "
                f"t({test.df}) = {text.number(test.tval)}, {text.p_value(test.pval)}."
            )
    if sens.trim_and_fill is not None:
        tf = sens.trim_and_fill
        filled = tf.filled
        small.append(
            f"Trim-and-fill ({tf.estimator}) estimates "
            f"{text.plural(tf.k0, 'study', 'studies')} missing on the {tf.side}; with them "
            f"the pooled {measure} would be {text.number(float(f(filled.estimate)))} "
            f"(95% CI {text.interval(float(f(filled.ci_low)), float(f(filled.ci_high)))}). "
            "A sensitivity analysis only: the filled studies are imputed, not data."
        )
    return {
        "title": analysis.title,
        "influence_headers": [
            "Study",
            "Studentised residual",
            "DFFITS",
            "Cook's distance",
            "Covariance ratio",
            "Hat",
            "Weight",
            "Influential",
        ],
        "influence": influence,
        "cumulative_headers": [
            "Study added",
            "k",
            f"Pooled {measure}",
            "95% CI",
            "p",
            "τ²" + (" (log scale)" if result.is_ratio else ""),
            "I²",
        ],
        "cumulative": cumulative,
        "small_study": small,
        "baujat_figure": _baujat_figure(analysis),
        "cumulative_figure": _cumulative_figure(analysis),
    }


def _baujat_figure(analysis: Any) -> Any:
    """The Baujat plot of the analysis with its text alternative (None without one)."""
    from evsum.present.figures.baujat import baujat_plot

    b = analysis.sensitivity.baujat
    if b is None:
        return None
    most_q = int(np.argmax(b.heterogeneity))
    most_mu = int(np.argmax(b.influence))
    alt = (
        f"Baujat plot of {text.plural(len(b.labels), 'study', 'studies')} "
        f"({analysis.title}): each study's contribution to the heterogeneity statistic Q "
        "(horizontal) against its influence on the pooled estimate (vertical). "
        f"Largest contribution to Q: {b.labels[most_q]} "
        f"({text.number(b.heterogeneity[most_q])}); largest influence: {b.labels[most_mu]} "
        f"({text.number(b.influence[most_mu])})."
    )
    return figure_html(baujat_plot(b), alt)


def _cumulative_figure(analysis: Any) -> Any:
    """The cumulative forest plot of the analysis with its text alternative."""
    from evsum.present.figures.cumulative import cumulative_plot

    cum = analysis.sensitivity.cumulative
    if cum is None:
        return None
    f = _scale(analysis.result)
    measure = analysis.result.measure or "effect"
    alt = (
        f"Cumulative forest plot ({analysis.title}): the pooled {measure} with its 95% CI "
        f"after each of {text.plural(len(cum.labels), 'study', 'studies')} is added, from "
        f"{cum.labels[0]} ({text.number(float(f(cum.estimate[0])))}) to {cum.labels[-1]} "
        f"({text.number(float(f(cum.estimate[-1])))}, "
        f"95% CI {text.interval(float(f(cum.ci_low[-1])), float(f(cum.ci_high[-1])))})."
    )
    return figure_html(cumulative_plot(cum), alt)
