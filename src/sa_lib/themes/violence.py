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

import pandas as pd

from sa_lib.validation import require_columns

__all__ = ["VSO", "subgroup_rows", "SUBGROUP_ORDER", "recorded_vs_ambulance"]

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
) -> list[str]:
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
    list of str
    """
    from sa_lib.themes.findings import format_p
    from sa_lib.themes.findings import key_findings as change_findings

    out: list[str] = []
    if change is not None and len(change):
        out += change_findings(change, suppress_below=suppress_below, max_findings=max_changes)
    if nte_share is not None and nte_share == nte_share:
        # Fri 20:00-Sun 06:00 nights are 20 of the week's 168 hours (12%).
        out.append(
            f"{nte_share:.0%} of violence with injury happened on Friday and Saturday nights "
            f"(20:00 to 06:00), which are 12% of the hours in a week."
        )
    if premises is not None:
        r = premises.iloc[0]
        near_txt = str(r["zone"]).lower()
        if bool(r["significant"]):
            out.append(
                f"Violence with injury was {r['rate_ratio']:.1f} times as dense {near_txt} as elsewhere "
                f"per km² (95% CI {r['rr_lower']:.1f} to {r['rr_upper']:.1f}; {format_p(r['p_value'])})."
            )
        else:
            out.append(
                f"Violence with injury was no denser {near_txt} than elsewhere once tested "
                f"({format_p(r['p_value'])})."
            )
    if divergence is not None:
        if divergence["diverging"]:
            out.append(
                f"Recorded violence with injury and ambulance assault call-outs diverge: "
                f"{divergence['direction']} ({format_p(divergence['p_value'])}); a change in recording "
                f"may explain part of any rise in recorded violence."
            )
        else:
            out.append(
                "Recorded violence with injury and ambulance assault call-outs move together "
                f"(no significant divergence, {format_p(divergence['p_value'])}; r = {divergence['correlation']:.2f}), "
                "which supports the recorded trend reflecting real harm."
            )
    if isinstance(top_ward, pd.DataFrame):
        # The whole ward table: "the highest" only when the interval separates.
        from sa_lib.themes.findings import ranked_sentence

        first = top_ward.sort_values("rate", ascending=False).iloc[0] if len(top_ward) else None
        if first is not None and (
            suppress_below is None or first["count_current"] >= suppress_below
        ):
            out.append(
                ranked_sentence(
                    top_ward,
                    "ward_name",
                    "rate of violence and sexual offences",
                    f"{rate_label} a year",
                    of_all=False,
                )
            )
    elif top_ward is not None and (
        suppress_below is None or top_ward["count_current"] >= suppress_below
    ):
        # One row cannot show that its interval is clear of the next: no ranking claim.
        out.append(
            f"{top_ward['ward_name']} had a rate of violence and sexual offences of "
            f"{top_ward['rate']:.0f} {rate_label} a year (95% CI {top_ward['rate_lower']:.0f} to {top_ward['rate_upper']:.0f})."
        )
    return out
