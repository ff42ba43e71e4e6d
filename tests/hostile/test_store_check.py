"""A store that checks itself: every partition is compared with coverage.json (record, row
count, force, month, hash) by `sa check` and by the slice; months before data.police.uk
began are refused at ingest; a corrupt coverage.json is a clear error with the rebuild
command."""

from __future__ import annotations

import json
import shutil

import pyarrow.parquet as pq
import pytest

from sa_lib.data.coverage import COVERAGE_FILE, CoverageError, partition_problems
from sa_lib.data.ingest import IngestError, ingest
from sa_lib.data.store import StoreMismatchError, load
from sa_lib.pack.params import ParameterError, load_params

from ._ingest_inputs import street_csv, write_street
from .conftest import CLI, run_limited, shipped_params, write_yaml


def _part(store, month="2025-10"):
    return store / "street" / "cambridgeshire" / f"{month}.parquet"


def _check(tmp_path, store):
    return load_params(write_yaml(tmp_path / "p.yaml", shipped_params(store)))


def test_a_truncated_partition_is_refused_with_the_file_named(tmp_path, store_copy):
    part = _part(store_copy)
    t = pq.read_table(part)
    pq.write_table(t.slice(0, t.num_rows // 2), part)
    with pytest.raises(ParameterError) as e:
        _check(tmp_path, store_copy)
    assert str(part) in str(e.value) and "rows where coverage.json records" in str(e.value)
    assert "sa ingest --replace" in str(e.value)
    with pytest.raises(StoreMismatchError, match="2025-10"):
        load(store_copy, months=["2025-10"], forces=["cambridgeshire"])


def test_a_misplaced_partition_is_refused(tmp_path, store_copy):
    # Another month's file copied over this month's (same row count would not help).
    shutil.copy(_part(store_copy, "2025-09"), _part(store_copy))
    problems = partition_problems(store_copy, forces=["cambridgeshire"])
    assert any(str(_part(store_copy)) in p for p in problems)
    with pytest.raises(ParameterError, match="2025-10"):
        _check(tmp_path, store_copy)


def test_another_forces_partition_is_refused(store_copy):
    part = _part(store_copy)
    t = pq.read_table(part)
    idx = t.schema.get_field_index("force")
    import pyarrow as pa

    t = t.set_column(idx, "force", pa.array(["essex"] * t.num_rows, type=t.schema.field(idx).type))
    pq.write_table(t, part)
    problems = partition_problems(store_copy, forces=["cambridgeshire"], hashes=False)
    assert problems and "holds rows of force essex" in problems[0] and str(part) in problems[0]


def test_an_edited_partition_fails_its_hash(tmp_path, store_copy):
    part = _part(store_copy)
    t = pq.read_table(part)
    pq.write_table(t, part, compression="gzip")  # same rows, other bytes
    problems = partition_problems(store_copy, forces=["cambridgeshire"])
    assert problems and "hash does not match" in problems[0]


def test_a_corrupt_coverage_file_is_a_clear_error_with_the_rebuild_command(tmp_path, store_copy):
    (store_copy / COVERAGE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(CoverageError, match="sa ingest --replace"):
        partition_problems(store_copy)
    with pytest.raises(ParameterError, match="corrupt"):
        _check(tmp_path, store_copy)
    raw = tmp_path / "raw"
    write_street(raw, street_csv(10, "2023-06"), "2023-06")
    r = run_limited(CLI, "ingest", "--quiet", str(raw), "--store", str(store_copy))
    assert r.returncode == 4, r.stderr
    assert "corrupt" in r.stderr and "sa ingest --replace" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("month", ["1925-01", "2009-06", "2999-01"])
def test_implausible_months_are_refused_at_ingest(tmp_path, month):
    raw = tmp_path / "raw"
    write_street(raw, street_csv(10, month), month)
    store = tmp_path / "store"
    with pytest.raises(IngestError, match="data.police.uk began in 2010-12"):
        ingest([raw], store)
    assert not list(store.glob("street/*/*.parquet"))


def test_a_fresh_ingest_records_partition_hashes(tmp_path):
    raw = tmp_path / "raw"
    write_street(raw, street_csv(10, "2024-01"), "2024-01")
    store = tmp_path / "store"
    ingest([raw], store)
    rec = json.loads((store / COVERAGE_FILE).read_text())["street/cambridgeshire/2024-01"]
    assert len(rec["parquet_sha256"]) == 64
    assert partition_problems(store) == []
