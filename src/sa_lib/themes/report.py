"""Display helpers for theme notebooks: header, tables, findings, methods, synthetic labels.

Notebooks stay thin: they call these to show results, so every theme looks the
same and every published table passes through disclosure control.

Count cells are rendered with ``class="sa-count"`` and a ``data-sa-count``
attribute carrying the shown value, so :mod:`sa_lib.stats.disclosure` can scan the
exported HTML for any count below the threshold.

Examples
--------
>>> import pandas as pd
>>> html = table_html(pd.DataFrame({"ward": ["A"], "count": [3]}), count_cols=["count"], threshold=10)
>>> "&lt;10" in html and ">3<" not in html
True
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from sa_lib.choices import choices_table
from sa_lib.themes import results as _results

__all__ = [
    "table_html",
    "show_table",
    "show_header",
    "show_findings",
    "show_methods",
    "synthetic_banner",
    "note",
    "setup_notebook",
]


def _fmt_num(v: object, decimals: int) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "–"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):,.{decimals}f}"
    return str(v)


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


def synthetic_caption(caption: str | None) -> str | None:
    """Prefix "SYNTHETIC DATA" to a data table's caption on a synthetic page (so a copied
    table keeps its label); police.uk tables and real pages are left alone.

    Examples
    --------
    >>> synthetic_caption("Victims by age")
    'Victims by age'
    """
    cap = caption or ""
    synthetic = _PAGE["synthetic"] or (_PAGE["extract_synthetic"] and "extract" in cap.lower())
    if not synthetic or "police.uk" in cap or cap.upper().startswith("SYNTHETIC"):
        return caption
    return f"SYNTHETIC DATA: {cap}" if cap else "SYNTHETIC DATA"


#: What a table shows for a period the store does not hold (never a zero).
NOT_AVAILABLE = "not available"


def show_table(df: pd.DataFrame, **kwargs) -> None:
    """Show a table (see :func:`table_html` for the options): added to the open result
    section (:mod:`sa_lib.themes.results`), or displayed in a notebook cell."""
    _results.emit(_results.table(df, **kwargs))


#: Plain-English names of the multiple-comparison corrections (the parameter value -> words).
CORRECTION_WORDS = {
    "fdr_bh": "false discovery rate correction",
    "bonferroni": "Bonferroni correction",
    "holm": "Holm correction",
    "none": "no correction for many comparisons",
}


def correction_words(method: str) -> str:
    """A multiple-comparison correction in words, for partner pages.

    Examples
    --------
    >>> correction_words("fdr_bh")
    'false discovery rate correction'
    """
    return CORRECTION_WORDS.get(str(method), str(method).replace("_", " "))


#: Settings named in words on partner pages (parameters key -> words).
SETTING_WORDS = {
    "statistics.alpha": "significance level",
    "statistics.conf_level": "confidence level of intervals",
    "statistics.correction": "correction for many comparisons",
    "statistics.seed": "random seed (makes random steps repeatable)",
    "statistics.rate_per": "rates per this many residents",
    "statistics.permutations": "number of random permutations",
    "data.extract": "the force extract setting",
    "data.harm_weights": "the harm weights setting",
    "data.force_counts": "the force-wide counts setting",
}

_SETTING = re.compile(
    r"`?\b(?:data|statistics|disclosure|hotspots|place_profile|violence|domestic_abuse|cse|"
    r"overview|comparison|run|csp|targets)\.([a-z][a-z0-9_]*)\b`?"
)
_PATH = re.compile(r"`?(?:[\w.-]+/)*([\w-]+?)(?:_template)?((?:\.[a-z]{2,7})+)`?")
_FILE_EXT = (
    ".csv",
    ".gz",
    ".py",
    ".yaml",
    ".yml",
    ".parquet",
    ".geojson",
    ".md",
    ".ipynb",
    ".json",
)


def plain_english(text: str) -> str:
    """Rewrite developer text for partner pages: settings, file paths, module names, method ids.

    Settings become words ("the cell size setting"), files their name in words ("the ward
    indicators 2025 file"), ``sa_lib`` modules "the workbench", and "fdr_bh" the false
    discovery rate. Scientific notation is left to the number formatters.

    Examples
    --------
    >>> plain_english("set in hotspots.cell_size; see data/sample/x_y.csv and sa_lib.stats.rates (fdr_bh)")
    'set in the cell size setting; see the x y file and the workbench (false discovery rate)'
    >>> plain_english("statistics.seed")
    'random seed (makes random steps repeatable)'
    >>> plain_english("no eligible crimes (2024Q1, 2024Q2)")
    'no eligible crimes (Q1 2024, Q2 2024)'
    """
    if not isinstance(text, str) or not text:
        return text
    for key, words in SETTING_WORDS.items():
        text = text.replace(f"`{key}`", words).replace(key, words)
    text = _SETTING.sub(lambda m: f"the {m.group(1).replace('_', ' ')} setting", text)
    text = re.sub(r"`?\bsa_lib(?:\.[a-z_]+)*`?", "the workbench", text)

    def path(m: re.Match) -> str:
        if not m.group(2).endswith(_FILE_EXT):
            return m.group(0)
        return f"the {m.group(1).replace('_', ' ')} file"

    text = _PATH.sub(path, text)
    text = re.sub(r"\bfdr_bh\b", "false discovery rate", text)
    # The pack's one style for quarters: "Q1 2024", not "2024Q1".
    text = re.sub(r"\b(\d{4})Q([1-4])\b", r"Q\2 \1", text)
    return text


def show_header(
    ctx, subtitle: str, synthetic: bool = False, partly_synthetic: bool = False
) -> None:
    """Show the report's title block: CSP, theme, period, comparisons and settings.

    ``synthetic``: the page is built on synthetic data (every chart and data table is
    labelled); ``partly_synthetic``: only the force-extract parts are (the banner is
    shown, and charts and tables that name the extract are labelled).

    The block carries ``data-sa-period``, ``data-sa-against`` (the same period last
    year, else the previous period) and ``data-sa-produced`` for the page furniture
    (:mod:`sa_lib.pack.furniture`: the key-findings call-out and the print cover).
    """
    p = ctx.periods
    comp = ", ".join(f"{k.replace('_', ' ')}: {v.label}" for k, v in p.items() if k != "current")
    missing = getattr(ctx, "unavailable", {}) or {}
    if missing:
        comp += (", " if comp else "") + ", ".join(
            f"{k.replace('_', ' ')}: {v.label} (not available)" for k, v in missing.items()
        )
    against = p.get("last_year") or p.get("previous")
    syn = synthetic_banner_html() if (synthetic or partly_synthetic) else ""
    _PAGE["synthetic"] = bool(synthetic)
    _PAGE["extract_synthetic"] = bool(synthetic or partly_synthetic)
    alpha = float(ctx.stats["alpha"])
    produced = f"{date.today():%d %B %Y}"
    dis = ctx.disclosure
    strict = dis.get("strict", dis)
    if dis.get("published"):
        suppression = (
            "police.uk counts shown as police.uk publishes them; force-extract counts below "
            f"{strict['threshold']} suppressed"
        )
    else:
        suppression = f"counts below {dis['threshold']} suppressed"
    attrs = (
        f' data-sa-period="{_html.escape(ctx.period.label, quote=True)}"'
        f' data-sa-against="{_html.escape(against.label if against else "", quote=True)}"'
        f' data-sa-produced="produced {produced}"'
        f' data-sa-published-counts="{"show" if dis.get("published") else "suppress"}"'
        f' data-sa-synthetic="{"page" if synthetic else "part" if partly_synthetic else "none"}"'
    )
    _results.emit_html(
        f'<div class="sa-header"{attrs}><p class="sa-kicker">{_html.escape(ctx.params["title"])}</p>'
        f"<p><strong>{_html.escape(subtitle)}</strong> · period {_html.escape(ctx.period.label)}"
        f" · compared with {_html.escape(comp)}</p>"
        f"<p>Population (Census 2021): {ctx.geo.population:,} · {len(ctx.geo.wards)} wards · "
        f"{len(ctx.geo.lsoas)} neighbourhoods (LSOAs) · rates {ctx.rate_label} · a change is "
        f"called significant at the {alpha:.0%} level ({correction_words(ctx.stats['correction'])})"
        f" · {suppression} · produced {produced}</p>"
        f"{syn}</div>"
    )


def new_result(ctx, theme: str, title: str):
    """Start a theme's result: page state reset, chart style set, periods named from ``ctx``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sa_lib.data.periods import parse_period
    >>> ctx = SimpleNamespace(period=parse_period("2025-Q4"), periods={"current": parse_period("2025-Q4")})
    >>> new_result(ctx, "demo", "Demo").period_label
    'Q4 2025 (Oct-Dec)'
    """
    from sa_lib import style

    style.apply()
    _PAGE.update(synthetic=False, extract_synthetic=False)
    p = ctx.periods
    against = p.get("last_year") or p.get("previous")
    return _results.ThemeResult(
        theme=theme,
        title=title,
        period_label=ctx.period.label,
        against_label=against.label if against else "",
    )


def show_findings(findings: Sequence[str]) -> None:
    """Display key findings as a bulleted list."""
    _results.emit(
        _results.Findings(
            [f if isinstance(f, _results.Finding) else _results.Finding(str(f)) for f in findings]
        )
    )


def show_methods(ctx, extra: dict[str, object] | None = None) -> None:
    """Show the statistical settings and every value the library chose for itself."""
    t = choices_table()
    if extra:
        t = pd.concat(
            [
                t,
                pd.DataFrame(
                    [
                        {"choice": k, "value": str(v), "reason": "", "source": "report"}
                        for k, v in extra.items()
                    ]
                ),
            ],
            ignore_index=True,
        )
    show_table(t)


def synthetic_banner_html() -> str:
    return (
        '<div class="sa-synthetic" role="note"><strong>SYNTHETIC DATA.</strong> Parts of this page use '
        "synthetic data (a force extract or partner indicators that are not public) generated by the "
        "workbench over the real LSOAs and wards. It is realistic in shape but not real: do not use it "
        "for decisions.</div>"
    )


def synthetic_banner() -> None:
    """Display the synthetic-data label used on every page with synthetic data.

    Charts shown after it whose title names the force extract are stamped "SYNTHETIC
    DATA" (see :func:`chart_png`).
    """
    _PAGE["extract_synthetic"] = True
    _results.emit_html(synthetic_banner_html())


def note(text: str) -> None:
    """Display a short highlighted note (e.g. what is missing and why)."""
    _results.emit(_results.Note(text))


#: Page state for the chart formatter: whether the page's charts are built from synthetic data.
_PAGE = {"synthetic": False, "extract_synthetic": False}


def chart_png(fig, synthetic: bool | None = None, with_flag: bool = False):
    """A chart as PNG with its alt text in the metadata (the exporter puts it in ``alt``).

    On a page marked synthetic (:func:`show_header` with ``synthetic=True`` or
    :func:`synthetic_banner`) a chart whose title does not say it is police.uk data is
    stamped "SYNTHETIC DATA" first; ``synthetic`` True or False decides it instead.
    With ``with_flag`` the result is ``(png, metadata, stamped)``.
    """
    from IPython.core.pylabtools import print_figure

    from sa_lib.themes.alt_text import describe_figure, watermark_synthetic

    titles = " ".join(
        [a.get_title(loc) for a in fig.axes for loc in ("left", "center", "right")]
        + [t.get_text() for t in fig.texts]
        + [fig._suptitle.get_text() if fig._suptitle else ""]
    )
    from_extract = "extract" in titles.lower() or "synthetic" in titles.lower()
    if synthetic is None:
        synthetic = (_PAGE["synthetic"] and "police.uk" not in titles) or (
            _PAGE["extract_synthetic"] and from_extract
        )
    if synthetic:
        watermark_synthetic(fig)
    data = print_figure(fig, "png", bbox_inches="tight")
    if with_flag:
        return data, {"alt": describe_figure(fig)}, bool(synthetic)
    return data, {"alt": describe_figure(fig)}


def _register_chart_formatter() -> None:
    try:
        from IPython import get_ipython
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return

    def register(*_args) -> None:
        # matplotlib's inline backend re-selects its own formatters when it activates.
        ip.display_formatter.formatters["image/png"].for_type(Figure, chart_png)

    register()
    # Before the inline backend's own post-execute flush, which displays open figures.
    for event in ("pre_execute", "post_execute"):
        if register not in ip.events.callbacks[event]:
            ip.events.register(event, register)


def setup_notebook() -> None:
    """Prepare a theme notebook: chart style, and warnings shown as readable notes.

    Library warnings (likely mistakes in the data or settings) appear in the
    report as highlighted notes rather than as raw stderr with file paths.
    """
    import logging
    import warnings

    from sa_lib import style

    style.apply()

    def _show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, UserWarning) and not issubclass(category, DeprecationWarning):
            _results.emit(_results.Note(str(message), level="warning"))

    warnings.showwarning = _show
    warnings.simplefilter("default", UserWarning)
    _PAGE.update(synthetic=False, extract_synthetic=False)
    _register_chart_formatter()
    logging.getLogger("sa_lib").setLevel(logging.INFO)


def _change_text(pct: float, label: str) -> str:
    if label.startswith("new"):
        return (
            "new (was 0) significant" if "significant increase" in label else "new (was 0) (n.s.)"
        )
    if label.startswith("no change (both"):
        return "–"
    sign = "+" if pct > 0 else ""
    pct_txt = f"{sign}{pct:.0f}%" if pd.notna(pct) else ""
    if label.startswith("significant"):
        return f"{pct_txt} significant"
    return f"{pct_txt} (n.s.)" if pct_txt else label


def _demote_suppressed(t: pd.DataFrame, ctx, label_col: str) -> pd.DataFrame:
    """Rows whose current count is withheld go last, in label order.

    A table ranked by rate (or count) would otherwise place a suppressed row by its
    hidden value, and its position would bound the rate it hides.
    """
    dis = getattr(ctx, "disclosure", None)
    if not dis or "count_current" not in t or t.empty:
        return t
    c = t["count_current"]
    hidden = ((c > 0) & (c < dis["threshold"])) | ((c == 0) & bool(dis.get("suppress_zero")))
    hidden = hidden.to_numpy(dtype=bool) | t[label_col].isin(withheld(t, ctx, label_col)).to_numpy()
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
    >>> ctx = SimpleNamespace(periods={"current": parse_period("2025-Q4")},
    ...     disclosure={"threshold": 10, "secondary": False, "suppress_zero": False})
    >>> t = pd.DataFrame({"ward_name": ["A", "B", "C"], "count_current": [5, 50, 40]})
    >>> top_ranked(t, ctx, 2)["ward_name"].tolist()
    ['B', 'C']
    """
    ranked = _demote_suppressed(t, ctx, label_col)
    dis = getattr(ctx, "disclosure", None) or {}
    c = ranked["count_current"] if "count_current" in ranked else None
    if c is None or not dis:
        return t.head(n)
    hidden = ((c > 0) & (c < dis["threshold"])) | ((c == 0) & bool(dis.get("suppress_zero")))
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
) -> pd.DataFrame:
    """Reshape a :mod:`sa_lib.themes.summary` table into the columns a reader sees.

    Returns a new DataFrame: the label, each period's count (headed with its
    label), the annualised rate with its confidence interval, and the change
    against each comparison period with its significance ("n.s." = not
    significant at the report's alpha).
    """
    t = _demote_suppressed(t, ctx, label_col)
    # "All crime" in these tables excludes ASB: say so wherever it is shown.
    out = pd.DataFrame({label: t[label_col].replace({"All crime": "All crime (excluding ASB)"})})
    for key, p in ctx.periods.items():
        if f"count_{key}" in t:
            out[f"{p.label}"] = t[f"count_{key}"].astype("int64")
    out[f"Rate {rate_label or ctx.rate_label} a year"] = t["rate"].round(1)
    out["95% CI" if ctx.stats["conf_level"] == 0.95 else f"{ctx.stats['conf_level']:.0%} CI"] = [
        f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–"
        for lo, hi in zip(t["rate_lower"], t["rate_upper"], strict=True)
    ]
    for key in ("last_year", "previous", "baseline"):
        if f"label_vs_{key}" in t:
            out[f"vs {ctx.periods[key].label}"] = [
                _change_text(p, lab)
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
            f"threshold of {ctx.disclosure['threshold']}, so none is ranked or shown."
        )
        return
    d = summary_display(t, ctx, label_col, label, rate_label)
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
    rows = [pos[v] for v in _demote_suppressed(t, ctx, label_col)[label_col].to_numpy()]
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
        threshold=dis["threshold"],
        secondary=False,
        suppress_zero=dis["suppress_zero"],
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
    d: pd.DataFrame, counts: Sequence[str], current: str, label: str, dis: dict
) -> tuple[pd.DataFrame, int]:
    """Reorder a ranked table so that rows whose current count is suppressed come last, by name.

    A ward is ranked only when its count is shown: a rank (or a place between two
    shown rates) would otherwise say how big the hidden count is. Returns the new
    table and how many rows were moved.

    Examples
    --------
    >>> t = pd.DataFrame({"Ward": ["B", "A", "C"], "Now": [3, 50, 40], "Then": [30, 20, 25]})
    >>> out, n = rank_shown_first(t, ["Now", "Then"], "Now", "Ward",
    ...                           {"threshold": 10, "secondary": False, "suppress_zero": False})
    >>> out["Ward"].tolist(), n
    (['A', 'C', 'B'], 1)
    """
    if not dis.get("threshold") or dis["threshold"] <= 1 or d.empty:
        return d, 0
    from sa_lib.stats.disclosure import suppress_table

    res = suppress_table(
        d[list(counts)].reset_index(drop=True),
        list(counts),
        threshold=dis["threshold"],
        secondary=dis.get("secondary", True),
        suppress_zero=dis.get("suppress_zero", False),
        lines="columns",
    )
    hidden = res.suppressed[current].to_numpy()
    if not hidden.any():
        return d, 0
    d = d.reset_index(drop=True)
    shown = [i for i in range(len(d)) if not hidden[i]]
    moved = sorted((i for i in range(len(d)) if hidden[i]), key=lambda i: str(d[label].iloc[i]))
    return d.iloc[shown + moved].reset_index(drop=True), len(moved)


def show_breaks(annotations: pd.DataFrame, start, end) -> None:
    """List recording-practice changes: those inside the chart range, then earlier ones."""
    a = annotations.copy()
    # ``end`` is the first day of the chart's last month: the chart runs to that month's end.
    end = pd.Timestamp(end) + pd.offsets.MonthEnd(1)
    inside = a[(a["date"] >= start) & (a["date"] <= end)]
    before = a[a["date"] < start]
    items = []
    for i, r in inside.iterrows():
        items.append(
            f"<li><strong>[{i + 1}] {r['date']:%d %b %Y}</strong>: {_html.escape(r['label'])} ({_html.escape(r['source'])})</li>"
        )
    for _, r in before.iterrows():
        items.append(
            f"<li>Before this series, {r['date']:%d %b %Y}: {_html.escape(r['label'])} ({_html.escape(r['source'])}). "
            "Long-run comparisons across this date are not like for like.</li>"
        )
    if not items:
        items.append(
            "<li>No recorded changes to recording practice are listed for this range.</li>"
        )
    _results.emit_html(
        "<p><strong>Known breaks in the series</strong> (from the annotations table):</p><ul>"
        + "".join(items)
        + "</ul>"
    )


def major_types(types: pd.DataFrame, ctx, n: int = 6) -> list[str]:
    """Crime types given a trend chart: ``overview.major_types`` from the parameters, else the n largest."""
    chosen = (ctx.options or {}).get("major_types")
    if chosen:
        return list(chosen)
    t = types[types["crime_type"] != "All crime"].sort_values("count_current", ascending=False)
    picked = t["crime_type"].head(n).tolist()
    from sa_lib.choices import record_choice

    record_choice(
        "trend chart types", ", ".join(picked), f"the {n} largest categories in the period"
    )
    return picked


def breaks_in_range(
    annotations: pd.DataFrame, dates: pd.Series, crime_type: str | None = None
) -> list:
    """Dates of recording changes (for ``crime_type``) inside the range of ``dates``: SPC limits restart there."""
    from sa_lib.data.annotations import annotations_for

    a = annotations_for(annotations, crime_type)
    lo, hi = pd.Series(dates).min(), pd.Series(dates).max()
    return [d for d in a["date"] if lo < d <= hi]


def show_spc_summary(
    chart: pd.DataFrame, label: str = "All crime (excluding ASB)", threshold: int | None = None
) -> None:
    """One sentence on the latest month of an XmR chart, the special-cause runs, and a table of every flagged month."""
    from sa_lib.themes.findings import spc_runs_sentence, spc_sentence

    lines = [spc_sentence(label, chart, suppress_below=threshold)]
    runs = spc_runs_sentence(label, chart)
    if runs:
        lines.append(runs)
    show_findings(lines)
    flagged = chart[chart["special_cause"]]
    if len(flagged):
        dc = chart.attrs.get("date_col", "date")
        show_table(
            pd.DataFrame(
                {
                    "Month": [f"{d:%b %Y}" for d in flagged[dc]],
                    "Signal": flagged["direction"].map({"high": "high", "low": "low"}),
                    "Rule": flagged["rule"].to_numpy(),
                }
            ),
            caption=f"{label}: every month with special-cause variation",
        )


def _show_fig(fig) -> None:
    _results.emit(_results.figure(fig))


def show_age_sex(table: pd.DataFrame, ctx, title: str) -> None:
    """Show an age x sex table (:func:`sa_lib.stats.profiles.age_sex_table`) and its chart, both disclosure-controlled.

    Suppression (primary and secondary, with the Total row and column as the
    margins) decides which bars the chart may draw.
    """
    from sa_lib.stats.disclosure import suppress_table
    from sa_lib.stats.profiles import plot_age_sex

    dis = ctx.disclosure
    table, footnote = unknown_to_footnote(table, dis["threshold"])
    cols = [c for c in table.columns if c != "age_band"]
    body = table.set_index("age_band")
    res = suppress_table(
        body,
        cols,
        threshold=dis["threshold"],
        secondary=True,
        suppress_zero=dis["suppress_zero"],
        total_row="Total",
        total_col="Total",
    )
    show_table(
        table.rename(columns={"age_band": "Age band"}),
        count_cols=cols,
        threshold=dis["threshold"],
        secondary=False,
        suppressed=res.suppressed.reset_index(drop=True).reindex(
            columns=["Age band", *cols], fill_value=False
        ),
        caption=title,
    )
    if footnote:
        note(footnote)
    hidden = res.suppressed.reset_index(drop=True)
    hidden.insert(0, "age_band", False)
    _show_fig(plot_age_sex(table, hidden, title=title))


def unknown_to_footnote(table: pd.DataFrame, threshold: int) -> tuple[pd.DataFrame, str | None]:
    """Move a small "Unknown" column of an age x sex table into a footnote.

    A column of unknowns with small cells would otherwise force secondary
    suppression across a whole known column. The unknowns leave the table and its
    totals, and the footnote says how many ("fewer than N" when their total is
    small too). Returns the new table and the footnote (None when nothing moved).

    Examples
    --------
    >>> t = pd.DataFrame({"age_band": ["18-24", "Total"], "Female": [50, 50], "Male": [40, 40],
    ...                   "Unknown": [3, 3], "Total": [93, 93]})
    >>> out, text = unknown_to_footnote(t, 10)
    >>> out.columns.tolist(), out["Total"].tolist()
    (['age_band', 'Female', 'Male', 'Total'], [90, 90])
    >>> text
    'Fewer than 10 victims with no recorded sex are left out of this table and its totals.'
    >>> unknown_to_footnote(t.iloc[[0, 0, 1]].assign(age_band=["18-24", "25-34", "Total"],
    ...     Unknown=[3, 9, 12]), 10)[1]
    '12 victims with no recorded sex are left out of this table and its totals (by age they are too few to show).'
    """
    if "Unknown" not in table.columns or threshold <= 1:
        return table, None
    body = table[table["age_band"] != "Total"] if "age_band" in table else table
    cells = body["Unknown"].astype("int64")
    total = int(cells.sum())
    if not ((cells > 0) & (cells < threshold)).any():
        return table, None  # no small cell: the column costs nothing
    out = table.drop(columns="Unknown").copy()
    if "Total" in out.columns:
        known = [c for c in out.columns if c not in ("age_band", "Total")]
        out["Total"] = out[known].sum(axis=1)
    if total == 0:
        return out, None
    how_many = f"Fewer than {threshold}" if total < threshold else f"{total:,}"
    return out, (
        f"{how_many} victims with no recorded sex are left out of this table and its totals "
        "(by age they are too few to show)."
        if total >= threshold
        else f"{how_many} victims with no recorded sex are left out of this table and its totals."
    )


def premises_display(near: pd.DataFrame) -> pd.DataFrame:
    """The licensed-premises comparison (:func:`sa_lib.stats.nte.premises_comparison`) for readers."""
    from sa_lib.themes.findings import format_p

    r = near.iloc[0]
    test = (
        f"{r['rate_ratio']:.1f}× as dense (95% CI {r['rr_lower']:.1f} to {r['rr_upper']:.1f}), "
        + ("significant" if bool(r["significant"]) else "not significant")
        + f", {format_p(float(r['p_value']))}"
    )
    return pd.DataFrame(
        {
            "Zone": near["zone"],
            "Crimes": near["count"].astype("int64"),
            "Area (km²)": near["area_km2"].round(2),
            "Per km²": near["per_km2"].round(1),
            "Test": [test, ""],
        }
    )


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
    if not dis.get("secondary") or not cols or t.empty:
        return set()
    res = suppress_table(
        t[cols].reset_index(drop=True),
        cols,
        threshold=dis["threshold"],
        secondary=True,
        suppress_zero=dis.get("suppress_zero", False),
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
    if not cols or t.empty or dis["threshold"] <= 1:
        return hidden
    res = suppress_table(
        t[cols].reset_index(drop=True),
        cols,
        threshold=dis["threshold"],
        secondary=bool(dis.get("secondary", False)),
        suppress_zero=dis.get("suppress_zero", False),
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
    keep &= wards["count_current"].to_numpy() >= ctx.disclosure["threshold"]
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
    return row if row["count_current"] >= ctx.disclosure["threshold"] else None


def share_display(share: pd.DataFrame, numerator: str, denominator: str, what: str) -> pd.DataFrame:
    """A proportion table (from :func:`sa_lib.stats.rates.proportion_ci`) for readers."""
    return pd.DataFrame(
        {
            "Period": share["label"],
            what: share[numerator].astype("int64"),
            "Out of": share[denominator].astype("int64"),
            "Share": [f"{p:.0%}" if pd.notna(p) else "–" for p in share["proportion"]],
            "95% CI": [
                f"{lo:.0%} to {hi:.0%}" if pd.notna(lo) else "–"
                for lo, hi in zip(share["proportion_lower"], share["proportion_upper"], strict=True)
            ],
        }
    )


def show_share(
    share: pd.DataFrame, ctx, numerator: str, denominator: str, what: str, caption: str
) -> None:
    """Show a proportion table with both counts suppressed and the share hidden with them."""
    d = share_display(share, numerator, denominator, what)
    show_table(
        d,
        count_cols=[what, "Out of"],
        threshold=ctx.disclosure["threshold"],
        secondary=False,
        derived={"Share": [what, "Out of"], "95% CI": [what, "Out of"]},
        caption=caption,
    )


def events_display(effects: pd.DataFrame) -> pd.DataFrame:
    """Event-effect results (:func:`sa_lib.stats.events.event_effects`) for readers."""
    return pd.DataFrame(
        {
            "Event": effects["event"],
            "Days": effects["n_periods"].astype("int64"),
            "Crimes on those days": effects["observed"].astype("int64"),
            "Expected (weekday and season)": effects["expected"].round(1),
            "Rate ratio": effects["rate_ratio"].round(2),
            "95% CI": [
                f"{lo:.2f} to {hi:.2f}" if pd.notna(lo) else "–"
                for lo, hi in zip(effects["rr_lower"], effects["rr_upper"], strict=True)
            ],
            "Adjusted p": [
                ("<0.001" if p < 0.001 else f"{p:.3f}") if pd.notna(p) else "–"
                for p in effects["p_adjusted"]
            ],
            "Result": effects["label"],
        }
    )


def show_events(effects: pd.DataFrame, ctx, caption: str) -> None:
    """Show event effects; anything computed from a suppressed count on event days is hidden."""
    d = events_display(effects)
    obs = "Crimes on those days"
    show_table(
        d,
        count_cols=[obs],
        threshold=ctx.disclosure["threshold"],
        secondary=False,
        derived={
            c: [obs]
            for c in ("Expected (weekday and season)", "Rate ratio", "95% CI", "Adjusted p")
        },
        not_count_cols=["Days"],
        caption=caption,
    )


def require_extract(ctx, what: str) -> pd.DataFrame:
    """Return the force extract, or stop the notebook with a clear error if none is set.

    Themes that cannot say anything without record-level data (domestic abuse)
    fail rather than publish an empty page as if it were complete.
    """
    if ctx.extract is None:
        raise ValueError(
            f"{what} needs a force extract, but data.extract is not set in the parameters. Fix: ingest "
            "your force's extract with `sa ingest-extract --mapping MAPPING.yaml EXTRACT.csv` and set "
            "data.extract to its path, or set data.extract: synthetic to use the shipped synthetic "
            "extract (pages are then labelled synthetic), or remove the theme from `themes`."
        )
    return ctx.extract


def gaps_display(gaps: pd.DataFrame) -> pd.DataFrame:
    """Time-to-repeat summary (:func:`sa_lib.stats.repeat_victims.time_to_repeat`) for readers."""
    g = gaps.iloc[0]

    def pct(key: str) -> str:
        v = g.get(key)
        return f"{v:.0%}" if v is not None and pd.notna(v) else "–"

    return pd.DataFrame(
        {
            "Repeat crimes measured": [int(g["n_gaps"])],
            "Median days": [f"{g['median_days']:.0f}" if pd.notna(g["median_days"]) else "–"],
            "Middle half (days)": [
                f"{g['q1_days']:.0f} to {g['q3_days']:.0f}" if pd.notna(g["q1_days"]) else "–"
            ],
            "Within 30 days": [pct("share_within_30")],
            "Within 90 days": [pct("share_within_90")],
        }
    )


def extract_start(extract: pd.DataFrame) -> pd.Timestamp:
    """The first day of the extract's first recorded month: the start of its coverage."""
    return pd.Period(str(extract["month"].min()), freq="M").start_time


#: Tooltip headings and the columns of :func:`ward_map_frame` that fill them.
WARD_TOOLTIPS = {"Crimes": "tip_count", "Rate": "tip_rate", "Change": "tip_change"}


def ward_map_frame(ctx, wards: pd.DataFrame, rate_label: str | None = None):
    """Wards with their rate for mapping, made safe for publication.

    Returns the CSP's ward polygons with ``rate``, ``count_current`` and
    ``rate_shown`` (NaN where the count is below the disclosure threshold), plus
    text columns for map tooltips (``tip_count``, ``tip_rate``, ``tip_change``) in
    which small counts read "<threshold" and their rates and changes are withheld.
    """
    thr = ctx.disclosure["threshold"]
    cols = ["ward_code", "rate", "rate_lower", "rate_upper", "count_current"]
    extra = [c for c in ("pct_vs_last_year", "label_vs_last_year", "count_last_year") if c in wards]
    m = ctx.geo.wards.merge(wards[cols + extra], on="ward_code")
    small = (m["count_current"] > 0) & (m["count_current"] < thr)
    # One decision per number: a count the ward table hides as a complement ([c]) is
    # hidden on the map too (tooltip, rate and change), not only the small ones.
    mask = hidden_counts(wards, ctx)
    by_code = dict(zip(wards["ward_code"], range(len(wards)), strict=True))
    at = [by_code[c] for c in m["ward_code"]]
    cur_mask = mask["count_current"].to_numpy()[at] if "count_current" in mask else False
    complement = pd.Series(cur_mask, index=m.index, dtype=bool) & ~small
    small = small | complement
    m["rate_shown"] = m["rate"].where(~small)
    m["tip_count"] = [
        ("[c]" if k else f"<{thr}") if s else f"{int(c):,}"
        for s, k, c in zip(small, complement, m["count_current"], strict=True)
    ]
    label = rate_label or ctx.rate_label
    m["tip_rate"] = [
        "withheld (small count)" if s else f"{r:.1f} {label} a year (95% CI {lo:.1f} to {hi:.1f})"
        for s, r, lo, hi in zip(small, m["rate"], m["rate_lower"], m["rate_upper"], strict=True)
    ]
    if "label_vs_last_year" in m:
        ly_small = (m["count_last_year"] > 0) & (m["count_last_year"] < thr)
        if "count_last_year" in mask:
            ly_small = ly_small | pd.Series(mask["count_last_year"].to_numpy()[at], index=m.index)
        m["tip_change"] = [
            "withheld (small count)"
            if (s or s2)
            else _change_text(p, lab) + f" vs {ctx.periods['last_year'].label}"
            for s, s2, p, lab in zip(
                small, ly_small, m["pct_vs_last_year"], m["label_vs_last_year"], strict=True
            )
        ]
    else:
        m["tip_change"] = "–"
    return m


def show_svg(svg: str, caption: str | None = None) -> None:
    """Display an inline SVG figure (e.g. :func:`sa_lib.spatial.maps.svg_choropleth`) with an optional caption."""
    syn = _PAGE["synthetic"] and "police.uk" not in svg
    if syn:
        svg = watermark_svg(svg)
        caption = f"SYNTHETIC DATA. {caption or ''}".strip()
    _results.emit(_results.Figure(svg=svg, caption=caption, synthetic=syn))


def watermark_svg(svg: str) -> str:
    """Stamp "SYNTHETIC DATA" across an inline SVG (from its viewBox), under the pointer.

    Examples
    --------
    >>> out = watermark_svg('<svg viewBox="0 0 200 100"><rect/></svg>')
    >>> "SYNTHETIC DATA</text></svg>" in out and 'rotate(-20 100 50)' in out
    True
    """
    m = re.search(r'viewBox="([-\d.]+)[ ,]+([-\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)"', svg)
    if not m or "</svg>" not in svg:
        return svg
    x, y, w, h = (float(v) for v in m.groups())
    cx, cy = x + w / 2, y + h / 2
    text = (
        f'<text x="{cx:g}" y="{cy:g}" text-anchor="middle" dominant-baseline="middle" '
        f'font-size="{w / 10:g}" font-weight="bold" fill="#8a5a00" fill-opacity="0.25" '
        f'pointer-events="none" transform="rotate(-20 {cx:g} {cy:g})">SYNTHETIC DATA</text>'
    )
    i = svg.rindex("</svg>")
    return svg[:i] + text + svg[i:]
