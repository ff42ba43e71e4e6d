"""Crude rates (per 1,000 or any multiplier) and proportions with confidence intervals.

The methods follow the UK public-health indicator tools (PHE/OHID Fingertips
technical guidance; APHO "Technical Briefing 3: Commonly used public health
statistics and their confidence intervals"):

- **Counts of 10 or more**: Byar's approximation to the exact Poisson interval for
  the count ``O``, then divided by the population::

      lower = O * (1 - 1 / (9 O) - z / (3 sqrt(O))) ** 3
      upper = (O + 1) * (1 - 1 / (9 (O + 1)) + z / (3 sqrt(O + 1))) ** 3

- **Counts below 10**: the exact Poisson interval from the chi-square distribution::

      lower = chi2.ppf(alpha / 2, 2 O) / 2          (0 when O = 0)
      upper = chi2.ppf(1 - alpha / 2, 2 O + 2) / 2

- **Proportions**: the Wilson score interval.

``z`` is the ``1 - alpha / 2`` quantile of the standard normal, ``alpha = 1 - conf_level``.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.rates import rate_ci
>>> out = rate_ci(pd.DataFrame({"count": [56], "population": [10_000]}), per=1000)
>>> out[["rate", "rate_lower", "rate_upper"]].round(2).values.tolist()
[[5.6, 4.23, 7.27]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sa_lib.choices import record_choice
from sa_lib.validation import (
    first_bad_row,
    require_columns,
    require_dataframe,
    require_int,
    require_no_missing,
    require_non_negative,
    require_numeric,
    require_positive,
    require_probability,
    warn,
)

__all__ = [
    "rate_ci",
    "proportion_ci",
    "poisson_ci",
    "byar_ci",
    "exact_poisson_ci",
    "wilson_ci",
    "BYAR_MIN_COUNT",
]

#: Counts at or above this use Byar's method; below it, the exact Poisson interval.
BYAR_MIN_COUNT = 10


def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def byar_ci(count, conf_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximate Poisson confidence interval for a count (vectorised).

    Parameters
    ----------
    count : float or array-like
        Observed count(s), ``>= 0``. Byar's method is meant for counts of 10 or more.
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    (lower, upper) : tuple of ndarray
        Limits for the expected count. ``lower`` is 0 where the count is 0.

    Examples
    --------
    >>> lo, hi = byar_ci(56)
    >>> round(float(lo), 2), round(float(hi), 2)
    (42.3, 72.72)
    """
    require_probability(conf_level, arg="conf_level")
    o = np.asarray(count, dtype=float)
    z = _z(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(o > 0, o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3, 0.0)
    o1 = o + 1
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * np.sqrt(o1))) ** 3
    return np.maximum(lower, 0.0), upper


def exact_poisson_ci(count, conf_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson confidence interval for a count, from the chi-square distribution.

    Parameters
    ----------
    count : float or array-like
        Observed count(s), ``>= 0``.
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    (lower, upper) : tuple of ndarray
        ``chi2.ppf(alpha/2, 2*count)/2`` (0 for a zero count) and
        ``chi2.ppf(1 - alpha/2, 2*count + 2)/2``.

    Examples
    --------
    >>> lo, hi = exact_poisson_ci(0)
    >>> float(lo), round(float(hi), 3)
    (0.0, 3.689)
    """
    require_probability(conf_level, arg="conf_level")
    o = np.asarray(count, dtype=float)
    alpha = 1 - conf_level
    lower = np.where(o > 0, stats.chi2.ppf(alpha / 2, np.where(o > 0, 2 * o, 1)) / 2, 0.0)
    upper = stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    return lower, upper


def poisson_ci(
    count, conf_level: float = 0.95, byar_min_count: float = BYAR_MIN_COUNT
) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval for a count: Byar at ``>= byar_min_count``, exact below.

    Examples
    --------
    >>> lo, hi = poisson_ci([3, 56])
    >>> [round(float(x), 2) for x in lo]
    [0.62, 42.3]
    """
    o = np.asarray(count, dtype=float)
    b_lo, b_hi = byar_ci(o, conf_level)
    e_lo, e_hi = exact_poisson_ci(o, conf_level)
    use_byar = o >= byar_min_count
    return np.where(use_byar, b_lo, e_lo), np.where(use_byar, b_hi, e_hi)


def wilson_ci(numerator, denominator, conf_level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``numerator / denominator`` (vectorised).

    The limits are ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``.
    NaN where the denominator is 0 or missing.

    Examples
    --------
    >>> lo, hi = wilson_ci(0, 10)
    >>> float(lo), round(float(hi), 4)
    (0.0, 0.2775)
    """
    require_probability(conf_level, arg="conf_level")
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    z = _z(conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        bad = ~(n > 0)
        lower = np.where(bad, np.nan, np.clip(centre - half, 0.0, 1.0))
        upper = np.where(bad, np.nan, np.clip(centre + half, 0.0, 1.0))
    return lower, upper


def _check_count_column(df: pd.DataFrame, column: str, arg: str) -> None:
    require_columns(
        df, [column], arg="df", fix=f"name the column holding the counts with {arg}=..."
    )
    require_no_missing(
        df, column, arg="df", fix="fill missing counts with 0 if nothing was recorded."
    )
    require_non_negative(df, column, arg="df")


def _bad_denominator(df: pd.DataFrame, column: str, arg: str) -> np.ndarray:
    """Validate a population/denominator column; return the mask of rows to leave as NaN."""
    require_columns(
        df, [column], arg="df", fix=f"name the population/denominator column with {arg}=..."
    )
    require_numeric(df, column, arg="df")
    require_non_negative(df, column, arg="df")
    bad = (df[column].isna() | (df[column] == 0)).to_numpy()
    if bad.any():
        rows = list(df.index[bad])
        shown = ", ".join(repr(r.item() if isinstance(r, np.generic) else r) for r in rows[:10])
        more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
        warn(
            f"df[{column!r}] is missing or zero in {len(rows)} row(s) ({shown}{more}); "
            f"their rate is NaN. Add the {arg} for those rows or drop them."
        )
    return bad


def rate_ci(
    df: pd.DataFrame,
    count: str = "count",
    population: str = "population",
    per: float = 1000,
    conf_level: float = 0.95,
    byar_min_count: int = BYAR_MIN_COUNT,
) -> pd.DataFrame:
    """Crude rate per ``per`` people with a Poisson confidence interval, row by row.

    Parameters
    ----------
    df : DataFrame
        One row per area/period. Not changed.
    count : str, default "count"
        Column of (non-negative) counts.
    population : str, default "population"
        Column of populations (or any exposure). Missing or zero gives a NaN rate and a
        warning naming the rows; negative raises.
    per : float, default 1000
        Multiplier: 1000 gives a rate per 1,000 population.
    conf_level : float, default 0.95
        Confidence level, strictly between 0 and 1.
    byar_min_count : int, default 10
        Counts at or above this use Byar's method, below it the exact method (the
        Fingertips rule; the default is recorded with ``record_choice``).

    Returns
    -------
    DataFrame
        A copy of ``df`` with added columns ``rate``, ``rate_lower``, ``rate_upper``
        (per ``per``) and ``ci_method`` (``"byar"`` or ``"exact"``; missing where the
        rate is NaN).

    Raises
    ------
    ValueError
        If a column is missing, a count is missing or negative, a population is negative
        or non-numeric, or ``per`` / ``conf_level`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"count": [0, 56], "population": [5000, 10_000]})
    >>> rate_ci(df, per=1000)["ci_method"].tolist()
    ['exact', 'byar']
    """
    require_dataframe(df, "df")
    require_positive(per, arg="per")
    require_probability(conf_level, arg="conf_level")
    require_int(byar_min_count, arg="byar_min_count", minimum=0)
    _check_count_column(df, count, "count")
    bad = _bad_denominator(df, population, "population")
    if byar_min_count == BYAR_MIN_COUNT:
        record_choice(
            "rate confidence interval",
            f"Byar (count >= {BYAR_MIN_COUNT}), exact Poisson (below)",
            "PHE/OHID Fingertips technical guidance for crude rates",
        )

    o = df[count].to_numpy(dtype=float)
    pop = df[population].to_numpy(dtype=float)
    lo, hi = poisson_ci(o, conf_level, byar_min_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(bad, np.nan, per / np.where(bad, 1.0, pop))
    out = df.copy()
    out["rate"] = o * scale
    out["rate_lower"] = lo * scale
    out["rate_upper"] = hi * scale
    method = np.where(o >= byar_min_count, "byar", "exact").astype(object)
    method[bad] = None
    out["ci_method"] = method
    return out


def proportion_ci(
    df: pd.DataFrame,
    numerator: str,
    denominator: str,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Proportion ``numerator / denominator`` with a Wilson score interval, row by row.

    Parameters
    ----------
    df : DataFrame
        One row per area/group. Not changed.
    numerator, denominator : str
        Columns of counts; ``0 <= numerator <= denominator``. A missing or zero
        denominator gives NaN and a warning naming the rows.
    conf_level : float, default 0.95
        Confidence level.

    Returns
    -------
    DataFrame
        A copy of ``df`` with added columns ``proportion``, ``proportion_lower`` and
        ``proportion_upper`` (all between 0 and 1).

    Raises
    ------
    ValueError
        If a column is missing, a value is negative, or a numerator exceeds its
        denominator.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"repeat": [3], "victims": [10]})
    >>> proportion_ci(df, "repeat", "victims")["proportion"].tolist()
    [0.3]
    """
    require_dataframe(df, "df")
    require_probability(conf_level, arg="conf_level")
    _check_count_column(df, numerator, "numerator")
    bad = _bad_denominator(df, denominator, "denominator")
    x = df[numerator].to_numpy(dtype=float)
    n = df[denominator].to_numpy(dtype=float)
    over = ~bad & (x > n)
    label = first_bad_row(df, over)
    if label is not None:
        raise ValueError(
            f"df[{numerator!r}] (numerator) is larger than df[{denominator!r}] (denominator) "
            f"at row {label!r}: {float(df[numerator].loc[label])!r} > "
            f"{float(df[denominator].loc[label])!r}. A proportion cannot exceed 1: check "
            f"that numerator and denominator are the right way round and cover the same group."
        )
    lo, hi = wilson_ci(x, np.where(bad, np.nan, n), conf_level)
    out = df.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["proportion"] = np.where(bad, np.nan, x / np.where(bad, 1.0, n))
    out["proportion_lower"] = lo
    out["proportion_upper"] = hi
    return out
