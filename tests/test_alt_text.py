"""Chart alt text is written from the chart's own data; synthetic charts are stamped."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sa_lib.themes.alt_text import WATERMARK, describe_figure, watermark_synthetic  # noqa: E402


def test_lines_name_their_latest_highest_and_lowest():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3, 4], [10, 40, 25, 30], label="Burglary")
    ax.axhline(20, label="Mean")
    ax.set_title("Burglary per month")
    text = describe_figure(fig)
    assert text.startswith("Chart: Burglary per month.")
    assert "Burglary: latest 30, highest 40, lowest 10." in text
    assert "Mean: 20." in text
    plt.close(fig)


def test_bars_name_the_largest_with_its_label():
    fig, ax = plt.subplots()
    ax.bar(["A", "B", "C"], [5, 12, 7])
    fig.canvas.draw()
    assert "3 bars; the largest is 12 (B)." in describe_figure(fig)
    plt.close(fig)


def test_heat_map_names_its_highest_cell_and_blank_cells():
    fig, ax = plt.subplots()
    a = np.ma.masked_invalid(np.array([[1.0, 2.0], [np.nan, 9.0]]))
    ax.imshow(a)
    ax.set_xticks([0, 1], ["00:00", "03:00"])
    ax.set_yticks([0, 1], ["Mon", "Tue"])
    text = describe_figure(fig)
    assert "the highest is 9 (Tue, 03:00)" in text and "1 cells are blank" in text
    plt.close(fig)


def test_synthetic_charts_are_stamped_and_say_so():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="x")
    watermark_synthetic(fig)
    assert [t.get_text() for t in fig.texts].count(WATERMARK) == 2
    assert describe_figure(fig).startswith("Chart: SYNTHETIC DATA")
    plt.close(fig)


def test_custom_alt_text_comes_first():
    fig, ax = plt.subplots()
    fig.sa_alt = "Drugs rose most."
    assert describe_figure(fig) == "Chart: Drugs rose most."
    plt.close(fig)


def test_age_pyramid_alt_text_names_the_tables_largest_count():
    """Issue 21: the alt text said the largest bar was 79 when the table's largest was 150
    (the female bars are drawn leftwards, with negative widths)."""
    import pandas as pd

    from sa_lib.charts.profiles import plot_age_sex

    t = pd.DataFrame(
        {"age_band": ["18-24", "25-34", "Total"], "Female": [106, 150, 256], "Male": [79, 79, 158]}
    )
    fig = plot_age_sex(t)
    fig.canvas.draw()
    assert "4 bars; the largest is 150 (25-34)." in describe_figure(fig)
    plt.close(fig)


def test_repeat_share_chart_quotes_whole_percents_as_its_table_shows():
    """The domestic-abuse repeat chart's alt text said 32.4 beside a table showing 32%: the
    chart describes its shares in the page's format, once."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from sa_lib.charts.repeat_victims import plot_repeat_trend

    trend = pd.DataFrame(
        {
            "period": ["2025Q2", "2025Q3", "2025Q4"],
            "victims": [120, 130, 125],
            "repeat_victims": [30, 35, 40],
            "repeat_victim_share": [0.25, 0.2692, 0.324],
            "repeat_victim_share_lower": [0.18, 0.2, 0.25],
            "repeat_victim_share_upper": [0.33, 0.35, 0.41],
        }
    )
    fig = plot_repeat_trend(trend)
    try:
        alt = describe_figure(fig)
    finally:
        plt.close(fig)
    assert "latest 2025Q4 32%" in alt and "highest 2025Q4 32%" in alt
    assert "lowest 2025Q2 25%" in alt
    assert "32.4" not in alt and "26.9" not in alt
