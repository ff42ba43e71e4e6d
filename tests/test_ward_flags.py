"""Ward flags: top 20% and interval above the district rate."""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib.stats.ward_flags import flag_areas, flag_summary


def _t():
    return pd.DataFrame(
        {
            "ward_code": list("ABCDEFGHIJ"),
            "rate": [90.0, 80, 70, 40, 30, 30, 20, 10, 5, 1],
            "rate_lower": [60.0, 20, 65, 35, 25, 25, 15, 5, 1, 0],
        }
    )


def test_top_fifth_and_interval_above():
    f = flag_areas(_t(), district_rate=50).set_index("ward_code")
    assert f["top_group"].sum() == 2  # ceil(0.2 x 10)
    assert f.loc["A", "flag"] and not f.loc["B", "flag"]  # B's interval reaches below 50
    assert not f.loc["C", "flag"]  # C is above the district but not in the top fifth


def test_ties_at_the_cut_off_are_included():
    t = pd.DataFrame(
        {"ward_code": list("ABCDE"), "rate": [9.0, 9, 9, 1, 1], "rate_lower": [8.0, 8, 8, 0, 0]}
    )
    f = flag_areas(t, district_rate=5)
    assert f["flag"].sum() == 3


def test_input_unchanged_and_missing_column_named():
    t = _t()
    before = t.copy()
    flag_areas(t, 50)
    pd.testing.assert_frame_equal(t, before)
    with pytest.raises(ValueError, match="rate_lower"):
        flag_areas(t.drop(columns="rate_lower"), 50)


def test_flag_summary_counts_and_names():
    long = pd.DataFrame(
        {
            "indicator": ["All crime", "All crime", "ASB", "ASB"],
            "ward_code": ["A", "B", "A", "B"],
            "flag": [True, False, True, False],
        }
    )
    s = flag_summary(long).set_index("ward_code")
    assert s.loc["A", "n_flags"] == 2 and s.loc["A", "flags"] == "All crime; ASB"
    assert s.loc["B", "n_flags"] == 0 and s.loc["B", "flags"] == ""
