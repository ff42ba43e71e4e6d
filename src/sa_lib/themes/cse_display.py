"""Child sexual exploitation (CSE) theme, displays: safe tables, key findings and page settings.

Every display here is safe to publish: standardised values are shown as **bands**
(:func:`index_display`, coloured per cell by :func:`band_styles`), district totals
pass disclosure control (:func:`indicator_table`), quarterly totals are banded
(:func:`quarterly_display`), and :func:`key_findings` never quotes a small count.
Tables of display strings are made into result tables by :func:`safe_table`, so the
one table renderer (:mod:`sa_lib.themes.render`) shows them, marked for the
disclosure scan (counts ``sa-count``, ranks ``sa-not-count``), and they reach the
pack's downloads.

Examples
--------
>>> import pandas as pd
>>> t = safe_table(pd.DataFrame({"Rank": ["1"], "Total": ["<10"]}), not_count_cols=["Rank"],
...                count_cols=["Total"], caption="Totals")
>>> t.published().iloc[0].tolist(), t.not_count_cols
(['1', '<10'], ('Rank',))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sa_lib.data.cse_indicators import INDICATORS
from sa_lib.themes.cse_data import (
    BAND_COLOURS,
    BAND_CUTS,
    DENOMINATORS,
    SCORES,
    band_levels,
    band_text,
    is_synthetic_file,
    label,
    trend_bands,
)
from sa_lib.themes.findings import format_count
from sa_lib.themes.results import Finding, Table
from sa_lib.validation import require_columns, require_int

__all__ = [
    "index_display",
    "band_styles",
    "safe_table",
    "synthetic_warning_html",
    "inputs_frame",
    "input_rows",
    "indicator_table",
    "stability_display",
    "comparison_display",
    "priority_counts",
    "quarterly_display",
    "annual_display",
    "key_findings",
    "methods_extra",
]

# --------------------------------------------------------------------------- safe tables


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


def band_styles(display: pd.DataFrame) -> pd.DataFrame:
    """Inline CSS per cell of :func:`index_display`: each band cell coloured by its band.

    Returns
    -------
    DataFrame
        Same shape as ``display``; ``""`` (no style) outside the band columns.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"Ward": ["A", "B"], "X": ["well below", "no data"]})
    >>> d.attrs["levels"] = pd.DataFrame({"X": [-2, -99]})
    >>> band_styles(d)["X"].tolist()
    ['background:#0072B2;color:white;text-align:center', 'background:#FFFFFF;color:black;text-align:center']
    """
    out = pd.DataFrame("", index=display.index, columns=display.columns, dtype=object)
    levels = display.attrs.get("levels")
    if levels is None:
        return out
    for c in levels.columns:
        col = []
        for lev in levels[c].astype(int).tolist():
            colour = "#FFFFFF" if lev == -99 else BAND_COLOURS[lev + 2]
            fg = "white" if lev == -2 else "black"  # black on vermillion passes WCAG AA
            col.append(f"background:{colour};color:{fg};text-align:center")
        out[c] = col
    return out


def safe_table(
    df: pd.DataFrame,
    *,
    caption: str,
    count_cols: Sequence[str] = (),
    not_count_cols: Sequence[str] = (),
    styles: pd.DataFrame | None = None,
) -> Table:
    """A result table of display strings already made safe (bands, suppressed totals).

    Nothing is suppressed here (the cells are already labels such as ``<10``, ``[c]``
    or ``10-14``): cells of ``count_cols`` are marked as counts for the disclosure scan,
    cells of ``not_count_cols`` (ranks) as not counts. On a synthetic page the caption
    says so, as every CSE table's does.

    Returns
    -------
    Table
        For :func:`sa_lib.themes.results.emit`.
    """
    from sa_lib.themes import report, results

    return results.table(
        df,
        count_cols=count_cols,
        not_count_cols=not_count_cols,
        caption=caption,
        synthetic=report.synthetic_caption(caption) != caption,
        styles=styles,
    )


def synthetic_warning_html(indicators_df: pd.DataFrame, quarterly_df: pd.DataFrame | None) -> str:
    """The SYNTHETIC warning of "what this page is based on" ("" when every input is real).

    Parameters
    ----------
    indicators_df, quarterly_df : DataFrame
        From :func:`~sa_lib.themes.cse_data.load_indicators` /
        :func:`~sa_lib.themes.cse_data.load_quarterly` (their ``attrs["synthetic"]``).

    Returns
    -------
    str
        HTML with class ``sa-synthetic``, or "".
    """
    synthetic = bool(indicators_df.attrs.get("synthetic")) or bool(
        quarterly_df is not None and quarterly_df.attrs.get("synthetic")
    )
    if not synthetic:
        return ""
    return (
        '<div class="sa-synthetic" role="note"><strong>SYNTHETIC DATA.</strong> Every '
        "CSE indicator count on this page (missing episodes, exclusions, children in care, "
        "HMOs, drug referrals, teenage conceptions, CSE referrals and CSE-flagged crimes) "
        "and the previous assessment's priority wards are <strong>made up</strong> by the "
        "workbench for demonstration. They are not real children, crimes or referrals. The "
        "ward rankings, priority wards and trends below show how the method works; "
        "<strong>they must not be used for decisions</strong> or quoted as findings.</div>"
    )


def inputs_frame(inputs) -> pd.DataFrame:
    """The inputs table: one row per input, in plain English.

    Parameters
    ----------
    inputs : list of (input, file, real or synthetic, how made)
        From :func:`input_rows`.

    Examples
    --------
    >>> inputs_frame([("Indicators", "x.csv", "real", "published")]).columns.tolist()
    ['Input', 'File', 'Real or synthetic', 'How made']
    """
    from sa_lib.themes.report import plain_english

    rows = pd.DataFrame(list(inputs), columns=["Input", "File", "Real or synthetic", "How made"])
    return rows.map(lambda v: plain_english(v) if isinstance(v, str) else v)


def quarterly_display(banded: pd.DataFrame, series: Mapping[str, str]) -> pd.DataFrame:
    """The banded quarterly totals for readers: ``Quarter`` ("Q1 2025") and one column per series.

    Parameters
    ----------
    banded : DataFrame
        From :func:`~sa_lib.themes.cse_data.quarterly_bands`.
    series : dict
        Reader's name -> column.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"quarter": ["2025Q1"], "quarter_start": [0], "x": ["<10"]})
    >>> quarterly_display(b, {"X": "x"}).iloc[0].tolist()
    ['Q1 2025', '<10']
    """
    return (
        banded.drop(columns="quarter_start")
        .assign(quarter=banded["quarter"].str.replace(r"(\d{4})Q([1-4])", r"Q\2 \1", regex=True))
        .rename(columns={"quarter": "Quarter", **{c: n for n, c in series.items()}})
    )


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
    as_findings: bool = False,
) -> list:
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
    as_findings : bool
        Return :class:`~sa_lib.themes.results.Finding` objects with their structured
        fields filled (the annual changes' test, periods and direction).

    Returns
    -------
    list of str, or of Finding

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
        lead = (
            f"The priority ward (the highest of {n_wards} wards on the composite risk index) "
            f"is {names[0]}."
        )
    else:
        lead = (
            f"The priority wards (the highest of {n_wards} wards on the composite risk index, "
            f"in rank order) are {_names(names)}."
        )
    out.append(Finding(lead, subject="CSE priority wards", measure="composite risk index"))
    pri_codes = priority["ward_code"].tolist()
    out.append(
        Finding(
            _stability_sentence(stability, pri_codes, n_sims),
            subject="CSE priority wards",
            measure="rank stability",
        )
    )
    out += [
        Finding(t, subject="CSE priority wards", measure="indicators")
        for t in _indicator_sentence(index_df, pri_codes)
    ]
    if comparison is not None and len(comparison):
        out.append(
            Finding(
                _comparison_sentence(comparison),
                subject="CSE priority wards",
                measure="change of list",
            )
        )
    if annual is not None:
        out += _annual_sentences(annual, threshold)
    out = [f if isinstance(f, Finding) else Finding(f) for f in out]
    return out if as_findings else [f.text for f in out]


def _stability_sentence(stability: pd.DataFrame, pri_codes: list, n_sims: int) -> str:
    """How firm the priority list is when the weights are varied."""
    st = stability.set_index("ward_code")
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
    return text + "."


def _indicator_sentence(index_df: pd.DataFrame, pri_codes: list) -> list[str]:
    """The indicators above average in most priority wards (none: an empty list)."""
    method = index_df.attrs.get("risk_index", {}).get("method", "zscore")
    inds = index_df.attrs.get("risk_index", {}).get("indicators", [])
    if not (inds and pri_codes):
        return []
    sub = index_df.set_index("ward_code").loc[pri_codes]
    above = {i: int((band_levels(sub[f"{i}_std"].to_numpy(), method) >= 1).sum()) for i in inds}
    common = [
        label(i) for i, n in sorted(above.items(), key=lambda t: -t[1]) if n > len(pri_codes) / 2
    ]
    if not common:
        return []
    return [
        "Indicators above the district's ward average in most priority wards: "
        f"{_names(common[:4])}."
    ]


def _comparison_sentence(comparison: pd.DataFrame) -> str:
    """Continuing, new and dropped priority wards against the previous assessment."""
    parts = []
    for status, lead in (
        ("continuing", "continuing from the previous assessment"),
        ("new", "new"),
        ("dropped", "no longer priority"),
    ):
        w = comparison.loc[comparison["status"] == status, "ward_name"].astype(str).tolist()
        if w:
            parts.append(f"{lead}: {_names(w)}")
    return "Against the previous assessment's priority wards, " + "; ".join(parts) + "."


def _annual_sentences(annual: pd.DataFrame, threshold: int) -> list:
    """One sentence per series: counts as format_count writes them, a change only when both are shown."""
    years = annual.attrs.get("years", ("the earlier year", "the later year"))
    out = []
    for _, r in annual.iterrows():
        b, a = int(r["count_before"]), int(r["count_after"])
        name = label(r["indicator"])
        s = (
            f"{name} in the district: {format_count(a, threshold)} in {years[1]} against "
            f"{format_count(b, threshold)} in {years[0]}"
        )
        f = Finding(s, subject=name, measure="annual count")
        if a >= threshold and b >= threshold:
            sig = bool(r["significant"])
            s += f" ({r['pct_change']:+.0f}%, {'a' if sig else 'not a'} significant change, exact Poisson test)"
            f.test, f.tested, f.significant = "exact Poisson", True, sig
            f.periods, f.comparison = (str(years[0]), str(years[1])), str(years[0])
            f.direction = ("increase" if a > b else "decrease") if sig else "none"
        f.text = s + "."
        out.append(f)
    return out


# --------------------------------------------------------------------------- small displays


def input_rows(ctx, indicators_df: pd.DataFrame, quarterly_df: pd.DataFrame | None) -> list:
    """Rows of the inputs table for :func:`inputs_frame` (file names only, no paths).

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
        syn = bool(frame.attrs.get("synthetic")) if frame is not None else is_synthetic_file(path)
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
        :func:`safe_table` (``count_cols=["District total"]``).

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
    near, far = BAND_CUTS[method]
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
        "priority wards": f"the top {options.top_n} wards on the index",
        "rank stability": (
            f"{options.n_sims:,} simulations; each weight x Uniform(1 - {options.perturbation}, "
            f"1 + {options.perturbation}), renormalised; seed {ctx.stats.seed}"
        ),
        "indicator bands": (
            f"well above / above average: {far:g} / {near:g} {unit} or more above the centre; "
            "below likewise; exact standardised values are not published"
        ),
        "trend bands": ", ".join(f"{a:,}" for a in trend_bands(int(ctx.disclosure.threshold)))
        + " (lower edges); district totals only",
        "disclosure": (
            f"threshold {ctx.disclosure.threshold}, secondary suppression "
            f"{'on' if ctx.disclosure.secondary else 'off'} (sensitive theme: strictest)"
        ),
    }
