"""Charts for the child sexual exploitation (CSE) theme: banded, with no numbers a reader could use.

- :func:`plot_profile_heatmap`: the priority wards' indicators as bands;
- :func:`plot_index_map`: the ward index, priority wards outlined;
- :func:`plot_banded_trend`: quarterly district totals as bands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sa_lib.themes.cse_data import BAND_COLOURS, BAND_LABELS, band_levels, band_text, label
from sa_lib.validation import (
    require_columns,
)

__all__ = ["plot_profile_heatmap", "plot_index_map", "plot_banded_trend"]


def plot_profile_heatmap(
    index_df: pd.DataFrame,
    wards: Sequence[str],
    indicators: Sequence[str],
    title: str = "Indicator profile of the priority wards",
):
    """Banded heatmap of the priority wards' standardised indicators (no numbers).

    Each cell is coloured by its band (:func:`band_levels`) and says the band in words:
    the exact standardised value is not shown (see the module notes).

    Parameters
    ----------
    index_df : DataFrame
        From :func:`sa_lib.stats.risk_index.composite_index`.
    wards : list of str
        Ward codes, top to bottom.
    indicators : list of str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    method = index_df.attrs.get("risk_index", {}).get("method", "zscore")
    require_columns(index_df, ["ward_code", "ward_name", *[f"{i}_std" for i in indicators]])
    codes = list(wards)
    unknown = [c for c in codes if c not in set(index_df["ward_code"])]
    if unknown:
        raise ValueError(f"wards not in index_df: {', '.join(map(repr, unknown))}.")
    sub = index_df.set_index("ward_code").loc[codes]
    lev = np.column_stack(
        [band_levels(sub[f"{i}_std"].to_numpy(), method) for i in indicators]
    ).reshape(len(codes), len(indicators))
    shown = np.where(lev == -99, np.nan, lev)
    cmap = ListedColormap(list(BAND_COLOURS)).with_extremes(bad="white")
    norm = BoundaryNorm(np.arange(-2.5, 3.5), cmap.N)
    fig, ax = plt.subplots(
        figsize=(1.6 + 1.05 * len(indicators), 1.6 + 0.5 * max(len(codes), 1)),
        layout="constrained",
    )
    ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, norm=norm, aspect="auto")
    for r in range(lev.shape[0]):
        for c in range(lev.shape[1]):
            ax.text(
                c,
                r,
                band_text(int(lev[r, c])).replace(" ", "\n"),
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if lev[r, c] in (-2, 2) else "black",
            )
    ax.set_xticks(range(len(indicators)), [label(i).replace(" ", "\n", 1) for i in indicators])
    ax.set_yticks(range(len(codes)), sub["ward_name"].astype(str).tolist())
    ax.tick_params(axis="both", length=0)
    ax.set_xticks(np.arange(-0.5, len(indicators)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(codes)), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    ax.xaxis.tick_top()
    ax.legend(
        handles=[
            Patch(facecolor=c, edgecolor="0.6", label=b)
            for c, b in zip(BAND_COLOURS, BAND_LABELS, strict=True)
        ][::-1],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
        title="Compared with the\ndistrict's wards",
        title_fontsize=8,
        frameon=False,
    )
    ax.set_title(title, loc="left", pad=12)
    return fig


def plot_index_map(
    wards_gdf,
    index_df: pd.DataFrame,
    priority: Sequence[str],
    *,
    boundary=None,
    title: str | None = None,
    k: int = 5,
):
    """Ward choropleth of the risk index, with ward names and the priority wards outlined.

    Parameters
    ----------
    wards_gdf : GeoDataFrame
        Ward polygons (``ward_code``, ``ward_name``), e.g. ``ctx.geo.wards``.
    index_df : DataFrame
        From :func:`sa_lib.stats.risk_index.composite_index`.
    priority : list of str
        Priority ward codes (thick outline).
    boundary : GeoDataFrame, optional
        The CSP outline.
    k : int
        Quantile classes of the index.

    Returns
    -------
    matplotlib.figure.Figure
        Only the index (a weighted mean of standardised values) is mapped: no counts.
    """
    from matplotlib.lines import Line2D

    from sa_lib.charts.maps import MAP_TEXT, choropleth
    from sa_lib.style import HOT

    require_columns(wards_gdf, ["ward_code", "ward_name"], arg="wards_gdf")
    g = wards_gdf[["ward_code", "ward_name", "geometry"]].merge(
        index_df[["ward_code", "index"]], on="ward_code", how="left"
    )
    fig = choropleth(
        g,
        "index",
        label_col="ward_name",
        boundary=boundary,
        title=title,
        legend_title="Risk index (quintiles)",
        fmt="{:.2f}",
        k=k,
    )
    ax = fig.axes[0]
    pri = g[g["ward_code"].isin(list(priority))]
    if len(pri):
        pri.boundary.plot(ax=ax, color=HOT, linewidth=2.6)
    leg = ax.get_legend()
    handles = list(leg.legend_handles) if leg is not None else []
    handles.append(Line2D([], [], color=HOT, linewidth=2.6, label="priority ward"))
    ax.legend(
        handles=handles,
        title="Risk index (quintiles)",
        loc="lower right",
        fontsize=MAP_TEXT["legend"],
        title_fontsize=MAP_TEXT["legend_title"],
        frameon=True,
    )
    return fig


def plot_banded_trend(
    banded: pd.DataFrame,
    series: Mapping[str, str],
    title: str = "Quarterly totals, banded",
):
    """Line chart of banded quarterly totals: the y axis is the band, not the count.

    No count can be read off the chart: every point sits on its band, and the lowest
    band is everything below the threshold.

    Parameters
    ----------
    banded : DataFrame
        From :func:`quarterly_bands`.
    series : mapping
        ``{label in the legend: column}``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    levels = banded.attrs["levels"]
    bands = list(banded.attrs["bands"])
    used = np.concatenate([levels[c].to_numpy() for c in series.values()])
    lo, hi = int(min(0, used.min())), int(max(used.max(), 1))
    ticks = list(range(lo, hi + 1))
    tick_labels = ["0" if t == -1 else bands[t] for t in ticks]
    fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
    x = np.arange(len(banded))
    offsets = np.linspace(-0.06, 0.06, len(series)) if len(series) > 1 else [0.0]
    for j, (name, col) in enumerate(series.items()):
        ax.plot(
            x,
            levels[col].to_numpy() + offsets[j],
            marker="o",
            color=OKABE_ITO[(j * 4 + 5) % 8],
            label=name,
            linewidth=2,
        )
    ax.set_yticks(ticks, tick_labels)
    ax.set_ylim(lo - 0.5, hi + 0.5)
    # The pack's one date style for quarters: "Q1 2025".
    ax.set_xticks(
        x, banded["quarter"].str.replace(r"(\d{4})Q([1-4])", r"Q\2 \1", regex=True).tolist()
    )
    ax.set_ylabel("Count in the quarter (band)")
    ax.grid(axis="y", color="0.9")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    ax.set_title(title, loc="left")
    return fig
