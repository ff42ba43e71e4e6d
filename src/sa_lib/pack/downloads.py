"""The data behind every table: a CSV beside each table on a page, and one XLSX workbook per pack.

Each CSV loads with ``pandas.read_csv`` defaults (header on the first line, no
byte-order mark, no title line); its title and notes are in a JSON sidecar beside it
and in the workbook's contents sheet. The CSVs are written from each page's structured result
(``results/<theme>.json``, see :meth:`sa_lib.themes.results.ThemeResult.to_json`),
so they hold exactly what
the page shows, after disclosure control (``<10`` and ``[c]`` stay as they are):
nothing is downloadable that the page does not already publish, and no HTML is
parsed. Each sits in the pack's ``data/`` folder and is linked from beside its
table (the link is rendered with the table), so it works offline.
:func:`write_workbook` gathers every page's CSVs into one workbook with a sheet per
table and a contents sheet.

Examples
--------
>>> cell_value("1,204"), cell_value("<10"), cell_value("12%")
(1204, '<10', '12%')
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from sa_lib.themes.results import cell_value

__all__ = [
    "DATA_DIR",
    "WORKBOOK",
    "cell_value",
    "neutralise",
    "restore",
    "write_result_csvs",
    "write_workbook",
]

#: Folder in the pack holding the CSVs.
DATA_DIR = "data"
#: The pack's workbook.
WORKBOOK = "tables.xlsx"

_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")
#: A signed number as shown (``-12``, ``+3.5%``, ``-1,204``): safe to leave as it is.
_SIGNED_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?%?$")
#: What a spreadsheet reads as the start of a formula (OWASP CSV injection), and the
#: quote that neutralises it (the quote itself is escaped so the mark is unambiguous).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def _slug(text: str, n: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:n].strip("_") or "table"


def neutralise(text: str) -> str:
    """Text a spreadsheet cannot read as a formula (the OWASP CSV-injection rule).

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'`` (a signed number such as ``-12%`` stays as it is); text already
    beginning with ``'`` gets a second one, so :func:`restore` is exact. Nothing is
    stripped, so ``"\\t=2+2"`` cannot turn into a live ``=2+2``.

    Examples
    --------
    >>> neutralise("=HYPERLINK(1)"), neutralise("-12%"), neutralise("\\t=2+2"), neutralise("A")
    ("'=HYPERLINK(1)", '-12%', "'\\t=2+2", 'A')
    """
    if text.startswith(_QUOTE) or (
        text.startswith(FORMULA_START) and not _SIGNED_NUMBER.match(text)
    ):
        return _QUOTE + text
    return text


def restore(text: str) -> str:
    """The text :func:`neutralise` was given (for the workbook's string cells).

    Examples
    --------
    >>> restore(neutralise("=1+1")), restore(neutralise("'x")), restore("-3")
    ('=1+1', "'x", '-3')
    """
    return text[1:] if text.startswith(_QUOTE) else text


def csv_cell(text: object) -> object:
    """A shown cell for the CSV: a number loses its thousands separators and keeps its decimals;
    text that a spreadsheet would read as a formula is neutralised (:func:`neutralise`).

    Examples
    --------
    >>> csv_cell("1,204"), csv_cell("0.60"), csv_cell("<10"), csv_cell("12%"), csv_cell(None)
    ('1204', '0.60', '<10', '12%', '')
    >>> csv_cell("=1+1"), csv_cell("@SUM(A1)"), csv_cell(-3)
    ("'=1+1", "'@SUM(A1)", '-3')
    """
    if text is None:
        return ""
    t = str(text)
    return t.replace(",", "") if _NUMBER.match(t.strip()) else neutralise(t)


#: Titles of the tables the pages show without a caption, by their header.
UNCAPTIONED = {
    ("choice", "value", "reason", "source"): "Methods: the choices made and why",
    ("check", "value", "detail"): "Data quality checks",
    ("Measure", "Value"): "Measures",
    ("Item", "Value"): "Document control",
}


def table_title(t: dict, page: str) -> str:
    """A table's title: its caption, or (for a table shown without one) a name from its header.

    Examples
    --------
    >>> table_title({"caption": None, "columns": ["check", "value", "detail"]}, "overview")
    'Overview: data quality checks'
    >>> table_title({"caption": None, "columns": ["A", "B"]}, "wards")
    'Wards: table of A, B'
    """
    if t.get("caption"):
        return str(t["caption"])
    cols = tuple(map(str, t.get("columns", [])))
    name = UNCAPTIONED.get(cols) or "table of " + ", ".join(cols)
    return f"{page.replace('_', ' ').capitalize()}: {name[0].lower()}{name[1:]}"


def _notes(t: dict) -> str:
    thr = t.get("threshold")
    if not thr:
        return ""
    return (
        f"<{thr}: fewer than {thr}, suppressed for disclosure control; [c]: hidden so that a "
        "suppressed value cannot be worked out from totals or rates."
    )


def write_result_csvs(result: dict, out_dir: Path, page: str) -> list[Path]:
    """Write each table of a theme result (its ``to_json()``) as ``data/<file>`` in ``out_dir``.

    A CSV is the table as published (disclosure control applied in the result) with
    the header on its first line and no byte-order mark, so ``pandas.read_csv(file)``
    loads the table as shown. Its title, page and notes are in a sidecar
    ``data/<file stem>.json`` (and in the workbook's contents sheet). The file names
    are the ones the page links to (:func:`sa_lib.themes.results.csv_name`). Earlier
    CSVs of the page (and their sidecars) are removed first.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> res = {"tables": [{"file": "p_01_t.csv", "caption": "T", "columns": ["Ward", "Crimes"],
    ...                    "rows": [["A", 1204], ["B", "<10"]]}]}
    >>> [p.name for p in write_result_csvs(res, d, "p")]
    ['p_01_t.csv']
    >>> (d / "data" / "p_01_t.csv").read_text().splitlines()
    ['Ward,Crimes', 'A,1204', 'B,<10']
    >>> read_csv_table(d / "data" / "p_01_t.csv")["caption"]
    'T'
    """
    data = Path(out_dir) / DATA_DIR
    for old in data.glob(f"{page}_[0-9][0-9]_*.*"):
        if old.suffix in (".csv", ".json"):
            old.unlink()
    written = []
    for t in result.get("tables", []):
        data.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        # CRLF rows (RFC 4180): a CR inside a cell is then quoted, never a row break. No
        # title line, so `pandas.read_csv(file)` reads the table; the title is in a sidecar.
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([csv_cell(c) for c in t["columns"]])
        w.writerows([[csv_cell(v) for v in row] for row in t.get("shown", t["rows"])])
        path = data / t["file"]
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        meta = {"title": table_title(t, page), "page": page, "notes": _notes(t)}
        meta["synthetic"] = bool(t.get("synthetic"))
        path.with_suffix(".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        written.append(path)
    return written


def read_csv_table(path: Path) -> dict:
    """A CSV written by :func:`write_result_csvs`: ``caption`` (from its sidecar), ``notes``,
    ``header``, ``rows``, each cell as the page shows it (the neutralising quote of
    :func:`neutralise` removed)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [[restore(c) for c in r] for r in csv.reader(fh)]
    side = Path(path).with_suffix(".json")
    meta = json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}
    return {
        "caption": meta.get("title", ""),
        "notes": meta.get("notes", ""),
        "header": rows[0] if rows else [],
        "rows": rows[1:],
    }


def _sheet_value(text: object) -> object:
    """A shown cell as a workbook value: a number, None, or the text (never stripped)."""
    if text is None or str(text).strip() == "":
        return None
    v = cell_value(text)
    return str(text) if isinstance(v, str) else v


def _append(ws, values: list) -> None:
    """Append a row whose text cells are string cells: never a formula, whatever they begin with."""
    from openpyxl.cell import Cell

    cells = []
    for v in values:
        cell = Cell(ws, value=v)
        if isinstance(v, str):
            cell.data_type = "s"  # openpyxl makes text starting with "=" a formula
            if v.startswith(FORMULA_START):
                cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        cells.append(cell)
    ws.append(cells)


def write_workbook(out_dir: Path, pages: list[str], title: str) -> Path | None:
    """One workbook for the pack: a Contents sheet, then a sheet per table, in page order.

    Only pages in ``pages`` whose HTML exists are included (a failed theme's tables
    are not published); CSVs of other pages are removed.

    Returns
    -------
    Path or None
        The workbook, or None when the pack has no tables.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    out_dir = Path(out_dir)
    data = out_dir / DATA_DIR
    published = [p for p in pages if (out_dir / f"{p}.html").exists()]
    files = [(p, f) for p in published for f in sorted(data.glob(f"{p}_[0-9][0-9]_*.csv"))]
    keep = {f for _, f in files}
    for f in data.glob("*.csv") if data.exists() else []:
        if f not in keep:
            f.unlink()
            f.with_suffix(".json").unlink(missing_ok=True)
    if not files:
        return None
    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    _append(contents, [title])
    contents["A1"].font = Font(bold=True, size=13)
    _append(
        contents,
        [
            "Every table of the pack as published (after disclosure control: '<N' and '[c]' are suppressed cells)."
        ],
    )
    contents.append([])
    _append(contents, ["Sheet", "Page", "Table", "Notes", "CSV file"])
    for c in contents[4]:
        c.font = Font(bold=True)
    for i, (page, f) in enumerate(files, start=1):
        t = read_csv_table(f)
        sheet = f"T{i:02d} {_slug(page, 12)}"[:31]
        ws = wb.create_sheet(sheet)
        _append(ws, [t["caption"] or table_title({"columns": t["header"]}, page)])
        ws["A1"].font = Font(bold=True)
        _append(ws, t["header"])
        for c in ws[2]:
            c.font = Font(bold=True)
        for r in t["rows"]:
            _append(ws, [_sheet_value(v) for v in r])
        if t["notes"]:
            ws.append([])
            _append(ws, [t["notes"]])
        _append(contents, [sheet, page, ws["A1"].value, t["notes"], f"{DATA_DIR}/{f.name}"])
    path = out_dir / WORKBOOK
    wb.save(path)
    return path
