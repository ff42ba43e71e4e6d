"""Issue 11 item 4 (ingest part): a tiny archive that expands to gigabytes is refused before it is read."""

from __future__ import annotations

import struct
import tracemalloc
import zipfile
import zlib

import pytest

from sa_lib.data.ingest import IngestError, find_sources, ingest
from sa_lib.pack.cli import main

from ._ingest_inputs import snapshot, street_csv, write_street

MEMBER = "2024-01/2024-01-cambridgeshire-street.csv"
GIB = 1 << 30


def _deflate_newlines(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``size`` newline bytes (about 1 MB per GiB), and a CRC-32.

    The CRC is left 0 (computing it over 1 GiB is slow): a reader that expanded
    the member would fail with "Bad CRC-32", so the tests also prove it was refused
    before it was read.
    """
    chunk = b"\n" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)  # self-contained: can be repeated
    n = size // len(chunk)
    crc = 0
    return piece * n + zlib.compressobj(9, zlib.DEFLATED, -15).flush(), crc


@pytest.fixture(scope="module")
def gib_stream():
    return _deflate_newlines(GIB)


def _zip_with(path, name: str, raw: bytes, crc: int, declared: int):
    """A zip whose one member is ``raw`` (deflated) and says it expands to ``declared`` bytes."""
    n = name.encode()
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), declared, len(n), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), declared, len(n), 0, 0, 0, 0, 0, 0,
    )  # fmt: skip
    cd_offset = len(local) + len(n) + len(raw)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(n), cd_offset, 0)
    path.write_bytes(local + n + raw + central + n + end)
    return path


def test_zip_with_a_1_gib_member_is_refused_before_reading(tmp_path, gib_stream):
    raw, crc = gib_stream
    z = _zip_with(tmp_path / "download.zip", MEMBER, raw, crc, GIB)
    assert z.stat().st_size < 1.5e6  # a 1 MB zip ...
    assert zipfile.ZipFile(z).getinfo(MEMBER).file_size == GIB  # ... with a 1 GiB member
    store = tmp_path / "store"
    tracemalloc.start()
    try:
        with pytest.raises(IngestError) as ei:
            ingest([z], store)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(ei.value)
    assert f"{z}:{MEMBER}" in msg
    assert "1,024 MB" in msg and "512 MB limit" in msg and "Fix:" in msg
    assert peak < 200e6  # never expanded
    assert snapshot(store) == {}


def test_zip_member_that_lies_about_its_size_is_refused(tmp_path, gib_stream):
    raw, crc = gib_stream
    z = _zip_with(tmp_path / "download.zip", MEMBER, raw, crc, 1000)  # says 1,000 bytes
    tracemalloc.start()
    try:
        with pytest.raises(IngestError, match="zip member is corrupt") as ei:
            ingest([z], tmp_path / "store")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6
    assert f"{z}:{MEMBER}" in str(ei.value) and "Fix: download the archive again" in str(ei.value)


def test_gzip_bomb_is_refused_from_its_declared_size(tmp_path, gib_stream):
    raw, crc = gib_stream
    gz = tmp_path / "2024-01-cambridgeshire-street.csv.gz"
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    gz.write_bytes(header + raw + struct.pack("<II", crc, GIB & 0xFFFFFFFF))
    tracemalloc.start()
    try:
        with pytest.raises(IngestError, match="larger than the 512 MB limit") as ei:
            ingest([gz], tmp_path / "store")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(gz) in str(ei.value)
    assert peak < 200e6


def test_gzip_that_lies_about_its_size_is_refused(tmp_path):
    raw = zlib.compress(street_csv(50).encode(), wbits=31)
    gz = tmp_path / "2024-01-cambridgeshire-street.csv.gz"
    gz.write_bytes(raw[:-4] + struct.pack("<I", 100))  # ISIZE says 100 bytes
    # Expanded in bounded steps; gzip's own length check then names it corrupt.
    with pytest.raises(IngestError, match="not a readable gzip file") as ei:
        ingest([gz], tmp_path / "store")
    assert str(gz) in str(ei.value) and "Fix: download it again" in str(ei.value)


def test_limit_is_a_documented_option_and_the_cli_exits_4(tmp_path, capsys):
    f = write_street(tmp_path / "in", street_csv(200))
    store = tmp_path / "store"
    assert (
        main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store), "--max-file-mb", "0.01"])
        == 4
    )
    err = capsys.readouterr().err
    assert str(f) in err and "--max-file-mb" in err and "Nothing was written" in err
    assert snapshot(store) == {}
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 0


def test_find_sources_does_not_read_members(tmp_path, gib_stream):
    raw, crc = gib_stream
    z = _zip_with(tmp_path / "download.zip", MEMBER, raw, crc, GIB)
    (src,) = find_sources([z])
    assert src.member == MEMBER
