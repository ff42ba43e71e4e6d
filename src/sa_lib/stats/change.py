"""Change in counts between two periods, with a test of whether it is more than chance.

Each row of the input holds a count for an earlier period (``before``) and a later
period (``after``), e.g. one crime type, one ward or one grid cell. The counts are
treated as Poisson, so the question "did it really change?" is a comparison of two
Poisson rates. The rate ratio is ``(after / exposure_after) / (before / exposure_before)``.

Methods
-------
``method="exact"`` (the default, recorded with :func:`sa_lib.choices.record_choice`)
    The exact conditional test: given the total ``n = before + after``, ``after`` is
    binomial with ``p0 = exposure_after / (exposure_before + exposure_after)`` when the
    rates are equal. The p-value is the two-sided "minlike" binomial p-value
    (``statsmodels.stats.rates.test_poisson_2indep(..., method="exact-cond")``, which is
    the same as ``scipy.stats.binomtest``). The rate-ratio interval is the exact
    (Clopper-Pearson) interval for ``p`` mapped to the ratio scale by
    ``rr = p / (1 - p) * exposure_before / exposure_after``. Valid for small counts.
``method="score"``
    The score test (Gu et al. 2008, method W2A) from
    ``statsmodels.stats.rates.test_poisson_2indep``, and the score interval (the same as
    ``confint_poisson_2indep(method="score")``, solved in closed form so that thousands
    of grid cells are fast). Where a count is zero the score interval is undefined, so
    those rows use the exact interval.
``dispersion=`` (quasi-Poisson, for over-dispersed series)
    Monthly crime counts vary more than Poisson counts do; the trend model measures
    this as its Pearson dispersion ``phi`` (see :func:`sa_lib.stats.dispersion.series_dispersion`).
    Rows given ``phi > 1`` are tested as a quasi-Poisson rate ratio, as R's
    ``summary(glm(y ~ period + offset(log(exposure)), family = quasipoisson))`` would
    with that dispersion: ``log(rr) / sqrt(phi * (1/after + 1/before))`` against
    ``t(dispersion_df)`` (the normal when no df is given), and the interval
    ``exp(log(rr) +/- q * se)``. Where a count is 0 the log ratio is undefined, so the
    conditional score statistic divided by ``sqrt(phi)`` is used instead. Rows with
    ``phi <= 1`` (the series shows no overdispersion) keep ``method``.

Exposure is the days at risk of each period wherever periods can differ in length
(a 28-day February against a 31-day January), so the rate ratio is per day.

Multiple comparisons (many crime types or cells tested at once) are adjusted with
:func:`sa_lib.stats.multiplicity.adjust_p_values` (``correction="fdr_bh"`` or
``"bonferroni"``); ``significant`` always uses the adjusted p-value.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.change import compare_counts
>>> df = pd.DataFrame({"count_before": [10, 410], "count_after": [30, 459]})
>>> out = compare_counts(df, alpha=0.05, correction="none", method="exact")
>>> out["change_label"].tolist()
['significant increase', 'increase, not significant']
>>> q = compare_counts(df.iloc[:1], correction="none", dispersion=6.0, dispersion_df=20)
>>> q["test"].item(), bool(q["significant"].item())
('quasi-Poisson', False)
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats import rates as sm_rates

from sa_lib.choices import record_choice
from sa_lib.stats.multiplicity import adjust_p_values
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_dataframe,
    require_no_missing,
    require_non_negative,
    require_probability,
)

__all__ = [
    "compare_counts",
    "compare_two",
    "quasi_rate_test",
    "CORRECTIONS",
    "METHODS",
    "OUTPUT_COLUMNS",
]

CORRECTIONS = ("none", "fdr_bh", "bonferroni")
METHODS = ("exact", "score")
OUTPUT_COLUMNS = [
    "change",
    "pct_change",
    "rate_ratio",
    "rr_lower",
    "rr_upper",
    "p_value",
    "p_adjusted",
    "significant",
    "change_label",
    "test",
]

#: How each test is named in the ``test`` column (and on Methods).
TEST_NAMES = {
    "exact": "exact Poisson",
    "score": "Poisson score",
    "quasi": "quasi-Poisson",
}


def _exposure(
    df: pd.DataFrame, exposure: str | float | int | None, arg: str
) -> tuple[np.ndarray, bool]:
    """Return the exposure as a float array and whether it was given."""
    if exposure is None:
        return np.ones(len(df)), False
    if isinstance(exposure, str):
        require_columns(
            df,
            [exposure],
            arg="df",
            fix=f"pass {arg}= the name of a column in df, a number, or None for equal periods.",
        )
        require_no_missing(
            df, exposure, arg="df", fix=f"fill or drop rows with no {arg} before comparing."
        )
        require_non_negative(df, exposure, arg="df")
        values = df[exposure].to_numpy(dtype=float)
        bad = values <= 0
        label = first_bad_row(df, bad)
        if label is not None:
            raise ValueError(
                f"df[{exposure!r}] ({arg}) must be greater than zero; found 0 at row {label!r} "
                f"({int(bad.sum())} zero value(s)). A period with no exposure cannot be "
                f"compared: drop the row or correct the exposure."
            )
        return values, True
    if (
        isinstance(exposure, bool)
        or not isinstance(exposure, int | float | np.integer | np.floating)
        or not np.isfinite(exposure)
        or exposure <= 0
    ):
        raise ValueError(
            f"{arg} must be a column name, a positive number (e.g. months in the period) or "
            f"None, got {exposure!r}."
        )
    return np.full(len(df), float(exposure)), True


def _check_counts(df: pd.DataFrame, column: str, arg: str) -> np.ndarray:
    require_columns(
        df,
        [column],
        arg="df",
        fix=f"name the column holding the counts with {arg}=..., e.g. {arg}='count_2023'.",
    )
    require_no_missing(
        df, column, arg="df", fix="fill missing counts with 0 if nothing was recorded."
    )
    require_non_negative(df, column, arg="df")
    values = df[column].to_numpy(dtype=float)
    bad = values != np.round(values)
    label = first_bad_row(df, bad)
    if label is not None:
        raise ValueError(
            f"df[{column!r}] ({arg}) must hold whole-number counts; found "
            f"{float(df[column].loc[label])!r} at row {label!r}. Compare counts, not rates: "
            f"pass the population or period length as exposure_before/exposure_after."
        )
    return values


def _exact_rr_ci(
    before: float, after: float, e_before: float, e_after: float, alpha: float
) -> tuple[float, float]:
    """Exact conditional (Clopper-Pearson) interval for the rate ratio after/before."""
    n = before + after
    if n == 0:
        return np.nan, np.nan
    p_lo = 0.0 if after == 0 else stats.beta.ppf(alpha / 2, after, before + 1)
    p_hi = 1.0 if before == 0 else stats.beta.ppf(1 - alpha / 2, after + 1, before)
    scale = e_before / e_after
    lo = p_lo / (1 - p_lo) * scale
    hi = np.inf if p_hi >= 1 else p_hi / (1 - p_hi) * scale
    return float(lo), float(hi)


def _score_rr_ci(before, after, e_before, e_after, alpha: float):
    """Score (W2A) interval for the rate ratio, by inverting the score test in closed form.

    The score statistic for ratio ``r`` is ``(y1 - y2 x) / sqrt((y1 + y2) x)`` with
    ``x = r * e_after / e_before`` (y1 = after, y2 = before); setting it to ``±z`` gives
    the quadratic ``y2² x² - (2 y1 y2 + z² (y1 + y2)) x + y1² = 0``. This is the interval
    ``statsmodels.stats.rates.confint_poisson_2indep(method="score")`` finds numerically.
    Needs both counts > 0.
    """
    y1, y2 = np.asarray(after, dtype=float), np.asarray(before, dtype=float)
    z2 = stats.norm.ppf(1 - alpha / 2) ** 2
    big_b = 2 * y1 * y2 + z2 * (y1 + y2)
    root = np.sqrt(big_b**2 - 4 * y2**2 * y1**2)
    scale = np.asarray(e_before, dtype=float) / np.asarray(e_after, dtype=float)
    return (big_b - root) / (2 * y2**2) * scale, (big_b + root) / (2 * y2**2) * scale


def quasi_rate_test(
    before, after, e_before, e_after, dispersion, df=None, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quasi-Poisson rate-ratio test: p-value and interval with the dispersion allowed for.

    Vectorised over rows. With both counts above 0 this is the Wald test of the period
    coefficient of a quasi-Poisson GLM with the dispersion fixed at ``dispersion``:
    ``se = sqrt(phi (1/after + 1/before))``, ``t = log(rr) / se``, two-sided against
    ``t(df)`` (normal when ``df`` is None). Where a count is 0, the conditional score
    statistic ``(after - n p0) / sqrt(phi n p0 (1 - p0))`` is used for the p-value and
    the exact interval widened by ``sqrt(phi)`` on the log scale is not defined, so the
    interval is the exact one (conservative only in the p-value).

    Returns
    -------
    (p, lower, upper) : arrays

    Examples
    --------
    >>> p, lo, hi = quasi_rate_test([725], [891], [366], [365], [5.0], 20)
    >>> round(float(p[0]), 3)
    0.076
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    e_b = np.asarray(e_before, dtype=float)
    e_a = np.asarray(e_after, dtype=float)
    phi = np.broadcast_to(np.asarray(dispersion, dtype=float), b.shape)
    dfs = np.broadcast_to(np.asarray(np.nan if df is None else df, dtype=float), b.shape)
    p = np.full(b.shape, np.nan)
    lo = np.full(b.shape, np.nan)
    hi = np.full(b.shape, np.nan)
    both = (a > 0) & (b > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rr = np.log((a / e_a) / (b / e_b))
        se = np.sqrt(phi * (1 / a + 1 / b))
        n = a + b
        p0 = e_a / (e_a + e_b)
        score = (a - n * p0) / np.sqrt(phi * n * p0 * (1 - p0))
        stat = np.where(both, log_rr / se, score)
    use_t = np.isfinite(dfs) & (dfs > 0)
    p_t = 2 * stats.t.sf(np.abs(stat), np.where(use_t, dfs, 1.0))
    p_z = 2 * stats.norm.sf(np.abs(stat))
    tested = n > 0
    p[tested] = np.where(use_t, p_t, p_z)[tested]
    q = np.where(
        use_t,
        stats.t.ppf(1 - alpha / 2, np.where(use_t, dfs, 1.0)),
        stats.norm.ppf(1 - alpha / 2),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_all, hi_all = np.exp(log_rr - q * se), np.exp(log_rr + q * se)
    lo[both], hi[both] = lo_all[both], hi_all[both]
    for i in np.flatnonzero(tested & ~both):
        lo[i], hi[i] = _exact_rr_ci(b[i], a[i], e_b[i], e_a[i], alpha)
    return p, lo, hi


def _dispersion(df: pd.DataFrame, value, arg: str) -> np.ndarray:
    """The dispersion (or its df) per row: a column, a number, or None (NaN: not given)."""
    if value is None:
        return np.full(len(df), np.nan)
    if isinstance(value, str):
        require_columns(df, [value], arg="df", fix=f"pass {arg}= a column of df or a number.")
        return df[value].to_numpy(dtype=float)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{arg} must be a column name, a number or None, got {value!r}.")
    return np.full(len(df), float(value))


def _label(rr: float, before: float, after: float, significant: bool) -> str:
    if before == 0 and after == 0:
        return "no change (both 0)"
    if before == 0:
        # A new item is tested like any other: 0 -> 3 is not 0 -> 12.
        return (
            "new (was 0), significant increase" if significant else "new (was 0), not significant"
        )
    if rr == 1:
        return "no change"
    direction = "increase" if rr > 1 else "decrease"
    return f"significant {direction}" if significant else f"{direction}, not significant"


def compare_counts(
    df: pd.DataFrame,
    before: str = "count_before",
    after: str = "count_after",
    exposure_before: str | float | None = None,
    exposure_after: str | float | None = None,
    alpha: float = 0.05,
    correction: str = "none",
    method: str | None = None,
    dispersion: str | float | None = None,
    dispersion_df: str | float | None = None,
) -> pd.DataFrame:
    """Compare counts between two periods, row by row, with a Poisson rate test.

    Parameters
    ----------
    df : DataFrame
        One row per thing compared (crime type, area, grid cell). Not changed.
    before, after : str
        Columns holding the whole-number counts for the earlier and later period.
    exposure_before, exposure_after : str, float or None
        The exposure of each period: a column name (e.g. population), a number
        (e.g. months in the period) or None (equal periods). Rates are count / exposure,
        so a 9-month period can be compared with a 12-month one.
    alpha : float, default 0.05
        Significance level, strictly between 0 and 1.
    correction : {"none", "fdr_bh", "bonferroni"}, default "none"
        Multiple-comparison adjustment across the rows (:func:`sa_lib.stats.multiplicity.adjust_p_values`).
        Rows where both counts are 0 are not tested and not counted.
    method : {"exact", "score"} or None
        The test (see the module docstring). None means "exact", recorded as a choice.
    dispersion : str, float or None
        The series' Pearson dispersion per row (a column or one number). Rows with a
        value above 1 are tested as quasi-Poisson (see the module docstring); rows with
        1 or less, or NaN, keep ``method``.
    dispersion_df : str, float or None
        Residual degrees of freedom of the model that estimated the dispersion: the
        quasi-Poisson test reads ``t(dispersion_df)`` (normal when None or NaN).

    Returns
    -------
    DataFrame
        A copy of ``df`` with added columns:

        - ``change``: ``after - before`` (counts).
        - ``pct_change``: ``100 * (after - before) / before``; NaN when ``before`` is 0.
        - ``rate_ratio``: ``(after / exposure_after) / (before / exposure_before)``;
          inf when only ``before`` is 0, NaN when both are 0.
        - ``rr_lower``, ``rr_upper``: ``1 - alpha`` confidence interval of the rate ratio.
        - ``p_value``: two-sided p-value (NaN when both counts are 0).
        - ``p_adjusted``: p-value after ``correction`` (equal to ``p_value`` for "none").
        - ``significant``: bool, ``p_adjusted < alpha``.
        - ``change_label``: "significant increase", "significant decrease",
          "increase, not significant", "decrease, not significant", "no change",
          "new (was 0), significant increase", "new (was 0), not significant" or
          "no change (both 0)". The direction follows the rate ratio.
        - ``test``: the test each row was given ("exact Poisson", "Poisson score",
          "quasi-Poisson"; "" where both counts are 0).

    Raises
    ------
    ValueError
        If a column is missing, a count is missing, negative or not whole, an exposure is
        not positive, or ``alpha`` / ``correction`` / ``method`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"count_before": [0, 12], "count_after": [5, 12]})
    >>> compare_counts(df, correction="none", method="exact")["change_label"].tolist()
    ['new (was 0), not significant', 'no change']
    """
    require_dataframe(df, "df")
    require_probability(alpha, arg="alpha")
    require_choice(correction, CORRECTIONS, arg="correction")
    if method is None:
        method = "exact"
        record_choice(
            "change test",
            "exact conditional Poisson test",
            "default for compare_counts: valid for the small counts of single areas or cells",
        )
    require_choice(method, METHODS, arg="method")
    b = _check_counts(df, before, "before")
    a = _check_counts(df, after, "after")
    e_b, _ = _exposure(df, exposure_before, "exposure_before")
    e_a, _ = _exposure(df, exposure_after, "exposure_after")
    phi = _dispersion(df, dispersion, "dispersion")
    phi_df = _dispersion(df, dispersion_df, "dispersion_df")
    quasi = np.nan_to_num(phi, nan=1.0) > 1

    out = df.copy()
    n = len(df)
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = (a / e_a) / (b / e_b)
        pct = np.where(b > 0, 100 * (a - b) / np.where(b > 0, b, 1), np.nan)
    p = np.full(n, np.nan)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    tested = (a + b) > 0
    plain = tested & ~quasi
    # statsmodels divides by the rate ratio, which is inf when before is 0; harmless.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "exact":
            for i in np.flatnonzero(plain):
                p[i] = sm_rates.test_poisson_2indep(
                    int(a[i]), e_a[i], int(b[i]), e_b[i], method="exact-cond"
                ).pvalue
                lo[i], hi[i] = _exact_rr_ci(b[i], a[i], e_b[i], e_a[i], alpha)
        elif plain.any():
            t = plain
            p[t] = sm_rates.test_poisson_2indep(a[t], e_a[t], b[t], e_b[t], method="score").pvalue
            both = t & (a > 0) & (b > 0)
            lo[both], hi[both] = _score_rr_ci(b[both], a[both], e_b[both], e_a[both], alpha)
            for i in np.flatnonzero(t & ~both):
                lo[i], hi[i] = _exact_rr_ci(b[i], a[i], e_b[i], e_a[i], alpha)
    q = tested & quasi
    if q.any():
        p[q], lo[q], hi[q] = quasi_rate_test(b[q], a[q], e_b[q], e_a[q], phi[q], phi_df[q], alpha)
    p = np.clip(p, 0.0, 1.0)

    tested = ~np.isnan(p)
    p_adj = p.copy()
    if correction != "none" and tested.any():
        p_adj[tested] = adjust_p_values(p[tested], correction, alpha)
    significant = tested & (np.nan_to_num(p_adj, nan=1.0) < alpha)

    out["change"] = df[after] - df[before]
    out["pct_change"] = pct
    out["rate_ratio"] = rr
    out["rr_lower"] = lo
    out["rr_upper"] = hi
    out["p_value"] = p
    out["p_adjusted"] = p_adj
    out["significant"] = significant.astype(bool)
    out["change_label"] = [_label(rr[i], b[i], a[i], bool(significant[i])) for i in range(n)]
    out["test"] = np.where(
        ~tested, "", np.where(quasi, TEST_NAMES["quasi"], TEST_NAMES[method])
    ).astype(object)
    return out


def compare_two(
    before: int,
    after: int,
    exposure_before: float = 1.0,
    exposure_after: float = 1.0,
    alpha: float = 0.05,
    method: str = "exact",
    dispersion: float | None = None,
    dispersion_df: float | None = None,
) -> pd.Series:
    """Compare a single pair of counts; a scalar wrapper around :func:`compare_counts`.

    Parameters
    ----------
    before, after : int
        Counts in the earlier and later period.
    exposure_before, exposure_after : float, default 1.0
        Exposure of each period (e.g. months or population).
    alpha : float, default 0.05
        Significance level.
    method : {"exact", "score"}, default "exact"
        The test (see the module docstring).
    dispersion, dispersion_df : float, optional
        The series' dispersion and its df: above 1, a quasi-Poisson test.

    Returns
    -------
    Series
        The row from :func:`compare_counts` (``count_before``, ``count_after`` and the
        output columns listed there).

    Examples
    --------
    >>> bool(compare_two(10, 30)["significant"])
    True
    """
    df = pd.DataFrame({"count_before": [before], "count_after": [after]})
    return compare_counts(
        df,
        exposure_before=exposure_before,
        exposure_after=exposure_after,
        alpha=alpha,
        correction="none",
        method=method,
        dispersion=dispersion,
        dispersion_df=dispersion_df,
    ).iloc[0]
