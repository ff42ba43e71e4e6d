"""Stop and search: find rate with Wilson CI, cross-table, drugs alongside searches."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sa_lib.stats.stop_search import drugs_alongside_searches, find_rate, is_find, search_table


def _searches():
    return pd.DataFrame(
        {
            "object_of_search": ["Controlled drugs"] * 6 + ["Offensive weapons"] * 2 + [None],
            "outcome": [
                "Arrest",
                "A no further action disposal",
                "Arrest",
                "Community resolution",
                "A no further action disposal",
                "Arrest",
                "Arrest",
                "A no further action disposal",
                "Arrest",
            ],
            "outcome_linked_to_object": [
                "True",
                "",
                "True",
                "False",
                None,
                "true",
                "True",
                "",
                "True",
            ],
        }
    )


def test_find_rate_by_object_counts_and_wilson():
    s = _searches()
    before = s.copy()
    r = find_rate(s).set_index("object_of_search")
    pd.testing.assert_frame_equal(s, before)
    d = r.loc["Controlled drugs"]
    assert (d["searches"], d["finds"], d["link_blank"], d["no_further_action"]) == (6, 3, 2, 2)
    lo, hi = proportion_confint(3, 6, method="wilson")
    assert d["find_rate"] == 0.5
    assert d["find_lower"] == pytest.approx(lo) and d["find_upper"] == pytest.approx(hi)
    assert r.loc["Not recorded", "searches"] == 1


def test_overall_find_rate():
    r = find_rate(_searches(), by=[]).iloc[0]
    assert r["searches"] == 9 and r["finds"] == 5


def test_is_find_treats_blank_as_not_found():
    assert is_find(pd.Series(["True", "", None, "FALSE", "1"])).tolist() == [
        True,
        False,
        False,
        False,
        True,
    ]


def test_search_table_totals():
    t = search_table(_searches())
    total = t[t["object_of_search"] == "Total"].iloc[0]
    assert total["Total"] == 9
    assert t.iloc[:-1]["Total"].sum() == 9
    assert t.iloc[0]["object_of_search"] == "Controlled drugs"


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="outcome_linked_to_object"):
        find_rate(_searches().drop(columns="outcome_linked_to_object"))


def test_drugs_alongside_searches_matches_scipy():
    m = pd.DataFrame(
        {
            "drug_searches": [5, 9, 7, 20, 14, 30, 3, 11],
            "drug_crimes": [10, 8, 12, 22, 15, 25, 9, 6],
        }
    )
    r = drugs_alongside_searches(m)
    ref = stats.spearmanr(m["drug_searches"], m["drug_crimes"])
    assert r["rho"] == pytest.approx(ref.statistic) and r["p_value"] == pytest.approx(ref.pvalue)
    assert r["rises_with_searches"] == (ref.statistic > 0 and ref.pvalue < 0.05)


def test_drugs_alongside_searches_half_change():
    m = pd.DataFrame({"drug_searches": [10, 10, 20, 20], "drug_crimes": [5, 6, 5, 6]})
    r = drugs_alongside_searches(m)
    assert r["searches_change_pct"] == pytest.approx(100.0)
    assert r["crimes_change_pct"] == pytest.approx(0.0)


def test_too_few_months_gives_no_correlation():
    r = drugs_alongside_searches(pd.DataFrame({"drug_searches": [1, 2], "drug_crimes": [2, 3]}))
    assert r["months"] == 2 and not r["rises_with_searches"]
