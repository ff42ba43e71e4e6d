"""Child sexual exploitation (CSE) theme: inputs, index settings, safe displays and findings.

The CSE notebook ranks wards on a composite risk index (:mod:`sa_lib.stats.risk_index`)
built from partners' ward indicators. This module holds the theme's own pieces:

- :func:`load_indicators` / :func:`load_quarterly` read the partner files and check
  them against the CSP's wards (every unknown and every missing ward code is listed);
- :func:`index_settings` turns the ``cse:`` parameters into the index's indicators,
  weights and directions; :func:`indicator_rates` turns counts into rates;
- displays that never show a count below the disclosure threshold:
  :func:`index_table_html` (standardised values as **bands**), :func:`sa_lib.themes.cse_charts.plot_profile_heatmap`
  (banded, no numbers), :func:`sa_lib.themes.cse_charts.plot_index_map`, :func:`quarterly_bands` and
  :func:`sa_lib.themes.cse_charts.plot_banded_trend` (quarterly district totals as bands);
- :func:`key_findings`, sentences that never quote a small count.

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

import html as _html
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data.cse_indicators import INDICATOR_COLUMNS, INDICATORS
from sa_lib.stats.risk_index import composite_index
from sa_lib.themes.findings import format_count
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
    "generate_previous_priority",
    "BAND_LABELS",
    "BAND_COLOURS",
    "LABELS",
    "DENOMINATORS",
    "load_indicators",
    "load_quarterly",
    "index_settings",
    "indicator_rates",
    "deprivation_correlation",
    "band_levels",
    "index_display",
    "index_table_html",
    "table_html",
    "sources_html",
    "district_quarterly",
    "trend_bands",
    "quarterly_bands",
    "annual_change",
    "key_findings",
    "label",
    "show_html",
    "input_rows",
    "indicator_table",
    "stability_display",
    "comparison_display",
    "priority_counts",
    "annual_display",
    "methods_extra",
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
_CUTS = {"zscore": (0.5, 1.0), "percentile": (10.0, 30.0)}
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


def index_settings(options: Mapping, columns: Sequence[str]) -> dict:
    """The index's indicators, weights and directions from the theme's parameters.

    Rules: ``indicators`` if given; else the indicators named in ``weights`` (an
    indicator left out of ``weights`` is left out of the index); else every known
    count indicator in the file plus ``imd_share_deciles_1_5`` if present, equally
    weighted. ``imd_rank_mean`` is turned round (lower rank = more deprived).

    Parameters
    ----------
    options : mapping
        The ``cse:`` section (``ctx.options``): ``indicators``, ``weights``, ``method``,
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
    >>> s = index_settings({"weights": {"cse_crimes": 2, "hmo_count": 1}},
    ...                    ["ward_code", "cse_crimes", "hmo_count", "missing_episodes"])
    >>> s["indicators"], s["weights"]
    (['cse_crimes', 'hmo_count'], {'cse_crimes': 2, 'hmo_count': 1})
    """
    cols = list(columns)
    usable = [c for c in cols if c not in _NOT_INDICATORS]
    inds = options.get("indicators")
    weights = options.get("weights")
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
        "method": options.get("method") or "zscore",
        "missing": options.get("missing") or "reweight",
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
    require_choice(method, tuple(_CUTS), arg="method")
    x = np.asarray(values, dtype=float) - _CENTRE[method]
    near, far = _CUTS[method]
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


def index_display(
    index_df: pd.DataFrame,
    indicators: Sequence[str],
    priority: Sequence[str] = (),
) -> pd.DataFrame:
    """The ward index as a reader sees it: rank, ward, index, and a band per indicator.

    Parameters
    ----------
    index_df : DataFrame
        From :func:`sa_lib.stats.risk_index.composite_index` (``ward_code``, ``ward_name``,
        ``index``, ``rank``, ``<indicator>_std``).
    indicators : list of str
    priority : list of str
        Priority ward codes (marked "priority").

    Returns
    -------
    DataFrame
        Sorted by rank: ``Rank`` (str), ``Ward``, ``Index`` (2 decimals, str),
        ``Priority``, then one column per indicator (its :func:`label`) holding the band
        of its standardised value (:func:`band_levels`). ``attrs["levels"]`` holds the
        band levels (for colouring).
    """
    method = index_df.attrs.get("risk_index", {}).get("method", "zscore")
    need = ["ward_code", "ward_name", "index", "rank", *[f"{i}_std" for i in indicators]]
    require_columns(index_df, need, arg="index_df", fix="pass composite_index(...)'s output")
    d = index_df.sort_values(["rank", "ward_name"], na_position="last", kind="mergesort")
    out = pd.DataFrame(
        {
            "Rank": ["–" if pd.isna(r) else str(int(r)) for r in d["rank"]],
            "Ward": d["ward_name"].astype(str).to_numpy(),
            "Index": ["–" if pd.isna(v) else f"{v:.2f}" for v in d["index"]],
            "Priority": ["priority" if c in set(priority) else "" for c in d["ward_code"]],
        }
    )
    levels = pd.DataFrame(index=out.index)
    for ind in indicators:
        lev = band_levels(d[f"{ind}_std"].to_numpy(), method)
        out[label(ind)] = [band_text(x) for x in lev]
        levels[label(ind)] = lev
    out.attrs["levels"] = levels
    return out


def table_html(
    df: pd.DataFrame,
    *,
    not_count_cols: Sequence[str] = (),
    count_cols: Sequence[str] = (),
    levels: pd.DataFrame | None = None,
    caption: str | None = None,
) -> str:
    """A table of display strings, marked for the disclosure scan.

    Cells of ``not_count_cols`` (ranks, years) get ``data-sa-not-count``; cells of
    ``count_cols`` (already suppressed or banded labels) get ``class="sa-count"`` and
    ``data-sa-count``; cells of the columns of ``levels`` are coloured by band.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> import pandas as pd
    >>> table_html(pd.DataFrame({"Rank": ["1"]}), not_count_cols=["Rank"])
    '<table class="sa-table"><thead><tr><th scope="col">Rank</th></tr></thead><tbody><tr><td class="num" data-sa-not-count>1</td></tr></tbody></table>'
    """
    from sa_lib.themes.report import synthetic_caption

    parts = ['<table class="sa-table">']
    caption = synthetic_caption(caption) if caption else caption
    if caption:
        parts.append(f"<caption>{_html.escape(caption)}</caption>")
    parts.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{_html.escape(str(c))}</th>' for c in df.columns)
        + "</tr></thead><tbody>"
    )
    for i in range(len(df)):
        cells = []
        for c in df.columns:
            text = _html.escape(str(df.iloc[i][c]))
            if c in not_count_cols:
                attrs = ' class="num" data-sa-not-count'
            elif c in count_cols:
                attrs = f' class="sa-count" data-sa-count="{text}"'
            elif levels is not None and c in levels.columns:
                lev = int(levels.iloc[i][c])
                colour = "#FFFFFF" if lev == -99 else BAND_COLOURS[lev + 2]
                fg = "white" if lev == -2 else "black"  # black on vermillion passes WCAG AA
                attrs = f' style="background:{colour};color:{fg};text-align:center"'
            else:
                attrs = ' style="text-align:left"'
            cells.append(f"<td{attrs}>{text}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def index_table_html(display: pd.DataFrame, caption: str | None = None) -> str:
    """HTML of :func:`index_display`: ranks marked as not counts, bands coloured."""
    return table_html(
        display, not_count_cols=["Rank"], levels=display.attrs.get("levels"), caption=caption
    )


def sources_html(indicators_df: pd.DataFrame, quarterly_df: pd.DataFrame | None, inputs) -> str:
    """The "what this page is based on" block: a SYNTHETIC warning and the inputs table.

    Parameters
    ----------
    indicators_df, quarterly_df : DataFrame
        From :func:`load_indicators` / :func:`load_quarterly` (their ``attrs["synthetic"]``).
    inputs : list of (input, file, real or synthetic, how made)
        Rows of the inputs table.

    Returns
    -------
    str
        HTML; the warning carries class ``sa-synthetic`` when any input is synthetic.
    """
    synthetic = bool(indicators_df.attrs.get("synthetic")) or bool(
        quarterly_df is not None and quarterly_df.attrs.get("synthetic")
    )
    head = ""
    if synthetic:
        head = (
            '<div class="sa-synthetic" role="note"><strong>SYNTHETIC DATA.</strong> Every '
            "CSE indicator count on this page (missing episodes, exclusions, children in care, "
            "HMOs, drug referrals, teenage conceptions, CSE referrals and CSE-flagged crimes) "
            "and the previous assessment's priority wards are <strong>made up</strong> by the "
            "workbench for demonstration. They are not real children, crimes or referrals. The "
            "ward rankings, priority wards and trends below show how the method works; "
            "<strong>they must not be used for decisions</strong> or quoted as findings.</div>"
        )
    from sa_lib.themes.report import plain_english

    rows = pd.DataFrame(list(inputs), columns=["Input", "File", "Real or synthetic", "How made"])
    rows = rows.map(lambda v: plain_english(v) if isinstance(v, str) else v)
    return head + table_html(rows, caption="Inputs")


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


# --------------------------------------------------------------------------- findings


def _names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def key_findings(
    index_df: pd.DataFrame,
    priority: pd.DataFrame,
    stability: pd.DataFrame,
    comparison: pd.DataFrame | None,
    annual: pd.DataFrame | None,
    *,
    threshold: int,
    n_sims: int,
    synthetic: bool = False,
) -> list[str]:
    """Key findings for the CSE page. No sentence quotes a count below ``threshold``.

    Counts appear only in the annual comparison, and only as
    :func:`sa_lib.themes.findings.format_count` writes them ("fewer than 10" below the
    threshold, and then no percentage change either, as it could reveal the count).

    Parameters
    ----------
    index_df : DataFrame
        From :func:`sa_lib.stats.risk_index.composite_index`.
    priority : DataFrame
        From :func:`sa_lib.stats.risk_index.priority_wards`.
    stability : DataFrame
        From :func:`sa_lib.stats.risk_index.rank_stability`.
    comparison : DataFrame or None
        From :func:`sa_lib.stats.risk_index.compare_previous`.
    annual : DataFrame or None
        From :func:`annual_change`.
    threshold : int
    n_sims : int
    synthetic : bool
        Start with a reminder that the data are synthetic.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DataFrame({"ward_code": ["A", "B"], "ward_name": ["Alpha", "Beta"],
    ...                     "index": [1.0, -1.0], "rank": [1, 2]})
    >>> pri = idx.head(1)
    >>> st = pd.DataFrame({"ward_code": ["A", "B"], "ward_name": ["Alpha", "Beta"],
    ...                    "rank": [1, 2], "p_top_n": [1.0, 0.0]})
    >>> key_findings(idx, pri, st, None, None, threshold=10, n_sims=100)[0]
    'The priority ward (the highest of 2 wards on the composite risk index) is Alpha.'
    """
    require_int(threshold, arg="threshold", minimum=1)
    out = []
    if synthetic:
        out.append(
            "SYNTHETIC DATA: the indicator counts behind these findings are made up for "
            "demonstration; do not use them for decisions."
        )
    n_wards = int(index_df["index"].notna().sum())
    names = priority["ward_name"].astype(str).tolist()
    if len(names) == 1:
        out.append(
            f"The priority ward (the highest of {n_wards} wards on the composite risk index) "
            f"is {names[0]}."
        )
    else:
        out.append(
            f"The priority wards (the highest of {n_wards} wards on the composite risk index, "
            f"in rank order) are {_names(names)}."
        )
    st = stability.set_index("ward_code")
    pri_codes = priority["ward_code"].tolist()
    firm = [
        st.loc[c, "ward_name"] for c in pri_codes if c in st.index and st.loc[c, "p_top_n"] >= 0.9
    ]
    soft = [
        f"{st.loc[c, 'ward_name']} ({st.loc[c, 'p_top_n']:.0%})"
        for c in pri_codes
        if c in st.index and st.loc[c, "p_top_n"] < 0.9
    ]
    near = st[~st.index.isin(pri_codes) & (st["p_top_n"] >= 0.2)]
    text = f"When the weights are varied at random ({n_sims:,} simulations), "
    if firm:
        text += f"{_names(firm)} stay in the priority list in at least 90% of them"
    if soft:
        text += ("; " if firm else "") + f"less certain: {_names(soft)}"
    if len(near):
        text += "; close behind: " + _names(
            [f"{r['ward_name']} ({r['p_top_n']:.0%})" for _, r in near.iterrows()]
        )
    out.append(text + ".")
    method = index_df.attrs.get("risk_index", {}).get("method", "zscore")
    inds = index_df.attrs.get("risk_index", {}).get("indicators", [])
    if inds and pri_codes:
        sub = index_df.set_index("ward_code").loc[pri_codes]
        above = {i: int((band_levels(sub[f"{i}_std"].to_numpy(), method) >= 1).sum()) for i in inds}
        common = [
            label(i)
            for i, n in sorted(above.items(), key=lambda t: -t[1])
            if n > len(pri_codes) / 2
        ]
        if common:
            out.append(
                "Indicators above the district's ward average in most priority wards: "
                f"{_names(common[:4])}."
            )
    if comparison is not None and len(comparison):
        parts = []
        for status, lead in (
            ("continuing", "continuing from the previous assessment"),
            ("new", "new"),
            ("dropped", "no longer priority"),
        ):
            w = comparison.loc[comparison["status"] == status, "ward_name"].astype(str).tolist()
            if w:
                parts.append(f"{lead}: {_names(w)}")
        out.append("Against the previous assessment's priority wards, " + "; ".join(parts) + ".")
    if annual is not None:
        years = annual.attrs.get("years", ("the earlier year", "the later year"))
        for _, r in annual.iterrows():
            b, a = int(r["count_before"]), int(r["count_after"])
            name = label(r["indicator"])
            s = (
                f"{name} in the district: {format_count(a, threshold)} in {years[1]} against "
                f"{format_count(b, threshold)} in {years[0]}"
            )
            if a >= threshold and b >= threshold:
                sig = "a significant change" if r["significant"] else "not a significant change"
                s += f" ({r['pct_change']:+.0f}%, {sig}, exact Poisson test)"
            out.append(s + ".")
    return out


# --------------------------------------------------------------------------- small displays


def show_html(html: str) -> None:
    """Display HTML built here in the notebook."""
    from sa_lib.themes.results import emit_html

    emit_html(html)


def _is_synthetic_file(path) -> bool:
    try:
        col = pd.read_csv(path, usecols=["synthetic"])["synthetic"]
    except (ValueError, FileNotFoundError):
        return False
    return bool(col.astype(str).str.lower().eq("true").any())


def input_rows(ctx, indicators_df: pd.DataFrame, quarterly_df: pd.DataFrame | None) -> list:
    """Rows of the inputs table for :func:`sources_html` (file names only, no paths).

    Parameters
    ----------
    ctx : Context
    indicators_df, quarterly_df : DataFrame
        From :func:`load_indicators` and :func:`load_quarterly`.

    Returns
    -------
    list of tuple
        ``(input, file, "SYNTHETIC" or "real", how made)``.
    """
    made = (
        "made up by sa_lib.data.cse_indicators (seed 2025): Poisson counts around rates that rise "
        "with the ward's real deprivation, so they correlate with it as real indicators do"
    )
    rows = []
    for key, what, frame in (
        ("cse_indicators", "Ward CSE risk indicators (annual counts)", indicators_df),
        ("cse_quarterly", "CSE-flagged crimes and CSE referrals by ward and quarter", quarterly_df),
        ("previous_priority_wards", "Previous assessment's priority wards", None),
    ):
        path = ctx.path(key)
        if path is None:
            continue
        syn = bool(frame.attrs.get("synthetic")) if frame is not None else _is_synthetic_file(path)
        how = made if syn else "partner data named in the parameters"
        if key == "previous_priority_wards" and syn:
            how = "made up: a plausible earlier ranking from redrawn synthetic counts"
        rows.append((what, path.name, "SYNTHETIC" if syn else "real", how))
    rows += [
        ("Ward boundaries (May 2025) and LSOA best fit", "ONS Open Geography", "real", "published"),
        ("Resident and child (0-15) population", "Census 2021", "real", "published"),
        ("Deprivation", "English Indices of Deprivation 2019", "real", "published"),
    ]
    return rows


def indicator_table(
    indicators_df: pd.DataFrame,
    indicators: Sequence[str],
    weights: Mapping[str, float] | None,
    *,
    threshold: int,
    secondary: bool = True,
) -> pd.DataFrame:
    """One row per indicator: what it counts, its weight, how compared, its district total.

    District totals pass through :func:`sa_lib.stats.disclosure.suppress_table` (one column,
    its total treated as published); scores have no total ("–").

    Returns
    -------
    DataFrame of str
        ``Indicator``, ``What it counts``, ``Weight`` (share, e.g. ``"17%"``),
        ``Compared as``, ``District total`` (a count, ``<10`` or ``[c]``). Render with
        :func:`table_html` (``count_cols=["District total"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"cse_crimes": [3, 4], "hmo_count": [20, 30]})
    >>> t = indicator_table(d, ["cse_crimes", "hmo_count"], None, threshold=10)
    >>> t["District total"].tolist(), t["Weight"].tolist()
    (['<10', '[c]'], ['50%', '50%'])
    """
    from sa_lib.stats.disclosure import suppress_table

    w = weights or {i: 1 for i in indicators}
    tot_w = float(sum(w.get(i, 0) for i in indicators)) or 1.0
    counts = [i for i in indicators if i not in SCORES]
    totals = pd.DataFrame({"t": [int(indicators_df[i].fillna(0).sum()) for i in counts]})
    shown = {}
    if counts:
        res = suppress_table(
            totals, ["t"], threshold=threshold, secondary=secondary, lines="columns"
        )
        shown = dict(zip(counts, res.display["t"], strict=True))
    rows = []
    for i in indicators:
        spec = INDICATORS.get(i, {})
        den = DENOMINATORS.get(i)
        if i == "imd_share_deciles_1_5":
            what = "share of the ward's LSOAs in the more deprived half of England (IMD 2019)"
        else:
            what = spec.get("description", "score, used as it is")
        if den == "population_0_15":
            how = "rate per 1,000 children aged 0-15"
        elif den == "population":
            how = "rate per 1,000 residents"
        else:
            how = "as it is"
        rows.append(
            {
                "Indicator": label(i),
                "What it counts": what,
                "Weight": f"{w.get(i, 0) / tot_w:.0%}",
                "Compared as": how,
                "District total": shown.get(i, "–"),
            }
        )
    return pd.DataFrame(rows)


def stability_display(
    stability: pd.DataFrame, priority: Sequence[str], top_n: int, n_show: int | None = None
) -> pd.DataFrame:
    """Rank stability for readers: priority wards first, then any ward often in the top N.

    Parameters
    ----------
    stability : DataFrame
        From :func:`sa_lib.stats.risk_index.rank_stability`.
    priority : list of str
        Priority ward codes.
    top_n : int
    n_show : int, optional
        Rows at most (default: the priority wards and every ward in the top N in at
        least 5% of simulations).

    Returns
    -------
    DataFrame
        ``Rank``, ``Ward``, ``Priority``, ``In the top N`` (share of simulations),
        ``Median simulated rank``, ``Simulated rank (5th-95th percentile)``; all strings.
    """
    require_columns(
        stability,
        ["ward_code", "ward_name", "rank", "p_top_n", "median_rank", "rank_5th", "rank_95th"],
        arg="stability",
    )
    d = stability[stability["ward_code"].isin(list(priority)) | (stability["p_top_n"] >= 0.05)]
    if n_show is not None:
        d = d.head(n_show)
    return pd.DataFrame(
        {
            "Rank": d["rank"].astype(int).astype(str).to_numpy(),
            "Ward": d["ward_name"].astype(str).to_numpy(),
            "Priority": ["priority" if c in set(priority) else "" for c in d["ward_code"]],
            f"In the top {top_n}": [f"{p:.0%}" for p in d["p_top_n"]],
            "Median simulated rank": [f"{m:g}" for m in d["median_rank"]],
            "Simulated rank (5th-95th percentile)": [
                f"{lo:g} to {hi:g}" for lo, hi in zip(d["rank_5th"], d["rank_95th"], strict=True)
            ],
        }
    )


def comparison_display(comparison: pd.DataFrame) -> pd.DataFrame:
    """The new / continuing / dropped table for readers (ranks as strings)."""
    require_columns(comparison, ["ward_name", "status"], arg="comparison")
    words = {
        "continuing": "continuing (priority in both)",
        "new": "new this time",
        "dropped": "dropped (priority last time only)",
    }

    def rank(col):
        if col not in comparison:
            return ["–"] * len(comparison)
        return ["–" if pd.isna(v) else str(int(v)) for v in comparison[col]]

    return pd.DataFrame(
        {
            "Ward": comparison["ward_name"].astype(str).to_numpy(),
            "Status": [words.get(s, s) for s in comparison["status"]],
            "Rank now": rank("current_rank"),
            "Rank last time": rank("previous_rank"),
        }
    )


def priority_counts(
    indicators_df: pd.DataFrame, priority: Sequence[str], indicators: Sequence[str]
) -> pd.DataFrame:
    """Raw counts of the priority wards (count indicators only), for a suppressed table.

    Returns
    -------
    DataFrame
        ``Ward`` and one int column per count indicator (its :func:`label`), priority
        order. Publish only through :func:`sa_lib.themes.report.show_table` with a threshold.
    """
    counts = [i for i in indicators if i not in SCORES]
    d = indicators_df.set_index("ward_code").loc[list(priority)]
    out = pd.DataFrame({"Ward": d["ward_name"].astype(str).to_numpy()})
    for i in counts:
        out[label(i)] = d[i].fillna(0).astype("int64").to_numpy()
    return out


def annual_display(annual: pd.DataFrame) -> pd.DataFrame:
    """The annual comparison for readers: counts (to be suppressed), change, test."""
    before, after = annual.attrs.get("years", ("before", "after"))
    return pd.DataFrame(
        {
            "Indicator": [label(i) for i in annual["indicator"]],
            before: annual["count_before"].astype("int64").to_numpy(),
            after: annual["count_after"].astype("int64").to_numpy(),
            "Change": [f"{p:+.0f}%" if pd.notna(p) else "–" for p in annual["pct_change"]],
            "Exact Poisson test": [
                f"{lab} (p = {p:.2f})"
                for lab, p in zip(annual["change_label"], annual["p_value"], strict=True)
            ],
        }
    )


def methods_extra(spec: Mapping, options: Mapping, ctx) -> dict:
    """Settings of the CSE page for :func:`sa_lib.themes.report.show_methods` (``extra=``)."""
    method = spec["method"]
    near, far = _CUTS[method]
    unit = "sd" if method == "zscore" else "percentile points"
    return {
        "standardisation": (
            "z-score over the wards: (rate - mean) / sd"
            if method == "zscore"
            else "percentile rank over the wards (0 lowest, 100 highest)"
        ),
        "missing indicators": {
            "mean": "a missing value counts as the ward average",
            "zero": "a missing count counts as 0",
            "drop": "a ward with any missing indicator is left out of the ranking",
            "reweight": "a ward's index uses its available indicators, weights rescaled",
        }[spec["missing"]],
        "priority wards": f"the top {options['top_n']} wards on the index",
        "rank stability": (
            f"{options['n_sims']:,} simulations; each weight x Uniform(1 - {options['perturbation']}, "
            f"1 + {options['perturbation']}), renormalised; seed {ctx.stats['seed']}"
        ),
        "indicator bands": (
            f"well above / above average: {far:g} / {near:g} {unit} or more above the centre; "
            "below likewise; exact standardised values are not published"
        ),
        "trend bands": ", ".join(f"{a:,}" for a in trend_bands(int(ctx.disclosure["threshold"])))
        + " (lower edges); district totals only",
        "disclosure": (
            f"threshold {ctx.disclosure['threshold']}, secondary suppression "
            f"{'on' if ctx.disclosure['secondary'] else 'off'} (sensitive theme: strictest)"
        ),
    }


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
