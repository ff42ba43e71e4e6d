import math

import numpy as np
import pandas as pd
import pytest

from sa_lib.data.counts import (
    POLICE_UK_TYPES,
    add_rate,
    area_counts,
    monthly_counts,
    pct_change,
    period_counts,
)
from sa_lib.data.periods import parse_period


def rows(spec):
    """[(month, crime_type, n), ...] -> one row per crime."""
    out = [(m, t) for m, t, n in spec for _ in range(n)]
    return pd.DataFrame(out, columns=["month", "crime_type"])


CRIMES = rows(
    [
        ("2025-10", "Burglary", 3),
        ("2025-12", "Burglary", 2),
        ("2025-11", "Drugs", 1),
        ("2025-11", "Anti-social behaviour", 7),
        ("2025-08", "Burglary", 4),
        ("2025-07", "Anti-social behaviour", 2),
        ("2024-01", "Drugs", 9),  # in neither period
    ]
)
PERIODS = {"current": parse_period("2025-Q4"), "previous": parse_period("2025-Q3")}


def test_period_counts_zero_fill_and_total_excludes_asb():
    before = CRIMES.copy()
    t = period_counts(CRIMES, PERIODS)
    assert list(t.columns) == ["crime_type", "current", "previous"]
    assert t["crime_type"].tolist() == [*POLICE_UK_TYPES, "All crime"]
    got = t.set_index("crime_type")
    assert got.loc["Burglary"].tolist() == [5, 4]
    assert got.loc["Drugs"].tolist() == [1, 0]
    assert got.loc["Anti-social behaviour"].tolist() == [7, 2]
    assert got.loc["Robbery"].tolist() == [0, 0]  # absent type listed with 0
    assert got.loc["All crime"].tolist() == [6, 4]  # ASB is not crime
    assert t["current"].dtype == "int64"
    pd.testing.assert_frame_equal(CRIMES, before)


def test_period_counts_no_total_and_explicit_categories():
    with pytest.warns(UserWarning, match="left out of the table"):
        t = period_counts(CRIMES, PERIODS, categories=["Drugs", "Robbery"], total_label=None)
    assert t.values.tolist() == [["Drugs", 1, 0], ["Robbery", 0, 0]]


def test_period_counts_warns_on_category_not_listed():
    with pytest.warns(UserWarning, match="Burglary"):
        period_counts(CRIMES, PERIODS, categories=["Drugs"], total_label=None)


def test_period_counts_other_column_has_no_total():
    df = pd.DataFrame({"month": ["2025-10", "2025-10", "2025-07"], "ward": ["B", "A", "A"]})
    t = period_counts(df, PERIODS, by="ward")
    assert t.values.tolist() == [["A", 1, 1], ["B", 1, 0]]


def test_period_counts_missing_column():
    with pytest.raises(ValueError, match="crime_type"):
        period_counts(pd.DataFrame({"month": ["2025-10"]}), PERIODS)


def test_monthly_counts_fills_missing_months():
    df = rows([("2025-01", "Drugs", 2), ("2025-03", "Drugs", 1), ("2025-03", "Robbery", 4)])
    m = monthly_counts(df)
    assert list(m.columns) == ["month", "month_start", "crime_type", "count"]
    assert m.values[:, [0, 2, 3]].tolist() == [
        ["2025-01", "Drugs", 2],
        ["2025-01", "Robbery", 0],
        ["2025-02", "Drugs", 0],
        ["2025-02", "Robbery", 0],
        ["2025-03", "Drugs", 1],
        ["2025-03", "Robbery", 4],
    ]
    assert m["month_start"].iloc[2] == pd.Timestamp("2025-02-01")
    assert m["count"].dtype == "int64"


def test_monthly_counts_total_and_given_months():
    df = rows([("2025-02", "Drugs", 2), ("2025-02", "Robbery", 1)])
    m = monthly_counts(df, by=None, months=["2025-01", "2025-02", "2025-03"])
    assert m[["month", "count"]].values.tolist() == [
        ["2025-01", 0],
        ["2025-02", 3],
        ["2025-03", 0],
    ]


def test_monthly_counts_empty():
    m = monthly_counts(pd.DataFrame({"month": pd.Series([], dtype=str)}), by=None)
    assert len(m) == 0


def test_area_counts_keeps_empty_areas():
    areas = pd.DataFrame(
        {"ward": ["A", "B", "C"], "name": ["Ay", "Bee", "Sea"], "pop": [100, 200, 300]}
    )
    df = pd.DataFrame({"month": ["2025-10", "2025-11", "2025-10", "2024-10"], "ward": list("AABC")})
    out = area_counts(
        df, areas, "ward", PERIODS["current"].months, name_col="name", population_col="pop"
    )
    assert list(out.columns) == ["ward", "name", "population", "count"]
    assert out["count"].tolist() == [2, 1, 0]


def test_add_rate():
    df = pd.DataFrame({"count": [5, 3, 2], "population": [2000, 0, np.nan]})
    before = df.copy()
    out = add_rate(df)
    assert out["rate"].iloc[0] == 2.5
    assert np.isnan(out["rate"].iloc[1]) and np.isnan(out["rate"].iloc[2])
    assert add_rate(df, per=100000, out="r")["r"].iloc[0] == 250.0
    pd.testing.assert_frame_equal(df, before)


def test_add_rate_errors():
    with pytest.raises(ValueError, match="count"):
        add_rate(pd.DataFrame({"count": [-1], "population": [10]}))
    with pytest.raises(ValueError, match="population"):
        add_rate(pd.DataFrame({"count": [1]}))
    with pytest.raises(ValueError, match="per"):
        add_rate(pd.DataFrame({"count": [1], "population": [10]}), per=0)


def test_pct_change():
    assert pct_change(100, 150) == 50.0
    assert pct_change(40, 30) == -25.0
    assert math.isnan(pct_change(0, 5))
    assert math.isnan(pct_change(0, 0))
    s = pct_change(
        pd.Series([10, 0, 4], index=list("abc")), pd.Series([40, 3, 4], index=list("abc"))
    )
    assert s.index.tolist() == ["a", "b", "c"]
    assert s.iloc[0] == 300.0 and math.isnan(s.iloc[1]) and s.iloc[2] == 0.0
