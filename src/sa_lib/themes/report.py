"""Display helpers for theme pages: the one place every theme imports them from.

Tables (:mod:`sa_lib.themes.tables`), page furniture (:mod:`sa_lib.themes.page`)
and plain-English wording (:mod:`sa_lib.themes.formatting`) live in their own
modules and are re-exported here, so ``report.<name>`` keeps working; this module
holds the remaining shared helpers: breaks in a series, SPC summaries, age x sex
tables, shares, events, extract gaps and the ward map frame.

Examples
--------
>>> import pandas as pd
>>> html = table_html(pd.DataFrame({"ward": ["A"], "count": [3]}), count_cols=["count"], threshold=10)
>>> "&lt;10" in html and ">3<" not in html
True
"""

from __future__ import annotations

import html as _html

import pandas as pd

from sa_lib.themes import results as _results
from sa_lib.themes.formatting import (
    CORRECTION_WORDS,
    SETTING_WORDS,
    change_text,
    correction_words,
    plain_english,
)
from sa_lib.themes.page import (
    _show_fig,
    chart_png,
    new_result,
    note,
    setup_notebook,
    show_findings,
    show_header,
    show_methods,
    show_svg,
    synthetic_banner,
    synthetic_banner_html,
    synthetic_caption,
    watermark_svg,
)
from sa_lib.themes.tables import (
    NOT_AVAILABLE,
    hidden_counts,
    rank_shown_first,
    show_summary,
    show_table,
    shown_wards,
    summary_display,
    table_html,
    top_ranked,
    top_shown,
    withheld,
)

#: The old private name (themes may still call it).
_change_text = change_text

__all__ = [
    "CORRECTION_WORDS",
    "SETTING_WORDS",
    "NOT_AVAILABLE",
    "WARD_TOOLTIPS",
    "change_text",
    "correction_words",
    "plain_english",
    "chart_png",
    "new_result",
    "note",
    "setup_notebook",
    "show_findings",
    "show_header",
    "show_methods",
    "show_svg",
    "synthetic_banner",
    "synthetic_banner_html",
    "synthetic_caption",
    "watermark_svg",
    "hidden_counts",
    "rank_shown_first",
    "show_summary",
    "show_table",
    "shown_wards",
    "summary_display",
    "table_html",
    "top_ranked",
    "top_shown",
    "withheld",
    "show_breaks",
    "major_types",
    "breaks_in_range",
    "show_spc_summary",
    "show_age_sex",
    "unknown_to_footnote",
    "premises_display",
    "share_display",
    "show_share",
    "events_display",
    "show_events",
    "require_extract",
    "gaps_display",
    "extract_start",
    "ward_map_frame",
]


def show_breaks(annotations: pd.DataFrame, start, end) -> None:
    """List recording-practice changes: those inside the chart range, then earlier ones."""
    a = annotations.copy()
    # ``end`` is the first day of the chart's last month: the chart runs to that month's end.
    end = pd.Timestamp(end) + pd.offsets.MonthEnd(1)
    inside = a[(a["date"] >= start) & (a["date"] <= end)]
    before = a[a["date"] < start]
    items = []
    for i, r in inside.iterrows():
        items.append(
            f"<li><strong>[{i + 1}] {r['date']:%d %b %Y}</strong>: {_html.escape(r['label'])} ({_html.escape(r['source'])})</li>"
        )
    for _, r in before.iterrows():
        items.append(
            f"<li>Before this series, {r['date']:%d %b %Y}: {_html.escape(r['label'])} ({_html.escape(r['source'])}). "
            "Long-run comparisons across this date are not like for like.</li>"
        )
    if not items:
        items.append(
            "<li>No recorded changes to recording practice are listed for this range.</li>"
        )
    _results.emit_html(
        "<p><strong>Known breaks in the series</strong> (from the annotations table):</p><ul>"
        + "".join(items)
        + "</ul>"
    )


def major_types(types: pd.DataFrame, ctx, n: int = 6) -> list[str]:
    """Crime types given a trend chart: ``overview.major_types`` from the parameters, else the n largest."""
    chosen = ctx.params.overview.major_types
    if chosen:
        return list(chosen)
    t = types[types["crime_type"] != "All crime"].sort_values("count_current", ascending=False)
    picked = t["crime_type"].head(n).tolist()
    from sa_lib.choices import record_choice

    record_choice(
        "trend chart types", ", ".join(picked), f"the {n} largest categories in the period"
    )
    return picked


def breaks_in_range(
    annotations: pd.DataFrame, dates: pd.Series, crime_type: str | None = None
) -> list:
    """Dates of recording changes (for ``crime_type``) inside the range of ``dates``: SPC limits restart there."""
    from sa_lib.data.annotations import annotations_for

    a = annotations_for(annotations, crime_type)
    lo, hi = pd.Series(dates).min(), pd.Series(dates).max()
    return [d for d in a["date"] if lo < d <= hi]


#: The fewest months an XmR chart is drawn from (its limits need at least one moving range).
MIN_SPC_MONTHS = 2


def spc_unavailable(n_months: int) -> str:
    """Why no control chart is drawn from ``n_months`` unbroken held months.

    Examples
    --------
    >>> spc_unavailable(1)[:60]
    'Control chart: not available: the data hold 1 unbroken month'
    """
    return (
        f"Control chart: not available: the data hold {n_months} unbroken month(s) up to the "
        f"end of the period, and a control chart needs at least {MIN_SPC_MONTHS}."
    )


def extract_series(ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` (force-extract rows) in the extract's unbroken run of months ending at the period.

    As :meth:`sa_lib.pack.context.Context.series` for police.uk rows: at most
    ``ctx.series_max_months`` (``statistics.series_months``), and a month the extract does
    not hold ends the run, so it is never read as a month of zero crimes.
    """
    from sa_lib.data.coverage import contiguous_run

    held = sorted(ctx.extract["month"].unique()) if ctx.extract is not None else []
    run = contiguous_run(held, ctx.period.months[-1])[-ctx.series_max_months :]
    return df[df["month"].isin(run)]


def xmr_or_none(series: pd.DataFrame, annotations: pd.DataFrame | None, crime_type: str):
    """The XmR chart of a monthly series (``month_start``, ``count``), or None when too short.

    Its limits restart at the recording changes for ``crime_type`` in ``annotations``
    (None: no restarts).

    ``series`` should hold the unbroken run of held months (``ctx.series``): a gap
    is never read as a month of zero crimes.

    Examples
    --------
    >>> one = pd.DataFrame({"month_start": pd.to_datetime(["2018-03-01"]), "count": [5]})
    >>> xmr_or_none(one, pd.DataFrame(), "Violence and sexual offences") is None
    True
    """
    from sa_lib.stats import spc

    if len(series) < MIN_SPC_MONTHS:
        return None
    breaks = (
        []
        if annotations is None
        else breaks_in_range(annotations, series["month_start"], crime_type)
    )
    return spc.xmr(series, date_col="month_start", value_col="count", breaks=breaks)


def show_spc_summary(
    chart: pd.DataFrame, label: str = "All crime (excluding ASB)", threshold: int | None = None
) -> None:
    """One sentence on the latest month of an XmR chart, the special-cause runs, and a table of every flagged month."""
    from sa_lib.themes.findings import spc_runs_sentence, spc_sentence

    lines = [spc_sentence(label, chart, suppress_below=threshold)]
    runs = spc_runs_sentence(label, chart)
    if runs:
        lines.append(runs)
    show_findings(lines)
    flagged = chart[chart["special_cause"]]
    if len(flagged):
        dc = chart.attrs.get("date_col", "date")
        show_table(
            pd.DataFrame(
                {
                    "Month": [f"{d:%b %Y}" for d in flagged[dc]],
                    "Signal": flagged["direction"].map({"high": "high", "low": "low"}),
                    "Rule": flagged["rule"].to_numpy(),
                }
            ),
            caption=f"{label}: every month with special-cause variation",
        )


def show_age_sex(table: pd.DataFrame, ctx, title: str) -> None:
    """Show an age x sex table (:func:`sa_lib.stats.profiles.age_sex_table`) and its chart, both disclosure-controlled.

    Suppression (primary and secondary, with the Total row and column as the
    margins) decides which bars the chart may draw.
    """
    from sa_lib.charts.profiles import plot_age_sex
    from sa_lib.stats.disclosure import suppress_table

    dis = ctx.disclosure
    table, footnote = unknown_to_footnote(table, dis.threshold)
    cols = [c for c in table.columns if c != "age_band"]
    body = table.set_index("age_band")
    res = suppress_table(
        body,
        cols,
        threshold=dis.threshold,
        secondary=True,
        suppress_zero=dis.suppress_zero,
        total_row="Total",
        total_col="Total",
    )
    show_table(
        table.rename(columns={"age_band": "Age band"}),
        count_cols=cols,
        threshold=dis.threshold,
        secondary=False,
        suppressed=res.suppressed.reset_index(drop=True).reindex(
            columns=["Age band", *cols], fill_value=False
        ),
        caption=title,
    )
    if footnote:
        note(footnote)
    hidden = res.suppressed.reset_index(drop=True)
    hidden.insert(0, "age_band", False)
    _show_fig(plot_age_sex(table, hidden, title=title))


def unknown_to_footnote(table: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, str | None]:
    """Move a small "Unknown" column of an age x sex table into a footnote.

    A column of unknowns with small cells would otherwise force secondary
    suppression across a whole known column. The unknowns leave the table and its
    totals, and the footnote says how many ("fewer than N" when their total is
    small too). Returns the new table and the footnote (None when nothing moved).

    Examples
    --------
    >>> t = pd.DataFrame({"age_band": ["18-24", "Total"], "Female": [50, 50], "Male": [40, 40],
    ...                   "Unknown": [3, 3], "Total": [93, 93]})
    >>> out, text = unknown_to_footnote(t, 10)
    >>> out.columns.tolist(), out["Total"].tolist()
    (['age_band', 'Female', 'Male', 'Total'], [90, 90])
    >>> text
    'Fewer than 10 victims with no recorded sex are left out of this table and its totals.'
    >>> unknown_to_footnote(t.iloc[[0, 0, 1]].assign(age_band=["18-24", "25-34", "Total"],
    ...     Unknown=[3, 9, 12]), 10)[1]
    '12 victims with no recorded sex are left out of this table and its totals (by age they are too few to show).'
    """
    if "Unknown" not in table.columns or threshold <= 1:
        return table, None
    body = table[table["age_band"] != "Total"] if "age_band" in table else table
    cells = body["Unknown"].astype("int64")
    total = int(cells.sum())
    if not ((cells > 0) & (cells < threshold)).any():
        return table, None  # no small cell: the column costs nothing
    out = table.drop(columns="Unknown").copy()
    if "Total" in out.columns:
        known = [c for c in out.columns if c not in ("age_band", "Total")]
        out["Total"] = out[known].sum(axis=1)
    if total == 0:
        return out, None
    how_many = f"Fewer than {threshold}" if total < threshold else f"{total:,}"
    return out, (
        f"{how_many} victims with no recorded sex are left out of this table and its totals "
        "(by age they are too few to show)."
        if total >= threshold
        else f"{how_many} victims with no recorded sex are left out of this table and its totals."
    )


def premises_display(near: pd.DataFrame) -> pd.DataFrame:
    """The licensed-premises comparison (:func:`sa_lib.stats.nte.premises_comparison`) for readers."""
    from sa_lib.themes.findings import format_p

    r = near.iloc[0]
    test = (
        f"{r['rate_ratio']:.1f}× as dense (95% CI {r['rr_lower']:.1f} to {r['rr_upper']:.1f}), "
        + ("significant" if bool(r["significant"]) else "not significant")
        + f", {format_p(float(r['p_value']))}"
    )
    return pd.DataFrame(
        {
            "Zone": near["zone"],
            "Crimes": near["count"].astype("int64"),
            "Area (km²)": near["area_km2"].round(2),
            "Per km²": near["per_km2"].round(1),
            "Test": [test, ""],
        }
    )


def share_display(share: pd.DataFrame, numerator: str, denominator: str, what: str) -> pd.DataFrame:
    """A proportion table (from :func:`sa_lib.stats.rates.proportion_ci`) for readers."""
    return pd.DataFrame(
        {
            "Period": share["label"],
            what: share[numerator].astype("int64"),
            "Out of": share[denominator].astype("int64"),
            "Share": [f"{p:.0%}" if pd.notna(p) else "–" for p in share["proportion"]],
            "95% CI": [
                f"{lo:.0%} to {hi:.0%}" if pd.notna(lo) else "–"
                for lo, hi in zip(share["proportion_lower"], share["proportion_upper"], strict=True)
            ],
        }
    )


def show_share(
    share: pd.DataFrame, ctx, numerator: str, denominator: str, what: str, caption: str
) -> None:
    """Show a proportion table with both counts suppressed and the share hidden with them."""
    d = share_display(share, numerator, denominator, what)
    show_table(
        d,
        count_cols=[what, "Out of"],
        threshold=ctx.disclosure.threshold,
        secondary=False,
        derived={"Share": [what, "Out of"], "95% CI": [what, "Out of"]},
        caption=caption,
    )


def events_display(effects: pd.DataFrame) -> pd.DataFrame:
    """Event-effect results (:func:`sa_lib.stats.events.event_effects`) for readers."""
    return pd.DataFrame(
        {
            "Event": effects["event"],
            "Days": effects["n_periods"].astype("int64"),
            "Crimes on those days": effects["observed"].astype("int64"),
            "Expected (weekday and season)": effects["expected"].round(1),
            "Rate ratio": effects["rate_ratio"].round(2),
            "95% CI": [
                f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) else "–"
                for lo, hi in zip(effects["rr_lower"], effects["rr_upper"], strict=True)
            ],
            "Adjusted p": [
                ("<0.001" if p < 0.001 else f"{p:.3f}") if pd.notna(p) else "–"
                for p in effects["p_adjusted"]
            ],
            "Result": effects["label"],
        }
    )


def show_events(effects: pd.DataFrame, ctx, caption: str) -> None:
    """Show event effects; anything computed from a suppressed count on event days is hidden."""
    d = events_display(effects)
    obs = "Crimes on those days"
    show_table(
        d,
        count_cols=[obs],
        threshold=ctx.disclosure.threshold,
        secondary=False,
        derived={
            c: [obs]
            for c in ("Expected (weekday and season)", "Rate ratio", "95% CI", "Adjusted p")
        },
        not_count_cols=["Days"],
        caption=caption,
    )


def require_extract(ctx, what: str) -> pd.DataFrame:
    """Return the force extract, or stop the notebook with a clear error if none is set.

    Themes that cannot say anything without record-level data (domestic abuse)
    fail rather than publish an empty page as if it were complete.
    """
    if ctx.extract is None:
        raise ValueError(
            f"{what} needs a force extract, but data.extract is not set in the parameters. Fix: ingest "
            "your force's extract with `sa ingest-extract --mapping MAPPING.yaml EXTRACT.csv` and set "
            "data.extract to its path, or set data.extract: synthetic to use the shipped synthetic "
            "extract (pages are then labelled synthetic), or remove the theme from `themes`."
        )
    return ctx.extract


def gaps_display(gaps: pd.DataFrame) -> pd.DataFrame:
    """Time-to-repeat summary (:func:`sa_lib.stats.repeat_victims.time_to_repeat`) for readers."""
    g = gaps.iloc[0]

    def pct(key: str) -> str:
        v = g.get(key)
        return f"{v:.0%}" if v is not None and pd.notna(v) else "–"

    return pd.DataFrame(
        {
            "Repeat crimes measured": [int(g["n_gaps"])],
            "Median days": [f"{g['median_days']:.0f}" if pd.notna(g["median_days"]) else "–"],
            "Middle half (days)": [
                f"{g['q1_days']:.0f} to {g['q3_days']:.0f}" if pd.notna(g["q1_days"]) else "–"
            ],
            "Within 30 days": [pct("share_within_30")],
            "Within 90 days": [pct("share_within_90")],
        }
    )


def extract_holds(ctx, key: str) -> bool:
    """Whether the force extract holds every month of the comparison period ``key``.

    A comparison with months the extract lacks would read them as months with no
    crimes (issue 19), so it is shown as not available.
    """
    per = ctx.periods.get(key)
    if per is None or ctx.extract is None or "month" not in ctx.extract:
        return False
    return set(per.months) <= set(ctx.extract["month"].astype(str))


def extract_start(extract: pd.DataFrame) -> pd.Timestamp:
    """The first day of the extract's first recorded month: the start of its coverage."""
    return pd.Period(str(extract["month"].min()), freq="M").start_time


#: Tooltip headings and the columns of :func:`ward_map_frame` that fill them.
WARD_TOOLTIPS = {"Crimes": "tip_count", "Rate": "tip_rate", "Change": "tip_change"}


def ward_map_frame(ctx, wards: pd.DataFrame, rate_label: str | None = None):
    """Wards with their rate for mapping, made safe for publication.

    Returns the CSP's ward polygons with ``rate``, ``count_current`` and
    ``rate_shown`` (NaN where the count is below the disclosure threshold), plus
    text columns for map tooltips (``tip_count``, ``tip_rate``, ``tip_change``) in
    which small counts read "<threshold" and their rates and changes are withheld.
    """
    thr = ctx.disclosure.threshold
    cols = ["ward_code", "rate", "rate_lower", "rate_upper", "count_current"]
    extra = [c for c in ("pct_vs_last_year", "label_vs_last_year", "count_last_year") if c in wards]
    m = ctx.geo.wards.merge(wards[cols + extra], on="ward_code")
    small = (m["count_current"] > 0) & (m["count_current"] < thr)
    # One decision per number: a count the ward table hides as a complement ([c]) is
    # hidden on the map too (tooltip, rate and change), not only the small ones.
    mask = hidden_counts(wards, ctx)
    by_code = dict(zip(wards["ward_code"], range(len(wards)), strict=True))
    at = [by_code[c] for c in m["ward_code"]]
    cur_mask = mask["count_current"].to_numpy()[at] if "count_current" in mask else False
    complement = pd.Series(cur_mask, index=m.index, dtype=bool) & ~small
    small = small | complement
    m["rate_shown"] = m["rate"].where(~small)
    m["tip_count"] = [
        ("[c]" if k else f"<{thr}") if s else f"{int(c):,}"
        for s, k, c in zip(small, complement, m["count_current"], strict=True)
    ]
    label = rate_label or ctx.rate_label
    m["tip_rate"] = [
        "withheld (small count)" if s else f"{r:.1f} {label} a year (95% CI {lo:.1f} to {hi:.1f})"
        for s, r, lo, hi in zip(small, m["rate"], m["rate_lower"], m["rate_upper"], strict=True)
    ]
    if "label_vs_last_year" in m:
        ly_small = (m["count_last_year"] > 0) & (m["count_last_year"] < thr)
        if "count_last_year" in mask:
            ly_small = ly_small | pd.Series(mask["count_last_year"].to_numpy()[at], index=m.index)
        m["tip_change"] = [
            "withheld (small count)"
            if (s or s2)
            else _change_text(p, lab) + f" vs {ctx.periods['last_year'].label}"
            for s, s2, p, lab in zip(
                small, ly_small, m["pct_vs_last_year"], m["label_vs_last_year"], strict=True
            )
        ]
    else:
        m["tip_change"] = "–"
    return m


def show_ward_map(
    ctx, wards: pd.DataFrame, title: str, rate_label: str | None = None, more: str = ""
) -> None:
    """Show the ward choropleth of a ward table's rates, made safe by :func:`ward_map_frame`.

    ``title`` names what is mapped and the period; ``rate_label`` the rate's unit when
    it is not the report's (e.g. per 1,000 residents aged 16+); ``more`` a sentence
    added to the caption.
    """
    from sa_lib.charts.svg_maps import svg_choropleth

    label = rate_label or ctx.rate_label
    caption = (
        "Hover over (or tap) a ward for its figures. Wards with fewer than the disclosure "
        "threshold are hatched."
    )
    show_svg(
        svg_choropleth(
            ward_map_frame(ctx, wards, rate_label=rate_label),
            "rate_shown",
            label_col="ward_name",
            tooltip_cols=WARD_TOOLTIPS,
            boundary=ctx.geo.boundary,
            title=title,
            legend_title=f"Crimes {label} a year",
        ),
        caption=f"{caption} {more}".strip(),
    )
