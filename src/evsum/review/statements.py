"""GRADE plain-language statements: a result's size and certainty in GRADE's standard words.

The wording follows Santesso et al. 2020, "GRADE guidelines 26: informative statements to
communicate the findings of systematic reviews of interventions" (J Clin Epidemiol
119:126-135, doi:10.1016/j.jclinepi.2019.10.014), whose table crosses the size of the effect
(large, moderate, small important, trivial or none) with the certainty of the evidence (high
"X reduces ...", moderate "X probably reduces ...", low "X may reduce ...", very low "The
evidence is very uncertain about the effect of X on ..."). Of the synonyms the table offers
for a cell, one fixed form is used so that the same result always reads the same way.

Which size an effect has is decided from the point estimate against thresholds (the minimal
important difference and, optionally, those for a moderate and a large effect), as Core GRADE
does ("a point estimate greater than the MID suggests an important effect and less than the
MID, an unimportant or little to no effect"; Guyatt et al. 2025, BMJ 389:e081904). Whether
the interval crosses a threshold is reported too: GRADE handles it by rating the certainty down
for imprecision, so it is already in ``certainty``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from evsum.vocab import GRADE_CERTAINTY, RATIO_MEASURES


def in_sentence(label: str) -> str:
    """A label (a heading's capitalised words) as it reads inside a sentence: the first
    letter in lower case when the first word is an ordinary capitalised word, else as given
    (an acronym or a name with other capitals or digits stays as it is).

    Examples
    --------
    >>> in_sentence("Tuberculosis cases"), in_sentence("HbA1c"), in_sentence("CD4 count")
    ('tuberculosis cases', 'HbA1c', 'CD4 count')
    """
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].isalpha() and first[1:].islower():
        return label[0].lower() + label[1:]
    return label


#: Sizes of an effect, as the rows of Santesso et al. 2020's table name them.
SIZES: tuple[str, ...] = ("large", "moderate", "small", "trivial")
#: Statement categories: a size, or ``very uncertain`` (very low certainty, any size).
STATEMENT_CATEGORIES: tuple[str, ...] = (*SIZES, "very uncertain")

#: Default thresholds on the ratio scale when the protocol gives none: the minimal important
#: effect is "an RR of under 0.75 or over 1.25" (GRADE guidelines 6, Guyatt et al. 2011,
#: J Clin Epidemiol 64:1283, abstract); a large effect is an RR "approximately >2 or <0.5"
#: (GRADE's criterion for rating up for a large effect; ACIP GRADE handbook, chapter 9,
#: Table 14). No default separates a small from a moderate ratio effect, so an important effect
#: short of large reads as a moderate one ("X reduces ...").
DEFAULT_RATIO_THRESHOLDS: tuple[float, float | None, float] = (1.25, None, 2.0)
#: Default thresholds for a standardised mean difference: "0.2 represents a small effect, 0.5
#: a moderate effect, and 0.8 a large effect (Cohen 1988)" (Cochrane Handbook 5.1, 12.6.2).
DEFAULT_SMD_THRESHOLDS: tuple[float, float | None, float] = (0.2, 0.5, 0.8)

_TEMPLATES: dict[tuple[str, str], str] = {
    # Santesso et al. 2020, table of suggested statements (high, moderate, low certainty rows).
    ("high", "large"): "{x} results in a large {noun} in {y}",
    ("high", "moderate"): "{x} {verb_s} {y}",
    ("high", "small"): "{x} {verb_s} {y} slightly",
    ("high", "trivial"): "{x} results in little to no difference in {y}",
    ("moderate", "large"): "{x} probably results in a large {noun} in {y}",
    ("moderate", "moderate"): "{x} probably {verb_s} {y}",
    ("moderate", "small"): "{x} probably {verb_s} {y} slightly",
    ("moderate", "trivial"): "{x} probably results in little to no difference in {y}",
    ("low", "large"): "{x} may result in a large {noun} in {y}",
    ("low", "moderate"): "{x} may {verb} {y}",
    ("low", "small"): "{x} may {verb} {y} slightly",
    ("low", "trivial"): "{x} may result in little to no difference in {y}",
}
_VERY_UNCERTAIN = "The evidence is very uncertain about the effect of {x} on {y}"
_WORDS = {
    "increase": ("increase", "increases", "increase"),
    "reduction": ("reduce", "reduces", "reduction"),
}


@dataclass(frozen=True)
class GradeStatement:
    """A result in GRADE's words, with what decided them.

    Attributes
    ----------
    category : str
        One of :data:`STATEMENT_CATEGORIES`: the effect's size, or ``"very uncertain"``.
    size : str
        The effect's size from its point estimate (one of :data:`SIZES`), also when the
        certainty is very low.
    direction : str
        ``"increase"``, ``"reduction"`` (of the outcome) or ``"none"`` (a trivial effect).
    benefit : bool or None
        Whether the direction is the better one for the outcome; ``None`` for a trivial effect.
    certainty : str
        GRADE certainty the statement rests on.
    interval_crosses_threshold : bool
        The confidence interval reaches across the minimal important difference (or the
        null), so the size is not established; GRADE rates such a result down for imprecision.
    mid : float
        The minimal important difference used, on the measure's scale (a ratio for ratios).
    sentence : str
        The statement, a full sentence ending with a full stop.
    """

    category: str
    size: str
    direction: str
    benefit: bool | None
    certainty: str
    interval_crosses_threshold: bool
    mid: float
    sentence: str


def _thresholds(
    measure: str, mid: float | None, moderate: float | None, large: float | None
) -> tuple[float, float | None, float | None]:
    """Thresholds as distances from the null on the analysis scale (log for ratios)."""
    ratio = measure in RATIO_MEASURES
    if mid is None:
        if ratio:
            mid, default_moderate, default_large = DEFAULT_RATIO_THRESHOLDS
        elif measure == "SMD":
            mid, default_moderate, default_large = DEFAULT_SMD_THRESHOLDS
        else:
            raise ValueError(
                f"measure {measure!r} has no default minimal important "
                "difference; give mid (from the protocol)"
            )
        moderate = default_moderate if moderate is None else moderate
        large = default_large if large is None else large
    values = {"mid": mid, "moderate": moderate, "large": large}
    for name, value in values.items():
        if value is None:
            continue
        if not math.isfinite(value) or (value <= 1.0 if ratio else value <= 0.0):
            bound = "> 1 (a ratio)" if ratio else "> 0"
            raise ValueError(f"{name} must be a finite number {bound}; got {value!r}")

    def scale(v: float) -> float:
        return abs(math.log(v)) if ratio else abs(v)

    cuts = (
        scale(mid),
        None if moderate is None else scale(moderate),
        None if large is None else scale(large),
    )
    present = [c for c in cuts if c is not None]
    if present != sorted(present):
        raise ValueError(
            f"thresholds must grow: mid {mid!r} < moderate {moderate!r} < large {large!r}"
        )
    return cuts


def _checked_values(estimate: float, ci_low: float, ci_high: float) -> tuple[float, ...]:
    """The estimate and its interval as finite floats, the interval containing the
    estimate; ValueError otherwise."""
    try:
        values = tuple(float(v) for v in (estimate, ci_low, ci_high))
    except (TypeError, ValueError):
        values = ()
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise ValueError(
            f"estimate and interval must be finite numbers; got {(estimate, ci_low, ci_high)!r}"
        )
    estimate, ci_low, ci_high = values
    if not ci_low <= estimate <= ci_high:
        raise ValueError(
            f"the interval must contain the estimate; got {estimate!r} ({ci_low!r} to {ci_high!r})"
        )
    return values


def _checked_null(measure: str, values: tuple[float, ...], null: float | None) -> float:
    """The value of no effect (default 1 for ratios, 0 otherwise), finite, and with the
    values > 0 for a ratio; ValueError otherwise."""
    ratio = measure in RATIO_MEASURES
    null = (1.0 if ratio else 0.0) if null is None else float(null)
    if ratio and (min(values) <= 0 or null <= 0):
        raise ValueError(
            f"{measure} values and the null must be > 0; got {values!r}, null {null!r}"
        )
    if not math.isfinite(null):
        raise ValueError(f"null must be a finite number; got {null!r}")
    return null


def _size(
    distance: float, cut_mid: float, cut_moderate: float | None, cut_large: float | None
) -> str:
    """``trivial``, ``small``, ``moderate`` or ``large``: the effect's distance from the null
    against the thresholds."""
    if distance < cut_mid:
        return "trivial"
    if cut_large is not None and distance >= cut_large:
        return "large"
    if cut_moderate is None or distance >= cut_moderate:
        return "moderate"
    return "small"


def grade_statement(
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    measure: str,
    certainty: str,
    intervention: str,
    outcome: str,
    higher_is_better: bool,
    mid: float | None = None,
    moderate: float | None = None,
    large: float | None = None,
    comparator: str | None = None,
    null: float | None = None,
) -> GradeStatement:
    """The GRADE plain-language statement for one result.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The effect and its confidence interval on the measure's natural scale (RR 2.25, not
        its log).
    measure : str
        Effect measure code (``"RR"``, ``"OR"``, ``"HR"``, ``"IRR"``, ``"RD"``, ``"MD"``,
        ``"SMD"``).
    certainty : {"high", "moderate", "low", "very low"}
        GRADE certainty of the evidence for this result.
    intervention, outcome : str
        Words for X and the outcome, as they should read in the sentence.
    higher_is_better : bool
        Whether more of the outcome (a ratio above 1, a positive difference) is better.
    mid : float, optional
        Minimal important difference as a distance from the null on the measure's scale
        (a ratio such as 1.25, which also means 1/1.25 = 0.8; a difference such as 10 points).
        Default for ratio measures 1.25 (GRADE guidelines 6) and for SMD 0.2 (Cohen); other
        measures need it.
    moderate, large : float, optional
        Thresholds of a moderate and a large effect, on the same scale. With the default
        ``mid`` they default too (ratios: large 2.0; SMD: 0.5 and 0.8). Without ``moderate``,
        every important effect short of large reads as a moderate effect.
    comparator : str, optional
        Words for the comparison; adds "when compared with ..." to the sentence.
    null : float, optional
        The value of no effect; default 1 for ratio measures and 0 otherwise. Thresholds are
        distances from it (ratios: multiplicative).

    Returns
    -------
    GradeStatement
        Category, size, direction, benefit, the interval flag and the sentence.

    Raises
    ------
    ValueError
        Unknown certainty, an interval that does not contain the estimate, non-positive
        ratios, thresholds that are missing (measures without a default) or out of order.

    References
    ----------
    Santesso N, Glenton C, Dahm P, et al. GRADE guidelines 26: informative statements to
    communicate the findings of systematic reviews of interventions. J Clin Epidemiol.
    2020;119:126-135.

    Examples
    --------
    >>> grade_statement(2.25, 1.1, 4.6, measure="RR", certainty="low",
    ...                 intervention="Three sessions", outcome="abstinence",
    ...                 higher_is_better=True).sentence
    'Three sessions may result in a large increase in abstinence.'
    """
    if certainty not in GRADE_CERTAINTY:
        raise ValueError(f"certainty must be one of {list(GRADE_CERTAINTY)}; got {certainty!r}")
    values = _checked_values(estimate, ci_low, ci_high)
    ratio = measure in RATIO_MEASURES
    null = _checked_null(measure, values, null)
    cut_mid, cut_moderate, cut_large = _thresholds(measure, mid, moderate, large)
    point, low, high = ((math.log(v / null) if ratio else v - null) for v in values)
    size = _size(abs(point), cut_mid, cut_moderate, cut_large)
    if size == "trivial":
        direction, benefit = "none", None
        crosses = low <= -cut_mid or high >= cut_mid
    else:
        direction = "increase" if point > 0 else "reduction"
        benefit = (point > 0) == higher_is_better
        # An important effect is not established when the interval reaches the null side of
        # the minimal important difference.
        crosses = (low < cut_mid) if point > 0 else (high > -cut_mid)
    words = {"x": intervention, "y": outcome}
    if certainty == "very low":
        category, text = "very uncertain", _VERY_UNCERTAIN.format(**words)
    else:
        category = size
        verb, verb_s, noun = _WORDS.get(direction, ("", "", ""))
        text = _TEMPLATES[(certainty, size)].format(verb=verb, verb_s=verb_s, noun=noun, **words)
    if comparator:
        text += f" when compared with {comparator}"
    sentence = text[:1].upper() + text[1:] + "."
    mid_used = math.exp(cut_mid) if ratio else cut_mid
    return GradeStatement(
        category=category,
        size=size,
        direction=direction,
        benefit=benefit,
        certainty=certainty,
        interval_crosses_threshold=crosses,
        mid=mid_used,
        sentence=sentence,
    )
