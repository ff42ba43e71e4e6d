"""The data behind every table: a CSV beside each table on a page, and one XLSX workbook per pack.

The CSVs are made from the published HTML tables themselves, so they hold exactly
what the page shows, after disclosure control (``<10`` and ``[c]`` stay as they
are): nothing is downloadable that the page does not already publish. Each sits
in the pack's ``data/`` folder and is linked from beside its table, so it works
offline. :func:`write_workbook` gathers every page's CSVs into one workbook with a
sheet per table and a contents sheet.

Examples
--------
>>> html = '<table class="sa-table"><caption>T</caption><thead><tr><th>Ward</th><th>Crimes</th></tr></thead>'
>>> html += '<tbody><tr><td>A</td><td class="sa-count">1,204</td></tr></tbody></table>'
>>> t = html_tables(html)[0]
>>> t["caption"], t["header"], t["rows"]
('T', ['Ward', 'Crimes'], [['A', '1,204']])
>>> cell_value("1,204"), cell_value("<10"), cell_value("12%")
(1204, '<10', '12%')
"""

from __future__ import annotations

import csv
import html as _html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "DATA_DIR",
    "WORKBOOK",
    "html_tables",
    "cell_value",
    "add_downloads",
    "write_workbook",
]

#: Folder in the pack holding the CSVs.
DATA_DIR = "data"
#: The pack's workbook.
WORKBOOK = "tables.xlsx"

_TABLE = re.compile(r'<table class="sa-table">.*?</table>', re.S)
_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$|^-?\d+(\.\d+)?$")


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.caption: str = ""
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.header = self._row
            else:
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self.caption += data
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[dict]:
    """Every ``sa-table`` on a page: ``caption``, ``header`` (list), ``rows`` (list of lists of text)."""
    out = []
    for m in _TABLE.finditer(html):
        p = _TableParser()
        p.feed(m.group(0))
        out.append({"caption": p.caption.strip(), "header": p.header, "rows": p.rows})
    return out


def cell_value(text: str) -> int | float | str | None:
    """A shown cell as a spreadsheet value: plain numbers become numbers, an empty cell None.

    Anything else stays text: suppressed cells (``<10``, ``[c]``), percentages, intervals.
    """
    t = text.strip()
    if t == "":
        return None
    if _NUMBER.match(t):
        n = t.replace(",", "")
        return float(n) if "." in n else int(n)
    return t


def _slug(text: str, n: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return s[:n].strip("_") or "table"


def add_downloads(html: str, out_dir: Path, page: str) -> str:
    """Write each table of ``html`` as ``data/<page>_<nn>_<caption>.csv`` and link it beside the table.

    Parameters
    ----------
    html : str
        The page as exported (disclosure control already applied).
    out_dir : Path
        The pack folder (the CSVs go in ``out_dir / "data"``).
    page : str
        The page's name (its theme), used in file names.

    Returns
    -------
    str
        The page with a download link after every table.
    """
    data = Path(out_dir) / DATA_DIR
    for old in data.glob(f"{page}_[0-9][0-9]_*.csv"):
        old.unlink()
    pieces, pos, k = [], 0, 0
    for m in _TABLE.finditer(html):
        t = html_tables(m.group(0))[0]
        k += 1
        name = f"{page}_{k:02d}_{_slug(t['caption'] or 'table')}.csv"
        data.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if t["caption"]:
            w.writerow([f"# {t['caption']}"])
        w.writerow(t["header"])
        w.writerows(t["rows"])
        (data / name).write_text(buf.getvalue(), encoding="utf-8-sig")
        link = (
            f'<p class="sa-download"><a href="{DATA_DIR}/{_html.escape(name, quote=True)}" download>'
            f'Download this table (CSV)</a> · all tables: <a href="{WORKBOOK}" download>Excel '
            "workbook</a></p>"
        )
        pieces += [html[pos : m.end()], link]
        pos = m.end()
    pieces.append(html[pos:])
    return "".join(pieces)


def csv_cell(text: object) -> object:
    """A shown cell for the CSV: a number loses its thousands separators and keeps its decimals.

    Examples
    --------
    >>> csv_cell("1,204"), csv_cell("0.60"), csv_cell("<10"), csv_cell("12%"), csv_cell(None)
    ('1204', '0.60', '<10', '12%', '')
    """
    if text is None:
        return ""
    t = str(text)
    return t.replace(",", "") if _NUMBER.match(t.strip()) else t


def write_result_csvs(result: dict, out_dir: Path, page: str) -> list[Path]:
    """Write each table of a theme result (its ``to_json()``) as ``data/<file>`` in ``out_dir``.

    The tables are as published (disclosure control applied in the result); the
    file names are the ones the page links to (:func:`sa_lib.themes.results.csv_name`).
    Earlier CSVs of the page are removed first.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> res = {"tables": [{"file": "p_01_t.csv", "caption": "T", "columns": ["Ward", "Crimes"],
    ...                    "rows": [["A", 1204], ["B", "<10"]]}]}
    >>> [p.name for p in write_result_csvs(res, d, "p")]
    ['p_01_t.csv']
    >>> read_csv_table(d / "data" / "p_01_t.csv")["rows"]
    [['A', '1204'], ['B', '<10']]
    """
    data = Path(out_dir) / DATA_DIR
    for old in data.glob(f"{page}_[0-9][0-9]_*.csv"):
        old.unlink()
    written = []
    for t in result.get("tables", []):
        data.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if t.get("caption"):
            w.writerow([f"# {t['caption']}"])
        w.writerow(t["columns"])
        w.writerows([[csv_cell(v) for v in row] for row in t.get("shown", t["rows"])])
        path = data / t["file"]
        path.write_text(buf.getvalue(), encoding="utf-8-sig")
        written.append(path)
    return written


def read_csv_table(path: Path) -> dict:
    """A CSV written by :func:`add_downloads`: ``caption``, ``header``, ``rows``."""
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    caption = ""
    if rows and len(rows[0]) == 1 and rows[0][0].startswith("# "):
        caption = rows.pop(0)[0][2:]
    return {"caption": caption, "header": rows[0] if rows else [], "rows": rows[1:]}


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
    if not files:
        return None
    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents.append([title])
    contents["A1"].font = Font(bold=True, size=13)
    contents.append(
        [
            "Every table of the pack as published (after disclosure control: '<N' and '[c]' are suppressed cells)."
        ]
    )
    contents.append([])
    contents.append(["Sheet", "Page", "Table", "CSV file"])
    for c in contents[4]:
        c.font = Font(bold=True)
    for i, (page, f) in enumerate(files, start=1):
        t = read_csv_table(f)
        sheet = f"T{i:02d} {_slug(page, 12)}"[:31]
        ws = wb.create_sheet(sheet)
        ws.append([t["caption"] or f.stem])
        ws["A1"].font = Font(bold=True)
        ws.append(t["header"])
        for c in ws[2]:
            c.font = Font(bold=True)
        for r in t["rows"]:
            ws.append([cell_value(v) for v in r])
        contents.append([sheet, page, t["caption"], f"{DATA_DIR}/{f.name}"])
    path = out_dir / WORKBOOK
    wb.save(path)
    return path
