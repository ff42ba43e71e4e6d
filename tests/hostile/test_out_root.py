"""Output folders that cannot be turned against the user: ``--out`` may not be a published
pack, the repository root or a folder of other files; extracts may not go under outputs/;
run-all refuses unsafe CSP names and slug collisions before any build, and its
fingerprint covers the scoring file and the national reference."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.data.extract_mapping import UnsafeOutputError, check_output_path
from sa_lib.pack.fanout import _shared_fingerprint, plan_packs
from sa_lib.pack.out_root import check_out_root
from sa_lib.pack.params import ParameterError, load_params
from sa_lib.pack.runner import OutputError, run_pack

from .conftest import digest, shipped_params, write_yaml

FIXTURE = Path(__file__).parents[1] / "fixtures" / "essex_2018"


def test_run_out_a_published_pack_is_refused(good_pack, tmp_path, sample_store):
    pack = good_pack / "huntingdonshire_2025q4"
    before = digest(good_pack)
    params = write_yaml(tmp_path / "p.yaml", shipped_params(sample_store))
    with pytest.raises(OutputError, match="published pack") as e:
        run_pack(params, out_root=pack, themes=["overview"], progress=False)
    assert str(good_pack) in str(e.value)  # the fix names the parent to give instead
    assert digest(good_pack) == before


def test_run_out_the_repository_root_is_refused():
    with pytest.raises(OutputError, match="workbench's own folder"):
        check_out_root(config.ROOT)
    with pytest.raises(OutputError, match="workbench's own folder"):
        check_out_root(config.ROOT.parent)


def test_run_out_a_folder_of_other_files_is_refused(tmp_path, sample_store):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work", encoding="utf-8")
    params = write_yaml(tmp_path / "p.yaml", shipped_params(sample_store))
    with pytest.raises(OutputError, match="not made by `sa run`") as e:
        run_pack(params, out_root=out, themes=["overview"], progress=False)
    assert "thesis.docx" in str(e.value)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.docx"]


def test_an_output_root_of_packs_is_accepted(good_pack):
    (good_pack / ".gitkeep").write_text("")
    assert check_out_root(good_pack) == good_pack


@pytest.mark.parametrize("where", ["outputs", "pack"])
def test_an_extract_under_outputs_is_refused(good_pack, where):
    target = (
        config.OUTPUTS_DIR / "some_pack" / "extract.parquet"
        if where == "outputs"
        else good_pack / "huntingdonshire_2025q4" / "extract.parquet"
    )
    with pytest.raises(UnsafeOutputError, match="data/processed/extract"):
        check_output_path(target)


def _lookup(tmp_path: Path, names: list[str]) -> Path:
    rows = [
        ("E06000033", names[0], "E22000089"),
        ("E06000034", names[1], "E22000091"),
    ]
    df = pd.DataFrame(
        {
            "ltla24_code": [r[0] for r in rows],
            "ltla24_name": [r[1] for r in rows],
            "csp24_code": [r[2] for r in rows],
            "csp24_name": [r[1] for r in rows],
            "pfa24_code": ["E23000028"] * 2,
            "pfa24_name": ["Essex"] * 2,
        }
    )
    path = tmp_path / "lookup.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def template(tmp_path, sample_store):
    p = yaml.safe_load((FIXTURE / "template.yaml").read_text())
    p["data"]["store"] = str(sample_store)
    return write_yaml(tmp_path / "template.yaml", p)


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["Southend\nrun:\n  workers: 64", "Thurrock"], "control character"),
        (["S" * 300, "Thurrock"], "300 characters"),
        (["Thurrock", "thurrock!"], "share the folder name"),
    ],
)
def test_unsafe_csp_names_are_refused_before_any_build(tmp_path, template, names, why):
    out = tmp_path / "outputs"
    with pytest.raises(ParameterError, match=why):
        plan_packs(template, "2018-Q2", out_root=out, lookup=_lookup(tmp_path, names))
    assert not out.exists()  # nothing written, no parameters file


def test_the_fingerprint_covers_the_scoring_file(tmp_path, sample_store):
    scoring = tmp_path / "scoring.yaml"
    scoring.write_text((config.ROOT / "config" / "priority_scoring.yaml").read_text())
    raw = shipped_params(sample_store)
    raw.setdefault("summary", {})["scoring"] = str(scoring)
    params = load_params(write_yaml(tmp_path / "p.yaml", raw), check_store=False)
    before = _shared_fingerprint(params, ["overview"])
    scoring.write_text(scoring.read_text() + "\n# changed\n")
    assert _shared_fingerprint(params, ["overview"]) != before
    assert json.dumps(before)  # a plain string
