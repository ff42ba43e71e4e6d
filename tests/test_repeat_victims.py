"""Tests for sa_lib.stats.repeat_victims on small victim histories checkable by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.repeat_victims import flag_repeats, repeat_rate, repeat_trend, time_to_repeat


@pytest.fixture
def crimes() -> pd.DataFrame:
    # Deliberately not in date order: output must keep the input order.
    return pd.DataFrame(
        {
            "crime_ref": ["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"],
            "victim_id": ["V1", "V2", "V1", "V1", "V2", "V2", "V3", None, "V1"],
            "committed_from": pd.to_datetime(
                [
                    "2023-06-10 14:00",  # V1 #2: 151 days after 2023-01-10 -> repeat
                    "2024-03-01 22:00",  # V2 #1
                    "2023-01-10",  # V1 #1
                    "2024-06-09",  # V1 #3: exactly 365 days after 2023-06-10 -> repeat
                    "2024-03-01 23:30",  # V2 #2, same day as c2
                    "2024-03-05",  # V2 #3: 4 days after 2024-03-01 -> repeat
                    "2024-05-01",  # V3 only crime
                    "2024-05-02",  # no victim id
                    "2025-06-10",  # V1 #4: 366 days after 2024-06-09 -> not a repeat
                ],
                format="ISO8601",
            ),
        }
    )


def test_flags_by_hand(crimes):
    before = crimes.copy()
    with pytest.warns(UserWarning, match="1 of 9 crime"):
        out = flag_repeats(crimes, same_day_is_repeat=False, data_start="2023-01-01")
    pd.testing.assert_frame_equal(crimes, before)  # input unchanged
    assert out["crime_ref"].tolist() == crimes["crime_ref"].tolist()  # order kept
    assert out["is_repeat"].tolist() == [True, False, False, True, False, True, False, pd.NA, False]
    assert out["days_since_previous"].tolist() == [
        151,
        pd.NA,
        pd.NA,
        365,
        pd.NA,
        4,
        pd.NA,
        pd.NA,
        366,
    ]
    assert out["victim_crime_number"].tolist() == [2, 1, 1, 3, 2, 3, 1, pd.NA, 4]
    # Same-day crime c5 looks back past c2 to V2's earlier days (none), c6 back to 2024-03-01.
    assert pd.isna(out.loc[4, "previous_date"])
    assert out.loc[5, "previous_date"] == pd.Timestamp("2024-03-01")
    assert out.loc[0, "previous_date"] == pd.Timestamp("2023-01-10")


def test_window_boundary_is_inclusive():
    df = pd.DataFrame(
        {
            "victim_id": ["A", "A", "B", "B"],
            "committed_from": pd.to_datetime(
                ["2025-01-01", "2025-12-31", "2025-01-01", "2026-01-02"]
            ),
        }
    )
    out = flag_repeats(df, window_days=364, same_day_is_repeat=False)
    # 2025-01-01 -> 2025-12-31 is 364 days (repeat); -> 2026-01-02 is 366 days.
    assert out["days_since_previous"].tolist() == [pd.NA, 364, pd.NA, 366]
    assert out["is_repeat"].tolist() == [False, True, False, False]


def test_same_day_is_repeat_option(crimes):
    with pytest.warns(UserWarning):
        out = flag_repeats(crimes, same_day_is_repeat=True, data_start="2023-01-01")
    assert bool(out.loc[4, "is_repeat"]) is True
    assert out.loc[4, "days_since_previous"] == 0
    assert out.loc[5, "days_since_previous"] == 4


def test_same_day_default_recorded(crimes):
    clear_choices()
    with pytest.warns(UserWarning):
        flag_repeats(crimes)
    table = choices_table().set_index("choice")
    assert table.loc["repeat victimisation: same-day crimes", "value"] == "not a repeat"
    assert table.loc["repeat victimisation: data start", "value"] == "2023-01-10"


def test_window_complete(crimes):
    with pytest.warns(UserWarning):
        out = flag_repeats(crimes, same_day_is_repeat=False, data_start="2023-01-01")
    # Complete from 2023-01-01 + 365 days = 2024-01-01 onwards.
    assert out["window_complete"].tolist() == [
        False,
        True,
        False,
        True,
        True,
        True,
        True,
        True,
        True,
    ]


def test_string_dates_are_parsed():
    df = pd.DataFrame({"vid": ["A", "A"], "day": ["2024-01-01", "2024-02-01"]})
    out = flag_repeats(df, victim_col="vid", date_col="day", same_day_is_repeat=False)
    assert out["is_repeat"].tolist() == [False, True]
    assert out["day"].tolist() == ["2024-01-01", "2024-02-01"]


def _wilson(x, n):
    return proportion_confint(x, n, alpha=0.05, method="wilson")


def test_repeat_rate_by_hand(crimes):
    # 2024 crimes with a known victim and a complete window (data from 2023-01-01):
    # c2 (no), c4 (yes), c5 (no), c6 (yes), c7 (no) -> 2 of 5 crimes;
    # victims V1 (repeat), V2 (repeat), V3 -> 2 of 3 victims.
    with pytest.warns(UserWarning, match="no victim id"):
        r = repeat_rate(
            crimes,
            "2024-01-01",
            "2024-12-31",
            same_day_is_repeat=False,
            data_start="2023-01-01",
            include_incomplete=False,
            alpha=0.05,
        )
    r = r.set_index("measure")
    assert r.loc["crimes", ["repeats", "total"]].tolist() == [2, 5]
    assert r.loc["victims", ["repeats", "total"]].tolist() == [2, 3]
    assert r.loc["crimes", "proportion"] == pytest.approx(0.4)
    lo, hi = _wilson(2, 5)
    assert r.loc["crimes", "proportion_lower"] == pytest.approx(lo)
    assert r.loc["crimes", "proportion_upper"] == pytest.approx(hi)
    assert r.loc["crimes", "n_no_victim_id"] == 1
    assert r.loc["crimes", "n_excluded_window"] == 0


def test_repeat_rate_excludes_incomplete_windows_by_default(crimes):
    # 2023: c1 (repeat) and c3 (not) both have incomplete windows.
    clear_choices()
    with pytest.warns(UserWarning) as rec:
        r = repeat_rate(
            crimes, "2023-01-01", "2023-12-31", same_day_is_repeat=False, data_start="2023-01-01"
        )
    assert any("look-back window is incomplete" in str(w.message) for w in rec)
    assert r["total"].tolist() == [0, 0]
    assert r["n_excluded_window"].tolist() == [2, 2]
    assert r["proportion"].isna().all()
    assert "repeat victimisation: incomplete look-back windows" in set(choices_table()["choice"])
    with pytest.warns(UserWarning, match="no victim id"):
        r2 = repeat_rate(
            crimes,
            "2023-01-01",
            "2023-12-31",
            same_day_is_repeat=False,
            data_start="2023-01-01",
            include_incomplete=True,
        )
    assert r2.set_index("measure").loc["crimes", ["repeats", "total"]].tolist() == [1, 2]


def test_repeat_rate_accepts_flagged_frame(crimes):
    with pytest.warns(UserWarning):
        flagged = flag_repeats(crimes, same_day_is_repeat=False, data_start="2023-01-01")
    r = repeat_rate(flagged, "2024-01-01", "2024-12-31", include_incomplete=False)
    assert r["repeats"].tolist() == [2, 2]


def test_repeat_trend_by_quarter(crimes):
    with pytest.warns(UserWarning):
        flagged = flag_repeats(crimes, same_day_is_repeat=False, data_start="2023-01-01")
    with pytest.warns(UserWarning, match="no eligible crimes"):
        t = repeat_trend(flagged, "Q", include_incomplete=False, alpha=0.05)
    t = t.set_index("period")
    assert t.index[0] == "2023Q1" and t.index[-1] == "2025Q2"
    assert len(t) == 10
    assert t.loc["2024Q1", ["crimes", "repeat_crimes"]].tolist() == [3, 1]  # c2, c5, c6
    assert t.loc["2024Q2", ["crimes", "repeat_crimes"]].tolist() == [2, 1]  # c4, c7
    assert t.loc["2024Q2", "n_no_victim_id"] == 1  # c8
    assert t.loc["2024Q1", "repeat_crime_share"] == pytest.approx(1 / 3)
    lo, hi = _wilson(1, 3)
    assert t.loc["2024Q1", "repeat_crime_share_lower"] == pytest.approx(lo)
    assert t.loc["2024Q1", "repeat_crime_share_upper"] == pytest.approx(hi)
    assert t.loc["2024Q1", ["victims", "repeat_victims"]].tolist() == [1, 1]
    assert np.isnan(t.loc["2023Q1", "repeat_crime_share"])
    assert t.loc["2023Q1", "n_excluded_window"] == 1
    assert t.loc["2024Q1", "period_start"] == pd.Timestamp("2024-01-01")
    assert t.loc["2024Q1", "period_end"] == pd.Timestamp("2024-03-31")


def test_time_to_repeat(crimes):
    with pytest.warns(UserWarning):
        s = time_to_repeat(crimes, same_day_is_repeat=False).iloc[0]
    # Gaps: 151, 365, 4, 366.
    gaps = np.array([151, 365, 4, 366])
    assert s["n_gaps"] == 4
    assert s["median_days"] == pytest.approx(np.median(gaps))
    assert s["q1_days"] == pytest.approx(np.quantile(gaps, 0.25))
    assert s["share_within_30"] == pytest.approx(0.25)
    assert s["share_within_365"] == pytest.approx(0.75)
    with pytest.warns(UserWarning):
        s24 = time_to_repeat(
            crimes, same_day_is_repeat=False, period_start="2024-01-01", period_end="2024-12-31"
        ).iloc[0]
    assert s24["n_gaps"] == 2 and s24["median_days"] == pytest.approx((365 + 4) / 2)


def test_time_to_repeat_no_gaps():
    df = pd.DataFrame({"victim_id": ["A"], "committed_from": pd.to_datetime(["2024-01-01"])})
    s = time_to_repeat(df, same_day_is_repeat=False).iloc[0]
    assert s["n_gaps"] == 0 and np.isnan(s["median_days"]) and np.isnan(s["share_within_90"])


# ---- one broken fixture per error -------------------------------------------------------


def test_missing_column():
    with pytest.raises(ValueError, match="missing required column.*'victim_id'"):
        flag_repeats(pd.DataFrame({"committed_from": ["2024-01-01"]}))


def test_bad_date_names_row():
    df = pd.DataFrame({"victim_id": ["A", "B"], "committed_from": ["2024-01-01", "31/02/2024"]})
    with pytest.raises(ValueError, match=r"not a date: '31/02/2024' at row 1"):
        flag_repeats(df, same_day_is_repeat=False)


def test_missing_date_names_row():
    df = pd.DataFrame(
        {"victim_id": ["A", "B"], "committed_from": pd.to_datetime(["2024-01-01", None])}
    )
    with pytest.raises(ValueError, match="1 missing date.*row 1"):
        flag_repeats(df, same_day_is_repeat=False)


def test_bad_window():
    df = pd.DataFrame({"victim_id": ["A"], "committed_from": ["2024-01-01"]})
    with pytest.raises(ValueError, match="window_days must be at least 1"):
        flag_repeats(df, window_days=0)
    with pytest.raises(ValueError, match="window_days must be a whole number"):
        flag_repeats(df, window_days=365.0)


def test_bad_same_day_flag():
    df = pd.DataFrame({"victim_id": ["A"], "committed_from": ["2024-01-01"]})
    with pytest.raises(ValueError, match="same_day_is_repeat must be True or False"):
        flag_repeats(df, same_day_is_repeat="no")


def test_data_start_after_first_crime():
    df = pd.DataFrame({"victim_id": ["A", "B"], "committed_from": ["2024-01-01", "2023-05-01"]})
    with pytest.raises(ValueError, match="data_start=2024-01-01 is after the crime at row 1"):
        flag_repeats(df, same_day_is_repeat=False, data_start="2024-01-01")


def test_period_end_before_start(crimes):
    with pytest.raises(ValueError, match="period_end .* is before period_start"):
        repeat_rate(crimes, "2024-12-31", "2024-01-01")


def test_bad_period_date(crimes):
    with pytest.raises(ValueError, match="period_start must be a date"):
        repeat_rate(crimes, "not a date", "2024-01-01")


def test_bad_alpha_and_freq(crimes):
    with pytest.raises(ValueError, match="alpha must be a number strictly between 0 and 1"):
        repeat_rate(crimes, "2024-01-01", "2024-12-31", alpha=5)
    with pytest.raises(ValueError, match="freq='W' is not a valid choice"):
        repeat_trend(crimes, "W")


def test_bad_within(crimes):
    with pytest.raises(ValueError, match="within must be a non-empty tuple"):
        time_to_repeat(crimes, within=(30, -1))
