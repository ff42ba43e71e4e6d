import logging

import pytest
import yaml

from sa_lib import config
from sa_lib.pack.cli import main

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


@pytest.fixture(autouse=True)
def _restore_root_handlers():
    # main() adds a console handler to the root logger; do not let it pile up.
    before = list(logging.getLogger().handlers)
    yield
    logging.getLogger().handlers[:] = before


def street(tmp_path, month="2024-01", text=None):
    f = tmp_path / "in" / month / f"{month}-cambridgeshire-street.csv"
    f.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        f"a,{month},P,P,-0.18,52.33,A,E01018200,H 010A,Burglary,,",
        f",{month},P,P,,,No Location,,,Anti-social behaviour,,",
    ]
    f.write_text(text if text is not None else "\n".join([HEADER, *rows]) + "\n")
    return f


def test_help_mentions_commands_and_exit_codes(capsys):
    with pytest.raises(SystemExit) as ei:
        main(["--help"])
    assert ei.value.code == 0
    out = capsys.readouterr().out
    for word in ["ingest", "check", "run", "themes", "exit codes"]:
        assert word in out
    assert "4    input data error" in out
    assert "2    invalid parameters" in out


def test_subcommand_help_lists_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = capsys.readouterr().out
    assert "--store" in out and "exit codes" in out


def test_no_command_prints_help_and_returns_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


def test_bad_command_line_exits_2(capsys):
    with pytest.raises(SystemExit) as ei:
        main(["ingest"])  # no paths
    assert ei.value.code == 2


def test_ingest_ok(tmp_path, capsys):
    street(tmp_path)
    store = tmp_path / "store"
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert f"Ingested into {store}" in out
    assert "1 month(s) 2024-01..2024-01: 2 rows (1 with no location, kept)" in out
    assert (store / "street" / "cambridgeshire" / "2024-01.parquet").exists()


def test_ingest_bad_file_returns_4_and_writes_nothing(tmp_path, capsys):
    street(tmp_path, "2024-01")
    bad = street(tmp_path, "2024-02", text="not,a,police,file\n1,2,3,4\n")
    store = tmp_path / "store"
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 4
    err = capsys.readouterr().err
    assert err.startswith("sa ingest: error: ")
    assert f"{bad}: line 1:" in err
    assert f"Nothing was written to {store}." in err
    assert not list(store.rglob("*.parquet"))


def test_ingest_missing_path_returns_4(tmp_path, capsys):
    assert main(["ingest", "-q", str(tmp_path / "nope"), "--store", str(tmp_path / "s")]) == 4
    assert "no such file or folder" in capsys.readouterr().err


def write_params(tmp_path, **changes):
    raw = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    raw["data"] = {
        k: (str(config.resolve(v)) if k != "store" and v != "synthetic" else v)
        for k, v in raw["data"].items()
    }
    raw.update(changes)
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(raw))
    return f


def test_check_ok_without_store(tmp_path, capsys):
    f = write_params(tmp_path, period="2025-Q4", themes=["overview"], baseline_year=2024)
    assert main(["check", str(f), "--no-store"]) == 0
    out = capsys.readouterr().out
    assert f"{f}: OK" in out
    assert "CSP: Huntingdonshire (E07000011)" in out
    assert "current Q4 2025 (Oct-Dec); previous Q3 2025 (Jul-Sep)" in out
    assert "themes: overview" in out


def test_check_broken_params_returns_2(tmp_path, capsys):
    f = write_params(tmp_path, period="2025-Q5", colour="red")
    assert main(["check", str(f), "--no-store"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "2 problem(s)" in captured.err
    assert "'2025-Q5'" in captured.err and "'colour'" in captured.err


def test_check_store_outside_period_returns_2(tmp_path, capsys):
    street(tmp_path, "2024-01")
    store = tmp_path / "store"
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 0
    f = write_params(tmp_path)
    raw = yaml.safe_load(f.read_text())
    raw["data"]["store"] = str(store)
    f.write_text(yaml.safe_dump(raw))
    assert main(["check", str(f)]) == 2
    assert "It holds 2024-01." in capsys.readouterr().err


def test_run_broken_params_returns_2(tmp_path, capsys):
    f = write_params(tmp_path, themes=["nope"])
    assert main(["run", "-q", str(f), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "theme 'nope'" in err and "Nothing was run." in err
    assert not (tmp_path / "out").exists()


def test_themes(capsys):
    assert main(["themes"]) == 0
    assert "overview" in capsys.readouterr().out.split()


def test_ingest_extract_maps_a_force_extract_and_refuses_tracked_paths(tmp_path, capsys):
    from sa_lib import config
    from sa_lib.pack.cli import main

    fixture = config.ROOT / "tests" / "fixtures" / "extract" / "force_b_extract.csv"
    mapping = config.ROOT / "config" / "extract_mappings" / "example_force_b.yaml"
    out = tmp_path / "extract.parquet"
    assert main(["ingest-extract", str(fixture), "--mapping", str(mapping), "--out", str(out)]) == 0
    assert out.is_file() and "Ingested 6 rows" in capsys.readouterr().out
    tracked = config.ROOT / "data" / "sample" / "should_not_exist.parquet"
    assert (
        main(["ingest-extract", str(fixture), "--mapping", str(mapping), "--out", str(tracked)])
        == 4
    )
    err = capsys.readouterr().err
    assert "Refusing to write extract data" in err and "Nothing was written" in err
    assert not tracked.exists()


def test_init_writes_a_valid_file_for_another_csp(tmp_path, capsys):
    import shutil

    # Boundaries for a made-up second district: a copy of the sample's under another code.
    b = tmp_path / "boundaries"
    for level in ("lsoa21", "lsoa11", "ward25"):
        (b / level).mkdir(parents=True)
        shutil.copy(
            config.SAMPLE_DIR / "boundaries" / level / "E07000011.geojson",
            b / level / "E07000010.geojson",
        )
    out = tmp_path / "fen.yaml"
    rc = main(
        [
            "init",
            str(out),
            "--name",
            "Fen Land",
            "--lad",
            "E07000010",
            "--period",
            "2025",
            "--boundaries",
            str(b),
        ]
    )
    assert rc == 0, capsys.readouterr().err
    p = yaml.safe_load(out.read_text())
    assert p["csp"] == {"name": "Fen Land", "slug": "fen_land", "lad_codes": ["E07000010"]}
    assert p["period"] == "2025" and p["comparison"]["peers"] == []
    assert "extract" not in p["data"] and "force_counts" not in p["data"], (
        "sample-only inputs are commented out"
    )
    assert p["themes"] == ["overview", "hotspots", "place_profile", "violence"]
    assert "# extract: synthetic" in out.read_text()
    # It will not overwrite without --force, and an unknown LAD is reported with the valid codes.
    assert main(["init", str(out), "--name", "X", "--lad", "E07000010", "--period", "2025"]) == 2
    bad = tmp_path / "bad.yaml"
    assert main(["init", str(bad), "--name", "X", "--lad", "E07999999", "--period", "2025-Q4"]) == 2
    assert "unknown LAD code 'E07999999'" in capsys.readouterr().err
