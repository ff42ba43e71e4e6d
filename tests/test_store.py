import pytest

from sa_lib.data.ingest import ingest
from sa_lib.data.store import StoreEmptyError, load, load_street, store_months, store_summary

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


def month_text(month: str) -> str:
    rows = [
        f"id-{month}-1,{month},P,P,-0.18,52.33,On or near A,E01000001,A 001A,Burglary,,",
        f"id-{month}-2,{month},P,P,-0.19,52.34,On or near B,E01000002,A 001B,Drugs,,",
        f",{month},P,P,-0.19,52.34,On or near B,E01000002,A 001B,Anti-social behaviour,,",
        f"id-{month}-4,{month},P,P,,,No Location,,,Shoplifting,,",
    ]
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def store(tmp_path):
    src = tmp_path / "in"
    for m in ["2024-01", "2024-02", "2024-03"]:
        f = src / m / f"{m}-testforce-street.csv"
        f.parent.mkdir(parents=True)
        f.write_text(month_text(m))
    out = tmp_path / "store"
    ingest([src], out)
    return out


def test_load_all(store):
    df = load_street(store)
    assert len(df) == 12
    assert df["crime_type"].dtype == "string"
    assert df["lsoa_code"].dtype == "string"
    assert df["longitude"].dtype == "float64"
    assert {"force", "source_file", "source_line"} <= set(df.columns)


def test_load_months(store):
    df = load_street(store, months=["2024-02", "2024-03"])
    assert sorted(df["month"].unique()) == ["2024-02", "2024-03"]
    assert len(df) == 8


def test_load_lsoa_codes_excludes_no_location_by_default(store):
    df = load_street(store, lsoa_codes=["E01000002"])
    assert len(df) == 6
    assert set(df["lsoa_code"]) == {"E01000002"}


def test_load_lsoa_codes_with_no_location(store):
    df = load_street(store, lsoa_codes=["E01000002"], include_no_location=True)
    assert len(df) == 9
    assert df["lsoa_code"].isna().sum() == 3


def test_load_empty_lsoa_list(store):
    assert len(load_street(store, lsoa_codes=[])) == 0
    only_unlocated = load_street(store, lsoa_codes=[], include_no_location=True)
    assert len(only_unlocated) == 3
    assert set(only_unlocated["crime_type"]) == {"Shoplifting"}


def test_load_forces_and_columns(store):
    assert len(load_street(store, forces=["otherforce"])) == 0
    df = load_street(store, forces=["testforce"], columns=["month", "crime_type"])
    assert list(df.columns) == ["month", "crime_type"]
    assert len(df) == 12


def test_combined_filters(store):
    df = load_street(store, months=["2024-01"], lsoa_codes=["E01000001"])
    assert df["crime_id"].tolist() == ["id-2024-01-1"]


def test_empty_store_error_tells_to_ingest(tmp_path):
    with pytest.raises(StoreEmptyError, match=r"no street data.*sa ingest") as ei:
        load_street(tmp_path)
    assert str(tmp_path) in str(ei.value)


def test_empty_store_other_kind(store):
    with pytest.raises(StoreEmptyError, match="no stop-and-search data"):
        load(store, "stop_and_search")


def test_bad_kind(store):
    with pytest.raises(ValueError, match="kind"):
        load(store, "crimes")


def test_stop_and_search_cannot_filter_by_lsoa(tmp_path):
    f = tmp_path / "in" / "2024-01" / "2024-01-testforce-stop-and-search.csv"
    f.parent.mkdir(parents=True)
    f.write_text(
        "Type,Date,Latitude,Longitude,Gender,Age range,Object of search,Outcome\n"
        "Person search,2024-01-05T10:00:00+00:00,52.3,-0.2,Male,18-24,Controlled drugs,Arrest\n"
    )
    ingest([tmp_path / "in"], tmp_path / "store")
    assert len(load(tmp_path / "store", "stop_and_search")) == 1
    with pytest.raises(ValueError, match="point-in-polygon"):
        load(tmp_path / "store", "stop_and_search", lsoa_codes=["E01000001"])


def test_store_months(store, tmp_path):
    assert store_months(store) == ["2024-01", "2024-02", "2024-03"]
    assert store_months(store, "outcomes") == []
    assert store_months(tmp_path / "nothing") == []


def test_store_summary(store, tmp_path):
    s = store_summary(store)
    assert sorted(s) == [f"street/testforce/2024-0{i}" for i in (1, 2, 3)]
    assert s["street/testforce/2024-01"]["rows"] == 4
    assert store_summary(tmp_path / "nothing") == {}
