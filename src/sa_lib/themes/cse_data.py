"""Child sexual exploitation (CSE) theme, data and computation: inputs, index settings, bands, trends.

The CSE page ranks wards on a composite risk index (:mod:`sa_lib.stats.risk_index`)
built from partners' ward indicators. This module holds the computation:

- :func:`load_indicators` / :func:`load_quarterly` read the partner files and check
  them against the CSP's wards (every unknown and every missing ward code is listed);
- :func:`index_settings` turns the ``cse:`` parameters into the index's indicators,
  weights and directions; :func:`indicator_rates` turns counts into rates;
- :func:`band_levels` puts standardised values in five bands, :func:`district_quarterly`,
  :func:`quarterly_bands` and :func:`annual_change` the district trends;
- :func:`generate_previous_priority`, the sample's synthetic previous priority wards.

The displays are in :mod:`sa_lib.themes.cse_display`, the page in
:func:`sa_lib.themes.cse_report.build`.

Why bands rather than exact standardised values? A z-score or percentile of a rare
count is a transform of that count. With the ward's (public) child population, a
published district total and the fact that counts are whole numbers, exact z-scores
of an indicator with a handful of events per ward can be turned back into the counts.
Five coarse bands (well below ... well above average) cannot. The same holds for a
continuous colour scale, whose pixels can be read back, so the heatmap is banded too.

Examples
--------
>>> import numpy as np
>>> band_levels(np.array([-1.2, -0.5, 0.0, 0.7, 1.0]), "zscore").tolist()
[-2, -1, 0, 1, 2]
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data.cse_indicators import INDICATOR_COLUMNS, INDICATORS
from sa_lib.stats.risk_index import composite_index
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_dataframe,
    require_int,
    require_non_negative,
    require_not_empty,
    require_numeric,
)

__all__ = [
    "BAND_LABELS",
    "BAND_SHORT",
    "BAND_COLOURS",
    "BAND_CUTS",
    "LABELS",
    "DENOMINATORS",
    "SCORES",
    "label",
    "load_indicators",
    "load_quarterly",
    "index_settings",
    "indicator_rates",
    "deprivation_correlation",
    "band_levels",
    "band_text",
    "district_quarterly",
    "trend_bands",
    "quarterly_bands",
    "annual_change",
    "is_synthetic_file",
    "generate_previous_priority",
]

#: Band labels for standardised values, from level -2 to +2 (index = level + 2).
BAND_LABELS: tuple[str, ...] = (
    "well below average",
    "below average",
    "about average",
    "above average",
    "well above average",
)
#: Short labels for tables and the heatmap.
BAND_SHORT: tuple[str, ...] = ("well below", "below", "average", "above", "well above")
#: Colours for the bands (Okabe-Ito blue to vermillion through grey; colour-blind safe).
BAND_COLOURS: tuple[str, ...] = ("#0072B2", "#9CC7E4", "#F2F2F2", "#F3B58C", "#D55E00")
#: Cut-offs (distance from the centre) for "above"/"well above": z-scores in standard
#: deviations, percentiles in percentile points (60th and 80th percentile).
BAND_CUTS = {"zscore": (0.5, 1.0), "percentile": (10.0, 30.0)}
_CENTRE = {"zscore": 0.0, "percentile": 50.0}

#: Reader-facing names of the indicators.
LABELS: dict[str, str] = {
    "missing_episodes": "Missing episodes",
    "school_exclusions": "School exclusions",
    "children_in_care": "Children in care",
    "hmo_count": "HMOs",
    "drug_referrals": "Drug referrals",
    "teenage_conceptions": "Teenage conceptions",
    "cse_referrals": "CSE referrals",
    "cse_crimes": "CSE-flagged crimes",
    "imd_share_deciles_1_5": "Deprivation (IMD)",
    "imd_rank_mean": "Deprivation (IMD rank)",
    "deprivation_z": "Deprivation",
}
#: Denominator column of each count indicator (rates per 1,000 of it).
DENOMINATORS: dict[str, str] = {k: v["denominator"] for k, v in INDICATORS.items()}
#: Indicators that are already rates or scores: used as they are, not divided.
SCORES: tuple[str, ...] = ("imd_share_deciles_1_5", "imd_rank_mean", "deprivation_z")
#: Indicators where a lower value means more risk.
LOWER_IS_WORSE: tuple[str, ...] = ("imd_rank_mean",)
#: Columns of the indicator file that are never indicators.
_NOT_INDICATORS = ("ward_code", "ward_name", "year", "population", "population_0_15", "synthetic")


def label(indicator: str) -> str:
    """Reader-facing name of an indicator (its column name, tidied, if unknown)."""
    return LABELS.get(indicator, indicator.replace("_", " ").capitalize())


# --------------------------------------------------------------------------- inputs


def _read(source, arg: str, what: str) -> pd.DataFrame:
    if isinstance(source, str | os.PathLike):
        try:
            return pd.read_csv(source, dtype={"ward_code": str, "ward_name": str})
        except FileNotFoundError:
            raise ValueError(
                f"{arg}: no such file {str(source)!r}. Fix: set the path of the {what} in the "
                f"parameters (data section)."
            ) from None
    require_dataframe(source, arg)
    return source.copy()


def _check_wards(df: pd.DataFrame, wards: pd.DataFrame, arg: str, *, complete: bool) -> None:
    require_columns(wards, ["ward_code"], arg="wards", fix="pass ctx.geo.wards")
    known = set(wards["ward_code"].astype(str))
    present = set(df["ward_code"].astype(str))
    unknown = sorted(present - known)
    missing = sorted(known - present) if complete else []
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(
                f"{len(unknown)} ward code(s) that are not wards of this CSP: "
                f"{', '.join(map(repr, unknown))}"
            )
        if missing:
            names = wards.set_index(wards["ward_code"].astype(str)).get("ward_name")
            shown = [f"{c!r} ({names[c]})" if names is not None else repr(c) for c in missing]
            parts.append(f"no row for {len(missing)} of the CSP's wards: {', '.join(shown)}")
        raise ValueError(
            f"{arg} has " + "; and ".join(parts) + ". Fix: use the CSP's current (May 2025) "
            "ward codes, one row per ward (a ward with no data gets a row with empty cells)."
        )


def load_indicators(source, wards: pd.DataFrame) -> pd.DataFrame:
    """Read the ward indicator file and check it against the CSP's wards.

    Parameters
    ----------
    source : path or DataFrame
        One row per ward: ``ward_code``, ``ward_name`` and numeric indicator columns
        (counts, or scores such as ``imd_share_deciles_1_5``), optionally
        ``population``, ``population_0_15`` and ``synthetic``.
    wards : DataFrame
        The CSP's wards (``ward_code``, ``ward_name``; e.g. ``ctx.geo.wards``).

    Returns
    -------
    DataFrame
        A copy, ward codes as strings, in ward-code order, ``ward_name`` taken from
        ``wards``. ``attrs["synthetic"]`` is True if any row has ``synthetic`` True.

    Raises
    ------
    ValueError
        If the file is missing, a column is missing, a ward repeats, or the ward codes
        do not match the CSP's (every unknown and every missing code is listed).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"ward_code": ["A", "B"], "ward_name": ["Alpha", "Beta"]})
    >>> f = pd.DataFrame({"ward_code": ["B", "A"], "ward_name": ["b", "a"], "x": [1, 2]})
    >>> load_indicators(f, w)["ward_name"].tolist()
    ['Alpha', 'Beta']
    """
    df = _read(source, "source", "ward indicators file (data.cse_indicators)")
    require_columns(df, ["ward_code"], arg="source", fix="name the ward code column 'ward_code'.")
    require_not_empty(df, arg="source")
    df["ward_code"] = df["ward_code"].astype(str).str.strip()
    dup = df["ward_code"].duplicated()
    row = first_bad_row(df, dup)
    if row is not None:
        raise ValueError(
            f"source has more than one row for ward {df['ward_code'].loc[row]!r} (row {row!r}). "
            f"Fix: one row per ward."
        )
    _check_wards(df, wards, "source", complete=True)
    names = wards.drop_duplicates("ward_code").set_index(wards["ward_code"].astype(str))
    df["ward_name"] = df["ward_code"].map(names["ward_name"]) if "ward_name" in wards else None
    synthetic = (
        bool(df["synthetic"].astype(str).str.lower().eq("true").any())
        if ("synthetic" in df)
        else False
    )
    out = df.sort_values("ward_code", kind="mergesort").reset_index(drop=True)
    out.attrs["synthetic"] = synthetic
    return out


def load_quarterly(source, wards: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Read the ward x quarter counts and check them.

    Parameters
    ----------
    source : path or DataFrame
        ``ward_code``, ``quarter`` (``2025Q1``) and one count column per name in
        ``columns``, one row per ward and quarter.
    wards : DataFrame
        The CSP's wards (``ward_code``).
    columns : list of str
        Count columns to keep.

    Returns
    -------
    DataFrame
        ``ward_code``, ``quarter`` and ``columns``, sorted; ``attrs["synthetic"]`` as in
        :func:`load_indicators`.

    Raises
    ------
    ValueError
        Missing column, a bad quarter label, a negative or non-numeric count, a ward and
        quarter given twice, or ward codes that are not the CSP's.
    """
    df = _read(source, "source", "ward quarterly CSE file (data.cse_quarterly)")
    cols = list(columns)
    require_columns(df, ["ward_code", "quarter", *cols], arg="source")
    require_not_empty(df, arg="source")
    df["ward_code"] = df["ward_code"].astype(str).str.strip()
    df["quarter"] = df["quarter"].astype(str).str.strip()
    bad = ~df["quarter"].str.fullmatch(r"\d{4}Q[1-4]")
    row = first_bad_row(df, bad)
    if row is not None:
        raise ValueError(
            f"source['quarter'] must look like '2025Q1'; row {row!r} has "
            f"{df['quarter'].loc[row]!r}."
        )
    for c in cols:
        require_numeric(df, c, arg="source")
        require_non_negative(df, c, arg="source")
    dup = df.duplicated(["ward_code", "quarter"])
    row = first_bad_row(df, dup)
    if row is not None:
        raise ValueError(
            f"source has ward {df['ward_code'].loc[row]!r} in quarter "
            f"{df['quarter'].loc[row]!r} more than once (row {row!r}). Fix: one row per ward "
            f"and quarter."
        )
    _check_wards(df, wards, "source", complete=False)
    synthetic = (
        bool(df["synthetic"].astype(str).str.lower().eq("true").any())
        if ("synthetic" in df)
        else False
    )
    out = df[["ward_code", "quarter", *cols]].sort_values(["quarter", "ward_code"])
    out = out.reset_index(drop=True)
    out.attrs["synthetic"] = synthetic
    return out


# --------------------------------------------------------------------------- index settings


def index_settings(options, columns: Sequence[str]) -> dict:
    """The index's indicators, weights and directions from the theme's parameters.

    Rules: ``indicators`` if given; else the indicators named in ``weights`` (an
    indicator left out of ``weights`` is left out of the index); else every known
    count indicator in the file plus ``imd_share_deciles_1_5`` if present, equally
    weighted. ``imd_rank_mean`` is turned round (lower rank = more deprived).

    Parameters
    ----------
    options : CseOptions
        The ``cse:`` section (``ctx.options``, :class:`sa_lib.pack.params_themes.CseOptions`): ``indicators``, ``weights``, ``method``,
        ``missing``.
    columns : list of str
        The indicator file's columns.

    Returns
    -------
    dict
        ``indicators`` (list), ``weights`` (dict or None = equal), ``higher_is_worse``
        (dict), ``method``, ``missing``: the keyword arguments of
        :func:`sa_lib.stats.risk_index.composite_index` and
        :func:`sa_lib.stats.risk_index.rank_stability`.

    Raises
    ------
    ValueError
        If an indicator is not a column of the file (the usable columns are listed) or
        weights name an indicator outside ``indicators``.

    Examples
    --------
    >>> from sa_lib.pack.params_themes import CseOptions
    >>> s = index_settings(CseOptions(weights={"cse_crimes": 2, "hmo_count": 1}),
    ...                    ["ward_code", "cse_crimes", "hmo_count", "missing_episodes"])
    >>> s["indicators"], s["weights"]
    (['cse_crimes', 'hmo_count'], {'cse_crimes': 2.0, 'hmo_count': 1.0})
    """
    cols = list(columns)
    usable = [c for c in cols if c not in _NOT_INDICATORS]
    inds = options.indicators
    weights = options.weights
    if inds:
        inds = list(inds)
        how = "cse.indicators in the parameters"
        if weights:
            extra = [k for k in weights if k not in inds]
            if extra:
                raise ValueError(
                    f"cse.weights names {', '.join(map(repr, extra))}, which cse.indicators "
                    f"leaves out. Fix: add them to cse.indicators or drop their weights."
                )
            weights = {k: weights.get(k, 0) for k in inds}
    elif weights:
        inds = list(weights)
        how = "the indicators weighted in cse.weights"
    else:
        inds = [c for c in [*INDICATORS, "imd_share_deciles_1_5"] if c in cols]
        how = "every known indicator in the file (no cse.indicators or cse.weights)"
    unknown = [i for i in inds if i not in usable]
    if unknown:
        raise ValueError(
            f"indicator(s) {', '.join(map(repr, unknown))} are not columns of the indicators "
            f"file. It has: {', '.join(map(repr, usable))}. Fix: correct cse.indicators / "
            f"cse.weights in the parameters."
        )
    if not inds:
        raise ValueError(
            "no indicators: the file has none of the known indicator columns and the "
            "parameters name none. Fix: set cse.indicators."
        )
    record_choice("CSE index indicators", ", ".join(inds), how, source="parameters")
    return {
        "indicators": inds,
        "weights": dict(weights) if weights else None,
        "higher_is_worse": {i: i not in LOWER_IS_WORSE for i in inds},
        "method": options.method or "zscore",
        "missing": options.missing or "reweight",
    }


def indicator_rates(
    df: pd.DataFrame,
    indicators: Sequence[str],
    denominators: Mapping[str, str] | None = None,
    per: int = 1000,
) -> pd.DataFrame:
    """Turn count indicators into rates per ``per`` of their denominator.

    Wards differ in size, so the index compares rates: a count indicator is divided by
    its denominator column (children aged 0-15 for most, all residents for HMOs; see
    :data:`DENOMINATORS`). Scores (:data:`SCORES`) are used as they are. A missing count
    stays missing (the index's ``missing`` setting treats it).

    Parameters
    ----------
    df : DataFrame
        From :func:`load_indicators`.
    indicators : list of str
    denominators : mapping, optional
        ``{indicator: denominator column}``, overriding :data:`DENOMINATORS`.
    per : int, default 1000

    Returns
    -------
    DataFrame
        ``ward_code``, ``ward_name`` and one column per indicator (rate or score).

    Raises
    ------
    ValueError
        If a count indicator has no known denominator, or a denominator column is
        missing, or a denominator is 0 or less where the count is present.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"ward_code": ["A"], "ward_name": ["a"], "population_0_15": [500],
    ...                   "cse_crimes": [2]})
    >>> indicator_rates(d, ["cse_crimes"])["cse_crimes"].tolist()
    [4.0]
    """
    require_int(per, arg="per", minimum=1)
    den = {**DENOMINATORS, **(dict(denominators) if denominators else {})}
    require_columns(df, ["ward_code", "ward_name", *indicators], arg="df")
    out = df[["ward_code", "ward_name"]].copy()
    used = []
    for ind in indicators:
        require_numeric(df, ind, arg="df")
        if ind in SCORES:
            out[ind] = df[ind].astype(float)
            continue
        if ind not in den:
            raise ValueError(
                f"indicator {ind!r} has no denominator to turn its counts into rates. Fix: "
                f"pass denominators={{{ind!r}: 'population_0_15'}} (or 'population')."
            )
        d = den[ind]
        require_columns(df, [d], arg="df", fix=f"add the {d!r} column (the rate's denominator).")
        bad = df[ind].notna() & ~(df[d] > 0)
        row = first_bad_row(df, bad)
        if row is not None:
            raise ValueError(
                f"df[{d!r}] must be above 0 to make a rate of {ind!r}; row {row!r} "
                f"({df['ward_code'].loc[row]}) has {df[d].loc[row]!r}."
            )
        out[ind] = df[ind].astype(float) / df[d].astype(float) * per
        used.append(f"{ind} per {per:,} {d}")
    if used:
        record_choice(
            "CSE indicator rates",
            "; ".join(used),
            "wards differ in size, so counts are compared as rates",
        )
    return out


def deprivation_correlation(rates: pd.DataFrame, deprivation: pd.Series) -> pd.DataFrame:
    """Spearman correlation of each indicator with deprivation over the wards.

    Parameters
    ----------
    rates : DataFrame
        From :func:`indicator_rates` (indicator columns after the first two).
    deprivation : Series
        Deprivation per ward, aligned with ``rates`` (higher = more deprived), e.g.
        the file's ``deprivation_z``.

    Returns
    -------
    DataFrame
        ``Indicator`` and ``Spearman rho`` (2 decimals), one row per indicator.
    """
    from scipy import stats

    rows = []
    for c in rates.columns[2:]:
        ok = rates[c].notna() & deprivation.notna()
        rho = (
            stats.spearmanr(rates.loc[ok, c], deprivation[ok]).statistic if ok.sum() > 2 else np.nan
        )
        rows.append({"Indicator": label(c), "Spearman rho": round(float(rho), 2)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- bands


def band_levels(values, method: str) -> np.ndarray:
    """Band of each standardised value: -2 (well below average) to +2 (well above).

    z-scores: ``>= 1`` well above, ``>= 0.5`` above, ``<= -1`` well below, ``<= -0.5``
    below, else about average. Percentiles: the same at 80, 60, 20 and 40. Missing
    values get -99.

    Examples
    --------
    >>> band_levels([20, 40.5, 59.9, 60, 95], "percentile").tolist()
    [-2, 0, 0, 1, 2]
    """
    require_choice(method, tuple(BAND_CUTS), arg="method")
    x = np.asarray(values, dtype=float) - _CENTRE[method]
    near, far = BAND_CUTS[method]
    lev = np.zeros(x.shape, dtype=int)
    lev[x >= near] = 1
    lev[x >= far] = 2
    lev[x <= -near] = -1
    lev[x <= -far] = -2
    lev[np.isnan(x)] = -99
    return lev


def band_text(level: int, short: bool = True) -> str:
    if level == -99:
        return "no data"
    return (BAND_SHORT if short else BAND_LABELS)[level + 2]


# --------------------------------------------------------------------------- trends


def district_quarterly(quarterly: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """District totals per quarter.

    Parameters
    ----------
    quarterly : DataFrame
        From :func:`load_quarterly`.
    columns : list of str

    Returns
    -------
    DataFrame
        ``quarter``, ``quarter_start`` (Timestamp) and one total per column, sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> q = pd.DataFrame({"ward_code": ["A", "B"], "quarter": ["2025Q1"] * 2, "x": [3, 9]})
    >>> district_quarterly(q, ["x"])["x"].tolist()
    [12]
    """
    cols = list(columns)
    require_columns(quarterly, ["quarter", *cols], arg="quarterly")
    out = quarterly.groupby("quarter", sort=True)[cols].sum().reset_index()
    out.insert(1, "quarter_start", pd.PeriodIndex(out["quarter"], freq="Q").start_time)
    for c in cols:
        out[c] = out[c].astype("int64")
    return out


def trend_bands(threshold: int) -> tuple[int, ...]:
    """Band edges for banded counts: the threshold, 1.5x, 2x, 3x, 5x, 10x, 20x, 50x, 100x.

    Examples
    --------
    >>> trend_bands(10)
    (10, 15, 20, 30, 50, 100, 200, 500, 1000)
    """
    require_int(threshold, arg="threshold", minimum=1)
    edges = [int(round(threshold * m)) for m in (1, 1.5, 2, 3, 5, 10, 20, 50, 100)]
    return tuple(sorted(set(edges)))


def quarterly_bands(
    district: pd.DataFrame,
    columns: Sequence[str],
    threshold: int,
    suppress_zero: bool = False,
) -> pd.DataFrame:
    """Band the quarterly district totals (:func:`sa_lib.stats.disclosure.band_counts`).

    Parameters
    ----------
    district : DataFrame
        From :func:`district_quarterly`.
    columns : list of str
    threshold : int
        The disclosure threshold (first band edge).
    suppress_zero : bool
        Show zeros as ``<threshold`` too.

    Returns
    -------
    DataFrame
        ``quarter``, ``quarter_start`` and, per column, the band label; ``attrs`` holds
        ``levels`` (band position per cell: 0 = below the threshold, or -1 for zero when
        zeros are shown) and ``bands`` (the labels in order, lowest first).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"quarter": ["2025Q1", "2025Q2"], "quarter_start": [0, 0], "x": [4, 16]})
    >>> quarterly_bands(d, ["x"], 10)["x"].tolist()
    ['<10', '15-19']
    """
    from sa_lib.stats.disclosure import band_counts

    edges = trend_bands(threshold)
    out = district[["quarter", "quarter_start"]].copy()
    levels = pd.DataFrame(index=out.index)
    labels = [f"<{edges[0]:,}"] + [
        f"{a:,}-{b - 1:,}" for a, b in zip(edges, edges[1:], strict=False)
    ]
    labels.append(f"{edges[-1]:,}+")
    for c in columns:
        out[c] = band_counts(district[c], edges, zero_label=None if suppress_zero else "0")
        x = district[c].to_numpy(dtype=float)
        lev = np.searchsorted(np.asarray(edges, dtype=float), x, side="right")
        if not suppress_zero:
            lev = np.where(x == 0, -1, lev)
        levels[c] = lev
    out.attrs["levels"] = levels
    out.attrs["bands"] = labels
    return out


def annual_change(
    district: pd.DataFrame,
    columns: Sequence[str],
    before: str | None = None,
    after: str | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Compare two calendar years of the quarterly district totals (exact Poisson test).

    Parameters
    ----------
    district : DataFrame
        From :func:`district_quarterly`.
    columns : list of str
    before, after : str, optional
        Years, e.g. ``"2024"`` and ``"2025"`` (each must have four quarters). Default:
        the last two years in the data with all four quarters.
    alpha : float

    Returns
    -------
    DataFrame
        ``indicator``, ``count_before``, ``count_after``, ``pct_change``, ``p_value``,
        ``significant``, ``change_label`` (from :func:`sa_lib.stats.change.compare_two`);
        ``attrs["years"]`` = ``(before, after)``.
    """
    from sa_lib.stats.change import compare_two

    years = district["quarter"].str[:4]
    complete = sorted(y for y, n in years.value_counts().items() if n == 4)
    if before is None or after is None:
        if len(complete) < 2:
            raise ValueError(
                f"annual_change needs two years with all four quarters; the data have "
                f"{', '.join(complete) or 'none'}. Fix: give before= and after= or more data."
            )
        before, after = complete[-2], complete[-1]
    rows = []
    for yr in (before, after):
        n = district["quarter"].str.startswith(str(yr)).sum()
        if n != 4:
            raise ValueError(f"year {yr} has {n} quarter(s) in the file; need all 4.")
    for c in columns:
        b = int(district.loc[district["quarter"].str.startswith(str(before)), c].sum())
        a = int(district.loc[district["quarter"].str.startswith(str(after)), c].sum())
        r = compare_two(b, a, alpha=alpha)
        rows.append(
            {
                "indicator": c,
                "count_before": b,
                "count_after": a,
                "pct_change": (a - b) / b * 100 if b else np.nan,
                "p_value": float(r["p_value"]),
                "significant": bool(r["significant"]),
                "change_label": str(r["change_label"]),
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["years"] = (str(before), str(after))
    return out


def is_synthetic_file(path) -> bool:
    try:
        col = pd.read_csv(path, usecols=["synthetic"])["synthetic"]
    except (ValueError, FileNotFoundError):
        return False
    return bool(col.astype(str).str.lower().eq("true").any())


def generate_previous_priority(
    indicators: pd.DataFrame, seed: int, top_n: int = 6, assessment: str = "2024"
) -> pd.DataFrame:
    """A plausible SYNTHETIC "previous assessment" priority-ward list.

    Each count is redrawn as Poisson(count + 0.5) (what the previous year might have
    looked like), turned into rates per 1,000 of its denominator, and combined with the
    IMD rank in an equal-weight z-score index (:func:`sa_lib.stats.risk_index.composite_index`);
    the ``top_n`` wards are the list. It overlaps with, but differs from, a list made
    from the current indicators, which is what :func:`sa_lib.stats.risk_index.compare_previous`
    is for.

    Parameters
    ----------
    indicators : DataFrame
        From :func:`sa_lib.data.cse_indicators.generate_cse_indicators`. Not changed.
    seed : int
        Random seed.
    top_n : int, default 6
        Length of the list.
    assessment : str, default "2024"
        Label of the previous assessment.

    Returns
    -------
    DataFrame
        ``ward_code``, ``ward_name``, ``rank`` (1 = highest), ``assessment`` and
        ``synthetic`` (True).
    """
    require_columns(
        indicators,
        ["ward_code", "ward_name", "imd_rank_mean", *INDICATOR_COLUMNS],
        arg="indicators",
        fix="pass the output of generate_cse_indicators(...)",
    )
    require_int(seed, arg="seed", minimum=0)
    require_int(top_n, arg="top_n", minimum=1)
    rng = np.random.default_rng(seed)
    df = indicators[["ward_code", "ward_name", "imd_rank_mean"]].copy()
    for name, spec in INDICATORS.items():
        counts = rng.poisson(indicators[name].to_numpy(dtype=float) + 0.5)
        df[name] = 1000 * counts / indicators[spec["denominator"]].to_numpy(dtype=float)
    idx = composite_index(
        df,
        [*INDICATOR_COLUMNS, "imd_rank_mean"],
        method="zscore",
        weights=None,
        missing="mean",
        higher_is_worse={"imd_rank_mean": False},
    )
    top = idx.sort_values("rank", kind="mergesort").head(top_n)
    return pd.DataFrame(
        {
            "ward_code": top["ward_code"].to_numpy(),
            "ward_name": top["ward_name"].to_numpy(),
            "rank": top["rank"].astype(int).to_numpy(),
            "assessment": assessment,
            "synthetic": True,
        }
    )
