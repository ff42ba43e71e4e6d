"""Per-force month coverage of the store."""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib.data.coverage import (
    contiguous_run,
    force_months,
    month_ranges,
    read_coverage_log,
    record_coverage,
    store_coverage,
)
from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street, store_months

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def write(folder, force, months):
    for m in months:
        f = folder / m / f"{m}-{force}-street.csv"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(f"{HEADER}\nx,{m},P,P,-0.18,52.33,A,E01018113,H,Burglary,,\n")


@pytest.fixture
def store(tmp_path):
    write(tmp_path / "in", "essex", ["2018-01", "2018-02", "2018-04"])
    write(tmp_path / "in", "cambridgeshire", ["2025-11", "2025-12"])
    s = tmp_path / "store"
    ingest([tmp_path / "in"], s)
    return s


def test_ingest_records_months_per_force_with_source_and_hash(store):
    cov = store_coverage(store)
    assert cov.groupby("force")["month"].apply(list).to_dict() == {
        "cambridgeshire": ["2025-11", "2025-12"],
        "essex": ["2018-01", "2018-02", "2018-04"],
    }
    assert cov["source"].str.endswith("-street.csv").all()
    assert cov["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert set(read_coverage_log(store)) == {
        f"street/{f}/{m}" for f, m in zip(cov["force"], cov["month"], strict=True)
    }


def test_force_months_and_loads_are_per_force(store):
    assert force_months(store, ["essex"]) == ["2018-01", "2018-02", "2018-04"]
    assert store_months(store, forces=["cambridgeshire"]) == ["2025-11", "2025-12"]
    assert len(store_months(store)) == 5
    assert force_months(store, ["essex", "cambridgeshire"]) == []  # held by both: none
    assert len(load_street(store, forces=["essex"])) == 3
    assert len(load_street(store, forces=["essex"], months=["2025-12"])) == 0
    assert len(load_street(store, forces=["nowhere"])) == 0


def test_record_coverage_validates_and_merges(tmp_path):
    with pytest.raises(ValueError, match="sha256"):
        record_coverage(tmp_path, pd.DataFrame({"kind": ["street"]}))
    row = dict(kind="street", force="f", month="2020-01", source="a.csv", sha256="1", rows=2)
    record_coverage(tmp_path, pd.DataFrame([row]))
    record_coverage(tmp_path, pd.DataFrame([{**row, "month": "2020-02", "sha256": "2"}]))
    assert sorted(read_coverage_log(tmp_path)) == ["street/f/2020-01", "street/f/2020-02"]


def test_month_ranges_and_runs():
    assert month_ranges([]) == "none"
    assert month_ranges(["2024-12", "2025-01", "2025-03"]) == "2024-12 to 2025-01, 2025-03"
    assert contiguous_run(["2024-11", "2024-12", "2025-01"], "2025-01") == [
        "2024-11",
        "2024-12",
        "2025-01",
    ]
    assert contiguous_run(["2024-11"], "2025-01") == []
