import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sa_lib.data.periods import parse_period
from sa_lib.themes.summary import area_summary, type_summary


def rows(spec, col="crime_type"):
    out = [(m, t) for m, t, n in spec for _ in range(n)]
    return pd.DataFrame(out, columns=["month", col])


# Robbery 10 -> 40 and Burglary 100 -> 105 between Q4 2024 and Q4 2025.
CRIMES = rows(
    [
        ("2024-11", "Robbery", 10),
        ("2025-11", "Robbery", 40),
        ("2024-10", "Burglary", 100),
        ("2025-10", "Burglary", 105),
        ("2025-12", "Anti-social behaviour", 8),
        ("2024-01", "Robbery", 30),  # baseline year only
    ]
)
PERIODS = {"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")}
POP = 4000  # 4000 residents x 3/12 years = 1000 person-years


def test_type_summary_counts_rates_and_significance():
    before = CRIMES.copy()
    t = type_summary(CRIMES, PERIODS, POP, types=["Robbery", "Burglary", "Anti-social behaviour"])
    t = t.set_index("crime_type")
    assert t.index.tolist() == ["Robbery", "Burglary", "Anti-social behaviour", "All crime"]
    assert t.loc["Robbery", ["count_current", "count_last_year"]].tolist() == [40, 10]
    assert t.loc["Burglary", ["count_current", "count_last_year"]].tolist() == [105, 100]
    assert t.loc["All crime", ["count_current", "count_last_year"]].tolist() == [145, 110]
    # Annualised: count / (pop x months/12) x 1000.
    assert t.loc["Robbery", "rate"] == pytest.approx(40 / (4000 * 3 / 12) * 1000)
    assert t.loc["Burglary", "rate"] == pytest.approx(105.0)
    assert t.loc["Robbery", "rate_lower"] < 40 < t.loc["Robbery", "rate_upper"]
    assert t.loc["Robbery", "pct_vs_last_year"] == pytest.approx(300.0)
    assert t.loc["Burglary", "pct_vs_last_year"] == pytest.approx(5.0)
    assert t.loc["Robbery", "label_vs_last_year"] == "significant increase"
    assert bool(t.loc["Robbery", "significant_vs_last_year"])
    assert t.loc["Burglary", "label_vs_last_year"] == "increase, not significant"
    assert not bool(t.loc["Burglary", "significant_vs_last_year"])
    assert t.loc["Robbery", "rr_vs_last_year"] == pytest.approx(4.0)
    pd.testing.assert_frame_equal(CRIMES, before)


def test_type_summary_p_value_matches_exact_binomial_uncorrected():
    with pytest.warns(UserWarning, match="left out of the table"):
        t = type_summary(
            CRIMES, PERIODS, POP, types=["Burglary"], correction="none", total_label=None
        )
    # Equal exposures: given 205, the current count is Binomial(205, 0.5) under no change.
    p = stats.binomtest(105, 205, 0.5).pvalue
    assert t.loc[0, "p_vs_last_year"] == pytest.approx(p)


def test_type_summary_baseline_year_uses_daily_rate():
    periods = {"current": parse_period("2025-Q4"), "baseline": parse_period("2024")}
    with pytest.warns(UserWarning, match="left out of the table"):
        t = type_summary(CRIMES, periods, POP, types=["Robbery"], total_label=None)
    assert t.loc[0, "count_baseline"] == 40  # 30 in January + 10 in November 2024
    # 40 in 92 days against 40 in 366 days (2024 is a leap year): days at risk.
    assert t.loc[0, "rr_vs_baseline"] == pytest.approx(366 / 92)
    assert t.loc[0, "pct_vs_baseline"] == pytest.approx(100 * (366 / 92 - 1))
    assert bool(t.loc[0, "per_day_vs_baseline"])
    assert (t.loc[0, "days_current"], t.loc[0, "days_baseline"]) == (92, 366)


def test_type_summary_default_types_and_errors():
    t = type_summary(CRIMES, PERIODS, POP)
    assert len(t) == 15  # 14 police.uk categories + All crime
    assert t.set_index("crime_type").loc["Shoplifting", "count_current"] == 0
    with pytest.raises(ValueError, match="current"):
        type_summary(CRIMES, {"last_year": PERIODS["last_year"]}, POP)
    with pytest.raises(ValueError, match="population"):
        type_summary(CRIMES, PERIODS, 0)


AREAS = pd.DataFrame(
    {
        "ward_code": ["W1", "W2", "W3"],
        "ward_name": ["One", "Two", "Three"],
        "population": [1000, 2000, 500],
    }
)


def test_area_summary_ranks_and_keeps_empty_areas():
    crimes = rows(
        [
            ("2025-10", "W1", 5),
            ("2025-11", "W2", 20),
            ("2024-10", "W1", 5),
            ("2024-12", "W2", 5),
        ],
        col="ward_code",
    )
    before = AREAS.copy()
    t = area_summary(crimes, AREAS, PERIODS)
    assert t["rank"].tolist() == [1, 2, 3]
    assert t["ward_code"].tolist() == ["W2", "W1", "W3"]
    assert t["count_current"].tolist() == [20, 5, 0]
    assert t["count_last_year"].tolist() == [5, 5, 0]
    # W2: 20 / (2000 x 0.25) x 1000 = 40; W1: 5 / 250 x 1000 = 20; W3: 0.
    np.testing.assert_allclose(t["rate"], [40.0, 20.0, 0.0])
    assert t.loc[0, "label_vs_last_year"] == "significant increase"
    assert t.loc[1, "label_vs_last_year"].startswith("no change")
    assert {"ward_name", "population", "rate_lower", "rate_upper", "p_vs_last_year"} <= set(t)
    pd.testing.assert_frame_equal(AREAS, before)


def test_area_summary_needs_current():
    with pytest.raises(ValueError, match="current"):
        area_summary(rows([], "ward_code"), AREAS, {"last_year": PERIODS["last_year"]})


def test_fdr_family_is_the_crime_types_and_the_total_stands_alone():
    # Issue 12: the BH family is the 14 police.uk types; "All crime" is tested on its own.
    from sa_lib.choices import choices_table, clear_choices
    from sa_lib.data.counts import POLICE_UK_TYPES
    from sa_lib.data.periods import parse_period
    from sa_lib.stats.change import compare_counts

    rng = np.random.default_rng(5)
    rows = []
    for k, t in enumerate(POLICE_UK_TYPES):
        rows += [("2024-10", t)] * int(rng.integers(5, 60))
        rows += [("2025-10", t)] * int(rng.integers(5, 60) + 3 * k)
    crimes = pd.DataFrame(rows, columns=["month", "crime_type"])
    periods = {"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")}
    clear_choices()
    t = type_summary(crimes, periods, population=50000)
    assert "Multiple comparisons: crime types" in choices_table()["choice"].tolist()
    types = t[t["crime_type"] != "All crime"]
    raw = compare_counts(
        types.rename(columns={"count_last_year": "b", "count_current": "a"}),
        before="b",
        after="a",
        correction="none",
    )["p_value"].to_numpy()
    # Benjamini-Hochberg by hand over the 14 types.
    m = len(raw)
    order = np.argsort(raw)
    adj = np.minimum.accumulate((raw[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    bh = np.empty(m)
    bh[order] = np.minimum(adj, 1)
    assert m == 14
    assert np.allclose(types["p_vs_last_year"].to_numpy(), bh)
    total = t[t["crime_type"] == "All crime"].iloc[0]
    alone = compare_counts(
        pd.DataFrame({"b": [total["count_last_year"]], "a": [total["count_current"]]}),
        before="b",
        after="a",
        correction="none",
    )["p_value"].iloc[0]
    assert total["p_vs_last_year"] == pytest.approx(alone)


def _dispersions_by_crosstab(
    crimes, months, labels, total_label, asb_label="Anti-social behaviour"
):
    """An independent reading of series_dispersions' counts: pandas' crosstab, per label."""
    from sa_lib.stats.dispersion import series_dispersion

    d = crimes[crimes["month"].isin(months)]
    table = pd.crosstab(d["month"], d["crime_type"]).reindex(months, fill_value=0)
    out = []
    for lab in labels:
        if lab == total_label:
            y = table.drop(columns=[asb_label], errors="ignore").sum(axis=1)
        elif lab in table.columns:
            y = table[lab]
        else:
            y = pd.Series(0, index=table.index)
        frame = pd.DataFrame({"date": pd.to_datetime(months), "count": y.to_numpy()})
        r = series_dispersion(frame) if y.sum() > 0 else {"dispersion": 1.0, "df": np.nan}
        out.append((r["dispersion"], r["df"]))
    return out


def test_series_dispersions_counts_each_month_as_a_crosstab_does():
    """Months with no rows count 0, months outside the list and rows without a type are
    not counted, a type with no rows keeps dispersion 1, the total leaves out ASB."""
    from sa_lib.themes.summary import series_dispersions

    rng = np.random.default_rng(5)
    months = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
    types = ["Anti-social behaviour", "Burglary", "Drugs", "Shoplifting"]
    n = 4000
    crimes = pd.DataFrame(
        {
            "month": rng.choice([*months, "2022-12", "2025-01"], n),
            "crime_type": rng.choice([*types, None], n, p=[0.3, 0.25, 0.05, 0.3, 0.1]),
        }
    )
    crimes = crimes[crimes["month"] != "2024-05"]  # a held month with no rows: 0
    labels = ["All crime", "Burglary", "Drugs", "Robbery", "Anti-social behaviour"]
    got = series_dispersions(crimes, months, labels, total_label="All crime")
    expected = _dispersions_by_crosstab(crimes, months, labels, "All crime")
    assert list(got.columns) == ["dispersion", "dispersion_df"] and len(got) == len(labels)
    for (phi, df), (e_phi, e_df) in zip(got.itertuples(index=False), expected, strict=True):
        assert phi == pytest.approx(e_phi, rel=1e-12)
        assert (np.isnan(df) and np.isnan(e_df)) or df == e_df
    assert got.loc[3, "dispersion"] == 1.0 and np.isnan(got.loc[3, "dispersion_df"])  # Robbery
    assert (got["dispersion"] >= 1).all()
