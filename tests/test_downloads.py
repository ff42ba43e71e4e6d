"""CSV beside every table and one XLSX workbook per pack."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from sa_lib.pack.downloads import (
    WORKBOOK,
    add_downloads,
    cell_value,
    html_tables,
    read_csv_table,
    write_workbook,
)
from sa_lib.themes.report import table_html


def _page():
    t1 = table_html(
        pd.DataFrame({"Ward": ["A", "B", "C"], "Crimes": [1204, 3, 40]}),
        count_cols=["Crimes"],
        threshold=10,
        secondary=False,
        caption="Crimes by ward",
    )
    t2 = table_html(pd.DataFrame({"Type": ["Robbery"], "Rate": [1.25]}), caption="Rates, per 1,000")
    return f"<h2>One</h2>{t1}<p>text</p>{t2}"


def test_every_table_gets_a_csv_and_a_link(tmp_path):
    html = add_downloads(_page(), tmp_path, "overview")
    files = sorted((tmp_path / "data").glob("*.csv"))
    assert [f.name for f in files] == [
        "overview_01_crimes_by_ward.csv",
        "overview_02_rates_per_1_000.csv",
    ]
    assert html.count('class="sa-download"') == 2
    assert 'href="data/overview_01_crimes_by_ward.csv"' in html
    t = read_csv_table(files[0])
    assert t["caption"] == "Crimes by ward"
    assert t["header"] == ["Ward", "Crimes"]
    # The CSV holds what the page shows: the suppressed cell stays suppressed.
    assert t["rows"] == [["A", "1,204"], ["B", "<10"], ["C", "40"]]


def test_rerun_replaces_a_pages_old_csvs(tmp_path):
    add_downloads(_page(), tmp_path, "overview")
    add_downloads(html_only_first := _page().split("<p>text</p>")[0], tmp_path, "overview")
    assert html_only_first
    assert len(list((tmp_path / "data").glob("overview_*.csv"))) == 1


def test_cell_values():
    assert cell_value("1,204") == 1204 and cell_value("1.25") == 1.25 and cell_value("-3") == -3
    assert (
        cell_value("<10") == "<10"
        and cell_value("[c]") == "[c]"
        and cell_value("4.5 to 6.1") == "4.5 to 6.1"
    )


def test_workbook_has_contents_and_a_sheet_per_table_matching_the_html(tmp_path):
    html = add_downloads(_page(), tmp_path, "overview")
    (tmp_path / "overview.html").write_text(html)
    add_downloads(_page(), tmp_path, "failed")  # no failed.html: not published
    path = write_workbook(tmp_path, ["overview", "failed"], "Pack")
    assert path == tmp_path / WORKBOOK
    assert not list((tmp_path / "data").glob("failed_*.csv")), "a failed page's CSVs are removed"
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Contents" and len(wb.sheetnames) == 3
    tables = html_tables(html)
    for sheet, t in zip(wb.sheetnames[1:], tables, strict=True):
        rows = list(wb[sheet].iter_rows(values_only=True))
        assert rows[0][0] == t["caption"]
        assert list(rows[1]) == t["header"]
        assert [list(r) for r in rows[2:]] == [[cell_value(v) for v in r] for r in t["rows"]]
    contents = list(wb["Contents"].iter_rows(values_only=True))
    assert (
        "T01 overview",
        "overview",
        "Crimes by ward",
        "data/overview_01_crimes_by_ward.csv",
    ) in contents


def test_no_tables_no_workbook(tmp_path):
    (tmp_path / "x.html").write_text("<p>none</p>")
    assert write_workbook(tmp_path, ["x"], "Pack") is None


@pytest.mark.parametrize("caption", ["", "A very long caption " * 10])
def test_file_names_are_safe(tmp_path, caption):
    html = table_html(pd.DataFrame({"a": ["x"]}), caption=caption or None)
    add_downloads(html, tmp_path, "p")
    (f,) = (tmp_path / "data").glob("*.csv")
    assert len(f.name) < 60 and f.name.startswith("p_01_")
