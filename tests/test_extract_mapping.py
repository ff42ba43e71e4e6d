import subprocess
import warnings

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data import extract as ex
from sa_lib.data import extract_mapping as em
from sa_lib.data import personal_data as pdat

FIX = config.ROOT / "tests" / "fixtures" / "extract"
MAPS = config.CONFIG_DIR / "extract_mappings"
FORCE_B = FIX / "force_b_extract.csv"
FORCE_B_MAP = MAPS / "example_force_b.yaml"


def raw_b():
    return em.read_extract_csv(FORCE_B, em.load_mapping(FORCE_B_MAP))


def write_map(tmp_path, text, name="m.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


# ---- the example_force_b mapping ------------------------------------------------------


def test_force_b_maps_to_valid_schema_frame_with_right_values():
    m = em.load_mapping(FORCE_B_MAP)
    out = em.apply_mapping(raw_b(), m, source="force_b")
    ex.validate_extract(out)
    assert list(out.columns) == list(ex.COLUMNS)
    assert out["crime_ref"].tolist() == [f"HB-000{i}" for i in range(1, 7)]
    # dd/mm/yyyy: 05/01/2024 is 5 January, not 1 May
    assert out.loc[0, "committed_from"] == pd.Timestamp("2024-01-05 23:40")
    assert out.loc[2, "committed_from"] == pd.Timestamp("2023-12-01 09:00")
    assert out.loc[2, "committed_to"] == pd.Timestamp("2024-01-31 17:00")
    assert pd.isna(out.loc[0, "committed_to"])
    assert out["month"].tolist() == [
        "2024-01",
        "2024-01",
        "2024-02",
        "2024-02",
        "2024-02",
        "2024-02",
    ]
    # Y/N flags; blank alcohol is "not recorded"
    assert out["domestic_abuse"].tolist() == [False, True, True, True, False, False]
    assert pd.isna(out.loc[1, "alcohol_related"])
    assert out["hate_crime"].tolist() == [False] * 5 + [True]
    assert out["cse"].tolist() == [False] * 4 + [True, False]
    # crime type and subgroup from the HO code
    assert out["crime_type"].tolist() == [
        ex.VSO,
        ex.VSO,
        ex.VSO,
        "Criminal damage and arson",
        ex.VSO,
        "Public order",
    ]
    assert out.loc[2, "offence_subgroup"] == "Stalking and harassment"
    assert pd.isna(out.loc[3, "offence_subgroup"])
    # ages in years banded; codes recoded
    assert out["victim_age_band"].tolist() == ["18-24", "25-34", "25-34", "35-44", "13-15", "25-34"]
    assert out["victim_sex"].tolist() == ["Male", "Female", "Female", "Female", "Female", "Male"]
    assert out.loc[0, "location_type"] == "Licensed premises"
    assert pd.isna(out.loc[3, "offender_age_band"])
    # coordinates completed: BNG 523950, 271650 is Huntingdon town centre
    assert out.loc[0, "longitude"] == pytest.approx(-0.1825, abs=0.001)
    assert out.loc[0, "latitude"] == pytest.approx(52.329, abs=0.001)
    assert out["source_line"].tolist() == [2, 3, 4, 5, 6, 7]
    assert not out["synthetic"].any()


def test_apply_mapping_does_not_change_input():
    raw = raw_b()
    before = raw.copy()
    em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP))
    pd.testing.assert_frame_equal(raw, before)


def test_unknown_flag_code_listed_with_fix(tmp_path):
    text = FORCE_B.read_text().replace(",N,Y,N,N,Y,VB-101", ",U,Y,N,N,Y,VB-101")
    p = tmp_path / "b.csv"
    p.write_text(text)
    m = em.load_mapping(FORCE_B_MAP)
    with pytest.raises(
        ValueError, match=r"'DA Marker' \(mapped to domestic_abuse\) has code\(s\)"
    ) as e:
        em.apply_mapping(em.read_extract_csv(p, m), m, source="b.csv")
    msg = str(e.value)
    assert "'U' (1 row(s), first at CSV line 2)" in msg
    assert "flags: domestic_abuse:" in msg


def test_unmapped_required_columns_listed_with_fix(tmp_path):
    p = write_map(
        tmp_path,
        "name: t\ncolumns:\n  crime_ref: Occurrence Ref\n  recorded_date: Date Recorded\n",
    )
    m = em.load_mapping(p)
    with pytest.raises(ValueError, match="required schema column\\(s\\) not mapped") as e:
        em.apply_mapping(raw_b(), m)
    msg = str(e.value)
    for col in ("committed_from", "ho_offence_code", "domestic_abuse"):
        assert f"    {col}: <the force's column>" in msg
    assert "'DA Marker'" in msg  # candidate suggested


def test_mapped_column_missing_from_extract(tmp_path):
    text = FORCE_B_MAP.read_text().replace("crime_ref: Occurrence Ref", "crime_ref: Occurence Ref")
    m = em.load_mapping(write_map(tmp_path, text))
    with pytest.raises(
        ValueError, match="'Occurence Ref' is not a column.*Did you mean 'Occurrence Ref'"
    ):
        em.apply_mapping(raw_b(), m)


def test_unknown_offence_code_needs_lookup():
    raw = raw_b()
    raw.loc[3, "HOCR Code"] = "999Z"
    with pytest.raises(
        ValueError,
        match=r"offence code\(s\) with no police.uk crime type: '999Z' \(1\).*CSV line 5",
    ):
        em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP))


def test_offence_codes_in_mapping_extend_lookup(tmp_path):
    text = FORCE_B_MAP.read_text() + (
        "offence_codes:\n  999Z: {crime_type: Criminal damage and arson, description: Local code}\n"
    )
    raw = raw_b()
    raw.loc[3, "HOCR Code"] = "999Z"
    out = em.apply_mapping(raw, em.load_mapping(write_map(tmp_path, text)))
    assert out.loc[3, "crime_type"] == "Criminal damage and arson"


def test_bad_date_format_in_extract_names_line():
    raw = raw_b()
    raw.loc[1, "Date Recorded"] = "2024-01-07"  # ISO, not dd/mm/yyyy
    with pytest.raises(
        ValueError, match=r"\['recorded_date'\] is not a date.*'%d/%m/%Y'.*CSV line 3"
    ):
        em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP))


def test_unused_columns_warn_unless_dropped(tmp_path):
    raw = raw_b()
    raw["Notes Code"] = "x"
    with pytest.warns(UserWarning, match="ignoring column\\(s\\) not in the mapping: 'Notes Code'"):
        em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        em.apply_mapping(raw_b(), em.load_mapping(FORCE_B_MAP))  # Beat is under drop:


# ---- load_mapping errors ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("name: t\ncolums: {}\n", "colums: unknown key. Did you mean 'columns'"),
        ("columns: {crime_ref: A}\n", "name: missing"),
        (
            "name: t\ncolumns:\n  crime_reff: A\n",
            "crime_reff: not a schema column. Did you mean 'crime_ref'",
        ),
        (
            "name: t\ncolumns: {crime_ref: A}\nflags:\n  domestic_abuse: {Y: yes}\n",
            "flags.domestic_abuse.Y: 'yes' is not true",
        ),
        (
            "name: t\ncolumns: {crime_ref: A}\ndates: {recorded_date: dd/mm/yyyy}\n",
            "not a strptime format",
        ),
        ("name: t\ncolumns: {crime_ref: A\n", "not valid YAML"),
    ],
)
def test_load_mapping_errors(tmp_path, text, match):
    with pytest.raises(ValueError, match=match):
        em.load_mapping(write_map(tmp_path, text))


def test_yes_no_codes_stay_text(tmp_path):
    m = em.load_mapping(
        write_map(
            tmp_path, "name: t\ncolumns: {crime_ref: A}\nflags:\n  cse: {Yes: true, No: false}\n"
        )
    )
    assert m.flags["cse"] == {"Yes": True, "No": False}


def test_workbench_identity_mapping_loads():
    m = em.load_mapping(MAPS / "workbench.yaml")
    assert set(m.columns) == set(ex.COLUMNS) - {"source_line"}
    assert all(k == v for k, v in m.columns.items())


# ---- personal data ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "col",
    [
        "Date of Birth",
        "Victim Name",
        "DOB",
        "Victim Surname",
        "Home Address",
        "Contact Phone",
        "email",
        "Forename",
        "Offender Names",
    ],
)
def test_pii_column_names_refused(col):
    raw = raw_b()
    raw[col] = "x"
    with pytest.raises(pdat.PersonalDataError, match=f"column '{col}'") as e:
        em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP), source="force_b.csv")
    msg = str(e.value)
    assert "UK GDPR" in msg and "data minimisation" in msg and "pseudonymised" in msg


def test_date_of_birth_and_victim_name_refused_even_if_dropped(tmp_path):
    text = FORCE_B.read_text().splitlines()
    text[0] += ",Victim Name,Date of Birth"
    text[1:] = [line + ",Jane Doe,01/02/1990" for line in text[1:]]
    p = tmp_path / "pii.csv"
    p.write_text("\n".join(text) + "\n")
    mtext = FORCE_B_MAP.read_text().replace(
        "drop: [Beat]", "drop: [Beat, Victim Name, Date of Birth]"
    )
    m = em.load_mapping(write_map(tmp_path, mtext))
    with pytest.raises(pdat.PersonalDataError) as e:
        em.apply_mapping(em.read_extract_csv(p, m), m, source=str(p))
    msg = str(e.value)
    assert "'Victim Name': a person's name" in msg
    assert "'Date of Birth': a date of birth" in msg
    assert "Jane" not in msg and "1990" not in msg  # values are never echoed


def test_names_in_victim_id_refused():
    raw = raw_b()
    raw.loc[2, "Victim Ref"] = "Jane Smith"
    with pytest.raises(
        pdat.PersonalDataError, match=r"'Victim Ref': a person's name in an id column .*CSV line 4"
    ):
        em.apply_mapping(raw, em.load_mapping(FORCE_B_MAP))


# ---- output safety and ingest ------------------------------------------------------------


def test_ingest_force_b_outside_repo(tmp_path):
    out = tmp_path / "store" / "b.parquet"
    summary = em.ingest_extract(FORCE_B, FORCE_B_MAP, out)
    assert out.exists()
    row = summary.iloc[0]
    assert row["rows"] == 6 and row["domestic_abuse"] == 3
    assert (row["first_month"], row["last_month"]) == ("2024-01", "2024-02")
    back = ex.load_extract(out)
    assert back["crime_ref"].tolist()[0] == "HB-0001"
    assert str(back["domestic_abuse"].dtype) == "boolean"
    import pyarrow.parquet as pq

    assert b"sa_extract" in pq.read_schema(out).metadata


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_refuses_git_tracked_and_unignored_targets(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / ".gitignore").write_text("data/processed/\n")
    (repo / "tracked.parquet").write_text("x")
    _git(repo, "add", ".gitignore", "tracked.parquet")
    with pytest.raises(em.UnsafeOutputError, match="git tracks 'tracked.parquet'"):
        em.ingest_extract(FORCE_B, FORCE_B_MAP, repo / "tracked.parquet")
    with pytest.raises(em.UnsafeOutputError, match="not ignored"):
        em.ingest_extract(FORCE_B, FORCE_B_MAP, repo / "reports" / "x.parquet")
    assert not (repo / "reports").exists()
    ok = repo / "data" / "processed" / "extract" / "x.parquet"
    em.ingest_extract(FORCE_B, FORCE_B_MAP, ok)
    assert ok.exists()


def test_workbench_repo_paths():
    assert em.check_output_path(config.PROCESSED_DIR / "extract" / "x.parquet")
    with pytest.raises(em.UnsafeOutputError):
        em.check_output_path(config.ROOT / "src" / "sa_lib" / "extract.py")
    with pytest.raises(em.UnsafeOutputError):
        em.check_output_path(config.SAMPLE_DIR / "extract.parquet")
