"""Which year the outcomes / stop-and-search sections use, and loading the CSP's searches."""

from __future__ import annotations

import pytest

from sa_lib import config
from sa_lib.data.outcome_search_data import analysis_year, kind_months, load_csp_searches
from sa_lib.data.periods import parse_period


def test_assessment_period_used_when_fully_present():
    p, note = analysis_year(["2025-10", "2025-11", "2025-12"], parse_period("2025-Q4"), "outcomes")
    assert p.label == parse_period("2025-Q4").label and "cover the assessment period" in note


def test_latest_year_when_period_missing_says_which_and_how_many_months():
    months = ["2023-05", "2024-01", "2024-02"]
    p, note = analysis_year(months, parse_period("2025-Q4"), "stop_and_search")
    assert p.label == "2024" and "2 of its 12 months" in note and "stop-and-search" in note


def test_no_files_gives_none_and_a_note():
    p, note = analysis_year([], parse_period("2025"), "outcomes")
    assert p is None and "not available" in note


def test_bad_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        analysis_year([], parse_period("2025"), "street")


def test_sample_searches_are_located_in_the_csp():
    if not (config.PROCESSED_DIR / "stop_and_search").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.data.geography import build_geography

    geo = build_geography(
        ["E07000011"],
        config.SAMPLE_DIR / "boundaries",
        config.SAMPLE_DIR / "population" / "census2021_lsoa21_age_bands.csv.gz",
    )
    months = kind_months(config.PROCESSED_DIR, "stop_and_search")
    s, dropped = load_csp_searches(config.PROCESSED_DIR, geo, months)
    assert len(s) + dropped["no_location"] + dropped["outside"] == dropped["loaded"]
    assert s["ward_code"].isin(geo.wards["ward_code"]).all()
    assert len(s) > 0


def test_a_store_without_these_files_degrades_to_empty(tmp_path):
    from sa_lib.data.outcome_search_data import load_outcomes

    assert kind_months(tmp_path, "outcomes") == []
    assert load_outcomes(tmp_path, ["2024-01"]).empty
    s, dropped = load_csp_searches(tmp_path, None, ["2024-01"])
    assert s.empty and dropped == {"loaded": 0, "no_location": 0, "outside": 0}
