"""Between-study variance (τ²) estimators, vectorised over many independent meta-analyses.

Every function works on a :class:`Grouped` set of studies (one or many meta-analyses stored
as flat arrays with a group id) and returns one value per group. ``pooling.pool`` uses the
same code with a single group, so ``pool`` and ``pool_groups`` cannot drift apart.

The algorithms, starting values, tolerances and step rules copy metafor 3.8 ``rma.uni``:

* DL: method of moments, truncated at 0.
* REML / ML: Fisher scoring from the Hedges (HE) estimate (truncated at 0), step halving to
  stay >= 0, stop when the change is <= 1e-5, at most 100 iterations, then metafor's
  ``ll0check`` (τ² is set to 0 if the likelihood at 0 is higher by more than tol).
* PM: root of the generalised Q statistic, Q(τ²) = k - 1, found with a port of R's
  ``uniroot`` (Brent's zeroin, ``tol = .Machine$double.eps^0.25``) on
  [0, max(100, 10 mad(yi)²)]; τ² = 0 if Q(0) < k - 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

#: metafor ``rma.uni`` control defaults.
THRESHOLD = 1e-5
MAXITER = 100
TOL = np.finfo(float).eps ** 0.25
TAU2_MAX = 100.0


@dataclass(frozen=True)
class Grouped:
    """Studies of ``n`` meta-analyses as flat arrays; ``gid[i]`` is the group of study i."""

    yi: np.ndarray
    vi: np.ndarray
    gid: np.ndarray
    n: int
    #: add each group's studies in order (as :class:`Balanced` does) rather than with the
    #: faster ``np.add.reduceat``, whose sums can differ in the last bits
    in_order: bool = False
    # set by __post_init__: studies per group, and where each group starts (sorted rows)
    _counts: np.ndarray = field(init=False, repr=False, compare=False)
    _starts: np.ndarray | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # rows sorted by group with no empty group: per-group sums are contiguous slices,
        # summed with np.add.reduceat (several times faster than np.bincount)
        counts = np.bincount(self.gid, minlength=self.n)
        object.__setattr__(self, "_counts", counts)
        sorted_rows = len(self.gid) > 0 and bool((self.gid[1:] >= self.gid[:-1]).all())
        starts = None
        if sorted_rows and (counts > 0).all() and not self.in_order:
            starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        object.__setattr__(self, "_starts", starts)

    @property
    def k(self) -> np.ndarray:
        """Number of studies per group."""
        return self._counts

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Per-group sums of a per-study array."""
        if self._starts is not None:
            return np.add.reduceat(x, self._starts)
        return np.bincount(self.gid, weights=x, minlength=self.n)

    def spread(self, x: np.ndarray) -> np.ndarray:
        """Per-study copy of a per-group array."""
        if self._starts is not None:  # sorted rows: a repeat, cheaper than a gather
            return np.repeat(x, self._counts)
        return x[self.gid]

    def subset(self, groups: np.ndarray) -> Grouped:
        """Select the studies of the groups in the boolean mask ``groups`` (renumbered).

        Row order within a group is kept, so per-group sums are bit-for-bit the same.
        """
        rows = groups[self.gid]
        renumber = np.cumsum(groups) - 1
        return Grouped(
            self.yi[rows],
            self.vi[rows],
            renumber[self.gid[rows]],
            int(groups.sum()),
            self.in_order,
        )

    def lead(self, w: np.ndarray) -> np.ndarray:
        """Mask of one study per group: the first with the group's largest ``w``."""
        if self._starts is not None:
            top = np.maximum.reduceat(w, self._starts)
        else:
            top = np.full(self.n, -np.inf)
            np.maximum.at(top, self.gid, w)
        rows = np.flatnonzero(w == self.spread(top))
        groups = self.gid[rows]
        if self._starts is not None:  # rows sorted by group: the first of a run of its group
            first = np.concatenate(([True], groups[1:] != groups[:-1]))
        else:
            first = np.unique(groups, return_index=True)[1]
        lead = np.zeros(len(w), dtype=bool)
        lead[rows[first]] = True
        return lead

    def median(self, x: np.ndarray) -> np.ndarray:
        """Per-group median of a per-study array."""
        order = np.lexsort((x, self.gid))
        xs = x[order]
        k = self.k
        start = np.concatenate(([0], np.cumsum(k)[:-1]))
        lo = np.minimum(start + (k - 1) // 2, len(x) - 1)
        hi = np.minimum(start + k // 2, len(x) - 1)
        return np.where(k > 0, (xs[lo] + xs[hi]) / 2, np.nan)

    def rows(self, x: np.ndarray) -> np.ndarray:
        """A per-study array as one value per row, in the order of ``yi``."""
        return x


class Balanced:
    """Studies of ``n`` meta-analyses of ``k`` studies each, as ``(k, n)`` arrays.

    Column j holds group j's studies in their order. Per-group sums add the k rows one
    after another, the same additions in the same order as :class:`Grouped`'s sums over
    a group's rows, so both layouts give the same values; here each addition runs over
    all groups at once (no per-group loop) and a per-group value is spread to the
    studies by broadcasting, without a copy. ``pool_groups`` fits each size of group
    in this layout.
    """

    def __init__(self, yi: np.ndarray, vi: np.ndarray) -> None:
        # row-major, so that a sum over the studies adds whole rows (numpy would add the
        # studies of a column-major array pairwise, in another order)
        self.yi, self.vi = np.ascontiguousarray(yi), np.ascontiguousarray(vi)
        self.n = yi.shape[1]
        self._size = yi.shape[0]

    @classmethod
    def from_rows(cls, yi: np.ndarray, vi: np.ndarray, n: int) -> Balanced:
        """From flat arrays holding ``n`` groups of as many rows each, one after another."""
        return cls(yi.reshape(n, -1 if n else 0).T, vi.reshape(n, -1 if n else 0).T)

    @cached_property
    def k(self) -> np.ndarray:
        """Number of studies per group."""
        return np.full(self.n, self._size, dtype=np.intp)

    @cached_property
    def gid(self) -> np.ndarray:
        """Group of each study, in the order of :meth:`rows`."""
        return np.repeat(np.arange(self.n, dtype=np.intp), self._size)

    def sum(self, x: np.ndarray) -> np.ndarray:
        """Per-group sums of a per-study array, adding the studies in order."""
        if self.n == 1:  # numpy sums a single column pairwise: bincount adds in order
            return np.bincount(np.zeros(self._size, np.intp), weights=x[:, 0], minlength=1)
        return x.sum(axis=0)  # across the rows: in order

    def spread(self, x: np.ndarray) -> np.ndarray:
        """Per-study view of a per-group array (broadcast)."""
        return x[np.newaxis, :]

    def subset(self, groups: np.ndarray) -> Balanced:
        """Select the groups in the boolean mask ``groups``."""
        return Balanced(self.yi[:, groups], self.vi[:, groups])

    def lead(self, w: np.ndarray) -> np.ndarray:
        """Mask of one study per group: the first with the group's largest ``w``."""
        lead = np.zeros(w.shape, dtype=bool)
        if self._size:
            lead[np.argmax(w, axis=0), np.arange(self.n)] = True
        return lead

    def median(self, x: np.ndarray) -> np.ndarray:
        """Per-group median of a per-study array."""
        if self._size == 0:
            return np.full(self.n, np.nan)
        xs = np.sort(x, axis=0)
        return (xs[(self._size - 1) // 2] + xs[self._size // 2]) / 2

    def rows(self, x: np.ndarray) -> np.ndarray:
        """A per-study array as one value per row, groups one after another."""
        return np.broadcast_to(x, self.yi.shape).T.ravel()


#: Either layout of the studies of many meta-analyses.
Studies = Grouped | Balanced


class WeightedFit:
    """Inverse-variance fit of each group at given τ² values (the sums metafor's P uses).

    ``w`` (per study), ``sw`` and ``beta`` (per group) are computed at once; ``sw2``,
    ``sw3``, ``rss`` and ``yppy`` on first use, so a caller pays only for the sums it reads
    (the values are the same whichever is read first).
    """

    def __init__(self, g: Studies, tau2: np.ndarray | None) -> None:
        self._g = g
        self.tau2 = np.zeros(g.n) if tau2 is None else tau2
        # vi + 0.0 is vi to the bit, so a common-effect fit skips the addition
        self.vt = g.vi if tau2 is None else g.vi + g.spread(tau2)  # per study, vi + τ²
        self.w = 1.0 / self.vt
        self.sw = g.sum(self.w)
        self.beta = g.sum(self.w * g.yi) / self.sw

    @cached_property
    def _w2(self) -> np.ndarray:
        return self.w**2

    @cached_property
    def _r2(self) -> np.ndarray:
        return (self._g.yi - self._g.spread(self.beta)) ** 2

    @cached_property
    def sw2(self) -> np.ndarray:
        """Per-group sum of w²."""
        return self._g.sum(self._w2)

    @cached_property
    def sw3(self) -> np.ndarray:
        """Per-group sum of w³."""
        return self._g.sum(self.w**3)

    @cached_property
    def rss(self) -> np.ndarray:
        """Per-group sum of w (y - beta)², the generalised Q statistic."""
        return self._g.sum(self.w * self._r2)

    @cached_property
    def yppy(self) -> np.ndarray:
        """Per-group sum of w² (y - beta)², Y'PPY."""
        return self._g.sum(self._w2 * self._r2)

    @cached_property
    def _others(self) -> tuple[np.ndarray, np.ndarray]:
        """Per study, the sums of w and of w² over the other studies of its group.

        ``S - w_i`` loses every digit when w_i dominates S (one study with a tiny variance),
        so for the study with the largest weight of each group the others are summed
        directly; for every other study ``S - w_i`` is at least that largest weight and
        keeps its precision.
        """
        g, w = self._g, self.w
        lead = g.lead(w)  # one study per group, the first with the largest weight
        rest, rest2 = np.where(lead, 0.0, w), np.where(lead, 0.0, self._w2)
        others = np.where(lead, g.spread(g.sum(rest)), g.spread(self.sw) - w)
        others2 = np.where(lead, g.spread(g.sum(rest2)), g.spread(self.sw2) - self._w2)
        return others, others2

    @property
    def tr_p(self) -> np.ndarray:
        """tr(P) for P = W - w w' / sum(w), from P's entries: sum w_i (S - w_i) / S."""
        others, _ = self._others
        return self._g.sum(self.w * others) / self.sw

    @property
    def tr_pp(self) -> np.ndarray:
        r"""tr(PP) = sum(P * P), from P's entries.

        :math:`P_{ii} = w_i (S - w_i)/S` and :math:`P_{ij} = -w_i w_j / S`, so
        :math:`tr(PP) = \sum_i w_i^2 ((S - w_i)^2 + \sum_{j \ne i} w_j^2) / S^2`, with
        every sum over "the others" taken without subtraction (no cancellation when one
        weight dominates; the expanded form sw2 - 2 sw3/S + sw2²/S² loses every digit).
        """
        others, others2 = self._others
        return self._g.sum(self._w2 * (others**2 + others2)) / self.sw**2


def weighted_fit(g: Studies, tau2: np.ndarray | None) -> WeightedFit:
    """Weighted means and the sums of the P matrix at per-group ``tau2`` (None: τ² = 0)."""
    return WeightedFit(g, tau2)


@dataclass(frozen=True)
class Tau2Fit:
    """Per-group τ² estimates, with the weighted fits at τ² = 0 and at the estimate."""

    tau2: np.ndarray
    se: np.ndarray
    raw: np.ndarray  # estimate before truncation at 0 (DL, HE start); NaN if not defined
    converged: np.ndarray
    ll0_reset: np.ndarray  # REML/ML only: τ² set to 0 by metafor's ll0check
    fe: WeightedFit  # the common-effect fit (τ² = 0): Q, tr(P) for I²
    fit: WeightedFit  # the fit at τ² (0 where τ² is NaN): the pooled estimate


def estimate_tau2(g: Studies, method: str) -> Tau2Fit:
    """Estimate τ² for every group with ``method`` in FE, DL, REML, ML, PM.

    Groups with a single study get τ² = 0 and NaN standard error (metafor's ``k = 1`` rule).
    The common-effect fit is computed once and shared by the estimator, Q and I², and the
    fit at the estimate is returned for the pooled estimate, so no fit is repeated.
    """
    k = g.k
    single = k < 2
    no = np.zeros(g.n, dtype=bool)
    nan = np.full(g.n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        fe = weighted_fit(g, None)
        if method == "FE":
            return Tau2Fit(np.zeros(g.n), nan, nan, ~no, no, fe, fe)
        fit = None
        if method == "DL":
            tau2, se, raw = _dl(g, fe)
            converged, ll0_reset = ~no, no
        elif method in ("REML", "ML"):
            tau2, raw, converged, ll0_reset, fit = _fisher_scoring(g, method, fe)
        elif method == "PM":
            tau2, converged = _paule_mandel(g, fe)
            raw, ll0_reset = nan, no
        else:
            raise ValueError(f"method must be one of FE, DL, REML, PM, ML; got {method!r}")
        tau2 = np.where(single, 0.0, tau2)
        if fit is None or not np.array_equal(fit.tau2, np.nan_to_num(tau2)):
            fit = weighted_fit(g, np.nan_to_num(tau2))
        if method == "REML":
            se = np.sqrt(2 / fit.tr_pp)
        elif method == "ML":
            se = np.sqrt(2 / fit.sw2)
        elif method == "PM":
            se = np.sqrt(2 * k**2 / (k - 1)) / fit.sw
    return Tau2Fit(
        tau2=tau2,
        se=np.where(single, np.nan, se),
        raw=np.where(single, np.nan, raw),
        converged=converged | single,
        ll0_reset=ll0_reset & ~single,
        fe=fe,
        fit=fit,
    )


def _dl(g: Studies, fe: WeightedFit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DerSimonian-Laird τ², its SE and the untruncated estimate, from the common-effect fit."""
    k = g.k
    raw = (fe.rss - (k - 1)) / fe.tr_p
    tau2 = np.maximum(raw, 0.0)
    se = np.sqrt((2 * (k - 1) + 4 * tau2 * fe.tr_p + 2 * tau2**2 * fe.tr_pp) / fe.tr_p**2)
    return tau2, se, raw


def _he(g: Studies) -> np.ndarray:
    """Hedges' (HE) estimator, metafor's starting value for REML and ML (untruncated)."""
    k = g.k
    ybar = g.sum(g.yi) / k
    rss = g.sum((g.yi - g.spread(ybar)) ** 2)
    tr_pv = g.sum(g.vi) * (k - 1) / k
    return (rss - tr_pv) / (k - 1)


def _fisher_scoring(
    g: Studies, method: str, fe: WeightedFit
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, WeightedFit]:
    """REML/ML Fisher scoring and ll0check: τ², HE start, converged, reset, the fit at τ²."""
    raw = _he(g)
    tau2 = np.maximum(0.0, np.nan_to_num(raw, nan=0.0))
    active = g.k > 1
    converged = ~active
    # iterate only the groups still moving, on a table that shrinks as groups converge: a
    # few slow groups must cost a pass over their own rows, not over every row
    index = np.flatnonzero(active)
    sub = g.subset(active)
    t_old = tau2[index]
    for iteration in range(1, MAXITER + 2):
        if not len(index):
            break
        fit = weighted_fit(sub, t_old)
        if method == "REML":
            adj = (fit.yppy - fit.tr_p) / fit.tr_pp
        else:
            adj = (fit.yppy - fit.sw) / fit.sw2
        adj = np.where(np.isfinite(adj), adj, 0.0)
        while (low := t_old + adj < 0).any():
            adj = np.where(low, adj / 2, adj)
        new = t_old + adj
        tau2[index] = new
        if iteration > MAXITER:  # metafor gives up after 100 steps, even on a small change
            break
        done = np.abs(new - t_old) <= THRESHOLD
        converged[index[done]] = True
        if done.any():
            moving = ~done
            sub, index, t_old = sub.subset(moving), index[moving], new[moving]
        else:
            t_old = new
    at_tau2 = weighted_fit(g, tau2)
    ll0_reset = _ll0check(g, fe, at_tau2, method) & converged
    tau2 = np.where(ll0_reset, 0.0, tau2)
    tau2 = np.where(converged, tau2, np.nan)
    return tau2, raw, converged, ll0_reset, at_tau2


def _loglik(g: Studies, fit: WeightedFit, method: str) -> np.ndarray:
    """Log-likelihood at the fit's τ², up to the constant shared by τ² = 0 and τ² > 0."""
    ll = -0.5 * g.sum(np.log(fit.vt)) - 0.5 * fit.rss
    if method == "REML":
        ll -= 0.5 * np.log(fit.sw)
    return ll


def _ll0check(g: Studies, fe: WeightedFit, fit: WeightedFit, method: str) -> np.ndarray:
    """Apply metafor's check that Fisher scoring did not stop at a local maximum above 0."""
    ll0 = _loglik(g, fe, method)
    ll = _loglik(g, fit, method)
    return (ll0 - ll > TOL) & (fit.tau2 > THRESHOLD)


def _paule_mandel(g: Studies, fe: WeightedFit) -> tuple[np.ndarray, np.ndarray]:
    """Paule-Mandel τ² (NaN where no root was found) and the converged mask."""
    k = g.k
    target = (k - 1).astype(float)

    def f(t: np.ndarray) -> np.ndarray:
        return weighted_fit(g, t).rss - target

    lower = np.zeros(g.n)
    mad = 1.4826 * g.median(np.abs(g.yi - g.spread(g.median(g.yi))))
    upper = np.maximum(TAU2_MAX, 10 * mad**2)
    f_lower, f_upper = fe.rss - target, f(upper)
    at_zero = f_lower < 0
    search = (k > 1) & ~at_zero & (f_upper <= 0)
    root, found = zeroin(f, lower, upper, f_lower, f_upper, search)
    tau2 = np.where(at_zero, 0.0, np.where(search & found, np.maximum(root, 0.0), np.nan))
    converged = at_zero | (search & found)
    return tau2, converged


def zeroin(
    f: Callable[[np.ndarray], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    fa: np.ndarray,
    fb: np.ndarray,
    active: np.ndarray,
    tol: float = TOL,
    maxit: int = MAXITER,
) -> tuple[np.ndarray, np.ndarray]:
    """Brent's root finder, a line-by-line vectorised port of R's ``R_zeroin2`` (uniroot).

    Each element is an independent problem; only elements in ``active`` are iterated.
    Returns the roots and a mask of the elements that converged.
    """
    eps = np.finfo(float).eps
    a, b, fa, fb = a.copy(), b.copy(), fa.copy(), fb.copy()
    c, fc = a.copy(), fa.copy()
    root = np.where(fa == 0, a, b)
    found = active & ((fa == 0) | (fb == 0))
    active = active & ~found
    for _ in range(maxit + 1):
        if not active.any():
            break
        prev_step = b - a
        swap = active & (np.abs(fc) < np.abs(fb))
        a, b, c = np.where(swap, b, a), np.where(swap, c, b), np.where(swap, b, c)
        fa, fb, fc = np.where(swap, fb, fa), np.where(swap, fc, fb), np.where(swap, fb, fc)
        tol_act = 2 * eps * np.abs(b) + tol / 2
        new_step = (c - b) / 2
        done = active & ((np.abs(new_step) <= tol_act) | (fb == 0))
        root = np.where(done, b, root)
        found |= done
        active &= ~done
        cb = c - b
        t1 = fb / fa
        q_, t1q, t2 = fa / fc, fb / fc, fb / fa
        p = np.where(a == c, cb * t1, t2 * (cb * q_ * (q_ - t1q) - (b - a) * (t1q - 1.0)))
        q = np.where(a == c, 1.0 - t1, (q_ - 1.0) * (t1q - 1.0) * (t2 - 1.0))
        q = np.where(p > 0, -q, q)
        p = np.abs(p)
        interpolate = (np.abs(prev_step) >= tol_act) & (np.abs(fa) > np.abs(fb))
        accept = (
            interpolate
            & (p < 0.75 * cb * q - np.abs(tol_act * q) / 2)
            & (p < np.abs(prev_step * q / 2))
        )
        new_step = np.where(accept, p / q, new_step)
        new_step = np.where(
            np.abs(new_step) < tol_act, np.where(new_step > 0, tol_act, -tol_act), new_step
        )
        a, fa = np.where(active, b, a), np.where(active, fb, fa)
        b = np.where(active, b + new_step, b)
        fb = np.where(active, f(b), fb)
        same_sign = active & (((fb > 0) & (fc > 0)) | ((fb < 0) & (fc < 0)))
        c, fc = np.where(same_sign, a, c), np.where(same_sign, fa, fc)
    return np.where(found, root, b), found


#: metafor's ``rma.uni`` warns when max(vi) / min(vi) reaches ``1 / evtol`` (evtol = 1e-7).
VI_RATIO_WARN = 1e7

#: Points of the τ² grid on which :func:`interior_peak` looks for a second peak.
PEAK_GRID = 400


def interior_peak(yi: np.ndarray, vi: np.ndarray, method: str) -> tuple[float, float] | None:
    """A higher maximum of the (restricted) log-likelihood at τ² > 0 than at τ² = 0.

    For a REML or ML fit whose estimate is τ² = 0: the log-likelihood can have two peaks,
    one at 0 (where the profile slope is negative) and a higher one inside (0, ∞); Fisher
    scoring, from metafor's starting value, may then stop at 0, as metafor does. The
    log-likelihood is evaluated on a log-spaced grid of ``PEAK_GRID`` values of τ² up to
    max(100, 10 var(y)) and the best grid point refined by a bounded search.

    Returns
    -------
    (float, float) or None
        The τ² of the higher peak and how much higher its log-likelihood is than at 0, or
        None if no value of τ² beats 0 by more than ``TOL`` (metafor's ``ll0check``
        tolerance).
    """
    from scipy import optimize

    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    k = len(y)
    if k < 2 or method not in ("REML", "ML"):
        return None
    upper = max(TAU2_MAX, 10 * float(np.var(y, ddof=1)))
    grid = np.geomspace(upper * 1e-9, upper, PEAK_GRID)
    gid = np.repeat(np.arange(PEAK_GRID), k)
    many = Grouped(np.tile(y, PEAK_GRID), np.tile(v, PEAK_GRID), gid, PEAK_GRID)
    one = Grouped(y, v, np.zeros(k, dtype=np.intp), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = _loglik(many, weighted_fit(many, grid), method)
        ll0 = float(_loglik(one, weighted_fit(one, None), method)[0])
    best = int(np.argmax(ll))
    if not ll[best] - ll0 > TOL:
        return None

    def minus_ll(log_t: float) -> float:
        return -float(_loglik(one, weighted_fit(one, np.array([np.exp(log_t)])), method)[0])

    lo, hi = np.log(grid[max(best - 1, 0)]), np.log(grid[min(best + 1, PEAK_GRID - 1)])
    found = optimize.minimize_scalar(
        minus_ll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    tau2, ll_peak = (float(np.exp(found.x)), -float(found.fun))
    if ll_peak < ll[best]:
        tau2, ll_peak = float(grid[best]), float(ll[best])
    return tau2, ll_peak - ll0
