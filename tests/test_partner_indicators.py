"""Partner indicators (issue 21): the schema, a differently shaped file through its mapping,
personal data refused, every bad row named, and the shipped SYNTHETIC example."""

import io

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data.partner_indicators import (
    INDICATORS,
    district_monthly,
    read_partner_indicators,
)
from sa_lib.data.personal_data import PersonalDataError

FIXTURE = config.ROOT / "tests" / "fixtures" / "partner" / "fire_service_ward_export.csv"
MAPPING = config.ROOT / "config" / "partner_mappings" / "example_fire_service.yaml"
SHIPPED = config.SAMPLE_DIR / "synthetic" / "partner_indicators_synthetic.csv"
HEAD = "area_type,area_code,month,indicator,count\n"


def test_a_differently_shaped_file_maps_onto_the_schema():
    df = read_partner_indicators(FIXTURE, MAPPING)
    assert set(df["area_type"]) == {"ward"} and not df["synthetic"].any()
    fires = df[df["indicator"] == "fire_deliberate"].set_index(["area_code", "month"])["count"]
    # Primary and secondary deliberate fires map onto one indicator and are summed.
    assert fires[("E05011256", "2025-10")] == 5 and fires[("E05011256", "2024-11")] == 4
    asb = df[df["indicator"] == "council_asb_cases"]
    assert asb[["area_code", "month", "count"]].values.tolist() == [["E05011260", "2025-11", 7]]


def test_the_same_file_without_its_mapping_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="has no column.*area_type.*or a mapping"):
        read_partner_indicators(FIXTURE)


def test_every_bad_row_is_named():
    text = HEAD + (
        "lsoa,E01017585,2025-01,fire_deliberate,3\n"
        "street,E01017585,2025-13,fire_deliberate,-1\n"
        "lsoa,XYZ,2025-02,burglary,2.5\n"
    )
    with pytest.raises(ValueError) as e:
        read_partner_indicators(io.StringIO(text))
    msg = str(e.value)
    assert "2 bad row(s)" in msg
    assert (
        "line 3: area_type is not one of lsoa, ward, district; month is not YYYY-MM; count" in msg
    )
    assert "line 4: area_code is not an ONS code" in msg and "indicator is not one of" in msg


def test_personal_data_is_refused():
    text = "area_type,area_code,month,indicator,count,Client Name,Date of Birth\n" + (
        "lsoa,E01017585,2025-01,treatment_starts,1,Jane Smith,01/02/1990\n"
    )
    with pytest.raises(PersonalDataError, match="Client Name"):
        read_partner_indicators(io.StringIO(text))


def test_district_monthly_reads_each_indicator_at_its_finest_level():
    df = read_partner_indicators(
        io.StringIO(
            HEAD
            + "lsoa,E01000001,2025-01,fire_deliberate,2\nlsoa,E01000002,2025-01,fire_deliberate,3\n"
            "lsoa,E01999999,2025-01,fire_deliberate,50\n"  # another district's LSOA
            "district,E07000011,2025-01,fire_deliberate,99\n"  # coarser: not read
            "district,E07000011,2025-01,probation_caseload,40\n"
        )
    )
    lookup = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "ward_code": ["W", "W"]})
    out = district_monthly(df, lookup, ["E07000011"]).set_index("indicator")
    assert (
        out.loc["fire_deliberate", "count"] == 5 and out.loc["fire_deliberate", "level"] == "lsoa"
    )
    assert out.loc["probation_caseload", "count"] == 40


def test_shipped_example_is_synthetic_over_the_real_lsoas_and_reproducible(tmp_path):
    df = read_partner_indicators(SHIPPED)
    assert df["synthetic"].all()
    amb = pd.read_csv(config.SAMPLE_DIR / "synthetic" / "ambulance_assault_callouts_synthetic.csv")
    lsoas = set(df.loc[df["area_type"] == "lsoa", "area_code"])
    assert lsoas <= set(amb["lsoa21_code"]) and len(lsoas) > 100
    assert set(df["indicator"]) == set(INDICATORS)
    assert set(df["area_type"]) == {"lsoa", "ward", "district"}
    from sa_lib.data.synthetic_partner import generate_partner_indicators

    a = pd.DataFrame({"lsoa_code": ["E01000001"], "ward_code": ["E05000001"], "population": [1500]})
    one = generate_partner_indicators(a, "E07000011", ["2025-01", "2025-02"], seed=7)
    two = generate_partner_indicators(a, "E07000011", ["2025-01", "2025-02"], seed=7)
    pd.testing.assert_frame_equal(one, two)


def test_a_file_is_read_once_until_its_bytes_change(tmp_path, monkeypatch):
    """A summary and the partner page read the same file: parsed and scanned once."""
    from sa_lib.data import partner_indicators as pi

    reads = []
    real = pi._read
    monkeypatch.setattr(pi, "_read", lambda p, m: reads.append(p) or real(p, m))
    monkeypatch.setattr(pi, "_READ", type(pi._READ)())
    path = tmp_path / "partner.csv"
    path.write_text(HEAD + "ward,E05011256,2025-01,fire_deliberate,3\n")
    a = read_partner_indicators(path)
    a.loc[0, "count"] = 99  # a caller's change does not reach the next caller
    b = read_partner_indicators(path)
    assert len(reads) == 1 and b["count"].tolist() == [3]
    path.write_text(HEAD + "ward,E05011256,2025-01,fire_deliberate,4\n")  # same size
    assert read_partner_indicators(path)["count"].tolist() == [4] and len(reads) == 2
    path.write_text(HEAD + "ward,E05011256,2025-01,fire_deliberate,-4\n")
    for _ in range(2):  # a refused file is refused again, never kept
        with pytest.raises(ValueError, match="bad row"):
            read_partner_indicators(path)
    assert len(reads) == 4
    # Through a mapping, the mapping's bytes are part of the key too.
    read_partner_indicators(FIXTURE, MAPPING)
    read_partner_indicators(FIXTURE, MAPPING)
    assert len(reads) == 5
