import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sa_lib.charts.monthly import plot_monthly_trends
from sa_lib.data.counts import monthly_counts
from sa_lib.data.periods import parse_period
from sa_lib.style import OKABE_ITO


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def monthly():
    months = [str(p) for p in pd.period_range("2024-01", "2025-12", freq="M")]
    rows = []
    for i, m in enumerate(months):
        rows += [(m, "Burglary")] * (20 + i % 3)
        rows += [(m, "Robbery")] * 12
        rows += [(m, "Drugs")] * (i % 4)  # always below 10
    return monthly_counts(pd.DataFrame(rows, columns=["month", "crime_type"]))


ANNOTATIONS = pd.DataFrame(
    {
        "date": pd.to_datetime(
            ["2014-11-18", "2024-06-01", "2025-05-01", "2025-12-15", "2026-01-01"]
        ),
        "crime_types": ["all", "Burglary", "all", "Robbery", "all"],
        "label": ["before the chart", "burglary change", "all change", "late", "after the chart"],
        "source": ["s"] * 5,
    }
)


def break_lines(ax):
    return [ln for ln in ax.lines if ln.get_linestyle() == "--"]


def break_dates(ax):
    return [pd.Timestamp(ln.get_xdata()[0]) for ln in break_lines(ax)]


def break_numbers(ax):
    return [t.get_text().strip() for t in ax.texts if t.get_color() == OKABE_ITO[6]]


def visible_axes(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_one_panel_per_type():
    m = monthly()
    before = m.copy()
    fig = plot_monthly_trends(m, ["Burglary", "Robbery", "Drugs"])
    assert isinstance(fig, Figure)
    axes = visible_axes(fig)
    assert [ax.get_title(loc="left") for ax in axes] == ["Burglary", "Robbery", "Drugs"]
    assert len(fig.axes) == 4  # 2 x 2 grid, the spare panel hidden
    assert all(ax.get_ylim()[0] == 0 for ax in axes)
    assert len(axes[0].lines[0].get_xdata()) == 24
    pd.testing.assert_frame_equal(m, before)


def test_annotation_lines_only_in_range():
    fig = plot_monthly_trends(monthly(), ["Burglary", "Robbery"], annotations=ANNOTATIONS)
    burglary, robbery = visible_axes(fig)
    assert break_dates(burglary) == [pd.Timestamp("2024-06-01"), pd.Timestamp("2025-05-01")]
    assert break_dates(robbery) == [pd.Timestamp("2025-05-01"), pd.Timestamp("2025-12-15")]


def test_annotation_numbers_match_the_annotations_table():
    # The caption (report.show_breaks) numbers breaks by their row in the table, so
    # every panel must use the same number for the same break.
    fig = plot_monthly_trends(monthly(), ["Burglary", "Robbery"], annotations=ANNOTATIONS)
    burglary, robbery = visible_axes(fig)
    assert break_numbers(burglary) == ["2", "3"]
    assert break_numbers(robbery) == ["3", "4"]


def test_annotation_numbers_match_show_breaks():
    from conftest import collect_html

    from sa_lib.themes import report

    m = monthly()
    shown = collect_html(
        report.show_breaks, ANNOTATIONS, m["month_start"].min(), m["month_start"].max()
    )
    assert "[2] 01 Jun 2024</strong>: burglary change" in shown[0]
    assert "[3] 01 May 2025</strong>: all change" in shown[0]


def test_period_shaded_and_suppressed_panel():
    fig = plot_monthly_trends(
        monthly(), ["Burglary", "Drugs"], period=parse_period("2025-Q4"), suppress_below=10
    )
    burglary, drugs = visible_axes(fig)
    assert len(burglary.patches) == 1  # the shaded period
    assert len(drugs.lines) == 0
    assert "fewer than 10 a month" in drugs.texts[0].get_text()


def test_errors():
    with pytest.raises(ValueError, match="types is empty"):
        plot_monthly_trends(monthly(), [])
    with pytest.raises(ValueError, match="month_start"):
        plot_monthly_trends(pd.DataFrame({"crime_type": [], "count": []}), ["Drugs"])
