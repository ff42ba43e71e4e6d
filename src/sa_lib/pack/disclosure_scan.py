"""A last disclosure check on rendered output: small counts and identifiers in HTML or text.

The scan (:func:`scan_html_for_disclosure`, :func:`scan_text`) is a last check
on rendered output. Its **HTML marking contract** for report renderers:

1. An element with a ``data-sa-count`` attribute or class ``sa-count`` holds
   counts: every whole number in its text below the threshold is reported (for
   an element with no text, e.g. an SVG ``<rect data-sa-count="7"/>``, the
   attribute's value is checked instead). Numbers right after ``<``, ``≤``,
   ``£`` or ``-`` (labels such as ``<10``, ranges such as ``10-19``), decimals
   (``4.5``) and percentages (``7%``) are not counts.
2. An element with ``data-sa-not-count`` or class ``sa-not-count`` (or inside
   one) is never checked for counts (ranks, years, ward numbers), but is still
   checked for identifiers.
3. Unmarked ``<td>``, ``<li>``, ``<dd>`` and SVG ``<text>`` elements whose whole
   text is a bare whole number (``7``, ``1,234``) are treated as counts, as are
   matplotlib SVG text comments (``<!-- 7 -->``, how matplotlib keeps the text of
   labels it draws as paths). SVG axis tick labels (inside an element whose id
   starts with ``xtick``, ``ytick`` or ``matplotlib.axis``, or whose class
   contains ``tick``) are not counts. ``<th>`` headers are labels, not counts.
4. Free text (paragraphs, captions, list items, ``alt``, ``title`` and
   ``aria-label`` attributes) is checked for count phrases: a small whole
   number followed, within two words, by a counted noun ("3 burglaries",
   "2 domestic abuse incidents", "5 victims"), except after a label word
   ("Figure 3 crimes by month", "the top 5 crime types"). This is a heuristic:
   mark counts explicitly and use ``allowed`` for known-safe snippets.
5. All text and attribute values (except ``style``, ``data:`` URIs and SVG
   geometry such as ``d``, ``points``, ``x``, ``y``) are checked for
   record-level identifiers: 64-hex-character police.uk Crime IDs, full unit
   postcodes (``PE29 3TN``; a district such as ``PE29`` is fine), reference-like
   strings (``35/12345/23``, ``CR/123456/24``, ``URN1234567``) and exact
   coordinates (a UK latitude and longitude pair, each with 4 or more decimal
   places, within 40 characters). ``<script>`` content is checked for Crime IDs,
   postcodes, references and point markers (Leaflet ``L.marker([lat, lon])`` and
   GeoJSON ``Point`` coordinates with 4+ decimals) only, so boundary polygons in
   an embedded map are not reported. Charts embedded as PNG cannot be scanned.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.disclosure import suppress_table, table_to_html
>>> from sa_lib.pack.disclosure_scan import scan_html_for_disclosure
>>> t = pd.DataFrame({"ward": ["A", "B"], "burglary": [3, 25], "robbery": [14, 40]})
>>> res = suppress_table(t, ["burglary", "robbery"], secondary=False)
>>> scan_html_for_disclosure(table_to_html(res)).empty
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

import numpy as np
import pandas as pd

__all__ = ["scan_html_for_disclosure", "scan_text", "FINDING_COLUMNS"]

#: Columns of the DataFrame returned by the scans.
FINDING_COLUMNS = ["kind", "snippet", "value", "where", "context", "line"]


# --------------------------------------------------------------------------- scanning

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_PRE = r"(?<![\w.,<>≤≥£$€%/\-−–])"
_POST = r"(?![\w%]|[.,]\d|\s*%|\s*[-–−]\s*\d|/\d)"
_COUNT_RE = re.compile(_PRE + f"({_NUM})" + _POST)
_BARE_RE = re.compile(rf"^\s*({_NUM})\s*$")
_NOUNS = (
    r"crimes?|offences?|offenses?|incidents?|victims?|offenders?|suspects?|perpetrators?|"
    r"burglar(?:y|ies)|robber(?:y|ies)|thefts?|assaults?|stabbings?|homicides?|murders?|"
    r"rapes?|reports?|calls?|cases?|arrests?|records?|people|persons?|residents?|"
    r"households?|individuals?|children|child|pupils?|deaths?|casualties|injur(?:y|ies)|"
    r"admissions?|referrals?|occurrences?|events?|shopliftings?"
)
# numbers that label things ("Figure 3", "top 5 crime types") are not counts
_NOT_AFTER = "".join(
    f"(?<!{w} )" for w in ("figure", "fig.", "table", "chart", "map", "section", "page", "top")
)
_PHRASE_RE = re.compile(
    _NOT_AFTER + _PRE + rf"({_NUM})(?![.,]\d|%)\s+(?:[A-Za-z][\w'-]*\s+){{0,2}}?(?:{_NOUNS})\b",
    re.IGNORECASE,
)
_CRIME_ID_RE = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b")
_REFERENCE_RE = re.compile(
    r"\b(?:(?:[A-Z]{1,5}/)?\d{1,4}/\d{4,}/\d{2,4}|[A-Z]{2,5}/\d{4,}/\d{2,4}|[A-Z]{2,5}-?\d{6,})\b"
)
_DEC_RE = re.compile(r"(?<![\d.])-?\d{1,3}\.\d{4,}(?!\d)")
_MARKER_RE = re.compile(
    r"L\.(?:circleMarker|marker|circle)\(\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)"
    r"|\"type\"\s*:\s*\"Point\"\s*,\s*\"coordinates\"\s*:\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)"
)

_BARE_TAGS = {"td", "li", "dd"}
_SVG_TEXT = {"text"}
_PROSE_ATTRS = {"alt", "title", "aria-label", "aria-description", "data-tooltip", "data-label"}
_SKIP_ATTRS = {
    "style", "d", "points", "transform", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r",
    "rx", "ry", "width", "height", "viewbox", "clip-path", "font-size", "stroke-width",
    "integrity", "src", "xlink:href", "href",
}  # fmt: skip
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip


def _is_lat(x: float) -> bool:
    return 49.5 <= x <= 61.5


def _is_lon(x: float) -> bool:
    return -9.0 <= x <= 2.5


class _Findings:
    def __init__(self, threshold: int, flag_zero: bool, allowed: Iterable[object]):
        self.threshold, self.flag_zero = threshold, flag_zero
        self.allowed = list(allowed)
        self.rows: list[dict] = []
        self._seen: set[tuple] = set()

    def small(self, value: int) -> bool:
        return 0 < value < self.threshold or (self.flag_zero and value == 0)

    def add(self, kind, snippet, value, where, context, line) -> None:
        snippet = snippet.strip()
        for a in self.allowed:
            if (isinstance(a, re.Pattern) and a.search(snippet)) or (
                isinstance(a, str) and a.strip() == snippet
            ):
                return
        key = (kind, snippet, where, line)
        if key in self._seen:
            return
        self._seen.add(key)
        ctx = " ".join(context.split())
        self.rows.append(
            {
                "kind": kind,
                "snippet": snippet,
                "value": value,
                "where": where,
                "context": ctx[:120],
                "line": line,
            }
        )

    def counts_in(self, text, where, line) -> None:
        for m in _COUNT_RE.finditer(text):
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(1), val, where, text, line)

    def bare(self, text, where, line) -> None:
        m = _BARE_RE.match(text)
        if m:
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(1), val, where, text, line)

    def phrases(self, text, where, line) -> None:
        for m in _PHRASE_RE.finditer(text):
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(0), val, where, text, line)

    def identifiers(self, text, where, line, *, script: bool = False) -> None:
        for m in _CRIME_ID_RE.finditer(text):
            self.add("crime_id", m.group(0), None, where, text[max(0, m.start() - 30) :], line)
        for m in _POSTCODE_RE.finditer(text):
            self.add("postcode", m.group(0), None, where, _around(text, m), line)
        for m in _REFERENCE_RE.finditer(text):
            self.add("reference", m.group(0), None, where, _around(text, m), line)
        if script:
            for m in _MARKER_RE.finditer(text):
                a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
                if _decimals(a) >= 4 and _decimals(b) >= 4:
                    self.add("coordinates", m.group(0), None, where, _around(text, m), line)
            return
        decs = [(m, float(m.group(0))) for m in _DEC_RE.finditer(text)]
        used: set[int] = set()
        for i, (m1, x1) in enumerate(decs):
            if i in used:
                continue
            for j in range(i + 1, len(decs)):
                m2, x2 = decs[j]
                if m2.start() - m1.end() > 40:
                    break
                if (_is_lat(x1) and _is_lon(x2)) or (_is_lon(x1) and _is_lat(x2)):
                    snip = text[m1.start() : m2.end()]
                    self.add("coordinates", snip, None, where, _around(text, m1), line)
                    used.update((i, j))  # pair each number with its nearest partner only
                    break

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FINDING_COLUMNS)


def _decimals(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


def _around(text: str, m: re.Match, pad: int = 40) -> str:
    return text[max(0, m.start() - pad) : m.end() + pad]


def _classes(attrs: dict) -> set[str]:
    return set((attrs.get("class") or "").split())


class _Frame:
    __slots__ = ("tag", "attrs", "line", "text", "marked", "exempt", "tick", "svg", "own_mark")

    def __init__(self, tag, attrs, line, parent):
        self.tag, self.attrs, self.line, self.text = tag, attrs, line, []
        cls = _classes(attrs)
        self.own_mark = "data-sa-count" in attrs or "sa-count" in cls
        self.marked = self.own_mark or (parent.marked if parent else False)
        own_exempt = "data-sa-not-count" in attrs or "sa-not-count" in cls
        self.exempt = own_exempt or (parent.exempt if parent else False)
        ident = attrs.get("id") or ""
        own_tick = ident.startswith(("xtick", "ytick", "matplotlib.axis")) or any(
            "tick" in c for c in cls
        )
        self.tick = own_tick or (parent.tick if parent else False)
        self.svg = tag == "svg" or (parent.svg if parent else False)
        if self.own_mark and parent is not None and parent.marked:
            self.own_mark = False  # an ancestor reports the whole marked text


class _Scanner(HTMLParser):
    def __init__(self, found: _Findings):
        super().__init__(convert_charrefs=True)
        self.f = found
        self.stack: list[_Frame] = []

    # -- structure
    def _close_implicit(self, tag: str) -> None:
        implicit = {
            "td": {"td", "th"},
            "th": {"td", "th"},
            "tr": {"td", "th", "tr"},
            "li": {"li"},
            "p": {"p"},
            "dd": {"dd", "dt"},
            "dt": {"dd", "dt"},
        }.get(tag)
        while implicit and self.stack and self.stack[-1].tag in implicit:
            self._pop()

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (val if val is not None else "") for k, val in attrs}
        self._close_implicit(tag)
        parent = self.stack[-1] if self.stack else None
        fr = _Frame(tag, attrs, self.getpos()[0], parent)
        self._attrs(fr, closed=tag in _VOID)
        if tag not in _VOID:
            self.stack.append(fr)

    def handle_startendtag(self, tag, attrs):
        attrs = {k.lower(): (val if val is not None else "") for k, val in attrs}
        parent = self.stack[-1] if self.stack else None
        self._attrs(_Frame(tag, attrs, self.getpos()[0], parent), closed=True)

    def handle_endtag(self, tag):
        if not any(fr.tag == tag for fr in self.stack):
            return
        while self.stack:
            if self._pop().tag == tag:
                break

    def close(self):
        super().close()
        while self.stack:
            self._pop()

    def _pop(self) -> _Frame:
        fr = self.stack.pop()
        text = "".join(fr.text)
        if self.stack:
            self.stack[-1].text.append(text)
        where = fr.tag
        if fr.own_mark and not fr.exempt:
            if text.strip():
                self.f.counts_in(text, f"{where} (marked count)", fr.line)
            else:  # an empty marked element: its data-sa-count value is what is shown
                self.f.bare(fr.attrs.get("data-sa-count", ""), f"{where} (marked count)", fr.line)
        elif not fr.marked and not fr.exempt and not fr.tick:
            if fr.tag in _BARE_TAGS or (fr.svg and fr.tag in _SVG_TEXT):
                self.f.bare(text, f"{'svg ' if fr.svg else ''}{where} (bare number)", fr.line)
        return fr

    # -- content
    def _attrs(self, fr: _Frame, closed: bool) -> None:
        for k, val in fr.attrs.items():
            if not val or val.startswith("data:"):
                continue
            if k == "data-sa-count" and closed and not fr.exempt:
                self.f.bare(val, f"{fr.tag} (marked count)", fr.line)
            if k in _PROSE_ATTRS and not fr.exempt and not fr.tick:
                self.f.phrases(val, f"{k} attribute of <{fr.tag}>", fr.line)
            if k not in _SKIP_ATTRS:
                self.f.identifiers(val, f"{k} attribute of <{fr.tag}>", fr.line)

    def handle_data(self, data):
        line = self.getpos()[0]
        top = self.stack[-1] if self.stack else None
        if top is not None and top.tag in ("script", "style"):
            if top.tag == "script":
                self.f.identifiers(data, "<script>", line, script=True)
            return
        if top is not None:
            top.text.append(data)
        where = f"text of <{top.tag}>" if top is not None else "text"
        self.f.identifiers(data, where, line)
        if top is None or not (top.marked or top.exempt or top.tick):
            self.f.phrases(data, where, line)

    def handle_comment(self, data):
        top = self.stack[-1] if self.stack else None
        if top is not None and top.svg and not top.tick and not top.exempt:
            self.f.bare(data, "svg text (matplotlib comment)", self.getpos()[0])


def _check_scan_args(threshold: int, allowed: object) -> list:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError(
            f"threshold must be a whole number of at least 1 (e.g. 10), got {threshold!r}."
        )
    if allowed is None:
        return []
    if isinstance(allowed, str | re.Pattern):
        allowed = [allowed]
    allowed = list(allowed)
    for a in allowed:
        if not isinstance(a, str | re.Pattern):
            raise ValueError(
                f"allowed must hold strings (exact snippets) or compiled regular expressions, "
                f"got {a!r}. Fix: e.g. allowed=['PE29 3TN', re.compile(r'^2\\d{{3}}$')]."
            )
    return allowed


def scan_html_for_disclosure(
    html: str,
    threshold: int = 10,
    allowed: Iterable[str | re.Pattern] | None = None,
    *,
    flag_zero: bool = False,
) -> pd.DataFrame:
    """Find small counts and record-level identifiers in rendered HTML.

    See the module notes for the marking contract (``data-sa-count`` /
    ``sa-count``, ``data-sa-not-count`` / ``sa-not-count``) and what is checked.

    Parameters
    ----------
    html : str
        The rendered report (or a fragment).
    threshold : int, default 10
        Counts ``1 <= x < threshold`` are reported.
    allowed : iterable of str or compiled regex, optional
        Known-safe snippets: a finding is dropped if its snippet equals one of the
        strings or matches (``re.search``) one of the patterns, e.g. the council's
        own postcode.
    flag_zero : bool, default False
        Report zeros too (when zeros must be suppressed).

    Returns
    -------
    DataFrame
        One row per finding, columns ``kind`` (``"small_count"``,
        ``"crime_id"``, ``"postcode"``, ``"reference"``, ``"coordinates"``),
        ``snippet``, ``value`` (the count, or None), ``where`` (element or
        attribute), ``context`` (nearby text) and ``line`` (line in ``html``).
        Empty when nothing was found.

    Examples
    --------
    >>> scan_html_for_disclosure('<td class="sa-count">7</td>')["snippet"].tolist()
    ['7']
    >>> scan_html_for_disclosure('<td class="sa-count">&lt;10</td>').empty
    True
    """
    if not isinstance(html, str):
        raise ValueError(
            f"html must be a string of HTML, got {type(html).__name__}. "
            f"Fix: read the file first, e.g. Path('report.html').read_text()."
        )
    found = _Findings(int(threshold), flag_zero, _check_scan_args(threshold, allowed))
    parser = _Scanner(found)
    parser.feed(html)
    parser.close()
    return found.frame()


def scan_text(
    text: str,
    threshold: int = 10,
    allowed: Iterable[str | re.Pattern] | None = None,
    *,
    flag_zero: bool = False,
) -> pd.DataFrame:
    """Find small counts and record-level identifiers in plain text or Markdown.

    Checks count phrases ("3 burglaries"; see the module notes), bare whole
    numbers in Markdown table cells (lines starting with ``|``) and the
    identifiers listed for :func:`scan_html_for_disclosure`.

    Parameters
    ----------
    text : str
        Text, Markdown or CSV-like output.
    threshold, allowed, flag_zero
        As for :func:`scan_html_for_disclosure`.

    Returns
    -------
    DataFrame
        Columns as for :func:`scan_html_for_disclosure` (``line`` is the line in ``text``).

    Examples
    --------
    >>> scan_text("There were 3 robberies near PE29 3TN.")["kind"].tolist()
    ['small_count', 'postcode']
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}.")
    found = _Findings(int(threshold), flag_zero, _check_scan_args(threshold, allowed))
    for i, line in enumerate(text.splitlines(), start=1):
        found.phrases(line, "text", i)
        stripped = line.strip()
        if stripped.startswith("|") and not re.fullmatch(r"[|:\-\s]+", stripped):
            for cell in stripped.strip("|").split("|"):
                found.bare(cell, "markdown table cell (bare number)", i)
        found.identifiers(line, "text", i)
    return found.frame()
