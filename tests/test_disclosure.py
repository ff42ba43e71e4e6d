import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats import disclosure as d

# ---- an independent recoverability check ----------------------------------


def recoverable_cells(values, suppressed, explicit_totals):
    """Suppressed cells whose value follows from the published row/column sums.

    Builds the linear equations a reader has (every row and column adds up) with the
    suppressed cells as unknowns. A cell is determined exactly when its unit vector lies
    in the row space of the equations (rank does not grow when it is appended).
    With ``explicit_totals`` the last row and column are totals inside the table;
    otherwise the marginal sums are published separately and known.
    """
    values = np.asarray(values, dtype=float)
    supp = np.asarray(suppressed, dtype=bool)
    unknown = {cell: k for k, cell in enumerate(zip(*np.nonzero(supp), strict=True))}
    nr, nc = values.shape
    eqs = []
    lines = [[(i, j) for j in range(nc)] for i in range(nr)] + [
        [(i, j) for i in range(nr)] for j in range(nc)
    ]
    for line in lines:
        coef = np.zeros(len(unknown))
        # explicit: body cells minus the total cell = 0; implicit: all cells sum to a known total
        for pos, cell in enumerate(line):
            sign = -1.0 if explicit_totals and pos == len(line) - 1 else 1.0
            if cell in unknown:
                coef[unknown[cell]] += sign
        eqs.append(coef)
    a = np.array(eqs)
    r = np.linalg.matrix_rank(a)
    out = []
    for cell, k in unknown.items():
        e = np.zeros(len(unknown))
        e[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == r:
            out.append(cell)
    return out


@pytest.fixture
def with_totals():
    body = pd.DataFrame(
        {"x": [3, 15, 25], "y": [20, 12, 18], "z": [30, 40, 11]}, index=["A", "B", "C"]
    )
    body["total"] = body.sum(axis=1)
    t = pd.concat([body, body.sum().to_frame("Total").T])
    t.insert(0, "ward", ["Ward A", "Ward B", "Ward C", "All"])
    return t


# ---- suppress_table --------------------------------------------------------


def test_primary_only_labels_and_zero_shown():
    t = pd.DataFrame({"n": [0, 1, 9, 10, 1234]})
    r = d.suppress_table(t, "n", secondary=False)
    assert r.display["n"].tolist() == ["0", "<10", "<10", "10", "1,234"]
    assert r.primary["n"].tolist() == [False, True, True, False, False]
    r5 = d.suppress_table(t, "n", threshold=5, secondary=False, suppress_zero=True)
    assert r5.display["n"].tolist() == ["<5", "<5", "9", "10", "1,234"]


def test_secondary_suppression_hand_case(with_totals):
    clear_choices()
    before = with_totals.copy()
    r = d.suppress_table(
        with_totals, ["x", "y", "z", "total"], total_row="Total", total_col="total"
    )
    pd.testing.assert_frame_equal(with_totals, before)  # input unchanged
    # By hand: A.x=3 is primary. Row A then has one suppression -> smallest body cell A.y=20.
    # Column x has one -> smallest other non-zero body cell B.x=15; column y -> B.y=12.
    # Every row and column now has 0 or 2 suppressed cells.
    expected = pd.DataFrame(
        {
            "ward": ["Ward A", "Ward B", "Ward C", "All"],
            "x": ["<10", "[c]", "25", "43"],
            "y": ["[c]", "[c]", "18", "50"],
            "z": ["30", "40", "11", "81"],
            "total": ["53", "67", "54", "174"],
        },
        index=["A", "B", "C", "Total"],
    )
    pd.testing.assert_frame_equal(r.display, expected)
    assert r.primary.sum().sum() == 1
    assert r.secondary.loc[["A", "B"], ["x", "y"]].sum().sum() == 3
    # the totals cannot recover any hidden cell
    vals = with_totals[["x", "y", "z", "total"]].to_numpy()
    assert recoverable_cells(vals, r.suppressed.to_numpy(), explicit_totals=True) == []
    table = choices_table().set_index("choice")
    assert table.loc["Disclosure: suppression threshold", "value"] == "10"
    assert table.loc["Disclosure: secondary suppression", "value"] == "on"


def test_without_secondary_the_cell_is_recoverable(with_totals):
    # the check above can fail: with primary suppression only, A.x = 53 - 20 - 30
    r = d.suppress_table(
        with_totals, ["x", "y", "z", "total"], total_row="Total", total_col="total", secondary=False
    )
    vals = with_totals[["x", "y", "z", "total"]].to_numpy()
    assert recoverable_cells(vals, r.suppressed.to_numpy(), explicit_totals=True) == [(0, 0)]


def test_secondary_with_implicit_totals_and_no_zero_complements():
    t = pd.DataFrame({"a": [4, 0, 30], "b": [0, 50, 22], "c": [60, 70, 0]})
    r = d.suppress_table(t, ["a", "b", "c"])
    # row 0: a=4 primary; complement is c=60 (b=0 is never a complement).
    # column a: a0 only -> a2=30 (a1=0 skipped); column c: c0 -> c1=70.
    # row 1 now has c1 only -> b1=50; row 2 has a2 -> b2=22. Column b: b1, b2. Stable.
    assert r.suppressed.to_numpy().tolist() == [
        [True, False, True],
        [False, True, True],
        [True, True, False],
    ]
    assert r.display.loc[0, "b"] == "0"
    assert recoverable_cells(t.to_numpy(), r.suppressed.to_numpy(), explicit_totals=False) == []


def test_small_total_is_suppressed_too():
    t = pd.DataFrame({"a": [3, 40], "b": [2, 50]}, index=["r1", "r2"])
    t["total"] = t["a"] + t["b"]
    r = d.suppress_table(t, ["a", "b", "total"], total_col="total")
    assert r.display.loc["r1"].tolist() == ["<10", "<10", "<10"]
    # columns a, b and total each had one suppression: r2 complements them all (the grand
    # total is assumed published, so r1's total = grand total - 90 unless 90 is hidden)
    assert r.display.loc["r2"].tolist() == ["[c]", "[c]", "[c]"]


def test_warns_when_a_cell_cannot_be_protected():
    t = pd.DataFrame({"a": [4, 0], "b": [0, 0]})
    with pytest.warns(UserWarning) as rec:
        d.suppress_table(t, ["a", "b"])
    msgs = sorted(str(w.message).split(" has")[0] for w in rec)
    assert msgs == ["Column 'a'", "Row 0"]


def test_single_column_table_protects_the_column_only():
    r = d.suppress_table(pd.DataFrame({"n": [5, 20, 30]}), "n")
    assert r.display["n"].tolist() == ["<10", "[c]", "30"]


def test_settings_object_and_labels():
    s = d.disclosure_settings(threshold=5, label="fewer than {threshold}", secondary_label="*")
    r = d.suppress_table(pd.DataFrame({"a": [3, 8], "b": [20, 30]}), ["a", "b"], settings=s)
    assert r.display.to_numpy().tolist() == [["fewer than 5", "*"], ["*", "*"]]
    assert r.settings.threshold == 5


# ---- rates ------------------------------------------------------------------


def test_rates_follow_primary_rule():
    t = pd.DataFrame({"n": [4, 0, 50], "pop": [1000, 1000, 5000]})
    t["rate"] = t["n"] / t["pop"] * 1000
    r = d.suppress_rates(t, {"rate": "n"}, decimals=2)
    assert r.display["rate"].tolist() == ["[c]", "0.00", "10.00"]
    assert r.suppressed["rate"].tolist() == [True, False, False]


def test_rates_follow_secondary_suppression(with_totals):
    counts = d.suppress_table(
        with_totals, ["x", "y", "z", "total"], total_row="Total", total_col="total"
    )
    rates = with_totals.copy()
    rates["x_pct"] = 100 * rates["x"] / rates["total"]
    r = d.suppress_rates(rates, {"x_pct": "x"}, mask=counts)
    # A.x primary, B.x secondary: both percentages hidden
    assert r.display["x_pct"].tolist() == ["[c]", "[c]", f"{100 * 25 / 54:.1f}", "24.7"]
    assert r.primary["x_pct"].tolist() == [True, False, False, False]


# ---- banding ----------------------------------------------------------------


def test_band_counts():
    s = pd.Series([0, 3, 10, 19, 20, 49, 50, 999, 1000], name="n")
    out = d.band_counts(s, bands=(10, 20, 50, 1000))
    assert out.tolist() == [
        "0",
        "<10",
        "10-19",
        "10-19",
        "20-49",
        "20-49",
        "50-999",
        "50-999",
        "1,000+",
    ]
    assert out.name == "n"
    assert d.band_counts(pd.Series([0]), zero_label=None).tolist() == ["<10"]


# ---- scanning -----------------------------------------------------------------


# ---- errors (one broken fixture per message) ---------------------------------


def test_error_threshold_below_one():
    with pytest.raises(ValueError, match="threshold must be at least 1, got 0"):
        d.suppress_table(pd.DataFrame({"n": [1]}), "n", threshold=0)


def test_error_threshold_not_whole():
    with pytest.raises(ValueError, match="threshold must be a whole number"):
        d.disclosure_settings(threshold=7.5)


def test_error_non_numeric_counts():
    t = pd.DataFrame({"n": ["12", "<10", "30"]})
    with pytest.raises(
        ValueError, match=r"df\['n'\] must be numeric.*First bad value '<10' at row 1"
    ):
        d.suppress_table(t, "n")


def test_error_negative_count():
    with pytest.raises(ValueError, match="must not be negative; found -2"):
        d.suppress_table(pd.DataFrame({"n": [5, -2]}), "n")


def test_error_missing_count():
    with pytest.raises(ValueError, match=r"missing value\(s\); the first is at row 1"):
        d.suppress_table(pd.DataFrame({"n": [5, np.nan]}), "n")


def test_error_missing_column():
    with pytest.raises(ValueError, match=r"missing required column\(s\): 'm'"):
        d.suppress_table(pd.DataFrame({"n": [5]}), ["n", "m"])


def test_error_total_col_not_in_count_cols():
    with pytest.raises(ValueError, match="total_col='t' is not one of count_cols"):
        d.suppress_table(pd.DataFrame({"n": [5], "t": [5]}), ["n"], total_col="t")


def test_error_total_row_missing():
    with pytest.raises(ValueError, match="total_row='Total' is not an index label"):
        d.suppress_table(pd.DataFrame({"n": [5]}), ["n"], total_row="Total")


def test_error_duplicate_index():
    with pytest.raises(ValueError, match="duplicate label 'a'"):
        d.suppress_table(pd.DataFrame({"n": [5, 6]}, index=["a", "a"]), ["n"])


def test_error_bad_label():
    with pytest.raises(ValueError, match="not a valid format string"):
        d.disclosure_settings(label="<{limit}")


def test_warns_when_totals_do_not_add_up():
    t = pd.DataFrame({"a": [20, 30], "total": [20, 31]})
    with pytest.warns(UserWarning, match="total column does not equal"):
        d.suppress_table(t, ["a", "total"], total_col="total")


def test_error_rate_cols_empty():
    with pytest.raises(ValueError, match="rate_cols must be a non-empty dict"):
        d.suppress_rates(pd.DataFrame({"r": [1.0]}), {})


def test_error_rate_mask_index_mismatch():
    t = pd.DataFrame({"n": [5, 20], "r": [1.0, 2.0]})
    mask = d.suppress_table(t, "n").suppressed.iloc[::-1]
    with pytest.raises(ValueError, match="mask and df have different indexes"):
        d.suppress_rates(t, {"r": "n"}, mask=mask)


def test_error_bad_bands():
    with pytest.raises(ValueError, match="bands must be increasing whole numbers"):
        d.band_counts(pd.Series([1, 2]), bands=(20, 10))


def test_error_band_counts_not_series():
    with pytest.raises(ValueError, match="series must be a pandas Series"):
        d.band_counts([1, 2])


def test_columns_only_protects_period_columns_not_rows():
    # Columns are periods: each column's total is published, rows are not summed.
    df = pd.DataFrame(
        {"q4_2025": [3, 40, 50], "q4_2024": [0, 45, 60]}, index=["Homicide", "Injury", "No injury"]
    )
    both = d.suppress_table(df, ["q4_2025", "q4_2024"], threshold=10)
    cols = d.suppress_table(df, ["q4_2025", "q4_2024"], threshold=10, lines="columns")
    # Column q4_2025 has one small cell (3): its smallest non-zero partner (40) is hidden too.
    assert cols.suppressed["q4_2025"].tolist() == [True, True, False]
    # No row total exists, so nothing in q4_2024 needs hiding ("both" would hide 0's row partner).
    assert not cols.suppressed["q4_2024"].any()
    assert both.suppressed.to_numpy().sum() > cols.suppressed.to_numpy().sum()


def test_lines_must_be_a_valid_choice():
    with pytest.raises(ValueError, match="lines='diagonal' is not a valid choice"):
        d.suppress_table(pd.DataFrame({"a": [1, 20]}), ["a"], threshold=10, lines="diagonal")


def test_methods_keep_the_pack_setting_and_list_per_table_deviations():
    # Issue 12, defect 3: the last table suppressed used to overwrite the pack's setting,
    # so Methods said "secondary suppression: off" on pages where it was on.
    from sa_lib.stats.disclosure import (
        disclosure_settings,
        record_disclosure_settings,
        suppress_table,
    )

    t = pd.DataFrame({"a": [3, 25, 40], "b": [14, 40, 12]})
    clear_choices()
    record_disclosure_settings(disclosure_settings(threshold=10, secondary=True))
    suppress_table(t, ["a", "b"])
    suppress_table(t, ["a"], secondary=False, table="Data quality")
    suppress_table(t, ["a"], threshold=5, secondary=False, table="Premises")
    suppress_table(t, ["a", "b"], secondary=True)
    table = choices_table().set_index("choice")["value"]
    assert table["Disclosure: secondary suppression"] == "on"
    assert table["Disclosure: suppression threshold"] == "10"
    assert table["Disclosure: tables set differently"] == (
        "Data quality: secondary suppression off; Premises: threshold 5, secondary suppression off"
    )
    # Without a pack setting, the first table's settings stand for the pack.
    clear_choices()
    suppress_table(t, ["a", "b"], secondary=True)
    suppress_table(t, ["a"], secondary=False)
    table = choices_table().set_index("choice")["value"]
    assert table["Disclosure: secondary suppression"] == "on"
    assert table["Disclosure: tables set differently"] == "a table: secondary suppression off"
