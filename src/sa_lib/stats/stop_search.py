"""Stop and search: searches by object and outcome, the find rate, and the drugs series.

The **find rate** is the share of searches whose outcome was linked to the object
of the search (police.uk's ``Outcome linked to object of search`` is ``True``),
with a Wilson interval. A blank link (most no-further-action searches) counts as
*not* a find, so the rate is a lower bound where forces leave it blank; the count
of blanks is returned so the page can say so.

Drug offences are largely *found* by police activity rather than reported by
victims, so recorded drug crime tends to rise when drug searches rise:
:func:`drugs_alongside_searches` correlates the two monthly series.

Examples
--------
>>> import pandas as pd
>>> s = pd.DataFrame({"object_of_search": ["Controlled drugs"] * 4,
...                   "outcome": ["Arrest", "A no further action disposal", "Arrest", "Arrest"],
...                   "outcome_linked_to_object": ["True", None, "False", "True"]})
>>> r = find_rate(s, by=[])
>>> int(r["searches"].iloc[0]), int(r["finds"].iloc[0]), int(r["link_blank"].iloc[0])
(4, 2, 1)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from sa_lib.stats.rates import wilson_ci
from sa_lib.validation import require_columns, require_probability

__all__ = ["NFA", "is_find", "search_table", "find_rate", "drugs_alongside_searches"]

#: police.uk's no-further-action outcome of a search.
NFA = "A no further action disposal"


def is_find(linked: pd.Series) -> pd.Series:
    """True where the outcome was linked to the object of search (``True``/``true``/``1``).

    Examples
    --------
    >>> is_find(pd.Series(["True", "False", None, "true"])).tolist()
    [True, False, False, True]
    """
    s = pd.Series(linked).astype("string").str.strip().str.lower()
    return s.isin(["true", "1", "yes"]).fillna(False).astype(bool)


def search_table(
    searches: pd.DataFrame, rows: str = "object_of_search", cols: str = "outcome"
) -> pd.DataFrame:
    """Cross-table of searches (e.g. object of search x outcome), with a total row and column.

    Blank values show as ``"Not recorded"``.

    Returns
    -------
    DataFrame
        ``rows`` then one column per ``cols`` value (most frequent first) and ``Total``;
        the last row is ``Total``. Rows sorted by total, descending.
    """
    require_columns(searches, [rows, cols], arg="searches")
    d = searches[[rows, cols]].astype("string").fillna("Not recorded")
    d = d.replace("", "Not recorded")
    t = pd.crosstab(d[rows], d[cols])
    t = t[t.sum().sort_values(ascending=False).index]
    t["Total"] = t.sum(axis=1)
    t = t.sort_values("Total", ascending=False)
    t.loc["Total"] = t.sum()
    t = t.reset_index().rename(columns={rows: rows})
    t.columns.name = None
    return t.astype({c: "int64" for c in t.columns if c != rows})


def find_rate(
    searches: pd.DataFrame, *, by: Sequence[str] = ("object_of_search",), conf_level: float = 0.95
) -> pd.DataFrame:
    """Searches, finds and the find rate with its Wilson interval, per group.

    Parameters
    ----------
    searches : DataFrame
        ``outcome_linked_to_object``, ``outcome`` and the ``by`` columns.
    by : sequence of str
        Grouping (``[]`` for one overall row).
    conf_level : float

    Returns
    -------
    DataFrame
        The ``by`` columns, ``searches``, ``finds``, ``link_blank`` (searches with no
        recorded link), ``no_further_action``, ``find_rate``, ``find_lower``,
        ``find_upper`` (0 to 1). Sorted by ``searches`` descending.
    """
    by = list(by)
    require_columns(searches, ["outcome_linked_to_object", "outcome", *by], arg="searches")
    require_probability(conf_level, arg="conf_level")
    d = searches[by].copy().astype("string").fillna("Not recorded") if by else pd.DataFrame()
    d["_find"] = is_find(searches["outcome_linked_to_object"]).to_numpy()
    link = searches["outcome_linked_to_object"].astype("string").str.strip()
    d["_blank"] = (link.isna() | (link == "")).to_numpy()
    d["_nfa"] = (searches["outcome"].astype("string") == NFA).fillna(False).to_numpy()
    d["_one"] = 1
    if by:
        g = d.groupby(by, observed=True)
        t = g.agg(
            searches=("_one", "sum"),
            finds=("_find", "sum"),
            link_blank=("_blank", "sum"),
            no_further_action=("_nfa", "sum"),
        ).reset_index()
    else:
        t = pd.DataFrame(
            {
                "searches": [int(d["_one"].sum())],
                "finds": [int(d["_find"].sum())],
                "link_blank": [int(d["_blank"].sum())],
                "no_further_action": [int(d["_nfa"].sum())],
            }
        )
    for c in ("searches", "finds", "link_blank", "no_further_action"):
        t[c] = t[c].astype("int64")
    lo, hi = wilson_ci(t["finds"], t["searches"], conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["find_rate"] = t["finds"] / t["searches"].where(t["searches"] > 0)
    t["find_lower"], t["find_upper"] = lo, hi
    return t.sort_values("searches", ascending=False, kind="stable").reset_index(drop=True)


def drugs_alongside_searches(
    monthly: pd.DataFrame,
    *,
    searches: str = "drug_searches",
    crimes: str = "drug_crimes",
    alpha: float = 0.05,
) -> dict:
    """Do recorded drug offences move with drug searches? Spearman correlation of the months.

    Parameters
    ----------
    monthly : DataFrame
        One row per month with both counts (months with either missing are left out).
    searches, crimes : str
        The two count columns.
    alpha : float

    Returns
    -------
    dict
        ``months`` (used), ``rho``, ``p_value``, ``rises_with_searches`` (True when rho
        > 0 and p < alpha), ``searches_change_pct`` and ``crimes_change_pct`` (second half
        of the months against the first half; NaN when a half has none).

    Examples
    --------
    >>> m = pd.DataFrame({"drug_searches": [5, 8, 12, 20, 25, 30], "drug_crimes": [10, 12, 15, 22, 24, 31]})
    >>> r = drugs_alongside_searches(m)
    >>> round(r["rho"], 2), r["rises_with_searches"]
    (1.0, True)
    """
    require_columns(monthly, [searches, crimes], arg="monthly")
    require_probability(alpha, arg="alpha")
    m = monthly[[searches, crimes]].dropna().astype(float)
    n = len(m)
    rho = p = np.nan
    if n >= 4 and m[searches].nunique() > 1 and m[crimes].nunique() > 1:
        res = _st.spearmanr(m[searches], m[crimes])
        rho, p = float(res.statistic), float(res.pvalue)
    half = n // 2

    def _chg(col: str) -> float:
        a, b = m[col].iloc[:half].sum(), m[col].iloc[n - half :].sum()
        return float(100 * (b / a - 1)) if half and a > 0 else float("nan")

    return {
        "months": n,
        "rho": rho,
        "p_value": p,
        "rises_with_searches": bool(np.isfinite(rho) and rho > 0 and p < alpha),
        "searches_change_pct": _chg(searches),
        "crimes_change_pct": _chg(crimes),
    }
