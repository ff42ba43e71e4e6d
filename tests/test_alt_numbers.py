"""The numbers a chart's alt text quotes are the numbers its table shows (issue 21).

Read from the built sample pack's results (``results/<theme>.json``: every figure and
table with its section): each number a figure's alt text quotes as a value (latest,
highest, lowest, the largest bar, the highest cell, a constant line) must appear,
formatted as the page formats it, among the cells of the tables of the same section.
A chart whose section has no table of the values it draws is listed in
:data:`NO_TABLE` with the reason.
"""

from __future__ import annotations

import json
import re

import pytest

#: A number as the pages write it (thousands commas, a sign, decimals).
NUMBER = re.compile(r"(?<![\w.,])-?\d{1,3}(?:,\d{3})*(?:\.\d+)?(?![\w%]|,\d|\.\d)")
#: A value the alt text quotes: after latest/highest/lowest, "is", or a label's colon.
VALUE = re.compile(
    r"(?:\blatest|\bhighest|\blowest|\bis|(?<!Chart):)\s(-?\d{1,3}(?:,\d{3})*(?:\.\d+)?)(?![\w%]|,\d|\.\d)"
)

#: (theme, section, words of its alt text; "" for every chart of the section) of a chart
#: whose section shows no table of what it draws, and why.
NO_TABLE = {
    # Monthly series: the section's tables hold the period's totals, not the months drawn.
    ("overview", "monthly", ""): "monthly counts by crime type and the monthly XmR chart",
    ("overview", "spc", ""): "monthly XmR chart of all crime",
    ("overview", "trend", ""): "monthly trend and projection of a target",
    ("violence", "trends", ""): "monthly counts by type and the monthly XmR chart",
    ("violence", "ambulance", ""): "monthly index of recorded violence and ambulance call-outs",
    ("domestic_abuse", "volume", ""): "monthly counts and the monthly XmR chart",
    ("outcomes", "months", ""): "monthly shares by month of the crime",
    ("place_profile", "counts", ""): "monthly rates of the place and the rest of the district",
    # A series over quarters; the table shows the latest quarter only. The chart quotes its
    # shares in whole percents as the table does (test_alt_text: repeat share chart).
    ("domestic_abuse", "repeat", ""): "quarterly repeat shares; the table holds the latest one",
    # Day-by-hour grids: the section's table is about event days, not the 56 cells.
    ("domestic_abuse", "when", ""): "day by time-of-day grid",
    ("place_profile", "when", ""): "day by time-of-day grid",
    ("violence", "nte", ""): "day by time-of-day grid",
    # Curves computed from the table's values, not values of it.
    ("overview", "comparison", "Funnel plot"): "control limits over population",
    ("overview", "concentration", ""): "Lorenz curve: cumulative shares from 0 to 100%",
    ("cse", "trends", ""): "banded quarterly counts (the bands' positions, not counts)",
    ("cse", "profiles", ""): "grid of indicator scores of the priority wards",
    # The chart ranks every ward; the section's table lists the priority wards only.
    ("cse", "priority", ""): "median simulated rank of every ward",
}


def _numbers(text: str) -> set[str]:
    return set(NUMBER.findall(text))


def _results(pack) -> dict[str, dict]:
    res, _themes = pack
    assert res.exit_code == 0, res
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((res.out_dir / "results").glob("*.json"))
    }


def alt_values(alt: str) -> list[str]:
    """The values an alt text quotes (not the numbers of its title or axis labels).

    Examples
    --------
    >>> alt_values("Chart: Burglary, Q4 2025. Vertical axis: Crimes. A: latest 7, highest 1,009, lowest 5.")
    ['7', '1,009', '5']
    >>> alt_values("Chart: 3 areas; the highest rate is 72.8 (Huntingdon), the lowest 40.1 (X).")
    ['72.8', '40.1']
    """
    return VALUE.findall(alt)


def missing_values(result: dict) -> list[tuple[str, str, list[str]]]:
    """(section, alt, values not in the section's tables) for each figure of one result."""
    shown: dict[str, set[str]] = {}
    for t in result.get("tables", []):
        cells = shown.setdefault(t["section"], set())
        for row in t["shown"]:
            for c in row:
                cells |= _numbers(str(c))
    out = []
    for f in result.get("figures", []):
        if any(
            (t, sec) == (result["theme"], f["section"]) and words in f["alt"]
            for t, sec, words in NO_TABLE
        ):
            continue
        miss = [v for v in alt_values(f["alt"]) if v not in shown.get(f["section"], set())]
        if miss:
            out.append((f["section"], f["alt"][:300], miss))
    return out


def test_missing_values_finds_a_number_the_table_does_not_show():
    res = {
        "theme": "t",
        "tables": [{"section": "s", "shown": [["Ward A", "1,009", "72.8"]]}],
        "figures": [{"section": "s", "alt": "Chart: x. A: latest 1,009, highest 72.8, lowest 6."}],
    }
    assert missing_values(res) == [("s", res["figures"][0]["alt"], ["6"])]
    res["tables"][0]["shown"].append(["Ward B", "6", "–"])
    assert missing_values(res) == []


@pytest.mark.e2e
def test_every_chart_quotes_only_the_numbers_of_its_sections_tables(pack):
    results = _results(pack)
    n = sum(len(r.get("figures", [])) for r in results.values())
    assert n >= 30
    bad = {theme: m for theme, r in results.items() if (m := missing_values(r))}
    assert bad == {}
    # Every allowance names a chart that is there (a stale one is removed).
    there = {
        (t, f["section"], w)
        for t, r in results.items()
        for f in r.get("figures", [])
        for w in {key[2] for key in NO_TABLE}
        if w in f["alt"]
    }
    assert set(NO_TABLE) <= there, set(NO_TABLE) - there


def test_a_dot_and_whisker_chart_quotes_its_rates_not_its_row_positions():
    """The rate chart's error-bar caps and a dot series across named rows drew their row
    positions (0 to 6) into the alt text as "Values: latest 6, highest 6, lowest 0"."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from sa_lib.charts.comparison import plot_rates_with_ci
    from sa_lib.charts.risk_index import plot_stability
    from sa_lib.themes.alt_text import describe_figure

    df = pd.DataFrame(
        {"area": ["A", "B", "C"], "rate": [5.0, 7.3, 61.2], "rate_lower": [4.0, 6.0, 50.0],
         "rate_upper": [6.0, 8.0, 70.0]}
    )  # fmt: skip
    alt = describe_figure(plot_rates_with_ci(df, per=1000))
    assert "the highest rate is 61.2 (C), the lowest 5.0 (A)" in alt, alt
    assert "Values" not in alt and set(alt_values(alt)) == {"61.2", "5.0"}, alt
    st = pd.DataFrame(
        {"ward": ["A", "B", "C"], "rank": [1, 2, 3], "p_top_n": [0.9, 0.5, 0.1],
         "median_rank": [1.0, 2.0, 9.0], "rank_5th": [1, 1, 2], "rank_95th": [2, 4, 12]}
    )  # fmt: skip
    alt = describe_figure(plot_stability(st))
    assert "median rank: highest 9 (C), lowest 1 (A)" in alt, alt
