import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import box

from sa_lib import config
from sa_lib.choices import choices_table, clear_choices
from sa_lib.data.counts import POLICE_UK_TYPES
from sa_lib.themes import hotspots_build
from sa_lib.themes.hotspot_report import (
    change_display,
    crime_label,
    crime_points,
    emerging_display,
    emerging_table,
    gi_weights,
    hot_spot_wards,
    hot_wards_display,
    hotspot_findings,
    majority_ward,
    resolve_crime_types,
    restrict_preventing,
    ward_change,
)

CRS = "EPSG:27700"

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _wards():
    # West = x 0..1600, East = x 1600..3000
    return gpd.GeoDataFrame(
        {"ward_code": ["W1", "W2"], "ward_name": ["West", "East"], "population": [100, 100]},
        geometry=[box(0, 0, 1600, 1000), box(1600, 0, 3000, 1000)],
        crs=CRS,
    )


def _cells(gi_bin, count):
    n = len(gi_bin)
    return gpd.GeoDataFrame(
        {"cell_id": range(n), "gi_bin": gi_bin, "count": count, "area_km2": [1.0] * n},
        geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(n)],
        crs=CRS,
    )


# ---------------------------------------------------------------- crime types


def test_default_is_all_crime_without_asb_and_is_recorded():
    clear_choices()
    types = resolve_crime_types(None)
    assert types == [t for t in POLICE_UK_TYPES if t != "Anti-social behaviour"]
    assert "hot-spot crime types" in choices_table()["choice"].tolist()
    assert crime_label(types) == "All crime (excluding ASB)"


def test_named_types_in_police_uk_order_each_once():
    assert resolve_crime_types(["Robbery", "Burglary", "Robbery"]) == ["Burglary", "Robbery"]
    both = resolve_crime_types(["All crime", "Anti-social behaviour"])
    assert len(both) == 14 and crime_label(both) == "All crime and ASB"
    assert resolve_crime_types("Drugs") == ["Drugs"]


def test_empty_list_names_the_valid_types():
    with pytest.raises(
        ValueError,
        match=r"(?s)crime_types is empty \(\[\]\).*Valid types: 'All crime'.*'Vehicle crime'",
    ):
        resolve_crime_types([])


def test_unknown_type_suggests_and_lists():
    with pytest.raises(
        ValueError, match=r"unknown crime type 'Burglarys'. Did you mean 'Burglary'\?"
    ):
        resolve_crime_types(["Burglarys"])


def test_crime_label_short_lists():
    assert crime_label(["Burglary", "Drugs", "Robbery"]) == "Burglary, Drugs and Robbery"
    assert crime_label(["Burglary", "Drugs", "Robbery", "Shoplifting"]) == "4 crime types"


def test_crime_points_drop_identifiers_unlocated_rows_and_other_months():
    df = pd.DataFrame(
        {
            "crime_id": ["a" * 64, "b" * 64, "c" * 64, "d" * 64],
            "month": ["2025-10", "2025-10", "2025-09", "2025-10"],
            "crime_type": ["Burglary", "Burglary", "Burglary", "Drugs"],
            "longitude": [-0.18, None, -0.18, -0.18],
            "latitude": [52.33, None, 52.33, 52.33],
            "location": ["On or near X"] * 4,
            "ward_name": ["A"] * 4,
        }
    )
    before = df.copy()
    p = crime_points(df, ["Burglary"], ["2025-10"])
    assert len(p) == 1 and p.crs.to_epsg() == 27700
    assert list(p.columns) == ["month", "crime_type", "ward_name", "geometry"]
    assert df.equals(before)


def test_crime_points_none_located_names_the_types():
    df = pd.DataFrame(
        {"month": ["2025-10"], "crime_type": ["Robbery"], "longitude": [None], "latitude": [None]}
    )
    with pytest.raises(
        ValueError,
        match=r"no located rows for crime type\(s\) 'Robbery' in 2025-10 to 2025-10 \(1 row",
    ):
        crime_points(df, ["Robbery"], ["2025-10"])


# ---------------------------------------------------------------- wards with hot cells


def test_majority_ward_takes_the_larger_share():
    # cell 1 (x 1200..2200) has 400 m in West and 600 m in East
    cells = gpd.GeoDataFrame(
        geometry=[box(0, 0, 1000, 1000), box(1200, 0, 2200, 1000), box(5000, 0, 6000, 1000)],
        crs=CRS,
    )
    out = majority_ward(cells, _wards())
    assert out["ward_name"].iloc[:2].tolist() == ["West", "East"]  # -> East
    assert pd.isna(out["ward_name"].iloc[2])  # outside every ward


def test_hot_spot_wards_hand_checked():
    # cells x: 0-1 km (West), 1-2 km (60% West), 2-3 km (East)
    gi = _cells([3, 2, 2], [30, 10, 20])
    t = hot_spot_wards(gi, _wards())
    assert t["ward_name"].tolist() == ["West", "East"]
    assert t["count_in_hot_cells"].tolist() == [40, 20]
    assert t["hot_cells"].tolist() == [2, 1]
    assert t["hot_area_km2"].tolist() == [2.0, 1.0]
    assert t["strongest"].tolist() == ["Hot spot 99%", "Hot spot 95%"]
    assert t["share_of_hot_count"].tolist() == pytest.approx([200 / 3, 100 / 3])


def test_hot_spot_wards_ignores_cold_and_not_significant():
    t = hot_spot_wards(_cells([0, -3, 0], [1, 0, 50]), _wards())
    assert t.empty and "count_in_hot_cells" in t.columns


def test_hot_spot_wards_needs_gi_columns():
    with pytest.raises(ValueError, match=r"gi_cells is missing required column\(s\): 'gi_bin'"):
        hot_spot_wards(_cells([1], [1]).drop(columns="gi_bin"), _wards())


# ---------------------------------------------------------------- emerging


def _emerging(cats, counts_per_period):
    g = _cells([0] * len(cats), [0] * len(cats)).assign(
        csp_category=cats, ehsa_category=["No pattern detected"] * len(cats)
    )
    rows = [
        {"cell_id": i, "period": k, "count": c}
        for i, cs in enumerate(counts_per_period)
        for k, c in enumerate(cs)
    ]
    g.attrs["by_period"] = pd.DataFrame(rows)
    return g


def test_restrict_preventing_uses_the_total_over_the_window():
    g = _emerging(["Preventing", "Preventing", "Sustaining"], [[1, 2, 16], [5, 5, 10], [0, 0, 1]])
    before = g.copy()
    clear_choices()
    out = restrict_preventing(g, 20)
    # 19 < 20 -> No pattern; 20 stays; Sustaining untouched however small
    assert out["csp_category"].tolist() == ["No pattern", "Preventing", "Sustaining"]
    assert out["count_total"].tolist() == [19, 20, 1]
    assert out.attrs["preventing_removed"] == 1
    assert g.equals(before) and g["csp_category"].tolist()[0] == "Preventing"
    assert "Preventing: minimum count" in choices_table()["choice"].tolist()
    assert restrict_preventing(g, 0)["csp_category"].tolist()[0] == "Preventing"


def test_restrict_preventing_needs_per_period_counts():
    g = _emerging(["Preventing"], [[1, 2, 3]])
    g.attrs = {}
    with pytest.raises(ValueError, match=r"no per-period counts in attrs\['by_period'\]"):
        restrict_preventing(g, 5)


def test_restrict_preventing_rejects_negative_min_count():
    with pytest.raises(ValueError, match=r"min_count"):
        restrict_preventing(_emerging(["Preventing"], [[1, 2, 3]]), -1)


def test_emerging_table_orders_and_sums():
    g = gpd.GeoDataFrame(
        {
            "csp_category": ["Emerging", "Sustaining", "Sustaining", "No pattern", "Preventing"],
            "ehsa_category": [
                "New hot spot",
                "Persistent hot spot",
                "Persistent hot spot",
                "No pattern detected",
                "No pattern detected",
            ],
            "area_km2": [0.5, 0.5, 0.25, 0.5, 0.5],
            "count_total": [12, 80, 40, 1, 30],
        },
        geometry=[box(0, 0, 1, 1)] * 5,
        crs=CRS,
    )
    t = emerging_table(g)
    assert t["csp_category"].tolist() == ["Sustaining", "Emerging", "Preventing"]
    assert t.iloc[0][["cells", "area_km2", "count_total"]].tolist() == [2, 0.75, 120]
    d = emerging_display(t)
    assert d.columns.tolist() == [
        "CSP priority",
        "ArcGIS category",
        "Area (km²)",
        "Crimes in these cells",
    ]


# ---------------------------------------------------------------- ward change


def test_ward_change_exact_test_fdr_and_order():
    crimes = pd.DataFrame(
        {
            "month": ["2024-10"] * 10 + ["2025-10"] * 40 + ["2024-10"] * 30 + ["2025-10"] * 28,
            "ward_code": ["W1"] * 50 + ["W2"] * 58,
        }
    )
    out = ward_change(crimes, _wards(), ["2024-10"], ["2025-10"], alpha=0.05, correction="fdr_bh")
    assert out.crs.to_epsg() == 27700 and out.geometry.notna().all()
    w = out.set_index("ward_name")
    raw = {"West": stats.binomtest(40, 50, 0.5).pvalue, "East": stats.binomtest(28, 58, 0.5).pvalue}
    assert w.loc["West", "p_value"] == pytest.approx(raw["West"])
    assert w.loc["West", "p_adjusted"] == pytest.approx(min(1, 2 * raw["West"]))  # BH, 2 tests
    assert w.loc["West", "change_class"] == "Significant increase"
    assert w.loc["East", "change_class"] == "No significant change"
    assert out["ward_name"].tolist() == ["West", "East"]
    d = change_display(out, "Q4 2024", "Q4 2025")
    assert d.iloc[0]["Change"] == "+300%" and d.iloc[0]["Result"] == "Significant increase"


def test_ward_change_periods_of_different_length_use_monthly_rates():
    # 12 a month for 3 months before, 12 in one month after: the same rate
    crimes = pd.DataFrame(
        {"month": ["2025-07", "2025-08", "2025-09"] * 12 + ["2025-10"] * 12, "ward_code": "W1"}
    )
    out = ward_change(
        crimes, _wards(), ["2025-07", "2025-08", "2025-09"], ["2025-10"], correction="none"
    )
    assert out.set_index("ward_code").loc["W1", "rate_ratio"] == pytest.approx(1.0)


# ---------------------------------------------------------------- findings and displays


def test_findings_shares_wards_and_suppression():
    gi = _cells([3, 0, 0, 0], [8, 1, 0, 0])
    hw = hot_spot_wards(gi, _wards())
    f = hotspot_findings(gi, hw, None, None, label="Robbery", period_label="Q4 2025", threshold=10)
    # 8 of 9 crimes in 1 of 4 km²; 9 is below 10 so the total is not written
    assert (
        f[0]
        == "Robbery, Q4 2025: Gi* hot spots cover 25% of the area and hold 89% of the fewer than 10 crimes."
    )
    assert f[1] == "Hot spots lie mainly in West."
    none = hotspot_findings(
        _cells([0, 0], [5, 50]), hw.iloc[:0], None, None, label="X", period_label="P"
    )
    assert none[0].startswith("X, P: no significant hot spots")


def test_findings_name_only_significant_ward_changes():
    change = pd.DataFrame(
        {
            "ward_name": ["A", "B", "C"],
            "pct_change": [50.0, -30.0, 80.0],
            "change_class": [
                "Significant increase",
                "Significant decrease",
                "No significant change",
            ],
        }
    )
    f = hotspot_findings(
        _cells([0, 1], [5, 50]),
        pd.DataFrame(columns=["ward_name"]),
        None,
        change,
        label="X",
        period_label="P",
        change_from_label="Q4 2024",
    )
    assert "Significant increases since Q4 2024: A (+50%)." in f
    assert "Significant decreases since Q4 2024: B (-30%)." in f
    assert not any("C (" in s for s in f)


def test_hot_wards_display_has_no_cell_numbers():
    d = hot_wards_display(hot_spot_wards(_cells([3, 0, 2], [30, 1, 20]), _wards()))
    assert "hot_cells" not in d.columns and "Crimes in hot cells" in d.columns
    assert np.issubdtype(d["Hot area (km²)"].dtype, np.floating)


def test_gi_weights_give_the_same_gi_star_and_emerging_results():
    from sa_lib.spatial.emerging import emerging_hotspots
    from sa_lib.spatial.grids import make_grid
    from sa_lib.spatial.hotspots import gi_star

    grid = make_grid(gpd.GeoDataFrame(geometry=[box(0, 0, 800, 800)], crs=CRS), 100)
    rng = np.random.default_rng(1)
    counts = rng.poisson(1.0, len(grid))
    counts[:5] += 12  # a cluster in the south-west
    cells = grid.assign(count=counts)
    w = gi_weights(grid)
    assert all(i in w.neighbors[i] for i in range(len(grid)))
    a = gi_star(cells, p_value="analytical", correction="none")
    b = gi_star(cells, weights=w, p_value="analytical", correction="none")
    assert np.allclose(a["gi_z"], b["gi_z"]) and (a["gi_bin"] == b["gi_bin"]).all()
    xy = rng.uniform(0, 800, size=(300, 2))
    pts = gpd.GeoDataFrame(
        {"month": [f"2024-{m:02d}" for m in rng.integers(1, 13, 300)]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )
    e1 = emerging_hotspots(pts, grid, "month", p_value="analytical")
    e2 = emerging_hotspots(pts, grid, "month", weights=w, p_value="analytical")
    assert np.allclose(e1.attrs["by_period"]["gi_z"], e2.attrs["by_period"]["gi_z"])
    assert (e1["ehsa_category"] == e2["ehsa_category"]).all()


# --------------------------------------------------------------------------- build(ctx)

_PARAMS = "parameters/huntingdonshire_2025q4.yaml"


def _build(overrides=None):
    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return hotspots_build.build(open_context(_PARAMS, "hotspots", overrides=overrides))


@pytest.fixture(scope="module")
def built(sample_theme):
    # _build(): the shipped parameters, built once per session (conftest.py ``sample_theme``).
    return sample_theme("hotspots")


@pytest.fixture(scope="module")
def built_first_quarter(sample_cell):
    # The sample's first month is 2024-01: no earlier period, 3 months of series (the
    # shipped parameters for Q1 2024, as the shape matrix built them: conftest.py).
    outcome, r = sample_cell("2024-Q1")["hotspots"]
    assert outcome == "built"
    return r


def _sections_documented():
    import re

    doc = hotspots_build.build.__doc__
    return re.findall(r"``(\w+)``", doc.split("Sections:")[1].split(".")[0])


def test_build_on_the_sample_has_every_section_table_and_map(built):
    r = built
    assert list(r.sections) == _sections_documented()
    assert r.availability == {}
    kinds = {k: [type(b).__name__ for b in v] for k, v in r.sections.items()}
    assert kinds["density"] == ["Note", "Figure", "Figure"]  # cell counts, then the KDE
    assert kinds["hotspot_map"] == ["Figure"] and kinds["change_map"] == ["Figure"]
    assert kinds["emerging_table"] == ["Table", "Note"]
    captions = [t.caption for t in r.tables()]
    assert captions[0] == "Wards containing Gi* hot cells, Q4 2025 (Oct-Dec)"
    assert "CSP priority and ArcGIS emerging hot-spot category" in captions
    assert any(c and c.endswith("Q4 2024 (Oct-Dec) against Q4 2025 (Oct-Dec)") for c in captions)
    assert r.findings[0].text.startswith("All crime (excluding ASB), Q4 2025 (Oct-Dec): Gi* hot")
    assert any(f.text.startswith("Over time:") for f in r.findings)
    assert list(r.data["hot_wards"]["ward_name"])[0] == r.tables()[0].frame["Ward"].iloc[0]
    assert r.to_json()["tables"][0]["file"].startswith("hotspots_01_wards_containing")


def test_build_on_the_first_quarter_says_emerging_and_ward_change_are_not_available(
    built_first_quarter,
):
    r = built_first_quarter
    assert set(r.availability) == {"emerging hot spots", "ward change"}
    assert "3 unbroken month(s)" in r.availability["emerging hot spots"]
    assert "at least 10" in r.availability["emerging hot spots"]
    assert r.availability["ward change"] == (
        "The ward change is not available: Q1 2023 (Jan-Mar) is not in the data."
    )
    # Each reason is said on the page where its map would be; nothing is drawn or tabled.
    for key, measure in (("emerging_map", "emerging hot spots"), ("change_map", "ward change")):
        assert [b.text for b in r.sections[key]] == [r.availability[measure]]
    assert r.sections["emerging_table"] == [] and r.sections["change_table"] == []
    assert not any("Over time" in f.text or "Significant" in f.text for f in r.findings)
    methods = r.sections["methods"][0].frame
    assert "not available (comparison period not in the data)" in methods.to_numpy()


def test_hotspots_notebook_shows_every_section_of_its_result():
    src = (config.NOTEBOOKS_DIR / "hotspots.ipynb").read_text(encoding="utf-8")
    assert "hotspots_build.build(ctx)" in src
    for key in _sections_documented():
        assert f'render.show(result, \\"{key}\\")' in src, key
