import pandas as pd
import pytest

from sa_lib.data.periods import Period, calendar_year, comparison_periods, parse_period


@pytest.mark.parametrize("text", ["2025-Q4", "2025Q4", "2025-q4", " 2025 - Q4 "])
def test_quarter_forms(text):
    p = parse_period(text)
    assert p.kind == "quarter"
    assert p.months == ["2025-10", "2025-11", "2025-12"]
    assert p.label == "Q4 2025 (Oct-Dec)"
    assert p.slug == "2025q4"
    assert p.n_months == 3


@pytest.mark.parametrize(
    ("q", "months", "label"),
    [
        (1, ["2025-01", "2025-02", "2025-03"], "Q1 2025 (Jan-Mar)"),
        (2, ["2025-04", "2025-05", "2025-06"], "Q2 2025 (Apr-Jun)"),
        (3, ["2025-07", "2025-08", "2025-09"], "Q3 2025 (Jul-Sep)"),
    ],
)
def test_each_quarter(q, months, label):
    p = parse_period(f"2025-Q{q}")
    assert p.months == months and p.label == label


@pytest.mark.parametrize("text", ["2025", 2025])
def test_calendar_year(text):
    p = parse_period(text)
    assert p.kind == "year"
    assert p.months[0] == "2025-01" and p.months[-1] == "2025-12" and p.n_months == 12
    assert p.label == "2025" and p.slug == "2025"
    assert p == calendar_year(2025)


@pytest.mark.parametrize("text", ["FY2025/26", "2025/26", "fy2025/2026", "FY 2025/26"])
def test_financial_year(text):
    p = parse_period(text)
    assert p.kind == "financial_year"
    assert p.months[0] == "2025-04" and p.months[-1] == "2026-03" and p.n_months == 12
    assert p.label == "FY2025/26"
    assert p.slug == "fy2025-26"


def test_financial_year_across_century():
    assert parse_period("FY2099/00").months[-1] == "2100-03"


def test_bad_financial_year():
    with pytest.raises(ValueError, match=r"2025 is followed by 26, not 27.*'FY2025/26'"):
        parse_period("FY2025/27")


@pytest.mark.parametrize("text", ["2025-Q5", "Q4", "2025-13", "12m-2025", "", "FY25/26", None])
def test_bad_period_lists_forms(text):
    with pytest.raises(ValueError, match="Valid forms: '2025-Q4'") as ei:
        parse_period(text)
    assert repr(text) in str(ei.value)


def test_previous_across_year_boundary():
    q1 = parse_period("2025-Q1")
    assert q1.previous().label == "Q4 2024 (Oct-Dec)"
    assert q1.previous().months == ["2024-10", "2024-11", "2024-12"]
    assert q1.same_period_last_year().label == "Q1 2024 (Jan-Mar)"


def test_previous_and_last_year_of_financial_year():
    fy = parse_period("FY2025/26")
    assert fy.previous().label == "FY2024/25"
    assert fy.same_period_last_year().label == "FY2024/25"


def test_shift():
    p = parse_period("2025-Q4").shift(2)
    assert p.start == pd.Period("2025-12", freq="M") and p.end == pd.Period("2026-02", freq="M")
    assert isinstance(p, Period)


def test_comparison_periods_quarter():
    c = comparison_periods(parse_period("2025-Q1"), 2023)
    assert {k: v.label for k, v in c.items()} == {
        "current": "Q1 2025 (Jan-Mar)",
        "previous": "Q4 2024 (Oct-Dec)",
        "last_year": "Q1 2024 (Jan-Mar)",
        "baseline": "2023",
    }
    assert c["baseline"].n_months == 12


def test_comparison_periods_without_baseline():
    c = comparison_periods(parse_period("2025"), None)
    assert list(c) == ["current", "previous", "last_year"]
    assert c["previous"] == c["last_year"] == calendar_year(2024)


def test_month_period():
    p = parse_period("2018-07")
    assert (p.kind, p.months, p.label, p.slug) == ("month", ["2018-07"], "Jul 2018", "2018-07")
    assert p.previous().months == ["2018-06"]
    assert p.same_period_last_year().months == ["2017-07"]
    assert parse_period("2025-01").previous().months == ["2024-12"]


def test_rolling_year_period():
    p = parse_period("12m-2025-06")
    assert p.kind == "rolling_year" and p.n_months == 12
    assert (p.months[0], p.months[-1]) == ("2024-07", "2025-06")
    assert p.label == "12 months to Jun 2025"
    assert p.previous().months[0] == "2023-07" and p.previous().months[-1] == "2024-06"
    assert p.same_period_last_year() == p.previous()
    assert parse_period("12M2025-06") == p
