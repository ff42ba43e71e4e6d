"""Disclosure by derivation: no share is published whose numerator (or the rest of its
count) falls below the threshold, and a run-wide threshold below 10 is refused whenever a
sensitive theme or a force extract is in the run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sa_lib.pack.params import ParameterError, validate_params
from sa_lib.themes.scoring_display import measures_display

from .conftest import changed, shipped_params


def test_a_run_wide_threshold_of_1_with_a_force_extract_is_refused():
    raw = changed(shipped_params(), disclosure__threshold=1)
    with pytest.raises(ParameterError) as e:
        validate_params(raw, check_store=False)
    msg = str(e.value)
    assert "disclosure.threshold=1" in msg and "force extract" in msg and "Fix" in msg


def test_a_run_wide_threshold_below_10_with_a_sensitive_theme_is_refused():
    raw = changed(
        shipped_params(), disclosure__threshold=5, data__extract=None, themes=["overview", "cse"]
    )
    raw.pop("domestic_abuse", None)
    with pytest.raises(ParameterError, match="disclosure.threshold=5 is below 10"):
        validate_params(raw, check_store=False)


def test_a_low_threshold_without_extract_or_sensitive_theme_is_accepted():
    raw = changed(
        shipped_params(), disclosure__threshold=5, data__extract=None, themes=["overview"]
    )
    for k in ("domestic_abuse", "cse", "violence"):
        raw.pop(k, None)
    assert validate_params(raw, check_store=False).disclosure.threshold == 5


def _scored(**over) -> pd.DataFrame:
    row = {
        "issue": "Night-time violence (weekend nights)",
        "count": 47,
        "sensitive": False,
        "share": np.nan,
        "above_wider": np.nan,
        "change": "decrease",
        "rising_trend": False,
        "spc_signal": False,
        "harm_band": 4.0,
        "deprived_ratio": 1.2,
        "repeat_share": np.nan,
        "young_share": 5 / 47,
        "top10_share": 0.661702,
        "ward_ratio": np.nan,
        "children": False,
        "synthetic": False,
    }
    row.update(over)
    return pd.DataFrame([row])


RULES = {"confidence": {"count_bands": [30, 100]}}


def test_the_young_victims_share_beside_its_count_is_suppressed():
    # 0.106383 beside 47 gave away exactly 5 victims under 18.
    d = measures_display(_scored(), RULES, threshold=10)
    assert d["Young victims share"].tolist() == ["[c]"]
    assert d["Top 10% LSOA share"].tolist() == ["0.661702"]


@pytest.mark.parametrize(("share", "shown"), [(40 / 47, "[c]"), (20 / 47, "0.425532")])
def test_a_share_whose_rest_is_small_is_suppressed(share, shown):
    d = measures_display(_scored(young_share=share), RULES, threshold=10)
    assert d["Young victims share"].tolist() == [shown]


def test_a_sensitive_rows_shares_keep_the_floor():
    d = measures_display(
        _scored(sensitive=True, count=264, young_share=9 / 264, repeat_share=0.3244),
        RULES,
        threshold=10,
    )
    assert d["Young victims share"].tolist() == ["[c]"]
    assert d["Repeat share"].tolist() == ["0.324400"]
