"""Violence: the Home Office subgroups from an extract, and recorded crime beside ambulance data.

police.uk reports "Violence and sexual offences" as one type; a force extract
breaks it into the ONS subgroups (violence with injury, without injury,
stalking and harassment, sexual offences, homicide). These helpers shape
extract rows so the shared summary, trend and change functions apply to them.

Examples
--------
>>> import pandas as pd
>>> ex = pd.DataFrame({"crime_type": ["Violence and sexual offences", "Public order"],
...                    "offence_subgroup": ["Violence with injury", None], "month": ["2025-01"] * 2})
>>> subgroup_rows(ex)["crime_type"].tolist()
['Violence with injury']
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sa_lib.themes.results import ThemeResult
from sa_lib.validation import require_columns

__all__ = [
    "VSO",
    "subgroup_rows",
    "SUBGROUP_ORDER",
    "recorded_vs_ambulance",
    "violence_tables",
    "finding_inputs",
    "build",
]

VSO = "Violence and sexual offences"
#: Subgroups in reading order (sexual offences combined for disclosure).
SUBGROUP_ORDER = [
    "Violence with injury",
    "Violence without injury",
    "Stalking and harassment",
    "Sexual offences",
    "Homicide",
]


def subgroup_rows(extract: pd.DataFrame, combine_sexual: bool = True) -> pd.DataFrame:
    """Violence rows of an extract with ``crime_type`` set to their subgroup.

    Parameters
    ----------
    extract : DataFrame
        Schema columns ``crime_type``, ``offence_subgroup``.
    combine_sexual : bool, default True
        Report rape and other sexual offences together as "Sexual offences" (small
        counts by subgroup are disclosive in a district).

    Returns
    -------
    DataFrame
        A copy of the violence rows; ``crime_type`` holds the subgroup.
    """
    require_columns(
        extract,
        ["crime_type", "offence_subgroup"],
        arg="extract",
        fix="load it with sa_lib.data.extract.load_extract",
    )
    v = extract[extract["crime_type"] == VSO].copy()
    sub = v["offence_subgroup"].astype("string")
    if combine_sexual:
        sub = sub.replace({"Rape": "Sexual offences", "Other sexual offences": "Sexual offences"})
    v["crime_type"] = sub.fillna("Subgroup not recorded")
    return v.reset_index(drop=True)


def recorded_vs_ambulance(
    rows: pd.DataFrame, ambulance: pd.DataFrame, lsoa_codes, months
) -> pd.DataFrame:
    """Monthly recorded crimes beside ambulance assault call-outs, for the CSP's LSOAs.

    Parameters
    ----------
    rows : DataFrame
        Recorded crimes (e.g. violence with injury) with ``month``.
    ambulance : DataFrame
        From :func:`sa_lib.data.partner_data.load_ambulance`.
    lsoa_codes : iterable of str
        The CSP's LSOAs (call-outs elsewhere are left out).
    months : sequence of "YYYY-MM"

    Returns
    -------
    DataFrame
        ``month``, ``month_start``, ``recorded``, ``ambulance`` (0 for months with none).
    """
    require_columns(rows, ["month"], arg="rows")
    require_columns(ambulance, ["lsoa21_code", "month", "assault_callouts"], arg="ambulance")
    months = list(months)
    rec = rows["month"].value_counts().reindex(months, fill_value=0)
    amb = ambulance[ambulance["lsoa21_code"].isin(list(lsoa_codes))]
    amb = amb.groupby("month")["assault_callouts"].sum().reindex(months, fill_value=0)
    out = pd.DataFrame({"month": months, "recorded": rec.to_numpy(), "ambulance": amb.to_numpy()})
    out.insert(1, "month_start", pd.PeriodIndex(out["month"], freq="M").to_timestamp())
    return out


def key_findings(
    change: pd.DataFrame | None,
    *,
    nte_share: float | None = None,
    premises: pd.DataFrame | None = None,
    divergence: dict | None = None,
    top_ward: pd.DataFrame | pd.Series | None = None,
    rate_label: str = "per 1,000 residents",
    suppress_below: int | None = None,
    max_changes: int = 5,
    comparison: str | None = None,
    as_findings: bool = False,
) -> list:
    """Plain-English key findings for the violence theme.

    Parameters
    ----------
    change : DataFrame or None
        :func:`sa_lib.stats.change.compare_counts` output with a ``label`` column.
    nte_share : float, optional
        Share of violence with injury on Friday and Saturday nights.
    premises : DataFrame, optional
        :func:`sa_lib.stats.nte.premises_comparison` output.
    divergence : dict, optional
        :func:`sa_lib.stats.corroboration.divergence_test` output.
    top_ward : DataFrame or Series, optional
        The ward :func:`sa_lib.themes.summary.area_summary` table: the top ward is named
        as "the highest" only when its interval is clear of the next ward's (otherwise
        "one of the highest, with ..."). A single row gets no ranking claim.

    Returns
    -------
    list of str, or of :class:`~sa_lib.themes.results.Finding` (with their structured
    fields) with ``as_findings``; ``comparison`` names the period the changes are
    read against.
    """
    from sa_lib.themes.findings import key_findings as change_findings
    from sa_lib.themes.results import Finding

    out: list = []
    if change is not None and len(change):
        out += change_findings(
            change,
            suppress_below=suppress_below,
            max_findings=max_changes,
            comparison=comparison,
            as_findings=True,
        )
    if nte_share is not None and nte_share == nte_share:
        # Fri 20:00-Sun 06:00 nights are 20 of the week's 168 hours (12%).
        out.append(
            Finding(
                f"{nte_share:.0%} of violence with injury happened on Friday and Saturday nights "
                f"(20:00 to 06:00), which are 12% of the hours in a week.",
                subject="Violence with injury",
                measure="weekend-night share",
                value=float(nte_share),
            )
        )
    if premises is not None:
        out.append(_premises_finding(premises))
    if divergence is not None:
        out.append(_divergence_finding(divergence))
    if isinstance(top_ward, pd.DataFrame):
        # The whole ward table: "the highest" only when the interval separates.
        from sa_lib.themes.findings import ranked_sentence

        first = top_ward.sort_values("rate", ascending=False).iloc[0] if len(top_ward) else None
        if first is not None and (
            suppress_below is None or first["count_current"] >= suppress_below
        ):
            out.append(
                Finding(
                    ranked_sentence(
                        top_ward,
                        "ward_name",
                        "rate of violence and sexual offences",
                        f"{rate_label} a year",
                        of_all=False,
                    ),
                    subject=str(first["ward_name"]),
                    measure="ward rate",
                )
            )
    elif top_ward is not None and (
        suppress_below is None or top_ward["count_current"] >= suppress_below
    ):
        # One row cannot show that its interval is clear of the next: no ranking claim.
        out.append(
            Finding(
                f"{top_ward['ward_name']} had a rate of violence and sexual offences of "
                f"{top_ward['rate']:.0f} {rate_label} a year (95% CI {top_ward['rate_lower']:.0f} to {top_ward['rate_upper']:.0f}).",
                subject=str(top_ward["ward_name"]),
                measure="ward rate",
            )
        )
    return out if as_findings else [f.text for f in out]


def _premises_finding(premises: pd.DataFrame):
    """Violence with injury near licensed premises against elsewhere, as a tested finding."""
    from sa_lib.themes.findings import format_p
    from sa_lib.themes.results import Finding

    r = premises.iloc[0]
    near_txt = str(r["zone"]).lower()
    sig = bool(r["significant"])
    text = (
        f"Violence with injury was {r['rate_ratio']:.1f} times as dense {near_txt} as elsewhere "
        f"per km² (95% CI {r['rr_lower']:.1f} to {r['rr_upper']:.1f}; {format_p(r['p_value'])})."
        if sig
        else f"Violence with injury was no denser {near_txt} than elsewhere once tested "
        f"({format_p(r['p_value'])})."
    )
    return Finding(
        text,
        subject=f"Violence with injury {near_txt}",
        measure="density",
        test="rate ratio",
        tested=True,
        significant=sig,
    )


def _divergence_finding(divergence: dict):
    """Recorded violence with injury against ambulance call-outs, as a tested finding."""
    from sa_lib.themes.findings import format_p
    from sa_lib.themes.results import Finding

    div = bool(divergence["diverging"])
    text = (
        f"Recorded violence with injury and ambulance assault call-outs diverge: "
        f"{divergence['direction']} ({format_p(divergence['p_value'])}); a change in recording "
        f"may explain part of any rise in recorded violence."
        if div
        else "Recorded violence with injury and ambulance assault call-outs move together "
        f"(no significant divergence, {format_p(divergence['p_value'])}; r = {divergence['correlation']:.2f}), "
        "which supports the recorded trend reflecting real harm."
    )
    return Finding(
        text,
        subject="Recorded violence against ambulance call-outs",
        measure="divergence",
        test="divergence",
        tested=True,
        significant=div,
    )


# --------------------------------------------------------------------------- the theme result

#: Why each extract-only measure is missing (said on the page, kept in ``availability``).
NO_SUBGROUPS = (
    "No force extract was given (data.extract), so violence cannot be split into violence with "
    "injury, without injury, stalking and harassment, sexual offences and homicide. police.uk "
    "publishes only the combined category."
)
NO_DAY_HOUR = (
    "police.uk gives months only; the day-of-week and hour analysis needs a force extract with "
    "committed times (data.extract)."
)
NO_PREMISES = (
    "The licensed-premises comparison needs the extract and a licensed premises file "
    "(data.licensed_premises)."
)
NO_PREMISES_NEARBY = (
    "None of the licensed premises in the premises file lies within {d:g} m of the area, so "
    "violence near licensed premises cannot be compared with violence elsewhere."
)
NO_EXTRACT_ROWS = (
    "The force extract holds no crimes in this area (it covers other areas), so {what} cannot "
    "be shown."
)
NO_POINTS = "No violence with injury with a location was recorded in {period}."
NO_HOTSPOTS = "Hotspots of violence with injury need the force extract's locations (data.extract)."
NO_AMBULANCE = (
    "Needs the force extract (violence with injury) and ambulance call-outs (data.ambulance)."
)
NO_VICTIMS = "Victim age and sex need the force extract (data.extract)."
#: The fewest months the recorded-against-ambulance divergence test reads.
MIN_DIVERGENCE_MONTHS = 6


@dataclass
class ViolenceData:
    """The frames the violence page is built from (``None`` where the data are not given)."""

    vso: pd.DataFrame
    vso_table: pd.DataFrame
    wards: pd.DataFrame
    sub: pd.DataFrame | None = None
    sub_table: pd.DataFrame | None = None
    vwi: pd.DataFrame | None = None
    change_table: pd.DataFrame | None = None
    day_hour: pd.DataFrame | None = None
    premises: pd.DataFrame | None = None
    near: pd.DataFrame | None = None
    rec_amb: pd.DataFrame | None = None
    divergence: dict | None = None
    monthly: pd.DataFrame | None = None
    short_series: int | None = None
    no_premises_nearby: bool = False
    #: An extract is given but holds no crimes in this CSP (it covers other areas).
    extract_empty: bool = False


def _stats(ctx) -> dict:
    s = ctx.stats
    return dict(
        rate_per=ctx.rate_per,
        conf_level=s.conf_level,
        alpha=s.alpha,
        correction=s.correction,
    )


def violence_tables(ctx) -> ViolenceData:
    """police.uk violence and, with an extract, its subgroups: summaries and ward table.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> violence_tables(open_context("parameters/huntingdonshire_2025q4.yaml", "violence")).vwi is None  # doctest: +SKIP
    False
    """
    from sa_lib.themes import summary

    st = _stats(ctx)
    ex = ctx.extract
    vso = ctx.crimes[ctx.crimes["crime_type"] == VSO]
    series = {"series_months": ctx.series_months}
    vso_table = summary.type_summary(
        vso, ctx.periods, ctx.geo.population, types=[VSO], total_label=None, **st, **series
    )
    wards = summary.area_summary(vso, ctx.geo.wards, ctx.periods, **st, **series)
    d = ViolenceData(vso=vso, vso_table=vso_table, wards=wards)
    d.extract_empty = ex is not None and ex.empty
    if ex is not None and not ex.empty:
        d.sub = subgroup_rows(ex)
        d.sub_table = summary.type_summary(
            d.sub, ctx.periods, ctx.geo.population, types=SUBGROUP_ORDER, total_label=None, **st
        )
        d.vwi = d.sub[d.sub["crime_type"] == "Violence with injury"]
    return d


def finding_inputs(ctx, d: ViolenceData) -> ViolenceData:
    """Add the change table, day/hour table, premises test and ambulance divergence to ``d``."""
    from sa_lib.data import geography, partner_data
    from sa_lib.stats import corroboration, nte
    from sa_lib.themes import report, summary

    alpha = ctx.stats.alpha
    base = d.sub_table if d.sub_table is not None else d.vso_table
    change = summary.change_table(
        base,
        "last_year" if "last_year" in ctx.periods else None,
        alpha=alpha,
        correction=ctx.stats.correction,
    )
    d.change_table = change[~change["label"].isin(report.withheld(base, ctx, key="last_year"))]
    vwi_now = ctx.in_period("current", d.vwi) if d.vwi is not None else None
    d.day_hour = nte.day_hour_table(vwi_now) if vwi_now is not None else None
    if ctx.path("licensed_premises"):
        d.premises = partner_data.load_premises(ctx.path("licensed_premises"))
    nearby = None
    if d.premises is not None:
        nearby = nte.premises_near_area(d.premises, ctx.geo.boundary, ctx.options.nte_distance_m)
        if nearby.empty:
            d.no_premises_nearby = True
    if vwi_now is not None and nearby is not None and not nearby.empty:
        d.near = nte.premises_comparison(
            geography.to_points(vwi_now),
            nearby,
            ctx.geo.boundary,
            ctx.options.nte_distance_m,
            alpha=alpha,
        )
    ambulance = (
        partner_data.load_ambulance(ctx.path("ambulance")) if ctx.path("ambulance") else None
    )
    if d.vwi is not None and ambulance is not None:
        # The extract's unbroken run of months ending at the period (a gap is never a zero).
        vwi = report.extract_series(ctx, d.vwi)
        rec_amb = recorded_vs_ambulance(
            vwi, ambulance, ctx.geo.lsoas["lsoa21_code"], sorted(set(vwi["month"]))
        )
        if len(rec_amb) >= MIN_DIVERGENCE_MONTHS:
            d.rec_amb = rec_amb
            d.divergence = corroboration.divergence_test(
                rec_amb, "month_start", "recorded", "ambulance", alpha=alpha
            )
        else:
            d.short_series = len(rec_amb)
    return d


def weekend_night_share(d: ViolenceData) -> float | None:
    """Share of violence with injury in the period on Friday and Saturday nights (None without an extract)."""
    from sa_lib.stats import nte

    return nte.weekend_night_share(d.day_hour) if d.day_hour is not None else None


def build(ctx) -> ThemeResult:
    """Compute the violence page once: every section, finding and table.

    Sections: ``header``, ``findings``, ``volume``, ``trends``, ``nte``, ``hotspots``,
    ``ambulance``, ``wards``, ``victims``, ``methods``. It runs on police.uk alone:
    each measure that needs the force extract or a partner file (``subgroups``,
    ``day and hour``, ``licensed premises``, ``hot spots of violence with injury``,
    ``ambulance corroboration``, ``victims``) is then in ``availability`` with its
    reason, and said on the page in its section. ``data`` holds ``type_table``,
    ``subgroup_table``, ``ward_table``, ``change_table``, ``monthly`` and
    ``weekend_night_share`` for the summary.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "violence"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'findings', 'volume']
    """
    from sa_lib.themes import report

    r = report.new_result(ctx, "violence", "Violence")
    r.synthetic = "page" if ctx.extract_synthetic else "none"
    with r.section("header"):
        report.show_header(ctx, "Violence", synthetic=ctx.extract_synthetic)
        d = violence_tables(ctx)  # its warnings show under the header, as the notebook's did
    with r.section("findings"):
        finding_inputs(ctx, d)
        report.show_findings(
            key_findings(
                d.change_table,
                nte_share=weekend_night_share(d),
                premises=d.near,
                divergence=d.divergence,
                top_ward=report.shown_wards(d.wards, ctx),
                rate_label=ctx.rate_label,
                suppress_below=ctx.disclosure.threshold,
                comparison=ctx.periods["last_year"].label if "last_year" in ctx.periods else None,
                as_findings=True,
            )
        )
    _volume_section(r, ctx, d)
    _trend_section(r, ctx, d)
    _nte_section(r, ctx, d)
    _hotspot_section(r, ctx, d)
    _ambulance_section(r, ctx, d)
    _ward_section(r, ctx, d)
    _victim_section(r, ctx, d)
    with r.section("methods"):
        report.show_methods(ctx)
    r.data.update(
        type_table=d.vso_table,
        subgroup_table=d.sub_table,
        ward_table=d.wards,
        change_table=d.change_table,
        monthly=d.monthly,
        weekend_night_share=weekend_night_share(d),
    )
    return r


def _volume_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.themes import report

    with r.section("volume"):
        report.show_summary(d.vso_table, ctx, caption="Violence and sexual offences (police.uk)")
        if d.sub_table is None:
            r.unavailable("subgroups", _why(d, NO_SUBGROUPS, "the subgroups"), note=True)
        else:
            report.show_summary(
                d.sub_table,
                ctx,
                label="Subgroup",
                caption="Violence by Home Office subgroup (force extract)",
            )


def _series(ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``df`` in the unbroken run of held months ending at the period.

    police.uk rows use the store's run (``ctx.series``); extract rows the extract's own
    (:func:`sa_lib.themes.report.extract_series`), so a month it lacks is never a zero.
    """
    from sa_lib.themes import report

    if "offence_subgroup" in df:
        return report.extract_series(ctx, df)
    return ctx.series(df)


def _trend_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.charts.monthly import plot_monthly_trends
    from sa_lib.charts.spc import plot_xmr
    from sa_lib.data import counts
    from sa_lib.themes import report

    with r.section("trends"):
        rows = d.sub if d.sub is not None else d.vso
        d.monthly = counts.monthly_counts(_series(ctx, rows), by="crime_type")
        trend_types = SUBGROUP_ORDER[:4] if d.sub is not None else [VSO]
        if ctx.series_note:
            report.note(ctx.series_note)
        plot_monthly_trends(
            d.monthly,
            trend_types,
            ctx.annotations,
            ctx.period,
            suppress_below=ctx.disclosure.threshold,
        )
        report.show_breaks(
            ctx.annotations, d.monthly["month_start"].min(), d.monthly["month_start"].max()
        )
        rows = d.vwi if d.vwi is not None else d.vso
        series = counts.monthly_counts(_series(ctx, rows), by=None)
        name = "Violence with injury" if d.vwi is not None else VSO
        chart = report.xmr_or_none(series, ctx.annotations, VSO)
        if chart is None:
            r.unavailable("control chart", report.spc_unavailable(len(series)), note=True)
            return
        plot_xmr(chart, title=f"{name}: monthly XmR chart", ylabel="Crimes per month")
        report.show_spc_summary(chart, name, threshold=ctx.disclosure.threshold)


def _why(d: ViolenceData, reason: str, what: str) -> str:
    """Why a measure from the extract is missing: ``reason``, or that the extract has no rows here."""
    return NO_EXTRACT_ROWS.format(what=what) if d.extract_empty else reason


def _nte_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.charts.nte import plot_day_hour
    from sa_lib.stats import nte
    from sa_lib.themes import report

    thr = ctx.disclosure.threshold
    with r.section("nte"):
        if d.day_hour is None:
            r.unavailable("day and hour", _why(d, NO_DAY_HOUR, "the day and hour"), note=True)
        else:
            plot_day_hour(
                nte.day_hour_table(ctx.last_months(12, d.vwi), hours_per_block=3),
                title="Violence with injury by day and time of day, last 12 months "
                "(force extract, 3-hour blocks)",
                suppress_below=thr,
            )
        if d.near is None:
            why = NO_PREMISES_NEARBY if d.no_premises_nearby else NO_PREMISES
            why = _why(d, why, "violence near licensed premises")
            r.unavailable("licensed premises", why.format(d=ctx.options.nte_distance_m), note=True)
        else:
            report.show_table(
                report.premises_display(d.near),
                count_cols=["Crimes"],
                threshold=thr,
                secondary=False,
                derived={"Per km²": ["Crimes"]},
                caption=f"Violence with injury near licensed premises, {ctx.period.label}",
            )


def _hotspot_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.charts.hotspot_maps import plot_hotspots
    from sa_lib.charts.maps import add_points
    from sa_lib.data import geography, partner_data
    from sa_lib.spatial import grids, hotspots

    with r.section("hotspots"):
        if d.vwi is None:
            why = _why(d, NO_HOTSPOTS, "hot spots of violence with injury")
            r.unavailable("hot spots of violence with injury", why, note=True)
            return
        points = geography.to_points(ctx.in_period("current", d.vwi))
        if points.empty:
            why = NO_POINTS.format(period=ctx.period.label)
            r.unavailable("hot spots of violence with injury", why, note=True)
            return
        grid = grids.make_grid(ctx.geo.boundary, cell_size=ctx.options.cell_size)
        cells = grids.count_points(points, grid, "cell_id")
        gi = hotspots.gi_star(
            cells,
            "count",
            alpha=ctx.stats.alpha,
            correction=ctx.stats.correction,
            seed=ctx.stats.seed,
        )
        fig = plot_hotspots(
            gi,
            ctx.geo.boundary,
            ctx.geo.wards,
            title=f"Hot spots of violence with injury, {ctx.period.label}",
        )
        if d.premises is not None:
            synthetic = " (synthetic)" if partner_data.is_synthetic(d.premises) else ""
            add_points(fig.axes[0], d.premises, "Licensed premises" + synthetic)


def _ambulance_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.charts.corroboration import plot_indexed
    from sa_lib.themes import report
    from sa_lib.themes.findings import format_p

    with r.section("ambulance"):
        if d.short_series is not None:
            r.unavailable(
                "ambulance corroboration",
                f"Ambulance corroboration: not available: the data hold {d.short_series} unbroken "
                f"month(s) up to the end of the period, and the divergence test needs at least "
                f"{MIN_DIVERGENCE_MONTHS}.",
                note=True,
            )
            return
        if d.rec_amb is None:
            why = _why(d, NO_AMBULANCE, "the ambulance corroboration")
            r.unavailable("ambulance corroboration", why, note=True)
            return
        v = d.divergence
        report.show_findings(
            [
                v["direction"].capitalize()
                + f": odds of recorded to call-outs change by a factor {v['odds_ratio_per_year']:.2f} "
                f"a year (95% CI {v['or_lower']:.2f} to {v['or_upper']:.2f}), {format_p(v['p_value'])}; "
                f"monthly correlation r = {v['correlation']:.2f}."
            ]
        )
        plot_indexed(
            d.rec_amb,
            "month_start",
            {
                "Recorded violence with injury": "recorded",
                "Ambulance assault call-outs": "ambulance",
            },
            title="Recorded violence with injury and ambulance call-outs (index)",
        )


def _ward_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
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
            caption=f"Top wards by rate of violence and sexual offences, {label} (police.uk; "
            f"wards with fewer than {ctx.disclosure.threshold} crimes are not ranked)",
        )
        report.show_ward_map(
            ctx, d.wards, f"Violence and sexual offences by ward, {label} (police.uk)"
        )


def _victim_section(r: ThemeResult, ctx, d: ViolenceData) -> None:
    from sa_lib.stats import profiles
    from sa_lib.themes import report

    with r.section("victims"):
        if d.sub is None:
            r.unavailable("victims", _why(d, NO_VICTIMS, "victims' age and sex"), note=True)
        else:
            report.show_age_sex(
                profiles.age_sex_table(ctx.in_period("current", d.sub)),
                ctx,
                f"Victims of violence by age and sex, {ctx.period.label}",
            )
