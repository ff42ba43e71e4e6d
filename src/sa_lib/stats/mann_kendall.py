"""The Mann-Kendall trend test with the tie correction and Sen's slope.

Re-exported by :mod:`sa_lib.stats.trend`, the module of the other trend methods.

Examples
--------
>>> from sa_lib.stats.mann_kendall import mann_kendall
>>> mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11]).s
41
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sa_lib.validation import require_probability, warn

__all__ = ["MannKendallResult", "mann_kendall", "tau_and_p"]


@dataclass(frozen=True)
class MannKendallResult:
    """Result of :func:`mann_kendall`.

    Attributes
    ----------
    n : int
        Number of observations.
    s : int
        Mann-Kendall S: the number of later-higher pairs minus later-lower pairs.
    var_s : float
        Variance of S under no trend, with the tie correction.
    z : float
        Standardised statistic with continuity correction: ``(S - sign(S)) / sqrt(var_s)``.
    p_value : float
        Two-sided p-value from the normal approximation.
    tau : float
        Kendall's tau-a, ``S / (n (n - 1) / 2)``.
    sens_slope : float
        Sen's slope: the median of all pairwise slopes, per step (e.g. per month).
    intercept : float
        Conover's intercept, ``median(x) - sens_slope * median(t)`` (t = 0, 1, ...).
    trend : str
        ``"increasing"`` or ``"decreasing"`` when ``p_value < alpha``, else ``"no trend"``.
    significant : bool
        ``p_value < alpha``.
    alpha : float
        The significance level used.
    """

    n: int
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float
    sens_slope: float
    intercept: float
    trend: str
    significant: bool
    alpha: float


def mann_kendall(series, alpha: float = 0.05) -> MannKendallResult:
    """Mann-Kendall trend test with tie correction and Sen's slope.

    ``S = sum_{i<j} sign(x_j - x_i)``; under no trend ``Var(S) = [n(n-1)(2n+5) -
    sum_t t(t-1)(2t+5)] / 18`` where ``t`` runs over the sizes of groups of tied values;
    ``Z = (S - 1)/sqrt(Var S)`` if ``S > 0``, ``(S + 1)/sqrt(Var S)`` if ``S < 0``, else 0;
    the p-value is two-sided from the standard normal.

    Parameters
    ----------
    series : array-like or Series
        Values in time order, equally spaced, no missing values (at least 3).
    alpha : float, default 0.05
        Significance level.

    Returns
    -------
    MannKendallResult

    Raises
    ------
    ValueError
        If there are fewer than 3 values, or a value is missing or non-numeric.

    Examples
    --------
    >>> r = mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11])
    >>> r.s, r.var_s, r.trend
    (41, 125.0, 'increasing')
    """
    require_probability(alpha, arg="alpha")
    try:
        x = np.asarray(pd.Series(series), dtype=float)
    except (ValueError, TypeError):
        raise ValueError(
            "series must be numeric (one value per period in time order); "
            "convert it with pd.to_numeric(series)."
        ) from None
    if x.ndim != 1:
        raise ValueError("series must be one-dimensional (one value per period).")
    bad = np.isnan(x)
    if bad.any():
        raise ValueError(
            f"series has {int(bad.sum())} missing value(s); the first is at position "
            f"{int(np.argmax(bad))}. Mann-Kendall needs a complete series: fill gaps "
            f"(0 for months with no records) or drop them knowingly."
        )
    n = len(x)
    if n < 3:
        raise ValueError(f"series has {n} value(s); Mann-Kendall needs at least 3 (ideally 10+).")
    if n < 10:
        warn(f"series has only {n} values; the Mann-Kendall normal approximation needs ~10+.")
    i, j = np.triu_indices(n, k=1)
    diff = x[j] - x[i]
    s = int(np.sign(diff).sum())
    _, ties = np.unique(x, return_counts=True)
    ties = ties[ties > 1].astype(float)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18
    if s > 0 and var_s > 0:
        z = (s - 1) / np.sqrt(var_s)
    elif s < 0 and var_s > 0:
        z = (s + 1) / np.sqrt(var_s)
    else:
        z = 0.0
    p = float(2 * stats.norm.sf(abs(z)))
    slope = float(np.median(diff / (j - i)))
    intercept = float(np.median(x) - slope * np.median(np.arange(n)))
    significant = p < alpha
    trend = ("increasing" if s > 0 else "decreasing") if significant else "no trend"
    return MannKendallResult(
        n=n,
        s=s,
        var_s=float(var_s),
        z=float(z),
        p_value=p,
        tau=float(s / (n * (n - 1) / 2)),
        sens_slope=slope,
        intercept=intercept,
        trend=trend,
        significant=bool(significant),
        alpha=float(alpha),
    )


def tau_and_p(rows) -> tuple[np.ndarray, np.ndarray]:
    """Kendall's tau and the two-sided p-value of :func:`mann_kendall` for every row at once.

    The same statistic, tie correction and continuity correction as :func:`mann_kendall`,
    computed for many series of one length (e.g. every grid cell's monthly z-scores) in
    a few array operations instead of one call per series. A constant row has tau 0 and
    p 1. No validation: the values must be finite, one series per row, in time order.

    Parameters
    ----------
    rows : array-like of shape (series, periods)
        At least 3 periods.

    Returns
    -------
    tau, p : ndarray, ndarray
        One value per row.

    Examples
    --------
    >>> tau, p = tau_and_p([[1, 3, 2, 4, 5, 7, 6, 8, 9, 11], [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]])
    >>> r = mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11])
    >>> bool(tau[0] == r.tau and p[0] == r.p_value), float(tau[1]), float(p[1])
    (True, 0.0, 1.0)
    """
    x = np.asarray(rows, dtype=float)
    m, n = x.shape
    i, j = np.triu_indices(n, k=1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    # Tied groups: runs of equal values in each sorted row, sized by a bincount.
    srt = np.sort(x, axis=1)
    start = np.ones((m, n), dtype=bool)
    start[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group = np.cumsum(start, axis=1) - 1 + n * np.arange(m)[:, None]
    t = np.bincount(group.ravel(), minlength=m * n).reshape(m, n).astype(float)
    ties = (t * (t - 1) * (2 * t + 5)).sum(axis=1)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18
    root = np.sqrt(np.where(var_s > 0, var_s, 1.0))
    z = np.where(
        var_s > 0, np.where(s > 0, (s - 1) / root, np.where(s < 0, (s + 1) / root, 0.0)), 0.0
    )
    return s / (n * (n - 1) / 2), 2 * stats.norm.sf(np.abs(z))
