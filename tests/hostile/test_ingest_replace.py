"""Issue 11 item 6: a month that shrinks markedly, or turns out to be another force's, needs --replace."""

from __future__ import annotations

import pytest

from sa_lib.data.ingest import IngestError, ingest
from sa_lib.data.store import load_street
from sa_lib.pack.cli import main

from ._ingest_inputs import HEADER, log, snapshot, street_csv, street_rows, write_street


@pytest.fixture
def stored(tmp_path):
    store = tmp_path / "store"
    write_street(tmp_path / "good", street_csv(1183))
    ingest([tmp_path / "good"], store)
    return store


def test_truncated_at_a_line_boundary_is_refused_without_replace(tmp_path, stored, capsys):
    # A download cut at a line boundary is a valid CSV, just shorter: 1,183 -> 599 rows.
    f = write_street(
        tmp_path / "cut",
        street_csv(1183).split("\n", 600)[-1]
        and "\n".join(street_csv(1183).split("\n")[:600]) + "\n",
    )
    before = snapshot(stored)
    with pytest.raises(IngestError) as ei:
        ingest([tmp_path / "cut"], stored)
    msg = str(ei.value)
    assert str(f) in msg and "street cambridgeshire 2024-01" in msg
    assert "599 rows where the store holds 1,183" in msg and "--replace" in msg
    assert snapshot(stored) == before
    assert main(["ingest", "-q", str(tmp_path / "cut"), "--store", str(stored)]) == 4
    assert "--replace" in capsys.readouterr().err
    assert snapshot(stored) == before


def test_replace_accepts_it_and_the_summary_shows_old_and_new_counts(tmp_path, stored, capsys):
    write_street(tmp_path / "cut", "\n".join([HEADER, *street_rows(599)]) + "\n")
    assert main(["ingest", "-q", str(tmp_path / "cut"), "--store", str(stored), "--replace"]) == 0
    out = capsys.readouterr().out
    assert "street           cambridgeshire 2024-01: 1,183 -> 599 rows (-584)" in out
    assert "Replaced 1 month(s) already in the store; 0 with the same row count." in out
    assert len(load_street(stored)) == 599
    assert log(stored)["street/cambridgeshire/2024-01"]["rows"] == 599


def test_a_small_change_needs_no_replace_and_is_reported(tmp_path, stored):
    write_street(tmp_path / "rev", "\n".join([HEADER, *street_rows(1150)]) + "\n")
    summary = ingest([tmp_path / "rev"], stored)
    assert summary[["rows_before", "rows"]].values.tolist() == [[1183, 1150]]
    new = ingest([tmp_path / "rev"], tmp_path / "fresh")
    assert new["rows_before"].isna().all()


def test_rows_of_another_force_than_the_file_name_need_replace(tmp_path, stored):
    # The file says cambridgeshire; its rows are Essex Police's.
    f = write_street(tmp_path / "misnamed", street_csv(1183, force="Essex Police"))
    before = snapshot(stored)
    with pytest.raises(IngestError) as ei:
        ingest([tmp_path / "misnamed"], stored)
    msg = str(ei.value)
    assert str(f) in msg and "named for 'cambridgeshire'" in msg and "Essex Police" in msg
    assert "stored as essex 2024-01" in msg and "--replace" in msg
    assert snapshot(stored) == before
    summary = ingest([tmp_path / "misnamed"], stored, replace=True)
    assert summary[["force", "rows"]].values.tolist() == [["essex", 1183]]
    # The cambridgeshire month is untouched; the rows went to their own force.
    assert sorted(load_street(stored)["force"].unique()) == ["cambridgeshire", "essex"]
