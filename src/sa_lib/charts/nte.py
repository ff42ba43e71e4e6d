"""The day-of-week x hour heatmap of :func:`sa_lib.stats.nte.day_hour_table`.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.nte import day_hour_table
>>> df = pd.DataFrame({"committed_from": pd.to_datetime(["2025-01-03 23:30", "2025-01-04 01:10"])})
>>> len(plot_day_hour(day_hour_table(df)).axes)
2
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib import style  # noqa: F401 - data labels drawn as plain text (no mathtext)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_day_hour"]


def plot_day_hour(
    table: pd.DataFrame, title: str | None = None, suppress_below: int | None = None
) -> Figure:
    """Heatmap of a day x hour table (colour-blind-safe sequential palette).

    Cells are not labelled with counts, so small numbers are never printed; with
    ``suppress_below``, cells below it are greyed out rather than coloured.
    """
    import matplotlib.pyplot as plt

    data = table.to_numpy(dtype=float)
    if suppress_below:
        data = np.where((data > 0) & (data < suppress_below), np.nan, data)
    fig, ax = plt.subplots(figsize=(10, 3.4))
    # Zeros white, suppressed cells grey, counts from the threshold up on the colour scale.
    cmap = plt.get_cmap("viridis").with_extremes(bad="#cccccc", under="white")
    vmin = suppress_below if suppress_below else 1
    vmax = max(float(np.nanmax(data)) if np.isfinite(data).any() else vmin, vmin + 1)
    im = ax.imshow(np.ma.masked_invalid(data), aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_yticks(range(7), table.index)
    cols = list(table.columns)
    step = 2 if len(cols) == 24 else 1
    width = 24 // len(cols)
    labels = [f"{h:02d}:00" if width == 1 else f"{h:02d}-{h + width:02d}" for h in cols]
    ax.set_xticks(range(0, len(cols), step), labels[::step], fontsize=8)
    ax.set_xlabel("Hour of the day (committed)")
    cb = fig.colorbar(im, ax=ax, fraction=0.03)
    cb.set_label("Crimes")
    if title:
        ax.set_title(title, loc="left")
    left_out = table.attrs.get("imprecise_time", 0)
    bits = []
    if suppress_below:
        bits.append(f"White: none. Grey: 1 to {suppress_below - 1} (not shown).")
    if left_out:
        bits.append(f"{left_out:,} crimes with only a date range are left out.")
    if bits:
        ax.text(1.0, -0.28, " ".join(bits), transform=ax.transAxes, ha="right", fontsize=8)
    fig.tight_layout()
    return fig
