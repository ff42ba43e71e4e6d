import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from sa_lib import config
from sa_lib.data.geography import (
    LEVELS,
    assign_to_csp,
    available_lads,
    best_fit,
    build_geography,
    load_boundaries,
    load_deprivation,
    load_population,
    lsoa_vintage,
    to_points,
)

LAD = "E07000099"
X0, Y0 = 520000, 270000  # a point in Cambridgeshire, British National Grid


def km_box(x0, y0, x1, y1):
    return box(X0 + x0 * 1000, Y0 + y0 * 1000, X0 + x1 * 1000, Y0 + y1 * 1000)


# Hand-made geography (km from X0, Y0):
#   LSOA21  L1 [0,1.2]x[0,1]  L2 [1.2,2]x[0,1]  L3 [0,2]x[1,2]
#   wards   W1 [0,1.4]x[0,2]  W2 [1.4,2]x[0,2]
#           -> L1 in W1 (100%), L2 in W2 (0.6/0.8 = 75%), L3 in W1 (1.4/2 = 70%)
#   LSOA11  E01000011 [0,2]x[0,1] (split into L1 and L2 in 2021), E01000003 = L3 (unchanged)
#           -> E01000011 best-fits L1 (1.2/2 = 60%)
LSOA21 = {
    "LSOA21CD": ["E01000001", "E01000002", "E01000003"],
    "LSOA21NM": ["Test 001A", "Test 001B", "Test 001C"],
    "geometry": [km_box(0, 0, 1.2, 1), km_box(1.2, 0, 2, 1), km_box(0, 1, 2, 2)],
}
WARDS = {
    "WD25CD": ["E05000001", "E05000002"],
    "WD25NM": ["West", "East"],
    "geometry": [km_box(0, 0, 1.4, 2), km_box(1.4, 0, 2, 2)],
}
LSOA11 = {
    "LSOA11CD": ["E01000011", "E01000003"],
    "LSOA11NM": ["Test 001X", "Test 001C"],
    "geometry": [km_box(0, 0, 2, 1), km_box(0, 1, 2, 2)],
}

IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"


def write_layer(root, level, data, lad=LAD):
    f = root / level / f"{lad}.geojson"
    f.parent.mkdir(parents=True, exist_ok=True)
    # Written in WGS84, as the ONS portal publishes them.
    gpd.GeoDataFrame(data, crs=27700).to_crs(4326).to_file(f, driver="GeoJSON")
    return f


@pytest.fixture
def boundaries(tmp_path):
    root = tmp_path / "boundaries"
    write_layer(root, "lsoa21", LSOA21)
    write_layer(root, "ward25", WARDS)
    write_layer(root, "lsoa11", LSOA11)
    return root


@pytest.fixture
def population_csv(tmp_path):
    rows = []
    for code, kids, adults in [
        ("E01000001", 100, 900),
        ("E01000002", 50, 450),
        ("E01000003", 0, 1500),
    ]:
        rows.append((code, "Aged 15 years and under", kids))
        rows.append((code, "Aged 16 to 24 years", adults // 3))
        rows.append((code, "Aged 25 years and over", adults - adults // 3))
    f = tmp_path / "pop.csv"
    pd.DataFrame(rows, columns=["lsoa21_code", "age_group", "usual_residents"]).to_csv(
        f, index=False
    )
    return f


@pytest.fixture
def deprivation_csv(tmp_path):
    f = tmp_path / "imd.csv"
    f.write_text(
        f'LSOA code (2011),LSOA name (2011),"{IMD_RANK}","{IMD_DECILE}",Crime Rank (where 1 is most deprived),Crime Decile (where 1 is most deprived 10% of LSOAs)\n'
        'E01000011,Test 001X,"1,234",1,500,1\n'
        "E01000003,Test 001C,30000,10,31000,10\n",
        encoding="utf-8-sig",
    )
    return f


@pytest.fixture
def geo(boundaries, population_csv, deprivation_csv):
    return build_geography([LAD], boundaries, population_csv, deprivation_csv)


# ---- best_fit ----------------------------------------------------------------


def test_best_fit_70_30():
    s = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 10, 10)], crs=27700)
    big = gpd.GeoDataFrame(
        {"L": ["x", "y"]}, geometry=[box(0, 0, 3, 10), box(3, 0, 10, 10)], crs=27700
    )
    out = best_fit(s, big, "s", "L")
    assert out.values.tolist() == [["a", "y", 0.7]]
    assert list(out.columns) == ["s", "L", "fit_share"]


def test_best_fit_no_overlap_is_missing_and_input_unchanged():
    s = gpd.GeoDataFrame(
        {"s": ["in", "out"]}, geometry=[box(0, 0, 1, 1), box(50, 50, 51, 51)], crs=27700
    )
    big = gpd.GeoDataFrame({"L": ["x"]}, geometry=[box(0, 0, 10, 10)], crs=27700)
    before = s.copy()
    out = best_fit(s, big, "s", "L").set_index("s")
    assert out.loc["in", "L"] == "x" and out.loc["in", "fit_share"] == 1.0
    assert pd.isna(out.loc["out", "L"]) and pd.isna(out.loc["out", "fit_share"])
    pd.testing.assert_frame_equal(s, before)


def test_best_fit_reprojects_large():
    s = gpd.GeoDataFrame({"s": ["a"]}, geometry=[km_box(0, 0, 1, 1)], crs=27700)
    big = gpd.GeoDataFrame(
        {"L": ["x", "y"]}, geometry=[km_box(0, 0, 0.3, 1), km_box(0.3, 0, 1, 1)], crs=27700
    ).to_crs(4326)
    out = best_fit(s, big, "s", "L")
    assert out.loc[0, "L"] == "y"
    assert out.loc[0, "fit_share"] == pytest.approx(0.7, abs=0.005)


def test_best_fit_missing_column():
    s = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=27700)
    with pytest.raises(ValueError, match="nope"):
        best_fit(s, s, "nope", "s")


# ---- population and deprivation ----------------------------------------------


def test_load_population(population_csv):
    p = load_population(population_csv).set_index("lsoa21_code")
    assert list(p.columns) == ["population", "population_0_15", "population_16plus"]
    assert p.loc["E01000001"].tolist() == [1000, 100, 900]
    assert p.loc["E01000002"].tolist() == [500, 50, 450]
    assert p.loc["E01000003"].tolist() == [1500, 0, 1500]


def test_load_population_errors(tmp_path):
    with pytest.raises(ValueError, match="does not exist.*data.population"):
        load_population(tmp_path / "missing.csv")
    f = tmp_path / "bad.csv"
    f.write_text("code,people\nE01000001,5\n")
    with pytest.raises(ValueError, match="age_group"):
        load_population(f)


def test_load_deprivation_columns(deprivation_csv):
    d = load_deprivation(deprivation_csv)
    assert list(d.columns) == [
        "lsoa11_code",
        "imd_rank",
        "imd_decile",
        "crime_rank",
        "crime_decile",
    ]
    assert d["imd_rank"].tolist() == [1234, 30000]  # thousands separator read
    assert d["imd_decile"].tolist() == [1, 10]


def test_load_deprivation_file_1_without_domains(tmp_path):
    f = tmp_path / "file1.csv"
    f.write_text(f'LSOA code (2011),"{IMD_RANK}","{IMD_DECILE}"\nE01000011,5,1\n')
    assert list(load_deprivation(f).columns) == ["lsoa11_code", "imd_rank", "imd_decile"]


def test_load_deprivation_without_imd_columns(tmp_path):
    f = tmp_path / "noimd.csv"
    f.write_text("LSOA code (2011),Income Rank\nE01000011,5\n")
    with pytest.raises(ValueError, match="no column for imd_rank") as ei:
        load_deprivation(f)
    assert "IoD2019" in str(ei.value) and str(f) in str(ei.value)


def test_load_deprivation_missing_file(tmp_path):
    with pytest.raises(ValueError, match="data.deprivation"):
        load_deprivation(tmp_path / "none.csv")


# ---- boundaries --------------------------------------------------------------


def test_load_boundaries(boundaries):
    g = load_boundaries(boundaries, "ward25", [LAD])
    assert list(g.columns) == ["ward_code", "ward_name", "geometry", "lad_code"]
    assert g.crs.to_epsg() == 27700
    assert g["lad_code"].tolist() == [LAD, LAD]
    assert g.geometry.area.sum() == pytest.approx(4e6, rel=1e-3)
    assert available_lads(boundaries) == [LAD]


def test_load_boundaries_missing_lad_lists_available(boundaries):
    with pytest.raises(ValueError, match="No lsoa21 boundaries for LAD E07000098") as ei:
        load_boundaries(boundaries, "lsoa21", ["E07000098"])
    assert f"LADs available in {boundaries}: {LAD}" in str(ei.value)


def test_load_boundaries_bad_level(boundaries):
    with pytest.raises(ValueError, match="Valid choices: " + ", ".join(LEVELS)):
        load_boundaries(boundaries, "msoa21", [LAD])


def test_load_boundaries_wrong_columns(tmp_path):
    write_layer(tmp_path, "ward25", {"CODE": ["x"], "geometry": [km_box(0, 0, 1, 1)]})
    with pytest.raises(ValueError, match="WD25CD"):
        load_boundaries(tmp_path, "ward25", [LAD])


# ---- build_geography, assign_to_csp --------------------------------------------


def test_build_geography(geo):
    lsoas = geo.lsoas.set_index("lsoa21_code")
    assert lsoas["ward_code"].to_dict() == {
        "E01000001": "E05000001",
        "E01000002": "E05000002",
        "E01000003": "E05000001",
    }
    assert lsoas["ward_name"].tolist() == ["West", "East", "West"]
    np.testing.assert_allclose(lsoas["ward_fit_share"], [1.0, 0.75, 0.7], atol=0.005)
    assert lsoas["imd_lsoa11_code"].tolist() == ["E01000011", "E01000011", "E01000003"]
    assert lsoas["imd_rank"].tolist() == [1234, 1234, 30000]
    assert lsoas["crime_decile"].tolist() == [1, 1, 10]
    assert geo.population == 3000
    wards = geo.wards.set_index("ward_code")
    assert wards.loc["E05000001", ["population", "n_lsoas"]].tolist() == [2500, 2]
    assert wards.loc["E05000002", ["population", "n_lsoas"]].tolist() == [500, 1]
    assert len(geo.boundary) == 1
    assert geo.boundary.area.iloc[0] == pytest.approx(4e6, rel=1e-3)
    # LSOA11 codes map by the official ONS change lookup (these three are unchanged, U).
    fit = geo.lsoa11_to_lsoa21.set_index("lsoa11_code")
    assert fit["lsoa21_code"].to_dict() == {c: c for c in ["E01000001", "E01000002", "E01000003"]}
    assert set(fit["change_code"]) == {"U"}


def test_build_geography_warns_on_missing_population(boundaries, tmp_path):
    f = tmp_path / "pop_partial.csv"
    f.write_text("lsoa21_code,age_group,usual_residents\nE01000001,Aged 16 to 24 years,10\n")
    with pytest.warns(UserWarning, match="2 LSOA21"):
        build_geography([LAD], boundaries, f)


def test_assign_to_csp(geo):
    crimes = pd.DataFrame(
        {
            "crime_type": ["A", "B", "C", "D", "E"],
            "lsoa_code": pd.array(
                ["E01000002", "E01000011", "E01000003", "E09999999", None], dtype="string"
            ),
        }
    )
    before = crimes.copy()
    out = assign_to_csp(crimes, geo)
    # E01000011 is an LSOA11 code whose official LSOA21 (itself) is not in this CSP.
    assert out["crime_type"].tolist() == ["A", "C"]
    assert out["lsoa21_code"].tolist() == ["E01000002", "E01000003"]
    assert out["ward_code"].tolist() == ["E05000002", "E05000001"]
    assert out["ward_name"].tolist() == ["East", "West"]
    assert out["placement"].tolist() == [
        "LSOA 2021 code, or unchanged since 2011",
        "LSOA 2021 code, or unchanged since 2011",
    ]
    pd.testing.assert_frame_equal(crimes, before)
    assert lsoa_vintage(crimes["lsoa_code"], geo).tolist() == [
        "both",
        "other",
        "both",
        "other",
        "other",
    ]


def test_assign_to_csp_missing_column(geo):
    with pytest.raises(ValueError, match="lsoa_code"):
        assign_to_csp(pd.DataFrame({"x": [1]}), geo)


def test_to_points():
    df = pd.DataFrame(
        {"longitude": [-0.18, np.nan, -0.2], "latitude": [52.33, np.nan, np.nan], "k": [1, 2, 3]}
    )
    before = df.copy()
    p = to_points(df)
    assert p.crs.to_epsg() == 27700
    assert p["k"].tolist() == [1]
    x, y = p.geometry.iloc[0].x, p.geometry.iloc[0].y
    assert 510000 < x < 530000 and 260000 < y < 280000  # Huntingdon
    pd.testing.assert_frame_equal(df, before)


# ---- the shipped sample (read-only) ------------------------------------------------


def test_sample_huntingdonshire():
    sample = config.SAMPLE_DIR
    geo = build_geography(
        ["E07000011"],
        sample / "boundaries",
        sample / "population" / "census2021_lsoa21_age_bands.csv.gz",
    )
    assert len(geo.lsoas) == 111
    assert len(geo.wards) == 26
    assert geo.lsoas["ward_code"].notna().all()
    assert geo.lsoas["population"].notna().all()
    assert geo.wards["n_lsoas"].sum() == 111
    assert not math.isnan(geo.lsoas["ward_fit_share"].min())
