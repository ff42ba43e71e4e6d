import pandas as pd
import pytest

from sa_lib.data import extract as ex


def good_raw(n=3):
    """A schema-shaped frame as text (as read from a CSV)."""
    return pd.DataFrame(
        {
            "crime_ref": [f"R{i}" for i in range(n)],
            "committed_from": ["2024-01-05 23:40"] * n,
            "recorded_date": ["2024-01-06"] * n,
            "ho_offence_code": ["8N"] * n,
            "crime_type": ["Violence and sexual offences"] * n,
            "offence_subgroup": ["Violence with injury"] * n,
            "domestic_abuse": ["False"] * n,
            "victim_age_band": ["18-24"] * n,
            "lsoa_code": ["E01018212"] * n,
        }
    )


def good():
    return ex.coerce_extract(good_raw())


def test_good_frame_validates_and_derives_month():
    df = good()
    ex.validate_extract(df)
    assert df["month"].tolist() == ["2024-01"] * 3
    assert list(df.columns) == list(ex.COLUMNS)
    assert str(df["domestic_abuse"].dtype) == "boolean"
    assert df["committed_from"].iloc[0] == pd.Timestamp("2024-01-05 23:40")


def test_coerce_does_not_change_input():
    raw = good_raw()
    before = raw.copy()
    ex.coerce_extract(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_missing_required_column():
    df = good().drop(columns="ho_offence_code")
    with pytest.raises(ValueError, match=r"missing required column\(s\): 'ho_offence_code'") as e:
        ex.validate_extract(df)
    assert "Fix:" in str(e.value) and "mapping" in str(e.value)


def test_bad_dtype_names_column_and_row():
    df = good()
    df["easting"] = pd.Series(["523000", "east", "1"], dtype="string")
    with pytest.raises(ValueError, match=r"\['easting'\] must be numeric.*'east' at row 1"):
        ex.validate_extract(df)


def test_bad_date_names_column_and_first_row():
    raw = good_raw()
    raw.loc[2, "committed_from"] = "31/02/2024 10:00"
    with pytest.raises(ValueError, match=r"\['committed_from'\] is not a date.*at row 2") as e:
        ex.coerce_extract(raw)
    assert "dates:" in str(e.value)


def test_unknown_crime_type():
    df = good()
    df.loc[1, "crime_type"] = "Violent crime"
    with pytest.raises(
        ValueError,
        match=r"\['crime_type'\] has a value that is not allowed.*'Violent crime' at row 1",
    ):
        ex.validate_extract(df)


def test_bad_flag_value():
    raw = good_raw()
    raw.loc[0, "domestic_abuse"] = "maybe"
    with pytest.raises(ValueError, match=r"\['domestic_abuse'\] must be a flag.*'maybe' at row 0"):
        ex.coerce_extract(raw)


def test_bad_age_band():
    df = good()
    df.loc[2, "victim_age_band"] = "18 to 24"
    with pytest.raises(ValueError, match=r"\['victim_age_band'\].*'18 to 24' at row 2") as e:
        ex.validate_extract(df)
    assert "'65+'" in str(e.value)


def test_required_value_missing_reports_csv_line():
    df = good()
    df.loc[1, "crime_ref"] = pd.NA
    df["source_line"] = pd.array([2, 3, 4], dtype="Int64")
    with pytest.raises(
        ValueError, match=r"\['crime_ref'\] is required but missing.*row 1 \(CSV line 3\)"
    ):
        ex.validate_extract(df)


def test_extra_column_refused():
    df = good()
    df["victim_name"] = "x"
    with pytest.raises(ValueError, match="outside the extract schema: 'victim_name'"):
        ex.validate_extract(df)


def test_duplicate_reference():
    df = good()
    df.loc[2, "crime_ref"] = "R0"
    with pytest.raises(ValueError, match=r"\['crime_ref'\] must be unique.*'R0' at row 2"):
        ex.validate_extract(df)


def test_window_end_before_start():
    raw = good_raw()
    raw["committed_to"] = ["2024-01-06 01:00", "2024-01-04 00:00", ""]
    df = ex.coerce_extract(raw)
    with pytest.raises(ValueError, match=r"\['committed_to'\] is before committed_from.*row 1"):
        ex.validate_extract(df)


def test_subgroup_only_on_vso_rows():
    df = good()
    df.loc[0, "crime_type"] = "Public order"
    with pytest.raises(ValueError, match=r"\['offence_subgroup'\] is set on a row"):
        ex.validate_extract(df)


def test_bad_lsoa_pattern_and_coordinate_range():
    df = good()
    df.loc[0, "lsoa_code"] = "E0101821"
    with pytest.raises(ValueError, match=r"\['lsoa_code'\] does not match"):
        ex.validate_extract(df)
    df = good()
    df["longitude"] = [52.3, 52.3, 52.3]  # swapped with latitude
    df["latitude"] = [-0.18, -0.18, -0.18]
    with pytest.raises(ValueError, match=r"\['longitude'\] is outside the range"):
        ex.validate_extract(df)


def test_month_must_match_recorded_date():
    raw = good_raw()
    raw["month"] = ["2024-01", "2024-02", "2024-01"]
    df = ex.coerce_extract(raw)
    with pytest.raises(ValueError, match=r"\['month'\] is not the month of recorded_date.*row 1"):
        ex.validate_extract(df)


def test_age_to_band_edges():
    got = ex.age_to_band(pd.Series([0, 12, 13, 15, 16, 17, 18, 24, 25, 64, 65, 101]))
    assert got.tolist() == [
        "0-12", "0-12", "13-15", "13-15", "16-17", "16-17",
        "18-24", "18-24", "25-34", "55-64", "65+", "65+",
    ]  # fmt: skip


def test_load_extract_roundtrip_csv_and_parquet(tmp_path):
    df = good()
    p = tmp_path / "x.csv.gz"
    df.drop(columns="source_line").to_csv(p, index=False)
    back = ex.load_extract(p)
    assert back["crime_ref"].tolist() == ["R0", "R1", "R2"]
    assert back["committed_from"].iloc[0] == pd.Timestamp("2024-01-05 23:40")
    pq = tmp_path / "x.parquet"
    df.to_parquet(pq)
    assert ex.load_extract(pq)["offence_subgroup"].tolist() == ["Violence with injury"] * 3
    with pytest.raises(ValueError, match="no such extract"):
        ex.load_extract(tmp_path / "nope.parquet")


def test_schema_markdown_lists_every_column():
    md = ex.schema_markdown()
    for c in ex.COLUMNS:
        assert f"| `{c}` |" in md
    assert ex.SCHEMA_DOC == md
    t = ex.schema_table()
    assert set(t.loc[t["required"], "name"]) == set(ex.REQUIRED)


def test_ho_code_table_consistent_with_schema():
    for code, (_, ctype, sub) in ex.HO_OFFENCE_CODES.items():
        assert ctype in ex.CRIME_TYPES
        assert (sub is None) == (ctype != ex.VSO), code


def test_docs_schema_table_matches_spec():
    from sa_lib import config

    text = (config.ROOT / "docs" / "extract_schema.md").read_text()
    assert ex.SCHEMA_DOC in text, "regenerate the table in docs/extract_schema.md"
