"""Comparing an area's rate with a wider area and with peers: CIs, funnel plots.

Rates and their confidence intervals come from :func:`sa_lib.stats.rates.rate_ci`
(Byar's method for counts of 10 or more, the exact Poisson interval below, as
in the PHE/OHID Fingertips tools).

**How "above / below / similar" is decided.** As in Fingertips, the reference
rate (the force, England and Wales, or the peer group) is treated as a fixed
benchmark and each area's confidence interval is compared with it: *above* if
the whole interval is above the reference rate, *below* if the whole interval
is below it, otherwise *similar*. It is not a test of two overlapping intervals
(which is too conservative). For the record, ``p_value`` is the exact two-sided
Poisson test of the area's count against the count expected at the reference
rate (twice the smaller tail, capped at 1); with the exact interval the two
agree exactly, and with Byar's interval they can differ only at the margin.

**Funnel plots** (Spiegelhalter 2005, "Funnel plots for comparing institutional
performance", *Stat Med* 24:1185-1202) draw, for each population size, the range
of rates expected from Poisson chance alone if the area's true rate were the
reference rate. Limits are exact Poisson quantiles with Spiegelhalter's
interpolation between whole counts, so the lines are smooth: for the
``p``-quantile ``r`` of Poisson(``expected``),
``limit = (r - a) / population * per`` with
``a = (F(r) - p) / (F(r) - F(r - 1))`` (``F`` the Poisson CDF), clamped at 0
(when ``r = 0`` the formula would go below zero).

**Overdispersion** (Spiegelhalter 2005, "Handling over-dispersion of performance
indicators", *Qual Saf Health Care* 14:347-351). Police counts vary between areas
more than Poisson chance allows, so Poisson limits flag too many areas.
:func:`funnel_overdispersion` estimates it by Spiegelhalter's method (winsorised
z-scores, as R ``FunnelPlotR``; not any one NHS indicator's published method): on the square-root scale ``y_i = sqrt(O_i / E_i)``
(target 1, ``s_i = 1 / (2 sqrt(E_i))``) each area's z-score is
``z_i = 2 (sqrt(O_i) - sqrt(E_i))``; the z-scores are winsorised at their 10th and
90th percentiles (numpy's linear percentiles, R type 7) and ``phi = mean(z_w**2)``
over the ``I`` areas. Then

- *multiplicative*: limits ``(1 +/- z_a sqrt(phi) s)**2 x reference`` (``phi`` used
  only when above 1);
- *additive random effects*: ``tau2 = max(0, (I phi - (I - 1)) / (sum w - sum w**2 /
  sum w))`` with ``w_i = 1 / s_i**2``, and limits
  ``(1 +/- z_a sqrt(s**2 + tau2))**2 x reference``.

:func:`funnel_limits` draws them with ``dispersion=``; without it the limits are the
exact Poisson ones above.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.comparison import compare_areas
>>> df = pd.DataFrame({"area": ["A", "B"], "count": [300, 100], "population": [10000, 10000]})
>>> compare_areas(df, reference=20.0)["comparison"].tolist()
['above', 'below']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sa_lib import validation as v
from sa_lib.choices import record_choice
from sa_lib.stats.rates import rate_ci

__all__ = [
    "compare_areas",
    "FunnelDispersion",
    "funnel_overdispersion",
    "funnel_limits",
    "OVERDISPERSION_METHODS",
]

#: ``funnel_overdispersion`` methods: "none" (Poisson limits), "multiplicative", "additive".
OVERDISPERSION_METHODS = ("none", "multiplicative", "additive")

_ADDED = (
    "rate",
    "rate_lower",
    "rate_upper",
    "ci_method",
    "reference_rate",
    "expected",
    "p_value",
    "comparison",
)


def _level_name(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


def _reference_rate(
    df: pd.DataFrame,
    area_col: str,
    count_col: str,
    population_col: str,
    per: float,
    reference: object,
) -> tuple[float, object | None]:
    """Return (reference rate per ``per``, name of the reference area or None)."""
    if reference is None:
        total_pop = float(df[population_col].sum())
        rate = float(df[count_col].sum()) / total_pop * per
        record_choice(
            "Comparison reference",
            f"{rate:.3g} per {per:g}",
            "no reference given: pooled rate of all areas in the table (total count / total "
            "population); do not include a force or total row in the table",
        )
        return rate, None
    if isinstance(reference, bool):
        raise ValueError(
            f"reference must be an area name in df[{area_col!r}], a rate, or None; got {reference!r}."
        )
    if isinstance(reference, int | float | np.integer | np.floating):
        if not np.isfinite(reference) or reference <= 0:
            raise ValueError(
                f"reference rate must be a positive number (per {per:g}), got {reference!r}."
            )
        return float(reference), None
    hits = df.index[df[area_col] == reference]
    if len(hits) != 1:
        shown = ", ".join(repr(a) for a in df[area_col].head(8))
        raise ValueError(
            f"reference={reference!r} must name exactly one row of df[{area_col!r}], found "
            f"{len(hits)}. Areas include: {shown}.\nFix: add a row for the reference area "
            f"(e.g. the force), or pass its rate per {per:g} as a number."
        )
    row = df.loc[hits[0]]
    pop = float(row[population_col])
    if not pop > 0:
        raise ValueError(
            f"The reference area {reference!r} has population {pop!r}; its rate is undefined. "
            f"Fix: check its population."
        )
    return float(row[count_col]) / pop * per, reference


def _exact_p(count: np.ndarray, expected: np.ndarray) -> np.ndarray:
    lower_tail = stats.poisson.cdf(count, expected)  # P(X <= x)
    upper_tail = stats.poisson.sf(count - 1, expected)  # P(X >= x)
    return np.minimum(1.0, 2.0 * np.minimum(lower_tail, upper_tail))


def compare_areas(
    df: pd.DataFrame,
    area_col: str = "area",
    count_col: str = "count",
    population_col: str = "population",
    per: float = 1000,
    conf_level: float = 0.95,
    reference: str | float | None = None,
) -> pd.DataFrame:
    """Each area's rate with its CI, and whether it is above, below or similar to a reference.

    Parameters
    ----------
    df : DataFrame
        One row per area (the CSP, its peers, and optionally the force).
    area_col, count_col, population_col : str
        Column names for the area, the count and the population.
    per : float, default 1000
        Rates are per this many of the population.
    conf_level : float, default 0.95
        Confidence level of the intervals, and so of the comparison (0.95 = 5% level).
    reference : str, float or None
        The benchmark: the name of a row in ``df[area_col]`` (e.g. the force),
        a rate per ``per`` (e.g. the England and Wales rate), or None for the
        pooled rate of all rows (the peer average weighted by population; the
        choice is recorded).

    Returns
    -------
    DataFrame
        A copy of ``df`` with added columns ``rate``, ``rate_lower``,
        ``rate_upper``, ``ci_method`` (from :func:`sa_lib.stats.rates.rate_ci`),
        ``reference_rate``, ``expected`` (count expected at the reference rate),
        ``p_value`` (exact Poisson test, see module notes) and ``comparison``:
        ``"above"``, ``"below"``, ``"similar"`` or, for the reference row,
        ``"reference"``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": ["CSP", "Force"], "count": [120, 900],
    ...                    "population": [10000, 100000]})
    >>> compare_areas(df, reference="Force")[["rate", "comparison"]].values.tolist()
    [[12.0, 'above'], [9.0, 'reference']]
    """
    v.require_columns(df, [area_col, count_col, population_col], arg="df")
    v.require_not_empty(df, arg="df")
    v.require_positive(per, arg="per")
    v.require_probability(conf_level, arg="conf_level")
    v.require_no_missing(df, area_col, arg="df", fix="name every area.")
    v.require_population(df, population_col, arg="df", label_col=area_col)
    clash = [c for c in _ADDED if c in df.columns]
    if clash:
        raise ValueError(
            f"df already has column(s) {', '.join(repr(c) for c in clash)} that compare_areas "
            f"adds. Fix: drop or rename them first."
        )
    out = rate_ci(df, count_col, population_col, per=per, conf_level=conf_level)
    ref_rate, ref_name = _reference_rate(df, area_col, count_col, population_col, per, reference)
    expected = out[population_col].to_numpy(dtype=float) * ref_rate / per
    counts = out[count_col].to_numpy(dtype=float)
    out["reference_rate"] = ref_rate
    out["expected"] = expected
    out["p_value"] = _exact_p(counts, expected)
    comp = np.where(
        out["rate_lower"] > ref_rate,
        "above",
        np.where(out["rate_upper"] < ref_rate, "below", "similar"),
    ).astype(object)
    if ref_name is not None:
        is_ref = (out[area_col] == ref_name).to_numpy()
        comp[is_ref] = "reference"
        out.loc[is_ref, "p_value"] = np.nan
    out["comparison"] = comp
    record_choice(
        "Comparison with reference",
        f"{conf_level:.1%} CI vs reference rate",
        "above/below when the area's whole confidence interval is above/below the reference "
        "rate (Fingertips method; reference treated as fixed)",
    )
    return out


@dataclass(frozen=True)
class FunnelDispersion:
    """Overdispersion of area counts around a reference rate (:func:`funnel_overdispersion`).

    Attributes
    ----------
    method : str
        "none", "multiplicative" or "additive": which limits :func:`funnel_limits` draws.
    n_areas : int
        Areas the estimate uses (``I``).
    phi : float
        Dispersion ratio ``mean(z_w**2)`` from the winsorised z-scores (1 = Poisson).
    tau2 : float
        Between-area variance on the square-root scale (additive model; 0 when
        ``I phi <= I - 1``).
    p_value : float
        Test of no overdispersion: ``I phi`` against chi-square on ``I - 1`` df.
    winsor : float
        Share winsorised in each tail (0.1).
    reference_rate : float
        The reference rate per ``per``.
    per : float
        Rates are per this many.
    z : ndarray
        Each area's unadjusted z-score (square-root scale), in the input order.
    """

    method: str
    n_areas: int
    phi: float
    tau2: float
    p_value: float
    winsor: float
    reference_rate: float
    per: float
    z: np.ndarray

    def describe(self) -> str:
        """Plain-English description of the limits drawn, for the page.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"area": list("ABCDEFGHIJ"), "population": [10000] * 10,
        ...                    "count": [50, 90, 130, 70, 160, 100, 95, 120, 80, 105]})
        >>> funnel_overdispersion(df, reference=10.0, method="none").describe()[:44]
        'Limits show the Poisson (chance) variation o'
        """
        if self.method == "none":
            return (
                f"Limits show the Poisson (chance) variation only; the areas vary "
                f"{self.phi:.1f} times as much as chance alone would give (dispersion "
                f"ratio from {self.n_areas} areas), so some areas outside them may differ "
                f"by chance and local factors."
            )
        if self.method == "multiplicative":
            used = max(self.phi, 1.0)
            return (
                f"Limits are widened for overdispersion (multiplicative, Spiegelhalter 2005): "
                f"the areas vary {self.phi:.2f} times as much as chance alone would give "
                f"(from {self.n_areas} areas, most extreme 10% at each end pulled in), so the "
                f"limits are {np.sqrt(used):.2f} times as wide as Poisson limits."
            )
        return (
            f"Limits allow for real differences between areas (additive random effects, "
            f"Spiegelhalter 2005): between-area variance tau² = {self.tau2:.4f} on the "
            f"square-root scale, estimated from {self.n_areas} areas (dispersion ratio "
            f"{self.phi:.2f}; most extreme 10% at each end pulled in)"
            + (
                "; no more variation than chance was found, so they equal Poisson limits."
                if self.tau2 == 0
                else "."
            )
        )


def _winsorise(z: np.ndarray, q: float) -> np.ndarray:
    lo, hi = np.quantile(z, [q, 1 - q])
    return np.clip(z, lo, hi)


def funnel_overdispersion(
    df: pd.DataFrame,
    area_col: str = "area",
    count_col: str = "count",
    population_col: str = "population",
    per: float = 1000,
    reference: str | float | None = None,
    method: str = "additive",
    *,
    winsor: float = 0.10,
) -> FunnelDispersion:
    """Estimate the overdispersion of area counts for funnel limits (Spiegelhalter 2005).

    Parameters
    ----------
    df : DataFrame
        One row per area (a named reference row is left out of the estimate).
    area_col, count_col, population_col, per, reference
        As for :func:`compare_areas`.
    method : {"none", "multiplicative", "additive"}, default "additive"
        Which limits :func:`funnel_limits` should draw; the estimates are made either way.
    winsor : float, default 0.10
        Share of z-scores winsorised in each tail (10% as NHS indicator funnels).

    Returns
    -------
    FunnelDispersion

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": list("ABCDEFGHIJ"), "population": [10000] * 10,
    ...                    "count": [50, 90, 130, 70, 160, 100, 95, 120, 80, 105]})
    >>> d = funnel_overdispersion(df, reference=10.0)
    >>> round(d.phi, 2), round(d.tau2, 4)
    (4.99, 0.0114)
    """
    v.require_columns(df, [area_col, count_col, population_col], arg="df")
    v.require_choice(method, list(OVERDISPERSION_METHODS), arg="method")
    if not (0 <= winsor < 0.5):
        raise ValueError(f"winsor must be at least 0 and below 0.5 (e.g. 0.1), got {winsor!r}.")
    v.require_population(df, population_col, arg="df", label_col=area_col)
    ref_rate, ref_name = _reference_rate(df, area_col, count_col, population_col, per, reference)
    d = df if ref_name is None else df[df[area_col] != ref_name]
    n = len(d)
    if n < 3:
        raise ValueError(
            f"df has {n} area(s) besides the reference; overdispersion needs at least 3 "
            f"(ideally 10 or more). Fix: add peer areas or use method='none'."
        )
    if n < 10:
        v.warn(
            f"only {n} areas: the overdispersion estimate (phi, tau2) is rough with fewer "
            f"than about 10 areas."
        )
    obs = d[count_col].to_numpy(dtype=float)
    exp = d[population_col].to_numpy(dtype=float) * ref_rate / per
    z = 2 * (np.sqrt(obs) - np.sqrt(exp))
    zw = _winsorise(z, winsor) if winsor > 0 else z
    phi = float(np.mean(zw**2))
    w = 4 * exp  # 1 / s**2
    tau2 = max(0.0, (n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    p = float(stats.chi2.sf(n * phi, n - 1))
    record_choice(
        "Funnel limits",
        {
            "none": "Poisson (exact)",
            "multiplicative": "overdispersion: multiplicative",
            "additive": "overdispersion: additive random effects",
        }[method]
        + f" (phi {phi:.2f}, tau2 {tau2:.4f}, {n} areas)",
        f"Spiegelhalter (2005); square-root scale; z-scores winsorised at "
        f"{winsor:.0%}/{1 - winsor:.0%} as NHS indicator funnels",
        source="parameters",
    )
    return FunnelDispersion(
        method=method,
        n_areas=n,
        phi=phi,
        tau2=float(tau2),
        p_value=p,
        winsor=float(winsor),
        reference_rate=float(ref_rate),
        per=float(per),
        z=z,
    )


def funnel_limits(
    reference_rate: float,
    populations: Sequence[float] | np.ndarray | pd.Series,
    per: float = 1000,
    levels: Sequence[float] = (0.95, 0.998),
    *,
    interpolate: bool = True,
    dispersion: FunnelDispersion | None = None,
) -> pd.DataFrame:
    """Poisson funnel-plot control limits for a rate (Spiegelhalter 2005).

    Parameters
    ----------
    reference_rate : float
        The target rate per ``per`` (e.g. the force or peer rate).
    populations : array-like
        Population sizes at which to compute the limits (all > 0).
    per : float, default 1000
        Rates are per this many of the population.
    levels : sequence of float, default (0.95, 0.998)
        Two-sided coverage of each pair of limits (0.998 ~ 3 standard deviations).
    interpolate : bool, default True
        Spiegelhalter's interpolation between whole counts (smooth limits).
        False gives the raw Poisson quantiles ``poisson.ppf(p, expected)``.
    dispersion : FunnelDispersion, optional
        From :func:`funnel_overdispersion`: with method "multiplicative" or "additive"
        the limits are the overdispersion-adjusted ones (module notes), on the
        square-root scale with normal quantiles.

    Returns
    -------
    DataFrame
        One row per population, in the order given, with columns ``population``,
        ``expected`` (count expected at the reference rate) and, for each level,
        ``lower_<L>`` and ``upper_<L>`` as rates per ``per``, where ``<L>`` is the
        level in percent with ``.`` written ``_`` (``lower_95``, ``upper_99_8``).

    Examples
    --------
    >>> lim = funnel_limits(10.0, [1000, 100000], levels=(0.95,), interpolate=False)
    >>> lim[["lower_95", "upper_95"]].round(2).values.tolist()
    [[4.0, 17.0], [9.38, 10.62]]
    """
    v.require_positive(reference_rate, arg="reference_rate")
    v.require_positive(per, arg="per")
    pops = np.asarray(populations, dtype=float).ravel()
    if pops.size == 0 or not np.all(np.isfinite(pops)) or np.any(pops <= 0):
        bad = [p for p in pops if not (np.isfinite(p) and p > 0)]
        raise ValueError(
            f"populations must be a non-empty list of positive numbers; found "
            f"{bad[0] if bad else 'none'!r}. Fix: drop areas with no population."
        )
    levels = list(levels) if not isinstance(levels, int | float) else [levels]
    if not levels:
        raise ValueError("levels is empty. Fix: e.g. levels=(0.95, 0.998).")
    for lv in levels:
        v.require_probability(lv, arg="levels")
    lam = pops * reference_rate / per
    out = pd.DataFrame({"population": pops, "expected": lam})
    if dispersion is not None and dispersion.method != "none":
        s2 = 1 / (4 * lam)
        if dispersion.method == "multiplicative":
            sd = np.sqrt(max(dispersion.phi, 1.0) * s2)
        else:
            sd = np.sqrt(s2 + dispersion.tau2)
        for lv in levels:
            zq = stats.norm.ppf(1 - (1 - lv) / 2)
            name = _level_name(lv)
            out[f"lower_{name}"] = np.maximum(1 - zq * sd, 0.0) ** 2 * reference_rate
            out[f"upper_{name}"] = (1 + zq * sd) ** 2 * reference_rate
        return out
    for lv in levels:
        name = _level_name(lv)
        for side, p in (("lower", (1 - lv) / 2), ("upper", 1 - (1 - lv) / 2)):
            r = stats.poisson.ppf(p, lam)
            if interpolate:
                f_r = stats.poisson.cdf(r, lam)
                f_prev = stats.poisson.cdf(r - 1, lam)
                with np.errstate(divide="ignore", invalid="ignore"):
                    a = np.where(f_r > f_prev, (f_r - p) / (f_r - f_prev), 0.0)
                r = np.maximum(r - a, 0.0)
            out[f"{side}_{name}"] = r / pops * per
    return out


def load_force_counts(path) -> pd.DataFrame:
    """Read force-wide counts by LAD x month x crime type (as shipped in ``data/sample/force``).

    Returns
    -------
    DataFrame
        ``lad_code``, ``lad_name``, ``month``, ``crime_type``, ``count``, ``population``.
        Rows with no location or outside the force area carry pseudo-codes in
        brackets, e.g. ``(no location)``, and no population.
    """
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"Force counts file {p} does not exist. Fix: check data.force_counts in the parameters."
        )
    df = pd.read_csv(
        p,
        dtype={
            "lad_code": "string",
            "lad_name": "string",
            "month": "string",
            "crime_type": "string",
        },
    )
    v.require_columns(
        df,
        ["lad_code", "lad_name", "month", "crime_type", "count", "population"],
        arg=str(p),
        fix="build it with scripts/build_sample.py (street rows counted by LAD x month x crime type)",
    )
    v.require_non_negative(df, "count", arg=str(p))
    return df


def wider_area_counts(
    force_counts: pd.DataFrame,
    months: Sequence[str],
    *,
    exclude_types: Sequence[str] = ("Anti-social behaviour",),
    crime_types: Sequence[str] | None = None,
    wider_area_name: str = "Force area",
    areas: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Counts and populations per LAD over ``months``, plus the whole wider area.

    Rows with no location or outside the force area (bracketed pseudo-codes) count
    towards neither any LAD nor the wider area, as they cannot be placed.

    Parameters
    ----------
    force_counts : DataFrame
        From :func:`load_force_counts`.
    months : sequence of "YYYY-MM"
    exclude_types : sequence of str
        Crime types left out (ASB by default: incidents, not crimes).
    crime_types : sequence of str, optional
        Keep only these types (after ``exclude_types``).
    wider_area_name : str
        Label of the total row.
    areas : sequence of str, optional
        LAD codes to keep as rows (the wider-area row always sums every LAD).

    Returns
    -------
    DataFrame
        ``area`` (LAD name, or ``wider_area_name``), ``lad_code`` (``"all"`` for the
        total), ``count``, ``population``. Population is summed over LADs.

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"lad_code": ["A", "B", "(no location)"], "lad_name": ["Ayton", "Beeby", "(no location)"],
    ...     "month": ["2025-01"] * 3, "crime_type": ["Robbery"] * 3, "count": [4, 6, 5],
    ...     "population": [1000, 3000, None]})
    >>> wider_area_counts(fc, ["2025-01"])[["area", "count", "population"]].values.tolist()
    [['Ayton', 4, 1000], ['Beeby', 6, 3000], ['Force area', 10, 4000]]
    """
    v.require_columns(
        force_counts,
        ["lad_code", "lad_name", "month", "crime_type", "count", "population"],
        arg="force_counts",
    )
    d = force_counts[
        force_counts["month"].isin(list(months)) & ~force_counts["lad_code"].str.startswith("(")
    ]
    d = d[~d["crime_type"].isin(list(exclude_types))]
    if crime_types is not None:
        d = d[d["crime_type"].isin(list(crime_types))]
    if d.empty:
        raise ValueError(
            f"force_counts has no rows for months {list(months)[:3]}... and the crime types asked for. "
            f"It covers {force_counts['month'].min()} to {force_counts['month'].max()}."
        )
    pop = (
        force_counts.dropna(subset=["population"])
        .drop_duplicates("lad_code")
        .set_index("lad_code")["population"]
    )
    by = d.groupby(["lad_code", "lad_name"], as_index=False)["count"].sum()
    by["population"] = by["lad_code"].map(pop).astype("int64")
    by = by.rename(columns={"lad_name": "area"})[["area", "lad_code", "count", "population"]]
    total = pd.DataFrame(
        [
            {
                "area": wider_area_name,
                "lad_code": "all",
                "count": int(by["count"].sum()),
                "population": int(by["population"].sum()),
            }
        ]
    )
    if areas is not None:
        by = by[by["lad_code"].isin(list(areas))]
    out = pd.concat([by, total], ignore_index=True)
    out["count"] = out["count"].astype("int64")
    return out
