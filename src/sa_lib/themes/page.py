"""Page furniture for theme pages: header, findings, notes, methods, synthetic labels, charts.

A page's state (whether its charts and tables are built from synthetic data) is
set by :func:`show_header` or :func:`synthetic_banner` and read by
:func:`chart_png`, :func:`synthetic_caption` and :func:`show_svg`.

Examples
--------
>>> synthetic_caption("Crimes by ward")
'Crimes by ward'
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Sequence
from datetime import date

import pandas as pd

from sa_lib.choices import choices_table
from sa_lib.themes import results as _results
from sa_lib.themes.formatting import correction_words

__all__ = [
    "show_header",
    "new_result",
    "show_findings",
    "show_methods",
    "synthetic_banner_html",
    "synthetic_banner",
    "note",
    "chart_png",
    "setup_notebook",
    "synthetic_caption",
    "show_svg",
    "watermark_svg",
]


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
    alpha = float(ctx.stats.alpha)
    produced = f"{date.today():%d %B %Y}"
    dis = ctx.disclosure
    strict = dis.strict
    if dis.published:
        suppression = (
            "police.uk counts shown as police.uk publishes them; force-extract counts below "
            f"{strict.threshold} suppressed"
        )
    else:
        suppression = f"counts below {dis.threshold} suppressed"
    attrs = (
        f' data-sa-period="{_html.escape(ctx.period.label, quote=True)}"'
        f' data-sa-against="{_html.escape(against.label if against else "", quote=True)}"'
        f' data-sa-produced="produced {produced}"'
        f' data-sa-published-counts="{"show" if dis.published else "suppress"}"'
        f' data-sa-synthetic="{"page" if synthetic else "part" if partly_synthetic else "none"}"'
    )
    _results.emit_html(
        f'<div class="sa-header"{attrs}><p class="sa-kicker">{_html.escape(ctx.params.title)}</p>'
        f"<p><strong>{_html.escape(subtitle)}</strong> · period {_html.escape(ctx.period.label)}"
        f" · compared with {_html.escape(comp)}</p>"
        f"<p>Population (Census 2021): {ctx.geo.population:,} · {len(ctx.geo.wards)} wards · "
        f"{len(ctx.geo.lsoas)} neighbourhoods (LSOAs) · rates {ctx.rate_label} · a change is "
        f"called significant at the {alpha:.0%} level ({correction_words(ctx.stats.correction)})"
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
    _results.emit(_results.table(t))
    if getattr(ctx, "series_used", False):
        _results.emit(_results.Note(series_methods_note(ctx)))


def series_methods_note(ctx) -> str:
    """The Methods sentence on the series: the most months it reads, and the months it used.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> ctx = NS(series_max_months=24, series_months=["2025-11", "2025-12"])
    >>> series_methods_note(ctx)[:62]
    'Series length: trends, control charts, seasonality, targets an'
    """
    from sa_lib.data.coverage import month_ranges

    run = list(ctx.series_months)
    used = f"{month_ranges(run)} ({len(run)} months)" if run else "no month"
    return (
        f"Series length: trends, control charts, seasonality, targets and projections read the "
        f"unbroken run of months held ending with the period (a force extract's series, its "
        f"own run), at most {ctx.series_max_months} months (the series length set in the "
        f"parameters file); the police.uk series used {used}."
    )


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
    from sa_lib.charts.png import png_bytes
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
    data = png_bytes(fig)  # drawn once, cropped as bbox_inches="tight" would
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
    """Prepare a theme notebook: chart style, warnings shown as readable notes, and the
    garbage collector's thresholds of a build (:mod:`sa_lib.collector`: the kernel is a
    build process; its collections are fewer).

    Library warnings (likely mistakes in the data or settings) appear in the
    report as highlighted notes rather than as raw stderr with file paths.
    """
    import gc
    import logging
    import warnings

    from sa_lib import style
    from sa_lib.collector import BUILD_THRESHOLDS

    style.apply()
    gc.set_threshold(*BUILD_THRESHOLDS)

    def _show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, UserWarning) and not issubclass(category, DeprecationWarning):
            _results.emit(_results.Note(str(message), level="warning"))

    warnings.showwarning = _show
    warnings.simplefilter("default", UserWarning)
    _PAGE.update(synthetic=False, extract_synthetic=False)
    _register_chart_formatter()
    logging.getLogger("sa_lib").setLevel(logging.INFO)


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


def _show_fig(fig) -> None:
    _results.emit(_results.figure(fig))


def show_svg(svg: str, caption: str | None = None) -> None:
    """Display an inline SVG figure (e.g. :func:`sa_lib.charts.svg_maps.svg_choropleth`) with an optional caption."""
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
