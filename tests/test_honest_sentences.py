"""Issue 20, second part: the sentences left after the first part, each a named test.

Each test names the sentence (or wording) the audit or the Essex run found wrong; each
fails on the code before this change and passes after.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapes
from statsmodels.stats.multitest import multipletests

PARAMS = "parameters/huntingdonshire_2025q4.yaml"

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _ctx(theme: str):
    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context(PARAMS, theme)


@pytest.fixture(scope="module")
def outcomes(sample_theme):
    from sa_lib.themes import outcomes_report

    ctx = _ctx("outcomes")
    # outcomes_report.build(ctx) on the same parameters, built once per session (conftest.py)
    return ctx, outcomes_report.outcomes_analysis(ctx), sample_theme("outcomes")


@pytest.fixture(scope="module")
def place(sample_theme):
    return sample_theme("place_profile")  # place_build.build(_ctx("place_profile"))


# --------------------------------------------------------------------------- outcomes


def test_outcomes_force_comparison_names_both_periods_not_the_assessment_quarter(outcomes):
    """ "Against Q4 2024 ... the charge/summons share was 2 points lower than the force":
    it compares crimes recorded in 2024 with the force's crimes of 2024."""
    from sa_lib.pack.furniture import callout_html

    _, res, r = outcomes
    year = res.year.label
    force = [f for f in r.findings if f.subject == "Charge/summons share"]
    assert force, "the force comparison is a structured finding"
    f = force[-1]
    assert f.periods == (f"{year} (the force)", year)
    assert f.text.count(year) >= 2 and "the force" in f.text
    box = callout_html([x.to_json() for x in r.findings], r.period_label, r.against_label)
    assert "Against Q4 2024" not in box
    assert "The charge/summons share was 2 points lower than the force." not in box


def test_outcomes_fdr_families_are_stated_on_the_page_and_applied_exactly(outcomes):
    """FDR families on the outcomes page as stated on the page: the note names each
    family, and the adjusted p-values are that correction over exactly those tests."""
    ctx, res, r = outcomes
    notes = [b.text for b in r.sections["comparison"] if getattr(b, "kind", "") == "note"]
    stated = [n for n in notes if "form one family" in n]
    assert stated, notes
    c = res.vs_force[res.vs_force["outcome_group"] == "Charge/summons"]
    fam = c[c["in_family"]]
    n = len(fam)
    assert f"the {n} crime types' tests form one family" in stated[0]
    assert "all crime is tested on its own" in stated[0]
    expected = multipletests(fam["p_value"], method=ctx.stats.correction)[1]
    assert np.allclose(fam["p_adjusted"], expected)
    total = c[c["crime_type"] == "All crime"].iloc[0]
    assert not total["in_family"] and total["p_adjusted"] == total["p_value"]
    # The table's "significant" is the adjusted decision.
    shown = r.tables()[1].texts().set_index("Crime type")
    for _, row in fam.iterrows():
        cell = shown.loc[row["crime_type"], "Difference vs force"]
        if cell != "[c]":
            assert cell.endswith(" significant") == (row["p_adjusted"] < ctx.stats.alpha)


def test_drug_search_correlation_is_called_a_correlation(outcomes):
    """ "a rise in drug crime here reflects more searching" overstated a correlation."""
    _, _, r = outcomes
    texts = " ".join(f.text for f in r.findings)
    assert "reflects more searching" not in texts
    drug = [f for f in r.findings if f.measure == "correlation with drug searches"]
    assert drug and "correlation" in drug[0].text.split(":", 1)[1]


# --------------------------------------------------------------------------- place profile


def test_place_names_no_ratio_on_a_handful_of_crimes():
    """ "Robbery (7.2 times)" on 3 crimes: no "times the district" claim for counts
    under the disclosure threshold or under 10."""
    import geopandas as gpd

    from sa_lib.themes.place import Place
    from sa_lib.themes.place_display import MIN_RATIO_COUNT, place_findings

    p = Place("North", "lsoas", ["L1"], gpd.GeoDataFrame(geometry=[]), 1000, [])
    vs = pd.DataFrame(
        {
            "crime_type": ["Robbery", "Burglary"],
            "count_area": [3, 40],
            "comparison": ["higher", "higher"],
            "rate_ratio": [7.2, 2.5],
        }
    )
    mix = pd.DataFrame(columns=["crime_type", "comparison", "count_area"])
    f = place_findings(p, vs, mix, period_label="Q4 2025", threshold=3)
    line = next(t for t in f if t.startswith("Rates significantly higher"))
    assert "7.2 times" not in line and "Robbery (too few crimes to quote a ratio)" in line
    assert "Burglary (2.5 times)" in line
    assert MIN_RATIO_COUNT == 10


def test_place_sample_has_no_robbery_ratio(place):
    texts = " ".join(f.text for f in place.findings)
    assert "Robbery (7.2 times)" not in texts


def test_place_methods_state_the_families_as_applied(place):
    """The place profile's Methods said "All crime tested on its own" while the area-vs-rest
    test adjusted All crime with the 14 types: the Methods now state the families, and the
    test applies exactly them."""
    methods = next(b for b in place.sections["methods"] if b.kind == "table").texts()
    row = methods.set_index(methods.columns[0]).loc["area vs rest test"]
    assert "the 14 crime types form one family" in row.iloc[0]
    assert "All crime is tested on its own" in row.iloc[0]
    ctx = _ctx("place_profile")
    vs = place.data["vs_rest"]
    total = vs[vs["crime_type"] == "All crime"].iloc[0]
    assert total["p_adjusted"] == total["p_value"]
    fam = vs[(vs["crime_type"] != "All crime") & vs["p_value"].notna()]
    assert len(vs) - 1 == 14
    expected = multipletests(fam["p_value"], method=ctx.stats.correction)[1]
    assert np.allclose(fam["p_adjusted"], expected)
    # The finding quotes the all-crime p as what it is: not adjusted.
    assert "adjusted p" not in place.findings[0].text


# --------------------------------------------------------------------------- Essex wording


def test_overview_narrative_describes_the_test_that_ran(sample_theme):
    """The overview's Key findings narrative said "two-sample Poisson test" after the test
    became dispersion-aware: the words now come from the tests that ran."""
    nb = json.loads(Path("notebooks/overview.ipynb").read_text(encoding="utf-8"))
    text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "two-sample Poisson" not in text
    r = sample_theme("overview")  # overview.build(_ctx("overview")), built once per session
    notes = [b.text for b in r.sections["findings"] if getattr(b, "kind", "") == "note"]
    how = next(n for n in notes if n.startswith("A change is called"))
    types = r.data["types"]
    quasi = int((types["test_vs_last_year"] == "quasi-Poisson").sum())
    assert quasi > 0 and f"{quasi} of " in how and "overdispersion" in how


def test_per_day_change_reads_higher_per_day_not_rose_per_day():
    """ "rose 15% per day" read awkwardly where the periods differ by a day."""
    from sa_lib.themes.findings import change_sentence

    s = change_sentence(
        "Theft",
        1000,
        1150,
        {"significant": False, "p_value": 0.2, "rate_ratio": (1150 / 366) / (1000 / 365) * 1.0},
    )
    assert "rose" not in s and "higher per day" in s and "the periods differ in length" in s


def test_spc_note_says_no_segment_number():
    """An SPC note said "segment 0": plain English names the part of the series."""
    from sa_lib.stats.spc import xmr

    d = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=10, freq="MS"), "count": np.arange(10) + 50}
    )
    with pytest.warns(UserWarning) as rec:
        xmr(d)
    text = " ".join(str(w.message) for w in rec)
    assert "segment 0" not in text and "the part of the series from January 2024" in text


# --------------------------------------------------------------------------- structured fields


def test_callout_reads_the_fields_not_the_words():
    """The call-out decides "significant" and "no real change" from the finding's fields:
    a sentence whose words say "significant" but whose test did not find it stays out of
    first place, and "no real change" lists only direction == "none"."""
    from sa_lib.pack.furniture import rank_findings

    r = rank_findings(
        [
            {
                "text": "A: a statistically significant increase in words only.",
                "subject": "A",
                "measure": "count",
                "tested": True,
                "significant": False,
                "direction": "none",
            },
            {
                "text": "B went up.",
                "subject": "B",
                "measure": "count",
                "tested": True,
                "significant": True,
                "direction": "increase",
                "comparison": "Q4 2024",
            },
        ]
    )
    assert r["top"] == ["Against Q4 2024: B went up."]
    assert r["no_change"] == ["A"]


def test_index_ranks_read_the_field_not_the_text():
    from sa_lib.pack.front import ranked

    out = ranked(
        [
            {"text": "Second (rank 9).", "measure": "priority rank", "value": 2},
            {"text": "First.", "measure": "priority rank", "value": 1},
        ]
    )
    assert [f["rank"] for f in out] == [1, 2]


@pytest.mark.parametrize(
    "theme,module",
    [
        ("overview", "overview"),
        ("outcomes", "outcomes_report"),
        ("violence", "violence"),
        ("domestic_abuse", "domestic_abuse"),
        ("cse", "cse_report"),
        ("hotspots", "hotspots_build"),
        ("place_profile", "place_build"),
        ("wards", "wards_report"),
        ("partner", "partner_report"),
    ],
)
def test_every_tested_finding_carries_its_fields(theme, module, sample_theme):
    """Every theme builder fills the Finding fields where a test ran: a sentence that
    reports a test's result ("significant", a p-value) says so in ``tested``.

    ``<module>.build`` on the shipped parameters, built once per session (conftest.py
    ``sample_theme`` builds each theme with the module named here)."""
    import re

    assert shapes.BUILDERS[theme] == module
    r = sample_theme(theme)
    for f in r.findings:
        if f.text.rstrip().endswith(":") or f.text.upper().startswith("SYNTHETIC"):
            continue
        if re.search(r"significant|\bp [=<]", f.text):
            assert f.tested is not None and f.significant is not None, (theme, f.text)
            if f.direction == "none":
                assert f.significant is False and f.subject
