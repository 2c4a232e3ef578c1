r"""Multi-arm trials: combine arms into one group, or split a shared comparator group.

Two ways to put a trial with several intervention arms and one comparator into a pairwise
meta-analysis without counting the comparator's participants twice (Cochrane Handbook
23.3.4): combine the intervention arms into a single group (Handbook 6.5.2.10, Table 6.5.a),
or split the shared comparator group into as many parts as there are comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: How a multi-arm trial enters an analysis (the protocol's choice).
MULTI_ARM_RULES: tuple[str, ...] = ("first", "combine", "split")


@dataclass(frozen=True)
class ArmSummary:
    """One group's summary: participants and either events or mean and SD (NaN if absent)."""

    n: float
    events: float = float("nan")
    mean: float = float("nan")
    sd: float = float("nan")


def _arrays(*values: npt.ArrayLike) -> list[np.ndarray]:
    arrays = [np.asarray(v, dtype=float).ravel() for v in values]
    if len({len(a) for a in arrays}) != 1 or len(arrays[0]) == 0:
        raise ValueError(
            f"each arm needs one value per argument; got lengths {[len(a) for a in arrays]}"
        )
    return arrays


def combine_arms(
    n: npt.ArrayLike,
    *,
    events: npt.ArrayLike | None = None,
    mean: npt.ArrayLike | None = None,
    sd: npt.ArrayLike | None = None,
) -> ArmSummary:
    r"""Combine several arms of one trial into a single group (Cochrane Handbook 6.5.2.10).

    Parameters
    ----------
    n : sequence of float
        Participants in each arm (> 0).
    events : sequence of float, optional
        Dichotomous outcome: participants with the event in each arm (summed).
    mean, sd : sequence of float, optional
        Continuous outcome: each arm's mean and SD (combined by Table 6.5.a).

    Returns
    -------
    ArmSummary
        The combined group.

    Raises
    ------
    ValueError
        Lengths differ, n <= 0, SD < 0, events outside [0, n], or neither events nor
        mean and SD given.

    Notes
    -----
    Events and participants are summed. Two arms with :math:`N_1, M_1, SD_1` and
    :math:`N_2, M_2, SD_2` combine to :math:`N = N_1 + N_2`,
    :math:`M = (N_1 M_1 + N_2 M_2)/N` and

    .. math:: SD = \sqrt{\frac{(N_1 - 1) SD_1^2 + (N_2 - 1) SD_2^2
              + \frac{N_1 N_2}{N_1 + N_2}(M_1^2 + M_2^2 - 2 M_1 M_2)}{N_1 + N_2 - 1}},

    the SD of the pooled participants; more arms are combined one after another.

    References
    ----------
    Higgins JPT, Li T, Deeks JJ (eds). Chapter 6: Choosing effect measures and computing
    estimates of effect, section 6.5.2.10, Table 6.5.a. Cochrane Handbook for Systematic
    Reviews of Interventions, version 6.4, 2023.

    Examples
    --------
    >>> res = combine_arms([10, 20], mean=[5.0, 8.0], sd=[2.0, 3.0])
    >>> res.n, res.mean, round(res.sd, 4)
    (30.0, 7.0, 3.0343)
    """
    (nn,) = _arrays(n)
    if not (np.isfinite(nn).all() and (nn > 0).all()):
        raise ValueError(f"n must be > 0 in every arm; got {nn.tolist()}")
    if events is not None:
        nn, ev = _arrays(n, events)
        if not ((ev >= 0) & (ev <= nn)).all():
            raise ValueError(f"events must be between 0 and n in every arm; got {ev.tolist()}")
        return ArmSummary(n=float(nn.sum()), events=float(ev.sum()))
    if mean is None or sd is None:
        raise ValueError("give events, or mean and sd, for each arm")
    nn, mm, ss = _arrays(n, mean, sd)
    if not (np.isfinite(mm).all() and np.isfinite(ss).all() and (ss >= 0).all()):
        raise ValueError(f"means must be finite and SDs >= 0; got {mm.tolist()}, {ss.tolist()}")
    n1, m1, s1 = nn[0], mm[0], ss[0]
    for n2, m2, s2 in zip(nn[1:], mm[1:], ss[1:], strict=True):
        total = n1 + n2
        var = (
            (n1 - 1) * s1**2 + (n2 - 1) * s2**2 + n1 * n2 / total * (m1**2 + m2**2 - 2 * m1 * m2)
        ) / (total - 1)
        n1, m1, s1 = total, (n1 * m1 + n2 * m2) / total, np.sqrt(var)
    return ArmSummary(n=float(n1), mean=float(m1), sd=float(s1))


def split_shared_arm(arm: ArmSummary, parts: int) -> ArmSummary:
    r"""One of ``parts`` equal shares of a group shared by several comparisons.

    Parameters
    ----------
    arm : ArmSummary
        The shared group (usually the comparator of a multi-arm trial).
    parts : int
        Number of comparisons that share it (>= 1).

    Returns
    -------
    ArmSummary
        n and events divided by ``parts`` (not rounded: the effect-size formulas take
        fractional counts); mean and SD unchanged, so each comparison keeps the group's
        effect but carries only its share of the participants (Cochrane Handbook 23.3.4).

    Raises
    ------
    ValueError
        ``parts`` < 1.

    References
    ----------
    Higgins JPT, Eldridge S, Li T (eds). Chapter 23: Including variants on randomized
    trials, section 23.3.4. Cochrane Handbook for Systematic Reviews of Interventions,
    version 6.4, 2023.

    Examples
    --------
    >>> split_shared_arm(ArmSummary(n=60, events=12), 3)
    ArmSummary(n=20.0, events=4.0, mean=nan, sd=nan)
    """
    if int(parts) != parts or parts < 1:
        raise ValueError(f"parts must be a whole number >= 1; got {parts!r}")
    return ArmSummary(n=arm.n / parts, events=arm.events / parts, mean=arm.mean, sd=arm.sd)
