"""The repeat-victimisation trend chart of :func:`sa_lib.stats.repeat_victims.repeat_trend`."""

from __future__ import annotations

import pandas as pd

from sa_lib.validation import require_columns

__all__ = ["plot_repeat_trend"]


def plot_repeat_trend(trend: pd.DataFrame, suppress_below: int = 10, title: str | None = None):
    """Chart the repeat-victim share by period with its confidence interval.

    Periods whose repeat victims or victims number fewer than ``suppress_below`` are
    not drawn (a share of a small count is disclosive), nor are periods with no
    eligible crimes (the first ``window_days`` of data).

    Parameters
    ----------
    trend : DataFrame
        From :func:`repeat_trend`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from sa_lib.style import OKABE_ITO

    require_columns(
        trend,
        ["period", "victims", "repeat_victims", "repeat_victim_share"],
        arg="trend",
        fix="pass the output of repeat_trend",
    )
    ok = (
        trend["repeat_victim_share"].notna()
        & (trend["repeat_victims"] >= suppress_below)
        & (trend["victims"] >= suppress_below)
    )
    d = trend[ok]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    x = range(len(d))
    share = d["repeat_victim_share"].to_numpy(float) * 100
    lo = d["repeat_victim_share_lower"].to_numpy(float) * 100
    hi = d["repeat_victim_share_upper"].to_numpy(float) * 100
    bars = ax.errorbar(
        list(x), share, yerr=[share - lo, hi - share], fmt="o-", color=OKABE_ITO[5], capsize=3
    )
    if len(d):
        # Described in whole percents, as the page's repeat table shows the share; the gid
        # (sa_lib.themes.alt_text.ALT_GIVEN) keeps the generic description from quoting it too.
        bars.lines[0].set_gid("sa-alt-given")
        periods = d["period"].astype(str).tolist()
        hi_i, lo_i = int(np.argmax(share)), int(np.argmin(share))
        fig.sa_alt = (
            f"Repeat victims as a share of victims: latest {periods[-1]} {share[-1]:.0f}%, "
            f"highest {periods[hi_i]} {share[hi_i]:.0f}%, lowest {periods[lo_i]} {share[lo_i]:.0f}%."
        )
    ax.set_xticks(list(x), d["period"].astype(str))
    ax.set_ylim(0, max(50.0, float(hi.max()) + 5) if len(d) else 50)
    ax.set_ylabel("Repeat victims (%)")
    n_hidden = int((~ok & trend["repeat_victim_share"].notna()).sum())
    note = f" {n_hidden} period(s) not shown: fewer than {suppress_below}." if n_hidden else ""
    ax.set_title(title or "Share of victims who were repeat victims (95% CI)", loc="left")
    if note:
        ax.text(1.0, -0.22, note.strip(), transform=ax.transAxes, ha="right", fontsize=8)
    fig.tight_layout()
    return fig
