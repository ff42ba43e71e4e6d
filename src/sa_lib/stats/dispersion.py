"""The overdispersion of a monthly series, for period-change tests that allow for it.

:func:`series_dispersion` reads the trend model's (:func:`sa_lib.stats.trend.poisson_trend`)
Pearson chi-square; :func:`sa_lib.stats.change.compare_counts` takes the result as
``dispersion=`` and ``dispersion_df=``.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=12, freq="MS"),
...                   "count": [100, 101, 99, 100, 102, 98, 100, 101, 99, 100, 100, 100]})
>>> series_dispersion(m)["dispersion"]
1.0
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from sa_lib.stats.trend import _pearson

__all__ = ["series_dispersion"]


def series_dispersion(
    monthly_df: pd.DataFrame,
    date_col: str = "date",
    count_col: str = "count",
    alpha: float = 0.05,
    min_months: int = 12,
) -> dict:
    """The overdispersion of a monthly series, as the trend model measures it.

    Fits :func:`poisson_trend` (trend, plus month of year with 24+ months) and reads its
    Pearson chi-square ``X2`` on ``df`` residual degrees of freedom. The series is
    over-dispersed when ``X2`` is above the ``1 - alpha`` point of chi-square(df), the
    usual test of a Poisson model's fit; then ``phi = X2 / df`` is the dispersion to
    allow for in period comparisons (:func:`sa_lib.stats.change.compare_counts`,
    ``dispersion=``), else 1 and the exact Poisson test is kept.

    Returns
    -------
    dict
        ``dispersion`` (phi used: 1 when not over-dispersed or not estimable),
        ``estimate`` (X2 / df, NaN if not fitted), ``df`` (residual df, NaN if not
        fitted), ``p_value`` (of the overdispersion test), ``n_months``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"date": pd.date_range("2022-01-01", periods=24, freq="MS"),
    ...                   "count": [100, 140, 60, 120, 80, 150, 70, 110, 90, 130, 60, 140]
    ...                            + [150, 70, 130, 60, 140, 90, 100, 80, 160, 50, 120, 110]})
    >>> d = series_dispersion(m)
    >>> round(d["dispersion"], 1), d["df"]
    (18.1, 11.0)
    """
    n = len(monthly_df)
    out = {"dispersion": 1.0, "estimate": np.nan, "df": np.nan, "p_value": np.nan, "n_months": n}
    if n < max(3, min_months):
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The trend model's fit alone: no intervals, fitted values or seasonal test.
        x2, df = _pearson(monthly_df, date_col, count_col, alpha=alpha)
    if df <= 0:
        return out
    p = float(stats.chi2.sf(x2, df))
    out.update(estimate=x2 / df, df=df, p_value=p)
    if p < alpha:
        out["dispersion"] = x2 / df
    return out
