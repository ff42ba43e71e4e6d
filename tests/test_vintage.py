"""Placing LSOA 2011 rows in LSOA 2021: unit cases, and the real Essex 2018 files.

The Essex test counts the raw police.uk CSVs independently (csv module, the ONS
lookup's district for each LSOA11 code) and requires the workbench's counts per
CSP x month x crime type to equal them exactly, with every row accounted for.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from sa_lib import config
from sa_lib.data import national
from sa_lib.data.geography import assign_to_csp, build_geography, csp_lsoa_codes
from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street
from sa_lib.data.vintage import PLACEMENTS, place_rows, placement_counts

FIXTURE = Path(__file__).parent / "fixtures" / "police_uk_essex_2018_subset"
SHARED_ESSEX = config.ROOT.parent / "shared" / "data" / "police_uk_essex_2018"


@pytest.fixture
def parts():
    return gpd.GeoDataFrame(
        {"lsoa21_code": ["A21", "S1", "S2", "M21"], "population": [100, 50, 900, 300]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(20, 0, 30, 10), box(30, 0, 40, 10)],
        crs=27700,
    )


@pytest.fixture
def change():
    return pd.DataFrame(
        {
            "lsoa11_code": ["A21", "SPL", "SPL", "MA", "MB", "FAR"],
            "lsoa21_code": ["A21", "S1", "S2", "M21", "M21", "ZZZ"],
            "change_code": ["U", "S", "S", "M", "M", "U"],
        }
    )


def test_place_rows_every_rule(parts, change):
    rows = pd.DataFrame(
        {
            "lsoa_code": pd.array(["A21", "MA", "SPL", "SPL", "SPL", "SPL", "FAR", None]),
            "x": [5.0, 35, 12, 25, 21, None, 1, None],
            "y": [5.0, 5, 5, 5, 50, None, 1, None],
        }
    )
    before = rows.copy()
    out = place_rows(rows, change, parts, x="x", y="y", crs=27700)
    pd.testing.assert_frame_equal(rows, before)
    assert out["lsoa21_code"].tolist()[:6] == ["A21", "M21", "S1", "S2", "S2", "S2"]
    assert out["lsoa21_code"].isna().tolist()[6:] == [True, True]
    assert out["placement"].tolist() == [
        "LSOA 2021 code, or unchanged since 2011",  # A21 is a 2021 code in the area
        "LSOA 2011 merged",
        "LSOA 2011 split: by its point",
        "LSOA 2011 split: by its point",
        "LSOA 2011 split: point outside every part, nearest part",  # (21, 50): nearest is S2
        "LSOA 2011 split: no point, most populous part",  # S2 has 900 residents
        "not placed: LSOA code outside the area",
        "not placed: LSOA code outside the area",
    ]
    counts = placement_counts(out).set_index("placement")["rows"]
    assert list(counts.index) == list(PLACEMENTS)
    assert counts.sum() == len(rows)


def test_place_rows_bad_input(parts, change):
    with pytest.raises(ValueError, match="lsoa_code"):
        place_rows(pd.DataFrame({"x": [1.0], "y": [1.0]}), change, parts, x="x", y="y")
    with pytest.raises(ValueError, match="change_code"):
        place_rows(
            pd.DataFrame({"lsoa_code": ["A"], "x": [1.0], "y": [1.0]}),
            change.drop(columns="change_code"),
            parts,
            x="x",
            y="y",
        )


def independent_counts(folder: Path) -> tuple[Counter, int, int]:
    """Count raw rows by (CSP, month, crime type) from the CSVs with the csv module.

    Each row's LSOA11 code gives its district from the ONS lookup, and the district
    its CSP. Returns the counter, the number of rows with no LSOA and the total.
    """
    ch = national.change_lookup()
    district = dict(zip(ch["lsoa11_code"], ch["lad22_code"], strict=True))
    lk = national.lad_lookup()
    csp_of = dict(zip(lk["lad_code"], lk["csp_name"], strict=True))
    essex = set(lk.loc[lk["force"] == "essex", "csp_name"])
    counts: Counter = Counter()
    no_lsoa = total = 0
    for f in sorted(folder.glob("*/*-street.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                total += 1
                code = row["LSOA code"]
                if not code:
                    no_lsoa += 1
                    continue
                csp = csp_of.get(district.get(code))
                if csp in essex:
                    counts[(csp, row["Month"], row["Crime type"])] += 1
    return counts, no_lsoa, total


def workbench_counts(folder: Path, store: Path) -> tuple[Counter, pd.DataFrame, int]:
    ingest([folder], store)
    counts: Counter = Counter()
    placements = []
    loaded = 0
    for _, csp in national.csp_table(force="essex").iterrows():
        geo = build_geography(csp["lad_codes"].split(", "), "national", "national", "national")
        raw = load_street(store, lsoa_codes=csp_lsoa_codes(geo))
        placed = assign_to_csp(raw, geo)
        assert len(placed) == len(raw), f"{csp['csp_name']}: a loaded row was not placed"
        loaded += len(raw)
        counts.update(
            (csp["csp_name"], m, t)
            for m, t in zip(placed["month"], placed["crime_type"], strict=True)
        )
        placements.append(placement_counts(placed).assign(csp=csp["csp_name"]))
    return counts, pd.concat(placements), loaded


def _check_essex(folder: Path, store: Path) -> pd.DataFrame:
    expected, no_lsoa, total = independent_counts(folder)
    got, placements, loaded = workbench_counts(folder, store)
    assert got == expected
    # Every row is accounted for: in an Essex CSP, with no LSOA, or coded outside Essex.
    everything = load_street(store)
    assert len(everything) == total
    assert int(everything["lsoa_code"].isna().sum()) == no_lsoa
    outside = total - no_lsoa - sum(expected.values())
    assert loaded + no_lsoa + outside == total
    assert outside > 0  # the fixture keeps some neighbouring forces' LSOAs
    return placements.groupby("placement")["rows"].sum()


def test_essex_2018_subset_counts_equal_independent_count(tmp_path):
    by = _check_essex(FIXTURE, tmp_path / "store")
    assert by["LSOA 2011 split: by its point"] > 1000  # Uttlesford's split LSOAs
    assert by["LSOA 2021 code, or unchanged since 2011"] > 1000


@pytest.mark.skipif(not SHARED_ESSEX.exists(), reason="needs ../shared/data/police_uk_essex_2018")
def test_essex_2018_all_fourteen_csps(tmp_path):
    by = _check_essex(SHARED_ESSEX, tmp_path / "store")
    split = by["LSOA 2011 split: by its point"]
    split += by["LSOA 2011 split: point outside every part, nearest part"]
    # 11,397 rows carry a split LSOA11 code; 21 of them are in other forces' districts.
    assert split == 11397 - 21
