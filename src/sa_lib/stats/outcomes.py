"""Crime outcomes: the share of crimes with each outcome group, with Wilson intervals.

police.uk publishes outcomes in separate monthly files: one row per outcome
recorded that month, keyed by ``crime_id``. Outcomes arrive months after the
crime, so shares are counted **by the month of the crime**: each crime takes its
latest published outcome, and a crime with none yet is *awaiting an outcome*.

The outcome groups follow the Home Office's broad outcome families:

===========================  =========================================================
group                        police.uk outcome types
===========================  =========================================================
Charge/summons               Suspect charged (also as part of another case); court results
Out-of-court                 Caution, local/community resolution, penalty notice, drugs warning
No suspect identified        Investigation complete; no suspect identified
Evidential difficulties      Unable to prosecute suspect
Not in the public interest   Formal/further action or investigation not in the public interest
Another organisation         Action to be taken by another organisation
Under investigation          Under investigation, status update unavailable
Awaiting outcome             no outcome published yet
===========================  =========================================================

Examples
--------
>>> import pandas as pd
>>> crimes = pd.DataFrame({"crime_id": ["a", "b", "c", "d"], "month": ["2024-01"] * 4,
...                        "crime_type": ["Burglary"] * 4})
>>> outs = pd.DataFrame({"crime_id": ["a", "a", "b"], "month": ["2024-02", "2024-03", "2024-02"],
...                      "outcome_type": ["Under investigation", "Suspect charged",
...                                       "Unable to prosecute suspect"]})
>>> s = outcome_shares(crimes, outcomes=outs)
>>> s.set_index("outcome_group").loc[["Charge/summons", "Awaiting outcome"], "count"].tolist()
[1, 2]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as _st

from sa_lib.stats.rates import wilson_ci
from sa_lib.validation import require_columns, require_probability, warn

__all__ = [
    "OUTCOME_GROUPS",
    "GROUP_ORDER",
    "AWAITING",
    "outcome_group",
    "latest_outcomes",
    "outcome_shares",
    "compare_shares",
    "adjust_family",
    "shares_from_counts",
]

AWAITING = "Awaiting outcome"

#: The groups in the order tables show them.
GROUP_ORDER = [
    "Charge/summons",
    "Out-of-court",
    "No suspect identified",
    "Evidential difficulties",
    "Not in the public interest",
    "Another organisation",
    "Under investigation",
    "Other",
    AWAITING,
]

#: police.uk outcome type -> outcome group (lower-cased keys).
OUTCOME_GROUPS: dict[str, str] = {
    "suspect charged": "Charge/summons",
    "suspect charged as part of another case": "Charge/summons",
    "offender sent to prison": "Charge/summons",
    "offender given suspended prison sentence": "Charge/summons",
    "offender fined": "Charge/summons",
    "offender given community sentence": "Charge/summons",
    "offender given conditional discharge": "Charge/summons",
    "offender given absolute discharge": "Charge/summons",
    "offender otherwise dealt with": "Charge/summons",
    "offender ordered to pay compensation": "Charge/summons",
    "offender deprived of property": "Charge/summons",
    "defendant found not guilty": "Charge/summons",
    "defendant sent to crown court": "Charge/summons",
    "court case unable to proceed": "Charge/summons",
    "court result unavailable": "Charge/summons",
    "sentenced in another case": "Charge/summons",
    "awaiting court outcome": "Charge/summons",
    "offender given a caution": "Out-of-court",
    "local resolution": "Out-of-court",
    "offender given penalty notice": "Out-of-court",
    "offender given a drugs possession warning": "Out-of-court",
    "offender given community resolution": "Out-of-court",
    "investigation complete; no suspect identified": "No suspect identified",
    "unable to prosecute suspect": "Evidential difficulties",
    "formal action is not in the public interest": "Not in the public interest",
    "further action is not in the public interest": "Not in the public interest",
    "further investigation is not in the public interest": "Not in the public interest",
    "action to be taken by another organisation": "Another organisation",
    "under investigation": "Under investigation",
    "status update unavailable": "Under investigation",
}


def outcome_group(outcome_types: pd.Series) -> pd.Series:
    """Map police.uk outcome types to outcome groups; unknown types become ``"Other"`` (warned).

    Examples
    --------
    >>> outcome_group(pd.Series(["Suspect charged", "Local resolution"])).tolist()
    ['Charge/summons', 'Out-of-court']
    """
    s = pd.Series(outcome_types, dtype="string")
    g = s.str.strip().str.lower().map(OUTCOME_GROUPS)
    unknown = s[g.isna() & s.notna()]
    if len(unknown):
        warn(
            f"{len(unknown)} outcome(s) of a type the workbench does not know, e.g. "
            f"{unknown.iloc[0]!r}, are counted as 'Other'. Fix: add the type to "
            "sa_lib.stats.outcomes.OUTCOME_GROUPS."
        )
    return g.fillna("Other").astype("string")


def latest_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The latest published outcome of each crime.

    Parameters
    ----------
    outcomes : DataFrame
        ``crime_id``, ``month`` (the month the outcome was recorded), ``outcome_type``.

    Returns
    -------
    DataFrame
        One row per ``crime_id``: ``crime_id``, ``outcome_month``, ``outcome_type``,
        ``outcome_group``. A later outcome replaces an earlier one; within a month the
        file's last row wins.
    """
    require_columns(outcomes, ["crime_id", "month", "outcome_type"], arg="outcomes")
    o = outcomes[outcomes["crime_id"].notna()][["crime_id", "month", "outcome_type"]].copy()
    o["_pos"] = np.arange(len(o))
    o = o.sort_values(["crime_id", "month", "_pos"]).drop_duplicates("crime_id", keep="last")
    out = pd.DataFrame(
        {
            "crime_id": o["crime_id"].astype("string").to_numpy(),
            "outcome_month": o["month"].astype("string").to_numpy(),
            "outcome_type": o["outcome_type"].astype("string").to_numpy(),
        }
    )
    out["outcome_group"] = outcome_group(out["outcome_type"]).to_numpy()
    return out


def outcome_shares(
    crimes: pd.DataFrame,
    outcomes: pd.DataFrame,
    *,
    by: Sequence[str] = ("crime_type",),
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Share of crimes with each outcome group, by the month (or type) of the crime.

    Parameters
    ----------
    crimes : DataFrame
        The crimes (not ASB: ASB has no ``crime_id`` and no outcome): ``crime_id`` and
        the ``by`` columns. Rows with no ``crime_id`` are left out (and warned).
    outcomes : DataFrame
        Outcome rows (see :func:`latest_outcomes`).
    by : sequence of str
        Grouping columns of ``crimes`` (``()`` for one overall row per group).
    conf_level : float
        For the Wilson score interval.

    Returns
    -------
    DataFrame
        One row per ``by`` value x outcome group (every group, zeros included):
        the ``by`` columns, ``outcome_group``, ``count``, ``crimes`` (the denominator),
        ``share``, ``share_lower``, ``share_upper`` (0 to 1).
    """
    by = list(by)
    require_columns(crimes, ["crime_id", *by], arg="crimes")
    require_probability(conf_level, arg="conf_level")
    c = crimes[crimes["crime_id"].notna()]
    if len(c) < len(crimes):
        warn(
            f"{len(crimes) - len(c)} row(s) of crimes have no crime_id (ASB, or a file without "
            "IDs) and cannot be matched to outcomes; they are left out of the outcome shares."
        )
    latest = latest_outcomes(outcomes).set_index("crime_id")["outcome_group"]
    c = c[["crime_id", *by]].copy()
    c["outcome_group"] = c["crime_id"].astype("string").map(latest).fillna(AWAITING)
    keys = by + ["outcome_group"]
    counts = c.groupby(keys, observed=True).size().rename("count")
    if by:
        idx = pd.MultiIndex.from_product(
            [sorted(c[b].dropna().unique()) for b in by] + [GROUP_ORDER], names=keys
        )
    else:
        idx = pd.Index(GROUP_ORDER, name="outcome_group")
    t = counts.reindex(idx, fill_value=0).reset_index()
    t["crimes"] = t.groupby(by)["count"].transform("sum") if by else t["count"].sum()
    t = t[(t["count"] > 0) | (t["outcome_group"] != "Other")].reset_index(drop=True)
    lo, hi = wilson_ci(t["count"], t["crimes"], conf_level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t["share"] = np.where(
            t["crimes"] > 0, t["count"] / t["crimes"].where(t["crimes"] > 0), np.nan
        )
    t["share_lower"], t["share_upper"] = lo, hi
    t["count"] = t["count"].astype("int64")
    t["crimes"] = t["crimes"].astype("int64")
    return t


def shares_from_counts(
    counts: pd.DataFrame, *, by: Sequence[str] = ("crime_type",), conf_level: float = 0.95
) -> pd.DataFrame:
    """Outcome shares from pre-counted rows (e.g. a force-wide table of crimes by outcome group).

    Parameters
    ----------
    counts : DataFrame
        The ``by`` columns, ``outcome_group`` and ``count`` (crimes).

    Returns
    -------
    DataFrame
        As :func:`outcome_shares`.

    Examples
    --------
    >>> c = pd.DataFrame({"crime_type": ["Robbery", "Robbery"], "outcome_group": ["Charge/summons", AWAITING],
    ...                   "count": [2, 8]})
    >>> shares_from_counts(c).set_index("outcome_group").loc["Charge/summons", "share"]
    np.float64(0.2)
    """
    by = list(by)
    require_columns(counts, [*by, "outcome_group", "count"], arg="counts")
    require_probability(conf_level, arg="conf_level")
    keys = by + ["outcome_group"]
    t = counts.groupby(keys, observed=True)["count"].sum()
    if by:
        idx = pd.MultiIndex.from_product(
            [sorted(counts[b].dropna().unique()) for b in by] + [GROUP_ORDER], names=keys
        )
    else:
        idx = pd.Index(GROUP_ORDER, name="outcome_group")
    t = t.reindex(idx, fill_value=0).reset_index()
    t["crimes"] = t.groupby(by)["count"].transform("sum") if by else t["count"].sum()
    t = t[(t["count"] > 0) | (t["outcome_group"] != "Other")].reset_index(drop=True)
    lo, hi = wilson_ci(t["count"], t["crimes"], conf_level)
    t["share"] = t["count"] / t["crimes"].where(t["crimes"] > 0)
    t["share_lower"], t["share_upper"] = lo, hi
    t["count"] = t["count"].astype("int64")
    t["crimes"] = t["crimes"].astype("int64")
    return t


def compare_shares(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    on: Sequence[str] = ("crime_type", "outcome_group"),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Two-proportion z-test of each share in ``a`` against the same share in ``b``.

    Parameters
    ----------
    a, b : DataFrame
        Tables from :func:`outcome_shares` (``count``, ``crimes`` and the ``on`` columns).
    on : sequence of str
        Columns that identify the same share in both.
    alpha : float

    Returns
    -------
    DataFrame
        The ``on`` columns, ``share_a``, ``share_b``, ``difference`` (a - b, percentage
        points), ``p_value`` (two-sided, pooled z-test; NaN when either denominator
        is 0 or both shares are 0 or 1), ``significant`` (``p_value < alpha``).

    Examples
    --------
    >>> a = pd.DataFrame({"g": ["x"], "count": [30], "crimes": [100]})
    >>> b = pd.DataFrame({"g": ["x"], "count": [15], "crimes": [100]})
    >>> r = compare_shares(a, b, on=["g"])
    >>> round(float(r["difference"].iloc[0]), 1), bool(r["significant"].iloc[0])
    (15.0, True)
    """
    on = list(on)
    require_columns(a, [*on, "count", "crimes"], arg="a")
    require_columns(b, [*on, "count", "crimes"], arg="b")
    require_probability(alpha, arg="alpha")
    m = a[[*on, "count", "crimes"]].merge(
        b[[*on, "count", "crimes"]], on=on, how="left", suffixes=("_a", "_b")
    )
    x1, n1 = m["count_a"].to_numpy(float), m["crimes_a"].to_numpy(float)
    x2, n2 = m["count_b"].to_numpy(float), m["crimes_b"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        pool = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        z = (p1 - p2) / se
        p = np.where((se > 0) & np.isfinite(z), 2 * _st.norm.sf(np.abs(z)), np.nan)
    out = m[on].copy()
    out["share_a"] = p1
    out["share_b"] = p2
    out["difference"] = (p1 - p2) * 100
    out["p_value"] = p
    out["significant"] = np.nan_to_num(p, nan=1.0) < alpha
    return out


def adjust_family(
    cmp_: pd.DataFrame,
    family: pd.Series | np.ndarray,
    *,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
) -> pd.DataFrame:
    """Adjust the p-values of one family of :func:`compare_shares` tests, and nothing else.

    The rows where ``family`` is True (and ``p_value`` is not NaN) form the family:
    their ``p_adjusted`` is the ``correction`` (a :mod:`sa_lib.stats.multiplicity` name,
    or ``"none"``) over exactly those rows. Every other row keeps its own p-value as
    ``p_adjusted`` (tested on its own). ``significant`` is recomputed from
    ``p_adjusted``; ``in_family`` says which rows were adjusted together.

    Examples
    --------
    >>> c = pd.DataFrame({"p_value": [0.01, 0.04, 0.03]})
    >>> r = adjust_family(c, [True, True, False])
    >>> [round(float(v), 2) for v in r["p_adjusted"]], r["significant"].tolist()
    ([0.02, 0.04, 0.03], [True, True, True])
    """
    from sa_lib.stats.multiplicity import adjust_p_values

    require_columns(cmp_, ["p_value"], arg="cmp_")
    require_probability(alpha, arg="alpha")
    out = cmp_.copy()
    p = out["p_value"].to_numpy(float)
    fam = np.asarray(family, dtype=bool) & np.isfinite(p)
    adj = p.copy()
    if correction != "none" and fam.any():
        adj[fam] = adjust_p_values(p[fam], correction, alpha)
    out["p_adjusted"] = adj
    out["in_family"] = fam
    out["significant"] = np.nan_to_num(adj, nan=1.0) < alpha
    return out
