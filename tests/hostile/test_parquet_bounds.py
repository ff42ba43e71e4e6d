"""A user's Parquet file is sized from its footer before it is loaded (issue 23): a 200 KB
file declaring 100 million rows as ``data.extract`` is refused by `sa check` in well
under a second, not loaded until memory runs out."""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sa_lib.validation import PARQUET_MAX_ROWS, check_parquet_bounds

from .conftest import CLI, assert_message, changed, run_limited, shipped_params, write_yaml


def _rows_bomb(path, rows: int = 100_000_000):
    """A small Parquet file (all-null column, run-length encoded) that declares ``rows``."""
    pq.write_table(pa.table({"crime_id": pa.nulls(rows)}), path)
    return path


def test_a_parquet_of_100m_rows_as_data_extract_is_refused_by_sa_check(tmp_path, sample_store):
    bomb = _rows_bomb(tmp_path / "extract.parquet")
    assert bomb.stat().st_size < 1_000_000
    f = write_yaml(
        tmp_path / "p.yaml",
        changed(shipped_params(sample_store), data__extract=str(bomb), themes=["violence"]),
    )
    t0 = time.perf_counter()
    r = run_limited(CLI, "check", f, data_mb=700, timeout=120)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "MemoryError" not in r.stderr and "Traceback" not in r.stderr
    assert_message(r.stderr, "extract.parquet", "100,000,000 rows", f"{PARQUET_MAX_ROWS:,}")
    assert "Nothing was loaded" in r.stderr
    assert time.perf_counter() - t0 < 60


def test_load_extract_refuses_from_the_footer_without_reading_rows(tmp_path, monkeypatch):
    """The bound is checked before pandas reads a row."""
    import pandas as pd

    from sa_lib.data.extract import load_extract

    bomb = _rows_bomb(tmp_path / "big.parquet", PARQUET_MAX_ROWS + 1)

    def no_read(*a, **k):
        raise AssertionError("rows were read before the bound was checked")

    monkeypatch.setattr(pd, "read_parquet", no_read)
    with pytest.raises(ValueError, match=r"10,000,001 rows, more than the 10,000,000 allowed"):
        load_extract(bomb)


def test_uncompressed_size_is_bounded_too(tmp_path):
    p = tmp_path / "wide.parquet"
    pq.write_table(pa.table({"x": pa.array(["a" * 1000] * 2000)}), p)
    assert check_parquet_bounds(p) == 2000
    with pytest.raises(ValueError, match="MB uncompressed, more than the 0 MB allowed"):
        check_parquet_bounds(p, max_bytes=1 << 10)


def test_a_file_that_is_not_parquet_is_named(tmp_path):
    p = tmp_path / "fake.parquet"
    p.write_bytes(b"PAR1 not really")
    with pytest.raises(ValueError, match="fake.parquet: the extract's footer cannot be read"):
        check_parquet_bounds(p, what="extract")


def test_a_store_partition_declaring_100m_rows_is_refused_before_it_is_read(store_copy):
    """A store without coverage.json (so no row counts to compare with): the slice sizes
    each partition from its footer before reading it."""
    from sa_lib.data.store import load_street

    (store_copy / "coverage.json").unlink()
    part = sorted((store_copy / "street").glob("*/2025-11.parquet"))[0]
    _rows_bomb(part)
    with pytest.raises(ValueError, match=r"2025-11.parquet: the store partition holds 100,000,000"):
        load_street(store_copy, months=["2025-11"])
