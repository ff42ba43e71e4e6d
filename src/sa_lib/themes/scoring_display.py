"""The priority matrix for readers: scores, the measures and rules behind them, sensitivity.

Everything here displays a scored candidate table
(:func:`sa_lib.stats.priority.priority_scores` of
:func:`sa_lib.themes.candidates.candidate_measures`) so that anyone can recompute
each score; sensitive themes' counts are withheld.

Examples
--------
>>> _fmt(float("nan"), ".2f"), _fmt(0.5, ".0%")
('–', '50%')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sa_lib.stats import priority
from sa_lib.themes.assessment import SENSITIVE_NOTE
from sa_lib.themes.harm_input import band_text, harm_input

__all__ = [
    "SCORE_COLUMNS",
    "count_band_text",
    "harm_note",
    "harm_source_line",
    "matrix_display",
    "measures_display",
    "plot_matrix",
    "rules_display",
    "sensitivity_display",
    "sensitivity_sentence",
    "stability_display",
]

#: Whole-number columns of the matrix that are ranks or scores, not counts.
SCORE_COLUMNS = [
    "Rank",
    "Volume",
    "Direction",
    "Harm",
    "Vulnerability",
    "Concentration",
    "Impact",
    "Likelihood",
]


def _fmt(v, spec: str) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def matrix_display(scored: pd.DataFrame, ctx, thresholds: dict | None = None) -> pd.DataFrame:
    """The priority matrix for readers: measures and each separately shown score.

    Counts of sensitive-theme issues are not shown here (their own page applies its
    disclosure rules); other counts below the threshold show as "fewer than N".
    """
    thr = ctx.disclosure.threshold
    grid = "impact" in scored

    def count_text(r):
        if r["sensitive"]:
            return SENSITIVE_NOTE
        return f"fewer than {thr}" if 0 < r["count"] < thr else f"{int(r['count']):,}"

    tied = scored["tied"] if "tied" in scored else pd.Series(False, index=scored.index)
    skipped = scored["not_scored"] if "not_scored" in scored else pd.Series("", index=scored.index)

    def dim(col: str) -> list:
        # A dimension with too few crimes or no measure is neutral and says so.
        return [
            f"{int(v)} (not scored)" if col in str(ns) else int(v)
            for v, ns in zip(scored[col], skipped, strict=True)
        ]

    d = pd.DataFrame(
        {
            # Equal scores share a rank, shown "=5": ties are never broken by name.
            "Rank": [
                f"={int(k)}" if t else int(k) for k, t in zip(scored["rank"], tied, strict=True)
            ],
            "Issue": [
                i + (" (SYNTHETIC)" if s else "")
                for i, s in zip(scored["issue"], scored["synthetic"], strict=True)
            ],
            "Count": [count_text(r) for _, r in scored.iterrows()],
            "Share of all crime and ASB (wards: of crime)": [
                "[c]" if 0 < c < thr and not sens else _fmt(v, ".0%")
                for v, c, sens in zip(
                    scored["share"], scored["count"], scored["sensitive"], strict=True
                )
            ],
            "Change": ["–" if not isinstance(c, str) else c for c in scored["change"]],
            "Volume": dim("volume"),
            "Direction": dim("direction"),
            "Harm": dim("harm"),
            "Vulnerability": dim("vulnerability"),
            "Concentration": dim("concentration"),
            "Confidence": scored["confidence"].round(2),
        }
    )
    if grid:
        d["Impact"] = scored["impact"].astype("int64")
        d["Likelihood"] = scored["likelihood"].astype("int64")
    d["Priority score"] = scored["score"].round(2)
    return d


def count_band_text(count: float, rules: dict) -> str:
    """A withheld count's size band, as the confidence rule reads it (e.g. "100 or more").

    Examples
    --------
    >>> count_band_text(250, {"confidence": {"count_bands": [30, 100]}})
    '100 or more'
    """
    lo, hi = rules["confidence"]["count_bands"]
    if count >= hi:
        return f"{hi} or more"
    return f"{lo} to {hi - 1}" if count >= lo else f"fewer than {lo}"


def measures_display(scored: pd.DataFrame, rules: dict, threshold: int) -> pd.DataFrame:
    """The measures each score was computed from, for readers and for recomputing the scores.

    A count below ``threshold`` shows as "fewer than N" and its share as ``[c]``; a
    sensitive theme's count shows only its size band ("withheld (100 or more)"), which
    is all the confidence rule uses. Ratios and shares are given to 6 decimals so the
    band each falls in can be read exactly.
    """
    counts, shares = [], []
    for c, s, sh in zip(scored["count"], scored["sensitive"], scored["share"], strict=True):
        if s:
            counts.append(f"withheld ({count_band_text(c, rules)})")
            shares.append("–" if pd.isna(sh) else "[c]")
        elif 0 < c < threshold:
            counts.append(f"fewer than {threshold}")
            shares.append("[c]")
        else:
            counts.append(int(c))
            shares.append(_fmt(sh, ".6f"))
    return pd.DataFrame(
        {
            "Issue": scored["issue"],
            "Count": counts,
            "Share of all crime and ASB": shares,
            "Rate above wider area": [
                "–" if pd.isna(v) else ("yes" if v else "no") for v in scored["above_wider"]
            ],
            "Tested change": ["–" if not isinstance(c, str) else c for c in scored["change"]],
            "Rising trend": ["yes" if v else "no" for v in scored["rising_trend"]],
            "SPC high signal": ["yes" if v else "no" for v in scored["spc_signal"]],
            "Harm band": [_fmt(v, ".0f") for v in scored["harm_band"]],
            "Deprived-fifth ratio": [_fmt(v, ".6f") for v in scored["deprived_ratio"]],
            "Repeat share": _share_cells(scored["repeat_share"], scored["count"], threshold),
            "Young victims share": _share_cells(
                scored.get("young_share", pd.Series(np.nan, index=scored.index)),
                scored["count"],
                threshold,
            ),
            "Top 10% LSOA share": _share_cells(scored["top10_share"], scored["count"], threshold),
            "Ward rate / district": [_fmt(v, ".6f") for v in scored["ward_ratio"]],
            "Concerns children": ["yes" if v else "no" for v in _bools(scored, "children")],
            **_partner_flag_column(scored),
            "Synthetic": ["yes" if v else "no" for v in scored["synthetic"]],
        }
    )


def _partner_flag_column(scored: pd.DataFrame) -> dict:
    """The partner indicators on which a ward is significantly above the district (shown
    only when a ward has one: each scores at least ``vulnerability.partner_flag``)."""
    if "partner_flags" not in scored or not (scored["partner_flags"].fillna(0) > 0).any():
        return {}
    names = scored.get("partner_flag_names", pd.Series("", index=scored.index))
    return {
        "Partner indicators above the district": [
            n if isinstance(n, str) and n else "–" for n in names
        ]
    }


def _share_cells(shares, counts, threshold: int) -> list[str]:
    """Shares of a count, to 6 decimals, or ``[c]`` where the share times the count (the
    number of people or crimes it stands for), or the rest of the count, is below
    ``threshold``: a share beside its count must not give away a small number.

    Examples
    --------
    >>> _share_cells([5 / 47, 0.5, float("nan")], [47, 100, 3], 10)
    ['[c]', '0.500000', '–']
    """
    out = []
    for sh, c in zip(shares, counts, strict=True):
        if pd.isna(sh):
            out.append("–")
            continue
        part, rest = float(sh) * float(c), float(c) * (1 - float(sh))
        small = (sh > 0 and part < threshold - 0.5) or (sh < 1 and rest < threshold - 0.5)
        out.append("[c]" if small else _fmt(sh, ".6f"))
    return out


def _bools(df: pd.DataFrame, col: str) -> list[bool]:
    if col not in df:
        return [False] * len(df)
    return [bool(v) if isinstance(v, bool | np.bool_) else False for v in df[col]]


def sensitivity_display(sens: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The sensitivity check for readers."""
    return pd.DataFrame(
        {
            "Weight": sens["weight"].str.capitalize(),
            "Moved by": sens["change"],
            f"Same top {top_n}?": ["yes" if v else "no" for v in sens["top_same"]],
            "Entered the top": [v or "–" for v in sens["entered"]],
            "Left the top": [v or "–" for v in sens["left"]],
            "New first priority": sens["first"],
        }
    )


def plot_matrix(scored: pd.DataFrame, rules: dict, title: str, label_top: int = 5):
    """Impact (harm, vulnerability) against likelihood (volume, direction, concentration) on a 4 x 4 grid."""
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    w = rules["weights"]

    def side(dims):
        tw = sum(w[d] for d in dims) or 1
        return sum(w[d] * scored[d].astype(float) for d in dims) / tw

    x = side(rules["grid"]["likelihood"])
    y = side(rules["grid"]["impact"])
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    for v in (1.5, 2.5, 3.5):
        ax.axhline(v, color="#ccc", lw=0.8)
        ax.axvline(v, color="#ccc", lw=0.8)
    colours = {"crime type": OKABE_ITO[5], "place": OKABE_ITO[1], "theme measure": OKABE_ITO[6]}
    for kind, g in scored.groupby("kind"):
        ax.scatter(
            x[g.index],
            y[g.index],
            s=40 + 200 * g["confidence"],
            color=colours.get(kind, "#666"),
            alpha=0.75,
            label=kind,
            edgecolor="k",
            lw=0.5,
        )
    # Each point is labelled with its rank (the matrix table names every issue); the top
    # ranks are named in a key, so that labels never overwrite each other.
    seen: dict[tuple, int] = {}
    for i in scored.index:
        key = (round(float(x[i]), 2), round(float(y[i]), 2))
        k = seen.get(key, 0)
        seen[key] = k + 1
        ax.annotate(
            str(int(scored.loc[i, "rank"])),
            (x[i], y[i]),
            textcoords="offset points",
            xytext=(7 + 12 * k, 5),
            fontsize=8,
        )
    top = scored.head(label_top)
    ax.text(
        0.02,
        0.02,
        "Top priorities:\n"
        + "\n".join(f"{int(r['rank'])}. {r['issue']}" for _, r in top.iterrows()),
        transform=ax.transAxes,
        fontsize=8,
        va="bottom",
        bbox={"facecolor": "white", "edgecolor": "#999", "alpha": 0.9},
    )
    ax.set_xlim(0.8, 4.4)
    ax.set_ylim(0.8, 4.4)
    ax.set_xlabel(
        "Likelihood (volume, direction, concentration), 1-4; numbers: rank in the matrix table"
    )
    ax.set_ylabel("Impact (harm, vulnerability), 1-4")
    ax.set_title(title)
    ax.legend(frameon=False, loc="lower right", title="Point size: confidence")
    fig.tight_layout()
    return fig


def rules_display(rules: dict, partner_flags: bool = False) -> pd.DataFrame:
    """The scoring method, weights and band edges used, one row each (with
    ``partner_flags``, the vulnerability floor of a ward with a partner flag too)."""
    method = (
        "harm-and-likelihood score (weighted mean of MoRiLE-style dimensions; no "
        "organisational-position or capacity input, so not a full MoRiLE assessment)"
        if rules["method"] == "morile"
        else "4 x 4 grid (impact x likelihood)"
    )
    rows = [("Method", method), ("Recommended priorities", str(rules["top_n"]))]
    rows += [(f"Weight: {d}", f"{rules['weights'][d]:g}") for d in priority.DIMENSIONS]
    if rules["method"] == "grid":
        rows += [
            ("Impact from", ", ".join(rules["grid"]["impact"])),
            ("Likelihood from", ", ".join(rules["grid"]["likelihood"])),
        ]
    v, dr, vu, c, cf = (
        rules["volume"],
        rules["direction"],
        rules["vulnerability"],
        rules["concentration"],
        rules["confidence"],
    )
    rows += [
        (
            "Volume",
            f"share of all crime and ASB, edges {v['share_bands']}; +{v['above_wider_area']} if the rate is above the wider area",
        ),
        (
            "Direction",
            "; ".join(f"{k} {dr[k]}" for k in priority.CHANGES)
            + f"; +{dr['rising_trend']} rising trend; +{dr['spc_signal']} SPC high signal",
        ),
        (
            "Harm",
            f"weight per crime banded: {band_text(rules['harm']['weight_bands'])} "
            "(weights: see the harm note; a ward takes the mean weight of its crimes; "
            "no weight, as for ASB: not scored)",
        ),
        (
            "Vulnerability",
            f"deprived-fifth ratio edges {vu['deprived_ratio_bands']}; repeat share edges {vu['repeat_share_bands']}; under-18 victims share edges "
            f"{vu['young_share_bands']} (the highest of the three); "
            f"{vu['children']} for an issue concerning children"
            + (
                f"; at least {vu.get('partner_flag', 3)} for a ward whose rate of a partner "
                "indicator is significantly above the district's"
                if partner_flags
                else ""
            ),
        ),
        (
            "Concentration",
            f"top 10% LSOA share edges {c['top10_share_bands']}; ward rate / district edges {c['ward_ratio_bands']}",
        ),
        (
            "Confidence",
            f"count edges {cf['count_bands']} give {cf['values']}; x{cf['synthetic']} for synthetic data; "
            + (
                "multiplies the score"
                if cf.get("multiplies")
                else "shown beside the score, not multiplied into it (only a synthetic "
                f"issue's score is multiplied, by {cf['synthetic']})"
            ),
        ),
        (
            "Missing measure",
            f"scores {rules['missing_score']}, marked 'not scored'; vulnerability needs "
            f"{vu.get('min_count', 0)}+ crimes and concentration {c.get('min_count', 0)}+",
        ),
        ("Ties", "equal scores share a rank (shown '=5'); never broken by name"),
        (
            "Sensitivity",
            f"each weight moved by +/-{rules['sensitivity']:.0%}, one at a time; then {rules.get('n_sims', 0):,} runs varying all at once",
        ),
    ]
    return pd.DataFrame(rows, columns=["Rule", "Value"])


def harm_source_line(ctx) -> str:
    """One line under the matrix naming the harm source (the full note is under the measures)."""
    h = harm_input(ctx)
    src = h.source if h.default else f"the partnership's own table ({h.source})"
    skipped = ", ".join(h.no_score)
    tail = f"; {skipped}: harm not scored (no weight)" if skipped else ""
    return f"Harm scores: {src}, banded 1-4{tail}. How the bands are set: the harm note below."


def harm_note(ctx, rules: dict) -> str:
    """Where the harm scores come from: the cited default (CCHI) or the partnership's own table."""
    h = harm_input(ctx)
    banded = f" Banded into scores 1-4: {band_text(rules['harm']['weight_bands'])}."
    asb = " ".join(
        f"{t} has no harm score ({why}): its harm is not scored (neutral)."
        for t, why in h.no_score.items()
    )
    themed = (
        " Theme measures with no police.uk category (domestic abuse, night-time violence, child "
        "sexual exploitation) take the band set in the scoring rules."
    )
    return h.sentence() + banded + (" " + asb if asb else "") + themed


def stability_display(stab: pd.DataFrame, top_n: int, n: int = 10) -> pd.DataFrame:
    """Monte Carlo rank stability (:func:`sa_lib.stats.priority.rank_stability`) of the top ``n`` issues."""
    t = stab.head(n)
    return pd.DataFrame(
        {
            "Rank": t["rank"].astype("int64"),
            "Issue": t["issue"],
            f"In the top {top_n}": [f"{v:.0%}" for v in t["share_top"]],
            "Median simulated rank": t["median_rank"].round(0).astype("int64"),
            "Rank range (90% of runs)": [
                f"{lo:.0f} to {hi:.0f}"
                for lo, hi in zip(t["rank_low"], t["rank_high"], strict=True)
            ],
        }
    )


def sensitivity_sentence(sens: pd.DataFrame, top_n: int) -> str:
    """One sentence on the sensitivity check."""
    same = int(sens["top_same"].sum())
    moved = sorted(
        {i for s in sens["entered"].tolist() + sens["left"].tolist() for i in s.split("; ") if i}
    )
    if same == len(sens):
        return f"The top {top_n} priorities are the same whichever weight moves by half: the ranking is robust."
    return (
        f"The top {top_n} stays the same in {same} of {len(sens)} weight changes; the issues moving "
        f"in or out of it ({', '.join(moved)}) are close calls."
    )
