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

import numpy as np
import pandas as pd

from sa_lib.data.periods import Period
from sa_lib.stats.rates import proportion_ci
from sa_lib.validation import require_columns

__all__ = ["CATEGORIES", "da_rows", "share_of_violence", "daily_counts"]

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
) -> list[str]:
    """Key findings for the domestic-abuse theme; no count below ``suppress_below`` is quoted.

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
        change = ""
        if (
            "label_vs_last_year" in summary
            and pd.notna(pct)
            and r["count_last_year"] >= suppress_below
        ):
            sig = str(r["label_vs_last_year"]).startswith("significant")
            change = f"; {abs(pct):.0f}% {'higher' if pct > 0 else 'lower'} than a year earlier" + (
                f" (a significant change, {format_p(r['p_vs_last_year'])})"
                if sig
                else ", within normal variation"
            )
        out.append(
            f"{int(r['count_current']):,} domestic abuse crimes were recorded, {r['rate']:.1f} {rate_label} a year "
            f"(95% CI {r['rate_lower']:.1f} to {r['rate_upper']:.1f}){change}."
        )
    cur = share[share["period"] == "current"].iloc[0]
    if cur["violence"] >= suppress_below and cur["da_violence"] >= suppress_below:
        out.append(
            f"{cur['proportion']:.0%} of violence and sexual offences were flagged as domestic abuse "
            f"(95% CI {cur['proportion_lower']:.0%} to {cur['proportion_upper']:.0%})."
        )
    vic = repeat[repeat["measure"] == "victims"]
    if (
        len(vic)
        and vic["repeats"].iloc[0] >= suppress_below
        and vic["total"].iloc[0] >= suppress_below
    ):
        v = vic.iloc[0]
        out.append(
            f"{v['proportion']:.0%} of victims in the period were repeat victims (another domestic abuse crime "
            f"within {window_days} days before; 95% CI {v['proportion_lower']:.0%} to {v['proportion_upper']:.0%})."
        )
    if events is not None and len(events):
        sig = events[events["significant"]]
        if len(sig):
            names = ", ".join(sig["event"])
            out.append(
                f"Significantly different levels on event days (after controlling for weekday and season): {names}."
            )
        else:
            out.append(
                "No event in the events table showed a significant change in domestic abuse once weekday, "
                "month and year were controlled for."
            )
    return out
