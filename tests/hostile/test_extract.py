"""Hostile force extracts: personal data anywhere in the file is refused, on every path
that loads an extract, naming the column and first line and never echoing the value;
mapping files are bounded. Nothing is written."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data import extract_mapping as em
from sa_lib.data.extract import load_extract
from sa_lib.data.personal_data import PersonalDataError, find_personal_data

from .conftest import CLI, assert_message, digest, run_limited, run_sa

FIX = config.ROOT / "tests" / "fixtures" / "extract" / "force_b_extract.csv"
MAP = config.CONFIG_DIR / "extract_mappings" / "example_force_b.yaml"
SYNTHETIC = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"


def _rows() -> tuple[list[str], list[list[str]]]:
    with open(FIX, newline="", encoding="utf-8") as fh:
        r = list(csv.reader(fh))
    return r[0], r[1:]


def _write(tmp_path, header, rows, name="extract.csv"):
    p = tmp_path / name
    with open(p, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return p


def _with_value(tmp_path, column: str, value: str, row: int = 2):
    header, rows = _rows()
    if column not in header:
        header = [*header, column]
        rows = [[*r, ""] for r in rows]
    rows[row][header.index(column)] = value
    return _write(tmp_path, header, rows)


# (id, force column, value): each is personal data in a kept or unmapped text column.
PERSONAL = [
    ("postcode-lower-case", "Street", "pe29 3ab"),
    ("postcode-dash", "Offence Title", "PE29-3AB"),
    ("phone-dashes", "Street", "07700-900-123"),
    ("phone-brackets", "Result", "call (01480) 388388"),
    ("phone-dots", "Offence Title", "07700.900.123"),
    ("phone-international", "Result", "+44 (0) 7700 900123"),
    ("house-number-range", "Street", "12-14 Acacia Avenue"),
    ("house-number-letter-in-text", "Result", "seen at 14a Mill Road by staff"),
    ("named-house", "Street", "The Old Rectory, Church Lane"),
    ("name-in-free-text", "Street", "home of John Smith"),
    ("name-after-title", "Result", "Mrs Okonkwo informed"),
    ("names-mapped-to-outcome", "Result", "Priya Patel"),
    ("first-name-in-outcome", "Result", "Sarah Jenkins"),
    ("dob-iso", "Result", "1985-03-12"),
    ("dob-words", "Street", "born 12 March 1985"),
    ("dob-slashes-in-text", "Result", "DOB 12/03/1985"),
    ("ni-number", "Offence Title", "QQ123456C"),
    ("ni-number-spaced-lower", "Result", "qq 12 34 56 c"),
    ("email-in-outcome", "Result", "j.smith@example.org"),
    ("victim-id-camel-case-name", "Victim Ref", "JohnSmith"),
    ("victim-id-surname-forename", "Victim Ref", "SMITH-JOHN"),
    ("victim-id-dotted-name", "Victim Ref", "john.smith"),
    ("victim-id-phone", "Victim Ref", "07700900123"),
    ("crime-ref-name", "Occurrence Ref", "SMITH-JOHN"),
    ("unmapped-notes-name", "Notes", "victim is Jane Doe"),
    ("dropped-beat-postcode", "Beat", "PE29 3AB"),
]


@pytest.mark.parametrize("case", PERSONAL, ids=[c[0] for c in PERSONAL])
def test_personal_data_refused_at_ingest(tmp_path, case):
    _, column, value = case
    src = _with_value(tmp_path, column, value)
    out = tmp_path / "out" / "x.parquet"
    with pytest.raises(PersonalDataError) as e:
        em.ingest_extract(src, MAP, out)
    msg = str(e.value)
    assert_message(msg, str(src), f"'{column}'", "CSV line 4")
    assert value not in msg, "the value is echoed"
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_pseudonymised_reference_is_not_a_phone_number(tmp_path):
    """SYN-0284999991 (a reference) passes; the same digits standing alone do not."""
    ok = pd.DataFrame({"crime_ref": ["SYN-0284999991", "SYN-0567453621"]})
    assert find_personal_data(ok).empty
    bad = pd.DataFrame({"crime_ref": ["SYN-1", "0284 999991"]})
    hits = find_personal_data(bad)
    assert hits["reason"].tolist() == ["a phone number (content)"]
    assert hits["first_row"].tolist() == [1]


def test_street_names_and_offence_wording_are_not_personal_data():
    """Controls: police.uk style places and Home Office wording pass (the rules are not blunt)."""
    df = pd.DataFrame(
        {
            "location": [
                "On or near Victoria Road",
                "On or near St John's Close",
                "On or near Market Square",
                "On or near A14",
            ],
            "ho_offence_description": [
                "Possession of 2 knives in public place",
                "Sexual assault on a female aged 13 and over",
                "Harassment",
                "Assault with injury",
            ],
            "outcome": [
                "Court Result Unavailable",
                "Investigation complete; no suspect identified",
                "Local resolution",
                "Offender given a caution",
            ],
        }
    )
    assert find_personal_data(df).empty


def test_schema_shaped_csv_load_runs_the_refusal(tmp_path):
    """data.extract pointing at a schema-shaped CSV used to skip the refusal entirely."""
    ex = pd.read_csv(SYNTHETIC, dtype=str, keep_default_na=False).head(50)
    ex.loc[7, "location"] = "pe29 3ab"
    p = tmp_path / "extract.csv"
    ex.to_csv(p, index=False)
    with pytest.raises(PersonalDataError) as e:
        load_extract(p)
    assert_message(str(e.value), str(p), "'location'", "CSV line 9")
    assert "pe29 3ab" not in str(e.value)


def test_parquet_load_runs_the_refusal(tmp_path):
    ex = load_extract(SYNTHETIC).head(30).copy()
    ex["outcome"] = ex["outcome"].astype("string")
    ex.loc[4, "outcome"] = "ring 07700-900-123"
    p = tmp_path / "extract.parquet"
    ex.to_parquet(p)
    with pytest.raises(PersonalDataError) as e:
        load_extract(p)
    assert_message(str(e.value), str(p), "'outcome'", "row 5")
    assert "07700-900-123" not in str(e.value)


def test_shipped_synthetic_extract_still_loads():
    ex = load_extract(SYNTHETIC)
    assert len(ex) > 10_000 and ex["synthetic"].all()


def test_sa_ingest_extract_personal_data_exit_4(tmp_path):
    src = _with_value(tmp_path, "Street", "pe29 3ab")
    out = tmp_path / "x.parquet"
    r = run_sa("ingest-extract", src, "--mapping", MAP, "--out", out)
    assert r.returncode == 4, r.stderr
    assert_message(r.stderr, "'Street'", "Nothing was written")
    assert not out.exists()


# ---- mapping files ----------------------------------------------------------------


def _bomb(levels: int = 9) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + f"\nname: *l{levels - 1}\n"


def test_mapping_alias_bomb_refused(tmp_path):
    m = tmp_path / "bomb.yaml"
    m.write_text(MAP.read_text(encoding="utf-8").replace("name: Example", "nm: Example") + _bomb())
    assert m.stat().st_size < 4_000
    code = (
        "import sys; from sa_lib.data.extract_mapping import load_mapping\n"
        "try:\n    load_mapping(sys.argv[1])\n"
        "except ValueError as e:\n    print(e); sys.exit(4)"
    )
    r = run_limited(code, m)
    assert r.returncode == 4, r.stderr[-2000:]
    assert_message(r.stdout, "bomb.yaml", "line ", "aliases")


def test_mapping_oversized_refused(tmp_path):
    m = tmp_path / "big.yaml"
    m.write_text(MAP.read_text(encoding="utf-8") + "#" + "x" * 400_000 + "\n")
    with pytest.raises(ValueError) as e:
        em.load_mapping(m)
    assert_message(str(e.value), "big.yaml", "limit")


def test_mapping_huge_key_message_bounded(tmp_path):
    m = tmp_path / "key.yaml"
    m.write_text(MAP.read_text(encoding="utf-8") + "k" * 1_000 + ": 1\n")
    with pytest.raises(ValueError) as e:
        em.load_mapping(m)
    assert len(str(e.value)) < 800
    assert_message(str(e.value), "key.yaml", "unknown key")


def test_sa_ingest_extract_mapping_bomb_exit_4(tmp_path, sample_store):
    before = digest(sample_store)
    m = tmp_path / "bomb.yaml"
    m.write_text(_bomb(12))
    out = tmp_path / "x.parquet"
    r = run_limited(CLI, "ingest-extract", FIX, "--mapping", m, "--out", out)
    assert r.returncode == 4, r.stderr[-2000:]
    assert "aliases" in r.stderr and "MemoryError" not in r.stderr
    assert not out.exists() and digest(sample_store) == before


def test_documented_command_on_the_shipped_synthetic_extract_succeeds(tmp_path):
    """`sa ingest-extract` of the shipped extract was refused as 'a phone number' (SYN-0...)."""
    out = tmp_path / "synthetic.parquet"
    summary = em.ingest_extract(
        SYNTHETIC, config.CONFIG_DIR / "extract_mappings" / "workbench.yaml", out
    )
    assert summary.loc[0, "rows"] > 10_000 and out.is_file()
    assert load_extract(out)["crime_ref"].str.match(r"SYN-0\d{9}$").any()
