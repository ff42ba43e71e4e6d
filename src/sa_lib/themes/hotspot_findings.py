"""The hot-spot page's key findings (:func:`hotspot_findings`), with their structured fields.

Re-exported by :mod:`sa_lib.themes.hotspot_report`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from sa_lib.themes.findings import format_count, format_pct
from sa_lib.themes.results import Finding
from sa_lib.validation import require_columns

__all__ = ["hotspot_findings"]


def hotspot_findings(
    gi_cells: gpd.GeoDataFrame,
    hot_wards: pd.DataFrame,
    emerging: gpd.GeoDataFrame | None,
    change: pd.DataFrame | None,
    *,
    label: str,
    period_label: str,
    change_from_label: str | None = None,
    threshold: int = 10,
    count_col: str = "count",
    max_wards: int = 5,
    as_findings: bool = False,
) -> list:
    """Key findings for the hot-spot report, in plain English with disclosure control.

    With ``as_findings``, :class:`~sa_lib.themes.results.Finding` objects with their
    structured fields filled (the ward changes' test, significance and direction).

    Counts below ``threshold`` are written "fewer than N"; changes are called
    increases or decreases only when significant after correction.

    Parameters
    ----------
    gi_cells : GeoDataFrame
        Gi* cells (``gi_bin``, ``area_km2``, ``count_col``).
    hot_wards : DataFrame
        From :func:`hot_spot_wards`.
    emerging : GeoDataFrame or None
        From :func:`restrict_preventing`.
    change : DataFrame or None
        From :func:`ward_change`.
    label, period_label, change_from_label : str
        The crime types' name, the period's and the comparison period's labels.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"gi_bin": [3, 0], "count": [40, 60], "area_km2": [1.0, 9.0]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:27700")
    >>> import pandas as pd
    >>> hotspot_findings(cells, pd.DataFrame(columns=["ward_name"]), None, None,
    ...     label="Burglary", period_label="Q4 2025")[0]  # doctest: +NORMALIZE_WHITESPACE
    'Burglary, Q4 2025: Gi* hot spots cover 10% of the area and hold 40% of the 100 crimes.'
    """
    require_columns(gi_cells, ["gi_bin", "area_km2", count_col], arg="gi_cells")
    out = []
    hot = gi_cells["gi_bin"].to_numpy() > 0
    total = float(gi_cells[count_col].sum())
    area = float(gi_cells["area_km2"].sum())
    if hot.any() and total > 0:
        share_area = 100 * float(gi_cells.loc[hot, "area_km2"].sum()) / area
        share_count = 100 * float(gi_cells.loc[hot, count_col].sum()) / total
        out.append(
            f"{label}, {period_label}: Gi* hot spots cover "
            f"{format_pct(share_area)} of the area and hold {format_pct(share_count)} of the "
            f"{format_count(total, threshold)} crimes."
        )
    else:
        out.append(
            f"{label}, {period_label}: no significant hot spots after correction for testing "
            f"every cell ({format_count(total, threshold)} crimes)."
        )
    if len(hot_wards):
        names = hot_wards["ward_name"].head(max_wards).tolist()
        more = len(hot_wards) - len(names)
        out.append(
            "Hot spots lie mainly in "
            + ", ".join(names)
            + (f" (and {more} other ward{'s' if more > 1 else ''})" if more > 0 else "")
            + "."
        )
    if emerging is not None and "csp_category" in emerging.columns:
        parts = []
        for cat in ("Sustaining", "Emerging", "Preventing"):
            sel = emerging[emerging["csp_category"] == cat]
            if len(sel):
                wards = (
                    sel["ward_name"].dropna().value_counts().index[:3].tolist()
                    if "ward_name" in sel.columns
                    else []
                )
                where = f" (mostly {', '.join(wards)})" if wards else ""
                parts.append(f"{cat}: {float(sel['area_km2'].sum()):.1f} km²{where}")
        if parts:
            out.append("Over time: " + "; ".join(parts) + ".")
        else:
            out.append("Over time: no cell is Sustaining, Emerging or Preventing.")
    if change is not None and len(change):
        out += _ward_change_findings(change, label, change_from_label)
    out = [
        f if isinstance(f, Finding) else Finding(f, subject=label, measure="hot spots") for f in out
    ]
    return out if as_findings else [f.text for f in out]


def _ward_change_findings(change: pd.DataFrame, label: str, change_from_label: str | None) -> list:
    """The tested ward changes as findings: significant rises, falls, and the rest."""
    out = []
    since = f" since {change_from_label}" if change_from_label else ""
    up = change[change["change_class"] == "Significant increase"]
    down = change[change["change_class"] == "Significant decrease"]

    def _names(d):
        return ", ".join(
            f"{n} ({'+' if p > 0 else '-'}{format_pct(p)})" if pd.notna(p) else str(n)
            for n, p in zip(d["ward_name"], d["pct_change"], strict=True)
        )

    fields = dict(
        measure="ward count", test="ward change", tested=True, comparison=change_from_label
    )
    if len(up):
        out.append(
            Finding(
                f"Significant increases{since}: {_names(up)}.",
                subject=f"{label} in wards",
                significant=True,
                direction="increase",
                **fields,
            )
        )
    if len(down):
        out.append(
            Finding(
                f"Significant decreases{since}: {_names(down)}.",
                subject=f"{label} in wards",
                significant=True,
                direction="decrease",
                **fields,
            )
        )
    rest = len(change) - len(up) - len(down)
    if rest:
        out.append(
            Finding(
                f"{rest} of {len(change)} wards changed within normal variation{since} "
                f"(no significant change after correction).",
                subject=f"{label} in the other wards",
                significant=False,
                **fields,
            )
        )
    return out
