"""Issue 11 item 8: malformed LSOA codes and coordinates outside England and Wales are caught at ingest."""

from __future__ import annotations

import pytest

from sa_lib.data.ingest import IngestError, ingest
from sa_lib.data.store import load_street
from sa_lib.pack.cli import main

from ._ingest_inputs import HEADER, snapshot, street_rows, write_street


def _with(tmp_path, line: int, old: str, new: str):
    rows = street_rows(10)
    rows[line - 2] = rows[line - 2].replace(old, new, 1)
    return write_street(tmp_path / "in", "\n".join([HEADER, *rows]) + "\n")


CASES = [
    ("E01018204", "E0101814X", "'LSOA code'", "'E0101814X' is not an LSOA code"),
    ("E01018204", "S01008000", "'LSOA code'", "'S01008000' is not an LSOA code"),
    ("52.334", "999", "'Latitude'", "latitude 999.0 is outside England and Wales"),
    ("-0.184", "-8.1", "'Longitude'", "longitude -8.1 is outside England and Wales"),
    ("52.334", "", "'Latitude'", "latitude is empty but the other coordinate is not"),
]


@pytest.mark.parametrize(("old", "new", "column", "what"), CASES)
def test_bad_location_is_an_error_naming_file_line_and_column(tmp_path, old, new, column, what):
    f = _with(tmp_path, 6, old, new)
    store = tmp_path / "store"
    with pytest.raises(IngestError) as ei:
        ingest([f], store)
    msg = str(ei.value)
    assert f"{f}: line 6: column " in msg, msg
    assert f"column {column}: {what}" in msg, msg
    assert "--keep-bad" in msg and "Fix:" in msg
    assert snapshot(store) == {}


@pytest.mark.parametrize(("old", "new", "column", "what"), CASES)
def test_keep_bad_keeps_the_row_with_no_location_and_counts_it(tmp_path, old, new, column, what):
    f = _with(tmp_path, 6, old, new)
    store = tmp_path / "store"
    summary = ingest([f], store, keep_bad=True)
    assert summary[["rows", "rows_bad_location"]].values.tolist() == [[10, 1]]
    df = load_street(store)
    row = df[df["source_line"] == 6].iloc[0]
    assert row[["longitude", "latitude", "lsoa_code"]].isna().all()
    assert row["crime_type"] in ("Burglary", "Anti-social behaviour")
    assert summary["rows_no_location"].iloc[0] == 1


def test_cli_keep_bad_reports_the_count(tmp_path, capsys):
    _with(tmp_path, 4, "E01018202", "E0101814X")
    store = tmp_path / "store"
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 4
    assert "line 4: column 'LSOA code'" in capsys.readouterr().err
    assert snapshot(store) == {}
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store), "--keep-bad"]) == 0
    assert "1 with a bad location kept with none" in capsys.readouterr().out


def test_non_numeric_coordinate_can_be_kept_bad(tmp_path):
    f = _with(tmp_path, 3, "-0.181", "west")
    with pytest.raises(IngestError, match="line 3: longitude 'west' is not a number"):
        ingest([f], tmp_path / "s1")
    summary = ingest([f], tmp_path / "s2", keep_bad=True)
    assert summary["rows_bad_location"].tolist() == [1]


def test_coordinates_missing_in_different_rows_are_caught(tmp_path):
    """Issue 24: a file is first tested whole (ranges, empty cells, distinct codes) and
    only checked row by row when that fails; one row with no latitude and another with
    no longitude leave both columns equally empty, and must still be caught."""
    rows = street_rows(10)
    rows[1] = rows[1].replace(",52.331,", ",,", 1)
    rows[3] = rows[3].replace(",-0.183,", ",,", 1)
    f = write_street(tmp_path / "in", "\n".join([HEADER, *rows]) + "\n")
    msg = "line 5: column 'Longitude': longitude is empty but the other coordinate is not"
    with pytest.raises(IngestError, match=msg):
        ingest([f], tmp_path / "s1")
    summary = ingest([f], tmp_path / "s2", keep_bad=True)
    assert summary[["rows_bad_location", "rows_no_location"]].values.tolist() == [[2, 2]]
