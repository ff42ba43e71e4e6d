"""Published tables: the HTML table with disclosure control, summary tables, rankings, withheld rows.

Count cells are rendered with ``class="sa-count"`` and a ``data-sa-count``
attribute carrying the shown value, so :mod:`sa_lib.stats.disclosure` can scan the
exported HTML for any count below the threshold. A ranked table never ranks a row
whose count is withheld (:func:`top_ranked`, :func:`rank_shown_first`), and one
suppression decision per table (:func:`hidden_counts`) serves the table, its map
and its findings.

Examples
--------
>>> import pandas as pd
>>> html = table_html(pd.DataFrame({"ward": ["A"], "count": [3]}), count_cols=["count"], threshold=10)
>>> "&lt;10" in html and ">3<" not in html
True
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sa_lib.themes import results as _results
from sa_lib.themes.formatting import change_text
from sa_lib.themes.page import note

__all__ = [
    "NOT_AVAILABLE",
    "table_html",
    "show_table",
    "top_ranked",
    "summary_display",
    "show_summary",
    "rank_shown_first",
    "withheld",
    "hidden_counts",
    "shown_wards",
    "top_shown",
]


def table_html(
    df: pd.DataFrame,
    *,
    count_cols: Sequence[str] = (),
    decimals: dict[str, int] | None = None,
    pct_cols: Sequence[str] = (),
    threshold: int | None = None,
    secondary: bool = True,
    suppress_zero: bool = False,
    derived: dict[str, Sequence[str]] | None = None,
    caption: str | None = None,
    suppressed: pd.DataFrame | None = None,
    lines: str = "both",
    not_count_cols: Sequence[str] = (),
) -> str:
    """Render a DataFrame as an accessible HTML table with disclosure control.

    Parameters
    ----------
    df : DataFrame
        What to show (column names are used as headers).
    count_cols : sequence of str
        Columns holding counts. With ``threshold``, they pass through
        :func:`sa_lib.stats.disclosure.suppress_table`: counts from 1 to threshold-1 show
        as ``<threshold``, and (``secondary``) complementary cells as ``[c]`` so that
        no suppressed cell can be recovered from row or column totals. Count cells
        get ``class="sa-count"`` and ``data-sa-count`` (the scan's contract).
    decimals : dict, optional
        Decimal places per column (default 1 for floats).
    pct_cols : sequence of str
        Columns shown with a % sign.
    threshold : int, optional
        Disclosure threshold (None: no suppression).
    secondary, suppress_zero : bool
        Passed to :func:`sa_lib.stats.disclosure.suppress_table`.
    derived : dict, optional
        ``{column: [count columns it was computed from]}``: a rate, interval or
        percentage is hidden (``[c]``) when any of its counts is suppressed.
    suppressed : DataFrame of bool, optional
        Further cells to hide, aligned with ``df``.
    not_count_cols : sequence of str
        Whole-number columns that are not counts of people or crimes (days, ranks,
        years): marked ``sa-not-count`` so the disclosure scan leaves them alone.
    lines : {"both", "columns", "rows"}
        Which lines have published totals (see :func:`sa_lib.stats.disclosure.suppress_table`);
        ``"columns"`` for tables whose columns are periods.

    Returns
    -------
    str
        HTML.
    """
    from sa_lib.themes.render import table_html as _render

    return _render(
        _results.table(
            df,
            count_cols=count_cols,
            decimals=decimals,
            pct_cols=pct_cols,
            threshold=threshold,
            secondary=secondary,
            suppress_zero=suppress_zero,
            derived=derived,
            caption=caption,
            suppressed=suppressed,
            lines=lines,
            not_count_cols=not_count_cols,
        )
    )


#: What a table shows for a period the store does not hold (never a zero).
NOT_AVAILABLE = "not available"


def show_table(df: pd.DataFrame, **kwargs) -> None:
    """Show a table (see :func:`table_html` for the options): added to the open result
    section (:mod:`sa_lib.themes.results`), or displayed in a notebook cell."""
    _results.emit(_results.table(df, **kwargs))


def _demote_suppressed(
    t: pd.DataFrame, ctx, label_col: str, whole: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows whose current count is withheld go last, in label order.

    A table ranked by rate (or count) would otherwise place a suppressed row by its
    hidden value, and its position would bound the rate it hides. ``whole``: the table
    ``t`` is part of (the top wards of every ward), on which withholding is decided.
    """
    dis = getattr(ctx, "disclosure", None)
    if dis is None or "count_current" not in t or t.empty:
        return t
    c = t["count_current"]
    hidden = ((c > 0) & (c < dis.threshold)) | ((c == 0) & dis.suppress_zero)
    gone = withheld(t if whole is None else whole, ctx, label_col)
    hidden = hidden.to_numpy(dtype=bool) | t[label_col].isin(gone).to_numpy()
    if not hidden.any():
        return t
    shown = t[~hidden]
    rest = t[hidden].sort_values(label_col, kind="mergesort")
    return pd.concat([shown, rest])


def top_ranked(t: pd.DataFrame, ctx, n: int, label_col: str = "ward_name") -> pd.DataFrame:
    """The first ``n`` rows of a ranked table among rows whose current count is shown.

    Taking ``t.head(n)`` of a table ranked by rate would tell a reader that a ward
    with a suppressed count is among the ``n`` highest rates, which bounds its count.
    Rows whose count is withheld (primary or complementary) are left out of the
    ranking instead; the caption should say "wards with fewer than N crimes are not
    ranked".

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sa_lib.data.periods import parse_period
    >>> from sa_lib.pack.context import EffectiveDisclosure
    >>> ctx = SimpleNamespace(periods={"current": parse_period("2025-Q4")},
    ...     disclosure=EffectiveDisclosure(threshold=10, secondary=False))
    >>> t = pd.DataFrame({"ward_name": ["A", "B", "C"], "count_current": [5, 50, 40]})
    >>> top_ranked(t, ctx, 2)["ward_name"].tolist()
    ['B', 'C']
    """
    ranked = _demote_suppressed(t, ctx, label_col)
    dis = getattr(ctx, "disclosure", None)
    c = ranked["count_current"] if "count_current" in ranked else None
    if c is None or dis is None:
        return t.head(n)
    hidden = ((c > 0) & (c < dis.threshold)) | ((c == 0) & dis.suppress_zero)
    hidden = (
        hidden.to_numpy(dtype=bool) | ranked[label_col].isin(withheld(t, ctx, label_col)).to_numpy()
    )
    return ranked[~hidden].head(n)


def summary_display(
    t: pd.DataFrame,
    ctx,
    label_col: str = "crime_type",
    label: str = "Crime type",
    rate_label: str | None = None,
    full: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reshape a :mod:`sa_lib.themes.summary` table into the columns a reader sees.

    Returns a new DataFrame: the label, each period's count (headed with its
    label), the annualised rate with its confidence interval, and the change
    against each comparison period with its significance ("n.s." = not
    significant at the report's alpha).
    """
    t = _demote_suppressed(t, ctx, label_col, whole=full)
    # "All crime" in these tables excludes ASB: say so wherever it is shown.
    out = pd.DataFrame({label: t[label_col].replace({"All crime": "All crime (excluding ASB)"})})
    for key, p in ctx.periods.items():
        if f"count_{key}" in t:
            out[f"{p.label}"] = t[f"count_{key}"].astype("int64")
    out[f"Rate {rate_label or ctx.rate_label} a year"] = t["rate"].round(1)
    out["95% CI" if ctx.stats.conf_level == 0.95 else f"{ctx.stats.conf_level:.0%} CI"] = [
        f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–"
        for lo, hi in zip(t["rate_lower"], t["rate_upper"], strict=True)
    ]
    for key in ("last_year", "previous", "baseline"):
        if f"label_vs_{key}" in t:
            per_day = f"per_day_vs_{key}" in t and bool(t[f"per_day_vs_{key}"].any())
            out[f"vs {ctx.periods[key].label}"] = [
                change_text(p, lab, per_day=per_day)
                for p, lab in zip(t[f"pct_vs_{key}"], t[f"label_vs_{key}"], strict=True)
            ]
    # A period the store does not hold: shown, never as zero, and nothing computed from it.
    for key, p in (getattr(ctx, "unavailable", {}) or {}).items():
        if key == "current" or p.label in out.columns:
            continue
        out[p.label] = NOT_AVAILABLE
        out[f"vs {p.label}"] = NOT_AVAILABLE
    return out


def show_summary(
    t: pd.DataFrame,
    ctx,
    label_col: str = "crime_type",
    label: str = "Crime type",
    caption: str | None = None,
    rate_label: str | None = None,
    full: pd.DataFrame | None = None,
) -> None:
    """Display a summary table with disclosure control on counts and on what is derived from them.

    ``full``: the whole table when ``t`` shows only some of its rows (the top wards):
    suppression is decided on the whole table (:func:`hidden_counts`), so a count is
    hidden in the part exactly when it is hidden everywhere else (maps, findings).
    A ward table lists wards whose current count is hidden after the ranked ones
    (:func:`rank_shown_first`).

    An empty table (for example a ward ranking where every ward's count is withheld)
    is shown as a sentence saying so, not as an empty table.
    """
    if len(t) == 0:
        what = caption.split(" (")[0] if caption else "This table"
        note(
            f"{what}: nothing to show. Every row's count is below the disclosure "
            f"threshold of {ctx.disclosure.threshold}, so none is ranked or shown."
        )
        return
    d = summary_display(t, ctx, label_col, label, rate_label, full=full)
    labels = {key: p.label for key, p in ctx.periods.items() if p.label in d.columns}
    counts = list(dict.fromkeys(labels.values()))
    cur = labels["current"]
    derived = {c: [cur] for c in d.columns if c.startswith("Rate") or c.endswith("CI")}
    for key in ("last_year", "previous", "baseline"):
        col = f"vs {ctx.periods[key].label}" if key in ctx.periods else None
        if col in d.columns:
            derived[col] = [cur, labels[key]]
    dis = ctx.disclosure
    whole = t if full is None else full
    mask = hidden_counts(whole, ctx)
    pos = {v: i for i, v in enumerate(whole[label_col].to_numpy())}
    # summary_display may reorder rows (suppressed ones last): follow its order.
    rows = [pos[v] for v in _demote_suppressed(t, ctx, label_col, whole=full)[label_col].to_numpy()]
    hide = pd.DataFrame(False, index=range(len(d)), columns=d.columns)
    for key, lab in labels.items():
        if f"count_{key}" in mask:
            hide[lab] = mask[f"count_{key}"].to_numpy()[rows]
    for col, sources in derived.items():
        hide[col] = hide[sources].any(axis=1)
    unranked = 0
    if label_col == "ward_name" and hide[cur].any():
        shown = [i for i in range(len(d)) if not hide[cur].iloc[i]]
        moved = sorted(
            (i for i in range(len(d)) if hide[cur].iloc[i]), key=lambda i: str(d[label].iloc[i])
        )
        d = d.iloc[shown + moved].reset_index(drop=True)
        hide = hide.iloc[shown + moved].reset_index(drop=True)
        unranked = len(moved)
    show_table(
        d,
        count_cols=counts,
        threshold=dis.threshold,
        secondary=False,
        suppress_zero=dis.suppress_zero,
        derived=derived,
        caption=caption,
        suppressed=hide,
        lines="columns",
    )
    if unranked:
        what = "ward in this table is" if unranked == 1 else f"{unranked} wards in this table are"
        note(
            f"The last {what} not ranked: a suppressed count for {cur} is not ranked, so "
            "it is listed after the ranked wards, alphabetically."
        )


def rank_shown_first(
    d: pd.DataFrame, counts: Sequence[str], current: str, label: str, dis
) -> tuple[pd.DataFrame, int]:
    """Reorder a ranked table so that rows whose current count is suppressed come last, by name.

    A ward is ranked only when its count is shown: a rank (or a place between two
    shown rates) would otherwise say how big the hidden count is. Returns the new
    table and how many rows were moved.

    Examples
    --------
    >>> from sa_lib.pack.context import EffectiveDisclosure
    >>> t = pd.DataFrame({"Ward": ["B", "A", "C"], "Now": [3, 50, 40], "Then": [30, 20, 25]})
    >>> out, n = rank_shown_first(t, ["Now", "Then"], "Now", "Ward",
    ...                           EffectiveDisclosure(threshold=10, secondary=False))
    >>> out["Ward"].tolist(), n
    (['A', 'C', 'B'], 1)
    """
    if not dis.threshold or dis.threshold <= 1 or d.empty:
        return d, 0
    from sa_lib.stats.disclosure import suppress_table

    res = suppress_table(
        d[list(counts)].reset_index(drop=True),
        list(counts),
        threshold=dis.threshold,
        secondary=dis.secondary,
        suppress_zero=dis.suppress_zero,
        lines="columns",
    )
    hidden = res.suppressed[current].to_numpy()
    if not hidden.any():
        return d, 0
    d = d.reset_index(drop=True)
    shown = [i for i in range(len(d)) if not hidden[i]]
    moved = sorted((i for i in range(len(d)) if hidden[i]), key=lambda i: str(d[label].iloc[i]))
    return d.iloc[shown + moved].reset_index(drop=True), len(moved)


def withheld(t: pd.DataFrame, ctx, label_col: str = "crime_type", key: str | None = None) -> set:
    """Labels of a summary table whose counts are hidden as complements (secondary suppression).

    Findings must not quote these counts (they are not small, but with the totals
    they would reveal a small one). Primary-suppressed counts are written
    "fewer than N" by :mod:`sa_lib.themes.findings` and are not listed here. With ``key``,
    only the current period and that comparison period are checked.
    """
    from sa_lib.stats.disclosure import suppress_table

    cols = list(dict.fromkeys(f"count_{k}" for k in ctx.periods if f"count_{k}" in t))
    dis = ctx.disclosure
    if not dis.secondary or not cols or t.empty:
        return set()
    res = suppress_table(
        t[cols].reset_index(drop=True),
        cols,
        threshold=dis.threshold,
        secondary=True,
        suppress_zero=dis.suppress_zero,
        lines="columns",
    )
    hidden = res.suppressed & ~res.primary
    if key is not None:
        hidden = hidden[[c for c in ("count_current", f"count_{key}") if c in hidden]]
    secondary = hidden.any(axis=1).to_numpy()
    return set(t[label_col].to_numpy()[secondary])


def hidden_counts(t: pd.DataFrame, ctx) -> pd.DataFrame:
    """Which ``count_<period>`` cells of a whole summary table disclosure control hides.

    The one decision for every count of the table: the table (shown whole or in part,
    see ``full`` in :func:`show_summary`), its map tooltips and its findings all read
    it. Returns a boolean DataFrame with the ``count_<period>`` columns, aligned with
    ``t``'s rows (all False when nothing is suppressed).
    """
    from sa_lib.stats.disclosure import suppress_table

    cols = list(dict.fromkeys(f"count_{k}" for k in ctx.periods if f"count_{k}" in t))
    dis = ctx.disclosure
    hidden = pd.DataFrame(False, index=range(len(t)), columns=cols)
    if not cols or t.empty or dis.threshold <= 1:
        return hidden
    res = suppress_table(
        t[cols].reset_index(drop=True),
        cols,
        threshold=dis.threshold,
        secondary=dis.secondary,
        suppress_zero=dis.suppress_zero,
        lines="columns",
    )
    return res.suppressed.reset_index(drop=True).astype(bool)


def shown_wards(wards: pd.DataFrame, ctx) -> pd.DataFrame:
    """A ranked ward table cut to the wards whose current count is shown, for findings.

    Empty when the top ward's count is hidden: then no ward can be called the
    highest (the next one down is not). Hidden wards are never named as leaders.
    """
    if top_shown(wards, ctx) is None:
        return wards.iloc[0:0]
    hidden = hidden_counts(wards, ctx)
    if "count_current" not in hidden:
        return wards
    keep = ~hidden["count_current"].to_numpy()
    keep &= wards["count_current"].to_numpy() >= ctx.disclosure.threshold
    return wards[keep]


def top_shown(wards: pd.DataFrame, ctx):
    """The top ward of a ranked ward table when its current count is shown, else None.

    A finding names "the highest" ward only when its count is published: a ward
    hidden as a small count or a complement is not ranked (see :func:`show_summary`),
    and the next ward down is not "the highest" either, so there is then no such finding.
    """
    if wards.empty:
        return None
    hidden = hidden_counts(wards, ctx)
    if "count_current" in hidden and bool(hidden["count_current"].iloc[0]):
        return None
    row = wards.iloc[0]
    return row if row["count_current"] >= ctx.disclosure.threshold else None
