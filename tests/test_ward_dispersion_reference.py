"""Ward-level change tests against R (issue 20 item 5): why no ward change is significant.

Reference values: tests/fixtures/reference/ward_change.R on ward_series.csv (the
sample's monthly crimes excluding ASB per ward, written by make_ward_series.py). R fits
each ward's trend model (``glm(y ~ t + month, quasipoisson)``), tests its Pearson
dispersion, and compares Q4 2025 with Q4 2024 (days at risk) as a quasi-Poisson rate
ratio where the series is over-dispersed, else with ``poisson.test``; BH across wards.
See docs/methods.md, "Why no ward change is significant in the sample".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sa_lib.stats.change import compare_counts
from sa_lib.stats.dispersion import series_dispersion

REF = Path(__file__).parent / "fixtures" / "reference"
BEFORE, AFTER = ["2024-10", "2024-11", "2024-12"], ["2025-10", "2025-11", "2025-12"]


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(REF / "ward_change.csv").set_index("ward_code")


@pytest.fixture(scope="module")
def library() -> pd.DataFrame:
    s = pd.read_csv(REF / "ward_series.csv")
    rows = []
    for code, g in s.groupby("ward_code"):
        g = g.sort_values("month")
        d = series_dispersion(
            pd.DataFrame({"date": pd.to_datetime(g["month"]), "count": g["count"].to_numpy()})
        )
        rows.append(
            {
                "ward_code": code,
                "count_before": int(g.loc[g["month"].isin(BEFORE), "count"].sum()),
                "count_after": int(g.loc[g["month"].isin(AFTER), "count"].sum()),
                "days_before": float(g.loc[g["month"].isin(BEFORE), "days"].sum()),
                "days_after": float(g.loc[g["month"].isin(AFTER), "days"].sum()),
                "estimate": d["estimate"],
                "df": d["df"],
                "p_over": d["p_value"],
                "dispersion": d["dispersion"],
            }
        )
    t = pd.DataFrame(rows)
    kw = dict(exposure_before="days_before", exposure_after="days_after", correction="fdr_bh")
    quasi = compare_counts(t, dispersion="dispersion", dispersion_df="df", **kw)
    exact = compare_counts(t, method="exact", **kw)
    quasi["p_exact"], quasi["p_exact_bh"] = exact["p_value"], exact["p_adjusted"]
    return quasi.set_index("ward_code")


def test_ward_dispersions_match_r(library, expected):
    got = library.loc[expected.index]
    assert (got["df"] == expected["df"]).all()
    assert got["estimate"].to_numpy() == pytest.approx(expected["dispersion_estimate"], rel=1e-6)
    assert got["p_over"].to_numpy() == pytest.approx(expected["p_overdispersion"], rel=1e-4)
    assert got["dispersion"].to_numpy() == pytest.approx(expected["dispersion"], rel=1e-6)


def test_ward_change_p_values_match_r(library, expected):
    got = library.loc[expected.index]
    assert got["test"].tolist() == expected["test"].tolist()
    assert got["p_value"].to_numpy() == pytest.approx(expected["p_value"], rel=1e-5)
    assert got["p_adjusted"].to_numpy() == pytest.approx(expected["p_adjusted"], rel=1e-5)
    assert got["p_exact"].to_numpy() == pytest.approx(expected["p_exact"], rel=1e-5)
    assert got["p_exact_bh"].to_numpy() == pytest.approx(expected["p_exact_bh"], rel=1e-5)


def test_eight_wards_significant_only_when_overdispersion_is_ignored(expected):
    """The note's claim: 8 wards pass BH under the exact Poisson test; none once each
    ward's overdispersion is allowed for (the smallest adjusted p is about 0.27)."""
    assert int((expected["p_exact_bh"] < 0.05).sum()) == 8
    assert int((expected["p_adjusted"] < 0.05).sum()) == 0
    assert expected["p_adjusted"].min() == pytest.approx(0.2707, abs=1e-3)
    assert int((expected["test"] == "quasi-Poisson").sum()) == 14
    # The note's caveat: under a negative binomial only Somersham survives BH.
    nb = expected.set_index("ward_name")["p_nb_bh"]
    assert nb[nb < 0.05].index.tolist() == ["Somersham"]
    assert nb["Somersham"] == pytest.approx(0.0273, abs=1e-3)


def test_sample_ward_tables_give_r_s_answer_on_every_page(expected):
    """The overview's ward table and the hot-spot page's ward change read the same test."""
    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context
    from sa_lib.themes import hotspots_build, overview

    ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "overview")
    wards = overview.analysis(ctx).wards.set_index("ward_code").loc[expected.index]
    assert wards["p_vs_last_year"].to_numpy() == pytest.approx(expected["p_adjusted"], rel=1e-5)
    hctx = open_context("parameters/huntingdonshire_2025q4.yaml", "hotspots")
    _, change, _ = hotspots_build._change(
        hctx, hotspots_build.hr.resolve_crime_types(hctx.options.crime_types)
    )
    change = change.set_index("ward_code").loc[expected.index]
    assert change["p_adjusted"].to_numpy() == pytest.approx(expected["p_adjusted"], rel=1e-5)
    assert (change["change_class"] == "No significant change").all()
