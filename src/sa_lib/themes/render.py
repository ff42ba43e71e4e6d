"""Render theme results: HTML for every block, and the notebook's one display call per section.

The one table renderer of the workbench is :func:`table_html`: it carries the
disclosure-mark contract (count cells have ``class="sa-count"`` and a
``data-sa-count`` attribute holding the shown value, so the disclosure scan can
check every published count). A notebook shows a section of a theme result with
``render.show(result, "trends")``; nothing is computed here.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.themes.results import table
>>> html = table_html(table(pd.DataFrame({"ward": ["A"], "count": [3]}), count_cols=["count"], threshold=10))
>>> "&lt;10" in html and ">3<" not in html
True
"""

from __future__ import annotations

import html as _html
import json
import re
from pathlib import Path

from sa_lib.themes.results import (
    Figure,
    Findings,
    Html,
    Note,
    Table,
    ThemeResult,
)

__all__ = [
    "table_html",
    "block_html",
    "capture",
    "display_block",
    "show",
    "publish",
    "RESULTS_DIR_ENV",
]

#: Environment variable naming the folder where :func:`publish` writes results (set by the runner).
RESULTS_DIR_ENV = "SA_RESULTS_DIR"

#: Where the pack's data files live, relative to a page (links beside tables).
DATA_DIR = "data"
#: Tables with more columns than this get a visible "scroll sideways" cue on narrow screens.
WIDE_COLUMNS = 6
#: A table with more columns than this shows its rows as cards on a phone (furniture.css).
CARD_COLUMNS = 4
WORKBOOK = "tables.xlsx"


def _plain(text: str) -> str:
    from sa_lib.themes.report import plain_english

    return plain_english(text)


def _env():
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.PackageLoader("sa_lib.themes", "templates"),
            autoescape=True,
            keep_trailing_newline=False,
        )
    return _ENV


_ENV = None


def table_context(t: Table, download: str | None = None) -> dict:
    """What the table macro lays out: shown texts and each cell's kind (count, not a count, number, text)."""
    texts = t.texts()
    d = t.frame.reset_index(drop=True)
    rows = []
    for i in range(len(d)):
        row = []
        for j, c in enumerate(d.columns):
            v = d.iat[i, j]
            if c in t.count_cols:
                kind = "count"
            elif c in t.not_count_cols:
                kind = "not_count"
            elif not isinstance(v, str):
                kind = "num"
            else:
                kind = "text"
            style = ""
            if t.styles is not None and c in t.styles.columns:
                style = str(t.styles.iat[i, t.styles.columns.get_loc(c)] or "")
            row.append({"text": texts.iat[i, j], "kind": kind, "style": style})
        rows.append(row)
    caption = t.shown_caption
    return {
        "caption": _plain(caption) if caption else None,
        "columns": [str(c) for c in d.columns],
        "rows": rows,
        "download": download,
        "data_dir": DATA_DIR,
        "workbook": WORKBOOK,
        "threshold": t.threshold if (t.threshold and t.any_hidden) else None,
        "wide": len(d.columns) > WIDE_COLUMNS,
        # On a phone its rows become cards, so no verdict column scrolls off screen.
        "cards": len(d.columns) > CARD_COLUMNS,
        # The Methods table is small print.
        "methods": len(d.columns) > 0 and str(d.columns[0]) == "choice",
    }


def table_html(t: Table, download: str | None = None) -> str:
    """A :class:`~sa_lib.themes.results.Table` as an accessible HTML table (marks already decided).

    Rendered by the one table macro (``templates/table.html.j2``, autoescaped).
    ``download``: the CSV file name to link beside the table.
    """
    return _env().get_template("table.html.j2").render(t=table_context(t, download))


def findings_html(block: Findings) -> str:
    """A findings list (``<ul class="sa-findings">``)."""
    items = "".join(
        f"<li>{_html.escape(_plain(f.text))}"
        + (
            f' <a class="sa-evidence" href="{_html.escape(f.link, quote=True)}">Evidence</a>'
            if f.link
            else ""
        )
        + "</li>"
        for f in block.items
    )
    return f'<ul class="sa-findings">{items or "<li>No findings.</li>"}</ul>'


def note_html(block: Note) -> str:
    """A note, or a library warning shown as a note."""
    if block.level == "warning":
        return f'<p class="sa-warning">Note: {_html.escape(_plain(block.text))}</p>'
    return f'<p class="sa-note">{_html.escape(_plain(block.text))}</p>'


_SCREEN_ONLY = re.compile(r"^(Hover|Tap|Click|Scroll|Select)\b")


def caption_html(text: str) -> str:
    """A caption, escaped; its sentences that tell a reader how to use the screen are screen-only.

    Printed, "Hover over (or tap) a ward" means nothing, so such a sentence carries the
    ``sa-screen-only`` class (hidden in print).

    Examples
    --------
    >>> caption_html("Hover over (or tap) a ward for its figures. Small wards are hatched.")
    '<span class="sa-screen-only">Hover over (or tap) a ward for its figures. </span>Small wards are hatched.'
    """
    out = []
    for sentence in re.split(r"(?<=\.)\s+", text):
        esc = _html.escape(sentence)
        if _SCREEN_ONLY.match(sentence):
            out.append(f'<span class="sa-screen-only">{esc} </span>')
        else:
            out.append(esc + " ")
    return "".join(out).rstrip()


def figure_html(block: Figure) -> str:
    """A chart: an embedded PNG with its alt text, or an inline SVG with its caption."""
    cap = (
        f'<figcaption class="sa-note">{caption_html(block.caption)}</figcaption>'
        if block.caption
        else ""
    )
    if block.svg is not None:
        return f"<figure>{block.svg}{cap}</figure>"
    return f'<img alt="{_html.escape(block.alt, quote=True)}" src="{block.data_uri()}">{cap}'


def block_html(block, download: str | None = None) -> str:
    """Any block as HTML."""
    if isinstance(block, Table):
        return table_html(block, download)
    if isinstance(block, Findings):
        return findings_html(block)
    if isinstance(block, Note):
        return note_html(block)
    if isinstance(block, Figure):
        return figure_html(block)
    if isinstance(block, Html):
        return block.html
    raise TypeError(f"not a result block: {type(block).__name__}")


#: Where :func:`display_block` puts outputs while :func:`capture` is open (else IPython shows them).
_SINK: list | None = None


class capture:  # noqa: N801 - used as a context manager, like open()
    """Collect the outputs :func:`display_block` would show, as notebook output dicts.

    For rendering a page without a kernel (:mod:`sa_lib.pack.direct`): each output is
    what the kernel would have recorded (``display_data`` with ``text/html``, or
    ``image/png`` in base64 with its alt text).

    Examples
    --------
    >>> from sa_lib.themes.results import Note
    >>> with capture() as outs:
    ...     display_block(Note("Hello"))
    >>> outs[0]["data"]["text/html"]
    '<p class="sa-note">Hello</p>'
    """

    def __enter__(self) -> list:
        global _SINK
        self._outer, _SINK = _SINK, []
        return _SINK

    def __exit__(self, *exc) -> None:
        global _SINK
        _SINK = self._outer


def _html_output(html: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"text/html": html, "text/plain": "<IPython.core.display.HTML object>"},
        "metadata": {},
    }


def _sink_block(block, download: str | None) -> None:
    import base64

    if isinstance(block, Figure) and block.svg is None:
        _SINK.append(
            {
                "output_type": "display_data",
                "data": {"image/png": base64.b64encode(block.png).decode("ascii")},
                "metadata": {"image/png": {"alt": block.alt}},
            }
        )
        if block.caption:
            _SINK.append(_html_output(f'<p class="sa-note">{_html.escape(block.caption)}</p>'))
        return
    _SINK.append(_html_output(block_html(block, download)))


def display_block(block, download: str | None = None) -> None:
    """Show one block in the notebook (a PNG chart as an image output with its alt text)."""
    if _SINK is not None:
        _sink_block(block, download)
        return
    from IPython.display import HTML, display

    if isinstance(block, Figure) and block.svg is None:
        display({"image/png": block.png}, metadata={"image/png": {"alt": block.alt}}, raw=True)
        if block.caption:
            display(HTML(f'<p class="sa-note">{caption_html(block.caption)}</p>'))
        return
    display(HTML(block_html(block, download)))


def show(result: ThemeResult, key: str) -> None:
    """Show section ``key`` of a theme result: the notebook's one call per section.

    Each table gets its CSV link (the file the runner writes from the same result).

    Raises
    ------
    KeyError
        If the result has no such section (the names it has are listed).
    """
    if key not in result.sections:
        raise KeyError(
            f"the {result.theme} result has no section {key!r}; it has: "
            + ", ".join(result.sections)
        )
    files = {id(t): f["file"] for t, f in zip(result.tables(), _table_files(result), strict=True)}
    for block in result.sections[key]:
        display_block(block, files.get(id(block)))


def _table_files(result: ThemeResult) -> list[dict]:
    from sa_lib.themes.results import csv_name

    return [
        {"file": csv_name(result.theme, i, t.caption)} for i, t in enumerate(result.tables(), 1)
    ]


def publish(result: ThemeResult, folder: str | Path | None = None) -> None:
    """Write the result as ``<theme>.json`` for the pack (downloads, headlines, call-out).

    ``folder`` defaults to the runner's results folder (environment variable
    ``SA_RESULTS_DIR``); run interactively without one, nothing is written. Returns
    None, so that the notebook cell that calls it shows nothing.
    """
    import os

    folder = folder or os.environ.get(RESULTS_DIR_ENV)
    if not folder:
        return
    path = Path(folder) / f"{result.theme}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
