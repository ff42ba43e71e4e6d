"""Render the CSE theme on the sample and scan its partner HTML for anything disclosive."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.pack.disclosure_scan import scan_html_for_disclosure

SAMPLE_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"
INDICATORS = config.SAMPLE_DIR / "synthetic" / "cse" / "ward_indicators_2025.csv"
COUNT_COLS = [
    "missing_episodes",
    "school_exclusions",
    "children_in_care",
    "hmo_count",
    "drug_referrals",
    "teenage_conceptions",
    "cse_referrals",
    "cse_crimes",
]


@pytest.fixture(scope="module")
def cse_html(pack) -> str:
    """The CSE page of the session's sample pack (conftest.py ``pack``, built once per run)."""
    res, _themes = pack
    t = next(t for t in res.themes if t["theme"] == "cse")
    assert t["status"] == "ok", t.get("error_summary")
    return (res.out_dir / "cse.html").read_text()


@pytest.mark.e2e
def test_cse_html_passes_the_disclosure_scan(cse_html):
    found = scan_html_for_disclosure(cse_html, threshold=10)
    assert found.empty, found.head(10).to_string()


@pytest.mark.e2e
def test_no_small_ward_count_is_shown_as_a_count(cse_html):
    ind = pd.read_csv(INDICATORS)
    small = {int(v) for c in COUNT_COLS for v in ind[c] if 0 < v < 10}
    assert small, "the fixture file has small counts to protect"
    shown = re.findall(r'data-sa-count="([^"]*)"', cse_html)
    assert shown, "the page has marked count cells"
    numbers = {int(v.replace(",", "")) for v in shown if re.fullmatch(r"[\d,]+", v)}
    assert not numbers & small
    # every marked value is a suppression label, a band, zero, or a count of at least 10
    for v in shown:
        assert (
            v in {"&lt;10", "[c]", "–", "0"}
            or re.fullmatch(r"\d{1,3}(,\d{3})*-\d{1,3}(,\d{3})*", v)
            or int(v.replace(",", "")) >= 10
        ), v


@pytest.mark.e2e
def test_cse_page_is_labelled_synthetic_and_has_no_record_level_data(cse_html):
    assert 'class="sa-synthetic"' in cse_html
    assert "SYNTHETIC DATA." in cse_html
    assert "must not be used for decisions" in cse_html
    body = cse_html.split("</style>")[-1]
    assert not re.search(r"\b[0-9a-f]{64}\b", body), "no police.uk crime IDs"
    assert "L.marker" not in body and '"Point"' not in body, "no points on the page"
