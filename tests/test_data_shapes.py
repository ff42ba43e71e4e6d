"""Right on any data: every theme x period kind x store shape builds or is refused by `sa check`.

Each cell either is refused by ``sa check`` before any notebook runs (naming the
reason and what the store holds) or builds, with every measure computed from held
data or listed as not available with a reason. A crash is a failure. Themes are
built directly (``build(ctx)``, as the notebooks call it), with no kernel; the
cells on the 24-month Cambridgeshire sample and the `sa run-all` run are marked
``e2e`` (slow).

The crashes quoted in issue 19 are named tests here:
``test_month_period_with_one_month_held_builds_without_an_xmr_chart`` (ValueError:
an XmR chart needs at least 2 points), ``test_first_quarter_of_a_store_builds_*``
(KeyError 'previous'), ``test_wards_and_summary_with_only_the_previous_period_held``
(KeyError 'last_year' / 'count_previous').
"""

from __future__ import annotations

import pytest
import shapes

ESSEX_ALL = shapes.ESSEX_ALL


# (shape, period) -> expected outcome for every public theme: "built" or "refused".
ESSEX_CELLS = {
    ("one_month", "2018-03"): "built",  # one month only: no series, no comparison
    ("one_month", "2018-Q1"): "refused",  # the quarter is not held
    ("one_month", "2018"): "refused",  # calendar year
    ("one_month", "FY2017/18"): "refused",  # financial year
    ("one_month", "12m-2018-03"): "refused",  # 12 months to a month
    ("first_period", "2018-01"): "built",  # the first month of the store
    ("first_period", "2018-Q1"): "built",  # the first quarter: no comparison held
    ("first_period", "2018-Q2"): "built",  # previous held, last year not
    ("gap", "2018-06"): "built",  # a gap inside the series
    ("gap", "2018-Q2"): "built",  # the previous quarter is partly held
    ("gap", "2018-Q1"): "refused",  # the period itself has a gap
}


@pytest.mark.parametrize(("shape", "period"), list(ESSEX_CELLS), ids=lambda v: str(v))
def test_essex_shape_x_period_every_public_theme(essex_cell, shape, period):
    expected = ESSEX_CELLS[(shape, period)]
    cells = essex_cell(shape, period)
    for theme, (outcome, value) in cells.items():
        assert outcome == expected, (theme, value if outcome == "refused" else "built")
        if outcome == "refused":
            # The reason names the period's missing months and what the store holds.
            assert "It holds" in value and "Fix:" in value, value
            assert len(cells) == 1  # `sa check` refuses the whole file: every theme alike
        else:
            shapes.check_built(value)
    assert expected == "refused" or list(cells) == shapes.PUBLIC_THEMES


def test_month_period_with_one_month_held_builds_without_an_xmr_chart(essex_cell):
    """Issue 19: `ValueError: df has 1 row; an XmR chart needs at least 2 points`."""
    for theme in ("overview", "violence"):
        outcome, r = essex_cell("one_month", "2018-03")[theme]
        assert outcome == "built"
        reason = r.availability["control chart"]
        assert "1 unbroken month" in reason and "not available" in reason
        assert r.data.get("spc") is None


def test_first_quarter_of_a_store_builds_place_wards_and_summary(essex_stores, tmp_path):
    """Issue 19: the first quarter of a store failed with `KeyError: 'previous'`."""
    _, store = essex_stores["first_period"]
    path = shapes.essex_params(
        tmp_path,
        store,
        "2018-Q1",
        ["place_profile", "wards", "summary"],
        csp=("Colchester", "E07000071"),
    )
    built = {t: shapes.cell(path, t) for t in ("place_profile", "wards", "summary")}
    assert {t: o for t, (o, _) in built.items()} == dict.fromkeys(built, "built")
    wards = built["wards"][1]
    assert "Q1 2017" in wards.availability["ward change"]
    assert any("not available" in f.text for f in wards.findings)
    summary = built["summary"][1]
    text = " ".join(f.text for f in summary.findings)
    assert "The change against Q1 2017 (Jan-Mar) is not available" in text
    assert "a significant change" not in text


def test_summary_no_real_change_names_only_the_tests_that_ran(essex_stores, tmp_path):
    """Essex 2018 matrix: a month with 3 months held (and a ward, which has neither test)
    read "neither the trend nor the control chart found anything", but no trend (12 months
    needed) or control chart (6) was made."""
    _, store = essex_stores["first_period"]
    path = shapes.essex_params(
        tmp_path, store, "2018-03", ["summary"], csp=("Colchester", "E07000071")
    )
    outcome, r = shapes.cell(path, "summary")
    assert outcome == "built"
    steady = [f.text for f in r.findings if f.text.startswith("No real change")]
    assert steady, [f.text for f in r.findings]
    for text in steady:
        assert "neither the trend nor the control chart" not in text, text
        assert text.endswith("; no trend or control chart was tested)."), text
    scored = r.data["scored"]
    crimes = scored[scored["kind"] == "crime type"]
    assert not crimes["trend_tested"].any() and not crimes["spc_tested"].any()


def test_a_crime_type_with_no_crimes_is_not_a_candidate_priority(essex_cell):
    """Essex 2018 matrix: "Possession of weapons: 0 in Jan 2018 (0% of all recorded crime
    and ASB). Priority score 2.40 (rank 5)" was a key finding of Brentwood's summary."""
    outcome, r = essex_cell("first_period", "2018-01")["summary"]
    assert outcome == "built"
    crimes = r.data["scored"].query("kind == 'crime type'")
    assert len(crimes) and (crimes["count"] > 0).all(), crimes[["issue", "count"]]
    assert not [f.text for f in r.findings if ": 0 in Jan 2018" in f.text]
    _, wards = essex_cell("first_period", "2018-01")["wards"]
    assert not [f.text for f in wards.findings if " 1 have " in f.text]


def test_wards_and_summary_with_only_the_previous_period_held(essex_cell):
    """Wards and summary compare with the previous period when last year is not held."""
    built = {t: essex_cell("first_period", "2018-Q2")[t] for t in ("wards", "summary")}
    for outcome, r in built.values():
        assert outcome == "built"
        shapes.check_built(r)
    # Last year is not held; the previous quarter is, and the wards are compared with it.
    wards = built["wards"][1]
    assert "label_vs_previous" in wards.data["wards"] and "ward change" not in wards.availability
    assert "Q1 2018" in " ".join(c for t in wards.to_json()["tables"] for c in t["columns"])


def test_wards_when_the_previous_period_is_partly_held(essex_cell):
    """Q1 2018 lacks March in this store: no ward is compared with a partial quarter."""
    outcome, wards = essex_cell("gap", "2018-Q2")["wards"]
    assert outcome == "built"
    text = " ".join(f.text for f in wards.findings)
    assert "The change on Q2 2017 (Apr-Jun) is not available" in text
    assert "Significant" not in text


def test_series_stops_at_a_gap_in_the_violence_page(essex_cell):
    """The violence trend and control chart read only the unbroken run ending at the period."""
    for theme in ("violence", "overview"):
        _, r = essex_cell("gap", "2018-06")[theme]
        months = sorted(r.data["monthly"]["month_start"].dt.strftime("%Y-%m").unique())
        assert months == ["2018-04", "2018-05", "2018-06"], (theme, months)
        notes = [b.text for _, b in r.blocks() if type(b).__name__ == "Note"]
        assert any("2018-04 to 2018-06 only" in n for n in notes), (theme, notes)


def test_sa_check_refuses_domestic_abuse_and_cse_without_their_inputs(essex_stores, tmp_path):
    """A theme that cannot run without its one input is refused before any notebook runs."""
    _, store = essex_stores["first_period"]
    path = shapes.essex_params(tmp_path, store, "2018-Q2", ["overview", "domestic_abuse", "cse"])
    outcome, message = shapes.cell(path, "overview")
    assert outcome == "refused"
    assert "theme 'domestic_abuse' needs a force extract" in message
    assert "theme 'cse' needs the partners' ward indicators file" in message


# ---------------------------------------------------------------- slow: 24 months, sample inputs

SAMPLE_ALL = tuple(f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13))

#: Periods on the Cambridgeshire sample (24 months, synthetic extract and partner files):
#: every period kind, the first quarter of the store (outcomes held, nothing before), and
#: periods whose comparisons are partly held by the outcome files (2024 only).
SAMPLE_CELLS = {
    "2024-Q1": "built",  # the first period of the store; outcomes held, last year not
    "2025-03": "built",  # a month
    "2025": "built",  # a calendar year (last year held)
    "FY2024/25": "built",  # a financial year
    "12m-2025-06": "built",  # 12 months to a month
    "2023-Q4": "refused",  # before the store
}


@pytest.mark.e2e
@pytest.mark.parametrize("period", list(SAMPLE_CELLS))
def test_sample_every_theme_x_period_kind(sample_cell, period):
    """Every theme of one pack is built as `sa run-all` builds a pack: one after another in
    this process, inside the per-pack memo, charts laid out but not painted
    (conftest.py ``sample_cell`` on the session's store of every sample month)."""
    cells = sample_cell(period)
    for theme, (outcome, value) in cells.items():
        assert outcome == SAMPLE_CELLS[period], (theme, value if outcome == "refused" else "")
        if outcome == "refused":
            assert len(cells) == 1  # `sa check` refuses the whole file
        else:
            shapes.check_built(value)
    assert SAMPLE_CELLS[period] == "refused" or list(cells) == list(shapes.BUILDERS)


@pytest.mark.e2e
def test_shipped_pack_is_unchanged_when_older_years_and_other_forces_are_added(pack, tmp_path):
    """Issue 19: with older years of the same force in the store the violence trend moved
    from +11% to +79% a year, a December flipped to "unusually high" and a priority changed.

    The shipped pack's side is the session's sample pack (conftest.py ``pack``: the same
    parameters on the sample store, each theme in its own kernel), read from the result
    each theme published. The wide store's pack is built as `sa run-all` builds one: every
    theme in this process, inside the per-pack memo, charts laid out but not painted
    (shapes.pack_without_pixels).
    """
    import json

    res, _ = pack
    older = shapes.relabel_year(
        [f"2024-{m:02d}" for m in range(1, 13)], 2024, 2023, tmp_path / "older"
    )
    wide = shapes.make_store(
        tmp_path, [*older, *shapes.sample_months(*SAMPLE_ALL), *shapes.essex_months(*ESSEX_ALL)]
    )
    wide_path = shapes.sample_params(tmp_path, wide, "2025-Q4")
    with shapes.pack_without_pixels():
        for theme in shapes.BUILDERS:
            path = res.out_dir / "results" / f"{theme}.json"
            a = json.loads(path.read_text(encoding="utf-8"))
            _, b = shapes.cell(wide_path, theme)
            assert shapes.published(b) == shapes.published(a), theme


@pytest.mark.e2e
def test_run_all_month_period_on_a_force_with_one_month_held(essex_stores, tmp_path, capsys):
    """Issue 19: `sa run-all --period YYYY-MM` built 0 packs (XmR chart with one point)."""
    import yaml

    from sa_lib.pack.cli import main

    _, store = essex_stores["one_month"]
    p = yaml.safe_load((shapes.ESSEX / "template.yaml").read_text())
    p["data"]["store"] = str(store)
    tpl = tmp_path / "template.yaml"
    tpl.write_text(yaml.safe_dump(p))
    out = tmp_path / "out"
    args = ["run-all", str(tpl), "--period", "2018-03", "--csp", "Maldon", "--csp", "Rochford"]
    args += ["--out", str(out), "--csp-lookup", str(shapes.ESSEX / "csp_lookup.csv"), "--quiet"]
    # run-all's own local cluster (no --scheduler), of one worker process.
    args += ["--workers", "1"]
    assert main(args) == 0, capsys.readouterr().err
    packs = sorted(d.name for d in out.glob("*_2018-03") if d.is_dir())
    assert packs == ["maldon_2018-03", "rochford_2018-03"], packs
    for d in packs:
        html = (out / d / "overview.html").read_text()
        assert "Control chart: not available" in html and "SYNTHETIC" not in html


def test_lsoa_2011_and_2021_codes_mixed_inside_one_month(tmp_path):
    """A month whose rows carry both LSOA vintages counts every row once, as the 2011 file."""
    from sa_lib.pack.context import open_context

    mixed = shapes.mixed_vintage("2018-03", tmp_path / "mixed")
    assert int((tmp_path / "mixed" / "changed.txt").read_text()) > 20
    counts = {}
    for name, src in {"2011": shapes.essex_months("2018-03"), "mixed": [mixed]}.items():
        root = tmp_path / name
        root.mkdir(exist_ok=True)
        store = shapes.make_store(root, src)
        path = shapes.essex_params(
            root, store, "2018-03", ["overview"], csp=("Colchester", "E07000071")
        )
        ctx = open_context(path, "overview")
        counts[name] = ctx.crimes.groupby("lsoa21_code").size()
        outcome, r = shapes.cell(path, "overview")
        assert outcome == "built"
        shapes.check_built(r)
    assert counts["mixed"].sum() == counts["2011"].sum() > 100


# ---------------------------------------------------------------- issue item 10: extract periods


def _extract_with_months(root, first: str, last: str):
    """The sample's synthetic extract cut to the months ``first`` to ``last``."""
    import pandas as pd

    from sa_lib import config

    ex = pd.read_csv(config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz")
    path = root / f"extract_{first}_{last}.csv.gz"
    ex[(ex["month"] >= first) & (ex["month"] <= last)].to_csv(path, index=False)
    return path


def _sample_with_extract(root, extract, period: str, themes: list[str]):
    import yaml

    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    path = shapes.sample_params(root, config.PROCESSED_DIR, period, themes)
    p = yaml.safe_load(path.read_text())
    p["data"]["extract"] = str(extract)
    path.write_text(yaml.safe_dump(p))
    return path


@pytest.mark.parametrize(
    ("last", "lacks"), [("2025-10", "2025-11 to 2025-12"), ("2025-09", "2025-10 to 2025-12")]
)
def test_sa_check_refuses_an_extract_that_lacks_months_of_the_period(tmp_path, last, lacks):
    """A quarter the extract held only in part read "107 domestic abuse crimes ... 69% lower
    than a year earlier (a significant change, p < 0.001)"; one it did not hold at all
    built a page with no word of why it was empty."""
    ex = _extract_with_months(tmp_path, "2024-01", last)
    path = _sample_with_extract(tmp_path, ex, "2025-Q4", ["domestic_abuse"])
    outcome, message = shapes.cell(path, "domestic_abuse")
    assert outcome == "refused"
    assert f"it lacks {lacks} (it holds 2024-01 to {last})" in message and "Fix:" in message


@pytest.mark.e2e
def test_domestic_abuse_change_on_a_year_the_extract_holds_in_part(tmp_path):
    """With the extract starting in Nov 2024, Q4 2024 is held in part: no change on it."""
    ex = _extract_with_months(tmp_path, "2024-11", "2025-12")
    path = _sample_with_extract(tmp_path, ex, "2025-Q4", ["domestic_abuse"])
    outcome, r = shapes.cell(path, "domestic_abuse")
    assert outcome == "built"
    shapes.check_built(r)
    text = " ".join(f.text for f in r.findings)
    assert "than a year earlier" not in text, text
    assert "Q4 2024" in r.availability["change on a year earlier"]


@pytest.mark.e2e
def test_cse_never_compares_years_after_the_period(sample_cell):
    """A Q1 2024 assessment read "CSE-flagged crimes in the district: 52 in 2025 against 51
    in 2024": years after the period, from the partners' quarterly file."""
    outcome, r = sample_cell("2024-Q1")["cse"]
    assert outcome == "built"
    shapes.check_built(r)
    assert not [f.text for f in r.findings if "2025" in f.text]
    assert "Q1 2024" in r.availability["calendar-year totals"]


def test_pack_without_pixels_lays_every_chart_out_and_paints_none():
    """The matrix's charts are made and laid out (every artist drawn without pixels, so a
    chart that cannot be drawn fails the cell) but not painted; outside the block charts
    are painted again."""
    import matplotlib.pyplot as plt
    from matplotlib.artist import Artist

    from sa_lib.charts import png
    from sa_lib.themes.results import figure

    class Undrawable(Artist):
        def draw(self, renderer):
            raise RuntimeError("this artist cannot be drawn")

    def chart(broken=False):
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3])
        if broken:
            ax.add_artist(Undrawable())
        return fig

    with shapes.pack_without_pixels():
        assert figure(chart()).png is None
        with pytest.raises(RuntimeError, match="cannot be drawn"):
            figure(chart(broken=True))
    assert figure(chart()).png.startswith(b"\x89PNG")
    assert png.png_bytes is not shapes._laid_out_only


@pytest.mark.no_pixels
def test_a_test_marked_no_pixels_gets_charts_laid_out_not_painted():
    """conftest.py applies pack_without_pixels' chart rule to tests marked ``no_pixels``."""
    import matplotlib.pyplot as plt

    from sa_lib.themes.results import figure

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    assert figure(fig).png is None
