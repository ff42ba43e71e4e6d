"""Tests for sa_lib.themes.cse_report: input checks, index settings, bands, safe displays, findings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sa_lib.pack.disclosure_scan import scan_html_for_disclosure, scan_text
from sa_lib.pack.params_themes import CseOptions
from sa_lib.stats.risk_index import (
    compare_previous,
    composite_index,
    priority_wards,
    rank_stability,
)
from sa_lib.themes import cse_report as cr
from sa_lib.themes.cse_display import index_display
from sa_lib.themes.render import table_html

# --------------------------------------------------------------------------- inputs

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def test_load_indicators_orders_names_and_flags_synthetic(ind, wards):
    before = ind.copy()
    out = cr.load_indicators(ind, wards)
    pd.testing.assert_frame_equal(ind, before)
    assert out["ward_code"].tolist() == ["W1", "W2", "W3"]
    assert out["ward_name"].tolist() == ["Ash", "Birch", "Cedar"]
    assert out.attrs["synthetic"] is True
    assert cr.load_indicators(ind.drop(columns="synthetic"), wards).attrs["synthetic"] is False


def test_load_indicators_lists_unknown_and_missing_wards(ind, wards):
    bad = ind.copy()
    bad.loc[0, "ward_code"] = "E05999999"  # W2 replaced by an unknown code
    with pytest.raises(
        ValueError, match=r"'E05999999'.*no row for 1 of the CSP's wards: 'W2' \(Birch\)"
    ):
        cr.load_indicators(bad, wards)


def test_load_indicators_duplicate_ward(ind, wards):
    bad = pd.concat([ind, ind.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one row for ward 'W2'"):
        cr.load_indicators(bad, wards)


def test_load_indicators_missing_file(tmp_path, wards):
    with pytest.raises(ValueError, match="no such file"):
        cr.load_indicators(tmp_path / "nope.csv", wards)


def test_load_indicators_needs_ward_code(ind, wards):
    with pytest.raises(ValueError, match="ward_code"):
        cr.load_indicators(ind.rename(columns={"ward_code": "code"}), wards)


def test_load_indicators_reads_csv(tmp_path, ind, wards):
    path = tmp_path / "ind.csv"
    ind.to_csv(path, index=False)
    assert cr.load_indicators(path, wards)["cse_crimes"].tolist() == [2, 4, 4]


@pytest.fixture
def quarterly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": ["W1", "W2", "W1", "W2"],
            "quarter": ["2025Q1", "2025Q1", "2025Q2", "2025Q2"],
            "cse_crimes": [3, 9, 0, 20],
        }
    )


def test_load_quarterly_and_district_totals(quarterly, wards):
    q = cr.load_quarterly(quarterly, wards, ["cse_crimes"])
    d = cr.district_quarterly(q, ["cse_crimes"])
    assert d["quarter"].tolist() == ["2025Q1", "2025Q2"]
    assert d["cse_crimes"].tolist() == [12, 20]
    assert d["quarter_start"].tolist() == [pd.Timestamp("2025-01-01"), pd.Timestamp("2025-04-01")]


def test_load_quarterly_bad_quarter(quarterly, wards):
    bad = quarterly.assign(quarter=["2025Q1", "2025-Q1", "2025Q2", "2025Q2"])
    with pytest.raises(ValueError, match="'2025-Q1'"):
        cr.load_quarterly(bad, wards, ["cse_crimes"])


def test_load_quarterly_duplicate(quarterly, wards):
    bad = quarterly.assign(quarter="2025Q1")
    with pytest.raises(ValueError, match="more than once"):
        cr.load_quarterly(bad, wards, ["cse_crimes"])


def test_load_quarterly_negative(quarterly, wards):
    bad = quarterly.assign(cse_crimes=[1, -2, 0, 3])
    with pytest.raises(ValueError, match="cse_crimes"):
        cr.load_quarterly(bad, wards, ["cse_crimes"])


def test_load_quarterly_unknown_ward(quarterly, wards):
    bad = quarterly.assign(ward_code=["W1", "X9", "W1", "W2"])
    with pytest.raises(ValueError, match="'X9'"):
        cr.load_quarterly(bad, wards, ["cse_crimes"])


# --------------------------------------------------------------------------- settings


def test_index_settings_from_weights(ind):
    s = cr.index_settings(CseOptions(weights={"cse_crimes": 2, "hmo_count": 1}), ind.columns)
    assert s["indicators"] == ["cse_crimes", "hmo_count"]
    assert s["weights"] == {"cse_crimes": 2, "hmo_count": 1}
    assert s["method"] == "zscore" and s["missing"] == "reweight"


def test_index_settings_default_all_known(ind):
    s = cr.index_settings(CseOptions(), ind.columns)
    assert s["indicators"] == ["hmo_count", "cse_crimes", "imd_share_deciles_1_5"]
    assert s["weights"] is None


def test_index_settings_indicators_fill_missing_weights_with_zero(ind):
    s = cr.index_settings(
        CseOptions(indicators=["cse_crimes", "hmo_count"], weights={"cse_crimes": 1}),
        ind.columns,
    )
    assert s["weights"] == {"cse_crimes": 1, "hmo_count": 0}


def test_index_settings_imd_rank_is_turned_round():
    s = cr.index_settings(CseOptions(indicators=["imd_rank_mean"]), ["ward_code", "imd_rank_mean"])
    assert s["higher_is_worse"] == {"imd_rank_mean": False}


def test_index_settings_unknown_indicator(ind):
    with pytest.raises(ValueError, match="'teen' are not columns.*It has: .*'cse_crimes'"):
        cr.index_settings(CseOptions(weights={"teen": 1}), ind.columns)


def test_index_settings_weight_outside_indicators(ind):
    with pytest.raises(ValueError, match="'hmo_count', which cse.indicators leaves out"):
        cr.index_settings(
            CseOptions(
                **{"indicators": ["cse_crimes"], "weights": {"cse_crimes": 1, "hmo_count": 1}}
            ),
            ind.columns,
        )


def test_indicator_rates_by_hand(ind, wards):
    d = cr.load_indicators(ind, wards)
    before = d.copy()
    r = cr.indicator_rates(d, ["cse_crimes", "hmo_count", "imd_share_deciles_1_5"])
    pd.testing.assert_frame_equal(d, before)
    assert r["cse_crimes"].tolist() == [4.0, 4.0, 2.0]
    assert r["hmo_count"].tolist() == [10.0, 10.0, 20.0]
    assert r["imd_share_deciles_1_5"].tolist() == [1.0, 0.5, 0.0]


def test_indicator_rates_zero_denominator(ind):
    bad = ind.assign(population_0_15=[1000, 0, 2000])
    with pytest.raises(ValueError, match="population_0_15.*above 0.*W1"):
        cr.indicator_rates(bad, ["cse_crimes"])


def test_indicator_rates_unknown_denominator(ind):
    with pytest.raises(ValueError, match="no denominator"):
        cr.indicator_rates(ind.assign(other=1), ["other"])


# --------------------------------------------------------------------------- bands


def test_band_levels_zscore_and_percentile():
    z = [-1.5, -1.0, -0.7, -0.49, 0.0, 0.49, 0.5, 0.99, 1.0, np.nan]
    assert cr.band_levels(z, "zscore").tolist() == [-2, -2, -1, 0, 0, 0, 1, 1, 2, -99]
    assert cr.band_levels([0, 20, 21, 40, 50, 60, 79, 80], "percentile").tolist() == [
        -2,
        -2,
        -1,
        -1,
        0,
        1,
        1,
        2,
    ]
    with pytest.raises(ValueError, match="method"):
        cr.band_levels([0.0], "rank")


def _index(ind, wards):
    d = cr.load_indicators(ind, wards)
    s = cr.index_settings(CseOptions(), d.columns)
    rates = cr.indicator_rates(d, s["indicators"])
    return d, s, rates, composite_index(rates, **s)


def test_index_display_shows_bands_not_values(ind, wards):
    _, s, _, idx = _index(ind, wards)
    disp = cr.index_display(idx, s["indicators"], priority=["W1"])
    assert disp.columns.tolist()[:4] == ["Rank", "Ward", "Index", "Priority"]
    assert disp["Rank"].tolist() == sorted(disp["Rank"].tolist())
    band_cols = [cr.label(i) for i in s["indicators"]]
    assert set(disp[band_cols].to_numpy().ravel()) <= set(cr.BAND_SHORT)
    html = table_html(
        cr.safe_table(disp, not_count_cols=["Rank"], styles=cr.band_styles(disp), caption="x")
    )
    assert scan_html_for_disclosure(html, threshold=10).empty
    assert html.count('class="num sa-not-count" data-sa-not-count=""') == len(disp)
    # every band cell is coloured by its band (the renderer's styles=), no other cell is
    levels = disp.attrs["levels"]
    n_band = sum((levels[c] == lev).sum() for c in levels for lev in (-2, -1, 0, 1, 2))
    assert html.count("text-align:center") == n_band == len(disp) * len(band_cols)
    for lev, colour in zip((-2, -1, 0, 1, 2), cr.BAND_COLOURS, strict=True):
        n = int((levels == lev).to_numpy().sum())
        assert html.count(f"background:{colour};") == n
    assert html.count("color:white") == int((levels == -2).to_numpy().sum())


def test_safe_table_marks_counts_and_ranks_for_the_one_renderer():
    df = pd.DataFrame({"Rank": ["3"], "Quarter": ["2025Q1"], "Count": ["<10"]})
    t = cr.safe_table(df, not_count_cols=["Rank"], count_cols=["Count"], caption="Counts")
    assert t.published().iloc[0].tolist() == ["3", "2025Q1", "<10"]  # labels kept as they are
    html = table_html(t)
    assert 'class="sa-count" data-sa-count="&lt;10"' in html
    assert 'class="num sa-not-count" data-sa-not-count="">3<' in html
    assert scan_html_for_disclosure(html, threshold=10).empty
    leaky = table_html(
        cr.safe_table(pd.DataFrame({"Count": ["7"]}), count_cols=["Count"], caption="x")
    )
    assert scan_html_for_disclosure(leaky, threshold=10)["value"].tolist() == [7]


def test_indicator_table_suppresses_small_totals():
    d = pd.DataFrame(
        {"cse_crimes": [3, 4], "hmo_count": [20, 30], "imd_share_deciles_1_5": [0.1, 0.2]}
    )
    t = cr.indicator_table(
        d,
        ["cse_crimes", "hmo_count", "imd_share_deciles_1_5"],
        {"cse_crimes": 2, "hmo_count": 1, "imd_share_deciles_1_5": 1},
        threshold=10,
    )
    # cse_crimes total 7 is suppressed; HMOs 50 is then the only other count: a complement.
    assert t["District total"].tolist() == ["<10", "[c]", "–"]
    assert t["Weight"].tolist() == ["50%", "25%", "25%"]


def test_priority_counts_only_counts(ind, wards):
    d = cr.load_indicators(ind, wards)
    t = cr.priority_counts(d, ["W3", "W1"], ["cse_crimes", "imd_share_deciles_1_5"])
    assert t.columns.tolist() == ["Ward", "CSE-flagged crimes"]
    assert t["Ward"].tolist() == ["Cedar", "Ash"]
    assert t["CSE-flagged crimes"].tolist() == [4, 2]


# --------------------------------------------------------------------------- trends


def test_quarterly_bands_by_hand():
    d = pd.DataFrame(
        {"quarter": ["2025Q1", "2025Q2", "2025Q3"], "quarter_start": [0, 0, 0], "x": [0, 7, 23]}
    )
    b = cr.quarterly_bands(d, ["x"], 10)
    assert b["x"].tolist() == ["0", "<10", "20-29"]
    assert b.attrs["levels"]["x"].tolist() == [-1, 0, 3]
    assert b.attrs["bands"][:4] == ["<10", "10-14", "15-19", "20-29"]
    hidden = cr.quarterly_bands(d, ["x"], 10, suppress_zero=True)
    assert hidden["x"].tolist() == ["<10", "<10", "20-29"]
    assert hidden.attrs["levels"]["x"].tolist() == [0, 0, 3]


def test_annual_change_by_hand():
    d = pd.DataFrame(
        {
            "quarter": [f"{y}Q{q}" for y in (2024, 2025) for q in range(1, 5)] + ["2026Q1"],
            "x": [5, 5, 5, 5, 10, 10, 10, 10, 1],
        }
    )
    a = cr.annual_change(d, ["x"])
    assert a.attrs["years"] == ("2024", "2025")
    r = a.iloc[0]
    assert (r["count_before"], r["count_after"], r["pct_change"]) == (20, 40, 100.0)
    with pytest.raises(ValueError, match="2026 has 1 quarter"):
        cr.annual_change(d, ["x"], "2025", "2026")


# --------------------------------------------------------------------------- findings


def _findings_inputs(ind, wards):
    _, s, rates, idx = _index(ind, wards)
    pri = priority_wards(idx, 1)
    st = rank_stability(rates, **s, top_n=1, seed=1, n_sims=50)
    prev = pd.DataFrame({"ward_code": ["W2"]})
    comp = compare_previous(pri, prev, wards=idx)
    return idx, pri, st, comp


def test_key_findings_never_quote_small_counts(ind, wards):
    idx, pri, st, comp = _findings_inputs(ind, wards)
    annual = pd.DataFrame(
        {
            "indicator": ["cse_crimes", "cse_referrals"],
            "count_before": [4, 30],
            "count_after": [12, 45],
            "pct_change": [200.0, 50.0],
            "p_value": [0.08, 0.07],
            "significant": [False, False],
            "change_label": ["x", "y"],
        }
    )
    annual.attrs["years"] = ("2024", "2025")
    found = cr.key_findings(idx, pri, st, comp, annual, threshold=10, n_sims=50, synthetic=True)
    text = "\n".join(found)
    assert found[0].startswith("SYNTHETIC DATA")
    assert "12 in 2025 against fewer than 10 in 2024." in text
    assert "+200%" not in text  # a percentage would give the small count away
    assert "45 in 2025 against 30 in 2024 (+50%, not a significant change" in text
    assert scan_text(text, threshold=10).empty
    top = pri["ward_name"].iloc[0]
    assert f"is {top}." in text
    assert "no longer priority" in text or "continuing" in text


def test_key_findings_new_continuing_dropped(ind, wards):
    idx, pri, st, _ = _findings_inputs(ind, wards)
    comp = pd.DataFrame(
        {"ward_name": ["Ash", "Birch", "Cedar"], "status": ["continuing", "new", "dropped"]}
    )
    text = " ".join(cr.key_findings(idx, pri, st, comp, None, threshold=10, n_sims=50))
    assert (
        "continuing from the previous assessment: Ash; new: Birch; no longer priority: Cedar"
        in text
    )


# --------------------------------------------------------------------------- figures


def test_synthetic_warning_and_inputs_table(ind, wards):
    d = cr.load_indicators(ind, wards)
    html = cr.synthetic_warning_html(d, None)
    assert 'class="sa-synthetic"' in html and "must not be used for decisions" in html
    real = cr.load_indicators(ind.drop(columns="synthetic"), wards)
    assert cr.synthetic_warning_html(real, None) == ""
    assert "sa-synthetic" in cr.synthetic_warning_html(real, d)  # a synthetic quarterly file
    rows = cr.inputs_frame([("Indicators", "x.csv", "SYNTHETIC", "made up")])
    assert rows.columns.tolist() == ["Input", "File", "Real or synthetic", "How made"]
    # plain English: a file name is said as "the x file", never a path
    assert rows.iloc[0].tolist() == ["Indicators", "the x file", "SYNTHETIC", "made up"]


# --------------------------------------------------------------------------- build


@pytest.fixture(scope="module")
def built(sample_theme):
    # The page's own build on the shipped parameters (every simulation), built once per
    # session (conftest.py ``sample_theme``), shared with every test that reads it.
    return sample_theme("cse")


def test_build_on_the_sample_has_every_section_table_and_figure_in_page_order(built):
    from sa_lib.themes.results import Figure, Html, Note, Table

    r = built
    assert list(r.sections) == [
        "header", "findings", "sources", "correlation", "index", "priority", "comparison",
        "counts", "profiles", "map", "trends", "methods",
    ]  # fmt: skip
    assert r.availability == {}
    assert [t.caption for t in r.tables()] == [
        "Inputs",
        "Correlation of each indicator with ward deprivation",
        "Indicators in the index, their weights and district totals",
        "Ward risk index, all wards (bands: compared with the district's wards)",
        "Priority wards and how stable their ranking is",
        "Priority wards: this assessment and the previous one",
        "Priority wards: annual indicator counts",
        "CSE-flagged crimes and CSE referrals per quarter, district, banded",
        "Calendar-year totals, district",
        None,  # Methods
    ]
    kinds = {k: [type(b).__name__ for b in r.sections[k]] for k in r.sections}
    assert kinds["sources"] == ["Html", "Table"]
    assert kinds["priority"] == ["Table", "Note", "Figure"]
    assert kinds["trends"] == ["Table", "Table", "Figure"]  # the chart after the cell's tables
    assert kinds["profiles"] == kinds["map"] == ["Figure"]
    assert isinstance(r.sections["sources"][0], Html)
    assert isinstance(r.sections["priority"][1], Note)
    assert all(isinstance(b, Figure) and b.synthetic for b in r.sections["map"])
    # every CSE table is labelled synthetic (the caption says so in the download) but Methods
    syn = [t.synthetic for t in r.tables() if isinstance(t, Table)]
    assert syn == [True, False, True, True, True, True, True, True, True, False]
    assert r.findings[0].text.startswith("SYNTHETIC DATA")
    assert set(r.data) == {"index", "priority"}
    js = r.to_json()
    assert js["tables"][0]["file"] == "cse_01_inputs.csv"
    assert js["tables"][0]["caption"] == "SYNTHETIC DATA: Inputs"


def test_build_tables_keep_the_disclosure_contract_and_band_colours(built):
    from sa_lib.pack.disclosure_scan import scan_html_for_disclosure
    from sa_lib.themes.render import block_html

    r = built
    by_cap = {t.caption: t for t in r.tables()}
    index = by_cap["Ward risk index, all wards (bands: compared with the district's wards)"]
    assert index.not_count_cols == ("Rank",) and index.styles is not None
    levels = index_display(
        r.data["index"], [c.removesuffix("_std") for c in r.data["index"] if c.endswith("_std")]
    ).attrs["levels"]
    assert (index.styles[levels.columns] != "").all().all()
    assert (index.styles.drop(columns=levels.columns) == "").all().all()
    totals = by_cap["Indicators in the index, their weights and district totals"]
    assert totals.count_cols == ("District total",)
    counts = by_cap["Priority wards: annual indicator counts"]
    assert counts.threshold == 10 and counts.any_hidden
    assert "[c]" in counts.published().to_numpy()  # secondary suppression, always on CSE
    assert by_cap["Priority wards and how stable their ranking is"].not_count_cols == (
        "Rank",
        "Median simulated rank",
    )
    page = "".join(block_html(b) for _, b in r.blocks())
    assert scan_html_for_disclosure(page, threshold=10).empty


def test_build_without_previous_priority_wards_says_why(built, tmp_path):
    from conftest import sample_ctx_without

    from sa_lib.themes.results import Note

    ctx = sample_ctx_without(
        tmp_path, "cse", "previous_priority_wards", overrides={"cse.n_sims": 200}
    )
    assert ctx.path("previous_priority_wards") is None
    r = cr.build(ctx)
    assert r.availability == {"previous assessment": cr.NO_PREVIOUS}
    assert [type(b) for b in r.sections["comparison"]] == [Note]
    assert r.sections["comparison"][0].text == cr.NO_PREVIOUS
    captions = [t.caption for t in r.tables()]
    assert "Priority wards: this assessment and the previous one" not in captions
    assert len(captions) == len(built.tables()) - 1
    assert not any("previous assessment's priority" in f.text for f in r.findings)


def test_notebook_shows_every_section_of_the_result_in_order(built):
    import re

    from sa_lib import config

    src = (config.NOTEBOOKS_DIR / "cse.ipynb").read_text(encoding="utf-8")
    shown = re.findall(r'render\.show\(result, \\"(\w+)\\"\)', src)
    assert shown == list(built.sections)
