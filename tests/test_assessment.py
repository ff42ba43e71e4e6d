"""The summary's assembly: change words, matrix and measures displays keep disclosure rules."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sa_lib.stats import priority
from sa_lib.themes import assessment as a
from sa_lib.themes import assessment_review as rv
from sa_lib.themes import scoring_display as sd
from sa_lib.themes import summary_report as sr
from sa_lib.themes.results import Figure, Html


def _scored():
    rules = priority.load_scoring()
    m = pd.DataFrame(
        {
            "issue": ["Violence", "Robbery", "Domestic abuse (repeat victims)"],
            "kind": ["crime type", "crime type", "theme measure"],
            "theme": ["overview", "overview", "domestic_abuse"],
            "sensitive": [False, False, True],
            "count": [1000, 4, 350],
            "pct_change": [12.0, 0.0, 5.0],
            "share": [0.3, 0.001, np.nan],
            "change": ["significant increase", "no change", "increase"],
            "harm_band": [4, 4, 4],
            "synthetic": [False, False, True],
            "above_wider": [np.nan, np.nan, np.nan],
            "rising_trend": [False, False, False],
            "spc_signal": [False, False, False],
            "deprived_ratio": [1.1, np.nan, 1.3],
            "repeat_share": [np.nan, np.nan, 0.25],
            "top10_share": [0.3, 0.9, np.nan],
            "ward_ratio": [np.nan] * 3,
        }
    )
    return priority.priority_scores(priority.dimension_scores(m, rules), rules), rules


def _ctx():
    return SimpleNamespace(
        disclosure={"threshold": 10},
        periods={"last_year": SimpleNamespace(label="Q4 2024")},
        period=SimpleNamespace(label="Q4 2025"),
        params={"themes": ["summary", "overview"]},
    )


def test_change_word():
    assert a.change_word("significant decrease", -20) == "significant decrease"
    assert a.change_word("decrease, not significant", -3) == "decrease"
    assert a.change_word("new (was 0)", np.nan) == "increase"
    assert a.change_word("no change (both 0)", np.nan) == "no change"
    assert np.isnan(a.change_word(None, 1))


def test_matrix_hides_small_and_sensitive_counts():
    scored, _ = _scored()
    d = sd.matrix_display(scored, _ctx()).set_index("Issue")
    assert d.loc["Robbery", "Count"] == "fewer than 10"
    assert d.loc["Domestic abuse (repeat victims) (SYNTHETIC)", "Count"] == a.SENSITIVE_NOTE
    assert d.loc["Violence", "Count"] == "1,000"


def test_measures_table_withholds_but_keeps_the_confidence_band():
    scored, rules = _scored()
    d = sd.measures_display(scored, rules, 10).set_index("Issue")
    assert (
        d.loc["Robbery", "Count"] == "fewer than 10"
        and d.loc["Robbery", "Share of all crime and ASB"] == "[c]"
    )
    assert d.loc["Domestic abuse (repeat victims)", "Count"] == "withheld (100 or more)"


def test_findings_separate_significant_from_no_real_change():
    scored, _ = _scored()
    f = sr.summary_findings(scored, _ctx(), n=3)
    texts = [x["text"] for x in f]
    assert any(
        t.startswith("Violence: 1,000 in Q4 2025")
        and "up 12% on Q4 2024, a significant change" in t
        for t in texts
    )
    assert texts[-1].startswith("No real change against Q4 2024") and "Robbery" in texts[-1]
    robbery = next(t for t in texts if t.startswith("Robbery"))
    assert "fewer than 10" in robbery and "4 in" not in robbery
    da = next(t for t in texts if t.startswith("Domestic abuse"))
    assert "350" not in da and "SYNTHETIC" in da
    assert f[0]["href"] == "overview.html#Crime-and-ASB-by-type"
    assert next(x for x in f if x["text"].startswith("Domestic"))["href"] == "#Priority-matrix"


def test_recommendations_are_candidates_not_decisions():
    scored, _ = _scored()
    recs = sr.recommendations(scored, 2)
    assert len(recs) == 2 and all("For the board to consider" in r for r in recs)


def test_document_control_from_parameters():
    d = rv.document_control(
        {
            "title": "SA",
            "document": {
                "author": "Team",
                "version": "1.0",
                "status": "final",
                "protective_marking": "OFFICIAL",
                "distribution": ["Board", "Police"],
            },
        }
    ).set_index("Item")["Value"]
    assert (
        d["Status"] == "final"
        and d["Distribution"] == "Board; Police"
        and d["Protective marking"] == "OFFICIAL"
    )
    assert rv.document_control({"title": "SA"}).set_index("Item").loc["Status", "Value"] == "draft"


def test_sensitivity_sentence():
    sens = pd.DataFrame({"top_same": [True, False], "entered": ["", "B"], "left": ["", "A"]})
    assert "1 of 2" in sd.sensitivity_sentence(sens, 5) and "A, B" in sd.sensitivity_sentence(
        sens, 5
    )
    assert "robust" in sd.sensitivity_sentence(sens.iloc[:1], 5)


def test_a_comparison_period_the_data_do_not_cover_is_not_available():
    scored, _ = _scored()
    ctx = _ctx()
    ctx.periods["last_year"].months = ["2024-10", "2024-11", "2024-12"]
    ctx.months_present = ["2024-12", "2025-10", "2025-11", "2025-12"]
    assert not a.comparable(ctx, "last_year")
    texts = [f["text"] for f in sr.summary_findings(scored, ctx, n=3)]
    assert texts[-1].startswith("The change against Q4 2024 is not available")
    assert not any(t.startswith("No real change") for t in texts)
    ctx.months_present = ["2024-10", "2024-11", "2024-12"]
    assert a.comparable(ctx, "last_year")


def test_drugs_finding_says_when_drugs_move_with_searches():
    scored, _ = _scored()
    scored = scored.assign(issue=scored["issue"].replace({"Violence": "Drugs"}))
    search = SimpleNamespace(
        year=SimpleNamespace(label="2024"),
        drugs={"rises_with_searches": True, "rho": 0.8, "p_value": 0.001},
    )
    texts = [f["text"] for f in sr.summary_findings(scored, _ctx(), n=3, search=search)]
    drugs = next(t for t in texts if t.startswith("Drugs"))
    assert "largely found by police activity" in drugs and "rho 0.80" in drugs
    search.drugs["rises_with_searches"] = False
    texts = [f["text"] for f in sr.summary_findings(scored, _ctx(), n=3, search=search)]
    assert "police activity" not in " ".join(texts)


# --- build(ctx) on the shipped sample (no kernel) -------------------------------------


def _sample(theme: str, overrides: dict | None = None):
    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", theme, overrides=overrides)


def test_summary_build_on_the_sample_links_its_findings_and_reviews_the_priorities():
    r = sr.build(_sample("summary"))
    assert list(r.sections) == [
        "header", "document", "findings", "recommendations", "review", "matrix", "measures",
        "sensitivity", "wards", "methods",
    ]  # fmt: skip
    assert r.availability == {}
    assert r.findings and all(f.link for f in r.findings)
    assert r.findings[0].text.startswith(r.data["scored"]["issue"].iloc[0])
    captions = [t.caption for t in r.tables()]
    assert captions[:2] == [
        "Document control",
        "Current priorities: progress against baseline and target",
    ]
    assert "Measures used for the scores" in captions
    assert any(isinstance(b, Figure) for b in r.sections["matrix"])
    js = r.to_json()
    assert js["findings"][0]["link"] == r.findings[0].link
    assert js["tables"][0]["file"].startswith("summary_01_")


def test_summary_build_without_current_priorities_says_there_is_nothing_to_review():
    r = sr.build(_sample("summary", {"priorities": []}))
    assert set(r.availability) == {"current priorities"}
    assert "No current priorities are set" in r.availability["current priorities"]
    assert [type(b).__name__ for b in r.sections["review"]] == ["Note"]
    assert "Current priorities: progress against baseline and target" not in [
        t.caption for t in r.tables()
    ]


def test_wards_build_on_the_sample_profiles_every_ward_with_several_flags():
    from sa_lib.themes import wards_report as wr

    ctx = _sample("wards")
    r = wr.build(ctx)
    assert list(r.sections) == ["header", "findings", "appendix", "flags", "profiles", "methods"]
    wards = r.data["wards"]
    flagged = wards[wards["n_flags"] >= ctx.options["min_flags"]]
    assert len(flagged) > 0, "the sample has wards with several flags"
    headings = [b.html for b in r.sections["profiles"] if isinstance(b, Html)]
    assert len(headings) == len(flagged)
    assert all(a.anchor(n) in "".join(headings) for n in flagged["ward_name"])
    appendix = next(t for t in r.tables() if t.caption.startswith("Every ward"))
    assert len(appendix.frame) == len(ctx.geo.wards)
    assert r.findings[0].text.startswith(f"{len(ctx.geo.wards)} wards;")


def test_wards_build_with_no_ward_flagged_enough_says_so_and_profiles_none():
    from sa_lib.themes import wards_report as wr

    r = wr.build(_sample("wards", {"wards.min_flags": 99}))
    assert [b.text for b in r.sections["profiles"]] == ["No ward has several flags in this period."]
    assert not any("Wards with several flags" in f.text for f in r.findings)
