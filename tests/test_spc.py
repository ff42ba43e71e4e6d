"""Tests for sa_lib.stats.spc: hand-checkable series for each Making Data Count rule."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from sa_lib.charts.spc import plot_xmr
from sa_lib.stats.spc import xmr
from sa_lib.style import COLD, HOT

matplotlib.use("Agg")


def _series(values, start="2020-01-01"):
    return pd.DataFrame(
        {"date": pd.date_range(start, periods=len(values), freq="MS"), "count": values}
    )


def _flagged(out, rule):
    return [i for i, r in enumerate(out["rule"]) if rule in r.split("; ")]


def test_limits_hand_computed_and_no_special_cause():
    # 10, 14 alternating: mean 12, every moving range 4, so limits 12 ± 2.66 * 4.
    out = xmr(_series([10, 14] * 6))
    assert out["mean"].unique().tolist() == [12.0]
    assert out["upper"].iloc[0] == pytest.approx(12 + 10.64)
    assert out["lower"].iloc[0] == pytest.approx(12 - 10.64)
    assert np.isnan(out["moving_range"].iloc[0])
    assert out["moving_range"].iloc[1:].tolist() == [4.0] * 11
    assert not out["special_cause"].any()
    assert out["rule"].tolist() == [""] * 12
    assert out["segment"].tolist() == [0] * 12


def test_point_outside_upper_limit():
    # The spike sits in the middle so that neither side makes a run of 7 below the mean.
    values = [10, 14] * 3 + [40] + [10, 14] * 3
    out = xmr(_series(values))
    # Hand: mean = 184 / 13 = 14.154; mR = (10 * 4 + 26 + 30) / 12 = 8; UL = 35.43.
    assert out["mean"].iloc[0] == pytest.approx(184 / 13)
    assert out["upper"].iloc[0] == pytest.approx(184 / 13 + 2.66 * 8)
    assert _flagged(out, "outside limits") == [6]
    assert out["direction"].iloc[6] == "high"
    assert out["special_cause"].sum() == 1


def test_point_outside_lower_limit():
    values = [30, 34] * 3 + [5] + [30, 34] * 3
    out = xmr(_series(values))
    # mean = 389 / 13 = 29.92; mR = (40 + 29 + 25) / 12 = 7.833; LL = 9.08 > 5.
    assert out["lower"].iloc[0] == pytest.approx(389 / 13 - 2.66 * 94 / 12)
    assert _flagged(out, "outside limits") == [6]
    assert out["direction"].iloc[6] == "low"
    assert out["special_cause"].sum() == 1


def test_shift_of_seven_above_mean():
    values = [10, 14, 10, 14, 10, 14] + [13] * 7
    out = xmr(_series(values))
    # mean = 163 / 13 = 12.54: the 14 at position 5 and the seven 13s are all above it.
    assert out["mean"].iloc[0] == pytest.approx(163 / 13)
    assert _flagged(out, "shift") == list(range(5, 13))
    assert (out["direction"].iloc[5:] == "high").all()
    assert _flagged(out, "outside limits") == []
    assert _flagged(out, "trend") == []


def test_six_on_one_side_is_not_a_shift():
    values = [10, 14, 10, 14, 10, 14, 10] + [13] * 6
    out = xmr(_series(values))
    # mean = 160 / 13 = 12.31; the six 13s are above but the 10 before breaks the run.
    assert _flagged(out, "shift") == []


def test_trend_of_seven_rising():
    values = [10, 14, 10, 14, 10, 14, 10, 11, 12, 13, 14, 15, 16]
    out = xmr(_series(values))
    # 10 -> 16 at positions 6..12: seven points, six rises in a row.
    assert _flagged(out, "trend") == list(range(6, 13))
    assert (out["direction"].iloc[6:] == "high").all()
    assert _flagged(out, "shift") == []
    assert _flagged(out, "outside limits") == []


def test_trend_of_seven_falling_and_six_is_not_enough():
    falling = [16, 12, 16, 12, 16, 12, 16, 15, 14, 13, 12, 11, 10]
    out = xmr(_series(falling))
    assert _flagged(out, "trend") == list(range(6, 13))
    assert (out["direction"].iloc[6:] == "low").all()
    short = [16, 12, 16, 12, 16, 12, 16, 12, 15, 14, 13, 12, 11]  # 16 -> 11: six falling points
    assert _flagged(xmr(_series(short)), "trend") == []


def test_equal_values_break_a_trend():
    values = [10, 14, 10, 14, 10, 14, 10, 11, 12, 12, 13, 14, 15]
    assert _flagged(xmr(_series(values)), "trend") == []


def test_two_of_three_beyond_two_sigma():
    values = [10, 14] * 10 + [23, 12, 23]
    x = np.array(values, dtype=float)
    mean = x.mean()
    mrbar = np.abs(np.diff(x)).mean()
    two_sigma = mean + 2 / 3 * 2.66 * mrbar
    upper = mean + 2.66 * mrbar
    # Hand: mean 12.96, mR 4.864, 2-sigma line 21.58, upper limit 25.89.
    assert two_sigma < 23 < upper
    out = xmr(_series(values))
    assert _flagged(out, "2 of 3 beyond 2 sigma") == [20, 22]
    assert out["direction"].iloc[20] == "high"
    assert _flagged(out, "outside limits") == []
    assert out["special_cause"].sum() == 2


def test_one_of_three_beyond_two_sigma_does_not_fire():
    values = [10, 14] * 10 + [23, 12, 12]
    assert _flagged(xmr(_series(values)), "2 of 3 beyond 2 sigma") == []


def test_break_recalculates_limits_per_segment():
    values = [5, 6] * 7 + [20, 21] * 7
    plain = xmr(_series(values))
    assert plain["special_cause"].all()  # one long shift below, then above
    out = xmr(_series(values), breaks=["2021-03-01"])  # position 14
    assert out["segment"].tolist() == [0] * 14 + [1] * 14
    assert out["mean"].iloc[0] == pytest.approx(5.5)
    assert out["mean"].iloc[-1] == pytest.approx(20.5)
    assert out["upper"].iloc[-1] == pytest.approx(20.5 + 2.66)
    assert np.isnan(out["moving_range"].iloc[14])  # no range across the break
    assert not out["special_cause"].any()


def test_break_outside_series_warns_and_is_ignored():
    with pytest.warns(UserWarning, match="outside the series"):
        out = xmr(_series([10, 14] * 6), breaks=["2030-01-01"])
    assert out["segment"].tolist() == [0] * 12


def test_short_series_warns():
    with pytest.warns(UserWarning, match="only 5 point"):
        xmr(_series([1, 2, 3, 2, 1]))


def test_unsorted_input_sorted_and_unchanged():
    df = _series([10, 14] * 3 + [40] + [10, 14] * 3).iloc[::-1]
    copy = df.copy()
    out = xmr(df)
    pd.testing.assert_frame_equal(df, copy)
    assert out["date"].is_monotonic_increasing
    assert out["rule"].iloc[6] == "outside limits"
    assert out["count"].iloc[6] == 40


def test_string_dates_accepted():
    df = _series([10, 14] * 6)
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    out = xmr(df)
    assert pd.api.types.is_datetime64_any_dtype(out["date"])


def test_plot_colours():
    out = xmr(_series([10, 14] * 3 + [40] + [10, 14] * 3))
    fig = plot_xmr(out, title="Burglary")
    ax = fig.axes[0]
    assert ax.get_title() == "Burglary"
    points = ax.collections[0].get_facecolors()
    assert to_hex(points[6]) == HOT.lower()
    assert to_hex(points[0]) == "#7f7f7f"
    low = xmr(_series([30, 34] * 3 + [5] + [30, 34] * 3))
    low_points = plot_xmr(low).axes[0].collections[0].get_facecolors()
    assert to_hex(low_points[6]) == COLD.lower()
    plt.close("all")


def test_error_missing_column():
    with pytest.raises(ValueError, match="missing required column.*'count'"):
        xmr(pd.DataFrame({"date": ["2020-01-01"]}))


def test_error_missing_value():
    df = _series([1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"df\['count'\] has 1 missing value.*row 1"):
        xmr(df)


def test_error_non_numeric():
    df = _series(["1", "x"])
    with pytest.raises(ValueError, match=r"must be numeric"):
        xmr(df)


def test_error_duplicate_dates():
    df = pd.DataFrame({"date": ["2020-01-01", "2020-02-01", "2020-02-01"], "count": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"repeated dates; the first repeat is 2020-02-01.*row 2"):
        xmr(df)


def test_error_bad_dates():
    df = pd.DataFrame({"date": ["2020-01-01", "not a date"], "count": [1, 2]})
    with pytest.raises(ValueError, match=r"could not be read as dates"):
        xmr(df)


def test_error_single_point():
    with pytest.raises(ValueError, match="at least 2 points"):
        xmr(_series([3]))


def test_error_empty():
    with pytest.raises(ValueError, match="df is empty"):
        xmr(_series([]))


def test_error_plot_wrong_input():
    with pytest.raises(ValueError, match="result is missing required column"):
        plot_xmr(_series([1, 2]))


def test_special_cause_is_reported_as_runs():
    # Issue 12: "above the mean from Feb to Oct 2025, a shift of 9 months", not 9 months listed.
    from sa_lib.stats.spc import spc_runs

    counts = [20, 22, 19, 21, 20, 23, 19, 21, 20, 22, 21, 20, 19]  # Jan 2024 - Jan 2025
    counts += [27, 28, 26, 27, 29, 26, 28, 27, 26]  # Feb - Oct 2025: above the mean
    counts += [21, 60]  # Nov, then an outlier in Dec 2025
    df = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=len(counts), freq="MS"), "count": counts}
    )
    out = xmr(df)
    runs = spc_runs(out)
    shift = runs[runs["rules"].str.contains("shift") & (runs["direction"] == "high")].iloc[0]
    assert shift["description"] == "above the mean from Feb to Oct 2025, a shift of 9 months"
    assert (shift["start"], shift["end"], shift["months"]) == (
        pd.Timestamp("2025-02-01"),
        pd.Timestamp("2025-10-01"),
        9,
    )
    last = runs.iloc[-1]
    assert last["description"] == "unusually high in Dec 2025 (outside limits)"
    # Every flagged month belongs to exactly one run.
    assert runs["months"].sum() == int(out["special_cause"].sum())


def test_runs_do_not_cross_a_break_or_a_change_of_side():
    from sa_lib.stats.spc import spc_runs

    df = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=28, freq="MS"),
            "count": [5, 6] * 7 + [12, 13] * 7,
        }
    )
    runs = spc_runs(xmr(df, breaks=["2025-03-01"]))
    assert (
        runs.empty
        or (runs["end"] < pd.Timestamp("2025-03-01")).all()
        or (runs["start"] >= pd.Timestamp("2025-03-01")).all()
    )
    runs = spc_runs(xmr(df))
    assert list(runs["direction"]) == ["low", "high"]
    assert runs.iloc[0]["end"] < runs.iloc[1]["start"]
