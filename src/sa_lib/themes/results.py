"""Typed theme results: what a theme's ``build(ctx)`` returns, and what every page reads.

A theme computes everything once, in ``build(ctx)``, and returns a
:class:`ThemeResult`: its sections, each a list of blocks (:class:`Table` with its
disclosure decision already applied, :class:`Figure`, :class:`Findings`,
:class:`Note`, :class:`Html` for page furniture), its key findings as
:class:`Finding` objects, and an availability state with a plain reason for each
measure it could not compute. The notebook only renders the result
(:mod:`sa_lib.themes.render`); the pack's downloads, headlines and key-findings
call-out read the same result (:meth:`ThemeResult.to_json`), never the HTML.

While a section is open (``with result.section("trends"):``) the display helpers
of :mod:`sa_lib.themes.report` add their blocks to it instead of displaying them,
and any matplotlib figure left open when the section closes becomes a
:class:`Figure` block, as a notebook cell would show it.

Examples
--------
>>> import pandas as pd
>>> r = ThemeResult(theme="demo", title="Demo")
>>> with r.section("volume"):
...     emit(table(pd.DataFrame({"Ward": ["A", "B"], "Crimes": [3, 40]}),
...                count_cols=["Crimes"], threshold=10, secondary=False, caption="Crimes by ward"))
>>> t = r.tables()[0]
>>> t.published()["Crimes"].tolist()
['<10', 40]
>>> r.unavailable("subgroups", "needs a force extract")
>>> r.availability
{'subgroups': 'needs a force extract'}
"""

from __future__ import annotations

import base64
import contextlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Table",
    "Figure",
    "Finding",
    "Findings",
    "Note",
    "Html",
    "ThemeResult",
    "table",
    "figure",
    "emit",
    "emit_html",
    "active",
]


@dataclass
class Table:
    """A published table: values, display spec, and the disclosure decision for every cell.

    ``frame`` holds the values in the order published (numbers unformatted);
    ``hidden`` marks each withheld cell and ``marks`` the text shown in its place
    (``"<10"`` for a small count, ``"[c]"`` for a complementary or derived one).
    """

    frame: pd.DataFrame
    caption: str | None = None
    count_cols: tuple[str, ...] = ()
    not_count_cols: tuple[str, ...] = ()
    pct_cols: tuple[str, ...] = ()
    decimals: dict[str, int] = field(default_factory=dict)
    hidden: pd.DataFrame | None = None
    marks: pd.DataFrame | None = None
    threshold: int | None = None
    synthetic: bool = False
    name: str | None = None
    styles: pd.DataFrame | None = None

    kind = "table"

    def published(self) -> pd.DataFrame:
        """The cells as published: withheld cells replaced by their mark (a new DataFrame)."""
        out = self.frame.reset_index(drop=True).astype(object)
        if self.hidden is not None and bool(self.hidden.to_numpy().any()):
            marks = (
                self.marks
                if self.marks is not None
                else pd.DataFrame("[c]", index=out.index, columns=out.columns)
            )
            out = out.mask(self.hidden.to_numpy(), marks.replace("", "[c]").to_numpy())
        return out

    @property
    def any_hidden(self) -> bool:
        return self.hidden is not None and bool(self.hidden.to_numpy().any())

    @property
    def shown_caption(self) -> str | None:
        """The caption as shown: prefixed "SYNTHETIC DATA" when the table is synthetic."""
        if not self.synthetic:
            return self.caption
        cap = self.caption or ""
        if cap.upper().startswith("SYNTHETIC"):
            return cap
        return f"SYNTHETIC DATA: {cap}" if cap else "SYNTHETIC DATA"

    def texts(self) -> pd.DataFrame:
        """Every cell as the text a reader sees (marks, formatted numbers, plain English), unescaped."""
        from sa_lib.themes.report import plain_english

        d = self.frame.reset_index(drop=True)
        out = pd.DataFrame("", index=d.index, columns=d.columns, dtype=object)
        hidden = (
            self.hidden
            if self.hidden is not None
            else pd.DataFrame(False, index=d.index, columns=d.columns)
        )
        for j, c in enumerate(d.columns):
            col = []
            for i, v in enumerate(d.iloc[:, j].tolist()):
                if hidden.iat[i, j]:
                    mark = self.marks.iat[i, j] if self.marks is not None else ""
                    col.append(mark or "[c]")
                    continue
                text = format_number(v, self.decimals.get(c, 1))
                if c in self.pct_cols and text != "–":
                    text += "%"
                col.append(plain_english(text) if isinstance(v, str) else text)
            out.iloc[:, j] = col
        return out

    def to_json(self) -> dict:
        """The table as published, JSON-ready: caption, columns, rows of shown values.

        ``rows``: plain numbers are numbers (as shown, e.g. rounded to the shown
        decimals); marks, percentages and intervals are text. ``shown``: every cell's
        text exactly as on the page ("0.60" keeps its last zero), for the CSV.
        """
        texts = self.texts()
        shown = [list(row) for row in texts.itertuples(index=False, name=None)]
        return {
            "name": self.name,
            "caption": self.shown_caption,
            "columns": [str(c) for c in texts.columns],
            "rows": [[cell_value(v) for v in row] for row in shown],
            "shown": shown,
            "count_cols": list(self.count_cols),
            "threshold": self.threshold,
            "synthetic": self.synthetic,
        }


@dataclass
class Figure:
    """A chart: PNG bytes (matplotlib) or an inline SVG, with alt text from its data.

    ``labels``: every text drawn on the chart (titles, tick and point labels), so a
    test or a reviewer can check what the chart names without reading pixels.
    """

    png: bytes | None = None
    svg: str | None = None
    alt: str = ""
    caption: str | None = None
    synthetic: bool = False
    labels: tuple[str, ...] = ()

    kind = "figure"

    def to_json(self) -> dict:
        return {"alt": self.alt, "caption": self.caption, "synthetic": self.synthetic}

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png or b"").decode("ascii")


@dataclass
class Finding:
    """One finding: its sentence, and what it is about when the builder knows it.

    The wording rules (issue 20) are decided from these fields, never from the text;
    a consumer (call-out, index, board paper) reads them, not the sentence:

    - ``subject``: what the finding is about ("Drugs", "Brampton (ward)").
    - ``measure``: what was measured ("count", "priority rank", "crime rate").
    - ``value``: the measure's value where a reader orders by it (a "priority rank"
      finding's rank: the call-out and front page order by it, never by the text).
    - ``comparison``: the comparison period's label ("Q4 2024 (Oct-Dec)"), or None.
    - ``periods``: ``(before, after)`` labels of a tested comparison, both named in
      the text; None when nothing was compared.
    - ``test``: the test that ran ("exact Poisson", "quasi-Poisson", "trend", ...).
    - ``tested``: True when a change test ran for ``subject``; False when the
      comparison was not available (the text says so); None when not about a change.
    - ``significant``: True or False for a tested change, None when nothing was tested.
    - ``direction``: "increase" / "decrease" for a significant change, "none" when
      tested and not significant on every test shown, None when not tested. A
      "no real change" line is made only from findings with ``direction == "none"``.
    - ``synthetic``: drawn on synthetic inputs. ``link``: the evidence (an href).
    """

    text: str
    subject: str | None = None
    measure: str | None = None
    value: float | None = None
    comparison: str | None = None
    test: str | None = None
    significant: bool | None = None
    synthetic: bool = False
    link: str | None = None
    tested: bool | None = None
    direction: str | None = None
    periods: tuple[str, str] | None = None

    def to_json(self) -> dict:
        return {k: _json_value(v) for k, v in self.__dict__.items()}


@dataclass
class Findings:
    """A list of findings shown together (a page's key findings, an SPC summary)."""

    items: list[Finding]
    kind = "findings"

    def texts(self) -> list[str]:
        return [f.text for f in self.items]


@dataclass
class Note:
    """A short note: what is missing and why, a caveat, or a library warning (``level="warning"``)."""

    text: str
    level: str = "note"
    kind = "note"


@dataclass
class Html:
    """Page furniture built by the workbench with every value escaped (a header, a list of breaks)."""

    html: str
    kind = "html"


Block = Table | Figure | Findings | Note | Html


@dataclass
class ThemeResult:
    """Everything one theme publishes, computed once by its ``build(ctx)``.

    Attributes
    ----------
    theme, title : str
        The theme's name (its notebook) and the page title.
    sections : dict
        Section key -> list of blocks, in the order built.
    availability : dict
        Measure -> plain-English reason it could not be computed.
    period_label, against_label : str
        The period, and the comparison period the key findings are read against.
    synthetic : str
        ``"none"``, ``"part"`` or ``"page"``: how much of the page is synthetic.
    data : dict
        Named frames other themes may read (the summary reads them), not published.
    """

    theme: str
    title: str = ""
    sections: dict[str, list] = field(default_factory=dict)
    availability: dict[str, str] = field(default_factory=dict)
    period_label: str = ""
    against_label: str = ""
    synthetic: str = "none"
    data: dict[str, Any] = field(default_factory=dict)

    @contextlib.contextmanager
    def section(self, key: str) -> Iterator[list]:
        """Open section ``key``: blocks emitted inside it (and figures left open) are added to it."""
        import matplotlib.pyplot as plt

        blocks = self.sections.setdefault(key, [])
        before = set(plt.get_fignums())
        _STACK.append(blocks)
        old_show = warnings.showwarning
        warnings.showwarning = _warning_to_note
        try:
            yield blocks
        finally:
            warnings.showwarning = old_show
            _STACK.pop()
        for num in plt.get_fignums():
            if num not in before:
                fig = plt.figure(num)
                blocks.append(figure(fig))

    def add(self, key: str, block: Block) -> None:
        """Append ``block`` to section ``key``."""
        self.sections.setdefault(key, []).append(block)

    def unavailable(self, measure: str, reason: str, *, note: bool = False) -> None:
        """Record that ``measure`` cannot be computed and why; with ``note``, also say so on the page."""
        self.availability[measure] = reason
        if note:
            emit(Note(reason))

    def blocks(self) -> list[tuple[str, Block]]:
        """Every block with its section key, in order."""
        return [(k, b) for k, bl in self.sections.items() for b in bl]

    def tables(self) -> list[Table]:
        """Every table, in page order."""
        return [b for _, b in self.blocks() if isinstance(b, Table)]

    @property
    def findings(self) -> list[Finding]:
        """The page's key findings: the first findings list of the ``findings`` section."""
        for b in self.sections.get("findings", []):
            if isinstance(b, Findings):
                return b.items
        return []

    def synthetic_state(self) -> str:
        """``"page"``, ``"part"`` or ``"none"``: decided from the result's own blocks.

        ``"page"`` when the page was built on synthetic data (``synthetic`` set so);
        ``"part"`` when any table, figure or finding draws on synthetic inputs;
        ``"none"`` otherwise: a page built without synthetic inputs is never labelled.

        Examples
        --------
        >>> r = ThemeResult("demo", "Demo")
        >>> r.synthetic_state()
        'none'
        >>> r.sections["findings"] = [Findings([Finding("x", synthetic=True)])]
        >>> r.synthetic_state()
        'part'
        """
        if self.synthetic == "page":
            return "page"
        for _, b in self.blocks():
            if isinstance(b, Table | Figure) and b.synthetic:
                return "part"
            if isinstance(b, Findings) and any(f.synthetic for f in b.items):
                return "part"
        return "part" if self.synthetic == "part" else "none"

    def to_json(self) -> dict:
        """What the downloads, headlines and call-out read (JSON-ready)."""
        tables = []
        section = {id(b): sec for sec, b in self.blocks()}
        for i, t in enumerate(self.tables(), start=1):
            d = t.to_json()
            d["file"] = csv_name(self.theme, i, t.caption)
            d["section"] = section[id(t)]
            tables.append(d)
        return {
            "theme": self.theme,
            "title": self.title,
            "period": self.period_label,
            "against": self.against_label,
            "synthetic": self.synthetic_state(),
            "findings": [_finding_json(f) for f in self.findings],
            "availability": dict(self.availability),
            "tables": tables,
            "figures": [
                {**b.to_json(), "section": sec} for sec, b in self.blocks() if isinstance(b, Figure)
            ],
            "lists": self._lists(),
        }

    def _lists(self) -> dict[str, list[list[str]]]:
        """Every findings list outside the key findings, by section (e.g. the recommendations)."""
        key = self.findings
        out: dict[str, list[list[str]]] = {}
        for sec, b in self.blocks():
            if isinstance(b, Findings) and b.items is not key:
                out.setdefault(sec, []).append([_finding_json(f)["text"] for f in b.items])
        return out


def _finding_json(f: Finding) -> dict:
    from sa_lib.themes.report import plain_english

    return {**f.to_json(), "text": plain_english(f.text)}


def csv_name(page: str, index: int, caption: str | None) -> str:
    """The file name of a table's CSV: ``<page>_<nn>_<caption slug>.csv``.

    Examples
    --------
    >>> csv_name("overview", 3, "Crimes by ward, Q4 2025")
    'overview_03_crimes_by_ward_q4_2025.csv'
    """
    s = re.sub(r"[^a-z0-9]+", "_", (caption or "table").lower()).strip("_")
    return f"{page}_{index:02d}_{s[:40].strip('_') or 'table'}.csv"


def format_number(v: object, decimals: int) -> str:
    """A value as shown in a table: thousands separators, ``decimals`` places for floats, "–" for missing.

    Examples
    --------
    >>> format_number(1204, 1), format_number(2.345, 1), format_number(float("nan"), 1)
    ('1,204', '2.3', '–')
    """
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "–"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        return f"{float(v):,.{decimals}f}"
    return str(v)


_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")


def cell_value(text: str) -> int | float | str | None:
    """A shown cell as a spreadsheet value: plain numbers become numbers, an empty cell None.

    Anything else stays text: suppressed cells (``<10``, ``[c]``), percentages, intervals.

    Examples
    --------
    >>> cell_value("1,204"), cell_value("<10"), cell_value("12%"), cell_value("2.5")
    (1204, '<10', '12%', 2.5)
    """
    t = str(text).strip()
    if t == "":
        return None
    if _NUMBER.match(t):
        n = t.replace(",", "")
        return float(n) if "." in n else int(n)
    return t


def _json_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, tuple | list):
        return [_json_value(x) for x in v]
    return str(v) if not isinstance(v, str) else v


#: Open sections, innermost last (see :meth:`ThemeResult.section`).
_STACK: list[list] = []


def active() -> list | None:
    """The open section's blocks, or None when no section is open."""
    return _STACK[-1] if _STACK else None


def emit(block: Block) -> None:
    """Add ``block`` to the open section; with none open (a notebook cell), display it."""
    target = active()
    if target is not None:
        target.append(block)
        return
    from sa_lib.themes.render import display_block

    display_block(block)


def emit_html(html: str) -> None:
    """Emit a piece of page furniture (see :class:`Html`)."""
    emit(Html(html))


def _warning_to_note(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, UserWarning) and not issubclass(category, DeprecationWarning):
        emit(Note(str(message), level="warning"))


def table(
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
    synthetic: bool | None = None,
    styles: pd.DataFrame | None = None,
) -> Table:
    """Make a :class:`Table`, applying disclosure control once (see :func:`sa_lib.themes.report.table_html`).

    Counts from 1 to ``threshold``-1 are withheld as ``<threshold``; with
    ``secondary``, complementary cells as ``[c]``; each ``derived`` column is
    withheld (``[c]``) where any of its source counts is; ``suppressed`` adds
    further cells. ``synthetic`` None takes the page's state (a table on a
    synthetic page whose caption does not name police.uk). ``styles``: inline CSS
    per cell ("" for none), e.g. a risk band's colour.

    Examples
    --------
    >>> t = table(pd.DataFrame({"Ward": ["A"], "Crimes": [3], "Rate": [1.5]}), count_cols=["Crimes"],
    ...           threshold=10, derived={"Rate": ["Crimes"]})
    >>> t.published().iloc[0].tolist()
    ['A', '<10', '[c]']
    """
    d = df.reset_index(drop=True)
    hide = pd.DataFrame(False, index=d.index, columns=d.columns)
    labels = pd.DataFrame("", index=d.index, columns=d.columns)
    if threshold and count_cols:
        from sa_lib.stats.disclosure import suppress_table

        res = suppress_table(
            d[list(count_cols)],
            list(count_cols),
            threshold=threshold,
            secondary=secondary,
            suppress_zero=suppress_zero,
            lines=lines,
            table=caption,
        )
        for c in count_cols:
            hide[c] = res.suppressed[c].to_numpy()
            labels[c] = [f"<{threshold}" if p else "[c]" for p in res.primary[c].to_numpy()]
        for col, sources in (derived or {}).items():
            mask = np.zeros(len(d), dtype=bool)
            for src in sources:
                mask |= res.suppressed[src].to_numpy()
            hide[col] = hide[col].to_numpy() | mask
            labels.loc[mask, col] = "[c]"
    if suppressed is not None:
        extra = (
            suppressed.reset_index(drop=True)
            .reindex(columns=d.columns, fill_value=False)
            .fillna(False)
            .astype(bool)
        )
        newly = extra & ~hide
        hide = hide | extra
        labels = labels.mask(newly, "[c]")
    if synthetic is None:
        from sa_lib.themes.report import synthetic_caption

        synthetic = bool(count_cols) and synthetic_caption(caption) != caption
    return Table(
        frame=d,
        caption=caption,
        count_cols=tuple(count_cols),
        not_count_cols=tuple(not_count_cols),
        pct_cols=tuple(pct_cols),
        decimals=dict(decimals or {}),
        hidden=hide,
        marks=labels,
        threshold=threshold if (threshold and count_cols) else None,
        synthetic=bool(synthetic),
        styles=None if styles is None else styles.reset_index(drop=True),
    )


def figure(fig, *, synthetic: bool | None = None, caption: str | None = None) -> Figure:
    """Make a :class:`Figure` from a matplotlib figure (rendered to PNG, then closed).

    ``synthetic`` None takes the page's state (see :func:`sa_lib.themes.report.chart_png`);
    True stamps the chart "SYNTHETIC DATA".
    """
    import matplotlib.pyplot as plt

    from sa_lib.themes.report import chart_png

    labels = tuple(
        t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()
    )
    png, meta, stamped = chart_png(fig, synthetic=synthetic, with_flag=True)
    plt.close(fig)
    return Figure(png=png, alt=meta["alt"], caption=caption, synthetic=stamped, labels=labels)
