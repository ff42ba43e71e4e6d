"""Issue 11 items 7 and 10: the force comes from the rows; the last source listed wins."""

from __future__ import annotations

import shutil

import pytest

from sa_lib.data.ingest import find_sources, ingest, read_source
from sa_lib.data.store import load_street

from ._ingest_inputs import HEADER, log, street_csv, street_rows, write_street


def test_same_rows_under_another_file_slug_are_stored_once(tmp_path):
    text = street_csv(40)
    write_street(tmp_path / "a", text, slug="cambridgeshire")
    write_street(tmp_path / "b", text, slug="cambridgeshire-constabulary")
    store = tmp_path / "store"
    with pytest.warns(UserWarning, match="appears twice"):
        summary = ingest([tmp_path / "a", tmp_path / "b"], store)
    assert summary[["force", "rows"]].values.tolist() == [["cambridgeshire", 40]]
    assert len(load_street(store)) == 40
    assert sorted(p.relative_to(store).as_posix() for p in store.rglob("*.parquet")) == [
        "street/cambridgeshire/2024-01.parquet"
    ]


def test_force_is_taken_from_the_rows_not_the_file_name(tmp_path):
    # An arbitrary file slug, rows reported by Essex Police: stored as essex.
    f = write_street(tmp_path / "in", street_csv(5, force="Essex Police"), slug="download")
    (src,) = find_sources([f])
    assert src.force == "download"
    assert set(read_source(src)["force"]) == {"essex"}


def test_same_rows_under_an_unrelated_file_slug_are_stored_once(tmp_path):
    text = street_csv(30)
    write_street(tmp_path / "a", text, slug="cambridgeshire")
    write_street(tmp_path / "b", text, slug="copy")
    store = tmp_path / "store"
    with pytest.warns(UserWarning, match="the same force's rows"):
        ingest([tmp_path / "a", tmp_path / "b"], store)  # "copy" names no force: no --replace
    assert len(load_street(store)) == 30


def test_rows_sharing_a_crime_id_but_differing_are_separate_records(tmp_path):
    """Issue 19: rows sharing a Crime ID that differ in location, type or outcome were dropped."""
    rows = street_rows(20)
    cid = rows[0].split(",")[0]
    moved = rows[0].replace("On or near High Street", "On or near Bridge Street")
    other_type = rows[0].replace(",Burglary,", ",Shoplifting,")
    identical = rows[1]
    text = "\n".join([HEADER, *rows, moved, other_type, identical]) + "\n"
    write_street(tmp_path / "in", text)
    store = tmp_path / "store"
    summary = ingest([tmp_path / "in"], store)
    # 23 rows: one identical to another (one record), two sharing a Crime ID (records).
    assert summary[["rows", "rows_duplicate", "rows_shared_id"]].values.tolist() == [[22, 1, 2]]
    entry = log(store)["street/cambridgeshire/2024-01"]
    assert (entry["rows_duplicate"], entry["rows_shared_id"]) == (1, 2)
    df = load_street(store)
    assert (df["crime_id"] == cid).sum() == 3
    assert set(df.loc[df["crime_id"] == cid, "crime_type"]) == {"Burglary", "Shoplifting"}


def test_repeated_crime_id_within_a_force_month_is_dropped_and_counted(tmp_path):
    rows = street_rows(20)
    text = "\n".join([HEADER, *rows, rows[0], rows[3]]) + "\n"  # two rows repeated
    write_street(tmp_path / "in", text)
    store = tmp_path / "store"
    summary = ingest([tmp_path / "in"], store)
    assert summary[["rows", "rows_duplicate"]].values.tolist() == [[20, 2]]
    assert log(store)["street/cambridgeshire/2024-01"]["rows_duplicate"] == 2
    df = load_street(store)
    assert df["crime_id"].dropna().is_unique
    # Anti-social behaviour rows have no Crime ID and are never de-duplicated.
    assert df["crime_id"].isna().sum() == 4


def test_rows_of_several_forces_in_one_file_are_an_error(tmp_path):
    rows = street_rows(5) + street_rows(2, force="Essex Police", start=5)
    f = write_street(tmp_path / "in", "\n".join([HEADER, *rows]) + "\n")
    from sa_lib.data.ingest import IngestError

    with pytest.raises(IngestError) as ei:
        ingest([f], tmp_path / "store")
    msg = str(ei.value)
    assert str(f) in msg and "line 7:" in msg and "'Reported by'" in msg and "Fix:" in msg


@pytest.mark.parametrize("order", ["new-listed-last", "old-listed-last"])
def test_the_last_one_listed_wins(tmp_path, order):
    # Two versions of one month; sorting by path would always pick the same one.
    old = write_street(tmp_path / "b_old", street_csv(10))
    new_dir = tmp_path / "a_new"
    write_street(new_dir, "\n".join([HEADER, *street_rows(10), *street_rows(2, start=10)]) + "\n")
    paths = [old.parents[1], new_dir] if order == "new-listed-last" else [new_dir, old.parents[1]]
    store = tmp_path / "store"
    with pytest.warns(UserWarning, match="the last listed"):
        summary = ingest(paths, store)
    want = 12 if order == "new-listed-last" else 10
    assert summary["rows"].tolist() == [want]
    assert len(load_street(store)) == want
    assert log(store)["street/cambridgeshire/2024-01"]["source"].startswith(str(paths[-1]))
    shutil.rmtree(store)
