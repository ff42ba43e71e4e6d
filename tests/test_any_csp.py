"""Done-when: `sa init --csp NAME --period P` then `sa run` builds a pack with no other input.

Five CSPs across England and Wales: a multi-LAD one (Dartford and Gravesham), a Welsh
one (Ceredigion), a metropolitan one (Camden), an Essex CSP on the real 2018 files
(Uttlesford, LSOA 2011 codes), and Huntingdonshire on the shipped sample. The Welsh,
metropolitan and multi-LAD stores are small SYNTHETIC police.uk files over the CSP's
real LSOAs (test data only: every count is made up). Only the overview theme runs, to
keep CI lean; it is the theme that touches every input the scaffold writes.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.data import national
from sa_lib.data.ingest import ingest
from sa_lib.pack.cli import main

ESSEX = config.ROOT / "tests" / "fixtures" / "police_uk_essex_2018_subset"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
TYPES = [
    "Anti-social behaviour",
    "Burglary",
    "Criminal damage and arson",
    "Other theft",
    "Shoplifting",
    "Vehicle crime",
    "Violence and sexual offences",
    "Public order",
]


def synthetic_police_uk(folder, csp: str, months, seed: int = 1):
    """Write SYNTHETIC police.uk street files for one CSP's real LSOAs (for tests only)."""
    info = national.resolve_csp(csp)
    look = national.lsoa_lookup()
    codes = look.loc[look["lad_code"].isin(info["lad_codes"]), "lsoa21_code"]
    polys = national.lsoa21_boundaries(codes)
    pts = polys.geometry.representative_point().to_crs(4326)
    rng = np.random.default_rng(seed)
    force = info["forces"][0]
    for m in months:
        rows = []
        for code, name, p in zip(polys["lsoa21_code"], polys["lsoa21_name"], pts, strict=True):
            for _ in range(rng.poisson(4)):
                t = TYPES[rng.integers(len(TYPES))]
                rows.append(f"x,{m},F,F,{p.x:.6f},{p.y:.6f},On or near X,{code},{name},{t},,")
        rows += [f",{m},F,F,,,No location,,,Burglary,,"] * 3
        f = folder / m / f"{m}-{force}-street.csv"
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("\n".join([HEADER, *rows]) + "\n")
    return folder


def months(start: str, end: str) -> list[str]:
    return [str(p) for p in pd.period_range(start, end, freq="M")]


@pytest.fixture
def scheduler(dask_cluster):
    """The session's local Dask cluster (conftest.py ``dask_cluster``) for this file's `sa
    run`s: its workers import the library once, not once per run (each run's own cluster
    is tested in test_executor.py and tests/hostile/test_cluster.py)."""
    return dask_cluster.scheduler_info()["address"]


def init_and_run(tmp_path, csp: str, period: str, store, capsys, scheduler: str) -> dict:
    params = tmp_path / "p.yaml"
    rc = main(["init", str(params), "--csp", csp, "--period", period, "--store", str(store)])
    assert rc == 0, capsys.readouterr().err
    assert main(["check", str(params)]) == 0, capsys.readouterr().err
    out = tmp_path / "out"
    # The page is checked, not the notebook: `--no-notebooks` builds it without a kernel.
    args = ["run", "-q", str(params), "--theme", "overview", "--out", str(out), "--no-notebooks"]
    rc = main([*args, "--scheduler", scheduler])
    assert rc == 0, capsys.readouterr().err
    (pack,) = out.glob("*.partial")
    assert (pack / "overview.html").is_file()
    manifest = json.loads((pack / "manifest.json").read_text())
    return {
        "params": yaml.safe_load(params.read_text()),
        "html": (pack / "overview.html").read_text(),
        "manifest": manifest,
    }


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("csp", "period", "span"),
    [
        ("Dartford and Gravesham", "2025-Q2", ("2024-01", "2025-06")),  # two LADs, Kent
        ("Ceredigion", "12m-2025-06", ("2023-07", "2025-06")),  # Welsh: WIMD 2019
        ("E22000191", "2025-06", ("2024-01", "2025-06")),  # Camden, by code: metropolitan
    ],
)
def test_init_then_run_any_csp_synthetic_store(tmp_path, capsys, scheduler, csp, period, span):
    store = tmp_path / "store"
    ingest([synthetic_police_uk(tmp_path / "in", csp, months(*span))], store)
    res = init_and_run(tmp_path, csp, period, store, capsys, scheduler)
    p = res["params"]
    info = national.resolve_csp(csp)
    assert p["csp"]["lad_codes"] == info["lad_codes"]
    assert p["data"]["boundaries"] == "national"
    assert "extract" not in p["data"] and "events" not in p["data"]
    # Peers are the other CSPs in the force; the wider area is the force area.
    force_lads = {
        c for s in national.csp_table(force=info["forces"][0])["lad_codes"] for c in s.split(", ")
    }
    assert set(p["comparison"]["peers"]) == force_lads - set(info["lad_codes"])
    assert p["comparison"]["wider_area_name"].endswith("police force area")
    assert "not available" not in res["html"] or period.startswith("12m")
    if csp == "Ceredigion":
        assert "Welsh Index of Multiple Deprivation 2019" in res["html"]


@pytest.mark.e2e
def test_init_then_run_essex_2018(tmp_path, capsys, scheduler):
    store = tmp_path / "store"
    ingest([ESSEX], store)
    res = init_and_run(tmp_path, "Uttlesford", "2018-07", store, capsys, scheduler)
    assert "baseline_year" not in res["params"] and "targets" not in res["params"]
    html = res["html"]
    # July 2017 is not in the store: shown as not available, and nothing computed from it.
    assert "Jul 2017 (not available)" in html and "not available" in html
    assert "split: by its point" in html  # the LSOA 2011 placement is reported
    assert "a trend needs at least 12" in html  # seven months are too few for a trend


@pytest.mark.e2e
def test_init_then_run_huntingdonshire_sample(tmp_path, capsys, scheduler):
    store = tmp_path / "store"
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    res = init_and_run(tmp_path, "Huntingdonshire", "2025-Q4", store, capsys, scheduler)
    p = res["params"]
    assert p["baseline_year"] == 2024 and p["targets"][0]["baseline_year"] == 2024
    assert p["data"]["extract"] == "synthetic"  # the sample's inputs cover Huntingdonshire
