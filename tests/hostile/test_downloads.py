"""Hostile text in the downloads (OWASP CSV injection): no live formula in any CSV cell or
workbook cell, whatever a ward name, caption, column, title or cell begins with."""

from __future__ import annotations

import csv

import pandas as pd
from openpyxl import load_workbook

from sa_lib.pack.downloads import (
    FORMULA_START,
    csv_cell,
    read_csv_table,
    write_result_csvs,
    write_workbook,
)
from sa_lib.themes import results
from sa_lib.themes.results import ThemeResult

PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=2+2",
    "\r=2+2",
    " =1+1",
    "'=already quoted",
]


def _hostile_result(theme: str) -> dict:
    r = ThemeResult(theme=theme, title="=Title")
    with r.section("s"):
        results.emit(
            results.table(
                pd.DataFrame(
                    {
                        "=Ward": PAYLOADS,
                        "Crimes": [1204, 3, 40, 50, 60, 70, 80, 90],
                        "Change": ["-12%", "+3.5%", "-1,204", "=1", "-x", "+", "-", "@"],
                    }
                ),
                count_cols=["Crimes"],
                threshold=10,
                secondary=False,
                caption="=cmd|' /C calc'!A0",
            )
        )
    return r.to_json()


def _formula_prefixed(text: str) -> bool:
    return text.startswith(FORMULA_START)


def test_hostile_pack_has_no_formula_in_its_csvs_or_workbook(tmp_path):
    pages = ["overview", "wards"]
    for page in pages:
        write_result_csvs(_hostile_result(page), tmp_path, page)
        (tmp_path / f"{page}.html").write_text("<p>page</p>", encoding="utf-8")
    path = write_workbook(tmp_path, pages, '=HYPERLINK("http://evil")')

    csv_texts = []
    for f in sorted((tmp_path / "data").glob("*.csv")):
        with open(f, encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                csv_texts += row
    assert len(csv_texts) > 50
    # Signed numbers stay as they are; every other formula-prefixed text is neutralised.
    prefixed = [
        t for t in csv_texts if _formula_prefixed(t) and t not in {"-12%", "+3.5%", "-1204"}
    ]
    assert prefixed == []

    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    # The workbook shows the text exactly as the page does (restored, not stripped).
    # (XML stores a CR as a line feed: the cell still begins with it, as text.)
    assert {p.replace("\r", "\n") for p in PAYLOADS} <= texts and "=Ward" in texts
    assert '=HYPERLINK("http://evil")' in texts
    numbers = [c.value for c in cells if isinstance(c.value, int | float)]
    assert 1204 in numbers and 40 in numbers  # numbers stay numbers


def test_csv_round_trip_is_exact():
    for p in PAYLOADS:
        assert read_csv_table_cell(csv_cell(p)) == p


def read_csv_table_cell(cell: str) -> str:
    from sa_lib.pack.downloads import restore

    return restore(cell)


def test_csv_holds_the_neutralising_quote_and_reads_back_as_shown(tmp_path):
    write_result_csvs(_hostile_result("p"), tmp_path, "p")
    (f,) = (tmp_path / "data").glob("*.csv")
    with open(f, encoding="utf-8-sig", newline="") as fh:
        raw = list(csv.reader(fh))  # header first: no title line
    assert raw[0][0] == "'=Ward"
    assert raw[5][0] == "'\t=2+2"  # a leading tab is not stripped into a live formula
    assert raw[6][0] == "'\r=2+2"  # a CR is quoted, never a row break
    assert len(raw) == 9
    t = read_csv_table(f)
    assert t["header"][0] == "=Ward" and t["rows"][4][0] == "\t=2+2"
