"""Outcome shares: latest outcome per crime, awaiting, Wilson CIs, two-proportion tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from sa_lib.stats.outcomes import (
    AWAITING,
    compare_shares,
    latest_outcomes,
    outcome_group,
    outcome_shares,
    shares_from_counts,
)


def _crimes():
    return pd.DataFrame(
        {
            "crime_id": ["a", "b", "c", "d", "e"],
            "month": ["2024-01", "2024-01", "2024-02", "2024-02", "2024-02"],
            "crime_type": ["Burglary", "Burglary", "Burglary", "Robbery", "Robbery"],
        }
    )


def _outcomes():
    return pd.DataFrame(
        {
            "crime_id": ["a", "a", "b", "d", "zzz"],
            "month": ["2024-03", "2024-02", "2024-02", "2024-04", "2024-04"],
            "outcome_type": [
                "Suspect charged",
                "Under investigation",
                "Unable to prosecute suspect",
                "Investigation complete; no suspect identified",
                "Local resolution",
            ],
        }
    )


def test_latest_outcome_wins_by_month_not_file_order():
    latest = latest_outcomes(_outcomes()).set_index("crime_id")
    assert latest.loc["a", "outcome_type"] == "Suspect charged"
    assert latest.loc["a", "outcome_group"] == "Charge/summons"


def test_shares_by_type_count_awaiting_and_sum_to_one():
    crimes, outs = _crimes(), _outcomes()
    before = crimes.copy()
    s = outcome_shares(crimes, outs, by=["crime_type"])
    pd.testing.assert_frame_equal(crimes, before)
    b = s[s["crime_type"] == "Burglary"].set_index("outcome_group")
    assert b.loc["Charge/summons", "count"] == 1
    assert b.loc["Evidential difficulties", "count"] == 1
    assert b.loc[AWAITING, "count"] == 1  # c has no outcome yet
    assert (b["crimes"] == 3).all()
    assert s.groupby("crime_type")["share"].sum().round(12).eq(1).all()
    r = s[s["crime_type"] == "Robbery"].set_index("outcome_group")
    assert r.loc["No suspect identified", "count"] == 1 and r.loc[AWAITING, "count"] == 1


def test_wilson_interval_matches_statsmodels():
    crimes = pd.DataFrame({"crime_id": [str(i) for i in range(40)], "crime_type": ["X"] * 40})
    outs = pd.DataFrame(
        {
            "crime_id": [str(i) for i in range(7)],
            "month": ["2024-01"] * 7,
            "outcome_type": ["Suspect charged"] * 7,
        }
    )
    s = outcome_shares(crimes, outs, by=[]).set_index("outcome_group").loc["Charge/summons"]
    lo, hi = proportion_confint(7, 40, alpha=0.05, method="wilson")
    assert s["share"] == pytest.approx(7 / 40)
    assert s["share_lower"] == pytest.approx(lo) and s["share_upper"] == pytest.approx(hi)


def test_unknown_outcome_type_is_other_with_a_warning():
    with pytest.warns(UserWarning, match="OUTCOME_GROUPS"):
        g = outcome_group(pd.Series(["Suspect charged", "Something new"]))
    assert g.tolist() == ["Charge/summons", "Other"]


def test_crimes_without_id_are_left_out_and_warned():
    crimes = _crimes()
    crimes.loc[4, "crime_id"] = None
    with pytest.warns(UserWarning, match="no crime_id"):
        s = outcome_shares(crimes, _outcomes(), by=[])
    assert s["crimes"].iloc[0] == 4


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="crime_type"):
        outcome_shares(_crimes().drop(columns="crime_type"), _outcomes())


def test_compare_shares_matches_statsmodels_z_test():
    a = pd.DataFrame({"g": ["x"], "count": [30], "crimes": [120]})
    b = pd.DataFrame({"g": ["x"], "count": [200], "crimes": [1200]})
    r = compare_shares(a, b, on=["g"]).iloc[0]
    _, p = proportions_ztest([30, 200], [120, 1200])
    assert r["p_value"] == pytest.approx(p)
    assert r["difference"] == pytest.approx(100 * (30 / 120 - 200 / 1200))
    assert bool(r["significant"]) == (p < 0.05)


def test_compare_shares_nan_when_no_variation():
    a = pd.DataFrame({"g": ["x"], "count": [0], "crimes": [10]})
    b = pd.DataFrame({"g": ["x"], "count": [0], "crimes": [10]})
    r = compare_shares(a, b, on=["g"]).iloc[0]
    assert np.isnan(r["p_value"]) and not r["significant"]


def test_shares_from_counts_agrees_with_row_level_shares():
    crimes, outs = _crimes(), _outcomes()
    rows = outcome_shares(crimes, outs, by=["crime_type"])
    counted = shares_from_counts(rows[["crime_type", "outcome_group", "count"]], by=["crime_type"])
    pd.testing.assert_frame_equal(
        rows.reset_index(drop=True), counted[rows.columns].reset_index(drop=True)
    )
