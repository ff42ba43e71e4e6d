"""One SPC summary across every indicator: NHS "Making Data Count" variation and assurance.

For each crime type (and all crime excluding ASB) an XmR chart of the monthly counts
(:func:`sa_lib.stats.spc.xmr`) gives the **variation** of the latest month: common
cause, or special cause high or low (for crime, high is a concern and low an
improvement). Where a reduction target exists (``targets`` or ``priorities`` in the
parameters) the **assurance** compares the monthly target with the process limits:
below the lower limit the process will miss it every month, above the upper limit it
will meet it every month, between them it may meet it (hit and miss).

Each icon is a letter in a coloured circle, as in the NHS icons, with its meaning in
words beside it (the words are the text equivalent; colour is never the only cue).

Examples
--------
>>> assurance(target=80.0, lower=90.0, upper=120.0)
'will miss'
>>> assurance(target=130.0, lower=90.0, upper=120.0)
'will meet'
>>> variation({"special_cause": True, "direction": "high"})
'special cause: concern (high)'
"""

from __future__ import annotations

import pandas as pd

__all__ = ["assurance", "variation", "spc_summary", "spc_display", "ICONS"]

ASB = "Anti-social behaviour"
ALL = "All crime (excluding ASB)"

#: Icon letter, colour and words for each state (NHS Making Data Count).
ICONS = {
    "common cause": ("~", "#d9d9d9", "Common cause: no significant change"),
    "special cause: concern (high)": ("H", "#fbd6a6", "Special cause of concern: high"),
    "special cause: improvement (low)": ("L", "#c6dcef", "Special cause of improvement: low"),
    "will meet": ("P", "#c6dcef", "Will meet the target every month (passes)"),
    "will miss": ("F", "#fbd6a6", "Will miss the target every month (fails)"),
    "may meet": ("?", "#d9d9d9", "May meet the target (hit and miss)"),
    "no target": ("", "", "No target set"),
    "not enough months": ("", "", "Not enough months for an SPC chart"),
}
#: Suffix of a partner indicator's row (as in the priority matrix).
PARTNER = " (partner data)"


def variation(latest: dict) -> str:
    """The variation of the latest point of an XmR chart (for crime, high is a concern)."""
    if not latest.get("special_cause"):
        return "common cause"
    if latest.get("direction") == "high":
        return "special cause: concern (high)"
    return "special cause: improvement (low)"


def assurance(target: float, lower: float, upper: float) -> str:
    """Whether a monthly reduction ``target`` is met by a process within ``lower``..``upper``."""
    if target < lower:
        return "will miss"
    if target > upper:
        return "will meet"
    return "may meet"


def _targets(params) -> dict[str, dict]:
    out = {}
    for t in [*params.targets, *params.priorities]:
        out.setdefault(t.crime_type, t)
    return out


def _series(monthly: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == ALL:
        d = monthly[monthly["crime_type"] != ASB]
    else:
        d = monthly[monthly["crime_type"] == name]
    return d.groupby("month_start", as_index=False)["count"].sum()


def spc_summary(
    monthly: pd.DataFrame, params, end_month: str, partner: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Variation and assurance for every indicator, from monthly counts up to ``end_month``.

    Parameters
    ----------
    monthly : DataFrame
        ``month_start``, ``crime_type``, ``count`` (:func:`sa_lib.data.counts.monthly_counts`).
    params : Params
        For ``targets`` and ``priorities`` (a target on ``All crime`` is read against
        all crime excluding ASB).
    end_month : str
        The last month of the period (``YYYY-MM``).
    partner : DataFrame, optional
        The partner page's tested indicators (its result's ``data["indicators"]``,
        :func:`sa_lib.themes.partner_measures.indicator_measures`): each becomes a row
        named "<indicator> (partner data)" ("(SYNTHETIC)" added for synthetic data) with
        the variation the partner page shows, read, never recomputed. Partner
        indicators have no targets.

    Returns
    -------
    DataFrame
        ``indicator``, ``months``, ``variation``, ``assurance``, ``target`` (monthly).
    """
    from sa_lib.stats import spc

    m = monthly[monthly["month_start"] <= pd.Timestamp(f"{end_month}-01")]
    targets = _targets(params)
    rows = []
    for name in [ALL, *sorted(m["crime_type"].unique())]:
        d = _series(m, name)
        if len(d) < 6 or d["count"].sum() == 0:
            continue
        chart = spc.xmr(d, date_col="month_start", value_col="count")
        last = chart.iloc[-1]
        spec = targets.get("All crime" if name == ALL else name)
        target, assured = None, "no target"
        if spec is not None:
            base = d[d["month_start"].dt.year == spec.baseline_year]["count"]
            if len(base) == 12:
                target = float(base.mean()) * (1 - spec.reduction_pct / 100)
                assured = assurance(target, float(last["lower"]), float(last["upper"]))
        rows.append(
            {
                "indicator": name,
                "months": len(d),
                "variation": variation(last.to_dict()),
                "assurance": assured,
                "target": target,
            }
        )
    return pd.DataFrame(rows + _partner_rows(partner))


def _partner_rows(partner: pd.DataFrame | None) -> list[dict]:
    """The partner page's indicators as SPC summary rows (its variation, as read)."""
    if partner is None or len(partner) == 0:
        return []
    return [
        {
            "indicator": t["name"] + PARTNER + (" (SYNTHETIC)" if t["synthetic"] else ""),
            "months": int(t["months"]),
            "variation": t["variation"] if isinstance(t["variation"], str) else "not enough months",
            "assurance": "no target",
            "target": None,
        }
        for _, t in partner.iterrows()
    ]


def spc_display(s: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary for readers (icon letter and words), and each cell's colour."""
    var = [ICONS[v] for v in s["variation"]]
    ass = [ICONS[a] for a in s["assurance"]]
    out = pd.DataFrame(
        {
            "Indicator": s["indicator"],
            "Months": s["months"].astype("int64"),
            "Variation": [f"{i} {w}".strip() for i, _, w in var],
            "Assurance": [f"{i} {w}".strip() for i, _, w in ass],
            "Monthly target": ["–" if pd.isna(t) else f"{t:,.0f} a month" for t in s["target"]],
        }
    )
    styles = pd.DataFrame("", index=out.index, columns=out.columns)
    styles["Variation"] = [f"background:{c}" for _, c, _ in var]
    styles["Assurance"] = [f"background:{c}" if c else "" for _, c, _ in ass]
    return out, styles
