import gzip
import json
import re
import zipfile

import pandas as pd
import pytest

from sa_lib.data.ingest import IngestError, find_sources, ingest, read_source
from sa_lib.data.store import load_street

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
ROW_CRIME = (
    "abc123,2024-01,Test Police,Test Police,-0.182,52.331,On or near High Street,"
    "E01018200,Huntingdonshire 010A,Burglary,Under investigation,"
)
ROW_ASB = (
    ",2024-01,Test Police,Test Police,-0.190,52.340,On or near Park,"
    "E01018201,Huntingdonshire 010B,Anti-social behaviour,,"
)
ROW_NOLOC = ",2024-01,Test Police,Test Police,,,No Location,,,Shoplifting,Under investigation,"
VALID = "\n".join([HEADER, ROW_CRIME, ROW_ASB, ROW_NOLOC]) + "\n"

SAS_HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
    "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
    "Outcome,Outcome linked to object of search,Removal of more than just outer clothing"
)


def sas_row(date: str) -> str:
    return (
        f"Person search,{date},,,52.3,-0.2,Male,18-24,White,White,"
        "Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,"
        "False,False"
    )


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def street_file(root, month="2024-01", text=VALID, force="testforce"):
    return write(root / month / f"{month}-{force}-street.csv", text)


def store_files(store):
    return sorted(p.relative_to(store).as_posix() for p in store.rglob("*.parquet"))


def one_source(path):
    (src,) = find_sources([path])
    return src


# ---- valid inputs ----------------------------------------------------------


def check_valid_frame(df, source_file="2024-01-testforce-street.csv"):
    assert list(df.columns[:12]) == [
        "crime_id",
        "month",
        "reported_by",
        "falls_within",
        "longitude",
        "latitude",
        "location",
        "lsoa_code",
        "lsoa_name",
        "crime_type",
        "last_outcome",
        "context",
    ]
    assert list(df.columns[12:]) == ["force", "source_file", "source_line"]
    assert len(df) == 3
    assert df["longitude"].dtype == "float64"
    assert df["latitude"].dtype == "float64"
    assert df["crime_type"].dtype == "string"
    assert df["source_line"].tolist() == [2, 3, 4]
    # The ASB row has no Crime ID: kept, with a missing id.
    assert df["crime_id"].isna().tolist() == [False, True, True]
    assert df["crime_type"].tolist() == ["Burglary", "Anti-social behaviour", "Shoplifting"]
    # The no-location row is kept with missing coordinates.
    assert df["longitude"].isna().tolist() == [False, False, True]
    assert df.loc[0, "longitude"] == pytest.approx(-0.182)
    assert (df["force"] == "testforce").all()
    assert (df["source_file"] == source_file).all()


def test_read_folder(tmp_path):
    street_file(tmp_path / "in")
    src = one_source(tmp_path / "in")
    assert (src.kind, src.force, src.month, src.folder_month) == (
        "street",
        "testforce",
        "2024-01",
        "2024-01",
    )
    check_valid_frame(read_source(src))


def test_read_zip_like_police_uk(tmp_path):
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2024-01/2024-01-testforce-street.csv", VALID)
    src = one_source(z)
    assert src.member == "2024-01/2024-01-testforce-street.csv"
    assert src.label == f"{z}:2024-01/2024-01-testforce-street.csv"
    check_valid_frame(read_source(src))


def test_read_csv_gz(tmp_path):
    f = write(tmp_path / "2024-01-testforce-street.csv.gz", gzip.compress(VALID.encode()))
    check_valid_frame(read_source(one_source(f)), "2024-01-testforce-street.csv.gz")


def test_ingest_summary_and_store(tmp_path):
    store = tmp_path / "store"
    street_file(tmp_path / "in")
    summary = ingest([tmp_path / "in"], store)
    assert summary[["kind", "force", "month", "rows", "rows_no_location"]].values.tolist() == [
        ["street", "testforce", "2024-01", 3, 1]
    ]
    assert store_files(store) == ["street/testforce/2024-01.parquet"]
    log = json.loads((store / "ingest_log.json").read_text())
    assert log["street/testforce/2024-01"]["rows"] == 3
    assert log["street/testforce/2024-01"]["rows_no_location"] == 1
    df = load_street(store)
    assert len(df) == 3
    assert df["longitude"].isna().sum() == 1


def test_ingest_twice_does_not_double_count(tmp_path):
    store = tmp_path / "store"
    street_file(tmp_path / "in")
    ingest([tmp_path / "in"], store)
    ingest([tmp_path / "in"], store)
    assert len(load_street(store)) == 3
    assert store_files(store) == ["street/testforce/2024-01.parquet"]
    assert list(json.loads((store / "ingest_log.json").read_text())) == ["street/testforce/2024-01"]


def test_same_partition_twice_warns_and_is_stored_once(tmp_path):
    store = tmp_path / "store"
    folder = tmp_path / "unpacked"
    street_file(folder)
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2024-01/2024-01-testforce-street.csv", VALID)
    with pytest.warns(UserWarning, match="appears twice"):
        summary = ingest([folder, z], store)
    assert len(summary) == 1
    assert len(load_street(store)) == 3


@pytest.mark.parametrize(
    "header",
    [
        HEADER.replace("LSOA code", "LSOA Code"),
        HEADER.upper(),
        HEADER.replace("Crime ID", "Persistent ID").replace("LSOA code", "LSOA11 code"),
        HEADER.replace("Last outcome category", "Last  outcome   category"),
    ],
)
def test_header_variants_load(tmp_path, header):
    text = VALID.replace(HEADER, header)
    df = read_source(one_source(street_file(tmp_path, text=text)))
    assert df["lsoa_code"].tolist()[:2] == ["E01018200", "E01018201"]
    assert df["crime_id"].iloc[0] == "abc123"
    assert df["last_outcome"].iloc[0] == "Under investigation"


def test_utf8_bom_header_loads(tmp_path):
    f = street_file(tmp_path, text="")
    f.write_bytes(b"\xef\xbb\xbf" + VALID.encode())
    assert read_source(one_source(f))["crime_id"].iloc[0] == "abc123"


def test_unknown_extra_column_warns_and_is_dropped(tmp_path):
    text = (
        VALID.replace(HEADER, HEADER + ",Extra")
        .replace("\n", ",x\n")
        .replace(HEADER + ",Extra,x", HEADER + ",Extra")
    )
    with pytest.warns(UserWarning, match="'Extra'"):
        df = read_source(one_source(street_file(tmp_path, text=text)))
    assert "Extra" not in df.columns and len(df) == 3


def test_header_only_file_warns(tmp_path):
    with pytest.warns(UserWarning, match="header but no rows"):
        df = read_source(one_source(street_file(tmp_path, text=HEADER + "\n")))
    assert len(df) == 0


# ---- broken inputs: one fixture per error message ---------------------------


def expect_error(path, *patterns):
    with pytest.raises(IngestError) as ei:
        read_source(one_source(path))
    msg = str(ei.value)
    assert str(path) in msg, msg
    for p in patterns:
        assert re.search(p, msg), (p, msg)
    return msg


def test_wrong_header(tmp_path):
    text = "a,b,c\n1,2,3\n"
    expect_error(street_file(tmp_path, text=text), r"line 1:", "not a data.police.uk street header")


def test_outcomes_header_in_street_file(tmp_path):
    text = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"
    msg = expect_error(street_file(tmp_path, text=text), r"line 1:", "Missing column")
    assert "crime_type" in msg


def test_truncated_last_row(tmp_path):
    text = VALID + ROW_CRIME.rsplit(",", 6)[0]  # download cut off mid-row, no final newline
    expect_error(street_file(tmp_path, text=text), r"line 5:", "fewer fields", "truncated")


def test_short_row_with_crlf_line_endings(tmp_path):
    text = "\r\n".join([HEADER, ROW_CRIME, ",2024-01,Test Police", ROW_NOLOC]) + "\r\n"
    expect_error(street_file(tmp_path, text=text), r"line 3:", "fewer fields")


def test_row_with_too_many_fields(tmp_path):
    text = "\n".join([HEADER, ROW_CRIME, ROW_ASB + ",extra,more", ROW_NOLOC]) + "\n"
    expect_error(street_file(tmp_path, text=text), r"line 3:", "more fields than the header")


def test_binary_file_named_like_csv(tmp_path):
    expect_error(
        street_file(tmp_path, text=b"PK\x03\x04\x00\x00\x14\x00binary"), r"line 1:", "binary file"
    )


def test_non_utf8_file(tmp_path):
    text = VALID.replace("High Street", "Caf\xe9 Street").encode("latin-1")
    expect_error(street_file(tmp_path, text=text), r"line 2:", "not UTF-8")


def test_empty_file(tmp_path):
    expect_error(street_file(tmp_path, text=""), r"line 1:", "empty")


def test_row_month_differs_from_file_name(tmp_path):
    text = VALID.replace(ROW_ASB, ROW_ASB.replace("2024-01", "2024-02"))
    expect_error(
        street_file(tmp_path, text=text),
        r"line 3:",
        "'2024-02'",
        "outside the file's month 2024-01",
    )


def test_folder_month_disagrees_with_file(tmp_path):
    f = write(tmp_path / "2024-02" / "2024-01-testforce-street.csv", VALID)
    expect_error(f, r"line 1:", "sits in folder 2024-02/")


def test_non_numeric_longitude(tmp_path):
    text = VALID.replace("-0.190", "west")
    expect_error(street_file(tmp_path, text=text), r"line 3:", "longitude 'west' is not a number")


def test_bad_gzip(tmp_path):
    f = write(tmp_path / "2024-01-testforce-street.csv.gz", b"not gzip at all")
    expect_error(f, "not a readable gzip")


def test_file_name_not_police_uk_pattern(tmp_path):
    f = write(tmp_path / "crimes.csv", VALID)
    with pytest.raises(IngestError, match="not in the data.police.uk pattern") as ei:
        find_sources([f])
    assert str(f) in str(ei.value)


def test_missing_path(tmp_path):
    with pytest.raises(IngestError, match="no such file or folder") as ei:
        find_sources([tmp_path / "nope.zip"])
    assert str(tmp_path / "nope.zip") in str(ei.value)


def test_folder_with_no_police_uk_files(tmp_path):
    write(tmp_path / "notes.txt", "hello")
    with pytest.raises(IngestError, match="No data.police.uk files found") as ei:
        find_sources([tmp_path])
    assert str(tmp_path) in str(ei.value)


def test_unreadable_zip(tmp_path):
    z = write(tmp_path / "download.zip", b"not a zip")
    with pytest.raises(IngestError, match="not a readable zip") as ei:
        find_sources([z])
    assert str(z) in str(ei.value)


def test_error_in_zip_member_names_archive_and_member(tmp_path):
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2024-01/2024-01-testforce-street.csv", "a,b\n1,2\n")
    with pytest.raises(IngestError) as ei:
        read_source(one_source(z))
    assert f"{z}:2024-01/2024-01-testforce-street.csv: line 1:" in str(ei.value)


# ---- atomicity ---------------------------------------------------------------


def test_bad_file_means_nothing_written(tmp_path):
    store = tmp_path / "store"
    inp = tmp_path / "in"
    street_file(inp, "2024-01")
    street_file(inp, "2024-02", text=VALID.replace("2024-01", "2024-02") + "x,2024-02\n")
    with pytest.raises(IngestError, match="2024-02-testforce-street.csv: line 5"):
        ingest([inp], store)
    assert store_files(store) == []
    assert not (store / "ingest_log.json").exists()


def test_bad_file_leaves_existing_store_unchanged(tmp_path):
    store = tmp_path / "store"
    good = tmp_path / "good"
    street_file(good, "2024-01")
    ingest([good], store)
    log_before = (store / "ingest_log.json").read_text()
    files_before = store_files(store)

    bad = tmp_path / "bad"
    street_file(bad, "2024-02", text=VALID.replace("2024-01", "2024-02"))
    street_file(bad, "2024-03", text="")
    with pytest.raises(IngestError, match="empty"):
        ingest([bad], store)
    assert store_files(store) == files_before
    assert (store / "ingest_log.json").read_text() == log_before
    assert not list(store.glob(".ingest-*"))


# ---- stop and search ---------------------------------------------------------


def sas_file(root, month, dates):
    text = "\n".join([SAS_HEADER, *(sas_row(d) for d in dates)]) + "\n"
    return write(root / month / f"{month}-testforce-stop-and-search.csv", text)


def test_stop_and_search_bst_month_accepted(tmp_path):
    # 23:51 UTC on 31 March 2024 is 00:51 BST on 1 April: data.police.uk files it in April.
    f = sas_file(tmp_path, "2024-04", ["2024-03-31T23:51:00+00:00", "2024-04-15T10:00:00+00:00"])
    df = read_source(one_source(f))
    assert df["month"].tolist() == ["2024-04", "2024-04"]
    assert df["latitude"].dtype == "float64"
    assert df["date"].iloc[0] == "2024-03-31T23:51:00+00:00"


def test_stop_and_search_other_month_rejected(tmp_path):
    f = sas_file(tmp_path, "2024-04", ["2024-04-15T10:00:00+00:00", "2024-03-30T12:00:00+00:00"])
    expect_error(f, r"line 3:", "month '2024-03' is outside the file's month 2024-04")


def test_stop_and_search_bad_date(tmp_path):
    f = sas_file(tmp_path, "2024-04", ["2024-04-15T10:00:00+00:00", "yesterday"])
    expect_error(f, r"line 3:", "'yesterday' is not an ISO date-time")


def test_ingest_mixed_kinds_counts_no_location(tmp_path):
    inp = tmp_path / "in"
    street_file(inp)
    sas_file(inp, "2024-01", ["2024-01-10T10:00:00+00:00"])
    summary = ingest([inp], tmp_path / "store")
    got = summary.set_index("kind")[["rows", "rows_no_location"]].to_dict("index")
    assert got == {
        "stop_and_search": {"rows": 1, "rows_no_location": 0},
        "street": {"rows": 3, "rows_no_location": 1},
    }
    assert isinstance(summary, pd.DataFrame)


def test_truncated_inside_quoted_field(tmp_path):
    text = VALID + 'abc,2024-01,P,P,-0.1,52.1,"On or near'
    msg = expect_error(street_file(tmp_path, text=text), r"line 5:", "never closed", "truncated")
    assert "more fields" not in msg


def test_quoted_line_breaks_are_values_even_across_read_blocks(tmp_path):
    # Legal CSV: a quoted Location holding a line break. Enough rows (several MB) that
    # some break falls on a boundary of the reader's blocks.
    rows = []
    for i in range(30000):
        loc = f'"On or near\nHigh Street {i}"' if i % 997 == 0 else "On or near Park"
        rows.append(ROW_CRIME.replace("On or near High Street", loc).replace("abc123", f"id{i}"))
    f = street_file(tmp_path, text="\n".join([HEADER, *rows]) + "\n")
    df = read_source(one_source(f))
    assert len(df) == 30000
    assert df["location"].str.contains("\n").sum() == len(range(0, 30000, 997))
    assert df["location"].iloc[997] == "On or near\nHigh Street 997"


def test_the_ingest_command_does_not_load_pandas(tmp_path):
    """Issue 24: `sa ingest` costs pyarrow's read and write, not pandas' import as well
    (about 0.3 CPU-s, as much as pyarrow's own read of a force's month), nor
    pyarrow.compute's (its wrappers cost about 0.03 CPU-s; the checks call the kernels)."""
    import subprocess
    import sys

    from sa_lib import config

    code = (
        "import sys\n"
        "from sa_lib.pack.cli import main\n"
        "rc = main(['ingest', '--quiet', '--store', sys.argv[1], sys.argv[2]])\n"
        "heavy = ('pandas', 'matplotlib', 'scipy', 'pyarrow.compute')\n"
        "print(rc, sorted(m for m in heavy if m in sys.modules))\n"
    )
    src = str(config.SAMPLE_DIR / "police_uk" / "2024-01")
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "store"), src],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[-1] == "0 []", out
    assert out[0].startswith("Ingested into") and "street" in out[3], out
    assert "1 month(s) 2024-01..2024-01: 1,099 rows (210 with no location, kept)" in out[3]
    assert len(ingest([src], tmp_path / "again")) == len(out) - 2 == 3


def test_the_ingest_command_runs_one_blas_thread_and_leaves_callers_alone(tmp_path):
    """Issue 24: a fresh `sa ingest` asks numpy for one BLAS thread (a thread per core spins
    ~0.06 CPU-s at start-up; ingest does no linear algebra), unless the user set one; called
    in a process that has numpy loaded already, it changes nothing that children inherit."""
    import os
    import subprocess
    import sys

    from sa_lib import config
    from sa_lib.pack.cli import main

    src = str(config.SAMPLE_DIR / "police_uk" / "2024-01")
    code = (
        "import os, sys\n"
        "from sa_lib.pack.cli import main\n"
        "main(['ingest', '--quiet', '--store', sys.argv[1], sys.argv[2]])\n"
        "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    run = [sys.executable, "-c", code, str(tmp_path / "a"), src]
    out = subprocess.run(run, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.splitlines()[-1] == "1"
    run[3] = str(tmp_path / "b")
    out = subprocess.run(
        run, capture_output=True, text=True, check=True, env={**env, "OPENBLAS_NUM_THREADS": "2"}
    )
    assert out.stdout.splitlines()[-1] == "2"
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    assert main(["ingest", "--quiet", "--store", str(tmp_path / "c"), src]) == 0
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before
