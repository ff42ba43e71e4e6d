"""Tests for refusing personal data in a force extract (sa_lib.data.personal_data)."""

import pandas as pd

from sa_lib import config
from sa_lib.data import personal_data as pdat

FIX = config.ROOT / "tests" / "fixtures" / "extract"
MAPS = config.CONFIG_DIR / "extract_mappings"
FORCE_B = FIX / "force_b_extract.csv"
FORCE_B_MAP = MAPS / "example_force_b.yaml"


def test_ordinary_name_columns_allowed():
    raw = pd.DataFrame(
        {
            "LSOA Name": ["Huntingdonshire 001A"],
            "Offence Name": ["Assault"],
            "Ward Name": ["Ramsey"],
        }
    )
    assert pdat.find_personal_data(raw).empty


def test_pii_content_patterns():
    raw = pd.DataFrame(
        {
            "Street": ["On or near High Street", "On or near Bridge Street, PE27 5AB"],
            "Place": ["12 Acacia Avenue", "Market Square"],
            "Notes": ["ok", "call 07700 900123"],
            "Info": ["a@b.com", ""],
            "Sector": ["PE29 3", "PE27 5"],  # postcode sector only: allowed
        }
    )
    hits = pdat.find_personal_data(raw).set_index("column")
    assert (
        hits.loc["Street", "reason"].startswith("a full postcode")
        and hits.loc["Street", "first_row"] == 1
    )
    assert hits.loc["Place", "reason"].startswith("a house-number street address")
    assert hits.loc["Notes", "reason"].startswith("a phone number")
    assert hits.loc["Info", "reason"].startswith("an e-mail address")
    assert "Sector" not in hits.index
