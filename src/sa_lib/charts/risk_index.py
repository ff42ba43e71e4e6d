"""Charts of the composite risk index: indicator heatmap and rank stability.

The index and its stability are computed in :mod:`sa_lib.stats.risk_index`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sa_lib.validation import require_columns

__all__ = ["plot_indicator_heatmap", "plot_stability"]


def _diverging_cmap():
    from matplotlib.colors import LinearSegmentedColormap

    from sa_lib.style import COLD, HOT

    return LinearSegmentedColormap.from_list("sa_cold_hot", [COLD, "#F7F7F7", HOT])


def plot_indicator_heatmap(
    index_df: pd.DataFrame,
    wards: pd.DataFrame | Sequence[str],
    indicators: Sequence[str],
    area_col: str = "ward_code",
    label_col: str | None = "ward_name",
    center: float | None = None,
    annotate: bool = True,
):
    """Heatmap of standardised indicator values for the priority wards.

    Parameters
    ----------
    index_df : DataFrame
        Output of :func:`composite_index` (the ``<indicator>_std`` columns).
    wards : DataFrame or list of str
        The wards to show, in order (e.g. :func:`priority_wards`, or codes).
    indicators : list of str
        Indicators to show (columns ``<indicator>_std`` must exist).
    area_col, label_col : str
        Code column and the column used to label rows (falls back to the code).
    center : float or None
        Value at the neutral colour: None = 0 for z-scores, 50 for percentiles (from
        ``index_df.attrs``).
    annotate : bool, default True
        Write the values in the cells.

    Returns
    -------
    matplotlib.figure.Figure
        Blue (below average) to vermillion (above average, more risk), the Okabe-Ito
        colour-blind-safe pair, white at ``center``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    codes = list(wards[area_col]) if isinstance(wards, pd.DataFrame) else list(wards)
    std_cols = [f"{i}_std" for i in indicators]
    require_columns(
        index_df,
        [area_col, *std_cols],
        arg="index_df",
        fix="pass the output of composite_index(...) with the same indicators",
    )
    unknown = [c for c in codes if c not in set(index_df[area_col])]
    if unknown:
        raise ValueError(f"wards not in index_df[{area_col!r}]: {', '.join(map(repr, unknown))}.")
    sub = index_df.set_index(area_col).loc[codes]
    vals = sub[std_cols].to_numpy(dtype=float)
    if center is None:
        center = 50.0 if index_df.attrs.get("risk_index", {}).get("method") == "percentile" else 0.0
    span = np.nanmax(np.abs(vals - center)) if np.isfinite(vals).any() else 1.0
    span = span if span > 0 else 1.0
    labels = (
        sub[label_col].astype(str).tolist() if label_col and label_col in sub.columns else codes
    )
    fig, ax = plt.subplots(
        figsize=(1.2 + 0.9 * len(indicators), 1.0 + 0.45 * max(len(codes), 1)), layout="constrained"
    )
    im = ax.imshow(
        vals,
        cmap=_diverging_cmap(),
        norm=TwoSlopeNorm(vcenter=center, vmin=center - span, vmax=center + span),
        aspect="auto",
    )
    ax.set_xticks(range(len(indicators)), [i.replace("_", " ") for i in indicators])
    ax.tick_params(axis="x", rotation=45)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
    ax.set_yticks(range(len(codes)), labels)
    if annotate:
        for r in range(vals.shape[0]):
            for c in range(vals.shape[1]):
                if np.isfinite(vals[r, c]):
                    ax.text(c, r, f"{vals[r, c]:.1f}", ha="center", va="center", fontsize=8)
    fig.colorbar(im, ax=ax, label="standardised value (higher = more risk)")
    ax.set_title("Priority wards: standardised indicators")
    return fig


def plot_stability(stability_df: pd.DataFrame, label_col: str | None = "ward_name"):
    """Plot simulated rank ranges and the share of simulations in the top N.

    Parameters
    ----------
    stability_df : DataFrame
        Output of :func:`rank_stability`.
    label_col : str or None
        Column used for the ward labels (falls back to the first column).

    Returns
    -------
    matplotlib.figure.Figure
        Left: median simulated rank (dot) with the 5th-95th percentile range (line),
        wards in order of their rank. Right: ``p_top_n`` bars.
    """
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    need = ["rank", "p_top_n", "median_rank", "rank_5th", "rank_95th"]
    require_columns(
        stability_df, need, arg="stability_df", fix="pass the output of rank_stability(...)"
    )
    d = stability_df.sort_values("rank", kind="mergesort")
    col = label_col if label_col and label_col in d.columns else d.columns[0]
    labels = d[col].astype(str).tolist()
    y = np.arange(len(d))
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(9, 1.0 + 0.3 * len(d)), sharey=True, layout="constrained"
    )
    ax1.hlines(y, d["rank_5th"], d["rank_95th"], color=OKABE_ITO[5], lw=2)
    ax1.plot(d["median_rank"], y, "o", color=OKABE_ITO[6], label="median rank")
    ax1.plot(d["rank"], y, "|", color="black", ms=10, label="rank with given weights")
    ax1.set_yticks(y, labels)
    ax1.invert_yaxis()
    ax1.set_xlabel("simulated rank (5th-95th percentile)")
    ax1.legend(loc="lower right", fontsize=8)
    ax2.barh(y, d["p_top_n"], color=OKABE_ITO[5])
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of simulations in the priority list")
    fig.suptitle("How stable are the ward ranks when the weights change?")
    return fig
