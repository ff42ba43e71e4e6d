"""Repeat victimisation of domestic abuse: flags, rates, trends and time to repeat.

Definition used
---------------
A crime is a **repeat** when the same (pseudonymised) victim was the victim of
another domestic-abuse crime in the ``window_days`` (default 365) days **before**
it: a rolling look-back window ending at the index crime, not a calendar year.
Concretely, a crime on day ``d`` is a repeat if the same victim has an earlier crime
on a day ``p`` with ``1 <= d - p <= window_days`` (calendar days between the dates).
A **repeat victim** in a period is a victim with at least one repeat crime in the
period.

This is the common police / CSP performance definition. Sources (wording
approximate; check the version your partnership reports against):

- HMICFRS domestic abuse data returns and the Home Office annual data requirement
  ask forces for repeat victims as victims of a domestic-abuse-related crime who had
  another domestic-abuse-related crime in the previous 12 months (approximate).
- College of Policing, Authorised Professional Practice on domestic abuse, treats
  repeat victimisation as a risk factor and expects forces to identify repeats from
  the victim's history over the previous 12 months (approximate).
- SafeLives (MARAC guidance): a repeat MARAC case is one previously referred to a
  MARAC where a further incident is identified within 12 months of the last referral
  (approximate). That is a case-level, referral-based measure: the rates here are
  crime-based and will not match MARAC repeat rates.

Rules for awkward cases
-----------------------
- **Missing victim id**: the crime cannot be linked to a history. It is kept in the
  output with ``is_repeat`` missing (``<NA>``), excluded from every rate, and counted
  in a warning.
- **Same-day crimes** (same victim, same calendar day): by default
  (``same_day_is_repeat=False``) they are treated as one incident recorded as several
  crimes (e.g. an assault and criminal damage at the same call-out, each counted under
  the Home Office Counting Rules), so a same-day crime is *not* a repeat of another on
  that day; each looks back to the victim's last crime on an *earlier* day. Pass
  ``same_day_is_repeat=True`` to count them as repeats. The rule in force is recorded
  with :func:`sa_lib.choices.record_choice`.
- **Left-censoring**: a crime less than ``window_days`` after the start of the data
  cannot be judged fully (an earlier crime may lie before the extract began). Such
  crimes get ``window_complete = False`` and are excluded from :func:`repeat_rate` and
  :func:`repeat_trend` by default (recorded as a choice). A repeat found inside an
  incomplete window is still flagged ``is_repeat = True``; a non-repeat there is
  uncertain.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.repeat_victims import flag_repeats
>>> crimes = pd.DataFrame({
...     "victim_id": ["A", "A", "A", "B"],
...     "committed_from": pd.to_datetime(
...         ["2024-01-01", "2024-03-01", "2025-06-01", "2024-02-01"]),
... })
>>> out = flag_repeats(crimes, data_start="2023-01-01")
>>> out["is_repeat"].tolist(), out["days_since_previous"].tolist()
([False, True, False, False], [<NA>, 60, 457, <NA>])
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.stats.rates import proportion_ci
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_dataframe,
    require_int,
    require_probability,
    warn,
)

__all__ = [
    "DEFAULT_VICTIM_COL",
    "DEFAULT_DATE_COL",
    "FLAG_COLUMNS",
    "flag_repeats",
    "repeat_rate",
    "repeat_trend",
    "time_to_repeat",
]

#: Victim id and date columns of the force-extract schema (:mod:`sa_lib.data.extract`).
DEFAULT_VICTIM_COL = "victim_id"
DEFAULT_DATE_COL = "committed_from"
#: Columns added by :func:`flag_repeats`.
FLAG_COLUMNS = [
    "is_repeat",
    "previous_date",
    "days_since_previous",
    "victim_crime_number",
    "window_complete",
]
_FREQS = {"M": "M", "Q": "Q", "Y": "Y"}


def _dates(df: pd.DataFrame, col: str, arg: str) -> pd.Series:
    """Parse ``df[col]`` as dates (day precision), naming the first unparseable row."""
    s = df[col]
    if not pd.api.types.is_datetime64_any_dtype(s):
        parsed = pd.to_datetime(s, errors="coerce", format="ISO8601")
        bad = parsed.isna() & s.notna()
        label = first_bad_row(df, bad)
        if label is not None:
            raise ValueError(
                f"{arg}[{col!r}] has a value that is not a date: {s.loc[label]!r} at row "
                f"{label!r} ({int(bad.sum())} bad value(s) in all).\n"
                f"Fix: write dates as YYYY-MM-DD (optionally with HH:MM) or pass the right column as date_col=..."
            )
        s = parsed
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    label = first_bad_row(df, s.isna())
    if label is not None:
        raise ValueError(
            f"{arg}[{col!r}] has {int(s.isna().sum())} missing date(s); the first is at row "
            f"{label!r}. A crime with no date cannot be placed in a victim's history.\n"
            f"Fix: fill it from another date column (e.g. recorded_date) or drop those rows."
        )
    return s.dt.normalize()


def _timestamp(value: object, arg: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{arg} must be a date such as '2024-04-01', got {value!r}.") from e
    if pd.isna(ts):
        raise ValueError(f"{arg} must be a date such as '2024-04-01', got {value!r}.")
    return ts.normalize()


def _gaps(victim: pd.Series, days: pd.Series, known: pd.Series, same_day_is_repeat: bool):
    """Each known victim's crimes in date order: their number and the gap since the previous one.

    On the same day, the previous crime is the last one on an earlier day unless
    ``same_day_is_repeat``.
    """
    work = pd.DataFrame(
        {"victim": victim[known].astype("string").to_numpy(), "day": days[known].to_numpy()},
        index=np.flatnonzero(known.to_numpy()),
    )
    work["pos"] = work.index
    work = work.sort_values(["victim", "day", "pos"], kind="mergesort")
    work["number"] = work.groupby("victim", sort=False).cumcount() + 1
    if same_day_is_repeat:
        work["prev"] = work.groupby("victim", sort=False)["day"].shift(1)
    else:
        firsts = work.drop_duplicates(["victim", "day"])[["victim", "day"]].copy()
        firsts["prev"] = firsts.groupby("victim", sort=False)["day"].shift(1)
        work = work.merge(firsts, on=["victim", "day"], how="left")
    gap = (work["day"] - work["prev"]).dt.days
    return work, gap


def flag_repeats(
    df: pd.DataFrame,
    victim_col: str = DEFAULT_VICTIM_COL,
    date_col: str = DEFAULT_DATE_COL,
    window_days: int = 365,
    same_day_is_repeat: bool | None = None,
    data_start: object = None,
) -> pd.DataFrame:
    """Flag each crime whose victim had an earlier crime within ``window_days``.

    Parameters
    ----------
    df : DataFrame
        One row per domestic-abuse crime (filter ``domestic_abuse == True`` first).
        Not changed.
    victim_col : str, default "victim_id"
        Pseudonymised victim id. Missing ids are kept but not flagged (warning).
    date_col : str, default "committed_from"
        Date (or date-time) of the crime; only the calendar day is used. Use
        ``"recorded_date"`` to follow recorded-crime counting.
    window_days : int, default 365
        Look-back window: a previous crime 1 to ``window_days`` days earlier makes a
        repeat (inclusive).
    same_day_is_repeat : bool or None
        Whether a crime on the same day as another for the same victim counts as a
        repeat. None means False (same incident), recorded as a choice.
    data_start : date-like or None
        First day the data covers. None means the earliest date in ``df``, recorded as
        a choice. Used for ``window_complete``.

    Returns
    -------
    DataFrame
        A copy of ``df`` (same rows and order) with added columns:

        - ``is_repeat`` (nullable boolean): a previous crime for the same victim within
          the window; ``<NA>`` where the victim id is missing.
        - ``previous_date``: day of the victim's previous crime (``NaT`` if none).
        - ``days_since_previous`` (Int64): days since it.
        - ``victim_crime_number`` (Int64): 1 for the victim's first crime in the data,
          2 for the second, ... (same-day crimes in input order).
        - ``window_complete`` (bool): the whole look-back window lies on or after
          ``data_start``, so a "not repeat" can be trusted.

    Raises
    ------
    ValueError
        If a column is missing, a date is missing or unparseable, or ``window_days``
        is not a positive whole number.

    Examples
    --------
    >>> import pandas as pd
    >>> crimes = pd.DataFrame({"victim_id": ["A", "A", "A"],
    ...     "committed_from": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"])})
    >>> out = flag_repeats(crimes, same_day_is_repeat=False)
    >>> out["is_repeat"].tolist(), out["victim_crime_number"].tolist()
    ([False, False, True], [1, 2, 3])
    """
    require_dataframe(df, "df")
    require_columns(
        df,
        [victim_col, date_col],
        arg="df",
        fix="name the victim id and date columns with victim_col=... and date_col=...",
    )
    require_int(window_days, arg="window_days", minimum=1)
    if same_day_is_repeat is None:
        same_day_is_repeat = False
        record_choice(
            "repeat victimisation: same-day crimes",
            "not a repeat",
            "crimes against the same victim on the same day are usually one incident "
            "recorded as several crimes",
        )
    elif not isinstance(same_day_is_repeat, bool | np.bool_):
        raise ValueError(f"same_day_is_repeat must be True or False, got {same_day_is_repeat!r}.")

    days = _dates(df, date_col, "df")
    if data_start is None:
        start = days.min() if len(days) else pd.NaT
        record_choice(
            "repeat victimisation: data start",
            "" if pd.isna(start) else start.date().isoformat(),
            "earliest crime date in the data; crimes in the first window_days after it "
            "have an incomplete look-back window",
        )
    else:
        start = _timestamp(data_start, "data_start")
        label = first_bad_row(df, days < start)
        if label is not None:
            raise ValueError(
                f"data_start={start.date().isoformat()} is after the crime at row {label!r} "
                f"({days.loc[label].date().isoformat()}). Fix: set data_start to the first "
                f"day the extract covers."
            )

    victim = df[victim_col]
    known = victim.notna() & (victim.astype("string").str.strip() != "").fillna(False)
    n_unknown = int((~known).sum())
    if n_unknown:
        warn(
            f"{n_unknown} of {len(df)} crime(s) have no victim id in df[{victim_col!r}]; they "
            f"cannot be linked to a victim history and are left out of the repeat flags "
            f"(is_repeat is <NA>) and of every repeat rate."
        )

    work, gap = _gaps(victim, days, known, same_day_is_repeat)

    n = len(df)
    is_repeat = pd.array([pd.NA] * n, dtype="boolean")
    prev = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    since = pd.array([pd.NA] * n, dtype="Int64")
    number = pd.array([pd.NA] * n, dtype="Int64")
    pos = work["pos"].to_numpy()
    is_repeat[pos] = (gap.notna() & (gap <= window_days)).to_numpy()
    prev.iloc[pos] = work["prev"].to_numpy()
    since[pos] = gap.astype("Int64").to_numpy()
    number[pos] = work["number"].to_numpy()

    out = df.copy()
    out["is_repeat"] = is_repeat
    out["previous_date"] = prev.to_numpy()
    out["days_since_previous"] = since
    out["victim_crime_number"] = number
    out["window_complete"] = (days - pd.Timedelta(days=window_days) >= start).to_numpy()
    return out


def _flagged(df, victim_col, date_col, window_days, same_day_is_repeat, data_start):
    """Flag repeats unless ``df`` already carries the flags."""
    if all(c in df.columns for c in FLAG_COLUMNS):
        return df.copy()
    return flag_repeats(df, victim_col, date_col, window_days, same_day_is_repeat, data_start)


def _record_incomplete(include_incomplete: bool | None) -> bool:
    if include_incomplete is None:
        record_choice(
            "repeat victimisation: incomplete look-back windows",
            "excluded",
            "crimes in the first window_days of the data cannot be judged fully (an earlier "
            "crime may predate the extract), so they are left out of repeat rates",
        )
        return False
    if not isinstance(include_incomplete, bool | np.bool_):
        raise ValueError(f"include_incomplete must be True or False, got {include_incomplete!r}.")
    return bool(include_incomplete)


def _counts(flagged: pd.DataFrame, victim_col: str, include_incomplete: bool) -> dict:
    known = flagged["is_repeat"].notna()
    eligible = known & (flagged["window_complete"] | include_incomplete)
    e = flagged[eligible]
    rep = e["is_repeat"].astype(bool)
    return {
        "crimes": len(e),
        "repeat_crimes": int(rep.sum()),
        "victims": int(e[victim_col].nunique()),
        "repeat_victims": int(e.loc[rep, victim_col].nunique()),
        "n_excluded_window": int((known & ~eligible).sum()),
        "n_no_victim_id": int((~known).sum()),
    }


def repeat_rate(
    df: pd.DataFrame,
    period_start: object,
    period_end: object,
    victim_col: str = DEFAULT_VICTIM_COL,
    date_col: str = DEFAULT_DATE_COL,
    window_days: int = 365,
    same_day_is_repeat: bool | None = None,
    data_start: object = None,
    include_incomplete: bool | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share of a period's crimes, and of its victims, that are repeats, with Wilson CIs.

    The look-back uses the whole of ``df``, so crimes before ``period_start`` count as
    previous crimes. Pass all the domestic-abuse crimes you have, not just the period's.

    Parameters
    ----------
    df : DataFrame
        Domestic-abuse crimes (raw, or already passed through :func:`flag_repeats`).
        Not changed.
    period_start, period_end : date-like
        The period, inclusive at both ends (e.g. "2025-01-01", "2025-12-31").
    victim_col, date_col, window_days, same_day_is_repeat, data_start
        As in :func:`flag_repeats` (ignored if ``df`` already has the flag columns).
    include_incomplete : bool or None
        Include crimes whose look-back window is incomplete. None means False,
        recorded as a choice.
    alpha : float, default 0.05
        The intervals are ``1 - alpha`` Wilson score intervals
        (:func:`sa_lib.stats.rates.proportion_ci`).

    Returns
    -------
    DataFrame
        Two rows, ``measure`` = "crimes" (repeat crimes / crimes) and "victims" (repeat
        victims / victims with a crime in the period), with columns ``measure``,
        ``repeats``, ``total``, ``proportion``, ``proportion_lower``,
        ``proportion_upper``, ``period_start``, ``period_end``, ``n_excluded_window``
        (crimes left out for an incomplete window) and ``n_no_victim_id``.

    Raises
    ------
    ValueError
        If the period is not valid (end before start, not a date), ``alpha`` is not in
        (0, 1), or :func:`flag_repeats` refuses the data.

    Examples
    --------
    >>> import pandas as pd
    >>> crimes = pd.DataFrame({"victim_id": ["A", "A", "B", "C"],
    ...     "committed_from": pd.to_datetime(
    ...         ["2024-06-05", "2025-02-01", "2025-03-01", "2025-04-01"])})
    >>> r = repeat_rate(crimes, "2025-01-01", "2025-12-31", data_start="2024-01-01",
    ...                 include_incomplete=False, same_day_is_repeat=False)
    >>> r[["measure", "repeats", "total"]].values.tolist()
    [['crimes', 1, 3], ['victims', 1, 3]]
    """
    require_dataframe(df, "df")
    require_probability(alpha, arg="alpha")
    start = _timestamp(period_start, "period_start")
    end = _timestamp(period_end, "period_end")
    if end < start:
        raise ValueError(
            f"period_end ({end.date()}) is before period_start ({start.date()}). "
            f"Fix: swap them; the period includes both ends."
        )
    incl = _record_incomplete(include_incomplete)
    flagged = _flagged(df, victim_col, date_col, window_days, same_day_is_repeat, data_start)
    day = _dates(flagged, date_col, "df")
    in_period = flagged[((day >= start) & (day <= end)).to_numpy()]
    c = _counts(in_period, victim_col, incl)
    if c["crimes"] == 0:
        why = (
            f" (all {c['n_excluded_window']} fall in the first {window_days} days of the "
            f"data, where the look-back window is incomplete)"
            if c["n_excluded_window"]
            else ""
        )
        warn(
            f"No crimes with a known victim are eligible between {start.date()} and "
            f"{end.date()}{why}; the repeat rate is missing."
        )
    table = pd.DataFrame(
        {
            "measure": ["crimes", "victims"],
            "repeats": [c["repeat_crimes"], c["repeat_victims"]],
            "total": [c["crimes"], c["victims"]],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        table = proportion_ci(table, "repeats", "total", conf_level=1 - alpha)
    table["period_start"] = start
    table["period_end"] = end
    table["n_excluded_window"] = c["n_excluded_window"]
    table["n_no_victim_id"] = c["n_no_victim_id"]
    return table


def repeat_trend(
    df: pd.DataFrame,
    freq: str = "Q",
    victim_col: str = DEFAULT_VICTIM_COL,
    date_col: str = DEFAULT_DATE_COL,
    window_days: int = 365,
    same_day_is_repeat: bool | None = None,
    data_start: object = None,
    include_incomplete: bool | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Repeat shares by quarter (or month, or year), with Wilson CIs.

    Parameters
    ----------
    df : DataFrame
        Domestic-abuse crimes. Not changed.
    freq : {"Q", "M", "Y"}, default "Q"
        Calendar quarters, months or years.
    victim_col, date_col, window_days, same_day_is_repeat, data_start, include_incomplete
        As in :func:`repeat_rate`.
    alpha : float, default 0.05
        For the ``1 - alpha`` Wilson intervals.

    Returns
    -------
    DataFrame
        One row per period from the first to the last crime, with columns ``period``
        (e.g. "2025Q1"), ``period_start``, ``period_end``, ``crimes``,
        ``repeat_crimes``, ``repeat_crime_share``, ``repeat_crime_share_lower``,
        ``repeat_crime_share_upper``, ``victims``, ``repeat_victims``,
        ``repeat_victim_share`` (+ ``_lower``, ``_upper``), ``n_excluded_window`` and
        ``n_no_victim_id``. Shares are missing for periods with no eligible crime (those
        wholly inside the first ``window_days`` of data, by default); a warning names them.

    Examples
    --------
    >>> import pandas as pd
    >>> crimes = pd.DataFrame({"victim_id": ["A", "A", "B"],
    ...     "committed_from": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-05-01"])})
    >>> t = repeat_trend(crimes, "Q", data_start="2024-01-01", include_incomplete=False,
    ...                  same_day_is_repeat=False)
    >>> t[["period", "crimes", "repeat_crimes"]].values.tolist()
    [['2025Q1', 2, 1], ['2025Q2', 1, 0]]
    """
    require_dataframe(df, "df")
    require_choice(freq, list(_FREQS), arg="freq")
    require_probability(alpha, arg="alpha")
    incl = _record_incomplete(include_incomplete)
    flagged = _flagged(df, victim_col, date_col, window_days, same_day_is_repeat, data_start)
    day = _dates(flagged, date_col, "df")
    cols = [
        "period",
        "period_start",
        "period_end",
        "crimes",
        "repeat_crimes",
        "victims",
        "repeat_victims",
        "n_excluded_window",
        "n_no_victim_id",
    ]
    if len(flagged) == 0:
        return pd.DataFrame(columns=cols)
    periods = day.dt.to_period(_FREQS[freq])
    rows = []
    for p in pd.period_range(periods.min(), periods.max(), freq=_FREQS[freq]):
        c = _counts(flagged[(periods == p).to_numpy()], victim_col, incl)
        rows.append(
            {
                "period": str(p),
                "period_start": p.start_time.normalize(),
                "period_end": p.end_time.normalize(),
                **c,
            }
        )
    out = pd.DataFrame(rows)[cols]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for num, den, name in [
            ("repeat_crimes", "crimes", "repeat_crime_share"),
            ("repeat_victims", "victims", "repeat_victim_share"),
        ]:
            ci = proportion_ci(out, num, den, conf_level=1 - alpha)
            out[name] = ci["proportion"]
            out[f"{name}_lower"] = ci["proportion_lower"]
            out[f"{name}_upper"] = ci["proportion_upper"]
    empty = out.loc[out["crimes"] == 0, "period"].tolist()
    if empty:
        warn(
            f"{len(empty)} period(s) have no eligible crimes ({', '.join(empty[:6])}"
            f"{', ...' if len(empty) > 6 else ''}), e.g. because they fall in the first "
            f"{window_days} days of the data; their repeat shares are missing."
        )
    order = [
        *cols[:4],
        "repeat_crimes",
        "repeat_crime_share",
        "repeat_crime_share_lower",
        "repeat_crime_share_upper",
        "victims",
        "repeat_victims",
        "repeat_victim_share",
        "repeat_victim_share_lower",
        "repeat_victim_share_upper",
        "n_excluded_window",
        "n_no_victim_id",
    ]
    return out[order]


def time_to_repeat(
    df: pd.DataFrame,
    victim_col: str = DEFAULT_VICTIM_COL,
    date_col: str = DEFAULT_DATE_COL,
    within: tuple[int, ...] = (30, 90, 365),
    period_start: object = None,
    period_end: object = None,
    same_day_is_repeat: bool | None = None,
    data_start: object = None,
) -> pd.DataFrame:
    """Summarise the days between a victim's consecutive crimes.

    Every crime with an earlier crime for the same victim contributes its gap
    (``days_since_previous``), whatever its length. Gaps longer than the data span
    cannot be seen, so with a short extract the shares "within" are upper bounds.

    Parameters
    ----------
    df : DataFrame
        Domestic-abuse crimes (raw or flagged). Not changed.
    victim_col, date_col, same_day_is_repeat, data_start
        As in :func:`flag_repeats`.
    within : tuple of int, default (30, 90, 365)
        Report the share of gaps of at most this many days.
    period_start, period_end : date-like or None
        Only crimes in this period (inclusive; None = open-ended).

    Returns
    -------
    DataFrame
        One row: ``n_gaps``, ``median_days``, ``q1_days``, ``q3_days`` (quartiles,
        linear interpolation), ``mean_days`` and ``share_within_<n>`` for each ``n`` in
        ``within`` (NaN when there are no gaps).

    Examples
    --------
    >>> import pandas as pd
    >>> crimes = pd.DataFrame({"victim_id": ["A", "A", "A", "B", "B"],
    ...     "committed_from": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-04-10",
    ...                                       "2024-01-01", "2024-12-31"])})
    >>> s = time_to_repeat(crimes, same_day_is_repeat=False)
    >>> s[["n_gaps", "median_days", "share_within_30"]].values.tolist()
    [[3.0, 90.0, 0.3333333333333333]]
    """
    require_dataframe(df, "df")
    if (
        not isinstance(within, tuple | list)
        or not within
        or any(isinstance(w, bool) or not isinstance(w, int | np.integer) or w < 0 for w in within)
    ):
        raise ValueError(
            f"within must be a non-empty tuple of whole numbers of days, got {within!r}."
        )
    flagged = _flagged(df, victim_col, date_col, 365, same_day_is_repeat, data_start)
    day = _dates(flagged, date_col, "df")
    keep = pd.Series(True, index=flagged.index)
    if period_start is not None:
        keep &= day >= _timestamp(period_start, "period_start")
    if period_end is not None:
        keep &= day <= _timestamp(period_end, "period_end")
    gaps = flagged.loc[keep, "days_since_previous"].dropna().to_numpy(dtype=float)
    n = len(gaps)
    row: dict[str, float] = {"n_gaps": float(n)}
    if n:
        q1, med, q3 = np.quantile(gaps, [0.25, 0.5, 0.75])
        row |= {"median_days": med, "q1_days": q1, "q3_days": q3, "mean_days": gaps.mean()}
    else:
        row |= {"median_days": np.nan, "q1_days": np.nan, "q3_days": np.nan, "mean_days": np.nan}
    for w in within:
        row[f"share_within_{int(w)}"] = float((gaps <= w).mean()) if n else np.nan
    return pd.DataFrame([row])
