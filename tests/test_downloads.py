"""CSV beside every table and one XLSX workbook per pack, written from the pages' results."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from sa_lib.pack.downloads import (
    WORKBOOK,
    cell_value,
    csv_cell,
    read_csv_table,
    write_result_csvs,
    write_workbook,
)
from sa_lib.themes import results
from sa_lib.themes.render import show
from sa_lib.themes.results import ThemeResult


def _result(n_tables: int = 2) -> ThemeResult:
    r = ThemeResult(theme="overview", title="Overview")
    with r.section("s"):
        results.emit(
            results.table(
                pd.DataFrame({"Ward": ["A", "B", "C"], "Crimes": [1204, 3, 40]}),
                count_cols=["Crimes"],
                threshold=10,
                secondary=False,
                caption="Crimes by ward",
            )
        )
        if n_tables > 1:
            results.emit(
                results.table(
                    pd.DataFrame({"Type": ["Robbery"], "Rate": [1.25], "Gini": [0.6]}),
                    decimals={"Gini": 2},
                    caption="Rates, per 1,000",
                )
            )
    return r


def test_every_table_gets_a_csv_named_as_the_page_links_it(tmp_path, monkeypatch):
    r = _result()
    files = write_result_csvs(r.to_json(), tmp_path, "overview")
    assert [f.name for f in files] == [
        "overview_01_crimes_by_ward.csv",
        "overview_02_rates_per_1_000.csv",
    ]
    shown = []
    monkeypatch.setattr("sa_lib.themes.render.display_block", lambda b, f=None: shown.append(f))
    show(r, "s")
    assert shown == [f.name for f in files]  # the link beside each table names its CSV
    t = read_csv_table(files[0])
    assert t["caption"] == "Crimes by ward"
    assert t["header"] == ["Ward", "Crimes"]
    # The CSV holds what the page shows: the suppressed cell stays suppressed.
    assert t["rows"] == [["A", "1204"], ["B", "<10"], ["C", "40"]]
    # A number keeps its shown decimals.
    assert read_csv_table(files[1])["rows"] == [["Robbery", "1.2", "0.60"]]


def test_rerun_replaces_a_pages_old_csvs(tmp_path):
    write_result_csvs(_result().to_json(), tmp_path, "overview")
    write_result_csvs(_result(1).to_json(), tmp_path, "overview")
    assert len(list((tmp_path / "data").glob("overview_*.csv"))) == 1


def test_cell_values():
    assert cell_value("1,204") == 1204 and cell_value("1.25") == 1.25 and cell_value("-3") == -3
    assert (
        cell_value("<10") == "<10"
        and cell_value("[c]") == "[c]"
        and cell_value("4.5 to 6.1") == "4.5 to 6.1"
    )
    assert csv_cell("1,204") == "1204" and csv_cell("0.60") == "0.60" and csv_cell("<10") == "<10"


def test_workbook_has_contents_and_a_sheet_per_table_matching_the_result(tmp_path):
    r = _result()
    write_result_csvs(r.to_json(), tmp_path, "overview")
    (tmp_path / "overview.html").write_text("<p>page</p>")
    write_result_csvs(r.to_json() | {"theme": "failed"}, tmp_path, "failed")
    for f in (tmp_path / "data").glob("overview_*.csv"):
        f.with_name(f.name.replace("overview_", "failed_")).write_bytes(f.read_bytes())
    path = write_workbook(tmp_path, ["overview", "failed"], "Pack")
    assert path == tmp_path / WORKBOOK
    assert not list((tmp_path / "data").glob("failed_*.csv")), "a failed page's CSVs are removed"
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "Contents" and len(wb.sheetnames) == 3
    for sheet, t in zip(wb.sheetnames[1:], r.to_json()["tables"], strict=True):
        rows = list(wb[sheet].iter_rows(values_only=True))
        assert rows[0][0] == t["caption"]
        assert list(rows[1]) == t["columns"]
        assert [list(x)[: len(t["columns"])] for x in rows[2 : 2 + len(t["rows"])]] == t["rows"]
    contents = list(wb["Contents"].iter_rows(values_only=True))
    assert (
        "T01 overview",
        "overview",
        "Crimes by ward",
        "<10: fewer than 10, suppressed for disclosure control; [c]: hidden so that a "
        "suppressed value cannot be worked out from totals or rates.",
        "data/overview_01_crimes_by_ward.csv",
    ) in contents


def test_no_tables_no_workbook(tmp_path):
    (tmp_path / "x.html").write_text("<p>none</p>")
    assert write_workbook(tmp_path, ["x"], "Pack") is None


@pytest.mark.parametrize("caption", ["", "A very long caption " * 10])
def test_file_names_are_safe(tmp_path, caption):
    r = ThemeResult(theme="p")
    r.add("s", results.table(pd.DataFrame({"a": ["x"]}), caption=caption or None))
    write_result_csvs(r.to_json(), tmp_path, "p")
    (f,) = (tmp_path / "data").glob("*.csv")
    assert len(f.name) < 60 and f.name.startswith("p_01_")


def test_csvs_load_with_pandas_defaults_into_the_table_shown(tmp_path):
    """Issue 21: a BOM and a title line made ``pd.read_csv(file)`` a one-column frame."""
    r = _result()
    r.add("s", results.table(pd.DataFrame({"check": ["a"], "value": [1], "detail": ["d"]})))
    files = write_result_csvs(r.to_json(), tmp_path, "overview")
    for f, t in zip(files, r.to_json()["tables"], strict=True):
        assert not f.read_bytes().startswith(b"\xef\xbb\xbf"), "no byte-order mark"
        df = pd.read_csv(f)
        assert list(df.columns) == t["columns"]
        assert df.shape == (len(t["rows"]), len(t["columns"]))
        shown = [[csv_cell(v) for v in row] for row in t["shown"]]
        as_text = pd.read_csv(f, dtype=str, keep_default_na=False)
        assert as_text.to_numpy().tolist() == shown
    # The title and notes are in the sidecar, not in the CSV.
    assert read_csv_table(files[0])["caption"] == "Crimes by ward"
    assert "suppressed" in read_csv_table(files[0])["notes"]
    assert read_csv_table(files[2])["caption"] == "Overview: data quality checks"


def test_every_workbook_sheet_has_a_title(tmp_path):
    r = ThemeResult(theme="p")
    r.add(
        "s",
        results.table(
            pd.DataFrame({"choice": ["a"], "value": ["b"], "reason": ["c"], "source": ["d"]})
        ),
    )
    r.add("s", results.table(pd.DataFrame({"Zone": ["a"], "Crimes": [3]})))
    write_result_csvs(r.to_json(), tmp_path, "p")
    (tmp_path / "p.html").write_text("<p>page</p>")
    wb = load_workbook(write_workbook(tmp_path, ["p"], "Pack"))
    titles = [wb[s]["A1"].value for s in wb.sheetnames[1:]]
    assert titles == ["P: methods: the choices made and why", "P: table of Zone, Crimes"]
