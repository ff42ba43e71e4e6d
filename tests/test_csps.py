"""The CSP table: the ONS LAD -> CSP -> force lookup, and selecting by force or name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sa_lib.pack.csps import csp_slug, csp_table, force_slug, select_csps

ESSEX = Path(__file__).parent / "fixtures" / "essex_2018" / "csp_lookup.csv"


def test_essex_has_fourteen_csps_each_with_one_district():
    t = csp_table(ESSEX)
    assert len(t) == 14
    assert set(t["force_slug"]) == {"essex"}
    assert t["lad_codes"].map(len).eq(1).all()
    row = t[t["csp_name"] == "Southend-on-Sea"].iloc[0]
    assert row["slug"] == "southend_on_sea" and row["lad_codes"] == ["E06000033"]
    assert t["csp_name"].is_monotonic_increasing


def test_a_multi_district_csp_keeps_every_lad_code():
    lk = pd.DataFrame(
        {
            "ltla24_code": ["E07000245", "E07000244", "E07000203"],
            "csp24_code": ["E22000001", "E22000001", "E22000002"],
            "csp24_name": ["West Suffolk", "West Suffolk", "Mid Suffolk"],
            "pfa24_code": ["E23000025"] * 3,
            "pfa24_name": ["Suffolk"] * 3,
        }
    )
    t = csp_table(lk)
    assert t.set_index("csp_name").loc["West Suffolk", "lad_codes"] == ["E07000244", "E07000245"]
    assert len(lk) == 3, "the input is not changed"


def test_select_by_force_and_by_name_slug_or_code():
    t = csp_table(ESSEX)
    assert len(select_csps(t, force="essex")) == 14
    picked = select_csps(t, csps=["Chelmsford", "castle_point", "e22000089"])
    assert sorted(picked["csp_name"]) == ["Castle Point", "Chelmsford", "Southend-on-Sea"]


def test_unknown_force_or_csp_names_the_valid_choices():
    t = csp_table(ESSEX)
    with pytest.raises(ValueError, match="--force 'kent'.*Valid choices: essex"):
        select_csps(t, force="kent")
    with pytest.raises(ValueError, match="--csp 'Narnia' is not a CSP"):
        select_csps(t, csps=["Narnia"])


def test_missing_lookup_or_column_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        csp_table(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="pfa24_name"):
        csp_table(
            pd.DataFrame(
                {
                    "ltla24_code": ["E07000011"],
                    "csp24_code": ["x"],
                    "csp24_name": ["x"],
                    "pfa24_code": ["y"],
                }
            )
        )


def test_slugs():
    assert force_slug("Devon & Cornwall") == "devon-and-cornwall"
    assert force_slug("Metropolitan Police") == "metropolitan"
    assert csp_slug("King's Lynn and West Norfolk") == "king_s_lynn_and_west_norfolk"


def test_national_lookup_has_301_current_csps_in_43_forces_or_fewer():
    # The default is the national reference shipped in data/national: no ../shared needed.
    # 314 CSPs in the ONS table, 301 current partnerships once legacy rows are resolved.
    t = csp_table()
    assert len(t) == 301
    lads = [c for codes in t["lad_codes"] for c in codes]
    assert len(lads) == len(set(lads)), "each LAD belongs to one CSP"
    assert t["slug"].is_unique
    assert "essex" in set(t["force_slug"]) and len(select_csps(t, force="essex")) == 14
    hunts = t.set_index("csp_name").loc["Huntingdonshire"]
    assert hunts["lad_codes"] == ["E07000011"] and hunts["force_slug"] == "cambridgeshire"
