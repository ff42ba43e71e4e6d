"""`sa init --csp`: a parameters file that validates for any CSP."""

from __future__ import annotations

import pytest
import yaml

from sa_lib import config
from sa_lib.data.ingest import ingest
from sa_lib.pack.params import validate_params
from sa_lib.pack.scaffold import scaffold_params

ESSEX = config.ROOT / "tests" / "fixtures" / "police_uk_essex_2018_subset"


@pytest.fixture(scope="module")
def essex_store(tmp_path_factory):
    s = tmp_path_factory.mktemp("essex") / "store"
    ingest([ESSEX], s)
    return s


def test_no_baseline_or_targets_without_the_months(essex_store):
    text, info = scaffold_params("Basildon", "2018-Q2", store=essex_store)
    p = yaml.safe_load(text)
    assert info["baseline_year"] is None and "baseline_year" not in p and "targets" not in p
    assert "# baseline_year: 2017" in text and "#     baseline_year: 2017" in text
    assert p["csp"]["lad_codes"] == ["E07000066"]
    assert len(p["comparison"]["peers"]) == 13  # the other Essex CSPs' districts
    assert p["comparison"]["wider_area_name"] == "Essex police force area"
    assert not {"extract", "events", "force_counts", "licensed_premises"} & set(p["data"])
    checked = validate_params(p, "basildon.yaml")  # the store holds 2018-04..06
    assert checked.period == "2018-Q2"


def test_baseline_and_target_when_the_store_holds_them(tmp_path):
    store = tmp_path / "store"
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    p = yaml.safe_load(scaffold_params("Fenland", "2025-Q4", store=store)[0])
    assert p["baseline_year"] == 2024
    assert p["targets"] == [
        {
            "crime_type": "Anti-social behaviour",
            "reduction_pct": 10,
            "baseline_year": 2024,
            "target_year": 2027,
        }
    ]
    assert validate_params(p, "fenland.yaml").baseline_year == 2024


def test_unknown_csp_and_bad_period():
    with pytest.raises(ValueError, match="sa csps"):
        scaffold_params("Nowhere Borough", "2025-Q4", store="/nonexistent")
    with pytest.raises(ValueError, match="Valid forms"):
        scaffold_params("Fenland", "2025-Q9", store="/nonexistent")


def test_check_names_the_first_lsoa_the_population_file_lacks(essex_store):
    p = yaml.safe_load(scaffold_params("Basildon", "2018-Q2", store=essex_store)[0])
    p["data"]["population"] = "data/sample/population/census2021_lsoa21_age_bands.csv.gz"
    p["data"]["deprivation"] = "data/sample/deprivation/iod2019_lsoa11.csv.gz"
    with pytest.raises(ValueError) as e:
        validate_params(p, "basildon.yaml")
    msg = str(e.value)
    assert "data.population" in msg and "the first E01" in msg and "'national'" in msg
    assert "data.deprivation" in msg and "covers none of the LSOA 2011 areas of LSOA E01" in msg


def test_init_for_the_sample_csp_in_another_year_writes_no_sample_inputs():
    """Issue 19: `sa init --csp Huntingdonshire --period 2018-Q4` wrote the sample's 2024-25
    force counts, partner files and hand-made ward fit (4 of 6 themes failed, and the CSE
    page compared 2025 with 2024)."""
    text, info = scaffold_params("Huntingdonshire", "2018-Q4", store="/nonexistent")
    p = yaml.safe_load(text)
    assert "data/sample" not in text and "synthetic" not in text.replace("SYNTHETIC", "")
    assert p["data"]["boundaries"] == "national"  # the official ONS ward fit
    sample_only = {"extract", "force_counts", "cse_indicators", "cse_quarterly", "events"}
    assert not sample_only & set(p["data"])
    # Every default theme that can run without sample inputs; none that cannot.
    assert p["themes"] == [
        "summary",
        "overview",
        "hotspots",
        "place_profile",
        "violence",
        "outcomes",
        "wards",
    ]
    assert validate_params(p, "hunts_2018q4.yaml", check_store=False).period == "2018-Q4"


def test_init_for_the_sample_csp_and_period_keeps_the_sample_inputs():
    p = yaml.safe_load(scaffold_params("Huntingdonshire", "2025-Q4", store="/nonexistent")[0])
    assert p["data"]["extract"] == "synthetic"
    assert p["data"]["cse_indicators"].endswith("ward_indicators_2025.csv")
    assert {"summary", "wards", "outcomes", "cse", "domestic_abuse"} <= set(p["themes"])
    # 2024: the extract and force counts cover it, the 2025 CSE indicators do not.
    p24 = yaml.safe_load(scaffold_params("Huntingdonshire", "2024-Q4", store="/nonexistent")[0])
    assert p24["data"]["extract"] == "synthetic" and "cse_indicators" not in p24["data"]
    assert "cse" not in p24["themes"] and "domestic_abuse" in p24["themes"]
    validate_params(p24, "hunts_2024q4.yaml", check_store=False)


def test_peers_never_include_the_csp_itself():
    """Issue 19: generated peers included the CSP itself (Dorset held BCP's LAD too)."""
    for csp in ("Dorset", "Bournemouth, Christchurch and Poole", "Buckinghamshire"):
        text, info = scaffold_params(csp, "2025-Q4", store="/nonexistent")
        peers = yaml.safe_load(text)["comparison"]["peers"]
        assert peers and not set(peers) & set(info["lad_codes"]), csp


ESSEX_SLICE = config.ROOT / "tests" / "fixtures" / "essex_2018" / "police_uk"


def _count_by_lsoa_name(months, districts) -> dict:
    """An independent count from the raw police.uk CSVs: rows whose LSOA name starts with
    one of the districts' names (Essex's districts did not change between LSOA 2011 and 2021)."""
    import csv
    import gzip
    from collections import Counter

    out = Counter()
    for m in months:
        with gzip.open(ESSEX_SLICE / m / f"{m}-essex-street.csv.gz", "rt", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                name = row["LSOA name"].rsplit(" ", 1)[0]
                if name in districts:
                    out[(districts[name], m)] += 1
    return out


def test_init_writes_force_wide_counts_from_the_store_for_any_csp(tmp_path, capsys):
    """Issue 19: `sa init --csp` wrote no force-wide counts (or the sample's 2024-25 ones),
    so the wider-area comparison and score could not run for any other CSP or period."""
    import pandas as pd

    from sa_lib.data import national
    from sa_lib.pack.cli import main

    store = tmp_path / "store"
    ingest([ESSEX_SLICE], store)  # the whole Essex force, 1 in 10 rows, 2018-01 to 2018-06
    params = tmp_path / "maldon.yaml"
    argv = ["init", str(params), "--csp", "Maldon", "--period", "2018-Q2", "--store", str(store)]
    assert main(argv) == 0, capsys.readouterr().err
    assert "force-wide counts from the store" in capsys.readouterr().out
    p = yaml.safe_load(params.read_text())
    path = config.resolve(p["data"]["force_counts"])
    assert path == tmp_path / "maldon_force_counts.csv"
    fc = pd.read_csv(path, dtype={"month": str})
    # Exactly the report's held periods: Q2 and the previous quarter (Q2 2017 is not held).
    assert sorted(fc["month"].unique()) == [f"2018-0{m}" for m in range(1, 7)]
    essex = national.lad_lookup().query("force == 'essex'")
    lads = dict(zip(essex["lad_name"], essex["lad_code"], strict=True))
    assert set(fc["lad_code"]) - {"(no location)", "(outside force area)"} == set(lads.values())
    assert fc.loc[~fc["lad_code"].str.startswith("("), "population"].gt(0).all()
    # Every LAD x month equals an independent count from the raw files.
    got = fc.groupby(["lad_code", "month"])["count"].sum().to_dict()
    want = _count_by_lsoa_name(sorted(fc["month"].unique()), lads)
    assert {k: got.get(k, 0) for k in want} == dict(want)
    assert main(["check", str(params)]) == 0, capsys.readouterr().err
    # The wider-area comparison now runs (it said "not available" without the counts).
    import shapes

    outcome, r = shapes.cell(params, "overview")
    assert outcome == "built" and "wider comparison" not in r.availability
    comp = r.data["comparison"].set_index("area")
    assert comp.loc["Maldon", "count"] == sum(
        v for (c, m), v in want.items() if c == lads["Maldon"] and m >= "2018-04"
    ) - int(
        fc[
            (fc["lad_code"] == lads["Maldon"])
            & (fc["crime_type"] == "Anti-social behaviour")
            & (fc["month"] >= "2018-04")
        ]["count"].sum()
    )


def test_init_writes_no_force_counts_when_the_store_holds_one_csp_of_the_force(tmp_path, capsys):
    from sa_lib.pack.cli import main

    store = tmp_path / "store"
    ingest([config.SAMPLE_DIR / "police_uk"], store)  # Huntingdonshire's rows only
    params = tmp_path / "fenland.yaml"
    argv = ["init", str(params), "--csp", "Fenland", "--period", "2025-Q4", "--store", str(store)]
    assert main(argv) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "no force-wide counts: the store holds no cambridgeshire rows in " in out
    assert "force_counts" not in yaml.safe_load(params.read_text())["data"]
    assert not (tmp_path / "fenland_force_counts.csv").exists()
    assert "not written from the store: the store holds no" in params.read_text()
    # The sample CSP and period keep the sample's whole-force file (made from every row).
    hunts = tmp_path / "hunts.yaml"
    argv = ["init", str(hunts), "--csp", "Huntingdonshire", "--period", "2025-Q4"]
    assert main([*argv, "--store", str(store)]) == 0
    fc = yaml.safe_load(hunts.read_text())["data"]["force_counts"]
    assert fc == "data/sample/force/cambridgeshire_lad_month_type.csv"
    assert main(["check", str(hunts)]) == 0, capsys.readouterr().err


def test_check_refuses_force_counts_that_miss_months_of_the_period(tmp_path, capsys):
    """A quarter's rate from two months of force counts would read as a real difference."""
    import pandas as pd

    from sa_lib.pack.cli import main

    store = tmp_path / "store"
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    fc = pd.read_csv(config.ROOT / p["data"]["force_counts"], dtype={"month": str})
    short = tmp_path / "short.csv"
    fc[fc["month"] < "2025-12"].to_csv(short, index=False)
    p["data"].update(store=str(store), force_counts=str(short))
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(p))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "has no counts for 2025-12 of period 2025-Q4; it covers 2024-01 to 2025-11" in err
    assert "Fix: `sa init FILE --csp NAME --period 2025-Q4`" in err
    p["data"]["force_counts"] = str(
        config.ROOT / "data/sample/force/cambridgeshire_lad_month_type.csv"
    )
    path.write_text(yaml.safe_dump(p))
    assert main(["check", str(path)]) == 0, capsys.readouterr().err
