import re
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
from conftest import collect_html

from sa_lib.data.periods import parse_period
from sa_lib.pack.context import EffectiveDisclosure
from sa_lib.pack.disclosure_scan import scan_html_for_disclosure
from sa_lib.pack.params_model import Statistics
from sa_lib.themes import report
from sa_lib.themes.report import summary_display, table_html
from sa_lib.themes.summary import type_summary

TABLE = pd.DataFrame(
    {
        "ward": ["A", "B", "C"],
        "current": [3, 25, 40],
        "previous": [20, 30, 35],
        "rate": [1.5, 12.5, 20.0],
    }
)


def cells(html):
    """Rows of cell texts from a rendered table."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in body.split("</tr>") if "<td" in r]


def count_marks(html):
    return re.findall(r'data-sa-count="([^"]*)"', html)


def test_primary_and_secondary_suppression():
    before = TABLE.copy()
    html = table_html(TABLE, count_cols=["current", "previous"], threshold=10)
    rows = cells(html)
    assert rows[0][:2] == ["A", "&lt;10"]  # primary: 3 is shown as <10
    assert ">3<" not in html
    # Secondary: the column total would reveal A's count, so another cell in the
    # column is hidden too, and likewise along A's row.
    assert rows[1][1] == "[c]"
    assert rows[0][2] == "[c]"
    assert rows[2][1:3] == ["40", "35"]
    assert "fewer than 10, suppressed for disclosure control" in html
    pd.testing.assert_frame_equal(TABLE, before)


def test_no_secondary():
    html = table_html(TABLE, count_cols=["current", "previous"], threshold=10, secondary=False)
    assert [r[1] for r in cells(html)] == ["&lt;10", "25", "40"]
    assert "[c]" not in count_marks(html)


def test_derived_hidden_with_its_counts():
    html = table_html(
        TABLE, count_cols=["current", "previous"], threshold=10, derived={"rate": ["current"]}
    )
    rows = cells(html)
    assert [r[3] for r in rows] == ["[c]", "[c]", "20.0"]
    # Without `derived` the rate of A (1.5 per 1,000 on a known population) would show.
    plain = table_html(TABLE, count_cols=["current", "previous"], threshold=10)
    assert cells(plain)[0][3] == "1.5"


def test_data_sa_count_marks_only_count_cells():
    html = table_html(TABLE, count_cols=["current", "previous"], threshold=10)
    assert count_marks(html) == ["&lt;10", "[c]", "[c]", "[c]", "40", "35"]
    assert html.count('class="sa-count"') == 6


def test_scan_finds_nothing_in_suppressed_table_but_flags_unsuppressed():
    safe = table_html(
        TABLE, count_cols=["current", "previous"], threshold=10, derived={"rate": ["current"]}
    )
    assert scan_html_for_disclosure(safe, threshold=10).empty
    unsafe = table_html(TABLE, count_cols=["current", "previous"])
    found = scan_html_for_disclosure(unsafe, threshold=10)
    assert found["kind"].tolist() == ["small_count"]
    assert found["value"].tolist() == [3]


def test_formatting_and_escaping():
    df = pd.DataFrame(
        {
            "name": ["<b>x</b>"],
            "n": [12345],
            "share": [12.345],
            "rate": [np.nan],
            "ratio": [1.23456],
        }
    )
    html = table_html(
        df, count_cols=["n"], pct_cols=["share"], decimals={"ratio": 3}, caption="A & B"
    )
    assert cells(html)[0] == ["&lt;b&gt;x&lt;/b&gt;", "12,345", "12.3%", "–", "1.235"]
    assert "<caption>A &amp; B</caption>" in html
    assert 'scope="col"' in html
    assert "sa-note" not in html  # nothing hidden, no note


def test_extra_suppressed_cells():
    mask = pd.DataFrame({"rate": [False, True, False]})
    html = table_html(TABLE, count_cols=["current"], suppressed=mask)
    assert [r[3] for r in cells(html)] == ["1.5", "[c]", "20.0"]


def test_suppress_zero():
    df = pd.DataFrame({"w": ["A", "B", "C"], "n": [0, 50, 60]})
    assert [r[1] for r in cells(table_html(df, count_cols=["n"], threshold=10))] == [
        "0",
        "50",
        "60",
    ]
    shown = [
        r[1] for r in cells(table_html(df, count_cols=["n"], threshold=10, suppress_zero=True))
    ]
    assert shown[0] == "&lt;10"
    assert "0" not in count_marks(
        table_html(df, count_cols=["n"], threshold=10, suppress_zero=True)
    )


# ---- summary_display ------------------------------------------------------------


def ctx(conf_level=0.95):
    return SimpleNamespace(
        periods={"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")},
        rate_label="per 1,000 residents",
        stats=Statistics(conf_level=conf_level, alpha=0.05, correction="fdr_bh"),
        disclosure=EffectiveDisclosure(threshold=10, secondary=True, suppress_zero=False),
    )


def summary():
    crimes = pd.DataFrame(
        {
            "month": ["2024-11"] * 10 + ["2025-11"] * 40 + ["2025-10"] * 3 + ["2024-10"] * 12,
            "crime_type": ["Robbery"] * 50 + ["Drugs"] * 15,
        }
    )
    return type_summary(
        crimes,
        ctx().periods,
        4000,
        types=["Robbery", "Drugs", "Burglary"],
        total_label="All crime",
    )


def test_summary_display_columns():
    d = summary_display(summary(), ctx())
    assert list(d.columns) == [
        "Crime type",
        "Q4 2025 (Oct-Dec)",
        "Q4 2024 (Oct-Dec)",
        "Rate per 1,000 residents a year",
        "95% CI",
        "vs Q4 2024 (Oct-Dec)",
    ]
    r = d.set_index("Crime type")
    assert r.loc["Robbery", "Q4 2025 (Oct-Dec)"] == 40
    assert r.loc["Robbery", "Rate per 1,000 residents a year"] == 40.0
    assert r.loc["Robbery", "vs Q4 2024 (Oct-Dec)"] == "+300% significant"
    # 12 -> 3: exact p = 0.035, BH-adjusted over 4 rows (rank 3) = 0.047 < 0.05.
    assert r.loc["Drugs", "vs Q4 2024 (Oct-Dec)"] == "-75% significant"
    assert r.loc["Burglary", "vs Q4 2024 (Oct-Dec)"] == "–"
    assert re.fullmatch(r"\d+\.\d to \d+\.\d", r.loc["Robbery", "95% CI"])
    assert "90% CI" in summary_display(summary(), ctx(0.9)).columns


def test_show_summary_suppresses_counts_and_derived():
    shown = collect_html(report.show_summary, summary(), ctx(), caption="Crime by type")
    (html,) = shown
    assert ">3<" not in html
    assert scan_html_for_disclosure(html, threshold=10).empty
    rows = {r[0]: r for r in cells(html)}
    # Columns are periods: only each period's column total is published, so the
    # complement of Drugs' 3 is the smallest other non-zero cell of the current
    # column (Robbery's 40); Drugs' 12 last year stays (no row total across periods).
    assert rows["Drugs"][1:3] == ["&lt;10", "12"]
    assert rows["Robbery"][1] == "[c]"
    # Drugs' rate, interval and change are hidden with its count.
    assert rows["Drugs"][3:] == ["[c]", "[c]", "[c]"]
    assert "<caption>Crime by type</caption>" in html


def test_summary_display_new_type():
    t = summary()
    t.loc[t["crime_type"] == "Drugs", "count_last_year"] = 0
    t.loc[t["crime_type"] == "Drugs", "label_vs_last_year"] = "new (was 0), not significant"
    d = summary_display(t, ctx()).set_index("Crime type")
    assert d.loc["Drugs", "vs Q4 2024 (Oct-Dec)"] == "new (was 0) (n.s.)"
    t.loc[t["crime_type"] == "Drugs", "label_vs_last_year"] = "new (was 0), significant increase"
    d = summary_display(t, ctx()).set_index("Crime type")
    assert d.loc["Drugs", "vs Q4 2024 (Oct-Dec)"] == "new (was 0) significant"


def test_threshold_without_count_cols_changes_nothing():
    html = table_html(TABLE, threshold=10)
    assert cells(html)[0][1] == "3"
    assert 'class="sa-count"' not in html


def test_withheld_lists_rows_hidden_as_complements(tmp_path):
    from types import SimpleNamespace

    from sa_lib.data.periods import parse_period
    from sa_lib.themes.report import withheld

    ctx = SimpleNamespace(
        periods={"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")},
        disclosure=EffectiveDisclosure(threshold=10, secondary=True, suppress_zero=False),
    )
    t = pd.DataFrame(
        {
            "crime_type": ["Homicide", "Sexual", "Injury"],
            "count_current": [3, 40, 300],
            "count_last_year": [20, 30, 280],
        }
    )
    # 3 is primary; its column's complement is the smallest other non-zero cell (40, Sexual).
    assert withheld(t, ctx) == {"Sexual"}
    assert withheld(t, ctx, key="last_year") == {"Sexual"}
    ctx.disclosure = replace(ctx.disclosure, secondary=False)
    assert withheld(t, ctx) == set()


def test_ward_map_frame_withholds_small_counts():
    from types import SimpleNamespace

    import geopandas as gpd
    from shapely.geometry import box

    from sa_lib.data.periods import parse_period
    from sa_lib.themes.report import ward_map_frame

    wards_geo = gpd.GeoDataFrame(
        {"ward_code": ["W1", "W2"], "ward_name": ["One", "Two"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=27700,
    )
    ctx = SimpleNamespace(
        geo=SimpleNamespace(wards=wards_geo),
        disclosure=EffectiveDisclosure(threshold=10, secondary=False),
        rate_label="per 1,000 residents",
        periods={"last_year": parse_period("2024-Q4")},
    )
    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2"],
            "rate": [5.0, 50.0],
            "rate_lower": [2.0, 40.0],
            "rate_upper": [9.0, 60.0],
            "count_current": [4, 120],
            "count_last_year": [20, 100],
            "pct_vs_last_year": [-80.0, 20.0],
            "label_vs_last_year": ["significant decrease", "increase, not significant"],
        }
    )
    m = ward_map_frame(ctx, wards).set_index("ward_code")
    assert pd.isna(m.loc["W1", "rate_shown"]) and m.loc["W2", "rate_shown"] == 50.0
    assert m.loc["W1", "tip_count"] == "<10" and "withheld" in m.loc["W1", "tip_rate"]
    assert "withheld" in m.loc["W1", "tip_change"]
    assert m.loc["W2", "tip_count"] == "120"
    assert m.loc["W2", "tip_rate"].startswith(
        "50.0 per 1,000 residents a year (95% CI 40.0 to 60.0)"
    )
    assert m.loc["W2", "tip_change"].startswith("+20% (n.s.)")


def test_overview_names_a_single_highest_ward_only_when_it_separates():
    # Issue 12: no published sentence names a single highest ward whose interval overlaps.
    from sa_lib.themes.overview import overview_findings

    wards = pd.DataFrame(
        {
            "ward_name": ["North", "South", "East"],
            "count_current": [300, 280, 50],
            "rate": [90.0, 85.0, 20.0],
            "rate_lower": [80.0, 75.0, 15.0],
            "rate_upper": [101.0, 96.0, 26.0],
        }
    )
    c = ctx()
    c.params = {}
    c.period = c.periods["current"]
    out = overview_findings(summary(), wards, c)
    last = out[-1].text
    assert last.startswith("North had one of the highest crime rates of the 3 wards")
    assert "with South" in last and "had the highest" not in last
    sep = wards.assign(rate_lower=[97.0, 75.0, 15.0], rate_upper=[104.0, 96.0, 26.0])
    assert overview_findings(summary(), sep, c)[-1].text.startswith(
        "North had the highest crime rate of the 3 wards: 90 per 1,000 residents a year"
    )


def test_show_summary_of_a_ranking_with_every_row_withheld_says_so():
    # A small CSP where every ward is below the threshold: top_ranked keeps no row.
    wards = pd.DataFrame({"ward_name": ["A", "B"], "count_current": [3, 4]})
    top = report.top_ranked(wards, ctx(), 10)
    assert top.empty
    shown = collect_html(
        report.show_summary, top, ctx(), label_col="ward_name", caption="Top wards (x)"
    )
    (html,) = shown
    assert "Top wards: nothing to show" in html and "threshold of 10" in html


def test_ward_map_frame_hides_what_the_ward_table_hides_as_a_complement():
    """One decision per number: a ward count shown as [c] in the table is not in its tooltip."""
    from types import SimpleNamespace

    import geopandas as gpd
    from shapely.geometry import box

    from sa_lib.data.periods import parse_period
    from sa_lib.themes.report import table_html, ward_map_frame, withheld

    wards_geo = gpd.GeoDataFrame(
        {"ward_code": ["W1", "W2", "W3"], "ward_name": ["One", "Two", "Three"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs=27700,
    )
    ctx = SimpleNamespace(
        geo=SimpleNamespace(wards=wards_geo),
        disclosure=EffectiveDisclosure(threshold=10, secondary=True, suppress_zero=False),
        rate_label="per 1,000 residents",
        periods={"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")},
    )
    wards = pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W3"],
            "ward_name": ["One", "Two", "Three"],
            "rate": [5.0, 11.0, 50.0],
            "rate_lower": [2.0, 8.0, 40.0],
            "rate_upper": [9.0, 15.0, 60.0],
            "count_current": [4, 11, 120],
            "count_last_year": [20, 15, 100],
            "pct_vs_last_year": [-80.0, -27.0, 20.0],
            "label_vs_last_year": ["significant decrease", "decrease, n.s.", "increase, n.s."],
        }
    )
    # The table: 4 is primary, so its column's smallest other count (11, Two) is a complement.
    assert withheld(wards, ctx, label_col="ward_code") == {"W2"}
    html = table_html(
        wards[["ward_name", "count_current", "count_last_year"]],
        count_cols=["count_current", "count_last_year"],
        threshold=10,
        lines="columns",
    )
    assert ">11<" not in html
    m = ward_map_frame(ctx, wards).set_index("ward_code")
    assert m.loc["W2", "tip_count"] == "[c]"
    assert "11" not in m.loc["W2", "tip_rate"] and pd.isna(m.loc["W2", "rate_shown"])
    assert m.loc["W3", "tip_count"] == "120"


def test_small_unknown_sex_goes_to_a_footnote_instead_of_wiping_a_column():
    from sa_lib.stats.disclosure import suppress_table
    from sa_lib.themes.report import unknown_to_footnote

    t = pd.DataFrame(
        {
            "age_band": ["18-24", "25-34", "Total"],
            "Female": [106, 150, 256],
            "Male": [80, 90, 170],
            "Unknown": [4, 7, 11],
            "Total": [190, 247, 437],
        }
    )
    kept = suppress_table(
        t.set_index("age_band"),
        ["Female", "Male", "Unknown", "Total"],
        threshold=10,
        secondary=True,
        total_row="Total",
        total_col="Total",
    )
    assert kept.suppressed["Male"].any()  # with the Unknown column, a known column is hit
    out, note_text = unknown_to_footnote(t, 10)
    assert "Unknown" not in out and out["Total"].tolist() == [186, 240, 426]
    assert note_text.startswith("11 victims with no recorded sex")
    res = suppress_table(
        out.set_index("age_band"),
        ["Female", "Male", "Total"],
        threshold=10,
        secondary=True,
        total_row="Total",
        total_col="Total",
    )
    assert not res.suppressed.to_numpy().any()
    assert t["Unknown"].tolist() == [4, 7, 11]  # input unchanged
