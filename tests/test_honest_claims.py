"""Issue 20: what a partner is told agrees with the tests that ran (sample pack).

Each test names the sentence the audit found wrong; each fails on the code before
issue 20 and passes after.
"""

from __future__ import annotations

import pytest

from sa_lib.themes import assessment_review as rv


def _sample(theme: str):
    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", theme)


@pytest.fixture(scope="module")
def summary_ctx():
    return _sample("summary")


def test_shoplifting_review_is_not_significant_beside_no_clear_trend(summary_ctx):
    """Why 1: "Reduce shoplifting ... +23% significant" beside "no clear trend (+22.9% a year)".

    The series is over-dispersed, so the baseline comparison is quasi-Poisson (p about
    0.09), per day (2024 has 366 days): an increase, not significant.
    """
    rev = rv.priorities_review(summary_ctx).set_index("crime_type")
    shop = rev.loc["Shoplifting"]
    assert shop["trend"] == "no clear trend"
    assert shop["test"] == "quasi-Poisson"
    assert shop["change_label"] == "increase, not significant"
    shown = rv.review_display(rev.reset_index(), summary_ctx)
    cell = shown.set_index("Priority").loc["Reduce shoplifting", "Change against baseline"]
    assert cell == "+23% per day (n.s.)"
