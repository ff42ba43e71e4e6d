"""The shipped national reference: CSPs, lookups, deprivation, provenance."""

from __future__ import annotations

import hashlib
import json

import pytest

from sa_lib import config
from sa_lib.data import national
from sa_lib.data.geography import build_geography


def test_every_csp_and_force():
    t = national.csp_table()
    # ONS, December 2024: 314 CSPs on 332 rows; 20 legacy CSPs of 7 reorganised councils
    # resolved to one current partnership each (current_partnerships): 301, one per LAD.
    assert len(t) == 301
    assert t["force"].nunique() == 43
    multi = t[t["lad_codes"].str.contains(",")]
    assert len(multi) == 11  # Dorset no longer also holds Bournemouth, Christchurch and Poole
    essex = national.csp_table(force="Essex")
    assert len(essex) == 14 and set(essex["force"]) == {"essex"}


def test_resolve_csp_by_name_code_and_lad():
    by_name = national.resolve_csp("dartford and gravesham")
    assert by_name["lad_codes"] == ["E07000107", "E07000109"] and by_name["forces"] == ["kent"]
    assert national.resolve_csp(by_name["csp_code"]) == by_name
    assert national.resolve_csp("E07000109") == by_name  # a LAD code finds its CSP
    with pytest.raises(national.NationalReferenceError, match="Did you mean 'Basildon'"):
        national.resolve_csp("Basildn")
    with pytest.raises(national.NationalReferenceError, match="Valid forces: avon-and-somerset"):
        national.csp_table(force="atlantis")


def test_lookups_are_complete():
    look = national.lsoa_lookup()
    assert len(look) == 35672 and look["lsoa21_code"].is_unique
    assert set(look["lad_code"]) == set(national.lad_lookup()["lad_code"])
    ch = national.change_lookup()
    assert ch["change_code"].value_counts().to_dict() == {"U": 33647, "S": 1900, "M": 239, "X": 9}
    assert set(ch["lsoa21_code"]) == set(look["lsoa21_code"])


def test_deprivation_labels_each_country():
    d = national.deprivation()
    eng = d[d["lsoa21_code"].str.startswith("E")]
    wal = d[d["lsoa21_code"].str.startswith("W")]
    assert set(eng["deprivation_index"]) == {"English Indices of Deprivation"}
    assert set(eng["deprivation_year"]) == {2025} and eng["imd_rank"].max() == 33755
    assert set(wal["deprivation_year"]) == {2019} and wal["imd_rank"].max() <= 1909
    # Every LSOA21 in England and Wales has an index.
    assert set(d["lsoa21_code"]) == set(national.lsoa_lookup()["lsoa21_code"])


def test_provenance_hashes_match_the_shipped_files():
    prov = json.loads((config.NATIONAL_DIR / "PROVENANCE.json").read_text())
    assert prov["licence"] == "Open Government Licence v3.0"
    total = 0
    for out in prov["outputs"]:
        data = (config.NATIONAL_DIR / out["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == out["sha256"], out["file"]
        total += len(data)
    assert total <= 15 * 1024 * 1024
    assert all({"publisher", "licence", "sha256"} <= set(s) for s in prov["sources"])


def test_national_geography_wards_are_lsoa_dissolves():
    geo = build_geography(["W06000008"], "national", "national", "national")  # Ceredigion
    assert len(geo.lsoas) == 45
    assert geo.lsoas["ward_code"].notna().all() and geo.lsoas["population"].gt(0).all()
    assert set(geo.lsoas["deprivation_index"]) == {"Welsh Index of Multiple Deprivation"}
    # Each ward's polygon is the union of its LSOAs: areas agree.
    lsoa_area = geo.lsoas.dissolve("ward_code").area.sort_index()
    ward_area = geo.wards.set_index("ward_code").area.sort_index()
    assert (abs(lsoa_area - ward_area) / ward_area).max() < 1e-9
    assert geo.wards["n_lsoas"].sum() == 45
    with pytest.raises(ValueError, match="E07999999"):
        build_geography(["E07999999"], "national", "national")


def test_each_lad_belongs_to_one_current_partnership():
    """Issue 19: legacy rows mapped 7 unitary councils to several old CSPs."""
    lk = national.lad_lookup()
    assert lk["lad_code"].is_unique and len(lk) == 318  # every LAD of England and Wales
    t = national.csp_table()
    lads = [c for codes in t["lad_codes"] for c in codes.split(", ")]
    assert len(lads) == len(set(lads)) == 318, "no LAD is counted in two packs"
    bcp = [r for _, r in t.iterrows() if "E06000058" in r["lad_codes"]]
    assert len(bcp) == 1 and bcp[0]["csp_name"] == "Bournemouth, Christchurch and Poole"
    assert national.resolve_csp("Dorset")["lad_codes"] == ["E06000059"]
    assert national.resolve_csp("Buckinghamshire")["lad_codes"] == ["E06000060"]
    # `--csp Wycombe` built all of Buckinghamshire under that name; now it says where it went.
    with pytest.raises(national.NationalReferenceError, match="now part of Buckinghamshire"):
        national.resolve_csp("Wycombe")


def test_welsh_and_english_names_are_both_accepted():
    """Issue 19: `Ynys Môn` was refused."""
    anglesey = national.resolve_csp("Isle of Anglesey")
    assert national.resolve_csp("Ynys Môn") == anglesey
    assert national.resolve_csp("ynys mon") == anglesey
    assert national.resolve_csp("Caerdydd")["lad_codes"] == ["W06000015"]
    assert national.resolve_csp("Merthyr Tudful")["csp_name"] == "Cwm Taf"
