"""Issue 19: overlapping partnerships are refused before anything runs.

Each LAD belongs to one current partnership. A `sa run-all` lookup whose CSPs share a
LAD (each pack would count its crimes), or a parameters file whose LAD list takes a LAD
of another current partnership (`--csp Wycombe` built all of Buckinghamshire under
that name), is refused by `sa check` and by `sa run-all`, naming the LAD, the CSPs and
the fix. The legacy rows of the seven reorganised councils are still resolved.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.data import national
from sa_lib.pack.cli import main
from sa_lib.pack.csps import csp_table, overlap_problems
from sa_lib.pack.fanout import plan_packs
from sa_lib.pack.params import ParameterError, validate_params

FIXTURE = Path(__file__).parent / "fixtures" / "essex_2018"
LOOKUP = FIXTURE / "csp_lookup.csv"
SAMPLE = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"


@pytest.fixture
def shared_lookup(tmp_path) -> Path:
    """The Essex lookup with Chelmsford's district also listed under Maldon's CSP."""
    lk = pd.read_csv(LOOKUP, dtype=str)
    extra = lk[lk["ltla24_name"] == "Chelmsford"].copy()
    maldon = lk[lk["csp24_name"] == "Maldon"].iloc[0]
    extra["csp24_code"], extra["csp24_name"] = maldon["csp24_code"], "Maldon"
    path = tmp_path / "overlap_lookup.csv"
    pd.concat([lk, extra]).to_csv(path, index=False)
    return path


@pytest.fixture
def template(tmp_path) -> Path:
    p = yaml.safe_load((FIXTURE / "template.yaml").read_text())
    for k in ("boundaries", "population", "deprivation"):
        p["data"][k] = str(config.ROOT / p["data"][k])
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def _national(**csp) -> dict:
    p = yaml.safe_load(SAMPLE.read_text())
    p["csp"] = {**p["csp"], **csp}
    p["data"].update(boundaries="national", population="national", deprivation="national")
    return p


def test_run_all_refuses_a_lookup_whose_csps_share_a_lad(tmp_path, template, shared_lookup):
    with pytest.raises(ParameterError) as e:
        plan_packs(template, "2018-Q2", out_root=tmp_path / "out", lookup=shared_lookup)
    msg = str(e.value)
    assert "LAD E07000070 (Chelmsford) belongs to 2 CSPs" in msg
    assert "Chelmsford, Maldon" in msg and "Fix: keep one row for E07000070" in msg
    assert not (tmp_path / "out" / "parameters").exists(), "refused before any pack is planned"
    # Maldon alone shares no LAD within the run, but takes Chelmsford's current partnership's.
    with pytest.raises(ParameterError, match="belongs to the current partnership Chelmsford"):
        plan_packs(template, "2018-Q2", csps=["Maldon"], out_root=tmp_path, lookup=shared_lookup)
    # Only the CSPs the run selects are compared: Basildon alone shares nothing.
    specs, _ = plan_packs(
        template, "2018-Q2", csps=["Basildon"], out_root=tmp_path / "o2", lookup=shared_lookup
    )
    assert [s["csp_name"] for s in specs] == ["Basildon"]


def test_sa_run_all_and_sa_check_refuse_the_shared_lad(tmp_path, template, shared_lookup, capsys):
    out = tmp_path / "out"
    rc = main(["run-all", str(template), "--csp-lookup", str(shared_lookup), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "E07000070 (Chelmsford)" in err and "Nothing was run." in err
    assert not list(out.glob("*_2018q2"))
    rc = main(["check", str(template), "--no-store", "--csp-lookup", str(shared_lookup)])
    err = capsys.readouterr().err
    assert rc == 2 and "belongs to 2 CSPs" in err and "Chelmsford, Maldon" in err
    assert main(["check", str(template), "--no-store", "--csp-lookup", str(LOOKUP)]) == 0


def test_a_shared_lad_outside_the_reorganised_councils_is_not_guessed(shared_lookup):
    """Before, any LAD on several rows became a partnership of its own, silently."""
    t = csp_table(shared_lookup)
    assert "Chelmsford" in set(t["csp_name"]) and "Maldon" in set(t["csp_name"])
    assert t.set_index("csp_name").loc["Maldon", "lad_codes"] == ["E07000070", "E07000074"]
    assert len(overlap_problems(t)) == 1


def test_the_shipped_lookup_has_no_overlap_and_resolves_the_legacy_rows():
    assert overlap_problems(csp_table()) == []
    legacy = national.lad_lookup().attrs["legacy"]
    assert legacy["Wycombe"] == "Buckinghamshire" and len(legacy) == 20


def test_check_refuses_a_params_file_with_another_partnerships_lad(tmp_path, capsys):
    p = _national(lad_codes=["E07000011", "E07000012"])
    with pytest.raises(ParameterError) as e:
        validate_params(p, "hunts.yaml", check_store=False)
    msg = str(e.value)
    assert "LAD E07000012 (South Cambridgeshire) belongs to the current partnership" in msg
    assert "South Cambridgeshire, not Huntingdonshire" in msg
    assert "Fix: remove E07000012 from csp.lad_codes" in msg
    path = tmp_path / "hunts.yaml"
    path.write_text(yaml.safe_dump(p))
    assert main(["check", str(path), "--no-store"]) == 2
    assert "E07000012 (South Cambridgeshire)" in capsys.readouterr().err


def test_check_refuses_a_former_partnership_over_its_successors_lad():
    """Issue 19: `--csp Wycombe` built all of Buckinghamshire under that name."""
    p = _national(name="Wycombe", slug="wycombe", lad_codes=["E06000060"])
    with pytest.raises(ParameterError) as e:
        validate_params(p, "wycombe.yaml", check_store=False)
    msg = str(e.value)
    assert "csp.name='Wycombe' is a former partnership" in msg
    assert "LAD E06000060 (Buckinghamshire)" in msg and "--csp 'Buckinghamshire'" in msg


def test_own_lads_and_a_custom_set_of_districts_are_accepted():
    assert validate_params(_national(), "hunts.yaml", check_store=False)
    custom = _national(name="Fens and Hunts", slug="fens", lad_codes=["E07000010", "E07000011"])
    assert validate_params(custom, "custom.yaml", check_store=False).csp.name == "Fens and Hunts"
    assert national.partnership_problems("Dartford and Gravesham", ["E07000107"]) == []
