"""Malformed police.uk inputs against a populated store: exit 4, file/line and fix named, store unchanged."""

from __future__ import annotations

import gzip
import zipfile

import pytest

from sa_lib.data.ingest import ingest
from sa_lib.pack.cli import main

from ._ingest_inputs import HEADER, snapshot, street_csv, street_rows, write_street

ROWS = street_rows(6, "2024-02")


def _text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def _replace(i: int, old: str, new: str) -> str:
    rows = list(ROWS)
    rows[i] = rows[i].replace(old, new, 1)
    return _text(*rows)


# (id, file content, where the error points, words in the message)
CASES = [
    ("wrong-header", "a,b,c\n1,2,3\n", "line 1:", "not a data.police.uk street header"),
    ("outcomes-header", _text().replace("Crime type,Last outcome category,Context", "Outcome type"), "line 1:", "Missing column"),
    ("truncated-row", _text(*ROWS) + ROWS[0][:40], "line 8:", "fewer fields"),
    ("truncated-in-quotes", _text(*ROWS) + ROWS[0][:60] + ',"On or near', "line 8:", "never closed"),
    ("too-many-fields", _replace(2, ",,", ",,,extra,"), "line 4:", "more fields than the header"),
    ("binary", b"PK\x03\x04\x00\x00binary", "line 1:", "binary file"),
    ("not-utf8", _replace(3, "High Street", "Caf\xe9").encode("latin-1"), "line 5:", "not UTF-8"),
    ("empty", "", "line 1:", "empty"),
    ("bom-only", b"\xef\xbb\xbf\n\n", "line 1:", "empty"),
    ("month-differs", _replace(1, "2024-02", "2024-03"), "line 3:", "outside the file's month 2024-02"),
    ("coordinate-text", _replace(4, "-0.18", "west"), "line 6:", "is not a number"),
    ("latitude-999", _replace(0, ",52.", ",999."), "line 2:", "outside England and Wales"),
    ("lsoa-malformed", _replace(5, ",E010", ",E0X0"), "line 7:", "is not an LSOA code"),
    ("two-forces", _text(*ROWS[:3], *street_rows(1, "2024-02", "Essex Police", 9)), "line 5:", "more than one force"),
]  # fmt: skip


@pytest.fixture
def store(tmp_path):
    store = tmp_path / "store"
    write_street(tmp_path / "good", street_csv(10, "2024-01"), "2024-01")
    ingest([tmp_path / "good"], store)
    return store


@pytest.mark.parametrize(
    ("content", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_file_is_refused_and_the_store_is_unchanged(
    tmp_path, store, capsys, content, where, words
):
    f = tmp_path / "bad" / "2024-02" / "2024-02-cambridgeshire-street.csv"
    f.parent.mkdir(parents=True)
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    # A good month beside it: nothing of it may be written either.
    write_street(tmp_path / "bad", street_csv(5, "2024-03"), "2024-03")
    before = snapshot(store)
    assert main(["ingest", "-q", str(tmp_path / "bad"), "--store", str(store)]) == 4
    err = capsys.readouterr().err
    assert f"{f}: {where}" in err, err
    assert words in err and "Fix:" in err and "Nothing was written" in err
    assert snapshot(store) == before
    assert not list(store.glob(".ingest-*"))


def test_folder_month_disagrees(tmp_path, store, capsys):
    f = write_street(tmp_path / "bad", _text(*ROWS), "2024-02")
    moved = tmp_path / "bad" / "2024-05" / f.name
    moved.parent.mkdir()
    f.rename(moved)
    before = snapshot(store)
    assert main(["ingest", "-q", str(tmp_path / "bad"), "--store", str(store)]) == 4
    err = capsys.readouterr().err
    assert f"{moved}: line 1:" in err and "sits in folder 2024-05/" in err and "Fix:" in err
    assert snapshot(store) == before


def test_bad_file_name_bad_gzip_and_corrupt_zip(tmp_path, store, capsys):
    before = snapshot(store)
    odd = tmp_path / "crimes.csv"
    odd.write_text(_text(*ROWS))
    assert main(["ingest", "-q", str(odd), "--store", str(store)]) == 4
    assert "not in the data.police.uk pattern" in capsys.readouterr().err
    gz = tmp_path / "2024-02-cambridgeshire-street.csv.gz"
    gz.write_bytes(gzip.compress(_text(*ROWS).encode())[:-30])
    assert main(["ingest", "-q", str(gz), "--store", str(store)]) == 4
    err = capsys.readouterr().err
    assert str(gz) in err and "not a readable gzip" in err and "Fix:" in err
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2024-02/2024-02-cambridgeshire-street.csv", _text(*ROWS))
    data = bytearray(z.read_bytes())
    data[60:70] = b"\x00" * 10  # damage the compressed member
    z.write_bytes(bytes(data))
    assert main(["ingest", "-q", str(z), "--store", str(store)]) == 4
    err = capsys.readouterr().err
    assert f"{z}:2024-02/2024-02-cambridgeshire-street.csv" in err and "Fix:" in err
    assert snapshot(store) == before
