"""Long-term trends in monthly counts: Mann-Kendall, Poisson regression and target tracking.

- :func:`mann_kendall`: the non-parametric Mann-Kendall test with Sen's slope.
- :func:`poisson_trend`: a log-linear Poisson GLM (statsmodels) of monthly counts on
  time, with a month-of-year term when there are at least 24 months; the slope is
  reported as a % change per year.
- :func:`baseline_change`: a year (or financial year) against a baseline year, with the
  Poisson test of :func:`sa_lib.stats.change.compare_counts`.
- :func:`target_tracking`: is the fitted trend on course to meet
  a % reduction target by a target year? (charted by :func:`sa_lib.charts.trend.plot_target`)

Examples
--------
>>> from sa_lib.stats.trend import mann_kendall
>>> mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11]).s
41
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from sa_lib.choices import record_choice
from sa_lib.stats.change import compare_counts
from sa_lib.stats.mann_kendall import MannKendallResult, mann_kendall
from sa_lib.stats.monthly_series import monthly_series as _monthly
from sa_lib.stats.monthly_series import months_and_counts as _months_and_counts
from sa_lib.stats.monthly_series import series_key as _series_key
from sa_lib.validation import (
    require_columns,
    require_dataframe,
    require_int,
    require_no_missing,
    require_probability,
    warn,
)

__all__ = [
    "MannKendallResult",
    "PoissonTrendResult",
    "TargetResult",
    "mann_kendall",
    "poisson_trend",
    "baseline_change",
    "target_tracking",
    "MIN_MONTHS_SEASONAL",
]

#: Fewest months for which poisson_trend fits a month-of-year (seasonal) term.
MIN_MONTHS_SEASONAL = 24


# --------------------------------------------------------------------------- Poisson trend


@dataclass
class PoissonTrendResult:
    """Result of :func:`poisson_trend`.

    Attributes
    ----------
    direction : str
        ``"increasing"`` / ``"decreasing"`` when ``p_value < alpha``, else
        ``"no clear trend"``.
    pct_change_per_year : float
        ``100 * (exp(b) - 1)`` where ``b`` is the slope per year on the log scale.
    pct_lower, pct_upper : float
        ``1 - alpha`` confidence interval of ``pct_change_per_year``.
    p_value : float
        Two-sided p-value for the slope: Wald ``b / se`` against t(``df_resid``) when the
        dispersion is estimated (quasi-Poisson, as R ``summary.glm``), else the normal.
    significant : bool
        ``p_value < alpha``.
    n_months : int
        Number of months fitted.
    seasonal : bool
        Whether a month-of-year term was fitted.
    dispersion : float
        The scale used for the standard errors: Pearson chi-square / df when
        ``overdispersion=True`` (quasi-Poisson), else 1.
    df_resid : float
        Residual degrees of freedom (months minus fitted parameters).
    reference : str
        The reference distribution of the p-value and intervals: ``"t(df)"`` when the
        dispersion is estimated, ``"normal"`` otherwise.
    seasonality_p_value : float
        p-value of the month-of-year term as a whole (nested comparison with the model
        without it): F test of the drop in deviance, ``((D0 - D1) / (df0 - df1)) / phi``
        on ``(df0 - df1, df_resid)`` degrees of freedom when the dispersion is estimated
        (R ``anova(test = "F")``), chi-square otherwise. NaN without a seasonal term.
    start, end : Timestamp
        First and last month fitted.
    alpha : float
        The significance level used.
    fitted : DataFrame
        Columns ``date`` (month start), ``observed``, ``fitted``.
    model : object
        The statsmodels GLM results (not shown in the repr).
    """

    direction: str
    pct_change_per_year: float
    pct_lower: float
    pct_upper: float
    p_value: float
    significant: bool
    n_months: int
    seasonal: bool
    dispersion: float
    start: pd.Timestamp
    end: pd.Timestamp
    alpha: float
    fitted: pd.DataFrame = field(repr=False)
    model: object = field(repr=False)
    _months_of_year: tuple = field(repr=False, default=())
    df_resid: float = np.nan
    reference: str = "normal"
    seasonality_p_value: float = np.nan

    def quantile(self, alpha: float) -> float:
        """The two-sided ``1 - alpha`` critical value of :attr:`reference`.

        Examples
        --------
        >>> import pandas as pd
        >>> d = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=12, freq="MS"),
        ...                   "count": [10, 12, 9, 14, 11, 13, 12, 15, 13, 16, 14, 17]})
        >>> r = poisson_trend(d, seasonal=False)
        >>> r.reference, round(r.quantile(0.05), 3)
        ('t(10)', 2.228)
        """
        return _critical(alpha, self.df_resid if self.reference != "normal" else None)


def _critical(alpha: float, df: float | None) -> float:
    """Two-sided critical value: t(df) when a dispersion was estimated, else the normal."""
    if df is None or not np.isfinite(df):
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.t.ppf(1 - alpha / 2, df))


def _two_sided_p(stat: float, df: float | None) -> float:
    if df is None or not np.isfinite(df):
        return float(2 * stats.norm.sf(abs(stat)))
    return float(2 * stats.t.sf(abs(stat), df))


def _design(ordinals: np.ndarray, origin: int, seasonal: bool, months_of_year: tuple) -> np.ndarray:
    """The trend model's design from month ordinals (months since January 1970, as monthly
    Periods count them); ``origin`` is the ordinal of the model's first month."""
    t = (ordinals - origin) / 12.0
    cols = [np.ones(len(ordinals)), t]
    if seasonal:
        moy = ordinals % 12 + 1
        cols += [(moy == m).astype(float) for m in months_of_year[1:]]
    return np.column_stack(cols)


def poisson_trend(
    monthly_df: pd.DataFrame,
    date_col: str = "date",
    count_col: str = "count",
    seasonal: bool = True,
    alpha: float = 0.05,
    overdispersion: bool = True,
) -> PoissonTrendResult:
    """Fit a log-linear Poisson trend to monthly counts.

    The model is ``log E[count] = a + b * t (+ month-of-year effects)`` with ``t`` in
    years, fitted by statsmodels ``GLM(family=Poisson())``. Crime counts are usually
    over-dispersed, so by default the standard errors are scaled by the Pearson
    chi-square dispersion (quasi-Poisson); the estimate itself is the Poisson MLE.

    Parameters
    ----------
    monthly_df : DataFrame
        One row per month. Missing months are allowed (time is taken from the dates).
    date_col, count_col : str
        Date and count columns.
    seasonal : bool, default True
        Add a month-of-year term. With fewer than 24 months it is dropped (there is not
        enough data to separate season from trend) and the choice is recorded.
    alpha : float, default 0.05
        Significance level, also sets the ``1 - alpha`` interval.
    overdispersion : bool, default True
        Scale the standard errors by the Pearson dispersion (never below 1).

    Returns
    -------
    PoissonTrendResult

    Raises
    ------
    ValueError
        If columns are missing, counts missing/negative, months repeated, or there are
        fewer than 3 months.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> counts = np.round(1000 * 1.1 ** (np.arange(36) / 12))
    >>> r = poisson_trend(pd.DataFrame({"date": months, "count": counts}), seasonal=False)
    >>> round(r.pct_change_per_year)
    10
    """
    from sa_lib import memo

    if not memo.active() or not {date_col, count_col} <= set(monthly_df.columns):
        return _poisson_trend(monthly_df, date_col, count_col, seasonal, alpha, overdispersion)
    # Several themes of a pack fit the same series (sa_lib.memo): the fit is keyed by it.
    return memo.pure(
        "poisson_trend",
        lambda: _poisson_trend(monthly_df, date_col, count_col, seasonal, alpha, overdispersion),
        *_series_key(monthly_df, date_col, count_col),
        seasonal,
        alpha,
        overdispersion,
    )


def _prepared(monthly_df, date_col, count_col, seasonal, alpha, overdispersion, frame=True):
    """Validate, record the model's choices and return ``(m, X, y, seasonal, months_of_year)``.

    ``m`` is :func:`_monthly`'s frame, or None without ``frame`` (a caller that needs only
    the design and the counts: read by :func:`_months_and_counts`).
    """
    require_probability(alpha, arg="alpha")
    if frame:
        m = _monthly(monthly_df, date_col, count_col)
        ordinals, y = m["month"].array.asi8, m["count"].to_numpy()
    else:
        m = None
        ordinals, y = _months_and_counts(monthly_df, date_col, count_col)
    n = len(ordinals)
    if n < 3:
        raise ValueError(
            f"monthly_df has {n} month(s); a trend needs at least 3 (ideally 24+ months)."
        )
    if seasonal and n < MIN_MONTHS_SEASONAL:
        seasonal = False
        record_choice(
            "Poisson trend seasonality",
            "no month-of-year term",
            f"only {n} months (< {MIN_MONTHS_SEASONAL}): too few to separate season from trend",
        )
    if overdispersion:
        record_choice(
            "Poisson trend standard errors",
            "quasi-Poisson (Pearson dispersion, at least 1); t(residual df) p-values and "
            "intervals, F for the month-of-year term",
            "crime counts are usually over-dispersed; plain Poisson errors would be too narrow, "
            "and an estimated dispersion calls for t rather than normal reference values",
        )
    months_of_year = tuple(sorted(set((ordinals % 12 + 1).tolist())))
    X = _design(ordinals, int(ordinals[0]), seasonal, months_of_year)
    return m, X, y, seasonal, months_of_year


def _fit(y: np.ndarray, X: np.ndarray, overdispersion: bool):
    """The Poisson GLM fit and its dispersion: ``(results, dispersion)``.

    With ``overdispersion`` the results are those of ``model.fit(scale=dispersion)``
    (see :func:`_scaled`).
    """
    model = GLM(y, X, family=families.Poisson())
    res = model.fit()
    dispersion = 1.0
    if overdispersion and res.df_resid > 0:
        dispersion = max(1.0, float(res.pearson_chi2 / res.df_resid))
        res = _scaled(model, res, dispersion)
    return res, dispersion


def _scaled(model, res, scale: float):
    """``model.fit(scale=scale)``, without fitting again when that fit would stop where ``res`` did.

    A fixed scale changes neither the IRLS steps nor the estimates, only the standard
    errors and the convergence test, which compares deviances divided by the scale. When
    that test, replayed on ``res``'s steps, stops at the same step, the refit's results
    are ``res``'s estimates with the covariance scaled: built here as statsmodels builds
    them. Otherwise (a step that a larger scale stops early) the model is fitted again.
    """
    from statsmodels.genmod.generalized_linear_model import GLMResults, GLMResultsWrapper

    if not _stops_where(model, res, scale):
        return model.fit(scale=scale)
    model.scaletype = scale
    out = GLMResults(model, res.params, res.normalized_cov_params, np.array(scale))
    for attr in ("method", "mle_settings", "fit_history", "converged"):
        setattr(out, attr, getattr(res, attr))
    return GLMResultsWrapper(out)


def _stops_where(model, res, scale: float, tol: float = 1e-8) -> bool:
    """Whether IRLS with a fixed ``scale`` (deviances divided by it) stops at ``res``'s step.

    Replays statsmodels' test (``allclose`` of successive deviances, ``atol=tol``) on the
    steps ``res`` took, with the deviance computed as statsmodels computes it at ``scale``.
    """
    history = res.fit_history
    if not res.converged or len(history["params"]) != history["iteration"] + 2:
        return False
    fam, y, s = model.family, model.endog, np.array(scale)
    dev = [np.inf, fam.deviance(y, fam.starting_mu(y), model.var_weights, model.freq_weights, s)]
    for i, params in enumerate(history["params"][2:], start=1):
        mu = fam.fitted(np.dot(model.exog, params))
        dev.append(fam.deviance(y, mu, model.var_weights, model.freq_weights, s))
        if np.allclose(dev[i], dev[i + 1], atol=tol, rtol=0.0):
            return i == history["iteration"]
    return False


def _pearson(monthly_df, date_col="date", count_col="count", alpha=0.05) -> tuple[float, float]:
    """Pearson chi-square and residual df of :func:`poisson_trend`'s model (its defaults).

    What :func:`sa_lib.stats.dispersion.series_dispersion` reads, without the intervals,
    the fitted values and the seasonal test it does not use; the same choices recorded.
    Inside a pack (:mod:`sa_lib.memo`) each series is fitted once.
    """
    from sa_lib import memo

    if not memo.active() or not {date_col, count_col} <= set(monthly_df.columns):
        return _pearson_fit(monthly_df, date_col, count_col, alpha)
    return memo.pure(
        "pearson",
        lambda: _pearson_fit(monthly_df, date_col, count_col, alpha),
        *_series_key(monthly_df, date_col, count_col),
        alpha,
    )


def _pearson_fit(monthly_df, date_col, count_col, alpha) -> tuple[float, float]:
    _, X, y, _, _ = _prepared(monthly_df, date_col, count_col, True, alpha, True, frame=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=PerfectSeparationWarning)
        res, _ = _fit(y, X, overdispersion=True)
    return float(res.pearson_chi2), float(res.df_resid)


def _poisson_trend(monthly_df, date_col, count_col, seasonal, alpha, overdispersion):
    m, X, y, seasonal, months_of_year = _prepared(
        monthly_df, date_col, count_col, seasonal, alpha, overdispersion
    )
    n = len(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=PerfectSeparationWarning)
        res, dispersion = _fit(y, X, overdispersion)
        estimated = overdispersion and res.df_resid > 0
        df = float(res.df_resid) if estimated else None
        season_p = np.nan
        if seasonal and X.shape[1] > 2:
            # Nested comparison: the model without the month-of-year term.
            small = GLM(y, X[:, :2], family=families.Poisson()).fit()
            k = X.shape[1] - 2
            drop = max(0.0, float(small.deviance - res.deviance))
            if estimated:
                season_p = float(stats.f.sf(drop / k / dispersion, k, df))
            else:
                season_p = float(stats.chi2.sf(drop, k))
    b = float(res.params[1])
    se = float(res.bse[1])
    z = _critical(alpha, df)
    p = _two_sided_p(b / se, df) if se > 0 else (0.0 if b != 0 else 1.0)
    significant = p < alpha
    direction = ("increasing" if b > 0 else "decreasing") if significant else "no clear trend"
    fitted = pd.DataFrame({"date": m["date"], "observed": y, "fitted": res.fittedvalues})
    return PoissonTrendResult(
        direction=direction,
        pct_change_per_year=float(100 * (np.exp(b) - 1)),
        pct_lower=float(100 * (np.exp(b - z * se) - 1)),
        pct_upper=float(100 * (np.exp(b + z * se) - 1)),
        p_value=p,
        significant=bool(significant),
        n_months=n,
        seasonal=seasonal,
        dispersion=dispersion,
        start=m["date"].iloc[0],
        end=m["date"].iloc[-1],
        alpha=float(alpha),
        fitted=fitted,
        model=res,
        _months_of_year=months_of_year,
        df_resid=float(res.df_resid),
        reference=f"t({res.df_resid:.0f})" if estimated else "normal",
        seasonality_p_value=season_p,
    )


def _predict(result: PoissonTrendResult, months: pd.Series, alpha: float):
    """Expected counts for ``months`` with per-month CIs, and the design matrix."""
    origin = int(pd.Series([result.start]).dt.to_period("M").array.asi8[0])
    moy = months.dt.month.to_numpy()
    known = set(result._months_of_year)
    if result.seasonal and not set(moy) <= known:
        raise ValueError(
            "the seasonal model cannot project to a calendar month it never saw; "
            "fit with seasonal=False or supply at least 12 months."
        )
    X = _design(months.array.asi8, origin, result.seasonal, result._months_of_year)
    params = np.asarray(result.model.params)
    cov = np.asarray(result.model.cov_params())
    eta = X @ params
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, cov, X))
    z = result.quantile(alpha)
    return np.exp(eta), np.exp(eta - z * se), np.exp(eta + z * se), X, cov


# --------------------------------------------------------------------------- baseline change


def _year_label(month: pd.Series, year_start_month: int) -> np.ndarray:
    """Year a month belongs to, labelled by the calendar year in which that year starts."""
    return (month.dt.year - (month.dt.month < year_start_month).astype(int)).to_numpy()


def _check_year_start(year_start_month: int) -> None:
    require_int(year_start_month, arg="year_start_month", minimum=1)
    if year_start_month > 12:
        raise ValueError(
            f"year_start_month must be 1-12 (1 = calendar year, 4 = April financial year), "
            f"got {year_start_month}."
        )


def baseline_change(
    monthly_df: pd.DataFrame,
    baseline_year: int,
    compare_year: int | None = None,
    date_col: str = "date",
    count_col: str = "count",
    by: str | None = None,
    year_start_month: int = 1,
    alpha: float = 0.05,
    correction: str = "none",
    method: str | None = None,
) -> pd.DataFrame:
    """Compare a year's total with a baseline year's, with a Poisson test.

    Years are calendar years (``year_start_month=1``) or, e.g., April-March financial
    years (``year_start_month=4``; a financial year is labelled by the year it starts in,
    so 2023 means April 2023 to March 2024). The exposure of each year is its number of
    months present in the data, so a part year is compared on its monthly rate.

    Parameters
    ----------
    monthly_df : DataFrame
        One row per month (per group if ``by`` is given). Not changed.
    baseline_year : int
        The baseline year.
    compare_year : int, optional
        The year to compare; default the latest year in the data (recorded as a choice).
    date_col, count_col : str
        Date and count columns.
    by : str, optional
        A grouping column (e.g. crime type): one row per group in the output.
    year_start_month : int, default 1
        First month of the year (1 = January, 4 = April).
    alpha, correction, method
        Passed to :func:`sa_lib.stats.change.compare_counts`.

    Returns
    -------
    DataFrame
        One row (per group) with ``by`` (if given), ``baseline_year``, ``compare_year``,
        ``count_before``, ``count_after``, ``months_before``, ``months_after`` and the
        columns of :func:`sa_lib.stats.change.compare_counts` (``change``, ``pct_change``,
        ``rate_ratio``, ``rr_lower``, ``rr_upper``, ``p_value``, ``p_adjusted``,
        ``significant``, ``change_label``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=24, freq="MS"),
    ...                    "count": [10] * 12 + [30] * 12})
    >>> baseline_change(df, 2022, 2023, method="exact")["change_label"].item()
    'significant increase'
    """
    require_dataframe(monthly_df, "monthly_df")
    require_int(baseline_year, arg="baseline_year")
    _check_year_start(year_start_month)
    groups = [monthly_df] if by is None else None
    if by is not None:
        require_columns(monthly_df, [by], arg="monthly_df")
        require_no_missing(monthly_df, by, arg="monthly_df", fix=f"fill or drop missing {by}.")
        groups = [g for _, g in monthly_df.groupby(by, sort=True)]
    rows = []
    for g in groups:
        m = _monthly(g, date_col, count_col)
        m["year"] = _year_label(m["month"], year_start_month)
        if compare_year is None:
            compare_year = int(m["year"].max())
            record_choice(
                "comparison year", compare_year, "latest year in the data (compare_year not set)"
            )
        require_int(compare_year, arg="compare_year")
        base = m[m["year"] == baseline_year]
        comp = m[m["year"] == compare_year]
        name = "" if by is None else f" for {by}={g[by].iloc[0]!r}"
        for label, part, year in (
            ("baseline", base, baseline_year),
            ("compare", comp, compare_year),
        ):
            if part.empty:
                raise ValueError(
                    f"monthly_df has no months in the {label} year {year}{name} "
                    f"(data run {m['month'].min()} to {m['month'].max()}). "
                    f"Fix: choose a year inside the data or check year_start_month."
                )
            if len(part) < 12:
                warn(
                    f"the {label} year {year}{name} has only {len(part)} month(s); it is "
                    f"compared on its monthly rate (exposure = months)."
                )
        row = {} if by is None else {by: g[by].iloc[0]}
        row.update(
            baseline_year=baseline_year,
            compare_year=compare_year,
            count_before=base["count"].sum(),
            count_after=comp["count"].sum(),
            months_before=float(len(base)),
            months_after=float(len(comp)),
        )
        rows.append(row)
    table = pd.DataFrame(rows)
    return compare_counts(
        table,
        exposure_before="months_before",
        exposure_after="months_after",
        alpha=alpha,
        correction=correction,
        method=method,
    )


# --------------------------------------------------------------------------- targets


@dataclass
class TargetResult:
    """Result of :func:`target_tracking`.

    Attributes
    ----------
    status : str
        ``"on track"`` / ``"off track"`` when the whole interval meets / misses the target,
        else ``"too close to call"`` (a target year fully observed: by its total).
    ci_includes_target : bool
        True when the target lies inside the projection's interval.
    extrapolated, first_month, last_month
        True when the value extrapolates the trend fitted to ``first_month``-``last_month``.
    baseline_year, target_year : int
        The years compared (labelled by the year in which they start).
    target_pct_reduction : float
        The target (% reduction from the baseline; negative means a target increase).
    baseline_value, target_value : float
        Baseline-year total; ``baseline_value * (1 - target_pct_reduction / 100)``.
    projected_value : float
        Observed months of the target year plus the trend's expected counts for the rest.
    projected_lower, projected_upper : float
        ``1 - alpha`` interval of ``projected_value`` (delta method on the log scale).
    projected_pct_change, months_observed_in_target_year
        ``100 * (projected_value / baseline_value - 1)``; target-year months in the data.
    trend : PoissonTrendResult
        The fitted trend.
    projection : DataFrame
        Monthly series for charts: ``date``, ``observed`` (NaN in future months),
        ``fitted``, ``fitted_lower``, ``fitted_upper`` and ``is_projection`` (True for
        months after the data).
    """

    status: str
    ci_includes_target: bool
    baseline_year: int
    target_year: int
    target_pct_reduction: float
    baseline_value: float
    target_value: float
    projected_value: float
    projected_lower: float
    projected_upper: float
    projected_pct_change: float
    months_observed_in_target_year: int
    trend: PoissonTrendResult = field(repr=False)
    projection: pd.DataFrame = field(repr=False)
    year_start_month: int = 1
    extrapolated: bool = False
    first_month: str = ""
    last_month: str = ""


def _check_target(baseline_year, target_year, target_pct_reduction, year_start_month) -> None:
    require_int(baseline_year, arg="baseline_year")
    require_int(target_year, arg="target_year")
    _check_year_start(year_start_month)
    if (
        isinstance(target_pct_reduction, bool)
        or not isinstance(target_pct_reduction, int | float | np.integer | np.floating)
        or not np.isfinite(target_pct_reduction)
        or target_pct_reduction >= 100
    ):
        raise ValueError(
            f"target_pct_reduction must be a number below 100 (e.g. 10 for a 10% "
            f"reduction), got {target_pct_reduction!r}."
        )
    if target_year < baseline_year:
        raise ValueError(
            f"target_year ({target_year}) is before baseline_year ({baseline_year}); "
            f"swap them or check the parameters."
        )


def _interval(trend, mu, X, cov, future, known: float, alpha: float) -> tuple[float, float]:
    """Interval of the target-year total: delta method on the log scale for unseen months."""
    if not future.any():
        return known, known
    expected = float(mu[future].sum())
    grad = (mu[future][:, None] * X[future]).sum(axis=0)
    z = trend.quantile(alpha) * float(np.sqrt(grad @ cov @ grad)) / expected
    return known + expected * np.exp(-z), known + expected * np.exp(z)


def target_tracking(
    monthly_df: pd.DataFrame,
    baseline_year: int,
    target_pct_reduction: float,
    target_year: int,
    date_col: str = "date",
    count_col: str = "count",
    year_start_month: int = 1,
    seasonal: bool = True,
    alpha: float = 0.05,
    overdispersion: bool = True,
) -> TargetResult:
    """Project the fitted trend to the target year and compare with a reduction target.

    The target is ``baseline total × (1 - target_pct_reduction / 100)``. The trend is
    :func:`poisson_trend` fitted to all the months given; the target year's projected
    total is its observed months plus the trend's expected counts for the rest.

    Parameters
    ----------
    monthly_df : DataFrame
        One row per month (``date_col``, ``count_col``). Not changed.
    baseline_year, target_year : int
        Baseline year (complete, else a warning); the year (not before it) of the target.
    target_pct_reduction : float
        E.g. 10 for "reduce by 10%". Negative for a target increase (e.g. reporting).
    year_start_month : int, default 1
        1 for calendar years, 4 for April-March financial years.
    seasonal, alpha, overdispersion : passed to :func:`poisson_trend`.

    Returns
    -------
    TargetResult

    Examples
    --------
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> counts = np.round(1000 * 0.9 ** (np.arange(36) / 12))
    >>> df = pd.DataFrame({"date": months, "count": counts})
    >>> target_tracking(df, 2021, 20, 2024).status
    'on track'
    """
    _check_target(baseline_year, target_year, target_pct_reduction, year_start_month)

    m = _monthly(monthly_df, date_col, count_col)
    m["year"] = _year_label(m["month"], year_start_month)
    base = m[m["year"] == baseline_year]
    if base.empty:
        raise ValueError(
            f"monthly_df has no months in baseline_year {baseline_year} (data run "
            f"{m['month'].min()} to {m['month'].max()}). Fix: choose a year inside the data."
        )
    if len(base) < 12:
        warn(
            f"baseline year {baseline_year} has only {len(base)} month(s); its total is "
            f"used as the baseline as it stands."
        )
    trend = poisson_trend(
        monthly_df,
        date_col=date_col,
        count_col=count_col,
        seasonal=seasonal,
        alpha=alpha,
        overdispersion=overdispersion,
    )
    baseline_value = float(base["count"].sum())
    target_value = baseline_value * (1 - target_pct_reduction / 100)

    first_target = pd.Period(year=target_year, month=year_start_month, freq="M")
    target_months = pd.period_range(first_target, periods=12, freq="M")
    all_months = pd.period_range(m["month"].min(), max(m["month"].max(), target_months[-1]))
    months = pd.Series(all_months)
    mu, lo, hi, X, cov = _predict(trend, months, alpha)
    observed = pd.Series(m["count"].to_numpy(), index=m["month"]).reindex(all_months)
    in_target = months.isin(target_months).to_numpy()
    seen = observed.notna().to_numpy()
    known_part = float(observed[in_target & seen].sum())
    future = in_target & ~seen
    expected = float(mu[future].sum())
    lower, upper = _interval(trend, mu, X, cov, future, known_part, alpha)
    projected = known_part + expected
    # "off track" only when the whole interval misses the target; inside it: too close.
    sign = 1 if target_pct_reduction >= 0 else -1
    meets, misses = sign * (upper - target_value) <= 0, sign * (lower - target_value) > 0
    status = "on track" if meets else "off track" if misses else "too close to call"
    projection = pd.DataFrame(
        {
            "date": months.dt.to_timestamp(),
            "observed": observed.to_numpy(),
            "fitted": mu,
            "fitted_lower": lo,
            "fitted_upper": hi,
            "is_projection": (months > m["month"].max()).to_numpy(),
        }
    )
    return TargetResult(
        status=status,
        ci_includes_target=bool(lower <= target_value <= upper),
        baseline_year=baseline_year,
        target_year=target_year,
        target_pct_reduction=float(target_pct_reduction),
        baseline_value=baseline_value,
        target_value=target_value,
        projected_value=projected,
        projected_lower=float(lower),
        projected_upper=float(upper),
        projected_pct_change=100 * (projected / baseline_value - 1)
        if baseline_value > 0
        else np.nan,
        months_observed_in_target_year=int((in_target & seen).sum()),
        trend=trend,
        projection=projection,
        year_start_month=year_start_month,
        extrapolated=bool(future.any()),
        first_month=str(m["month"].min()),
        last_month=str(m["month"].max()),
    )
