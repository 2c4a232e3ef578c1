"""The "few studies" panel shown beside the main result of an analysis of 1 to 4 studies.

It words the review's few-studies results (:mod:`evsum.review.few_studies`): the REML fit
with the Q-profile interval for τ², Hartung-Knapp (ad hoc), the t(k - 2) prediction interval,
the Bayesian fit with its stated prior for τ, and a single binary trial's fragility index;
then, in plain words, what so few studies can and cannot show. Ratio measures are shown
back-transformed (``exp``); every number goes through :mod:`evsum.present.text`.
"""

from __future__ import annotations

import math

from evsum.present import text
from evsum.present.html import HtmlBlock, render
from evsum.review.analysis import OutcomeAnalysis
from evsum.review.few_studies import DEFAULT_TAU_PRIOR, FewStudies
from evsum.vocab import RATIO_MEASURES

__all__ = ["few_studies_html", "few_studies_rows", "few_studies_words"]


def _shown(measure: str | None, value: float) -> float:
    """A value of the analysis scale on the display scale (``exp`` for ratio measures)."""
    return math.exp(value) if measure in RATIO_MEASURES else value


def _effect(
    measure: str | None, estimate: float, low: float, high: float, alpha: float = 0.05
) -> str:
    return text.estimate_ci(
        measure,
        _shown(measure, estimate),
        _shown(measure, low),
        _shown(measure, high),
        level=round(100 * (1 - alpha)),
    )


def _range(measure: str | None, low: float, high: float) -> str:
    return text.interval(_shown(measure, low), _shown(measure, high))


def _includes_null(low: float, high: float) -> bool:
    """True if an interval on the analysis scale (log scale for ratios) includes no effect."""
    return low <= 0 <= high


def _prior_words(bundle: FewStudies) -> str:
    """The prior for τ in words, and how informative it is."""
    bayes = bundle.bayes
    words = f"prior for τ {bayes.tau_prior}, uniform prior for the effect"
    if bundle.measure == "MD":
        words += (
            "; the prior's scale is in the outcome's own units, so it may be more or less "
            "informative than for a ratio measure"
        )
    return words


def _default_prior(bundle: FewStudies) -> bool:
    scale = DEFAULT_TAU_PRIOR[1]
    return bundle.bayes.tau_prior == f"half-normal(scale {scale:g})"


def few_studies_rows(analysis: OutcomeAnalysis) -> list[tuple[str, str]]:
    """The panel's table: ``(what, result)`` pairs in words, on the display scale.

    Parameters
    ----------
    analysis : OutcomeAnalysis
        An analysis with ``few_studies`` (1 to 4 studies).

    Returns
    -------
    list of (str, str)
        REML with the τ² and I² intervals, Hartung-Knapp (ad hoc), the t(k - 2) prediction
        interval (each from the number of studies it needs), the Bayesian result and the
        fragility index of a single binary trial.
    """
    bundle = analysis.few_studies
    if bundle is None:
        return []
    m = bundle.measure
    rows: list[tuple[str, str]] = []
    own = analysis.result
    if bundle.k == 1 and own is not None:
        rows.append(
            (
                "The study's own result",
                _effect(m, own.estimate, own.ci_low, own.ci_high, own.alpha),
            )
        )
    if bundle.reml is not None and bundle.tau2_ci is not None:
        r, ci = bundle.reml, bundle.tau2_ci
        level = round(100 * (1 - ci.alpha))
        rows.append(
            (
                "Random effects (REML), τ² with its Q-profile interval",
                f"{_effect(m, r.estimate, r.ci_low, r.ci_high, r.alpha)}; "
                f"τ² {text.number(ci.tau2, 4)} ({level}% CI "
                f"{text.interval(ci.tau2_low, ci.tau2_high, 4)}), I² "
                f"{text.percentage(ci.i2)} ({text.percentage(ci.i2_low)} to "
                f"{text.percentage(ci.i2_high)})",
            )
        )
    if bundle.hartung_knapp is not None:
        hk = bundle.hartung_knapp
        rows.append(
            (
                f"Hartung-Knapp, ad hoc correction (t on {hk.k - 1} df)",
                f"{_effect(m, hk.estimate, hk.ci_low, hk.ci_high, hk.alpha)}, "
                f"{text.p_value(hk.pval)}",
            )
        )
    if bundle.has_prediction_interval:
        r = bundle.reml
        rows.append(
            (
                f"{round(100 * (1 - r.alpha))}% prediction interval (t on {r.k - 2} df)",
                _range(m, r.pi_low, r.pi_high),
            )
        )
    b = bundle.bayes
    if b is not None:
        level = round(100 * (1 - b.alpha))
        rows.append(
            (
                f"Bayesian random effects ({_prior_words(bundle)})",
                f"{m + ': ' if m else ''}posterior median "
                f"{text.number(_shown(m, b.mu_median))}, {level}% credible interval "
                f"{_range(m, b.mu_low, b.mu_high)}; τ median {text.number(b.tau_median)} "
                f"({text.interval(b.tau_low, b.tau_high)}"
                f"{f', log {m} scale' if m in RATIO_MEASURES else ''}); {level}% "
                f"prediction interval {_range(m, b.pred_low, b.pred_high)}",
            )
        )
    if bundle.fragility is not None:
        f = bundle.fragility
        what = "Reverse fragility index" if f.reverse else "Fragility index"
        rows.append(
            (
                f"{what} (Fisher's exact test, two-sided, α = {text.number(f.alpha)})",
                f"{text.count(f.index)}; {text.p_value(f.pval)} from the reported "
                f"counts, {text.p_value(f.pval_after)} after the change",
            )
        )
    return rows


def _people(n: int | None) -> str:
    return "participants not reported" if n is None else text.plural(n, "participant")


def _arm_words(analysis: OutcomeAnalysis, arm: int) -> str:
    if arm == 1:
        return f"the {analysis.intervention} arm"
    return f"the comparator arm ({analysis.comparison or analysis.comparator_type})"


def _single_trial_words(analysis: OutcomeAnalysis, bundle: FewStudies) -> list[str]:
    result = analysis.result
    people = _people(analysis.participants)
    words = [
        f"This result rests on one trial ({people}). One trial can show what happened to its "
        "own participants, in its setting and with its dose, within the uncertainty of its "
        "interval. It cannot show that the effect is the same in other settings, populations "
        "or doses, and no other trial can confirm or contradict it: in GRADE terms, "
        "inconsistency cannot be judged, and imprecision is judged from this one trial's "
        "interval and size alone.",
    ]
    if _includes_null(result.ci_low, result.ci_high):
        words.append(
            "Its interval includes no difference: the trial does not show a "
            "difference, and that is not the same as showing there is none."
        )
    else:
        words.append(
            "Its interval lies on one side of no difference, but a single trial can "
            "overestimate an effect, and a later, larger trial may find a smaller "
            "one or none."
        )
    f = bundle.fragility
    if f is not None and f.index > 0:
        crossed = "statistically significant" if f.reverse else "no longer significant"
        words.append(
            f"A different outcome for {text.plural(f.index, 'participant')} in "
            f"{_arm_words(analysis, f.arm)} would make the result {crossed} "
            "(Fisher's exact test)."
        )
    elif f is not None:
        words.append(
            "No change of outcomes in the arm with fewer events moves the result "
            "across the significance threshold (fragility index 0)."
        )
    if bundle.bayes is not None:
        words.append(
            "With one trial the data say nothing about how much true effects vary "
            "between trials: the Bayesian posterior for τ is its prior, so the "
            "Bayesian intervals, the prediction interval most, reflect the prior "
            "chosen."
        )
    return words


def _several_words(analysis: OutcomeAnalysis, bundle: FewStudies) -> list[str]:
    k = bundle.k
    ci = bundle.tau2_ci
    m = bundle.measure
    words = [f"This result rests on {k} studies ({_people(analysis.participants)})."]
    level = round(100 * (1 - ci.alpha))
    sentence = (
        f"With {k} studies, how much the true effects vary between studies is poorly "
        f"known: τ² is estimated as {text.number(ci.tau2, 4)}, but the data are "
        f"compatible with values from {text.interval(ci.tau2_low, ci.tau2_high, 4)} "
        f"({level}% CI; I² {text.percentage(ci.i2_low)} to "
        f"{text.percentage(ci.i2_high)})."
    )
    if ci.tau2 == 0:
        sentence += " An estimate of 0 does not show that the studies agree."
    words.append(sentence)
    main, hk = analysis.result, bundle.hartung_knapp
    main_null = _includes_null(main.ci_low, main.ci_high)
    hk_null = _includes_null(hk.ci_low, hk.ci_high)
    if main_null != hk_null:
        words.append(
            "The Hartung-Knapp interval, which allows for τ² being estimated from so "
            "few studies, "
            + (
                "includes no difference where the main result's interval does not"
                if hk_null
                else "lies on one side of no difference where the main "
                "result's interval includes it"
            )
            + ": the conclusion depends on how heterogeneity is handled."
        )
    if bundle.has_prediction_interval:
        r = bundle.reml
        words.append(
            f"The true effect in a new study like these could lie anywhere from "
            f"{_range(m, r.pi_low, r.pi_high)} ({round(100 * (1 - r.alpha))}% "
            f"prediction interval, t on {k - 2} df)."
        )
    else:
        words.append("With 2 studies no prediction interval for a new study can be given.")
    return words


def few_studies_words(analysis: OutcomeAnalysis) -> list[str]:
    """What the few studies of an analysis can and cannot show, in plain sentences.

    Parameters
    ----------
    analysis : OutcomeAnalysis
        An analysis with ``few_studies``.

    Returns
    -------
    list of str
        For a single trial: what one trial can show, whether its interval includes no effect,
        its fragility, and that the Bayesian heterogeneity is the prior's; for 2 to 4
        studies: how poorly τ² is known, whether Hartung-Knapp changes the conclusion, and
        the prediction interval. Then the Bayesian result with its prior.
    """
    bundle = analysis.few_studies
    if bundle is None:
        return []
    words = (
        _single_trial_words(analysis, bundle)
        if bundle.k == 1
        else _several_words(analysis, bundle)
    )
    b = bundle.bayes
    if b is None:
        return words
    prior = (
        "a weakly informative half-normal prior with scale 0.5 for τ"
        if _default_prior(bundle)
        else f"the prior {b.tau_prior} for τ"
    )
    level = round(100 * (1 - b.alpha))
    words.append(
        f"With {prior}, the Bayesian posterior median is "
        f"{text.number(_shown(bundle.measure, b.mu_median))} ({level}% credible "
        f"interval {_range(bundle.measure, b.mu_low, b.mu_high)})."
    )
    main = analysis.result
    if _includes_null(b.mu_low, b.mu_high) and not _includes_null(main.ci_low, main.ci_high):
        words.append(
            "That credible interval, which allows for true effects varying between "
            "studies as the prior says they may, includes no difference where the "
            "main result's interval does not."
        )
    return words


def few_studies_html(analysis: OutcomeAnalysis) -> HtmlBlock:
    """The few-studies panel of one analysis (empty when it has none, 5 or more studies).

    Parameters
    ----------
    analysis : OutcomeAnalysis
        An analysis of :func:`evsum.analyse_condition`.

    Returns
    -------
    HtmlBlock
        An ``aside`` with the table of :func:`few_studies_rows`, the sentences of
        :func:`few_studies_words` and the bundle's notes; empty markup when the analysis has
        no few-studies results.
    """
    bundle = analysis.few_studies
    if bundle is None or analysis.result is None:
        return HtmlBlock("")
    return render(
        "few_studies.html.j2",
        anchor=f"{analysis.anchor}-few-studies",
        heading=f"Few studies: {text.plural(bundle.k, 'study', 'studies')}",
        rows=few_studies_rows(analysis),
        words=few_studies_words(analysis),
        notes=list(bundle.notes),
    )
