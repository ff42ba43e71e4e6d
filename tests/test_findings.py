"""Tests for sa_lib.themes.findings: exact wording for hand-checkable cases."""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib.stats.change import compare_counts
from sa_lib.stats.spc import xmr
from sa_lib.stats.trend import PoissonTrendResult, TargetResult, mann_kendall
from sa_lib.themes.findings import (
    change_sentence,
    format_count,
    format_p,
    format_pct,
    key_findings,
    spc_sentence,
    target_sentence,
    trend_sentence,
)


def _row(before, after, **kw):
    df = pd.DataFrame({"count_before": [before], "count_after": [after]})
    return compare_counts(df, correction="none", method="exact", **kw).iloc[0]


def _trend(pct, lo, hi, p, significant):
    return PoissonTrendResult(
        direction="x",
        pct_change_per_year=pct,
        pct_lower=lo,
        pct_upper=hi,
        p_value=p,
        significant=significant,
        n_months=36,
        seasonal=True,
        dispersion=1.0,
        start=pd.Timestamp("2021-01-01"),
        end=pd.Timestamp("2023-12-01"),
        alpha=0.05,
        fitted=None,
        model=None,
    )


def _target(status, lo, proj, hi, includes, start_month=4, target=900.0):
    return TargetResult(
        status=status,
        ci_includes_target=includes,
        baseline_year=2022,
        target_year=2025,
        target_pct_reduction=10.0,
        baseline_value=1000.0,
        target_value=target,
        projected_value=proj,
        projected_lower=lo,
        projected_upper=hi,
        projected_pct_change=proj / 10 - 100,
        months_observed_in_target_year=0,
        trend=_trend(-3.0, -5.0, -1.0, 0.01, True),
        projection=None,
        year_start_month=start_month,
    )


def _series(values):
    return pd.DataFrame(
        {"date": pd.date_range("2020-01-01", periods=len(values), freq="MS"), "count": values}
    )


# ------------------------------------------------------------------ formatting


def test_formatters():
    assert format_count(1234567) == "1,234,567"
    assert format_count(4, suppress_below=5) == "fewer than 5"
    assert format_count(0, suppress_below=5) == "fewer than 5"
    assert format_count(5, suppress_below=5) == "5"
    assert format_p(0.0009) == "p < 0.001"
    assert format_p(0.0451) == "p = 0.045"
    assert format_p(0.1432) == "p = 0.14"
    assert format_pct(11.95) == "12%"
    assert format_pct(-4.26) == "4.3%"


# ------------------------------------------------------------------ change sentences


def test_non_significant_increase_has_qualifier():
    # 410 -> 459: +49 / 410 = 11.95% -> "12%"; exact p = 0.103 (scipy binomtest) -> "0.10".
    s = change_sentence("Violence with injury", 410, 459, _row(410, 459))
    assert s == (
        "Violence with injury rose 12% (from 410 to 459); "
        "this is within normal variation (p = 0.10)."
    )


def test_brief_example_wording():
    row = {"significant": False, "p_value": 0.14}
    assert change_sentence("Violence with injury", 410, 459, row) == (
        "Violence with injury rose 12% (from 410 to 459); "
        "this is within normal variation (p = 0.14)."
    )


def test_significant_increase_and_decrease():
    # 10 -> 30: +200%; exact p = 0.00222 -> "0.002".
    assert change_sentence("Burglary", 10, 30, _row(10, 30)) == (
        "Burglary rose 200% (from 10 to 30); "
        "this is a statistically significant increase (p = 0.002)."
    )
    # 30 -> 10: -20 / 30 = -66.7% -> "67%".
    assert change_sentence("Burglary", 30, 10, _row(30, 10)) == (
        "Burglary fell 67% (from 30 to 10); "
        "this is a statistically significant decrease (p = 0.002)."
    )


def test_non_significant_decrease_one_decimal():
    row = {"significant": False, "p_value": 0.61}
    assert change_sentence("Theft", 470, 450, row) == (
        "Theft fell 4.3% (from 470 to 450); this is within normal variation (p = 0.61)."
    )


def test_new_when_before_zero_no_percentage():
    s = change_sentence("Robbery", 0, 5, {"significant": False, "p_value": 0.0625})
    assert (
        s == "Robbery is new this period (5 recorded); this is within normal variation (p = 0.062)."
    )
    assert "%" not in s


def test_unchanged_and_both_zero():
    assert (
        change_sentence("Arson", 20, 20, _row(20, 20))
        == "Arson was unchanged (20 in both periods)."
    )
    assert change_sentence("Arson", 0, 0, _row(0, 0)) == "Arson: none recorded in either period."
    # Zeros are shown in tables, so "none recorded" even with suppression on...
    assert (
        change_sentence("Arson", 0, 0, _row(0, 0), suppress_below=5)
        == "Arson: none recorded in either period."
    )
    # ... unless zeros are suppressed too.
    assert (
        change_sentence("Arson", 0, 0, _row(0, 0), suppress_below=5, suppress_zero=True)
        == "Arson: fewer than 5 recorded in either period."
    )


def test_suppression_hides_count_and_percentage():
    # 3 -> 12: exact p = 2 * (455 + 105 + 15 + 1) / 2**15 = 0.0352 -> "0.035".
    s = change_sentence("Robbery", 3, 12, _row(3, 12), suppress_below=5)
    assert s == (
        "Robbery rose (from fewer than 5 to 12); "
        "this is a statistically significant increase (p = 0.035)."
    )
    assert "3" not in s.replace("0.035", "")
    assert "%" not in s
    new = change_sentence("Robbery", 0, 3, _row(0, 3), suppress_below=5)
    assert (
        new
        == "Robbery is new this period (fewer than 5 recorded); this is within normal variation (p = 0.25)."
    )


def test_adjusted_p_is_named():
    row = {"significant": True, "p_value": 0.01, "p_adjusted": 0.03}
    assert change_sentence("Drugs", 20, 40, row) == (
        "Drugs rose 100% (from 20 to 40); "
        "this is a statistically significant increase (adjusted p = 0.030)."
    )


def test_unequal_periods_use_rate_change():
    # 60 in 12 months (5 a month) -> 40 in 6 months (6.67 a month): rate ratio 4/3, +33%.
    row = _row(60, 40, exposure_before=12, exposure_after=6)
    s = change_sentence("Criminal damage", 60, 40, row)
    assert s.startswith(
        "Criminal damage was 33% higher per day (from 60 to 40; the periods differ in length); "
        "this is within normal variation"
    )


def test_february_against_january_is_not_a_significant_decrease():
    """Issue 19: Feb v Jan read "a statistically significant decrease" on raw counts.

    The summary tables compare on days at risk: a 28-day February against a 31-day
    January is a per-day comparison, and the finding says "per day".
    """
    from sa_lib.data.periods import parse_period
    from sa_lib.themes.summary import change_table, type_summary

    crimes = pd.DataFrame(
        {"month": ["2025-01"] * 1000 + ["2025-02"] * 900, "crime_type": ["Burglary"] * 1900}
    )
    periods = {"current": parse_period("2025-02"), "previous": parse_period("2025-01")}
    t = type_summary(crimes, periods, 10_000, types=["Burglary"], total_label=None)
    row = change_table(t, "previous", total_label=None).iloc[0]
    assert row["rate_ratio"] == pytest.approx((900 / 28) / (1000 / 31))
    assert not bool(row["significant"]) and row["p_value"] > 0.5
    s = change_sentence("Burglary", 1000, 900, row)
    assert "per day" in s and "significant decrease" not in s


def test_bad_suppress_threshold():
    with pytest.raises(ValueError, match="suppress_below must be at least 1"):
        change_sentence("X", 1, 2, {}, suppress_below=0)


# ------------------------------------------------------------------ trend sentences


def test_trend_sentences():
    assert trend_sentence("Burglary", _trend(8.0, 3.0, 13.2, 0.002, True)) == (
        "Burglary has risen by about 8.0% a year between January 2021 and December 2023 "
        "(95% CI +3.0% to +13%; p = 0.002)."
    )
    assert trend_sentence("Burglary", _trend(-12.0, -18.0, -6.0, 0.0001, True)) == (
        "Burglary has fallen by about 12% a year between January 2021 and December 2023 "
        "(95% CI -18% to -6.0%; p < 0.001)."
    )
    assert trend_sentence("Burglary", _trend(1.2, -2.0, 4.5, 0.45, False)) == (
        "Burglary shows no clear long-term trend between January 2021 and December 2023 "
        "(estimated +1.2% a year, 95% CI -2.0% to +4.5%; p = 0.45)."
    )


def test_mann_kendall_sentence():
    # S = 41, Var S = 125, Z = 40 / sqrt(125) = 3.58 -> p < 0.001; Sen's slope = 1.
    r = mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11])
    assert trend_sentence("Shoplifting", r) == (
        "Shoplifting shows a statistically significant rising trend "
        "(Mann-Kendall p < 0.001; Sen's slope +1.0 per period)."
    )


def test_trend_sentence_bad_input():
    with pytest.raises(ValueError, match="PoissonTrendResult or MannKendallResult"):
        trend_sentence("X", {"p": 1})


# ------------------------------------------------------------------ SPC sentences


def test_spc_sentence_common_cause():
    # mean 12, mR 4: limits 12 ± 10.64 = 1.36 to 22.64 -> "1 to 23".
    s = spc_sentence("Burglary", xmr(_series([10, 14] * 6)))
    assert s == (
        "Burglary shows only common-cause (routine) variation over 12 months; "
        "December 2020 (14) was within a normal range of 1 to 23."
    )


def test_spc_sentence_earlier_special_cause():
    # mean 184/13 = 14.15, mR 8: limits -7.1 (shown as 0) to 35.4; July 2020 (40) is outside.
    s = spc_sentence("Burglary", xmr(_series([10, 14] * 3 + [40] + [10, 14] * 3)))
    assert s == (
        "Burglary in January 2021 (14) was within a normal range of 0 to 35; "
        "special-cause variation was last seen in July 2020 (high: outside limits)."
    )


def test_spc_sentence_latest_low_with_suppression():
    # mean 387/13 = 29.77, mR (44 + 31)/12 = 6.25: limits 13.1 to 46.4; the 3 is below.
    s = spc_sentence("Robbery", xmr(_series([30, 34] * 6 + [3])), suppress_below=5)
    assert s == (
        "Robbery in January 2021 (fewer than 5) was unusually low: special-cause variation "
        "(outside limits) against a normal range of 13 to 46."
    )


# ------------------------------------------------------------------ target sentences


def test_target_sentence_too_close_to_call_financial_year():
    # The target (900) lies inside the interval (880 to 1,020): not "off track" (issue 20).
    s = target_sentence("Burglary", _target("too close to call", 880.0, 950.0, 1020.0, True))
    assert s == (
        "Burglary, target a 10% reduction on 2022/23 by 2025/26 (900): extrapolating the "
        "trend fitted to 36 months to 2025/26 projects 950 (95% CI 880 to 1,020), so it is "
        "too close to call: the target is within the interval."
    )


def test_target_sentence_on_track_calendar_and_suppressed():
    r = _target("on track", 2.0, 3.0, 4.0, False, start_month=1, target=6.0)
    assert target_sentence("Arson", r, suppress_below=5) == (
        "Arson, target a 10% reduction on 2022 by 2025 (6): extrapolating the trend fitted "
        "to 36 months to 2025 projects fewer than 5 (95% CI fewer than 5 to fewer than 5), "
        "so it is on track: the whole interval meets the target."
    )


def test_target_sentence_bad_input():
    with pytest.raises(ValueError, match="TargetResult"):
        target_sentence("X", None)


# ------------------------------------------------------------------ key findings


def _change_table():
    df = pd.DataFrame(
        {
            "label": ["Violence", "Burglary", "Vehicle crime", "Robbery"],
            "count_before": [410, 10, 100, 3],
            "count_after": [459, 30, 200, 4],
        }
    )
    return compare_counts(df, correction="none", method="exact")


def test_key_findings_order():
    out = key_findings(
        _change_table(),
        trends={
            "Shoplifting": mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11]),
            "Arson": _trend(1.2, -2.0, 4.5, 0.45, False),
        },
        spc={
            "Drugs": xmr(_series([30, 34] * 6 + [3])),
            "Theft": xmr(_series([10, 14] * 6)),
        },
        targets={
            "ASB": _target("off track", 920.0, 950.0, 1020.0, False),
            "Damage": _target("on track", 800.0, 850.0, 890.0, False),
        },
    )
    starts = [s.split(" ")[0].rstrip(",") for s in out]
    # Vehicle crime (p ~ 1e-9) before Burglary (p = 0.002): most significant first.
    assert starts == [
        "Vehicle", "Burglary", "Drugs", "ASB", "Shoplifting", "Damage",
        "Violence", "Robbery", "Arson", "Theft",
    ]  # fmt: skip
    assert out[0].startswith("Vehicle crime rose 100% (from 100 to 200); this is a statistically")


def test_key_findings_suppression_and_limit():
    out = key_findings(_change_table(), suppress_below=5, max_findings=4)
    assert len(out) == 4
    assert out[3] == (
        "Robbery rose (from fewer than 5 to fewer than 5); this is within normal variation "
        "(p = 1.00)."
    )


def test_key_findings_input_unchanged():
    t = _change_table()
    copy = t.copy()
    key_findings(t)
    pd.testing.assert_frame_equal(t, copy)


def test_key_findings_missing_column():
    t = _change_table().rename(columns={"label": "name"})
    with pytest.raises(ValueError, match="change_table is missing required column.*'label'"):
        key_findings(t)


# ------------------------------------------------------------------ issue 12: audit fixes


def test_tiny_p_values_still_say_adjusted():
    # Defect 4: np.isclose's default atol (1e-8) made 1e-12 and 1e-10 look equal.
    from sa_lib.themes.findings import _p_text

    assert _p_text({"p_value": 1e-12, "p_adjusted": 1e-10}) == "adjusted p < 0.001"
    assert _p_text({"p_value": 1e-12, "p_adjusted": 1e-12}) == "p < 0.001"
    assert _p_text({"p_value": 0.02, "p_adjusted": 0.04}) == "adjusted p = 0.040"


def _ranked():
    return pd.DataFrame(
        {
            "ward": ["North", "South", "East", "West", "Centre"],
            "rate": [80.0, 76.0, 60.0, 30.0, 28.0],
            "rate_lower": [72.0, 68.0, 52.0, 25.0, 23.0],
            "rate_upper": [88.0, 84.0, 69.0, 36.0, 34.0],
        }
    )


def test_highest_only_when_the_interval_separates():
    from sa_lib.themes.findings import ranked_sentence

    s = ranked_sentence(_ranked(), "ward", "crime rate", "per 1,000 residents a year")
    assert s.startswith("North had one of the highest crime rates of the 5 wards (80 per")
    assert "with South: their confidence intervals overlap" in s
    assert "had the highest" not in s
    sep = _ranked().assign(
        rate=[80.0, 70.0, 60.0, 30.0, 28.0],
        rate_lower=[78.0, 62.0, 52.0, 25.0, 23.0],
        rate_upper=[88.0, 77.0, 69.0, 36.0, 34.0],
    )
    s = ranked_sentence(sep, "ward", "crime rate", "per 1,000 residents a year")
    assert s == (
        "North had the highest crime rate of the 5 wards: 80 per 1,000 residents a year "
        "(95% CI 78 to 88)."
    )


def test_lowest_and_top_n_groups_extend_over_overlaps():
    from sa_lib.themes.findings import ranked_sentence, separated_leaders

    s = ranked_sentence(_ranked(), "ward", "crime rate", direction="lowest")
    assert s.startswith("Centre had one of the lowest crime rates") and "with West" in s
    g, clear = separated_leaders(_ranked(), n=2)
    assert g.index.tolist() == [0, 1, 2] and not clear  # East's interval reaches South's
    g, clear = separated_leaders(_ranked(), n=3)
    assert g.index.tolist() == [0, 1, 2] and clear
    g, clear = separated_leaders(_ranked(), n=2, direction="lowest")
    assert g.index.tolist() == [4, 3] and clear
