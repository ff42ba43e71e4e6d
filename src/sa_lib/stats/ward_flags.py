"""Ward flags, as quarterly reviews use them: top 20% of wards *and* an interval above the district.

A ward is flagged on an indicator (a crime type, all crime, ASB) when its rate
is among the highest 20% of the district's wards **and** the lower limit of its
confidence interval lies above the district's rate, so a small ward with a
noisy high rate is not flagged on chance alone.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"ward_code": list("ABCDE"), "count": [50, 20, 10, 5, 2],
...                   "population": [1000] * 5, "rate": [50.0, 20, 10, 5, 2],
...                   "rate_lower": [37.0, 12, 4.8, 1.6, 0.2], "rate_upper": [66.0, 31, 18, 12, 7]})
>>> flag_areas(t, district_rate=17.4)["flag"].tolist()
[True, False, False, False, False]
"""

from __future__ import annotations

import math

import pandas as pd

from sa_lib.validation import require_columns, require_probability

__all__ = ["flag_areas", "flag_summary"]


def flag_areas(
    t: pd.DataFrame, district_rate: float, *, top_share: float = 0.2, rate_col: str = "rate"
) -> pd.DataFrame:
    """Flag the areas in the top ``top_share`` by rate whose interval lies above ``district_rate``.

    Parameters
    ----------
    t : DataFrame
        One row per area: ``rate``, ``rate_lower`` (same units as ``district_rate``).
    district_rate : float
        The whole district's rate.
    top_share : float, default 0.2
        The top fraction of areas (``ceil(top_share x areas)`` areas; ties at the cut-off
        are all included).

    Returns
    -------
    DataFrame
        A copy with ``rate_rank`` (1 = highest), ``top_group`` (bool), ``above_district``
        (bool: ``rate_lower > district_rate``) and ``flag`` (both).
    """
    require_columns(t, [rate_col, "rate_lower"], arg="t")
    require_probability(top_share, arg="top_share")
    out = t.copy()
    rate = out[rate_col].astype(float)
    out["rate_rank"] = rate.rank(ascending=False, method="min").astype("Int64")
    k = max(1, math.ceil(top_share * rate.notna().sum()))
    out["top_group"] = (out["rate_rank"] <= k).fillna(False).astype(bool)
    out["above_district"] = (out["rate_lower"].astype(float) > float(district_rate)).to_numpy()
    out["flag"] = out["top_group"] & out["above_district"]
    return out


def flag_summary(flags: pd.DataFrame, area_col: str = "ward_code") -> pd.DataFrame:
    """Flags per area across indicators.

    Parameters
    ----------
    flags : DataFrame
        Long: ``indicator``, ``area_col``, ``flag`` (from :func:`flag_areas` per indicator).

    Returns
    -------
    DataFrame
        ``area_col``, ``n_flags``, ``flags`` (indicator names, ``"; "``-joined, in the
        order given); every area, sorted by ``n_flags`` descending.
    """
    require_columns(flags, ["indicator", area_col, "flag"], arg="flags")
    f = flags[flags["flag"].astype(bool)]
    names = f.groupby(area_col, sort=False)["indicator"].agg(lambda s: "; ".join(s))
    out = pd.DataFrame({area_col: pd.unique(flags[area_col])})
    out["n_flags"] = out[area_col].map(f.groupby(area_col).size()).fillna(0).astype(int)
    out["flags"] = out[area_col].map(names).fillna("")
    return out.sort_values("n_flags", ascending=False, kind="stable").reset_index(drop=True)
