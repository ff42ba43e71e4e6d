"""Corroborating recorded crime with partner data (e.g. ambulance assault call-outs).

Recorded violence can rise because recording improved (see the 2014 HMIC
report) while real violence did not. Ambulance call-outs for assault are a
partner measure unaffected by police recording: if recorded crime rises while
call-outs do not, the rise may be recording rather than harm. This module tests
that divergence rather than eyeballing two lines.

The test is a binomial GLM of the share ``recorded / (recorded + partner)`` on
time (years), with standard errors scaled for over-dispersion and t(residual df) inference
(the dispersion is estimated). A significant
slope means the two series diverge; its sign says which grows faster.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"month_start": pd.date_range("2024-01-01", periods=24, freq="MS"),
...                   "recorded": [100 + 3 * i for i in range(24)], "partner": [50] * 24})
>>> r = divergence_test(m, "month_start", "recorded", "partner")
>>> r["diverging"], r["direction"]
(True, 'recorded crime growing faster than the partner measure')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sa_lib.validation import require_columns, require_non_negative, require_probability

__all__ = ["divergence_test"]


def divergence_test(
    monthly: pd.DataFrame,
    date_col: str,
    recorded_col: str,
    partner_col: str,
    *,
    alpha: float = 0.05,
) -> dict:
    """Test whether two monthly count series diverge over time.

    Parameters
    ----------
    monthly : DataFrame
        One row per month with both counts.
    date_col, recorded_col, partner_col : str
    alpha : float

    Returns
    -------
    dict
        ``odds_ratio_per_year`` (change per year in the odds recorded : partner),
        ``or_lower``, ``or_upper``, ``p_value``, ``diverging`` (bool, p < alpha),
        ``direction`` (text), ``correlation`` (Pearson r of the two monthly series),
        ``n_months``, ``dispersion`` (Pearson chi-square / df, at least 1) and
        ``df_resid``. The dispersion is estimated, so the p-value and interval use
        t(``df_resid``) rather than the normal (quasi-binomial inference as R
        ``summary.glm``).
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

    require_columns(monthly, [date_col, recorded_col, partner_col], arg="monthly")
    require_non_negative(monthly, recorded_col, arg="monthly")
    require_non_negative(monthly, partner_col, arg="monthly")
    require_probability(alpha, arg="alpha")
    d = monthly[[date_col, recorded_col, partner_col]].dropna().sort_values(date_col)
    d = d[(d[recorded_col] + d[partner_col]) > 0]
    if len(d) < 6:
        raise ValueError(
            f"monthly has {len(d)} usable month(s); the divergence test needs at least 6."
        )
    t = (
        pd.to_datetime(d[date_col]) - pd.to_datetime(d[date_col]).iloc[0]
    ).dt.days.to_numpy() / 365.25
    endog = np.column_stack([d[recorded_col].to_numpy(float), d[partner_col].to_numpy(float)])
    X = add_constant(t)
    model = GLM(endog, X, family=families.Binomial())
    fit = model.fit()
    # Pearson chi-square / df on the count scale. (statsmodels' scale="X2" for a
    # two-column binomial works on the proportion scale without the trial weights and
    # comes out far below 1, which hid every over-dispersion.)
    dispersion = max(1.0, float(fit.pearson_chi2 / fit.df_resid)) if fit.df_resid > 0 else 1.0
    fit = model.fit(scale=dispersion)
    b, se = float(fit.params[1]), float(fit.bse[1])
    from scipy import stats

    # The dispersion is estimated from the data, so the reference is t(df_resid), not the
    # normal (as R summary.glm for quasibinomial).
    df = float(fit.df_resid)
    z = stats.t.ppf(1 - alpha / 2, df)
    p = float(2 * stats.t.sf(abs(b / se), df)) if se > 0 else float("nan")
    diverging = bool(p < alpha)
    if not diverging:
        direction = "no significant divergence"
    elif b > 0:
        direction = "recorded crime growing faster than the partner measure"
    else:
        direction = "partner measure growing faster than recorded crime"
    r = (
        float(np.corrcoef(endog[:, 0], endog[:, 1])[0, 1])
        if np.std(endog[:, 1]) > 0 and np.std(endog[:, 0]) > 0
        else float("nan")
    )
    return {
        "odds_ratio_per_year": float(np.exp(b)),
        "or_lower": float(np.exp(b - z * se)),
        "or_upper": float(np.exp(b + z * se)),
        "p_value": p,
        "diverging": diverging,
        "direction": direction,
        "correlation": r,
        "n_months": int(len(d)),
        "dispersion": dispersion,
        "df_resid": df,
    }
