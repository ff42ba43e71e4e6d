"""The outcomes theme: displays keep disclosure control; the sample uses 2024 and says so."""

from __future__ import annotations

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.data.periods import calendar_year
from sa_lib.stats.outcomes import compare_shares, outcome_shares
from sa_lib.themes import outcomes_report as o

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _result():
    crimes = pd.DataFrame(
        {
            "crime_id": [str(i) for i in range(100)],
            "crime_type": ["Burglary"] * 60 + ["Robbery"] * 40,
            "month": ["2024-01"] * 100,
        }
    )
    outs = pd.DataFrame(
        {
            "crime_id": [str(i) for i in list(range(20)) + [60, 61, 62]],
            "month": ["2024-02"] * 23,
            "outcome_type": ["Suspect charged"] * 23,
        }
    )
    by_type = o._with_total(crimes, outs, 0.95)
    force = by_type.copy()
    force["count"] = force["count"] * 10
    force["crimes"] = force["crimes"] * 10
    res = o.OutcomeResult(calendar_year(2024), "note", by_type=by_type, crimes=100)
    res.by_month = outcome_shares(crimes, outs, by=["month"])
    res.force = force
    res.vs_force = compare_shares(by_type, force)
    return res


def test_outcome_display_hides_small_shares():
    d = o.outcome_display(_result().by_type, threshold=10).set_index("Crime type")
    assert d.loc["Robbery", "Charge/summons"] == "[c]"  # 3 charged: below 10
    assert d.loc["Burglary", "Charge/summons"].startswith("33%")
    assert d.index[-1] == "All crime"


def test_comparison_display_hides_the_same_shares():
    d = o.comparison_display(_result(), threshold=10).set_index("Crime type")
    assert d.loc["Robbery", "2024"] == "[c]" and d.loc["Robbery", "Difference vs force"] == "[c]"
    assert d.loc["Burglary", "Difference vs force"] == "0 points (n.s.)"


def test_findings_quote_the_all_crime_share():
    f = o.outcome_findings(_result(), 10)
    assert f[0].startswith("Of 100 crimes recorded in 2024, 23%")


def test_no_files_degrades_to_the_note():
    res = o.OutcomeResult(None, "No outcomes files are in the store.")
    assert o.outcome_findings(res, 10) == ["No outcomes files are in the store."]
    s = o.SearchResult(None, "No stop-and-search files.")
    assert o.search_findings(s, 10) == ["No stop-and-search files."]


@pytest.mark.e2e
def test_sample_uses_2024_and_says_drugs_move_with_searches():
    if not (config.PROCESSED_DIR / "outcomes").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "outcomes")
    res = o.outcomes_analysis(ctx)
    assert res.year.label == "2024" and "latest year that has them: 2024" in res.note
    assert res.force is not None and res.last_year is None
    s = o.search_analysis(ctx)
    assert s.year.label == "2024"
    assert int(s.overall["searches"].iloc[0]) == len(s.searches)
    text = " ".join(o.search_findings(s, 10))
    assert "found by police activity" in text


def test_search_note_never_quotes_a_small_count():
    s = o.SearchResult(
        calendar_year(2024),
        "",
        dropped={"no_location": 5},
        overall=pd.DataFrame({"link_blank": [402]}),
    )
    text = o.search_note(s, 10)
    assert text.startswith("fewer than 10 searches") and "402 searches" in text


@pytest.fixture(scope="module")
def sample_ctx():
    if not (config.PROCESSED_DIR / "outcomes").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", "outcomes")


def test_build_on_the_sample_has_every_section_and_says_last_year_is_not_available(sample_theme):
    r = sample_theme("outcomes")  # o.build(sample_ctx), built once per session
    assert list(r.sections) == [
        "header", "findings", "outcomes", "comparison", "months", "searches", "drugs", "methods"
    ]  # fmt: skip
    assert set(r.availability) == {"outcomes last year"}
    assert "no outcome files for the year before" in r.availability["outcomes last year"]
    captions = [t.caption for t in r.tables()]
    assert "Share of crimes charged or summonsed" in captions
    assert r.findings and r.findings[0].text.startswith("Of ")
    js = r.to_json()
    assert [t["file"] for t in js["tables"]][0].startswith("outcomes_01_")
    assert js["findings"][0]["text"] == r.findings[0].text


def test_build_without_outcome_or_search_files_says_why_and_draws_nothing(sample_ctx, monkeypatch):
    monkeypatch.setattr(o, "outcomes_analysis", lambda ctx: o.OutcomeResult(None, "No outcomes."))
    monkeypatch.setattr(
        o,
        "search_analysis",
        lambda ctx: o.SearchResult(None, "No searches.", searches=pd.DataFrame()),
    )
    r = o.build(sample_ctx)
    assert set(r.availability) == {"outcomes", "outcome comparison", "stop and search"}
    assert r.sections["months"] == [] and r.sections["drugs"] == []
    assert [t.caption for t in r.tables()] == [None]  # the Methods table only
    assert [f.text for f in r.findings] == ["No outcomes.", "No searches."]


def test_build_names_the_year_it_shows_not_the_assessment_period(sample_theme):
    """Issue 21: the page was titled Q4 2025 (the assessment period) but showed 2024."""
    r = sample_theme("outcomes")  # o.build(sample_ctx), built once per session
    assert r.period_label.startswith("crimes recorded in 2024")
    header = r.sections["header"][0].html
    assert "Outcomes and stop and search: crimes recorded in 2024" in header
