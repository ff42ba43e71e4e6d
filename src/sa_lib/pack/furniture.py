"""Page furniture for partner pages: the key-findings call-out, glossary, alt text, print styles.

Every theme page gets the same furniture without code of its own:

- :func:`key_findings_callout`: the page's 3-5 most important findings (from its
  result, never from its HTML) in a box at the top, above the contents, each naming
  its comparison period; significant findings first and "No real change in: ..." as
  one line.
- :data:`GLOSSARY` and :func:`glossary_page`: plain-English meanings of the terms
  the pages use, written as ``glossary.html`` beside the pages and linked from every
  page header.
- :data:`FURNITURE_CSS`: call-out, scroll cue, sticky first column, and the print
  stylesheet (cover, contents, page numbers in the footer).

Examples
--------
>>> result = {"period": "Q4 2025", "against": "Q4 2024", "findings": [
...     {"text": "Drugs rose 190% (from 71 to 206); this is a statistically significant "
...              "increase (p < 0.001)."},
...     {"text": "Theft fell 2% (from 50 to 49); this is within normal variation (p = 0.80)."}]}
>>> out = key_findings_callout("<!--SA-CALLOUT-->", findings=result)
>>> "Against Q4 2024: Drugs rose 190%" in out and "No real change in: Theft" in out
True
"""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

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


def _structured(f) -> bool:
    """True for a finding (a result's dict) whose builder filled the wording fields."""
    return isinstance(f, dict) and any(
        f.get(k) is not None for k in ("tested", "significant", "direction", "measure")
    )


def _classify_text(f: str, against: str | None) -> tuple[str, str, str | None]:
    """A bare sentence (no structured fields) read by its words: (kind, text, label).

    Only for text handed in without a result (a user's own page, older results):
    every theme builder fills the fields that :func:`_classify` reads instead.
    """
    if _NO_CHANGE.search(f) and not re.match(r"Significant (?:increase|decrease)", f):
        m = _LABEL.match(f)
        label = (m.group(1) if m else f).strip().rstrip(",")
        if len(label) > 60 or not label:
            return "other", f, None
        named = against and _CHANGE.search(f) and not _NAMES_PERIOD.search(f)
        return "none", f"Against {against}: {f}" if named else f, label
    if against and _CHANGE.search(f) and not _NAMES_PERIOD.search(f):
        f = f"Against {against}: {f}"
    negated = re.search(r"\b(?:[Nn]o|not|none)\b[^.;]*\bsignificant", f)
    return ("sig" if _SIGNIFICANT.search(f) and not negated else "other"), f, None


def _classify(f: dict, against: str | None) -> tuple[str, str, str | None]:
    """A structured finding: (kind, text, subject), from its fields alone.

    A change whose text names neither period (``periods`` empty) is prefixed with the
    period it was read against (its ``comparison``, else the page's). "No real change"
    only for ``direction == "none"``; first place for ``significant``.
    """
    text = f["text"].strip()
    comp = f.get("comparison") or against
    if f.get("tested") and not f.get("periods") and comp and f.get("measure") == "count":
        text = f"Against {comp}: {text}"
    if f.get("direction") == "none" and f.get("subject"):
        return "none", text, f["subject"]
    return ("sig" if f.get("tested") and f.get("significant") else "other"), text, f.get("subject")


def rank_findings(findings: list, against: str | None = None, n: int = 5) -> dict:
    """Order a theme's findings for the call-out.

    Parameters
    ----------
    findings : list of dict or str
        The page's key findings in the order the theme wrote them: the result's
        finding dicts (:meth:`sa_lib.themes.results.Finding.to_json`), read by their
        fields (``tested``, ``significant``, ``direction``, ``subject``,
        ``comparison``, ``periods``, ``measure``, ``value``), or bare sentences, read
        by their words. A lead-in ending in ":" ("Compared with Q4 2024 (Oct-Dec)
        (...):") is not a finding: it names the comparison period (its
        ``comparison``) of the change findings after it.
    against : str, optional
        The comparison period to name on a change finding that names none.
    n : int
        At most this many lines in all (the "No real change" line counts as one).

    Returns
    -------
    dict
        ``top`` (findings, significant first, each naming its comparison; priority
        findings, ``measure == "priority rank"``, in rank order instead, their rank
        in ``value``), ``no_change`` (subjects with no real change), ``notes``
        (synthetic-data lines).

    Examples
    --------
    >>> r = rank_findings([{"text": "Compared with Q3 2025:", "comparison": "Q3 2025"},
    ...     {"text": "A fell 2%.", "subject": "A", "measure": "count", "tested": True,
    ...      "significant": False, "direction": "none"},
    ...     {"text": "B rose 40%.", "subject": "B", "measure": "count", "tested": True,
    ...      "significant": True, "direction": "increase"}])
    >>> r["top"], r["no_change"]
    (['Against Q3 2025: B rose 40%.'], ['A'])
    """
    notes, sig, other, none, found, ranks = [], [], [], [], [], {}
    for f in findings:
        text = (f["text"] if isinstance(f, dict) else f).strip()
        if not text:
            continue
        if text.endswith(":"):
            comp = f.get("comparison") if isinstance(f, dict) else None
            m = re.match(
                r"(?:Compared with|Against|Since) (.+?)(?: \((?:changes|tested)[^)]*\))?:$", text
            )
            against = comp or (m.group(1) if m else against)
            continue
        if text.upper().startswith("SYNTHETIC"):
            notes.append(text)
            continue
        if _structured(f):
            kind, text, label = _classify(f, against)
            if f.get("measure") == "priority rank" and f.get("value") is not None:
                ranks[text] = float(f["value"])
            quiet = bool(f.get("tested")) and f.get("significant") is False
        else:
            kind, text, label = _classify_text(text, against)
            if m := _RANK.search(text):
                ranks[text] = float(m.group(1))
            quiet = bool(_NO_CHANGE.search(text))
        if kind == "none":
            none.append((label, text))
        else:
            (sig if kind == "sig" else other).append((label, text))
            if not quiet:
                found.append((label, text))
    # "No real change" only for a subject no other finding reports as a change (a
    # significant trend or an unusual month of the same measure): otherwise its
    # sentence is kept, saying what that test found, beside the other test's finding.
    steady = []
    for label, t in none:
        named = any(
            lab == label or re.search(rf"(?:^|: ){re.escape(label)}\b", txt) for lab, txt in found
        )
        if named:
            other.append((label, t))
        else:
            steady.append(label)
    room = n - (1 if steady else 0)
    top = [t for _, t in sig + other]
    if ranks:
        # The summary's findings are ranked by priority score: keep that order.
        top = sorted(top, key=lambda t: ranks.get(t, 10**6))
    return {"top": top[: max(room, 1)], "no_change": steady, "notes": notes}


_RANK = re.compile(r"\(rank (\d+)\)")


def key_findings_callout(html: str, n: int = 5, findings: dict | None = None) -> str:
    """Put a "Key findings" call-out at the ``<!--SA-CALLOUT-->`` mark, from the page's result.

    ``findings``: the page's result (``{"findings": [{"text": ...}], "period": ...,
    "against": ...}``, see :meth:`sa_lib.themes.results.ThemeResult.to_json`). A page
    without a result or without findings gets no call-out (the mark is removed).

    Examples
    --------
    >>> key_findings_callout("<p><!--SA-CALLOUT-->x</p>")
    '<p>x</p>'
    """
    mark = "<!--SA-CALLOUT-->"
    if mark not in html:
        return html
    if not findings:
        return html.replace(mark, "", 1)
    items = findings.get("findings", [])
    box = callout_html(items, findings.get("period", ""), findings.get("against", ""), n)
    return html.replace(mark, box, 1)


def callout_html(items: list, period: str = "", against: str = "", n: int = 5) -> str:
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
    "Emerging, sustaining, preventing hot spot": "How a place has behaved over time: sustaining "
    "(a hot spot in nearly every period: keep up the effort), emerging (a hot spot now, or again, "
    "but not throughout), preventing (not yet a hot spot, but crime around it is rising "
    "significantly, with enough crimes for the rise not to be noise: act before it becomes "
    "one). 'No pattern' means none of these.",
    "False discovery rate (FDR)": "When many changes are tested at once a few look significant by "
    "chance. The false discovery rate correction (Benjamini and Hochberg) raises the bar so that "
    "few of the changes called significant are false alarms.",
    "Assurance (SPC summary)": "Whether a target will be met if the monthly figures carry on "
    "varying as they have: 'will meet' when the target lies outside the normal range on the good "
    "side, 'will miss' when it lies outside it on the bad side, 'may meet' (hit and miss) when it "
    "lies inside it.",
    "Candidate priority": "An issue the data rank among the highest priority scores, put to the "
    "board to consider. It is not a decision: the board weighs it with what the data cannot show.",
    "Off track, on track, uncertain": "Whether a current priority's target will be reached: off "
    "track when the trend's projection, with its interval, misses the target; on track when it "
    "meets it; uncertain when the interval includes the target.",
    "Priority score": "A weighted average of an issue's scores from 1 (low) to 4 (high) on "
    "volume, direction of change, harm, vulnerability and concentration, by the scoring rules "
    "shown on the summary. Higher means a stronger case for a priority; the rank orders issues "
    "by it.",
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
    "looking into. High is a concern for crime, low an improvement (the SPC summary's H and L).",
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
    from sa_lib.pack.pages import footer_context, render_page

    terms = [
        {"id": re.sub(r"[^a-z0-9]+", "-", k.lower()).strip("-"), "term": k, "meaning": v}
        for k, v in sorted(GLOSSARY.items(), key=lambda kv: kv[0].lower())
    ]
    return render_page(
        "glossary.html.j2",
        title=title,
        terms=terms,
        footer=meta is not None,
        **footer_context(meta or {}),
    )


#: Call-out, glossary, print and phone styles (a package file, ``templates/css/furniture.css``).
FURNITURE_CSS = (Path(__file__).parent / "templates" / "css" / "furniture.css").read_text(
    encoding="utf-8"
)


def print_cover(
    html: str, title: str, *, synthetic: str | bool | None = None, appendix: bool = False
) -> str:
    """Put a cover (shown only in print) at the ``<!--SA-COVER-->`` mark: title, period, date.

    ``synthetic``: the page's synthetic state from its result (``"page"``, ``"part"`` or
    ``"none"``); None (no result) reads the page's synthetic banner. ``appendix``: the
    page is one of the appendix pages, printed separately from the main pack.
    """
    header = re.search(r'class="sa-header"[^>]*>', html)
    attrs = (
        dict(re.findall(r'data-sa-(period|produced)="([^"]*)"', header.group(0))) if header else {}
    )
    lines = "".join(
        f"<p>{_html.escape(_html.unescape(attrs[k]))}</p>"
        for k in ("period", "produced")
        if k in attrs
    )
    if synthetic is None:
        synthetic = 'class="sa-synthetic"' in html
    synthetic = (
        '<p class="sa-callout-note">Parts of this report use SYNTHETIC data: not for decisions.</p>'
        if synthetic not in (False, "none")
        else ""
    )
    part = (
        "<p><strong>Appendix</strong> to the strategic assessment: the appendix pages print "
        "separately from the main pack.</p>"
        if appendix
        else ""
    )
    cover = (
        f'<section class="sa-print-cover" aria-hidden="true"><h1>{_html.escape(title)}</h1>'
        f"{lines}{part}{synthetic}<p>Contents follow; page numbers are in the footer.</p></section>"
    )
    return html.replace("<!--SA-COVER-->", cover, 1)


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
