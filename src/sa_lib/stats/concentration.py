"""Crime concentration at place: Lorenz curve, Gini and the generalised Gini.

The Lorenz curve here follows the crime-and-place convention (Bernasco &
Steenbeek 2017): places are ranked from the most to the least crime, so the
curve runs *above* the diagonal, from (0, 0) to (1, 1). The Gini is the usual
(Lorenz-area, "biased") coefficient, ``G = 1 - 2 * area under the Lorenz curve``,
equal to the mean absolute difference over twice the mean. Its maximum for ``n``
places is ``1 - 1/n``.

When there are fewer crimes ``N`` than places ``n`` a perfectly even spread is
impossible, and the standard Gini overstates concentration. Bernasco &
Steenbeek (2017, *J Quant Criminol* 33:451-467) compare the Lorenz curve with
the line of *maximal* equality given the data (``N`` places with one crime
each), giving the generalised Gini::

    G' = 1 - max(1, n / N) * (1 - G)

which equals ``G`` when ``N >= n``, is 0 when every crime is at a different
place, and is ``1 - 1/N`` when all crime is at one place. ``unbiased=True``
multiplies by ``m / (m - 1)`` with ``m = min(n, N)`` (the small-sample
correction of their ``lorenzgini`` R package; Deltas 2003), so that all crime in
one place gives exactly 1.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.concentration import gini, gini_generalised
>>> df = pd.DataFrame({"count": [5, 2, 1, 0, 0, 0, 0, 0, 0, 0]})
>>> round(gini(df), 2), round(gini_generalised(df), 2)
(0.8, 0.75)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sa_lib import validation as v
from sa_lib.choices import record_choice

__all__ = [
    "lorenz",
    "gini",
    "gini_generalised",
    "top_share",
    "places_for_share",
    "concentration_summary",
]

_TOP_METHODS = ("interpolate", "floor", "ceil")


def _counts(df: pd.DataFrame, count: str, arg: str = "df") -> np.ndarray:
    """Validate and return the counts as a float array (input untouched)."""
    v.require_columns(df, [count], arg=arg, fix="pass count='<column>' naming the crime counts.")
    v.require_not_empty(df, arg=arg, fix="pass one row per place, including places with 0 crimes.")
    v.require_no_missing(
        df, count, arg=arg, fix=f"fill places with no crime with 0: {arg}[{count!r}].fillna(0)."
    )
    v.require_non_negative(df, count, arg=arg)
    x = df[count].to_numpy(dtype=float)
    if not np.all(np.isfinite(x)):
        label = v.first_bad_row(df, ~np.isfinite(x))
        raise ValueError(
            f"{arg}[{count!r}] has an infinite value at row {label!r}. "
            f"Fix: check how the counts were computed."
        )
    if x.sum() <= 0:
        raise ValueError(
            f"{arg}[{count!r}] sums to 0, so there is no crime to be concentrated and the "
            f"Lorenz curve and Gini are undefined. Fix: check the filter (period, crime type, "
            f"area) that produced {arg}."
        )
    return x


def lorenz(df: pd.DataFrame, count: str = "count") -> pd.DataFrame:
    """Return the Lorenz curve of crime across places (most-crime places first).

    Parameters
    ----------
    df : DataFrame
        One row per place (street segment, grid cell, LSOA...), including places
        with 0 crimes: leaving them out understates concentration.
    count : str, default "count"
        Column of non-negative crime counts (or harm scores).

    Returns
    -------
    DataFrame
        ``n + 1`` rows, the first the origin (0, 0), with columns

        - ``rank``: 0 for the origin, then 1..n (1 = the place with most crime;
          ties keep their input order, which does not change the curve's shape).
        - ``place``: the index label of the place in ``df`` (None for the origin).
        - ``count``: the place's count (0 for the origin).
        - ``cum_share_places``: ``rank / n``.
        - ``cum_share_crime``: share of all crime in the top ``rank`` places.
        - ``max_equality``: the line of maximal equality given the data,
          ``min(1, rank / min(n, N))`` (Bernasco & Steenbeek 2017): the
          diagonal when there are at least as many crimes as places.

    Examples
    --------
    >>> import pandas as pd
    >>> lorenz(pd.DataFrame({"count": [1, 3]}))["cum_share_crime"].tolist()
    [0.0, 0.75, 1.0]
    """
    x = _counts(df, count)
    order = np.argsort(-x, kind="stable")
    xs = x[order]
    n, total = len(xs), xs.sum()
    rank = np.arange(n + 1)
    cum = np.concatenate([[0.0], np.cumsum(xs) / total])
    cum[-1] = 1.0  # guard against rounding
    out = pd.DataFrame(
        {
            "rank": rank,
            "place": pd.Series([None] + [df.index[i] for i in order], dtype=object),
            "count": np.concatenate([[0.0], xs]),
            "cum_share_places": rank / n,
            "cum_share_crime": cum,
            "max_equality": np.minimum(1.0, rank / min(n, total)),
        }
    )
    return out


def _gini_biased(x: np.ndarray) -> float:
    # G = 1 - 2 * (trapezoid area under the Lorenz curve); order does not matter.
    xs = np.sort(x)
    n = len(xs)
    cum = np.concatenate([[0.0], np.cumsum(xs) / xs.sum()])
    area = np.sum((cum[:-1] + cum[1:]) / 2.0) / n
    return float(1.0 - 2.0 * area)


def gini(df: pd.DataFrame, count: str = "count", *, unbiased: bool = False) -> float:
    """Standard Gini coefficient of crime across places.

    Parameters
    ----------
    df : DataFrame
        One row per place, including places with 0 crimes.
    count : str, default "count"
        Column of non-negative counts.
    unbiased : bool, default False
        Multiply by ``n / (n - 1)`` (Deltas 2003) so that all crime in one place
        gives 1 rather than ``1 - 1/n``. The default is the plain Lorenz-area
        Gini used in Bernasco & Steenbeek (2017).

    Returns
    -------
    float
        0 = crime spread evenly; up to ``1 - 1/n`` (1 if ``unbiased``) = all in one place.

    Examples
    --------
    >>> import pandas as pd
    >>> gini(pd.DataFrame({"count": [10, 0, 0, 0]}))
    0.75
    """
    x = _counts(df, count)
    g = _gini_biased(x)
    if unbiased:
        if len(x) < 2:
            raise ValueError(
                "unbiased=True needs at least 2 places (it multiplies by n / (n - 1)); "
                f"df has {len(x)}. Fix: use unbiased=False or more places."
            )
        g *= len(x) / (len(x) - 1)
    return g


def gini_generalised(df: pd.DataFrame, count: str = "count", *, unbiased: bool = False) -> float:
    """Generalised Gini of Bernasco & Steenbeek (2017) for sparse crime data.

    ``G' = 1 - max(1, n / N) * (1 - G)`` with ``n`` places, ``N`` crimes and
    ``G`` the standard Gini: concentration measured against the line of maximal
    equality given the data (``N`` places with one crime each) rather than the
    diagonal. Equal to :func:`gini` when ``N >= n``.

    Parameters
    ----------
    df : DataFrame
        One row per place, including places with 0 crimes.
    count : str, default "count"
        Column of non-negative whole-number counts.
    unbiased : bool, default False
        Multiply by ``m / (m - 1)``, ``m = min(n, N)`` (as the authors'
        ``lorenzgini`` R package does with ``unbiased = TRUE``).

    Returns
    -------
    float
        0 when no more even spread is possible (e.g. every crime at a different
        place); ``1 - 1/N`` (1 if ``unbiased``) when all crime is at one place.

    Examples
    --------
    >>> import pandas as pd
    >>> round(gini_generalised(pd.DataFrame({"count": [1, 1, 0, 0, 0]})), 12)
    0.0
    """
    x = _counts(df, count)
    if not np.allclose(x, np.round(x)):
        v.warn(
            f"df[{count!r}] has non-whole values; the generalised Gini's line of maximal "
            "equality assumes whole-number crime counts (not harm scores or rates)."
        )
    n, total = len(x), float(x.sum())
    g = 1.0 - max(1.0, n / total) * (1.0 - _gini_biased(x))
    if unbiased:
        m = min(n, total)
        if m <= 1:
            raise ValueError(
                f"unbiased=True needs at least 2 places and 2 crimes (it multiplies by "
                f"m / (m - 1), m = min(places, crimes) = {m:g}). Fix: use unbiased=False."
            )
        g *= m / (m - 1)
    return float(g)


def top_share(
    df: pd.DataFrame, count: str = "count", pct: float = 10, *, method: str = "interpolate"
) -> float:
    """Share of all crime in the top ``pct`` % of places.

    Places are ranked by count (most first). ``k = pct / 100 * n`` places is
    usually fractional; ``method`` says how that is handled:

    - ``"interpolate"`` (default): the whole top ``floor(k)`` places plus the
      fraction ``k - floor(k)`` of the next place's count, i.e. the Lorenz curve
      read at ``pct`` % by linear interpolation.
    - ``"floor"``: only the top ``floor(k)`` whole places.
    - ``"ceil"``: the top ``ceil(k)`` whole places.

    Ties need no rule: tied places have equal counts, so whichever of them is
    taken first the share is the same.

    Parameters
    ----------
    df : DataFrame
        One row per place, including places with 0 crimes.
    count : str, default "count"
        Column of non-negative counts.
    pct : float, default 10
        Percentage of places, ``0 < pct <= 100``.
    method : {"interpolate", "floor", "ceil"}
        How a fractional number of places is handled (see above).

    Returns
    -------
    float
        Share (0-1) of all crime.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"count": [6, 2, 1, 1]})
    >>> top_share(df, pct=25), top_share(df, pct=50), top_share(df, pct=60)
    (0.6, 0.8, 0.84)
    """
    x = _counts(df, count)
    v.require_choice(method, _TOP_METHODS, arg="method")
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 < pct <= 100:
        raise ValueError(
            f"pct must be a percentage of places with 0 < pct <= 100 (e.g. 10), got {pct!r}."
        )
    xs = np.sort(x)[::-1]
    k = pct / 100.0 * len(xs)
    whole = math.floor(k + 1e-9)
    frac = 0.0 if abs(k - round(k)) < 1e-9 else k - whole
    if method == "ceil" and frac > 0:
        whole, frac = whole + 1, 0.0
    elif method == "floor":
        frac = 0.0
    share = xs[:whole].sum()
    if frac > 0 and whole < len(xs):
        share += frac * xs[whole]
    return float(round(share / xs.sum(), 12))


def places_for_share(df: pd.DataFrame, count: str = "count", share: float = 0.5) -> int:
    """Smallest number of places that together hold at least ``share`` of all crime.

    Parameters
    ----------
    df : DataFrame
        One row per place.
    count : str, default "count"
        Column of non-negative counts.
    share : float, default 0.5
        Target share, strictly between 0 and 1.

    Returns
    -------
    int
        Whole places, taking the places with most crime first.

    Examples
    --------
    >>> import pandas as pd
    >>> places_for_share(pd.DataFrame({"count": [6, 2, 1, 1]}), share=0.5)
    1
    """
    v.require_probability(share, arg="share")
    x = _counts(df, count)
    cum = np.cumsum(np.sort(x)[::-1]) / x.sum()
    return int(np.argmax(cum >= share - 1e-12) + 1)


def concentration_summary(
    df: pd.DataFrame, count: str = "count", *, unbiased: bool = False
) -> pd.DataFrame:
    """One-row summary of crime concentration, saying which Gini applies.

    Parameters
    ----------
    df : DataFrame
        One row per place, including places with 0 crimes.
    count : str, default "count"
        Column of non-negative counts.
    unbiased : bool, default False
        Passed to :func:`gini` and :func:`gini_generalised`.

    Returns
    -------
    DataFrame
        One row with columns ``n_places``, ``n_crimes``, ``places_with_crime``,
        ``gini``, ``gini_generalised``, ``sparse`` (True when crimes < places),
        ``recommended`` (``"gini_generalised"`` when sparse, else ``"gini"``),
        ``share_top_1pct``, ``share_top_5pct``, ``share_top_10pct``,
        ``share_top_20pct`` (interpolated, see :func:`top_share`),
        ``places_for_50pct``, ``pct_places_for_50pct``, ``places_for_80pct``,
        ``pct_places_for_80pct`` and ``note`` (plain-English reading).

    Examples
    --------
    >>> import pandas as pd
    >>> s = concentration_summary(pd.DataFrame({"count": [3, 1, 1] + [0] * 7}))
    >>> s.loc[0, "recommended"]
    'gini_generalised'
    """
    x = _counts(df, count)
    n, total = len(x), float(x.sum())
    g = gini(df, count, unbiased=unbiased)
    gg = gini_generalised(df, count, unbiased=unbiased)
    sparse = total < n
    p50 = places_for_share(df, count, 0.5)
    p80 = places_for_share(df, count, 0.8)
    if sparse:
        note = (
            f"There are fewer crimes ({total:g}) than places ({n}), so an even spread is "
            f"impossible and the standard Gini ({g:.2f}) overstates concentration; report the "
            f"generalised Gini ({gg:.2f}, Bernasco & Steenbeek 2017)."
        )
    else:
        note = (
            f"There are at least as many crimes ({total:g}) as places ({n}), so the standard "
            f"and generalised Gini agree ({g:.2f})."
        )
    note += f" Half of all crime is in {p50} of {n} places ({100 * p50 / n:.1f}%)."
    record_choice(
        "Concentration: Gini used",
        "generalised" if sparse else "standard",
        "generalised Gini (Bernasco & Steenbeek 2017) when crimes < places, else standard",
    )
    row = {
        "n_places": n,
        "n_crimes": total,
        "places_with_crime": int((x > 0).sum()),
        "gini": g,
        "gini_generalised": gg,
        "sparse": sparse,
        "recommended": "gini_generalised" if sparse else "gini",
        "share_top_1pct": top_share(df, count, 1),
        "share_top_5pct": top_share(df, count, 5),
        "share_top_10pct": top_share(df, count, 10),
        "share_top_20pct": top_share(df, count, 20),
        "places_for_50pct": p50,
        "pct_places_for_50pct": 100.0 * p50 / n,
        "places_for_80pct": p80,
        "pct_places_for_80pct": 100.0 * p80 / n,
        "note": note,
    }
    return pd.DataFrame([row])
