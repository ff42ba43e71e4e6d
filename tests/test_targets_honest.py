"""Issue 20 item 5: a target projection is an extrapolation with its interval.

"off track" only when the interval excludes the target; the sentence and the review
show the latest quarter beside the trend.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.stats.trend import target_tracking
from sa_lib.themes.findings import target_sentence

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _noisy(rise: int = 4):
    """24 months swinging 70/130 (over-dispersed), the second year a little higher."""
    counts = [70, 130] * 6 + [70 + rise, 130 + rise] * 6
    return pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=24, freq="MS"), "count": counts}
    )


def test_off_track_needs_the_interval_to_exclude_the_target():
    """A flat, noisy series: the projection misses a 5% cut, but its interval holds it."""
    r = target_tracking(_noisy(), 2024, 5, 2027, seasonal=False)
    assert r.projected_value > r.target_value  # the old rule called this "off track"
    assert r.projected_lower <= r.target_value <= r.projected_upper
    assert r.status == "too close to call"
    s = target_sentence("Burglary", r)
    assert "too close to call" in s and "off track" not in s
    far = target_tracking(_noisy(), 2024, 60, 2027, seasonal=False)
    assert far.projected_lower > far.target_value and far.status == "off track"


def test_the_sentence_calls_the_projection_an_extrapolation_with_its_interval():
    r = target_tracking(_noisy(), 2024, 5, 2027, seasonal=False)
    assert r.extrapolated and (r.first_month, r.last_month) == ("2024-01", "2025-12")
    s = target_sentence(
        "Burglary", r, latest="the latest quarter, Q4 2025, was 1% lower than Q4 2024"
    )
    assert "extrapolating the trend fitted to the 24 months from Jan 2024 to Dec 2025 to 2027" in s
    assert "95% CI" in s and s.endswith("was 1% lower than Q4 2024.")


@pytest.fixture(scope="module")
def overview_ctx():
    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", "overview")


def test_asb_off_track_names_the_24_month_extrapolation_and_the_latest_quarter(sample_theme):
    """Why 5: "ASB off track: projects 3,971 vs target 1,851" from a 24-month extrapolation,
    while the quarter is -1% on last year. The old sentence ("Anti-social behaviour is off
    track for its target ...: the trend projects 3,971") said neither."""
    r = sample_theme("overview")  # ov.build(overview_ctx), built once per session
    (asb,) = [f.text for f in r.findings if f.text.startswith("Anti-social behaviour, target")]
    assert (
        "extrapolating the trend fitted to the 24 months from Jan 2024 to Dec 2025 to 2027" in asb
    )
    assert "projects 3,971 (95% CI 3,104 to 5,078)" in asb
    assert "off track: the whole interval misses the target" in asb
    assert "the latest quarter, Q4 2025 (Oct-Dec), was 1% lower than Q4 2024 (Oct-Dec)" in asb
    assert "is off track for its target" not in asb


def test_review_shows_the_latest_quarter_beside_the_trend(overview_ctx):
    from sa_lib.pack.context import open_context
    from sa_lib.themes import assessment_review as rv

    ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "summary")
    shown = rv.review_display(rv.priorities_review(ctx), ctx).set_index("Priority")
    cols = list(shown.columns)
    quarter = "Q4 2025 (Oct-Dec) against Q4 2024 (Oct-Dec)"
    assert cols.index(quarter) == cols.index("Trend") - 1
    assert shown.loc["Reduce anti-social behaviour", quarter] == "-1% (n.s.)"
    assert "Extrapolated to the target year (95% CI)" in cols


def test_funnel_docstring_names_spiegelhalter_not_shmi():
    """Why 5: the funnel docstring called the additive random-effects method "SHMI"."""
    from sa_lib.stats import comparison

    assert "SHMI" not in comparison.__doc__
    assert "Spiegelhalter" in comparison.__doc__
