r"""Fragility index of a two-arm trial with a binary outcome (Walsh et al. 2014)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from evsum.stats.scipy_modules import stats


@dataclass(frozen=True)
class FragilityResult:
    """Fragility index (or reverse fragility index) of one 2x2 table.

    Attributes
    ----------
    e1, n1, e2, n2 : int
        Events and participants in arm 1 and arm 2.
    alpha : float
        Significance threshold of the two-sided Fisher exact test.
    pval : float
        Fisher's exact p-value of the table as reported.
    significant : bool
        ``pval < alpha``.
    index : int
        Fragility index (significant results) or reverse fragility index (otherwise): the
        fewest participants whose outcome must change to cross the threshold. 0 if none can
        (noted).
    reverse : bool
        True for the reverse fragility index.
    arm : int
        The arm whose outcomes were changed (1 or 2).
    pval_after : float
        Fisher's p-value of the modified table.
    notes : tuple of str
        Caveats.
    """

    e1: int
    n1: int
    e2: int
    n2: int
    alpha: float
    pval: float
    significant: bool
    index: int
    reverse: bool
    arm: int
    pval_after: float
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame with the field names as columns."""
        return pd.DataFrame(
            [{f.name: getattr(self, f.name) for f in fields(self) if f.name != "notes"}]
        )


def _fisher(e1: int, n1: int, e2: int, n2: int) -> float:
    return float(stats.fisher_exact([[e1, n1 - e1], [e2, n2 - e2]]).pvalue)


def _count(name: str, x: float) -> int:
    try:
        value = int(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number; got {x!r}") from None
    if value != x:
        raise ValueError(f"{name} must be a whole number; got {x!r}")
    return value


def fragility_index(e1: int, n1: int, e2: int, n2: int, *, alpha: float = 0.05) -> FragilityResult:
    r"""Fragility index of a two-arm trial (Walsh et al. 2014), or its reverse.

    Parameters
    ----------
    e1, n1 : int
        Events and participants in arm 1.
    e2, n2 : int
        Events and participants in arm 2.
    alpha : float
        Significance threshold of the two-sided Fisher exact test.

    Returns
    -------
    FragilityResult
        For a significant result (p < alpha), the fragility index: in the arm with fewer
        events, non-events are turned into events one at a time until Fisher's exact
        p >= alpha (Walsh et al. 2014). For a non-significant result, the reverse fragility
        index (Khan et al. 2020): events in the arm with fewer events are turned into
        non-events (and, once that arm has none left, non-events in the other arm into
        events) until p < alpha.

    Raises
    ------
    ValueError
        Counts that are not whole numbers, negative, or events above the arm size.

    Notes
    -----
    Ties (equal events in both arms) modify arm 1. The p-value is scipy's two-sided
    ``fisher_exact``, which sums the probabilities of the tables no more likely than the
    observed one, as R's ``fisher.test``. An index of 0 (a significant result that no change
    in the arm with fewer events can overturn, or a result that cannot be made significant)
    is noted.

    Checked against published examples (Walsh et al. 2014 definition; the fragilityindex R
    package's README example; Yang & Berdine 2019) and against R's ``fisher.test``
    p-values of each table visited (tests/reference/fragility.json).

    References
    ----------
    Walsh M, Srinathan SK, McAuley DF, et al. (2014). The statistical significance of
    randomized controlled trial results is frequently fragile: a case for a Fragility
    Index. J Clin Epidemiol 67(6):622-628. Khan MS, Fonarow GC, Friede T, et al. (2020).
    Application of the reverse fragility index to statistically nonsignificant randomized
    clinical trial results. JAMA Netw Open 3(8):e2012469.

    Examples
    --------
    >>> fragility_index(15, 40, 6, 40).index
    1
    """
    e1, n1, e2, n2 = (_count(n, x) for n, x in (("e1", e1), ("n1", n1), ("e2", e2), ("n2", n2)))
    problems = [
        f"{name} = {e} must be between 0 and {en} = {n}"
        for name, e, en, n in (("e1", e1, "n1", n1), ("e2", e2, "n2", n2))
        if not 0 <= e <= n or n < 1
    ]
    if problems:
        raise ValueError("; ".join(problems))
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1; got {alpha!r}")
    p0 = _fisher(e1, n1, e2, n2)
    significant = p0 < alpha
    arm = 1 if e1 <= e2 else 2
    counts = {1: [e1, n1], 2: [e2, n2]}
    notes: list[str] = []
    steps, p = 0, p0
    if significant:
        while counts[arm][0] < counts[arm][1] and p < alpha:
            counts[arm][0] += 1
            steps += 1
            p = _fisher(counts[1][0], n1, counts[2][0], n2)
        if p < alpha:
            notes.append(
                "No change in the arm with fewer events makes the result non-significant."
            )
            steps = 0
    else:
        other = 3 - arm
        while p >= alpha:
            if counts[arm][0] > 0:
                counts[arm][0] -= 1
            elif counts[other][0] < counts[other][1]:
                counts[other][0] += 1
            else:
                break
            steps += 1
            p = _fisher(counts[1][0], n1, counts[2][0], n2)
        if p >= alpha:
            notes.append("No change of outcomes makes the result significant.")
            steps = 0
    return FragilityResult(
        e1=e1,
        n1=n1,
        e2=e2,
        n2=n2,
        alpha=alpha,
        pval=p0,
        significant=significant,
        index=steps,
        reverse=not significant,
        arm=arm,
        pval_after=p,
        notes=tuple(notes),
    )
