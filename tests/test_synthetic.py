import numpy as np
import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data import extract as ex
from sa_lib.data import synthetic as sy
from sa_lib.data.geography import build_geography
from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street

S = config.SAMPLE_DIR
SEED = 11


@pytest.fixture(scope="module")
def geo():
    return build_geography(
        ["E07000011"],
        S / "boundaries",
        S / "population" / "census2021_lsoa21_age_bands.csv.gz",
        S / "deprivation" / "iod2019_lsoa11.csv.gz",
    )


@pytest.fixture(scope="module")
def rows(geo, tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    ingest([S / "police_uk"], store)
    return load_street(store, lsoa_codes=geo.lsoas["lsoa21_code"])


@pytest.fixture(scope="module")
def premises(geo, rows):
    return sy.generate_licensed_premises(geo, SEED, street_rows=rows)


@pytest.fixture(scope="module")
def extract(rows, geo, premises):
    return sy.generate_extract(rows, geo, SEED, premises)


def test_extract_is_schema_valid_and_labelled_synthetic(extract):
    ex.validate_extract(extract)
    assert list(extract.columns) == list(ex.COLUMNS)
    assert extract["synthetic"].all()
    assert extract["crime_ref"].str.startswith("SYN-").all()


def test_counts_equal_police_uk_per_lsoa_month_and_type(extract, rows, geo):
    """The violence rows (and criminal damage, public order) agree exactly with police.uk."""
    pu = rows[rows["crime_type"].isin(sy.EXTRACT_CRIME_TYPES)]
    pu = pu[pu["lsoa_code"].isin(geo.lsoas["lsoa21_code"])]
    want = pu.groupby(["lsoa_code", "month", "crime_type"]).size()
    got = extract.groupby(["lsoa_code", "month", "crime_type"]).size()
    pd.testing.assert_series_equal(
        got.sort_index(), want.sort_index(), check_names=False, check_dtype=False
    )
    v_want = pu[pu["crime_type"] == ex.VSO].groupby(["lsoa_code", "month"]).size()
    v_got = extract[extract["crime_type"] == ex.VSO].groupby(["lsoa_code", "month"]).size()
    assert v_got.sort_index().to_dict() == v_want.sort_index().to_dict()
    assert (extract["month"] == extract["recorded_date"].dt.strftime("%Y-%m")).all()


def test_same_seed_same_output_different_seed_differs(rows, geo, premises):
    few = rows[rows["month"].isin(["2024-01", "2024-02", "2024-03"])]
    a = sy.generate_extract(few, geo, 5, premises)
    b = sy.generate_extract(few.sample(frac=1, random_state=0), geo, 5, premises)
    pd.testing.assert_frame_equal(a, b)  # input order does not matter either
    c = sy.generate_extract(few, geo, 6, premises)
    assert not a["offence_subgroup"].equals(c["offence_subgroup"])
    lp1 = sy.generate_licensed_premises(geo, 3)
    lp2 = sy.generate_licensed_premises(geo, 3)
    pd.testing.assert_frame_equal(lp1, lp2)
    amb1 = sy.generate_ambulance(a, geo, 5)
    pd.testing.assert_frame_equal(amb1, sy.generate_ambulance(a, geo, 5))


def test_inputs_not_changed(rows, geo, premises):
    few = rows[rows["month"] == "2024-01"].copy()
    before, lp_before = few.copy(), premises.copy()
    sy.generate_extract(few, geo, 1, premises)
    pd.testing.assert_frame_equal(few, before)
    pd.testing.assert_frame_equal(premises, lp_before)


def test_subgroup_shares_near_published(extract):
    s = sy.synthetic_summary(extract)
    assert 0.21 <= s["subgroup_share_Violence with injury"] <= 0.31
    assert 0.31 <= s["subgroup_share_Violence without injury"] <= 0.41
    assert 0.25 <= s["subgroup_share_Stalking and harassment"] <= 0.35
    sexual = s["subgroup_share_Rape"] + s["subgroup_share_Other sexual offences"]
    assert 0.06 <= sexual <= 0.12
    sub = extract.loc[extract["crime_type"] == ex.VSO, "offence_subgroup"]
    assert sub.notna().all()
    assert extract.loc[extract["crime_type"] != ex.VSO, "offence_subgroup"].isna().all()


def test_domestic_abuse_share_and_types(extract):
    s = sy.synthetic_summary(extract)
    assert 0.25 <= s["da_share_vso"] <= 0.40  # about one third (ONS DA overview)
    assert 0.05 <= s["da_share_other"] <= 0.15  # about one in ten
    assert 0.65 <= s["female_share_da"] <= 0.80
    da = extract[extract["domestic_abuse"]]
    assert {"Criminal damage and arson", "Public order", ex.VSO} <= set(da["crime_type"])
    assert (da["location_type"] == "Dwelling").mean() > 0.7
    # controlling or coercive behaviour is always domestic abuse
    assert extract.loc[extract["ho_offence_code"] == "8Q", "domestic_abuse"].all()
    # DA victims are 16 or over (Domestic Abuse Act 2021 definition)
    assert not da["victim_age_band"].isin(["0-12", "13-15"]).any()


def test_repeat_victimisation_within_documented_ranges(extract):
    s = sy.synthetic_summary(extract)
    assert 0.20 <= s["repeat_share_da"] <= 0.45
    assert 0.02 <= s["repeat_share_other"] <= 0.12
    assert s["repeat_share_da"] > 2 * s["repeat_share_other"]
    # a repeat victim keeps their age band and sex
    v = extract.dropna(subset=["victim_id"])
    assert (v.groupby("victim_id")["victim_sex"].nunique() == 1).all()
    assert (v.groupby("victim_id")["victim_age_band"].nunique() == 1).all()


def test_nte_peaks_friday_saturday_nights(extract):
    vwi = extract[extract["offence_subgroup"] == "Violence with injury"]
    t = pd.DatetimeIndex(vwi["committed_from"])
    night = (t.hour >= 21) | (t.hour < 4)
    night_of = (t - pd.Timedelta(hours=6)).day_of_week  # 01:00 Saturday is Friday night
    fri_sat = (night & night_of.isin([4, 5])).sum() / 2
    mon_thu = (night & night_of.isin([0, 1, 2, 3])).sum() / 4
    assert fri_sat > 1.5 * mon_thu
    assert sy.synthetic_summary(extract)["vwi_fri_sat_night_ratio"] == pytest.approx(
        fri_sat / mon_thu
    )
    nte = extract[extract["night_time_economy"]]
    assert len(nte) > 0
    h = pd.DatetimeIndex(nte["committed_from"]).hour
    assert ((h >= 20) | (h < 6)).all()
    assert not nte["domestic_abuse"].any()


def test_nte_rows_are_near_late_licensed_premises(extract, premises):
    late = premises[premises["late_licence"]]
    nte = extract[extract["night_time_economy"]]
    d = np.hypot(
        nte["easting"].to_numpy()[:, None] - late["easting"].to_numpy()[None, :],
        nte["northing"].to_numpy()[:, None] - late["northing"].to_numpy()[None, :],
    ).min(axis=1)
    assert (d <= sy.NTE_RADIUS_M + 1).all()


def test_cse_only_on_child_sexual_offences(extract):
    cse = extract[extract["cse"]]
    assert len(cse) > 0
    assert cse["offence_subgroup"].isin(["Rape", "Other sexual offences"]).all()
    assert cse["victim_age_band"].isin(["0-12", "13-15", "16-17"]).all()


def test_sexual_offence_codes_match_victim_sex_and_age(extract):
    def rows(code):
        return extract[extract["ho_offence_code"] == code]

    assert (rows("19C")["victim_sex"] == "Female").all()
    assert not rows("19C")["victim_age_band"].isin(["0-12", "13-15"]).any()
    assert (rows("19G")["victim_sex"] == "Male").all()
    assert rows("19D")["victim_age_band"].isin(["0-12", "13-15"]).all()
    assert (rows("20A")["victim_sex"] == "Female").all()
    assert (rows("17A")["victim_sex"] == "Male").all()
    assert rows("22B")["victim_age_band"].isin(["0-12", "13-15"]).all()
    sexual = extract[extract["offence_subgroup"].isin(["Rape", "Other sexual offences"])]
    assert 0.3 <= sexual["victim_age_band"].isin(["0-12", "13-15", "16-17"]).mean() <= 0.5


def test_licensed_premises_in_towns(premises, geo):
    assert premises["synthetic"].all()
    assert premises.crs.to_epsg() == 27700
    n = premises.groupby("town").size()
    for town in ("Huntingdon", "St Neots", "St Ives", "Ramsey"):
        assert n[town] >= 10
    assert premises["lsoa21_code"].isin(geo.lsoas["lsoa21_code"]).all()
    assert premises["late_licence"].any() and not premises["late_licence"].all()


def test_ambulance_correlated_not_identical(extract, geo):
    amb = sy.generate_ambulance(extract, geo, SEED)
    assert amb["synthetic"].all()
    assert len(amb) == len(geo.lsoas) * extract["month"].nunique()
    vwi = extract[extract["offence_subgroup"] == "Violence with injury"]
    v = vwi.groupby(["lsoa_code", "month"]).size()
    v = v.reindex(pd.MultiIndex.from_frame(amb[["lsoa21_code", "month"]]), fill_value=0)
    a = amb["assault_callouts"].to_numpy()
    r = np.corrcoef(v.to_numpy(), a)[0, 1]
    assert 0.3 < r < 0.95
    assert not np.array_equal(v.to_numpy(), a)


def test_bad_inputs(rows, geo):
    with pytest.raises(ValueError, match="missing required column"):
        sy.generate_extract(rows.drop(columns="lsoa_code"), geo, 1)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        sy.generate_extract(rows, geo, 1.5)
    with pytest.raises(ValueError, match="geo must be a CSPGeography"):
        sy.generate_extract(rows, "E07000011", 1)
    none = rows[rows["crime_type"] == "Shoplifting"]
    with pytest.raises(ValueError, match="no violence and sexual offences"):
        sy.generate_extract(none, geo, 1)


def test_shipped_files_are_synthetic_and_agree():
    d = S / "synthetic"
    e = ex.load_extract(d / "extract_synthetic.csv.gz")
    assert e["synthetic"].all()
    assert pd.read_csv(d / "licensed_premises_synthetic.csv")["synthetic"].all()
    assert pd.read_csv(d / "ambulance_assault_callouts_synthetic.csv")["synthetic"].all()
    assert "SYNTHETIC" in (d / "README.md").read_text()
