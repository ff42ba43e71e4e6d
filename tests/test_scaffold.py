"""`sa init --csp`: a parameters file that validates for any CSP."""

from __future__ import annotations

import pytest
import yaml

from sa_lib import config
from sa_lib.data.ingest import ingest
from sa_lib.pack.params import validate_params
from sa_lib.pack.scaffold import scaffold_params

ESSEX = config.ROOT / "tests" / "fixtures" / "police_uk_essex_2018_subset"


@pytest.fixture(scope="module")
def essex_store(tmp_path_factory):
    s = tmp_path_factory.mktemp("essex") / "store"
    ingest([ESSEX], s)
    return s


def test_no_baseline_or_targets_without_the_months(essex_store):
    text, info = scaffold_params("Basildon", "2018-Q2", store=essex_store)
    p = yaml.safe_load(text)
    assert info["baseline_year"] is None and "baseline_year" not in p and "targets" not in p
    assert "# baseline_year: 2017" in text and "#     baseline_year: 2017" in text
    assert p["csp"]["lad_codes"] == ["E07000066"]
    assert len(p["comparison"]["peers"]) == 13  # the other Essex CSPs' districts
    assert p["comparison"]["wider_area_name"] == "Essex police force area"
    assert not {"extract", "events", "force_counts", "licensed_premises"} & set(p["data"])
    checked = validate_params(p, "basildon.yaml")  # the store holds 2018-04..06
    assert checked.period == "2018-Q2"


def test_baseline_and_target_when_the_store_holds_them(tmp_path):
    store = tmp_path / "store"
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    p = yaml.safe_load(scaffold_params("Fenland", "2025-Q4", store=store)[0])
    assert p["baseline_year"] == 2024
    assert p["targets"] == [
        {
            "crime_type": "Anti-social behaviour",
            "reduction_pct": 10,
            "baseline_year": 2024,
            "target_year": 2027,
        }
    ]
    assert validate_params(p, "fenland.yaml").baseline_year == 2024


def test_unknown_csp_and_bad_period():
    with pytest.raises(ValueError, match="sa csps"):
        scaffold_params("Nowhere Borough", "2025-Q4", store="/nonexistent")
    with pytest.raises(ValueError, match="Valid forms"):
        scaffold_params("Fenland", "2025-Q9", store="/nonexistent")


def test_check_names_the_first_lsoa_the_population_file_lacks(essex_store):
    p = yaml.safe_load(scaffold_params("Basildon", "2018-Q2", store=essex_store)[0])
    p["data"]["population"] = "data/sample/population/census2021_lsoa21_age_bands.csv.gz"
    p["data"]["deprivation"] = "data/sample/deprivation/iod2019_lsoa11.csv.gz"
    with pytest.raises(ValueError) as e:
        validate_params(p, "basildon.yaml")
    msg = str(e.value)
    assert "data.population" in msg and "the first E01" in msg and "'national'" in msg
    assert "data.deprivation" in msg and "covers none of the LSOA 2011 areas of LSOA E01" in msg


def test_init_for_the_sample_csp_in_another_year_writes_no_sample_inputs():
    """Issue 19: `sa init --csp Huntingdonshire --period 2018-Q4` wrote the sample's 2024-25
    force counts, partner files and hand-made ward fit (4 of 6 themes failed, and the CSE
    page compared 2025 with 2024)."""
    text, info = scaffold_params("Huntingdonshire", "2018-Q4", store="/nonexistent")
    p = yaml.safe_load(text)
    assert "data/sample" not in text and "synthetic" not in text.replace("SYNTHETIC", "")
    assert p["data"]["boundaries"] == "national"  # the official ONS ward fit
    sample_only = {"extract", "force_counts", "cse_indicators", "cse_quarterly", "events"}
    assert not sample_only & set(p["data"])
    # Every default theme that can run without sample inputs; none that cannot.
    assert p["themes"] == [
        "summary",
        "overview",
        "hotspots",
        "place_profile",
        "violence",
        "outcomes",
        "wards",
    ]
    assert validate_params(p, "hunts_2018q4.yaml", check_store=False).period == "2018-Q4"


def test_init_for_the_sample_csp_and_period_keeps_the_sample_inputs():
    p = yaml.safe_load(scaffold_params("Huntingdonshire", "2025-Q4", store="/nonexistent")[0])
    assert p["data"]["extract"] == "synthetic"
    assert p["data"]["cse_indicators"].endswith("ward_indicators_2025.csv")
    assert {"summary", "wards", "outcomes", "cse", "domestic_abuse"} <= set(p["themes"])
    # 2024: the extract and force counts cover it, the 2025 CSE indicators do not.
    p24 = yaml.safe_load(scaffold_params("Huntingdonshire", "2024-Q4", store="/nonexistent")[0])
    assert p24["data"]["extract"] == "synthetic" and "cse_indicators" not in p24["data"]
    assert "cse" not in p24["themes"] and "domestic_abuse" in p24["themes"]
    validate_params(p24, "hunts_2024q4.yaml", check_store=False)


def test_peers_never_include_the_csp_itself():
    """Issue 19: generated peers included the CSP itself (Dorset held BCP's LAD too)."""
    for csp in ("Dorset", "Bournemouth, Christchurch and Poole", "Buckinghamshire"):
        text, info = scaffold_params(csp, "2025-Q4", store="/nonexistent")
        peers = yaml.safe_load(text)["comparison"]["peers"]
        assert peers and not set(peers) & set(info["lad_codes"]), csp
