"""Domestic abuse: flagged crimes, their offence mix, share of violence and daily counts.

Domestic abuse is flagged in force extracts (the ``domestic_abuse`` column of the
extract schema): the Home Office definition covers victims aged 16 and over
who are personally connected to the perpetrator, so rates use residents aged 16+
as the denominator. Repeat victimisation is in :mod:`sa_lib.stats.repeat_victims`.

Examples
--------
>>> import pandas as pd
>>> ex = pd.DataFrame({"domestic_abuse": [True, False, True],
...     "crime_type": ["Violence and sexual offences", "Violence and sexual offences", "Criminal damage and arson"],
...     "offence_subgroup": ["Violence with injury", "Violence with injury", None]})
>>> da_rows(ex)["da_category"].tolist()
['Violence with injury', 'Criminal damage and arson']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sa_lib.data.periods import Period
from sa_lib.stats.rates import proportion_ci
from sa_lib.themes.results import Finding, ThemeResult
from sa_lib.validation import require_columns

__all__ = ["CATEGORIES", "da_rows", "share_of_violence", "daily_counts", "da_tables", "build"]

VSO = "Violence and sexual offences"
#: Offence mix categories in reading order.
CATEGORIES = [
    "Violence with injury",
    "Violence without injury",
    "Stalking and harassment",
    "Sexual offences",
    "Criminal damage and arson",
    "Public order",
    "Other",
]


def da_rows(extract: pd.DataFrame) -> pd.DataFrame:
    """The domestic-abuse-flagged rows, with ``da_category`` for the offence mix.

    Violence rows take their ONS subgroup (rape and other sexual offences combined
    as "Sexual offences", homicide under "Other" because it is too rare to show);
    other rows take their police.uk type if it is criminal damage or public
    order, else "Other".

    Returns
    -------
    DataFrame
        A copy of the flagged rows with ``da_category``.
    """
    require_columns(
        extract,
        ["domestic_abuse", "crime_type", "offence_subgroup"],
        arg="extract",
        fix="load a force extract with sa_lib.data.extract.load_extract (the flag is required there)",
    )
    d = extract[extract["domestic_abuse"].fillna(False).astype(bool)].copy()
    sub = (
        d["offence_subgroup"]
        .astype("string")
        .replace({"Rape": "Sexual offences", "Other sexual offences": "Sexual offences"})
    )
    cat = np.where(d["crime_type"] == VSO, sub.fillna("Other"), d["crime_type"].astype("string"))
    d["da_category"] = pd.Series(cat, index=d.index).where(lambda s: s.isin(CATEGORIES), "Other")
    return d.reset_index(drop=True)


def share_of_violence(
    extract: pd.DataFrame, periods: dict[str, Period], conf_level: float = 0.95
) -> pd.DataFrame:
    """Share of violence and sexual offences flagged domestic abuse, per period, with Wilson CIs.

    Returns
    -------
    DataFrame
        ``period`` (key), ``label``, ``da_violence``, ``violence``, ``proportion``,
        ``proportion_lower``, ``proportion_upper``.
    """
    require_columns(extract, ["domestic_abuse", "crime_type", "month"], arg="extract")
    v = extract[extract["crime_type"] == VSO]
    rows = []
    for key, p in periods.items():
        sel = v[v["month"].isin(p.months)]
        rows.append(
            {
                "period": key,
                "label": p.label,
                "da_violence": int(sel["domestic_abuse"].fillna(False).astype(bool).sum()),
                "violence": len(sel),
            }
        )
    out = pd.DataFrame(rows)
    return proportion_ci(out, "da_violence", "violence", conf_level=conf_level)


def daily_counts(rows: pd.DataFrame, start, end, date_col: str = "committed_from") -> pd.DataFrame:
    """Crimes per day from ``start`` to ``end`` inclusive (days with none are 0).

    Returns
    -------
    DataFrame
        ``date``, ``count``.
    """
    require_columns(rows, [date_col], arg="rows")
    days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D")
    d = pd.to_datetime(rows[date_col]).dt.normalize().value_counts()
    return pd.DataFrame(
        {"date": days, "count": d.reindex(days, fill_value=0).to_numpy().astype("int64")}
    )


def key_findings(
    summary: pd.DataFrame,
    share: pd.DataFrame,
    repeat: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    rate_label: str,
    window_days: int,
    suppress_below: int,
    withheld: set | None = None,
    as_findings: bool = False,
) -> list:
    """Key findings for the domestic-abuse theme; no count below ``suppress_below`` is quoted.

    With ``as_findings``, :class:`~sa_lib.themes.results.Finding` objects with their
    structured fields (``tested``, ``significant``, ``direction``, ...) filled.

    Parameters
    ----------
    summary : DataFrame
        :func:`sa_lib.themes.summary.type_summary` of DA crimes (one row, label "Domestic abuse").
    share : DataFrame
        :func:`share_of_violence`.
    repeat : DataFrame
        :func:`sa_lib.stats.repeat_victims.repeat_rate` for the current period.
    events : DataFrame or None
        :func:`sa_lib.stats.events.event_effects`.
    withheld : set, optional
        Labels whose counts are secondary-suppressed (:func:`sa_lib.themes.report.withheld`).
    """
    from sa_lib.themes.findings import format_p

    out = []
    r = summary.iloc[0]
    if not (withheld and r["crime_type"] in withheld) and r["count_current"] >= suppress_below:
        pct = r.get("pct_vs_last_year")
        change, sig, tested = "", None, None
        if (
            "label_vs_last_year" in summary
            and pd.notna(pct)
            and r["count_last_year"] >= suppress_below
        ):
            sig, tested = str(r["label_vs_last_year"]).startswith("significant"), True
            change = f"; {abs(pct):.0f}% {'higher' if pct > 0 else 'lower'} than a year earlier" + (
                f" (a significant change, {format_p(r['p_vs_last_year'])})"
                if sig
                else ", within normal variation"
            )
        up = pd.notna(pct) and pct > 0
        out.append(
            Finding(
                f"{int(r['count_current']):,} domestic abuse crimes were recorded, {r['rate']:.1f} {rate_label} a year "
                f"(95% CI {r['rate_lower']:.1f} to {r['rate_upper']:.1f}){change}.",
                subject="Domestic abuse",
                measure="crimes",
                comparison="a year earlier" if tested else None,
                tested=tested,
                significant=sig,
                direction=(("increase" if up else "decrease") if sig else "none")
                if tested
                else None,
            )
        )
    cur = share[share["period"] == "current"].iloc[0]
    if cur["violence"] >= suppress_below and cur["da_violence"] >= suppress_below:
        out.append(
            Finding(
                f"{cur['proportion']:.0%} of violence and sexual offences were flagged as domestic abuse "
                f"(95% CI {cur['proportion_lower']:.0%} to {cur['proportion_upper']:.0%}).",
                subject="Domestic abuse",
                measure="share of violence and sexual offences",
                value=float(cur["proportion"]),
            )
        )
    vic = repeat[repeat["measure"] == "victims"]
    if (
        len(vic)
        and vic["repeats"].iloc[0] >= suppress_below
        and vic["total"].iloc[0] >= suppress_below
    ):
        v = vic.iloc[0]
        out.append(
            Finding(
                f"{v['proportion']:.0%} of victims in the period were repeat victims (another domestic abuse crime "
                f"within {window_days} days before; 95% CI {v['proportion_lower']:.0%} to {v['proportion_upper']:.0%}).",
                subject="Domestic abuse",
                measure="repeat-victim share",
                value=float(v["proportion"]),
            )
        )
    if events is not None and len(events):
        sig = events[events["significant"]]
        text = (
            "Significantly different levels on event days (after controlling for weekday and "
            f"season): {', '.join(sig['event'])}."
            if len(sig)
            else "No event in the events table showed a significant change in domestic abuse "
            "once weekday, month and year were controlled for."
        )
        out.append(
            Finding(
                text,
                subject="Domestic abuse on event days",
                measure="event effect",
                test="event-day model",
                tested=True,
                significant=bool(len(sig)),
            )
        )
    return out if as_findings else [f.text for f in out]


# --------------------------------------------------------------------------- the theme result

NO_EVENTS = "No events table was given (data.events), so event effects are not tested."


@dataclass
class DomesticAbuseData:
    """The frames the domestic-abuse page is built from."""

    da: pd.DataFrame
    summary: pd.DataFrame
    mix: pd.DataFrame
    share: pd.DataFrame
    repeat: pd.DataFrame
    repeat_trend: pd.DataFrame
    gaps: pd.DataFrame
    wards: pd.DataFrame
    effects: pd.DataFrame | None
    rate_label: str
    window: int


def da_tables(ctx) -> DomesticAbuseData:
    """Every table of the domestic-abuse page, from the force extract (which it requires).

    Raises
    ------
    ValueError
        When no force extract is set (the theme says nothing without one).

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> da_tables(open_context("parameters/huntingdonshire_2025q4.yaml", "domestic_abuse")).window  # doctest: +SKIP
    365
    """
    from sa_lib.stats import events, repeat_victims
    from sa_lib.themes import report, summary

    ex = report.require_extract(ctx, "The domestic-abuse theme")
    s = ctx.stats
    # The summary's domestic-abuse measure's settings (assessment.stats_kwargs): changes
    # allow for each series' overdispersion, so the page and the summary agree.
    st = dict(
        rate_per=ctx.rate_per,
        conf_level=s.conf_level,
        alpha=s.alpha,
        correction=s.correction,
        series_months=ctx.series_months,
    )
    pop16 = ctx.geo.population_16plus
    window = ctx.options.repeat_window_days
    da = da_rows(ex)
    totals = summary.type_summary(
        da.assign(crime_type="Domestic abuse"),
        ctx.periods,
        pop16,
        types=["Domestic abuse"],
        total_label=None,
        **st,
    )
    mix = summary.type_summary(
        da.assign(crime_type=da["da_category"]),
        ctx.periods,
        pop16,
        types=CATEGORIES,
        total_label=None,
        **st,
    )
    share = share_of_violence(ex, ctx.periods, conf_level=s.conf_level)
    start, end = ctx.period.start.start_time, ctx.period.end.end_time
    rv = dict(date_col="recorded_date", data_start=report.extract_start(ex))
    repeat = repeat_victims.repeat_rate(da, start, end, window_days=window, alpha=s.alpha, **rv)
    trend = repeat_victims.repeat_trend(da, "Q", window_days=window, alpha=s.alpha, **rv)
    gaps = repeat_victims.time_to_repeat(da, period_start=start, period_end=end, **rv)
    ward_geo = ctx.geo.wards.assign(population=ctx.geo.wards["population_16plus"])
    wards = summary.area_summary(da, ward_geo, ctx.periods, **st)
    event_table = events.load_events(ctx.path("events")) if ctx.path("events") else None
    effects = None
    if event_table is not None:
        daily = daily_counts(da, da["committed_from"].min(), end)
        effects = events.event_effects(
            daily, event_table, alpha=s.alpha, correction=ctx.options.event_correction
        )
    return DomesticAbuseData(
        da=da,
        summary=totals,
        mix=mix,
        share=share,
        repeat=repeat,
        repeat_trend=trend,
        gaps=gaps,
        wards=wards,
        effects=effects,
        rate_label=f"per {ctx.rate_per:,} residents aged 16+",
        window=window,
    )


def build(ctx) -> ThemeResult:
    """Compute the domestic-abuse page once: every section, finding and table.

    Sections: ``header``, ``findings``, ``volume``, ``repeat``, ``victims``, ``when``,
    ``wards``, ``methods``. Without a force extract it raises ``ValueError`` (from
    :func:`sa_lib.themes.report.require_extract`) rather than publish an empty page;
    without an events table, ``event effects`` is in ``availability`` with its
    reason. ``data`` holds ``summary``, ``mix``, ``share``, ``repeat`` (repeat victims
    and crimes in the period), ``repeat_trend``, ``time_to_repeat``, ``ward_table``
    and ``event_effects`` for the summary.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "domestic_abuse"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'findings', 'volume']
    """
    from sa_lib.themes import report

    report.require_extract(ctx, "The domestic-abuse theme")
    r = report.new_result(ctx, "domestic_abuse", "Domestic abuse")
    r.synthetic = "page" if ctx.extract_synthetic else "none"
    with r.section("header"):
        report.show_header(ctx, "Domestic abuse", synthetic=ctx.extract_synthetic)
        d = da_tables(ctx)  # its warnings show under the header, as the notebook's did
    summary = d.summary
    # Months the extract lacks are not months of no domestic abuse.
    no_year = "last_year" in ctx.periods and not report.extract_holds(ctx, "last_year")
    if no_year:
        summary = summary.assign(pct_vs_last_year=np.nan)
    with r.section("findings"):
        if no_year:
            r.unavailable(
                "change on a year earlier",
                f"The change on {ctx.periods['last_year'].label} is not available: the force "
                "extract does not hold every month of it.",
                note=True,
            )
        report.show_findings(
            key_findings(
                summary,
                d.share,
                d.repeat,
                d.effects,
                rate_label=d.rate_label,
                window_days=d.window,
                suppress_below=ctx.disclosure.threshold,
                withheld=report.withheld(d.summary, ctx, key="last_year"),
                as_findings=True,
            )
        )
    _volume_section(r, ctx, d)
    _repeat_section(r, ctx, d)
    _victim_section(r, ctx, d)
    _when_section(r, ctx, d)
    _ward_section(r, ctx, d)
    with r.section("methods"):
        report.show_methods(ctx)
    r.data.update(
        summary=d.summary,
        mix=d.mix,
        share=d.share,
        repeat=d.repeat,
        repeat_trend=d.repeat_trend,
        time_to_repeat=d.gaps,
        ward_table=d.wards,
        event_effects=d.effects,
    )
    return r


def _volume_section(r: ThemeResult, ctx, d: DomesticAbuseData) -> None:
    from sa_lib.charts.monthly import plot_monthly_trends
    from sa_lib.charts.spc import plot_xmr
    from sa_lib.data import counts
    from sa_lib.themes import report

    thr = ctx.disclosure.threshold
    with r.section("volume"):
        report.show_summary(
            d.summary, ctx, rate_label=d.rate_label, caption="Domestic abuse crimes"
        )
        report.show_share(
            d.share,
            ctx,
            "da_violence",
            "violence",
            "Domestic abuse violence",
            "Share of violence and sexual offences flagged as domestic abuse",
        )
        # The extract's unbroken run of months ending at the period: a gap is never a zero.
        da = report.extract_series(ctx, d.da)
        monthly = counts.monthly_counts(da.assign(crime_type="Domestic abuse"), by="crime_type")
        plot_monthly_trends(
            monthly, ["Domestic abuse"], ctx.annotations, ctx.period, ncols=1, suppress_below=thr
        )
        total = counts.monthly_counts(da, by=None)
        chart = report.xmr_or_none(total, None, "Domestic abuse")
        if chart is None:
            r.unavailable("control chart", report.spc_unavailable(len(total)), note=True)
            return
        plot_xmr(chart, title="Domestic abuse crimes: monthly XmR chart", ylabel="Crimes per month")
        report.show_spc_summary(chart, "Domestic abuse crimes", threshold=thr)


def _repeat_section(r: ThemeResult, ctx, d: DomesticAbuseData) -> None:
    from sa_lib.charts.repeat_victims import plot_repeat_trend
    from sa_lib.themes import report

    thr = ctx.disclosure.threshold
    measured = ["Repeat crimes measured"]
    with r.section("repeat"):
        report.show_share(
            d.repeat.assign(label=d.repeat["measure"].str.capitalize()),
            ctx,
            "repeats",
            "total",
            "Repeats",
            f"Repeat victimisation, {ctx.period.label}",
        )
        plot_repeat_trend(d.repeat_trend, suppress_below=thr)
        report.show_table(
            report.gaps_display(d.gaps),
            count_cols=measured,
            threshold=thr,
            secondary=False,
            derived={
                c: measured
                for c in ("Median days", "Middle half (days)", "Within 30 days", "Within 90 days")
            },
            caption="Time from one domestic abuse crime to the victim's next",
        )


def _victim_section(r: ThemeResult, ctx, d: DomesticAbuseData) -> None:
    from sa_lib.stats import profiles
    from sa_lib.themes import report

    with r.section("victims"):
        report.show_age_sex(
            profiles.age_sex_table(ctx.in_period("current", d.da)),
            ctx,
            f"Victims of domestic abuse by age and sex, {ctx.period.label}",
        )
        report.show_summary(
            d.mix,
            ctx,
            label="Offence",
            rate_label=d.rate_label,
            caption="Domestic abuse by offence",
        )


def _when_section(r: ThemeResult, ctx, d: DomesticAbuseData) -> None:
    from sa_lib.charts.nte import plot_day_hour
    from sa_lib.stats import nte
    from sa_lib.themes import report

    with r.section("when"):
        plot_day_hour(
            nte.day_hour_table(ctx.last_months(12, d.da), hours_per_block=3),
            title="Domestic abuse by day and time of day, last 12 months",
            suppress_below=ctx.disclosure.threshold,
        )
        if d.effects is None:
            r.unavailable("event effects", NO_EVENTS, note=True)
        else:
            report.show_events(
                d.effects, ctx, "Domestic abuse on event days against comparable days"
            )


def _ward_section(r: ThemeResult, ctx, d: DomesticAbuseData) -> None:
    from sa_lib.themes import report

    label = ctx.period.label
    with r.section("wards"):
        # In rate order among the wards whose counts are shown (a withheld ward is not
        # ranked: its place would bound its count).
        report.show_summary(
            report.top_ranked(d.wards, ctx, 10),
            ctx,
            full=d.wards,
            label_col="ward_name",
            label="Ward",
            rate_label=d.rate_label,
            caption=f"Top wards by domestic abuse rate, {label} "
            f"(wards with fewer than {ctx.disclosure.threshold} crimes are not ranked)",
        )
        report.show_ward_map(
            ctx, d.wards, f"Domestic abuse by ward, {label}", rate_label=d.rate_label
        )
