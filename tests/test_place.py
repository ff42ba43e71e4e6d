import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats
from shapely.geometry import box
from statsmodels.stats.proportion import proportion_confint

from sa_lib import config
from sa_lib.choices import choices_table, clear_choices
from sa_lib.data.geography import CSPGeography
from sa_lib.themes import place_build
from sa_lib.themes.place import (
    Place,
    area_vs_rest,
    cells_in_place,
    crime_mix,
    monthly_area_vs_rest,
    place_crimes,
    select_place,
)
from sa_lib.themes.place_display import (
    mix_display,
    place_findings,
    plot_place,
    vs_rest_display,
)

CRS = "EPSG:27700"

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


@pytest.fixture
def geo():
    """2 x 2 LSOAs of 1 km; North Ward = L1, L2 (top row), South Ward = L3, L4; 1,000 residents each."""
    lsoas = gpd.GeoDataFrame(
        {
            "lsoa21_code": ["L1", "L2", "L3", "L4"],
            "ward_code": ["W1", "W1", "W2", "W2"],
            "ward_name": ["North Ward", "North Ward", "South Ward", "South Ward"],
            "population": [1000, 1000, 1000, 1000],
        },
        geometry=[
            box(0, 1000, 1000, 2000),
            box(1000, 1000, 2000, 2000),
            box(0, 0, 1000, 1000),
            box(1000, 0, 2000, 1000),
        ],
        crs=CRS,
    )
    wards = gpd.GeoDataFrame(
        {"ward_code": ["W1", "W2"], "ward_name": ["North Ward", "South Ward"]},
        geometry=[box(0, 1000, 2000, 2000), box(0, 0, 2000, 1000)],
        crs=CRS,
    )
    wards["population"] = [2000, 2000]
    boundary = gpd.GeoDataFrame(geometry=[box(0, 0, 2000, 2000)], crs=CRS)
    return CSPGeography(["E1"], lsoas, wards, boundary, None)


def _crimes(rows):
    """rows: list of (month, crime_type, lsoa, n)."""
    out = [
        {
            "month": m,
            "crime_type": t,
            "lsoa21_code": lsoa,
            "ward_code": "W1" if lsoa in "L1L2" else "W2",
        }
        for m, t, lsoa, n in rows
        for _ in range(n)
    ]
    return pd.DataFrame(out)


# ---------------------------------------------------------------- select_place


def test_select_ward_by_name_ignoring_case_or_code(geo):
    p = select_place(geo, {"type": "ward", "value": "north ward"})
    assert (p.name, p.kind, p.lsoa_codes, p.population) == (
        "North Ward",
        "ward",
        ["L1", "L2"],
        2000,
    )
    assert p.outline.crs.to_epsg() == 27700
    assert p.outline.geometry.iloc[0].equals(box(0, 1000, 2000, 2000))
    assert select_place(geo, {"type": "ward", "value": "W2"}).name == "South Ward"


def test_unknown_ward_lists_valid_names(geo):
    with pytest.raises(
        ValueError, match=r"no ward called 'Nowhere'.*Valid ward names: North Ward, South Ward"
    ):
        select_place(geo, {"type": "ward", "value": "Nowhere"})


def test_select_lsoa_list(geo):
    p = select_place(geo, {"type": "lsoas", "value": ["L4", "L1"]})
    assert (p.name, p.lsoa_codes, p.population) == ("2 LSOAs", ["L1", "L4"], 2000)
    assert p.ward_names == ["North Ward", "South Ward"]
    assert p.outline.geometry.iloc[0].area == pytest.approx(2e6)


def test_unknown_lsoa_codes_are_named(geo):
    with pytest.raises(
        ValueError, match=r"1 LSOA code\(s\) are not LSOAs of this CSP: 'X9'.*4 LSOAs"
    ):
        select_place(geo, {"type": "lsoas", "value": ["L1", "X9"]})


def test_empty_lsoa_list(geo):
    with pytest.raises(ValueError, match=r"non-empty list of LSOA21 codes"):
        select_place(geo, {"type": "lsoas", "value": []})


def test_polygon_takes_lsoas_more_than_half_inside(geo, tmp_path):
    # covers all of L3 and 30% of L4 -> only L3; written in WGS84 to check reprojection
    poly = gpd.GeoDataFrame(geometry=[box(0, 0, 1300, 1000)], crs=CRS).to_crs("EPSG:4326")
    path = tmp_path / "my_patch.geojson"
    poly.to_file(path, driver="GeoJSON")
    clear_choices()
    p = select_place(geo, {"type": "polygon", "value": str(path)})
    assert (p.name, p.kind, p.lsoa_codes, p.population) == ("my patch", "polygon", ["L3"], 1000)
    assert p.outline.geometry.iloc[0].area == pytest.approx(1.3e6, rel=1e-3)
    assert "place profile LSOAs" in choices_table()["choice"].tolist()


def test_polygon_covering_no_lsoa_by_half(geo, tmp_path):
    path = tmp_path / "small.geojson"
    gpd.GeoDataFrame(geometry=[box(0, 0, 400, 400)], crs=CRS).to_file(path, driver="GeoJSON")
    with pytest.raises(
        ValueError, match=r"covers no LSOA of this CSP by more than half \(it touches 1: L3\)"
    ):
        select_place(geo, {"type": "polygon", "value": str(path)})


def test_polygon_file_missing(geo, tmp_path):
    with pytest.raises(ValueError, match=r"polygon file not found: .*nope.geojson"):
        select_place(geo, {"type": "polygon", "value": str(tmp_path / "nope.geojson")})


def test_polygon_file_unreadable(geo, tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text("not json")
    with pytest.raises(ValueError, match=r"cannot read polygon file"):
        select_place(geo, {"type": "polygon", "value": str(path)})


def test_bad_spec_and_type(geo):
    with pytest.raises(ValueError, match=r"exactly the keys 'type' and 'value'"):
        select_place(geo, {"ward": "North Ward"})
    with pytest.raises(
        ValueError, match=r"area type 'msoa' is not valid. Valid types: 'ward', 'lsoas', 'polygon'"
    ):
        select_place(geo, {"type": "msoa", "value": "x"})


def test_whole_district_has_nothing_to_compare(geo):
    with pytest.raises(ValueError, match=r"covers every LSOA of the CSP"):
        select_place(geo, {"type": "lsoas", "value": ["L1", "L2", "L3", "L4"]})


def test_default_is_ward_with_most_crime_and_is_recorded(geo):
    crimes = _crimes(
        [
            ("2025-10", "Burglary", "L3", 5),
            ("2025-10", "Burglary", "L1", 2),
            ("2025-10", "Anti-social behaviour", "L1", 9),
        ]
    )  # ASB is not counted
    clear_choices()
    assert select_place(geo, None, crimes=crimes).name == "South Ward"
    t = choices_table()
    assert t.loc[t["choice"] == "place profile area", "value"].tolist() == ["ward South Ward"]
    with pytest.raises(ValueError, match=r"area is not set and no crimes were given"):
        select_place(geo, None)


# ---------------------------------------------------------------- comparisons


def test_place_crimes(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    crimes = _crimes([("2025-10", "Drugs", "L1", 2), ("2025-10", "Drugs", "L3", 3)])
    assert len(place_crimes(crimes, p)) == 2


def test_area_vs_rest_hand_checked_against_scipy(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    months = ["2025-10", "2025-11", "2025-12"]  # a quarter: rates x 4 to a year
    crimes = _crimes(
        [
            ("2025-10", "Burglary", "L1", 60),
            ("2025-11", "Burglary", "L3", 20),
            ("2025-10", "Drugs", "L2", 11),
            ("2025-10", "Drugs", "L4", 9),
            ("2025-10", "Anti-social behaviour", "L1", 5),
            ("2025-09", "Burglary", "L1", 100),  # outside the months
        ]
    )
    before = crimes.copy()
    t = area_vs_rest(
        crimes,
        p,
        4000,
        months,
        types=["Burglary", "Drugs", "Robbery"],
        alpha=0.05,
        correction="none",
    ).set_index("crime_type")
    assert crimes.equals(before)
    b = t.loc["Burglary"]
    # 60 crimes / 2,000 residents / 0.25 years * 1,000 = 120; rest 20 -> 40
    assert (b["count_area"], b["count_rest"]) == (60, 20)
    assert b["rate_area"] == pytest.approx(120.0) and b["rate_rest"] == pytest.approx(40.0)
    assert b["rate_ratio"] == pytest.approx(3.0)
    assert b["p_value"] == pytest.approx(stats.binomtest(60, 80, 0.5).pvalue)
    assert b["comparison"] == "higher"
    assert b["rate_area_lower"] < 120 < b["rate_area_upper"]
    assert t.loc["Drugs", "comparison"] == "similar"
    assert t.loc["Robbery", "comparison"] == "no crimes" and np.isnan(t.loc["Robbery", "p_value"])
    # All crime excludes ASB: 60 + 11 in the area, 20 + 9 outside
    assert (t.loc["All crime", "count_area"], t.loc["All crime", "count_rest"]) == (71, 29)


def test_area_vs_rest_fdr_across_types(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    crimes = _crimes(
        [
            ("2025-10", "Burglary", "L1", 30),
            ("2025-10", "Burglary", "L3", 15),
            ("2025-10", "Drugs", "L1", 10),
            ("2025-10", "Drugs", "L3", 10),
        ]
    )
    t = area_vs_rest(
        crimes,
        p,
        4000,
        ["2025-10"],
        types=["Burglary", "Drugs"],
        total_label=None,
        correction="fdr_bh",
    )
    raw = [stats.binomtest(30, 45, 0.5).pvalue, stats.binomtest(10, 20, 0.5).pvalue]
    # BH with two tests: the smaller p is doubled, the larger stays
    assert t["p_adjusted"].tolist() == pytest.approx([min(1, 2 * raw[0]), raw[1]])


def test_area_vs_rest_needs_a_rest(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    with pytest.raises(ValueError, match=r"needs residents in the area and in the rest"):
        area_vs_rest(_crimes([("2025-10", "Drugs", "L1", 1)]), p, 2000, ["2025-10"])


def test_crime_mix_shares_and_wilson_ci(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    crimes = _crimes(
        [
            ("2025-10", "Drugs", "L1", 80),
            ("2025-10", "Burglary", "L2", 20),
            ("2025-10", "Burglary", "L3", 100),
            ("2025-10", "Anti-social behaviour", "L1", 50),
        ]
    )
    m = crime_mix(crimes, p, ["2025-10"], types=["Burglary", "Drugs"]).set_index("crime_type")
    assert m.loc["Drugs", "share_area"] == pytest.approx(80.0)
    lo, hi = proportion_confint(80, 100, method="wilson")
    assert (m.loc["Drugs", "share_lower"], m.loc["Drugs", "share_upper"]) == pytest.approx(
        (100 * lo, 100 * hi)
    )
    assert m.loc["Drugs", "share_district"] == pytest.approx(40.0)  # 80 of 200
    assert m.loc["Drugs", "comparison"] == "higher" and m.loc["Burglary", "comparison"] == "lower"
    # default types exclude ASB
    assert "Anti-social behaviour" not in crime_mix(crimes, p, ["2025-10"])["crime_type"].tolist()


def test_crime_mix_with_no_crimes_in_area(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    with pytest.raises(ValueError, match=r"'North Ward' has no crimes of the types"):
        crime_mix(_crimes([("2025-10", "Drugs", "L3", 5)]), p, ["2025-10"])


def test_monthly_rates_and_suppression(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    crimes = _crimes(
        [
            ("2025-01", "Drugs", "L1", 20),
            ("2025-02", "Drugs", "L1", 4),
            ("2025-01", "Drugs", "L3", 10),
        ]
    )
    m = monthly_area_vs_rest(crimes, p, 4000, suppress_below=10)
    # 20 / 2,000 * 1,000 * 12 = 120 a year; February's 4 is below 10 -> not drawn
    assert m["rate_area"].iloc[0] == pytest.approx(120.0) and np.isnan(m["rate_area"].iloc[1])
    assert m["rate_rest"].tolist() == pytest.approx([60.0, 0.0])


def test_cells_in_place_clips(geo):
    p = select_place(geo, {"type": "ward", "value": "South Ward"})
    cells = gpd.GeoDataFrame(
        {"gi_bin": [3, 0], "area_km2": [1.0, 1.0]},
        geometry=[box(0, 500, 1000, 1500), box(0, 1500, 1000, 2500)],
        crs=CRS,
    )
    out = cells_in_place(cells, p)
    assert len(out) == 1 and out["area_km2"].iloc[0] == pytest.approx(0.5)
    assert out["share_in_area"].iloc[0] == pytest.approx(0.5) and out["gi_bin"].iloc[0] == 3


def test_plot_place_names_every_ward(geo):
    fig = plot_place(select_place(geo, {"type": "ward", "value": "North Ward"}), geo)
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert {"North Ward", "South Ward", "N"} <= set(texts)


def test_displays_and_findings_suppress_small_counts(geo):
    p = select_place(geo, {"type": "ward", "value": "North Ward"})
    crimes = _crimes(
        [
            ("2025-10", "Burglary", "L1", 60),
            ("2025-10", "Burglary", "L3", 20),
            ("2025-10", "Robbery", "L1", 3),
            ("2025-10", "Robbery", "L3", 1),
        ]
    )
    v = area_vs_rest(crimes, p, 4000, ["2025-10"], types=["Burglary", "Robbery"])
    m = crime_mix(crimes, p, ["2025-10"], types=["Burglary", "Robbery"])
    d = vs_rest_display(v, "North Ward")
    assert d.columns[:3].tolist() == ["Crime type", "North Ward count", "North Ward rate"]
    assert mix_display(m, "North Ward").columns[2] == "North Ward share"
    f = place_findings(p, v, m, period_label="Oct 2025", threshold=10)
    assert f[0].startswith("All crime in North Ward, Oct 2025: 63 crimes")
    assert "significantly higher than the rest" in f[0]
    assert any("Burglary" in s and "higher" in s for s in f[1:])
    assert not any("Robbery" in s for s in f)  # 3 is below the threshold: never named with a rate
    small = Place("Tiny", "lsoas", ["L1"], p.outline, 1000, [])
    v2 = area_vs_rest(
        _crimes([("2025-10", "Drugs", "L1", 4), ("2025-10", "Drugs", "L3", 40)]),
        small,
        4000,
        ["2025-10"],
        types=["Drugs"],
    )
    m2 = crime_mix(_crimes([("2025-10", "Drugs", "L1", 4)]), small, ["2025-10"], types=["Drugs"])
    assert (
        "fewer than 10 crimes; too few to quote a rate"
        in place_findings(small, v2, m2, period_label="x")[0]
    )


# --------------------------------------------------------------------------- build(ctx)

_PARAMS = "parameters/huntingdonshire_2025q4.yaml"


def _ctx(overrides=None):
    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context(_PARAMS, "place_profile", overrides=overrides)


def _sections_documented():
    import re

    doc = place_build.build.__doc__
    return re.findall(r"``(\w+)``", doc.split("Sections:")[1].split(".")[0])


def _kinds(r):
    return {k: [type(b).__name__ for b in v] for k, v in r.sections.items()}


def test_build_on_the_sample_has_every_section_and_compares_with_last_year(sample_theme):
    r = sample_theme("place_profile")  # place_build.build(_ctx()), built once per session
    assert list(r.sections) == _sections_documented()
    assert r.availability == {}
    kinds = _kinds(r)
    assert kinds["area"] == ["Note", "Figure"]  # the note, then the map (as the cell showed it)
    assert kinds["counts"] == ["Table", "Table", "Figure"]
    assert kinds["when"][-1] == "Figure"  # the sample's synthetic extract: day by hour
    captions = [t.caption for t in r.tables()]
    assert captions[0].startswith("Huntingdon North against the rest of the district, Q4 2025")
    assert "Crime mix, Huntingdon North and the district, Q4 2025 (Oct-Dec)" in captions
    texts = [f.text for f in r.findings]
    assert texts[0].startswith("All crime in Huntingdon North, Q4 2025 (Oct-Dec): ")
    assert any(t.endswith("compared with Q4 2024 (Oct-Dec).") for t in texts)
    assert r.data["vs_rest"]["crime_type"].tolist()[-1] == "All crime"


def test_build_on_the_first_quarter_says_change_over_time_is_not_available(sample_cell):
    """The sample's first quarter has no earlier period: this used to fail (KeyError 'previous').

    The shipped parameters for Q1 2024, as the shape matrix built them (conftest.py)."""
    outcome, r = sample_cell("2024-Q1")["place_profile"]
    assert outcome == "built"
    assert set(r.availability) == {"change over time"}
    reason = r.availability["change over time"]
    assert reason.startswith("Change over time: not available: ")
    assert "Q1 2023 (Jan-Mar)" in reason and "Q4 2023 (Oct-Dec)" in reason
    counts = r.sections["counts"]
    assert [type(b).__name__ for b in counts] == ["Table", "Table", "Note", "Figure"]
    assert counts[2].text == reason
    assert not any("compared with" in f.text or "no significant change" in f.text
                   for f in r.findings)  # fmt: skip
    assert r.findings[0].text.startswith("All crime in Huntingdon North, Q1 2024 (Jan-Mar): ")


def test_build_without_a_force_extract_says_time_of_day_needs_one(tmp_path):
    from conftest import sample_ctx_without

    ctx = sample_ctx_without(tmp_path, "place_profile", "extract")
    r = place_build.build(ctx)
    assert set(r.availability) == {"time of day"}
    assert "record-level force extract" in r.availability["time of day"]
    assert [b.text for b in r.sections["when"]] == [r.availability["time of day"]]


def test_comparison_period_prefers_last_year_then_previous():
    from types import SimpleNamespace

    from sa_lib.data.periods import parse_period

    cur, prev, ly = parse_period("2024-Q2"), parse_period("2024-Q1"), parse_period("2023-Q2")
    both = SimpleNamespace(periods={"current": cur, "previous": prev, "last_year": ly})
    assert place_build.comparison_period(both) == ("last_year", None)
    only_prev = SimpleNamespace(periods={"current": cur, "previous": prev},
                                unavailable={"last_year": ly})  # fmt: skip
    assert place_build.comparison_period(only_prev) == ("previous", None)


def test_place_profile_notebook_shows_every_section_of_its_result():
    src = (config.NOTEBOOKS_DIR / "place_profile.ipynb").read_text(encoding="utf-8")
    assert "place_build.build(ctx)" in src
    for key in _sections_documented():
        assert f'render.show(result, \\"{key}\\")' in src, key
