"""Nothing is Huntingdonshire-specific: another real CSP runs by changing the parameters alone.

Uses the force-wide data in ../shared/data when present (as in CI); skipped otherwise.
"""

from __future__ import annotations

import pytest
import yaml

from sa_lib import config
from sa_lib.pack.context import open_context
from sa_lib.pack.runner import run_pack

SHARED = config.ROOT.parent / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (SHARED / "police_uk").is_dir(), reason="../shared/data not available"
)


@pytest.fixture(scope="module")
def fenland_params(tmp_path_factory):
    from sa_lib.data.ingest import ingest

    tmp = tmp_path_factory.mktemp("fenland")
    store = tmp / "store"
    ingest([SHARED / "police_uk"], store)
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["title"] = "Fenland Community Safety Partnership"
    p["csp"] = {"name": "Fenland", "lad_codes": ["E07000010"]}
    p["period"] = "2025"
    p["themes"] = ["overview"]
    p["comparison"]["peers"] = ["E07000008", "E07000009", "E07000011", "E07000012", "E06000031"]
    p["data"].update(
        store=str(store),
        boundaries=str(SHARED / "boundaries"),
        population=str(SHARED / "population" / "census2021_lsoa21_age_bands.csv"),
        deprivation=str(SHARED / "deprivation" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"),
    )
    p.pop("place_profile", None)
    path = tmp / "fenland_2025.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def test_context_for_another_csp_uses_its_own_geography(fenland_params):
    ctx = open_context(fenland_params, "overview")
    assert ctx.geo.lad_codes == ["E07000010"]
    assert set(ctx.geo.lsoas["lad_code"]) == {"E07000010"}
    assert ctx.geo.wards["ward_code"].notna().all() and ctx.geo.lsoas["ward_code"].notna().all()
    # Every crime row kept is in one of Fenland's LSOAs; none of Huntingdonshire's.
    assert ctx.crimes["lsoa21_code"].isin(ctx.geo.lsoas["lsoa21_code"]).all()
    assert not ctx.crimes["lsoa_name"].str.startswith("Huntingdonshire").any()
    assert len(ctx.crimes) > 1000
    # Census 2021: Fenland has about 102,000 residents.
    assert 95_000 < ctx.geo.population < 110_000
    assert ctx.period.label == "2025" and ctx.periods["last_year"].label == "2024"


@pytest.mark.e2e
def test_overview_pack_for_another_csp(fenland_params, tmp_path):
    # Pages are checked, not notebooks: built in this process without a kernel
    # (tests/test_direct.py holds that the pages are the kernel's).
    res = run_pack(fenland_params, out_root=tmp_path, progress=False, inline=True, notebooks=False)
    assert res.ok, [t.get("error_summary") for t in res.themes]
    assert res.out_dir.name == "fenland_2025"
    html = (res.out_dir / "overview.html").read_text()
    assert "Fenland" in html and "Huntingdonshire Community Safety Partnership" not in html

    # Partner-ready on another CSP too: plain English, and (where Chromium is installed)
    # accessible, findings first and printable.
    import browser_cdp

    from sa_lib.pack.furniture import developer_text

    pages = sorted(res.out_dir.glob("*.html"))
    assert {p.name: developer_text(p.read_text()) for p in pages} == {p.name: [] for p in pages}
    if browser_cdp.missing() is None:
        b = browser_cdp.Browser()
        try:
            for p in pages:
                r = browser_cdp.check_page(b, p, p.stem not in ("index", "glossary"))
                assert r["serious"] == [] and r["print_overflow"] <= 2, (p.name, r)
                if p.stem == "overview":
                    assert r["findings_bottom"] is not None and r["findings_bottom"] <= 768
            assert b.requests == []
        finally:
            b.close()


def test_outcomes_stop_search_and_priorities_for_another_csp(fenland_params):
    from sa_lib.stats import priority
    from sa_lib.themes import assessment, candidates, outcomes_report

    ctx = open_context(fenland_params, "summary")
    res = outcomes_report.outcomes_analysis(ctx)
    assert res.year.label == "2024" and res.force is not None
    # Fenland's own crimes only, compared with the whole force.
    assert res.crimes == int(
        (
            ctx.crimes["month"].str.startswith("2024")
            & (ctx.crimes["crime_type"] != "Anti-social behaviour")
            & ctx.crimes["crime_id"].notna()
        ).sum()
    )
    s = outcomes_report.search_analysis(ctx)
    assert len(s.searches) > 0 and s.searches["ward_code"].isin(ctx.geo.wards["ward_code"]).all()
    wa = assessment.ward_analysis(ctx)
    assert sorted(wa["table"]["ward_code"]) == sorted(ctx.geo.wards["ward_code"])
    rules = priority.load_scoring()
    m = candidates.candidate_measures(ctx, wa, rules)
    scored = priority.priority_scores(priority.dimension_scores(m, rules), rules)
    # Ranks run from 1 in score order; issues tied on score share a rank (competition ranking).
    ranks = scored["rank"].tolist()
    assert ranks[0] == 1 and ranks == sorted(ranks)
    assert all(r == i + 1 or r == ranks[i - 1] for i, r in enumerate(ranks))
