import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data.annotations import annotations_for, load_annotations

GOOD = (
    "date,crime_types,label,source\n"
    "2023-05-01,Violence and sexual offences; Public order,Counting rules,HOCR\n"
    "2014-11-18,all,HMIC report,HMIC 2014\n"
    '2020-03-23,Burglary,"Lockdown, first",UK Government\n'
)


def write(tmp_path, text):
    f = tmp_path / "annotations.csv"
    f.write_text(text, encoding="utf-8")
    return f


def test_load_sorted_with_dates(tmp_path):
    a = load_annotations(write(tmp_path, GOOD))
    assert list(a.columns) == ["date", "crime_types", "label", "source"]
    assert a["date"].tolist() == [
        pd.Timestamp("2014-11-18"),
        pd.Timestamp("2020-03-23"),
        pd.Timestamp("2023-05-01"),
    ]
    assert a["label"].tolist() == ["HMIC report", "Lockdown, first", "Counting rules"]


def test_shipped_annotations_load():
    a = load_annotations(config.CONFIG_DIR / "recording_changes.csv")
    assert len(a) >= 1
    assert a["date"].is_monotonic_increasing


def test_bad_date_names_line(tmp_path):
    text = GOOD.replace("2020-03-23", "23/03/2020")
    f = write(tmp_path, text)
    with pytest.raises(ValueError, match=r"line 4: date '23/03/2020' is not a YYYY-MM-DD") as ei:
        load_annotations(f)
    assert str(f) in str(ei.value)


def test_empty_date_is_bad(tmp_path):
    with pytest.raises(ValueError, match=r"line 2: date ''"):
        load_annotations(write(tmp_path, "date,crime_types,label,source\n,all,x,y\n"))


def test_missing_column(tmp_path):
    with pytest.raises(ValueError, match="source"):
        load_annotations(write(tmp_path, "date,crime_types,label\n2023-05-01,all,x\n"))


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="does not exist.*data.annotations"):
        load_annotations(tmp_path / "none.csv")


def test_annotations_for(tmp_path):
    a = load_annotations(write(tmp_path, GOOD))
    before = a.copy()
    assert annotations_for(a, "Public order")["label"].tolist() == [
        "HMIC report",
        "Counting rules",
    ]
    assert annotations_for(a, "Violence and sexual offences")["label"].tolist() == [
        "HMIC report",
        "Counting rules",
    ]
    assert annotations_for(a, "Burglary")["label"].tolist() == ["HMIC report", "Lockdown, first"]
    assert annotations_for(a, "Robbery")["label"].tolist() == ["HMIC report"]
    assert len(annotations_for(a)) == 3
    assert annotations_for(a, "Public")["label"].tolist() == ["HMIC report"]  # whole names only
    pd.testing.assert_frame_equal(a, before)


def test_all_is_case_insensitive():
    a = pd.DataFrame(
        {"date": pd.to_datetime(["2020-01-01"]), "crime_types": [" ALL "], "label": ["x"]}
    )
    assert len(annotations_for(a, "Drugs")) == 1
