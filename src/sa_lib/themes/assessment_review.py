"""Document control and the review of the partnership's current priorities.

Examples
--------
>>> from sa_lib.pack.params_model import Document
>>> document_control("SA", Document()).set_index("Item").loc["Status", "Value"]
'draft'
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from sa_lib.data.counts import monthly_counts
from sa_lib.stats.change import compare_counts
from sa_lib.stats.dispersion import series_dispersion
from sa_lib.themes import summary
from sa_lib.themes.assessment import ASB, change_text

__all__ = ["document_control", "priorities_review", "review_display"]


def document_control(title: str | None, doc) -> pd.DataFrame:
    """Document control (title, author, version, status, protective marking, distribution).

    ``title`` and ``doc`` are the parameters' ``title`` and ``document`` section
    (:class:`sa_lib.pack.params_model.Document`): ``ctx.params.title``, ``ctx.params.document``.
    """
    dist = doc.distribution or []
    return pd.DataFrame(
        {
            "Item": ["Title", "Author", "Version", "Status", "Protective marking", "Distribution"],
            "Value": [
                title or "",
                doc.author or "not set",
                str(doc.version or "not set"),
                doc.status or "draft",
                doc.protective_marking or "not set",
                "; ".join(map(str, dist)) if dist else "not set",
            ],
        }
    )


def priorities_review(ctx) -> pd.DataFrame:
    """Each current priority (``priorities`` in the parameters) against its baseline and target.

    Returns
    -------
    DataFrame
        ``name``, ``crime_type``, ``baseline_year``, ``baseline``, ``latest`` (the 12
        months ending with the period), ``pct_change`` (per day), ``change_label``
        (against the baseline year, per day, quasi-Poisson where the series is
        over-dispersed, else exact), ``test``, ``trend`` (direction), ``trend_pct``
        (per year), ``target_year``, ``target``, ``projected``, ``projected_lower``,
        ``projected_upper``, ``status`` (on/off track from
        :func:`sa_lib.stats.trend.target_tracking`).
    """
    specs = ctx.params.priorities
    if not specs:
        return pd.DataFrame()
    # The trend and target projection read the unbroken run of held months (as the overview).
    monthly = monthly_counts(ctx.series(), by="crime_type")
    targets = summary.target_table(
        monthly,
        [
            {
                k: getattr(s, k)
                for k in ("crime_type", "reduction_pct", "baseline_year", "target_year")
            }
            for s in specs
        ],
        alpha=ctx.stats.alpha,
    )
    types = [s.crime_type for s in specs]
    end = ctx.period.end
    latest_months = [str(end - k) for k in range(12)]
    rows = []
    # Under a year of unbroken months there is no projection (target_table returns none).
    none = {"target": np.nan, "projected": np.nan, "projected_lower": np.nan}
    none.update(projected_upper=np.nan, status="not available (under 12 months of data)")
    tgs = (
        [tg for _, tg in targets.iterrows()] if len(targets) == len(specs) else [none] * len(specs)
    )
    for s, tg in zip(specs, tgs, strict=True):
        t = s.crime_type
        if t == "All crime":
            d = ctx.crimes[ctx.crimes["crime_type"] != ASB]
            m = (
                monthly[monthly["crime_type"] != ASB]
                .groupby("month_start", as_index=False)["count"]
                .sum()
            )
        else:
            d = ctx.crimes[ctx.crimes["crime_type"] == t]
            m = monthly[monthly["crime_type"] == t][["month_start", "count"]]
        base = int(d["month"].str.startswith(str(s.baseline_year)).sum())
        base_months = {f"{s.baseline_year}-{m:02d}" for m in range(1, 13)}
        complete = not ctx.months_present or base_months <= set(ctx.months_present)
        latest = int(d["month"].isin(latest_months).sum())
        # Per day (2024 has 366 days), allowing for the overdispersion of the series.
        disp = series_dispersion(m.rename(columns={"month_start": "date"}), alpha=ctx.stats.alpha)
        cmp_ = compare_counts(
            pd.DataFrame({"count_before": [base], "count_after": [latest]}),
            exposure_before=float(366 if calendar.isleap(int(s.baseline_year)) else 365),
            exposure_after=float(sum(pd.Period(k, freq="M").days_in_month for k in latest_months)),
            alpha=ctx.stats.alpha,
            dispersion=disp["dispersion"],
            dispersion_df=disp["df"],
        ).iloc[0]
        tr = summary.trend_table(m.assign(crime_type=t), [t], alpha=ctx.stats.alpha)
        quarter = _latest_change(ctx, t, disp)
        rows.append(
            {
                "name": s.name or t,
                "crime_type": t,
                "baseline_year": int(s.baseline_year),
                "baseline": base,
                "latest": latest,
                "pct_change": float(100 * (cmp_["rate_ratio"] - 1)) if complete else np.nan,
                "change_label": cmp_["change_label"] if complete else "not available",
                "test": cmp_["test"] if complete else "",
                "trend": tr["direction"].iloc[0] if len(tr) else "not available",
                "trend_pct": float(tr["pct_per_year"].iloc[0]) if len(tr) else np.nan,
                "target_year": int(s.target_year),
                "target": tg["target"],
                "projected": tg["projected"],
                "projected_lower": tg["projected_lower"],
                "projected_upper": tg["projected_upper"],
                "status": tg["status"],
                **quarter,
            }
        )
    del types
    return pd.DataFrame(rows)


def _latest_change(ctx, crime_type: str, disp: dict) -> dict:
    """The period against the same period last year (per day, as the review's other test),
    so the review reads the trend and its extrapolation beside the latest quarter."""
    if "last_year" not in ctx.periods:
        return {"quarter_pct": np.nan, "quarter_label": "not available"}

    def n(key: str) -> int:
        d = ctx.in_period(key)
        d = d[d["crime_type"] != ASB] if crime_type == "All crime" else d
        return int((d["crime_type"] == crime_type).sum()) if crime_type != "All crime" else len(d)

    def days(key: str) -> float:
        return float(sum(pd.Period(k, freq="M").days_in_month for k in ctx.periods[key].months))

    c = compare_counts(
        pd.DataFrame({"count_before": [n("last_year")], "count_after": [n("current")]}),
        exposure_before=days("last_year"),
        exposure_after=days("current"),
        alpha=ctx.stats.alpha,
        dispersion=disp["dispersion"],
        dispersion_df=disp["df"],
    ).iloc[0]
    return {"quarter_pct": float(c["pct_change"]), "quarter_label": c["change_label"]}


def _quarter_column(rev: pd.DataFrame, ctx) -> dict:
    if "quarter_label" not in rev or "last_year" not in ctx.periods:
        return {}
    head = f"{ctx.period.label} against {ctx.periods['last_year'].label}"
    return {
        head: [
            "not available" if lab == "not available" else change_text(p, lab)
            for p, lab in zip(rev["quarter_pct"], rev["quarter_label"], strict=True)
        ]
    }


def review_display(rev: pd.DataFrame, ctx) -> pd.DataFrame:
    """The review of current priorities for readers."""
    end = ctx.period.end
    latest = f"12 months to {end.strftime('%b %Y')}"
    return pd.DataFrame(
        {
            "Priority": rev["name"],
            "Baseline year": rev["baseline_year"].astype(str),
            "Baseline": rev["baseline"].astype("int64"),
            latest: rev["latest"].astype("int64"),
            "Change against baseline": [
                "not available" if lab == "not available" else change_text(p, lab, per_day=True)
                for p, lab in zip(rev["pct_change"], rev["change_label"], strict=True)
            ],
            **_quarter_column(rev, ctx),
            "Trend": [
                f"{d} ({p:+.1f}% a year)" if pd.notna(p) else d
                for d, p in zip(rev["trend"], rev["trend_pct"], strict=True)
            ],
            "Target": [
                f"{t:,.0f} by {y}" for t, y in zip(rev["target"], rev["target_year"], strict=True)
            ],
            "Extrapolated to the target year (95% CI)": [
                f"{p:,.0f} ({lo:,.0f} to {hi:,.0f})"
                for p, lo, hi in zip(
                    rev["projected"], rev["projected_lower"], rev["projected_upper"], strict=True
                )
            ],
            "Status": rev["status"],
        }
    )
