"""Page furniture for partner pages: the key-findings call-out, glossary, alt text, print styles.

Everything here works on the exported HTML of any theme page, so a new theme gets
the same furniture without code of its own:

- :func:`key_findings_callout`: the page's 3-5 most important findings in a box at
  the top, above the contents, each naming its comparison period; significant
  findings first and "No real change in: ..." as one line.
- :data:`GLOSSARY` and :func:`glossary_page`: plain-English meanings of the terms
  the pages use, written as ``glossary.html`` beside the pages and linked from every
  page header.
- :data:`FURNITURE_CSS`: call-out, scroll cue, sticky first column, and the print
  stylesheet (cover, contents, page numbers in the footer).

Examples
--------
>>> page = ('<div class="sa-header" data-sa-period="Q4 2025" data-sa-against="Q4 2024">'
...         '</div><!--SA-CALLOUT--><ul class="sa-findings">'
...         '<li>Drugs rose 190% (from 71 to 206); this is a statistically significant increase '
...         '(p &lt; 0.001).</li><li>Theft fell 2% (from 50 to 49); this is within normal '
...         'variation (p = 0.80).</li></ul>')
>>> out = key_findings_callout(page)
>>> "Against Q4 2024: Drugs rose 190%" in out and "No real change in: Theft" in out
True
"""

from __future__ import annotations

import html as _html
import re

__all__ = [
    "FURNITURE_CSS",
    "GLOSSARY",
    "rank_findings",
    "key_findings_callout",
    "glossary_page",
]

_SIGNIFICANT = re.compile(
    r"statistically significant|significantly|significant (?:increase|decrease|change)s?|"
    r"Significant (?:increase|decrease)s?|unusually (?:high|low)|off track|special-cause variation \(",
)
_NO_CHANGE = re.compile(
    r"within normal variation|no significant|not a significant|No significant|no clear|"
    r"only common-cause|was unchanged|recorded in either period|changed within normal",
)
_CHANGE = re.compile(r"\b(?:rose|fell|higher than|lower than|unchanged|is new this period)\b")
_NAMES_PERIOD = re.compile(
    r"\bQ[1-4] \d{4}|\b(?:19|20)\d{2}\b|a year earlier|rest of the district|the district's|"
    r"previous assessment|\bsince\b",
)
_LABEL = re.compile(
    r"^(.*?)(?::| rose\b| fell\b| was\b| is\b| shows\b| has\b| had\b| in (?:January|February|"
    r"March|April|May|June|July|August|September|October|November|December)\b)"
)


def _text(fragment: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def rank_findings(findings: list[str], against: str | None = None, n: int = 5) -> dict:
    """Order a theme's findings for the call-out.

    Parameters
    ----------
    findings : list of str
        The page's key findings in the order the theme wrote them. A lead-in ending
        in ":" ("Compared with Q4 2024 (Oct-Dec) (...):") is not a finding: it names
        the comparison period of the change findings after it.
    against : str, optional
        The comparison period to name on a change finding that names none.
    n : int
        At most this many lines in all (the "No real change" line counts as one).

    Returns
    -------
    dict
        ``top`` (findings, significant first, each naming its comparison),
        ``no_change`` (labels with no real change), ``notes`` (synthetic-data lines).

    Examples
    --------
    >>> r = rank_findings(["Compared with Q3 2025:", "A fell 2% (from 50 to 49); this is within "
    ...                    "normal variation (p = 0.8).", "B rose 40% (from 10 to 14); this is "
    ...                    "a statistically significant increase (p = 0.01)."])
    >>> r["top"], r["no_change"]
    (['Against Q3 2025: B rose 40% (from 10 to 14); this is a statistically significant increase (p = 0.01).'], ['A'])
    """
    notes, sig, other, none = [], [], [], []
    for f in findings:
        f = f.strip()
        if not f:
            continue
        if f.endswith(":"):
            m = re.match(
                r"(?:Compared with|Against|Since) (.+?)(?: \((?:changes|tested)[^)]*\))?:$", f
            )
            if m:
                against = m.group(1)
            continue
        if f.upper().startswith("SYNTHETIC"):
            notes.append(f)
            continue
        if _NO_CHANGE.search(f) and not re.match(r"Significant (?:increase|decrease)", f):
            m = _LABEL.match(f)
            label = (m.group(1) if m else f).strip().rstrip(",")
            if len(label) > 60 or not label:
                other.append(f)
            else:
                none.append(label)
            continue
        if against and _CHANGE.search(f) and not _NAMES_PERIOD.search(f):
            f = f"Against {against}: {f}"
        negated = re.search(r"\b(?:[Nn]o|not|none)\b[^.;]*\bsignificant", f)
        (sig if _SIGNIFICANT.search(f) and not negated else other).append(f)
    room = n - (1 if none else 0)
    return {"top": (sig + other)[: max(room, 1)], "no_change": none, "notes": notes}


_FINDINGS_LIST = re.compile(r'<ul class="sa-findings"[^>]*>(.*?)</ul>', re.S)


def key_findings_callout(html: str, n: int = 5, findings: dict | None = None) -> str:
    """Put a "Key findings" call-out at the ``<!--SA-CALLOUT-->`` mark.

    ``findings``: the page's result (``{"findings": [{"text": ...}], "period": ...,
    "against": ...}``, see :meth:`sa_lib.themes.results.ThemeResult.to_json`), the
    source of the call-out. Without it (a page not yet built from a result) the
    page's first findings list and header attributes are read instead. A page
    without findings gets no call-out (the mark is removed).
    """
    mark = "<!--SA-CALLOUT-->"
    if mark not in html:
        return html
    if findings is not None:
        items = [f["text"] for f in findings.get("findings", [])]
        period, against = findings.get("period", ""), findings.get("against", "")
    else:
        m = _FINDINGS_LIST.search(html)
        if not m:
            return html.replace(mark, "", 1)
        header = re.search(r'class="sa-header"[^>]*>', html)
        attrs = (
            dict(re.findall(r'data-sa-(period|against)="([^"]*)"', header.group(0)))
            if header
            else {}
        )
        items = [_text(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", m.group(1), re.S)]
        period = _html.unescape(attrs.get("period", ""))
        against = _html.unescape(attrs.get("against", ""))
    return html.replace(mark, callout_html(items, period, against, n), 1)


def callout_html(items: list[str], period: str = "", against: str = "", n: int = 5) -> str:
    """The "Key findings" call-out for a page's findings (see :func:`rank_findings`), or ""."""
    r = rank_findings(items, against=against or None, n=n)
    if not r["top"] and not r["no_change"]:
        return ""
    title = f"Key findings, {period}" if period else "Key findings"
    lis = "".join(f"<li>{_html.escape(t)}</li>" for t in r["top"])
    if r["no_change"]:
        lis += (
            '<li class="sa-nochange">No real change in: '
            + _html.escape(", ".join(r["no_change"]))
            + ".</li>"
        )
    notes = "".join(f'<p class="sa-callout-note">{_html.escape(t)}</p>' for t in r["notes"])
    return (
        f'<section class="sa-callout" aria-labelledby="sa-callout-title">'
        f'<h2 class="sa-callout-title" id="sa-callout-title">{_html.escape(title)}</h2>'
        f"{notes}<ol>{lis}</ol>"
        '<p class="sa-callout-more">Significant means a statistical test found the change '
        'unlikely to be chance; see the <a href="glossary.html">glossary</a> for the terms used.'
        "</p></section>"
    )


#: Plain-English meanings of the terms partner pages use (term -> meaning).
GLOSSARY: dict[str, str] = {
    "Adjusted p": "A p-value raised to allow for testing many things at once (see false discovery "
    "rate). Read it like any p-value.",
    "All crime (excluding ASB)": "Every police-recorded crime category on police.uk. Anti-social "
    "behaviour incidents are not crimes and are counted separately.",
    "Anti-social behaviour (ASB)": "Incidents reported to the police that are not crimes, such as "
    "nuisance or rowdy behaviour.",
    "Baseline": "An earlier year that later periods are measured against, for example for a target.",
    "Confidence interval (CI)": "The range a figure would probably fall in if the same conditions "
    "were repeated: a 95% CI is built so that 95 times in 100 it contains the true value. Wide "
    "intervals mean small numbers and uncertain figures.",
    "Common-cause variation": "The ordinary up-and-down of monthly figures. It needs no special "
    "explanation.",
    "Emerging, sustaining, preventing hot spot": "How a hot spot has behaved over time: emerging "
    "(newly hot), sustaining (hot throughout), preventing (hot but cooling). 'No pattern' means none "
    "of these.",
    "False discovery rate (FDR)": "When many changes are tested at once a few look significant by "
    "chance. The false discovery rate correction (Benjamini and Hochberg) raises the bar so that "
    "few of the changes called significant are false alarms.",
    "Funnel plot": "A chart of each area's rate against its population, with lines showing how far "
    "from the average an area of that size could fall by chance. Points outside the funnel are "
    "unusual.",
    "Gi* (Getis-Ord Gi-star)": "A test of whether a place and its neighbours together have more "
    "crime than the area as a whole would lead you to expect. It finds hot spots that are not chance.",
    "Hot spot": "A small area (a grid cell) with significantly more crime than expected, together "
    "with its neighbours, after allowing for testing many cells.",
    "Kernel density (KDE)": "A smoothed map of where crimes cluster, like a heat map. It shows "
    "concentration but does not test it.",
    "LSOA": "Lower layer super output area: a neighbourhood of about 1,500 residents used by the "
    "Census.",
    "Normal range (SPC limits)": "The range monthly figures stay within when nothing unusual is "
    "happening, worked out from the figures' own month-to-month variation.",
    "Not available": "A period with no published data. It is not a zero.",
    "p-value (p)": "How likely a change at least this big would be if nothing had really changed. "
    "'p < 0.001' means less than 1 in 1,000.",
    "Rate per 1,000 residents a year": "Crimes for every 1,000 people living in the area (Census "
    "2021), scaled to a full year so quarters and years compare.",
    "Rate ratio": "One rate divided by another: 2.0 means twice as high.",
    "Repeat victim": "A victim with another crime of the same kind within the stated time before.",
    "Significant": "A statistical test found the difference unlikely to be chance (at the 5% "
    "level unless stated). 'Within normal variation' or 'n.s.' means not significant: the change "
    "could be chance.",
    "SPC (statistical process control)": "A chart of monthly figures with a normal range, read "
    "with set rules (a point outside the range, or a run of points on one side) to tell unusual "
    "months from ordinary variation.",
    "Special-cause variation": "A month, or run of months, outside ordinary variation: worth "
    "looking into.",
    "Suppression ([c] and <10)": "Small counts are hidden so that no person can be identified: "
    "'<10' means fewer than 10; '[c]' means hidden because, with the totals, it would reveal a "
    "small count.",
    "Synthetic data": "Made-up records generated to look realistic over the real wards and "
    "neighbourhoods, used where real data are not public. Never use synthetic figures for "
    "decisions.",
    "Trend": "The average change per year over the whole series, allowing for seasons, with its "
    "confidence interval. A trend is called rising or falling only when significant.",
}


def glossary_page(title: str = "Glossary", meta: dict | None = None) -> str:
    """The glossary as a self-contained HTML page (same style and furniture as the theme pages).

    ``meta``: the pack's footer details (document control, attribution), as for the pages.
    """
    from sa_lib.pack.export import REPORT_CSS, _footer

    footer = f'<footer class="sa-footer">{_footer(meta)}</footer>' if meta is not None else ""

    rows = "".join(
        f'<dt id="{re.sub(r"[^a-z0-9]+", "-", k.lower()).strip("-")}">{_html.escape(k)}</dt>'
        f"<dd>{_html.escape(v)}</dd>"
        for k, v in sorted(GLOSSARY.items(), key=lambda kv: kv[0].lower())
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_html.escape(title)}: what the terms mean</title><style>{REPORT_CSS}{FURNITURE_CSS}</style></head>
<body class="sa-report"><header class="sa-topbar"><a href="index.html">&larr; All themes</a>
<span>{_html.escape(title)}</span></header><main>
<h1>Glossary: what the terms mean</h1>
<p>The pages in this pack use these words with these meanings. Technical names of the methods are
in each page's Methods section.</p>
<dl class="sa-glossary">{rows}</dl></main>{footer}</body></html>"""


FURNITURE_CSS = """
.sa-topbar .sa-glossary-link { margin-left: auto; }
.sa-report p a, .sa-report li a, .sa-report td a, a.sa-evidence { text-decoration: underline !important; }
.sa-callout { background: #fff; border: 3px solid #0072B2; border-radius: 6px; padding: .6rem 1rem .4rem; margin: .8rem 0 1rem; }
.sa-callout-title { font-size: 1.35rem; margin: .1rem 0 .4rem; }
.sa-callout ol { margin: 0 0 .4rem 1.3rem; padding: 0; } .sa-callout li { margin: .3rem 0; line-height: 1.4; }
.sa-callout li.sa-nochange { list-style: none; margin-left: -1.3rem; color: #333; }
.sa-callout-note { background: #fff3cd; border-left: 4px solid #8a5a00; padding: .2rem .5rem; margin: .2rem 0 .4rem; font-weight: 600; }
.sa-callout-more { font-size: 90%; color: #333; margin: .3rem 0; }
.sa-toc ol.sa-toc-sub { list-style: lower-alpha; margin-left: 1.4rem; font-size: 95%; }
.sa-glossary dt { font-weight: 700; margin-top: .7rem; } .sa-glossary dd { margin: .2rem 0 0 1rem; }
.sa-table-wrap { overflow-x: auto; position: relative; max-width: 100%; }
@media screen and (max-width: 900px) {
  .sa-table-wrap.sa-wide::before { content: "Scroll sideways for more columns →"; display: block; position: sticky; left: 0; font-size: 85%; color: #333; padding: .2rem 0; }
}
.sa-table-wrap table.sa-table th:first-child, .sa-table-wrap table.sa-table td:first-child { position: sticky; left: 0; z-index: 1; }
.sa-table-wrap table.sa-table td:first-child { background: #fff; box-shadow: 2px 0 0 #ccc; }
.sa-table-wrap table.sa-table tr:nth-child(even) td:first-child { background: #fafafa; }
.sa-print-cover { display: none; }
@media (max-width: 600px) {
  body.sa-report { padding: 0 .5rem 1rem; font-size: 16px; }
  .jp-RenderedImage { overflow-x: auto; }
  .jp-RenderedImage::after { content: "Scroll sideways to see the whole chart →"; display: block; font-size: 85%; color: #333; }
  .jp-OutputArea-output img.sa-chart { max-width: none; width: 640px; }
  .sa-topbar { flex-wrap: wrap; }
  .jp-OutputArea-output svg { max-width: 100%; height: auto; }
}
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font: 9pt system-ui, Arial, sans-serif; color: #333; } }
@page :first { @bottom-center { content: none; } }
@media print {
  html, body.sa-report { font-size: 8.5pt; line-height: 1.25; max-width: none; padding: 0; margin: 0; }
  .sa-topbar { display: none; }
  .sa-print-cover { display: block; border-bottom: 3px solid #0072B2; margin: 0 0 .4rem; padding: 0 0 .3rem; }
  .sa-print-cover h1 { font-size: 16pt; margin: 0 0 .2rem; } .sa-print-cover p { font-size: 10pt; margin: .1rem 0; }
  .sa-toc { display: block !important; break-inside: avoid; padding: .2rem .6rem; margin: .3rem 0; }
  .sa-toc ol { columns: 2; } .sa-toc li { margin: 0; }
  .sa-callout { break-inside: avoid; padding: .3rem .6rem; margin: .3rem 0; }
  ul.sa-findings, .sa-findings { break-inside: auto !important; page-break-inside: auto !important; }
  ul.sa-findings li { break-inside: avoid; }
  .sa-methods table.sa-table { font-size: 6.5pt !important; }
  .sa-callout-title { font-size: 12pt; }
  .jp-Cell, .jp-Cell-outputWrapper, .jp-OutputArea, .jp-OutputArea-child, .jp-Cell-inputWrapper { padding: 0 !important; margin: 0 !important; break-inside: auto !important; overflow: visible !important; }
  .jp-RenderedHTMLCommon { padding-right: 0 !important; font-size: 8.5pt !important; }
  .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon ul { margin: .2rem 0 !important; }
  .jp-RenderedHTMLCommon h1 { font-size: 14pt !important; margin: .4rem 0 .2rem !important; }
  .jp-RenderedHTMLCommon h2 { font-size: 12pt !important; margin: .6rem 0 .2rem !important; }
  .jp-RenderedHTMLCommon h3 { font-size: 10.5pt !important; margin: .4rem 0 .2rem !important; }
  .sa-header { padding: .2rem .5rem; } .sa-header p { margin: .1rem 0 !important; }
  .sa-kicker { font-size: 10pt !important; }
  .sa-table-wrap { overflow: visible; } .sa-table-wrap.sa-wide::before { content: none; display: none; }
  .sa-table-wrap table.sa-table th:first-child, .sa-table-wrap table.sa-table td:first-child { position: static; box-shadow: none; }
  table.sa-table { width: 100% !important; table-layout: auto; font-size: 7.5pt !important; break-inside: auto; margin: .2rem 0 .4rem !important; }
  table.sa-table tr { break-inside: avoid; } table.sa-table thead { display: table-header-group; }
  table.sa-table td, table.sa-table th { overflow-wrap: break-word; hyphens: auto; padding: .05rem .2rem !important; }
  h1, h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  .jp-MarkdownCell + .jp-CodeCell { break-before: avoid; }
  .jp-OutputArea-output img, .jp-OutputArea-output svg { max-width: 100% !important; max-height: 66mm !important; width: auto !important; height: auto; break-inside: avoid; }
  .jp-RenderedImage::after { content: none !important; }
  figure { margin: .2rem 0; }
  .sa-glossary { columns: 2; font-size: 8.5pt; } .sa-glossary dt { break-after: avoid; margin-top: .3rem; } .sa-glossary dd { break-inside: avoid; }
  .sa-footer { font-size: 6.5pt; margin-top: .3rem; line-height: 1.15; } .sa-footer ul, .sa-footer p { margin: .1rem 0 !important; }
  .anchor-link { display: none; }
}
"""


def print_cover(html: str, title: str) -> str:
    """Put a cover (shown only in print) at the ``<!--SA-COVER-->`` mark: title, period, date."""
    header = re.search(r'class="sa-header"[^>]*>', html)
    attrs = (
        dict(re.findall(r'data-sa-(period|produced)="([^"]*)"', header.group(0))) if header else {}
    )
    lines = "".join(
        f"<p>{_html.escape(_html.unescape(attrs[k]))}</p>"
        for k in ("period", "produced")
        if k in attrs
    )
    synthetic = (
        '<p class="sa-callout-note">Parts of this report use SYNTHETIC data: not for decisions.</p>'
        if 'class="sa-synthetic"' in html
        else ""
    )
    cover = (
        f'<section class="sa-print-cover" aria-hidden="true"><h1>{_html.escape(title)}</h1>'
        f"{lines}{synthetic}<p>Contents follow; page numbers are in the footer.</p></section>"
    )
    return html.replace("<!--SA-COVER-->", cover, 1)


_TABLE = re.compile(r'<table class="sa-table".*?</table>', re.S)


def wrap_tables(html: str, wide_cols: int = 6) -> str:
    """Wrap each ``sa-table`` in a scroll box (sticky first column); tables with more than
    ``wide_cols`` columns get a visible "scroll sideways" cue.

    Examples
    --------
    >>> wrap_tables('<table class="sa-table"><tr><th>a</th></tr></table>')
    '<div class="sa-table-wrap" tabindex="0" role="region" aria-label="Table"><table class="sa-table"><tr><th>a</th></tr></table></div>'
    """

    def wrap(m: re.Match) -> str:
        t = m.group(0)
        first_row = re.search(r"<tr>(.*?)</tr>", t, re.S)
        ncols = len(re.findall(r"<t[hd]\b", first_row.group(1))) if first_row else 0
        cls = "sa-table-wrap sa-wide" if ncols > wide_cols else "sa-table-wrap"
        if first_row and re.search(r"<th[^>]*>choice</th>", first_row.group(1)):
            cls += " sa-methods"  # the Methods table: small print
        cap = re.search(r"<caption>(.*?)</caption>", t, re.S)
        label = _html.escape(_text(cap.group(1)), quote=True) if cap else "Table"
        return f'<div class="{cls}" tabindex="0" role="region" aria-label="{label}">{t}</div>'

    return _TABLE.sub(wrap, html)


#: What must never appear on a partner page: (name, pattern).
DEVELOPER_TEXT = [
    (
        "config key",
        r"\b(?:data|statistics|disclosure|hotspots|place_profile|violence|domestic_abuse|cse|"
        r"overview|comparison|run|csp|targets|period|baseline_year)\.[a-z][a-z0-9_]*\b"
        r"|\b[a-z]+_[a-z_]+\.[a-z]+_[a-z_]+\b",
    ),
    (
        "file path",
        r"(?<![\w.])(?:\.{0,2}/)?(?:src|data|config|parameters|notebooks|outputs|tests)/[\w./-]+"
        r"|\b[\w-]+\.(?:py|ya?ml|parquet|ipynb|csv|gz|geojson)\b",
    ),
    ("module name", r"\bsa_lib\b|\bpapermill\b|\bnbconvert\b"),
    (
        "method identifier",
        r"\bfdr_bh\b|\bn_sims\b|\bzscore\b|\b\d+(?:\.\d+)?e[-+]\d+\b",
    ),
    ("default alt text", r"No description has been provided for this image"),
]

#: Technical method names allowed only in the Methods section and the glossary.
METHOD_WORDS = [("technical method name", r"quasi-Poisson|queen contiguity|\bmR\b|\bqueen\b")]


def _visible(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S | re.I)
    attrs = " ".join(
        _html.unescape(v) for v in re.findall(r'\b(?:alt|aria-label|title)="([^"]*)"', html)
    )
    html = re.sub(r'src="data:[^"]*"', "", html)
    return _html.unescape(re.sub(r"<[^>]+>", " ", html)) + " " + attrs


def developer_text(html: str) -> list[tuple[str, str]]:
    """Config keys, file paths, module names and raw method identifiers a partner page shows.

    Checks the visible text, alt text, labels and SVG titles (tooltips). Technical
    method names (quasi-Poisson, queen contiguity, mR) are allowed in the Methods
    section only. Returns ``(kind, text found)`` pairs; an empty list means clean.

    Examples
    --------
    >>> developer_text("<p>Set hotspots.cell_size in parameters/x.yaml</p>")
    [('config key', 'hotspots.cell_size'), ('file path', 'parameters/x.yaml')]
    >>> developer_text('<p>Trend (quasi-Poisson)</p>')
    [('technical method name', 'quasi-Poisson')]
    >>> developer_text('<h2 id="Methods-and-assumptions">Methods</h2><p>quasi-Poisson</p>')
    []
    """
    body = html.replace("data.police.uk", "police.uk")
    m = re.search(r'<h2[^>]*id="Methods[^"]*"', body)
    before, methods = (body[: m.start()], body[m.start() :]) if m else (body, "")
    found = []
    for text, checks in (
        (_visible(before), DEVELOPER_TEXT + METHOD_WORDS),
        (_visible(methods), DEVELOPER_TEXT),
    ):
        for kind, pat in checks:
            for hit in re.finditer(pat, text):
                found.append((kind, hit.group(0)))
    return list(dict.fromkeys(found))
