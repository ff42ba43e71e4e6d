import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.themes import violence

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _extract():
    return pd.DataFrame(
        {
            "crime_type": [violence.VSO] * 4 + ["Public order"],
            "offence_subgroup": [
                "Violence with injury",
                "Rape",
                "Other sexual offences",
                None,
                None,
            ],
            "month": ["2025-01", "2025-01", "2025-02", "2025-02", "2025-02"],
        }
    )


def test_subgroup_rows_combines_sexual_offences_and_keeps_unrecorded():
    ex = _extract()
    out = violence.subgroup_rows(ex)
    assert out["crime_type"].tolist() == [
        "Violence with injury",
        "Sexual offences",
        "Sexual offences",
        "Subgroup not recorded",
    ]
    assert violence.subgroup_rows(ex, combine_sexual=False)["crime_type"].tolist()[1:3] == [
        "Rape",
        "Other sexual offences",
    ]
    assert ex["crime_type"].tolist()[0] == violence.VSO, "input unchanged"


def test_subgroup_rows_needs_schema_columns():
    with pytest.raises(ValueError, match="offence_subgroup"):
        violence.subgroup_rows(pd.DataFrame({"crime_type": [violence.VSO]}))


def test_recorded_vs_ambulance_counts_only_csp_lsoas_and_fills_months():
    rows = pd.DataFrame({"month": ["2025-01", "2025-01", "2025-03"]})
    amb = pd.DataFrame(
        {
            "lsoa21_code": ["E01000001", "E01000002", "E09999999"],
            "month": ["2025-01", "2025-02", "2025-01"],
            "assault_callouts": [4, 2, 100],
        }
    )
    out = violence.recorded_vs_ambulance(
        rows, amb, ["E01000001", "E01000002"], ["2025-01", "2025-02", "2025-03"]
    )
    assert out["recorded"].tolist() == [2, 0, 1]
    assert out["ambulance"].tolist() == [4, 2, 0]
    assert str(out["month_start"].iloc[0].date()) == "2025-01-01"


def test_key_findings_wording_and_suppression():
    premises = pd.DataFrame(
        {
            "zone": ["Within 100 m of licensed premises", "Elsewhere"],
            "count": [50, 50],
            "rate_ratio": [12.0, float("nan")],
            "rr_lower": [8.0, float("nan")],
            "rr_upper": [18.0, float("nan")],
            "p_value": [0.0001, float("nan")],
            "significant": [True, False],
        }
    )
    div = {
        "diverging": False,
        "direction": "no significant divergence",
        "p_value": 0.5,
        "correlation": 0.6,
    }
    top = pd.Series(
        {
            "ward_name": "Ward A",
            "count_current": 5,
            "rate": 12.0,
            "rate_lower": 5.0,
            "rate_upper": 25.0,
        }
    )
    out = violence.key_findings(
        None, nte_share=0.3, premises=premises, divergence=div, top_ward=top, suppress_below=10
    )
    assert out[0].startswith("30% of violence with injury happened on Friday and Saturday nights")
    assert (
        "12.0 times as dense within 100 m of licensed premises" in out[1] and "p < 0.001" in out[1]
    )
    assert "move together" in out[2]
    assert len(out) == 3, "the top ward's count (5) is below the threshold, so it is not named"


def test_top_ward_is_the_highest_only_when_its_interval_separates():
    # Issue 12: no sentence names a single highest ward whose interval overlaps the next.
    wards = pd.DataFrame(
        {
            "ward_name": ["Ward A", "Ward B", "Ward C"],
            "count_current": [120, 110, 40],
            "rate": [30.0, 28.0, 10.0],
            "rate_lower": [25.0, 23.0, 7.0],
            "rate_upper": [36.0, 33.0, 14.0],
        }
    )
    out = violence.key_findings(None, top_ward=wards, suppress_below=10)
    assert out == [
        "Ward A had one of the highest rates of violence and sexual offences (30 per 1,000 "
        "residents a year, 95% CI 25 to 36), with Ward B: their confidence intervals overlap, "
        "so no single ward can be called the highest."
    ]
    clear = wards.assign(rate_lower=[34.0, 23.0, 7.0], rate_upper=[40.0, 33.0, 14.0])
    out = violence.key_findings(None, top_ward=clear, suppress_below=10)
    assert out[0].startswith("Ward A had the highest rate of violence and sexual offences: 30 ")


# --------------------------------------------------------------------------- build(ctx)

SAMPLE_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"
SECTIONS = [
    "header", "findings", "volume", "trends", "nte", "hotspots", "ambulance", "wards", "victims",
    "methods",
]  # fmt: skip
EXTRACT_ONLY = {
    "subgroups", "day and hour", "licensed premises", "hot spots of violence with injury",
    "ambulance corroboration", "victims",
}  # fmt: skip


def _needs_store():
    if not (config.PROCESSED_DIR / "outcomes").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")


def _build_without(tmp_path, *keys):
    """build() on the sample parameters with ``data.<key>`` removed (as a partner would leave it out)."""
    from sa_lib.pack.context import open_context

    _needs_store()
    p = yaml.safe_load(SAMPLE_PARAMS.read_text())
    for key in keys:
        assert key in p["data"], key  # the branch is reached only if the sample sets it
        p["data"].pop(key)
        # A theme that cannot run without the input is refused by `sa check`: drop it.
        needs = {"extract": "domestic_abuse", "cse_indicators": "cse"}
        p["themes"] = [t for t in p["themes"] if t != needs.get(key)]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return violence.build(open_context(path, "violence"))


def _kinds(blocks):
    return [type(b).__name__ for b in blocks]


@pytest.fixture(scope="module")
def sample_result(sample_theme):
    # violence.build(open_context(SAMPLE_PARAMS, "violence")), built once per session
    # (conftest.py ``sample_theme``).
    _needs_store()
    return sample_theme("violence")


def test_build_on_the_sample_has_every_section_and_every_measure(sample_result):
    r = sample_result
    assert list(r.sections) == SECTIONS
    assert r.availability == {}
    assert r.synthetic == "page"
    captions = [t.caption for t in r.tables()]
    assert "Violence by Home Office subgroup (force extract)" in captions
    assert any(c and c.startswith("Violence with injury near licensed premises") for c in captions)
    assert _kinds(r.sections["nte"]) == ["Table", "Figure"]  # the table, then the chart
    assert _kinds(r.sections["trends"])[-2:] == ["Figure", "Figure"]
    assert _kinds(r.sections["ambulance"]) == ["Findings", "Figure"]
    assert _kinds(r.sections["hotspots"]) == ["Figure"]
    assert r.findings and any("Friday and Saturday nights" in f.text for f in r.findings)
    d = r.data
    assert list(d["subgroup_table"]["crime_type"]) == violence.SUBGROUP_ORDER
    assert d["type_table"]["crime_type"].tolist() == [violence.VSO]
    assert set(d["monthly"]["crime_type"]) >= {"Violence with injury", "Sexual offences"}
    assert 0 < d["weekend_night_share"] < 1
    assert d["ward_table"]["rate"].is_monotonic_decreasing


def test_build_without_an_extract_says_why_for_each_extract_only_measure(tmp_path):
    r = _build_without(tmp_path, "extract")
    assert list(r.sections) == SECTIONS
    assert set(r.availability) == EXTRACT_ONLY
    assert r.availability["subgroups"].startswith("No force extract was given")
    assert "committed times" in r.availability["day and hour"]
    assert "force extract's locations" in r.availability["hot spots of violence with injury"]
    notes = [b.text for _, b in r.blocks() if type(b).__name__ == "Note"]
    for reason in r.availability.values():
        assert reason in notes
    assert r.synthetic == "none"
    assert r.data["subgroup_table"] is None and r.data["weekend_night_share"] is None
    assert set(r.data["monthly"]["crime_type"]) == {violence.VSO}
    assert _kinds(r.sections["hotspots"]) == ["Note"]
    assert [t.caption for t in r.tables()][0] == "Violence and sexual offences (police.uk)"
    assert not any("force extract" in (t.caption or "") for t in r.tables())


def test_build_without_licensed_premises_still_maps_hot_spots(tmp_path):
    r = _build_without(tmp_path, "licensed_premises")
    assert set(r.availability) == {"licensed premises"}
    assert "licensed premises file" in r.availability["licensed premises"]
    assert _kinds(r.sections["nte"]) == ["Note", "Figure"]
    assert _kinds(r.sections["hotspots"]) == ["Figure"]
    assert not any("licensed premises" in (f.text or "") for f in r.findings)


def test_build_without_ambulance_data_leaves_the_corroboration_out(tmp_path):
    r = _build_without(tmp_path, "ambulance")
    assert set(r.availability) == {"ambulance corroboration"}
    assert "ambulance call-outs" in r.availability["ambulance corroboration"]
    assert _kinds(r.sections["ambulance"]) == ["Note"]
    assert not any("ambulance" in f.text for f in r.findings)


def test_build_for_a_csp_the_extract_and_premises_do_not_cover_says_why(tmp_path):
    """Issue 24 regression: run-all on the sample template for another Cambridgeshire CSP.

    The sample's SYNTHETIC extract and licensed premises cover Huntingdonshire only, so for
    Fenland or Cambridge the extract has no rows and no premises lie in the area: build()
    raised (``exposure_after ... got 0.0`` from the premises test, then ``points_gdf has no
    points`` from the hot-spot grid). Here both files are moved outside the sample CSP.
    """
    from sa_lib.pack.context import open_context

    _needs_store()
    ex = pd.read_csv(config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz")
    ex["lsoa_code"] = "E01000001"  # an LSOA in the City of London: not in the CSP
    ex[["easting", "northing", "longitude", "latitude"]] = [532000.0, 181000.0, -0.09, 51.51]
    ex.to_csv(tmp_path / "extract_elsewhere.csv", index=False)
    pubs = pd.read_csv(config.SAMPLE_DIR / "synthetic" / "licensed_premises_synthetic.csv")
    pubs["easting"] += 100_000  # 100 km east: the North Sea, nowhere near the CSP
    pubs["longitude"] += 1.5
    pubs.to_csv(tmp_path / "premises_elsewhere.csv", index=False)
    p = yaml.safe_load(SAMPLE_PARAMS.read_text())
    p["data"]["extract"] = str(tmp_path / "extract_elsewhere.csv")
    p["data"]["licensed_premises"] = str(tmp_path / "premises_elsewhere.csv")
    p["themes"] = [t for t in p["themes"] if t not in ("domestic_abuse", "cse")]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))

    r = violence.build(open_context(path, "violence"))
    assert list(r.sections) == SECTIONS
    assert set(r.availability) == EXTRACT_ONLY
    for reason in r.availability.values():
        assert reason.startswith("The force extract holds no crimes in this area")
    assert _kinds(r.sections["hotspots"]) == ["Note"]
    assert r.data["subgroup_table"] is None and r.data["weekend_night_share"] is None
    assert [t.caption for t in r.tables()][0] == "Violence and sexual offences (police.uk)"
