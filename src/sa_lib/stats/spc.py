"""Statistical process control: XmR (individuals) charts with NHS "Making Data Count" rules.

An XmR chart separates common-cause (routine) variation in a monthly count from
special-cause variation worth investigating. For each segment of the series:

- ``mean`` is the mean of the values;
- the moving range ``mR`` is ``|x_t - x_{t-1}|`` (undefined for the first point);
- the process limits are ``mean ± 2.66 × mean(mR)`` (``2.66 = 3 / 1.128``, so the limits
  are 3 sigma with ``sigma = mean(mR) / 1.128``). The lower limit is not floored at 0.

Special-cause rules (NHS England "Making Data Count"), checked within each segment:

1. ``"outside limits"``: a point above the upper or below the lower limit.
2. ``"2 of 3 beyond 2 sigma"``: two or three of three consecutive points beyond
   ``mean ± 2 sigma`` on the same side (the points beyond 2 sigma are flagged).
3. ``"shift"``: a run of 7 or more consecutive points on the same side of the mean
   (a point exactly on the mean breaks the run). Every point in the run is flagged.
4. ``"trend"``: 7 or more consecutive points each higher (or each lower) than the one
   before (an equal value breaks the run). Every point in the run is flagged.

Limits are recalculated after each break date (e.g. a change in recording practice),
so each segment has its own mean and limits, and runs do not cross a break.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.spc import xmr
>>> df = pd.DataFrame({"month": pd.date_range("2023-01-01", periods=12, freq="MS"),
...                    "count": [10, 12, 11, 13, 10, 12, 11, 12, 10, 11, 13, 30]})
>>> out = xmr(df, "month", "count")
>>> out["rule"].iloc[-1]
'outside limits'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.validation import (
    first_bad_row,
    read_dates,
    require_columns,
    require_dataframe,
    require_int,
    require_no_missing,
    require_not_empty,
    require_numeric,
    warn,
)

__all__ = ["xmr", "spc_runs", "RULES", "XMR_CONSTANT", "D2"]

#: Scaling constant for individuals-chart limits (3 / d2).
XMR_CONSTANT = 2.66
#: Bias-correction constant d2 for moving ranges of two points.
D2 = 1.128
RULE_OUTSIDE = "outside limits"
RULE_TWO_OF_THREE = "2 of 3 beyond 2 sigma"
RULE_SHIFT = "shift"
RULE_TREND = "trend"
#: Rule names in order of precedence (the first that fires sets ``direction``).
RULES = (RULE_OUTSIDE, RULE_TWO_OF_THREE, RULE_SHIFT, RULE_TREND)
#: Fewer points than this in a segment triggers a warning that the limits are unreliable.
MIN_POINTS = 12


def _runs(mask: np.ndarray, min_length: int) -> np.ndarray:
    """Return a mask of the positions in runs of True at least ``min_length`` long."""
    out = np.zeros(len(mask), dtype=bool)
    start = None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            if i - start >= min_length:
                out[start:i] = True
            start = None
    return out


def _trend_runs(x: np.ndarray, min_length: int, rising: bool) -> np.ndarray:
    """Mask of points in runs of ``min_length`` strictly rising (or falling) values."""
    d = np.diff(x)
    step = d > 0 if rising else d < 0
    # A run of k steps covers k + 1 points.
    step_runs = _runs(step, min_length - 1)
    out = np.zeros(len(x), dtype=bool)
    out[1:] |= step_runs
    out[:-1] |= step_runs
    return out


def _segment_rules(
    x: np.ndarray, mean: float, upper: float, lower: float, shift_length: int, trend_length: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return {rule: (high_mask, low_mask)} for one segment."""
    n = len(x)
    two_hi = mean + 2 / 3 * (upper - mean)
    two_lo = mean - 2 / 3 * (mean - lower)
    beyond_hi = x > two_hi
    beyond_lo = x < two_lo
    near_hi = np.zeros(n, dtype=bool)
    near_lo = np.zeros(n, dtype=bool)
    for i in range(n - 2):
        w = slice(i, i + 3)
        if beyond_hi[w].sum() >= 2:
            near_hi[w] |= beyond_hi[w]
        if beyond_lo[w].sum() >= 2:
            near_lo[w] |= beyond_lo[w]
    return {
        RULE_OUTSIDE: (x > upper, x < lower),
        RULE_TWO_OF_THREE: (near_hi, near_lo),
        RULE_SHIFT: (_runs(x > mean, shift_length), _runs(x < mean, shift_length)),
        RULE_TREND: (
            _trend_runs(x, trend_length, rising=True),
            _trend_runs(x, trend_length, rising=False),
        ),
    }


def xmr(
    df: pd.DataFrame,
    date_col: str = "date",
    value_col: str = "count",
    breaks: Sequence[object] | None = None,
    shift_length: int = 7,
    trend_length: int = 7,
) -> pd.DataFrame:
    """XmR (individuals) chart of a monthly series with Making Data Count rules.

    Parameters
    ----------
    df : DataFrame
        One row per period (month). Not changed; rows are sorted by date in the output.
    date_col : str, default "date"
        Column of dates (anything ``pd.to_datetime`` reads). Must be unique.
    value_col : str, default "count"
        Column of numeric values, no missing values.
    breaks : sequence of date-like, optional
        Dates at which the process changed (e.g. a recording-practice change). The limits
        are recalculated from the first point on or after each break.
    shift_length, trend_length : int, default 7
        Run lengths for the shift and trend rules (Making Data Count uses 7).

    Returns
    -------
    DataFrame
        A copy of ``df`` sorted by date (``date_col`` as datetime) with added columns:

        - ``segment``: 0 for the first segment, 1 after the first break, ...
        - ``moving_range``: ``|x_t - x_{t-1}|`` within the segment (NaN at its start).
        - ``mean``, ``upper``, ``lower``: the segment's mean and process limits.
        - ``special_cause``: bool, any rule fired for the point.
        - ``direction``: ``"high"``, ``"low"`` or ``""`` (from the first rule that fired,
          in the order of :data:`RULES`).
        - ``rule``: the rule(s) that fired, joined by ``"; "`` (``""`` if none).

        ``attrs["date_col"]`` and ``attrs["value_col"]`` name the input columns.

    Raises
    ------
    ValueError
        If a column is missing, values are missing or non-numeric, dates are unreadable
        or repeated, or there are fewer than 2 points.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=28, freq="MS"),
    ...                    "count": [5, 6] * 7 + [12, 13] * 7})
    >>> xmr(df, breaks=["2023-03-01"])["segment"].tolist()[13:15]
    [0, 1]
    """
    dates = _xmr_dates(df, date_col, value_col, shift_length, trend_length)
    out = df.copy()
    out[date_col] = dates
    out = out.sort_values(date_col, kind="stable")
    x = out[value_col].to_numpy(dtype=float)
    d = out[date_col].to_numpy()
    segment = _segments(d, breaks)
    mr, mean, upper, lower, high, low = _segment_limits(x, d, segment, shift_length, trend_length)
    rule_text, direction = _rule_labels(high, low, len(x))

    out["segment"] = segment
    out["moving_range"] = mr
    out["mean"] = mean
    out["upper"] = upper
    out["lower"] = lower
    out["special_cause"] = np.array([bool(t) for t in rule_text], dtype=bool)
    out["direction"] = direction
    out["rule"] = rule_text
    out.attrs["date_col"] = date_col
    out.attrs["value_col"] = value_col
    return out


def _xmr_dates(
    df: pd.DataFrame, date_col: str, value_col: str, shift_length: int, trend_length: int
) -> pd.Series:
    """Validate :func:`xmr`'s arguments and return ``df[date_col]`` as datetimes.

    Records the rules as a choice when they are Making Data Count's defaults.
    """
    require_dataframe(df, "df")
    require_not_empty(df, arg="df", fix="pass at least a year of monthly counts.")
    require_columns(df, [date_col, value_col], arg="df")
    require_numeric(df, value_col, arg="df")
    require_no_missing(
        df, value_col, arg="df", fix="fill months with no records with 0, or drop them."
    )
    require_no_missing(df, date_col, arg="df", fix="drop rows without a date.")
    require_int(shift_length, arg="shift_length", minimum=2)
    require_int(trend_length, arg="trend_length", minimum=3)
    dates = read_dates(df, date_col, arg="df")
    dup = dates.duplicated(keep="first")
    label = first_bad_row(df, dup)
    if label is not None:
        raise ValueError(
            f"df[{date_col!r}] has repeated dates; the first repeat is {dates.loc[label]!s} at "
            f"row {label!r}. Fix: aggregate to one row per month first "
            f"(e.g. df.groupby({date_col!r}, as_index=False)[{value_col!r}].sum())."
        )
    if len(df) < 2:
        raise ValueError("df has 1 row; an XmR chart needs at least 2 points (ideally 15-20).")
    if shift_length == 7 and trend_length == 7:
        record_choice(
            "SPC rules",
            "outside 2.66 mR limits; 2 of 3 beyond 2 sigma; shift of 7; trend of 7",
            "NHS England Making Data Count rules for XmR charts",
        )
    return dates


def _segments(d: np.ndarray, breaks: Sequence[object] | None) -> np.ndarray:
    """Segment number (0, 1, 2, ...) of each sorted date; breaks outside the series warn."""
    segment = np.zeros(len(d), dtype=int)
    for b in sorted(pd.to_datetime(list(breaks or []))):
        after = d >= np.datetime64(b)
        if not after.any() or after.all():
            warn(
                f"break {b.date()} is outside the series ({pd.Timestamp(d[0]).date()} to "
                f"{pd.Timestamp(d[-1]).date()}), so it was ignored. Check the break dates."
            )
            continue
        segment += after.astype(int)
    # Renumber so segments are 0, 1, 2, ... even if a break was ignored or repeated.
    return pd.factorize(segment)[0]


def _segment_limits(
    x: np.ndarray, d: np.ndarray, segment: np.ndarray, shift_length: int, trend_length: int
):
    """Moving range, mean, limits and rule masks of each point, segment by segment.

    Returns ``(mr, mean, upper, lower, high, low)``: four arrays, then two
    ``{rule: mask}`` dicts (points high / low by each rule).
    """
    n = len(x)
    mr = np.full(n, np.nan)
    mean = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    high = {r: np.zeros(n, dtype=bool) for r in RULES}
    low = {r: np.zeros(n, dtype=bool) for r in RULES}
    for s in np.unique(segment):
        idx = np.flatnonzero(segment == s)
        xs = x[idx]
        if len(xs) < MIN_POINTS:
            warn(
                f"the part of the series from {pd.Timestamp(d[idx[0]]).strftime('%B %Y')} "
                f"(between recalculation points) has only {len(xs)} "
                f"point(s); XmR limits are unreliable with fewer than {MIN_POINTS} "
                f"(Making Data Count suggests 15-20). Use a longer series or fewer breaks."
            )
        if len(xs) < 2:
            mean[idx] = xs.mean()
            continue
        mr_s = np.abs(np.diff(xs))
        mr[idx[1:]] = mr_s
        m = xs.mean()
        mrbar = mr_s.mean()
        mean[idx] = m
        upper[idx] = m + XMR_CONSTANT * mrbar
        lower[idx] = m - XMR_CONSTANT * mrbar
        rules = _segment_rules(
            xs, m, m + XMR_CONSTANT * mrbar, m - XMR_CONSTANT * mrbar, shift_length, trend_length
        )
        for r, (hi_mask, lo_mask) in rules.items():
            high[r][idx] = hi_mask
            low[r][idx] = lo_mask
    return mr, mean, upper, lower, high, low


def _rule_labels(
    high: dict[str, np.ndarray], low: dict[str, np.ndarray], n: int
) -> tuple[list[str], list[str]]:
    """Per point: the rules that fired (joined by "; ") and the first rule's direction."""
    rule_text = []
    direction = []
    for i in range(n):
        fired = [r for r in RULES if high[r][i] or low[r][i]]
        rule_text.append("; ".join(fired))
        if not fired:
            direction.append("")
        else:
            first = fired[0]
            direction.append("high" if high[first][i] else "low")
    return rule_text, direction


def _span(a: pd.Timestamp, b: pd.Timestamp) -> str:
    if a == b:
        return f"in {a:%b %Y}"
    if a.year == b.year:
        return f"from {a:%b} to {b:%b %Y}"
    return f"from {a:%b %Y} to {b:%b %Y}"


def spc_runs(xmr_result: pd.DataFrame) -> pd.DataFrame:
    """Special-cause months of :func:`xmr` grouped into runs, each described in words.

    A run is consecutive flagged months in the same segment with the same direction.
    A run with the shift rule reads "above the mean from Feb to Oct 2025, a shift of 9
    months"; with the trend rule "rising from ... , a trend of N months"; otherwise
    "unusually high in Dec 2025 (outside limits)".

    Parameters
    ----------
    xmr_result : DataFrame
        The output of :func:`xmr`.

    Returns
    -------
    DataFrame
        One row per run, in time order: ``start``, ``end`` (month starts), ``months``,
        ``direction`` ("high"/"low"), ``rules`` (the rules that fired in the run, in the
        order of :data:`RULES`, joined by "; ") and ``description``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=24, freq="MS"),
    ...                    "count": [10, 11, 9, 10, 12, 10, 9, 11, 10, 11, 10, 9,
    ...                              14, 13, 14, 15, 13, 14, 14, 13, 15, 11, 10, 12]})
    >>> spc_runs(xmr(df))["description"].tolist()
    ['below the mean from Jun to Dec 2024, a shift of 7 months', 'above the mean from Jan to Sep 2025, a shift of 9 months']
    """
    require_dataframe(xmr_result, "xmr_result")
    date_col = xmr_result.attrs.get("date_col", "date")
    require_columns(
        xmr_result,
        [date_col, "segment", "special_cause", "direction", "rule"],
        arg="xmr_result",
        fix="pass the DataFrame returned by sa_lib.stats.spc.xmr.",
    )
    d = xmr_result.sort_values(date_col, kind="stable").reset_index(drop=True)
    runs, cur = [], None
    for k, r in d.iterrows():
        if not r["special_cause"]:
            cur = None
            continue
        key = (r["segment"], r["direction"])
        if cur is not None and cur["key"] == key and cur["last"] == k - 1:
            cur["last"] = k
            cur["end"] = r[date_col]
            cur["rules"].update(str(r["rule"]).split("; "))
        else:
            cur = {
                "key": key,
                "first": k,
                "last": k,
                "start": r[date_col],
                "end": r[date_col],
                "rules": set(str(r["rule"]).split("; ")),
            }
            runs.append(cur)
    rows = []
    for run in runs:
        start, end = pd.Timestamp(run["start"]), pd.Timestamp(run["end"])
        months = run["last"] - run["first"] + 1
        high = run["key"][1] == "high"
        rules = [r for r in RULES if r in run["rules"]]
        span = _span(start, end)
        if RULE_SHIFT in rules:
            text = f"{'above' if high else 'below'} the mean {span}, a shift of {months} months"
        elif RULE_TREND in rules:
            text = f"{'rising' if high else 'falling'} {span}, a trend of {months} months"
        else:
            text = f"unusually {'high' if high else 'low'} {span} ({', '.join(rules)})"
        rows.append(
            {
                "start": start,
                "end": end,
                "months": int(months),
                "direction": run["key"][1],
                "rules": "; ".join(rules),
                "description": text,
            }
        )
    return pd.DataFrame(
        rows, columns=["start", "end", "months", "direction", "rules", "description"]
    )
