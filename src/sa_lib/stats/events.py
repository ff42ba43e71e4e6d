"""Do counts really differ on event days? A regression test instead of eyeballing.

"Domestic abuse goes up on Christmas Day / when England play" is a common claim in
strategic assessments, usually made by looking at a chart. Days differ for many
reasons (weekends are busier, summer differs from winter, the series has a trend),
so a raw comparison of event days with all other days can mislead: a tournament
played mostly at weekends in June will look "high" against an average weekday in
February.

:func:`event_effects` fits one count regression for the whole series::

    log E[count_t] = intercept + weekday_t + month_t + year_t + sum_k beta_k * event_k(t)

with day-of-week, month (season) and year (level/trend) as categorical terms and one
0/1 indicator per event. ``exp(beta_k)`` is the **rate ratio**: how many times higher
the count is on event k's days than on comparable non-event days (same weekday, month
and year). Each event gets a Wald confidence interval and p-value, and the p-values
are adjusted for the number of events tested (:func:`sa_lib.stats.multiplicity.adjust_p_values`;
``correction`` argument). ``significant`` uses the adjusted p-value.

Model (``model``)
-----------------
``"poisson"``: Poisson GLM. ``"negbin"``: negative binomial (NB2, dispersion
estimated; ``statsmodels`` ``NegativeBinomial``), for overdispersed counts, which gives
wider, honest intervals. ``None`` fits the Poisson model, and switches to the negative
binomial when the Pearson dispersion (chi-square / residual df) exceeds 1.1; the choice
and the dispersion are recorded with :func:`sa_lib.choices.record_choice`.

Weekly counts: each row is a week starting on its date; a week is an event week if
any of its 7 days is an event day (which dilutes a one-day effect), and there is no
weekday term.

The events table is a CSV with columns ``event``, ``start`` and ``end`` (dates as
YYYY-MM-DD or DD/MM/YYYY, both inclusive; a blank ``end`` is a one-day event). Rows
with the same ``event`` name are one event (e.g. one row per match day).

Examples
--------
>>> import io
>>> from sa_lib.stats.events import load_events
>>> csv = io.StringIO("event,start,end\\nChristmas Day,2024-12-25,2024-12-25\\n"
...                   "Euro 2024 (England),2024-06-16,\\n")
>>> load_events(csv)["end"].dt.strftime("%Y-%m-%d").tolist()
['2024-12-25', '2024-06-16']
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.stats.multiplicity import adjust_p_values
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_dataframe,
    require_no_missing,
    require_non_negative,
    require_not_empty,
    require_probability,
    warn,
)

__all__ = [
    "CORRECTIONS",
    "MODELS",
    "CONTROLS",
    "load_events",
    "validate_events",
    "event_indicators",
    "event_effects",
]

CORRECTIONS = ("holm", "bonferroni", "fdr_bh", "none")
MODELS = ("poisson", "negbin")
CONTROLS = ("weekday", "month", "year")
#: Pearson dispersion above which model=None switches to the negative binomial.
DISPERSION_THRESHOLD = 1.1
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _parse_date(text: object) -> pd.Timestamp | None:
    if text is None or (np.isscalar(text) and pd.isna(text)) or text is pd.NaT:
        return None
    if isinstance(text, pd.Timestamp | np.datetime64):
        return pd.Timestamp(text).normalize()
    s = str(text).strip()
    for fmt in _DATE_FORMATS:
        try:
            return pd.to_datetime(s, format=fmt)
        except (ValueError, TypeError):
            continue
    raise ValueError(s)


def validate_events(events: pd.DataFrame, *, arg: str = "events", first_line: int | None = None):
    """Check and normalise an events table; return a copy with parsed dates.

    Parameters
    ----------
    events : DataFrame
        Columns ``event``, ``start`` and ``end`` (see the module docstring).
    arg : str
        Name used in messages.
    first_line : int or None
        Line number of the first data row in the source file (2 for a CSV with a
        header), so that errors name the line; None names the row.

    Returns
    -------
    DataFrame
        Columns ``event`` (str), ``start`` and ``end`` (dates), in the input order.

    Raises
    ------
    ValueError
        For a missing column, an empty event name, a date that cannot be read, or an
        end before its start, naming the line (or row).
    """
    require_columns(
        events,
        ["event", "start", "end"],
        arg=arg,
        fix="the events CSV needs a header 'event,start,end' (dates YYYY-MM-DD)",
    )
    require_not_empty(events, arg=arg, fix="add at least one event row")

    def where(i: int) -> str:
        return f"line {first_line + i}" if first_line is not None else f"row {events.index[i]!r}"

    names, starts, ends = [], [], []
    for i, (name, start, end) in enumerate(
        events[["event", "start", "end"]].itertuples(index=False)
    ):
        if pd.isna(name) or not str(name).strip():
            raise ValueError(f"{arg}: the event name is empty at {where(i)}. Fix: name it.")
        parsed = []
        for col, value in (("start", start), ("end", end)):
            try:
                parsed.append(_parse_date(value))
            except ValueError:
                raise ValueError(
                    f"{arg}: {col} {value!r} at {where(i)} ({str(name).strip()!r}) is not a date. "
                    f"Fix: write dates as YYYY-MM-DD (or DD/MM/YYYY)."
                ) from None
        s, e = parsed
        if s is None:
            raise ValueError(
                f"{arg}: start is missing at {where(i)} ({str(name).strip()!r}). Fix: give the "
                f"first day of the event."
            )
        e = s if e is None else e
        if e < s:
            raise ValueError(
                f"{arg}: end {e.date()} is before start {s.date()} at {where(i)} "
                f"({str(name).strip()!r}). Fix: swap them (both days are included)."
            )
        names.append(str(name).strip())
        starts.append(s)
        ends.append(e)
    return pd.DataFrame(
        {
            "event": pd.Series(names, dtype=object),
            "start": pd.to_datetime(pd.Series(starts)),
            "end": pd.to_datetime(pd.Series(ends)),
        }
    )


def load_events(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate an events CSV (``event``, ``start``, ``end``).

    Parameters
    ----------
    path : path or file-like
        The CSV. Dates YYYY-MM-DD or DD/MM/YYYY; ``end`` inclusive, blank = one day.

    Returns
    -------
    DataFrame
        Columns ``event``, ``start``, ``end`` (see :func:`validate_events`).

    Raises
    ------
    ValueError
        If the file is missing, or a row is bad: the message names its line in the file.

    Examples
    --------
    >>> import io
    >>> ev = load_events(io.StringIO("event,start,end\\nMatch,2024-07-14,2024-07-14\\n"))
    >>> ev["event"].tolist()
    ['Match']
    """
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError as e:
        raise ValueError(
            f"events file not found: {str(path)!r}. Fix: give the path of a CSV with columns "
            f"event,start,end."
        ) from e
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    return validate_events(
        raw, arg=f"events file {str(getattr(path, 'name', path))!r}", first_line=2
    )


def _freq(dates: pd.Series) -> str:
    d = np.diff(np.sort(dates.to_numpy())).astype("timedelta64[D]").astype(int)
    if len(d) == 0:
        raise ValueError("counts has only one date; a series of days or weeks is needed.")
    if d.min() == 1:
        gaps = int((d > 1).sum())
        if gaps:
            warn(
                f"counts skips {gaps} gap(s) between dates (missing days). If nothing was "
                f"recorded on those days, add them with a count of 0."
            )
        return "D"
    if (d % 7 == 0).all():
        return "W"
    raise ValueError(
        f"counts dates are neither daily nor weekly (smallest step {int(d.min())} days). Fix: "
        f"give one row per day, or one per week dated by the week's first day."
    )


def event_indicators(
    dates: pd.Series | Sequence, events: pd.DataFrame, freq: str = "D"
) -> pd.DataFrame:
    """0/1 indicator per event for each date (day, or week starting on the date).

    Parameters
    ----------
    dates : Series or sequence of dates
    events : DataFrame
        From :func:`load_events` / :func:`validate_events`.
    freq : {"D", "W"}, default "D"
        "W": the row is an event week if any of its 7 days is an event day.

    Returns
    -------
    DataFrame
        Index ``dates``; one int column per event name (in first-appearance order).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"event": ["X"], "start": [pd.Timestamp("2024-01-02")],
    ...                    "end": [pd.Timestamp("2024-01-03")]})
    >>> days = pd.date_range("2024-01-01", "2024-01-04")
    >>> event_indicators(days, ev)["X"].tolist()
    [0, 1, 1, 0]
    """
    require_choice(freq, ["D", "W"], arg="freq")
    d = pd.to_datetime(pd.Series(dates)).dt.normalize().to_numpy()
    span = np.timedelta64(6 if freq == "W" else 0, "D")
    out = {}
    for name in dict.fromkeys(events["event"]):
        rows = events[events["event"] == name]
        hit = np.zeros(len(d), dtype=bool)
        for s, e in zip(rows["start"], rows["end"], strict=True):
            hit |= (d <= np.datetime64(e)) & (d + span >= np.datetime64(s))
        out[name] = hit.astype(int)
    return pd.DataFrame(out, index=pd.DatetimeIndex(d))


def _label(rr: float, significant: bool) -> str:
    if not np.isfinite(rr):
        return "not estimable"
    direction = "higher" if rr > 1 else "lower"
    return f"significantly {direction}" if significant else f"{direction}, not significant"


def event_effects(
    counts: pd.DataFrame,
    events: pd.DataFrame,
    date_col: str = "date",
    count_col: str = "count",
    alpha: float = 0.05,
    correction: str = "holm",
    model: str | None = None,
    controls: Sequence[str] = CONTROLS,
) -> pd.DataFrame:
    """Rate ratio of counts on event days versus comparable days, per event.

    Parameters
    ----------
    counts : DataFrame
        One row per day (or per week, dated by its first day) with every day present
        (zeros included). Not changed.
    events : DataFrame
        From :func:`load_events`.
    date_col, count_col : str
        Date and count columns.
    alpha : float, default 0.05
        Significance level; intervals are ``1 - alpha`` (not adjusted for multiplicity).
    correction : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Multiple-comparison adjustment across the events tested.
    model : {"poisson", "negbin"} or None
        None: chosen from the Poisson dispersion (module docstring), recorded.
    controls : sequence of {"weekday", "month", "year"}
        Categorical control terms (weekday is dropped for weekly data; a control with a
        single level in the data is dropped).

    Returns
    -------
    DataFrame
        One row per event: ``event``, ``n_periods`` (event days or weeks in the
        series), ``observed`` (count on them), ``expected`` (the model's count for the
        same days without the event effect), ``crude_ratio`` (mean on event days / mean
        on all other days: the "eyeball" comparison, for contrast), ``rate_ratio``,
        ``rr_lower``, ``rr_upper``, ``p_value``, ``p_adjusted``, ``significant``
        (``p_adjusted < alpha``), ``label`` and ``model``. Events with no days in the
        series are listed with missing estimates and a warning.

    Raises
    ------
    ValueError
        For missing columns, missing, negative or duplicated values, bad ``alpha``,
        ``correction``, ``model`` or ``controls``, or an event that cannot be separated
        from the controls or from another event (on every day, or on exactly the same
        days as another event).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2023-01-01", "2024-12-31")
    >>> ev = pd.DataFrame({"event": ["X"], "start": [pd.Timestamp("2024-03-01")],
    ...                    "end": [pd.Timestamp("2024-03-20")]})
    >>> mu = np.where((days >= "2024-03-01") & (days <= "2024-03-20"), 20, 10)
    >>> counts = pd.DataFrame({"date": days,
    ...                        "count": np.random.default_rng(1).poisson(mu)})
    >>> r = event_effects(counts, ev, model="poisson", correction="none")
    >>> bool(r.loc[0, "significant"]), bool(r.loc[0, "rr_lower"] < 2 < r.loc[0, "rr_upper"])
    (True, True)
    """
    events = _check_effect_args(
        counts, events, date_col, count_col, alpha, correction, model, controls
    )
    dates = _series_dates(counts, date_col)
    freq = _freq(dates)
    y = counts[count_col].to_numpy(dtype=float)
    if np.any(y != np.round(y)):
        raise ValueError(f"counts[{count_col!r}] must hold whole numbers (counts).")

    ind = event_indicators(dates, events, freq)
    data = pd.DataFrame({"y": y})
    terms = _control_terms(data, dates, controls, freq)
    usable = _event_terms(data, ind)
    rhs = " + ".join(terms + [f"ev_{k}" for k in usable]) or "1"
    formula = f"y ~ {rhs}"

    res, chosen = _fit_model(formula, data, model)
    record_choice(
        "event effects controls",
        ", ".join(terms) or "none",
        f"{'daily' if freq == 'D' else 'weekly'} series; categorical controls so event days "
        f"are compared with similar days",
        source="parameters",
    )
    out = _effects_table(res, data, ind, y, usable, alpha)
    _adjust_p_values(out, alpha, correction)
    out["significant"] = (out["p_adjusted"] < alpha).to_numpy()
    out["label"] = [
        _label(rr, s) for rr, s in zip(out["rate_ratio"], out["significant"], strict=True)
    ]
    out["model"] = chosen
    return out[list(_EFFECT_COLUMNS)]


_EFFECT_COLUMNS = (
    "event",
    "n_periods",
    "observed",
    "expected",
    "crude_ratio",
    "rate_ratio",
    "rr_lower",
    "rr_upper",
    "p_value",
    "p_adjusted",
    "significant",
    "label",
    "model",
)


def _check_effect_args(
    counts: pd.DataFrame,
    events: pd.DataFrame,
    date_col: str,
    count_col: str,
    alpha: float,
    correction: str,
    model: str | None,
    controls: Sequence[str],
) -> pd.DataFrame:
    """Validate :func:`event_effects`' arguments; return the validated events."""
    require_columns(
        counts,
        [date_col, count_col],
        arg="counts",
        fix="name the columns with date_col=... and count_col=...",
    )
    require_not_empty(counts, arg="counts")
    require_no_missing(counts, count_col, arg="counts", fix="fill days with no records with 0")
    require_non_negative(counts, count_col, arg="counts")
    require_no_missing(counts, date_col, arg="counts")
    require_probability(alpha, arg="alpha")
    require_choice(correction, CORRECTIONS, arg="correction")
    if model is not None:
        require_choice(model, MODELS, arg="model")
    for c in controls:
        require_choice(c, CONTROLS, arg="controls")
    require_dataframe(events, "events")
    return validate_events(events)


def _series_dates(counts: pd.DataFrame, date_col: str) -> pd.Series:
    """The counts' dates, normalised to midnight; raises on a non-date or a repeated date."""
    raw_dates = counts[date_col]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = raw_dates.dt.normalize()
    else:
        dates = pd.to_datetime(raw_dates, errors="coerce", format="ISO8601")
        label = first_bad_row(counts, dates.isna())
        if label is not None:
            raise ValueError(
                f"counts[{date_col!r}] has a value that is not a date: {raw_dates.loc[label]!r} "
                f"at row {label!r}. Fix: write dates as YYYY-MM-DD."
            )
        dates = dates.dt.normalize()
    dup = dates.duplicated()
    label = first_bad_row(counts, dup)
    if label is not None:
        raise ValueError(
            f"counts[{date_col!r}] repeats {dates.loc[label].date()} at row {label!r}. Fix: "
            f"aggregate to one row per day (or week) first."
        )
    return dates


def _control_terms(
    data: pd.DataFrame, dates: pd.Series, controls: Sequence[str], freq: str
) -> list[str]:
    """Add each usable control as a column of ``data`` (in place); return its formula terms."""
    terms = []
    levels = {
        "weekday": dates.dt.day_of_week.astype(str),
        "month": dates.dt.month.astype(str),
        "year": dates.dt.year.astype(str),
    }
    for c in controls:
        if c == "weekday" and freq == "W":
            continue
        if levels[c].nunique() > 1:
            data[c] = levels[c].to_numpy()
            terms.append(f"C({c})")
    return terms


def _event_terms(data: pd.DataFrame, ind: pd.DataFrame) -> list[int]:
    """Add each testable event as column ``ev_k`` of ``data`` (in place); return the k's.

    An event with no days is skipped with a warning; one on every day, or on exactly the
    same days as another event, cannot be separated and raises.
    """
    names = list(ind.columns)
    n_periods = ind.sum(axis=0).to_numpy()
    usable = []
    for k, name in enumerate(names):
        v = ind[name].to_numpy()
        if n_periods[k] == 0:
            warn(f"Event {name!r} has no days in the counts' date range; it is not tested.")
            continue
        if n_periods[k] == len(v):
            raise ValueError(
                f"Event {name!r} covers every date in the series, so there are no non-event "
                f"days to compare with. Fix: extend the series beyond the event."
            )
        for j in usable:
            if np.array_equal(v, ind[names[j]].to_numpy()):
                raise ValueError(
                    f"Events {names[j]!r} and {name!r} fall on exactly the same days, so their "
                    f"effects cannot be separated. Fix: merge them into one event."
                )
        usable.append(k)
        data[f"ev_{k}"] = v
    return usable


def _fit_model(formula: str, data: pd.DataFrame, model: str | None):
    """Fit the Poisson GLM, or the negative binomial when asked or overdispersed.

    Returns the fitted result and the model used (recorded when ``model`` is None).
    """
    import statsmodels.formula.api as smf
    from statsmodels.genmod import families

    chosen = model
    pois = smf.glm(formula, data, family=families.Poisson()).fit()
    dispersion = float(pois.pearson_chi2 / pois.df_resid) if pois.df_resid > 0 else np.nan
    if chosen is None:
        chosen = "negbin" if dispersion > DISPERSION_THRESHOLD else "poisson"
        record_choice(
            "event effects model",
            chosen,
            f"Poisson Pearson dispersion {dispersion:.2f} "
            f"({'>' if chosen == 'negbin' else '<='} {DISPERSION_THRESHOLD})",
        )
    if chosen == "poisson":
        res = pois
        if dispersion > DISPERSION_THRESHOLD:
            warn(
                f"The counts are overdispersed (Pearson dispersion {dispersion:.2f}); Poisson "
                f"intervals will be too narrow. Consider model='negbin'."
            )
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = smf.negativebinomial(formula, data).fit(disp=0, maxiter=500)
        if any("converge" in str(w.message).lower() for w in caught) or not res.mle_retvals.get(
            "converged", True
        ):
            warn(
                "The negative binomial model did not converge cleanly; check the results or "
                "use model='poisson'."
            )
    return res, chosen


def _effects_table(
    res, data: pd.DataFrame, ind: pd.DataFrame, y: np.ndarray, usable: list[int], alpha: float
) -> pd.DataFrame:
    """One row per event: counts, crude ratio and (for tested events) the model estimates."""
    ci = res.conf_int(alpha=alpha)
    mu = np.asarray(res.predict(data), dtype=float)
    rows = []
    for k, name in enumerate(ind.columns):
        v = ind[name].to_numpy().astype(bool)
        crude = (
            y[v].mean() / y[~v].mean() if v.any() and (~v).any() and y[~v].mean() > 0 else np.nan
        )
        row = {
            "event": name,
            "n_periods": int(v.sum()),
            "observed": float(y[v].sum()),
            "crude_ratio": crude,
        }
        if k in usable:
            b = float(res.params[f"ev_{k}"])
            row |= {
                "expected": float((mu[v] / np.exp(b)).sum()),
                "rate_ratio": float(np.exp(b)),
                "rr_lower": float(np.exp(ci.loc[f"ev_{k}"].iloc[0])),
                "rr_upper": float(np.exp(ci.loc[f"ev_{k}"].iloc[1])),
                "p_value": float(res.pvalues[f"ev_{k}"]),
            }
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in ["expected", "rate_ratio", "rr_lower", "rr_upper", "p_value"]:
        if c not in out.columns:
            out[c] = np.nan
    return out


def _adjust_p_values(out: pd.DataFrame, alpha: float, correction: str) -> None:
    """Add ``p_adjusted`` to ``out`` (in place): ``correction`` across the tested events."""
    tested = out["p_value"].notna().to_numpy()
    out["p_adjusted"] = np.nan
    if tested.any():
        p = out.loc[tested, "p_value"].to_numpy()
        out.loc[tested, "p_adjusted"] = adjust_p_values(p, correction, alpha)
