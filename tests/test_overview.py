"""The overview page built once by ``overview.build(ctx)``: sections, availability, data kept."""

import pandas as pd
import pytest

from sa_lib import config
from sa_lib.themes import overview as ov
from sa_lib.themes import summary
from sa_lib.themes.results import Figure, Html, Note, Table

SECTIONS = [
    "header", "findings", "types", "harm", "monthly", "spc", "trend", "wards", "ward_map",
    "comparison", "concentration", "quality", "methods",
]  # fmt: skip

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


@pytest.fixture(scope="module")
def sample_ctx():
    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", "overview")


@pytest.fixture(scope="module")
def sample_result(sample_theme):
    # ov.build(sample_ctx), built once per session (conftest.py ``sample_theme``).
    return sample_theme("overview")


def _kinds(blocks):
    return [type(b).__name__ for b in blocks]


def test_build_on_the_sample_has_every_section_and_harm_from_the_cited_default(sample_result):
    r = sample_result
    assert list(r.sections) == SECTIONS
    assert set(r.availability) == set()
    # The default harm input names its source; ASB (no CCHI score) is reported separately.
    table, source, asb = r.sections["harm"]
    assert isinstance(table, Table) and isinstance(source, Note) and isinstance(asb, Note)
    assert "Cambridge Crime Harm Index (2026 update)" in source.text
    assert asb.text.startswith("Anti-social behaviour (") and "reported separately" in asb.text
    assert "Anti-social behaviour" not in set(r.data["harm"]["crime_type"])
    assert r.findings and r.findings[0].text.startswith("Compared with ")
    captions = [t.caption for t in r.tables()]
    assert captions[0] == "Crime and ASB by type, Huntingdonshire"
    assert any(c and c.startswith("Top wards by crime rate, Q4 2025") for c in captions)
    assert "Targets from the parameters" in captions
    js = r.to_json()
    assert js["tables"][0]["file"].startswith("overview_01_")


def test_build_lays_out_each_section_as_the_notebook_cell_did(sample_result):
    s = sample_result.sections
    assert _kinds(s["header"]) == ["Html"]  # no warning while computing on the sample
    # The monthly chart comes after the list of breaks (a cell shows its figure last).
    assert _kinds(s["monthly"]) == ["Html", "Figure"]
    assert isinstance(s["monthly"][0], Html)
    assert "Known breaks in the series" in s["monthly"][0].html
    kinds = _kinds(s["spc"])
    assert kinds[0] == "Findings" and kinds[-1] == "Figure"
    # Table, CI chart, funnel plot and its note, in that order.
    assert _kinds(s["comparison"]) == ["Table", "Figure", "Figure", "Note"]
    assert _kinds(s["concentration"]) == ["Table", "Figure"]
    (ward_map,) = s["ward_map"]
    assert isinstance(ward_map, Figure) and "<svg" in ward_map.svg
    trend = s["trend"]
    assert [b.caption for b in trend if isinstance(b, Table)] == [
        "Trend per year, all months the force holds up to the end of the period",
        "Targets from the parameters",
    ]
    assert isinstance(trend[-1], Figure)


def test_build_keeps_the_series_it_computed_once_for_the_summary(sample_ctx, sample_result):
    d = sample_result.data
    for key in ("types", "wards", "monthly", "monthly_total", "spc", "trends", "targets"):
        assert isinstance(d[key], pd.DataFrame), key
    assert d["spc"]["count"].tolist() == d["monthly_total"]["count"].tolist()
    assert set(d["trends"]["crime_type"]) == set(d["major_types"])
    assert "All crime" in set(d["types"]["crime_type"])
    assert d["comparison"] is not None and len(d["comparison"]) > 3
    assert int(d["lsoa_counts"]["count"].sum()) == len(sample_ctx.in_period("current"))


def test_build_without_force_counts_says_the_comparison_is_skipped(sample_ctx, monkeypatch):
    monkeypatch.setattr(sample_ctx, "force_counts", None)
    r = ov.build(sample_ctx)
    assert r.availability["wider comparison"] == ov.NO_FORCE_COUNTS
    assert [b.text for b in r.sections["comparison"]] == [ov.NO_FORCE_COUNTS]
    assert "comparison" not in r.data


def test_build_with_harm_weights_shows_the_harm_table(sample_ctx, tmp_path):
    types = sorted(sample_ctx.crimes["crime_type"].unique())
    rows = [f"{t},{i + 1},Test table," for i, t in enumerate(types)]
    path = tmp_path / "weights.csv"
    path.write_text("crime_type,weight,source,mapping\n" + "\n".join(rows) + "\n")
    from sa_lib.pack.context import open_context

    ctx = open_context(
        "parameters/huntingdonshire_2025q4.yaml",
        "overview",
        overrides={"data.harm_weights": str(path)},
    )
    r = ov.build(ctx)
    assert "harm" not in r.availability
    # The partnership's own table overrides the default, and the page names it.
    table, source = r.sections["harm"]
    assert source.text == "Harm weights: the partnership's own table (Test table)."
    assert table.caption == f"Harm-weighted crime, {ctx.period.label}"
    harm = r.data["harm"].set_index("crime_type")
    first = types[0]
    assert harm.loc[first, "harm"] == pytest.approx(harm.loc[first, "count"] * 1.0)


def test_build_with_a_series_too_short_for_a_trend_says_why(sample_ctx, monkeypatch):
    def short(monthly, major, alpha):
        out = pd.DataFrame()
        out.attrs["too_short"] = "Too few months for a trend."
        return out

    monkeypatch.setattr(summary, "trend_table", short)
    r = ov.build(sample_ctx)
    assert r.availability["trend"] == "Too few months for a trend."
    notes = [b.text for b in r.sections["trend"] if isinstance(b, Note)]
    assert "Too few months for a trend." in notes
    captions = [b.caption for b in r.sections["trend"] if isinstance(b, Table)]
    assert captions == ["Targets from the parameters"]


def test_build_with_no_comparison_period_reports_no_change(sample_ctx, monkeypatch):
    monkeypatch.setattr(sample_ctx, "periods", {"current": sample_ctx.periods["current"]})
    r = ov.build(sample_ctx)
    assert r.availability["change"] == ov.NO_CHANGE
    assert r.findings[0].text == ov.NO_CHANGE
    assert not any(f.text.startswith("Compared with") for f in r.findings)
