"""A study's effect and variance from the forms in which papers report them.

Cochrane Handbook (version 6.5) 6.3.1: a standard error from a confidence interval,
``SE = (upper - lower) / (2 z)`` with ``z`` the normal quantile of the interval's level (1.96
for 95 %, 1.645 for 90 %), on the log scale for a ratio; 6.3.2: from a two-sided p-value,
``z = Φ⁻¹(1 - p/2)`` and ``SE = |estimate| / z`` (again of the log ratio). metafor's
``conv.wald`` makes the same conversions. 23.1.4: a cluster-randomised trial analysed as if
individuals had been randomised is brought to its effective sample size by dividing the
number of participants (and of events) in each arm by the design effect
``1 + (M - 1) × ICC`` (M the mean cluster size). 23.2.7: a crossover trial's mean
difference from a paired analysis has ``SE = sqrt((SD_E² + SD_C² - 2 r SD_E SD_C) / N)``,
with ``r`` the within-participant correlation.

Pure functions on numbers; :func:`evsum.stats.effects.compute_effects` applies them to the
rows of a study table.
"""

from __future__ import annotations

import math

from evsum.stats.scipy_modules import stats

__all__ = [
    "design_effect",
    "mean_sd_from_iqr",
    "mean_sd_from_range",
    "paired_mean_difference",
    "se_from_ci",
    "se_from_p",
    "z_of_level",
]


def z_of_level(level: float = 95.0) -> float:
    """The normal quantile of a two-sided confidence level in percent (1.959964 for 95).

    Examples
    --------
    >>> round(z_of_level(95), 6), round(z_of_level(90), 6)
    (1.959964, 1.644854)
    """
    if not 0 < level < 100:
        raise ValueError(f"level must be a percentage in (0, 100); got {level!r}")
    return float(stats.norm.isf((1 - level / 100) / 2))


def se_from_ci(low: float, high: float, level: float = 95.0) -> float:
    """Standard error from a ``level`` % confidence interval (give a ratio's bounds as their
    logarithms).

    Examples
    --------
    >>> round(se_from_ci(math.log(1.0), math.log(4.0), 90), 6)
    0.421404
    """
    if not high > low:
        raise ValueError(f"an interval needs high > low; got {low!r}, {high!r}")
    return (high - low) / (2 * z_of_level(level))


def se_from_p(estimate: float, p: float) -> float:
    """Standard error from an estimate (a ratio's as its logarithm) and its two-sided p-value.

    Examples
    --------
    >>> round(se_from_p(math.log(0.5), 0.03), 6)
    0.319409
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1); got {p!r}")
    if estimate == 0:
        raise ValueError("an estimate of no effect gives no standard error from its p-value")
    return abs(estimate) / float(stats.norm.isf(p / 2))


def design_effect(icc: float, cluster_size: float) -> float:
    """``1 + (M - 1) × ICC``, the factor by which clustering inflates a variance.

    Examples
    --------
    >>> design_effect(0.02, 21)
    1.4
    """
    if not 0 <= icc < 1 or cluster_size < 1:
        raise ValueError(f"need 0 <= icc < 1 and cluster_size >= 1; got {icc!r}, {cluster_size!r}")
    return round(1 + (cluster_size - 1) * icc, 12)


def paired_mean_difference(
    mean_e: float, sd_e: float, mean_c: float, sd_c: float, n: float, r: float
) -> tuple[float, float]:
    """(MD, variance) of a crossover trial's paired analysis from the two conditions' means
    and SDs, the number of participants and the within-participant correlation.

    Examples
    --------
    >>> paired_mean_difference(10, 4, 12, 4, 20, 0.5)
    (-2.0, 0.8)
    """
    if not -1 < r < 1:
        raise ValueError(f"r must be in (-1, 1); got {r!r}")
    variance = (sd_e**2 + sd_c**2 - 2 * r * sd_e * sd_c) / n
    return float(mean_e - mean_c), float(variance)


def log_if(ratio: bool, *values: float) -> tuple[float, ...]:
    """``values`` on the analysis scale: their logarithms for a ratio given on the natural
    scale, else as they are."""
    return tuple(math.log(v) for v in values) if ratio else tuple(values)


def mean_sd_from_range(
    minimum: float, median: float, maximum: float, n: float
) -> tuple[float, float]:
    """Mean and SD estimated from the median, minimum and maximum of ``n`` values (Wan et
    al. 2014, BMC Med Res Methodol 14:135, scenario S1): mean (a + 2m + b) / 4, SD
    (b - a) / ξ(n) with ξ(n) = 2 Φ⁻¹((n - 0.375) / (n + 0.25)). An approximation that assumes
    roughly normal data; a report that uses it says so.

    Examples
    --------
    >>> [round(v, 4) for v in mean_sd_from_range(0, 4, 9, 50)]
    [4.25, 2.0059]
    """
    if not minimum <= median <= maximum or n < 2:
        raise ValueError("need minimum <= median <= maximum and n >= 2")
    xi = 2 * float(stats.norm.ppf((n - 0.375) / (n + 0.25)))
    return (minimum + 2 * median + maximum) / 4, (maximum - minimum) / xi


def mean_sd_from_iqr(q1: float, median: float, q3: float, n: float) -> tuple[float, float]:
    """Mean and SD estimated from the median and quartiles of ``n`` values (Wan et al. 2014,
    scenario S3): mean (q1 + m + q3) / 3, SD (q3 - q1) / η(n) with
    η(n) = 2 Φ⁻¹((0.75 n - 0.125) / (n + 0.25)).

    Examples
    --------
    >>> [round(v, 4) for v in mean_sd_from_iqr(2, 4, 7, 50)]
    [4.3333, 3.8165]
    """
    if not q1 <= median <= q3 or n < 2:
        raise ValueError("need q1 <= median <= q3 and n >= 2")
    eta = 2 * float(stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25)))
    return (q1 + median + q3) / 3, (q3 - q1) / eta
