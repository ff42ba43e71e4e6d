"""The summary's assembly: change words, matrix and measures displays keep disclosure rules."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sa_lib.pack.context import EffectiveDisclosure
from sa_lib.pack.params_model import Document
from sa_lib.stats import priority
from sa_lib.themes import assessment as a
from sa_lib.themes import assessment_review as rv
from sa_lib.themes import scoring_display as sd
from sa_lib.themes import summary_report as sr
from sa_lib.themes.results import Figure, Html

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


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
        disclosure=EffectiveDisclosure(threshold=10, secondary=False),
        periods={"last_year": SimpleNamespace(label="Q4 2024")},
        period=SimpleNamespace(label="Q4 2025"),
        params=SimpleNamespace(themes=["summary", "overview"]),
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
        and "up 12% in Q4 2025 against Q4 2024, a significant change" in t
        for t in texts
    )
    assert (
        texts[-1].startswith("No real change in Q4 2025 against Q4 2024") and "Robbery" in texts[-1]
    )
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
        "SA",
        Document(
            author="Team",
            version="1.0",
            status="final",
            protective_marking="OFFICIAL",
            distribution=["Board", "Police"],
        ),
    ).set_index("Item")["Value"]
    assert (
        d["Status"] == "final"
        and d["Distribution"] == "Board; Police"
        and d["Protective marking"] == "OFFICIAL"
    )
    assert rv.document_control("SA", Document()).set_index("Item").loc["Status", "Value"] == "draft"


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


def test_summary_build_on_the_sample_links_its_findings_and_reviews_the_priorities(sample_theme):
    r = sample_theme("summary")  # sr.build(_sample("summary")), built once per session
    assert list(r.sections) == [
        "header", "document", "findings", "recommendations", "review", "spc", "matrix",
        "measures", "sensitivity", "wards", "methods",
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


def test_wards_build_on_the_sample_profiles_every_ward_with_several_flags(sample_theme):
    ctx = _sample("wards")
    r = sample_theme("wards")  # wards_report.build(ctx), built once per session
    assert list(r.sections) == ["header", "findings", "appendix", "flags", "profiles", "methods"]
    wards = r.data["wards"]
    flagged = wards[wards["n_flags"] >= ctx.options.min_flags]
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


# --- the summary's measures come from the theme pages' rules -----------------------------


def _gapped(ctx, gap: str = "2024-06"):
    """The context as if the store did not hold ``gap``: a series starts after it."""
    ctx.crimes = ctx.crimes[ctx.crimes["month"] != gap]
    ctx.months_present = [m for m in ctx.months_present if m != gap]
    return ctx


def test_priorities_review_trend_reads_the_unbroken_run_of_held_months():
    from sa_lib.data.counts import monthly_counts
    from sa_lib.themes import summary

    ctx = _gapped(_sample("summary"))
    assert ctx.series_months[0] == "2024-07"
    rev = rv.priorities_review(ctx).set_index("crime_type")
    t = rev.index[0]
    m = monthly_counts(ctx.series(), by="crime_type")
    page = summary.trend_table(
        m if t != "All crime" else m.assign(crime_type="All crime"), [t], alpha=ctx.stats.alpha
    )
    assert rev.loc[t, "trend_pct"] == pytest.approx(float(page["pct_per_year"].iloc[0]))
    every = summary.trend_table(
        monthly_counts(ctx.crimes, by="crime_type"), [t], alpha=ctx.stats.alpha
    )
    assert rev.loc[t, "trend_pct"] != pytest.approx(float(every["pct_per_year"].iloc[0]))


def test_candidate_trends_and_control_charts_read_only_the_series_months(monkeypatch):
    from sa_lib.themes import candidates, summary

    ctx = _gapped(_sample("summary"))
    seen = []
    real = summary.trend_table
    monkeypatch.setattr(
        summary, "trend_table", lambda m, *a, **k: seen.append(m) or real(m, *a, **k)
    )
    monkeypatch.setattr(candidates, "_above_wider", lambda ctx, t: np.nan)  # not under test
    candidates.candidate_measures(ctx, a.ward_analysis(ctx), priority.load_scoring())
    months = set(seen[0]["month_start"].dt.strftime("%Y-%m"))
    assert months and months <= set(ctx.series_months)


def test_night_time_violence_counts_the_nights_the_violence_page_counts(monkeypatch):
    from sa_lib.stats import nte
    from sa_lib.themes import candidates, violence

    ctx = _sample("summary")
    real = violence.subgroup_rows

    def imprecise(ex):
        # Every other row was committed over a whole day: its start is not when it happened.
        rows = real(ex)
        start = pd.to_datetime(rows["committed_from"])
        wide = np.arange(len(rows)) % 2 == 0
        return rows.assign(committed_to=start + pd.to_timedelta(np.where(wide, 24, 0), unit="h"))

    monkeypatch.setattr(violence, "subgroup_rows", imprecise)
    m = candidates._nte_measure(ctx, priority.load_scoring(), "last_year", set())
    vwi = imprecise(ctx.extract)
    now = ctx.in_period("current", vwi[vwi["crime_type"] == "Violence with injury"])
    table = nte.day_hour_table(now)  # the violence page's table and share
    assert m["count"] == round(nte.weekend_night_share(table) * table.to_numpy().sum())
