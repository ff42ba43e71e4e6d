"""Hostile parameters files: each is refused by `sa check` (exit 2) with the full key and
the fix, quickly and in bounded memory, and nothing is written to the store or outputs."""

from __future__ import annotations

import subprocess

import pytest

from sa_lib import config
from sa_lib.pack.params import ParameterError, load_params, theme_disclosure

from .conftest import (
    CLI,
    assert_message,
    changed,
    digest,
    run_limited,
    run_sa,
    shipped_params,
    write_yaml,
)

TARGET = {
    "crime_type": "Anti-social behaviour",
    "reduction_pct": 16,
    "baseline_year": 2024,
    "target_year": 2027,
}

# (id, dotted changes, what the message must name)
BAD = [
    ("slug-absolute", {"csp__slug": "/srv/reports/victim"}, ["csp.slug", "[a-z0-9]"]),
    ("slug-dotdot", {"csp__slug": "../../x"}, ["csp.slug", "[a-z0-9]"]),
    ("slug-subdir", {"csp__slug": "a/b"}, ["csp.slug", "[a-z0-9]"]),
    ("slug-upper-space", {"csp__slug": "My CSP"}, ["csp.slug", "my_csp"]),
    ("slug-dot", {"csp__slug": "."}, ["csp.slug"]),
    ("slug-backslash", {"csp__slug": "..\\..\\x"}, ["csp.slug"]),
    ("name-no-slug", {"csp__slug": None, "csp__name": "???"}, ["csp.slug"]),
    ("cell-timeout-zero", {"run__cell_timeout": 0}, ["run.cell_timeout=0", "between 1"]),
    ("cell-timeout-negative", {"run__cell_timeout": -5}, ["run.cell_timeout=-5"]),
    ("cell-timeout-20-digits", {"run__cell_timeout": 10**20}, ["run.cell_timeout", "86,400"]),
    ("workers-zero", {"run__workers": 0}, ["run.workers=0"]),
    ("workers-huge", {"run__workers": 10_000}, ["run.workers"]),
    ("kernel-missing", {"run__kernel": "no-such-kernel"}, ["run.kernel", "jupyter kernelspec"]),
    ("permutations-negative", {"statistics__permutations": -1}, ["statistics.permutations"]),
    ("seed-negative", {"statistics__seed": -1}, ["statistics.seed"]),
    (
        "repeat-window-negative",
        {"domestic_abuse__repeat_window_days": -1},
        ["domestic_abuse.repeat_window_days=-1"],
    ),
    ("cse-top-n-negative", {"cse__top_n": -2}, ["cse.top_n=-2"]),
    ("cse-n-sims-negative", {"cse__n_sims": -10}, ["cse.n_sims=-10"]),
    ("cse-perturbation-above-one", {"cse__perturbation": 1.5}, ["cse.perturbation"]),
    ("top-wards-zero", {"overview__top_wards": 0}, ["overview.top_wards"]),
    ("hotspots-cell-size-negative", {"hotspots__cell_size": -250.0}, ["hotspots.cell_size"]),
    ("hotspots-bandwidth-zero", {"hotspots__bandwidth": 0.0}, ["hotspots.bandwidth"]),
    ("nte-distance-negative", {"violence__nte_distance_m": -3}, ["violence.nte_distance_m"]),
    ("baseline-year-1900", {"baseline_year": 1900}, ["baseline_year"]),
    ("threshold-zero", {"disclosure__threshold": 0}, ["disclosure.threshold=0"]),
    (
        "run-wide-threshold-lowers-sensitive",
        {"disclosure__threshold": 1, "domestic_abuse__disclosure": None, "cse__disclosure": None},
        ["disclosure.threshold=1", "domestic_abuse", "cse"],
    ),
    (
        "da-threshold-below-floor",
        {"domestic_abuse__disclosure__threshold": 5},
        ["domestic_abuse.disclosure.threshold=5", "at least 10"],
    ),
    (
        "cse-threshold-below-floor",
        {"cse__disclosure__threshold": 3},
        ["cse.disclosure.threshold=3"],
    ),
    (
        "cse-secondary-off",
        {"cse__disclosure__secondary": False},
        ["cse.disclosure.secondary"],
    ),
    (
        "run-wide-secondary-off-for-sensitive",
        {"disclosure__secondary": False},
        ["disclosure.secondary", "domestic_abuse"],
    ),
    (
        "theme-threshold-full-path",
        {"overview__disclosure": {"threshold": 0}},
        ["overview.disclosure.threshold=0"],
    ),
    ("theme-not-text", {"themes": [{"a": 1}, "overview"]}, ["themes"]),
    (
        "target-reduction-over-100",
        {"targets": [{**TARGET, "reduction_pct": 150}]},
        ["targets[0].reduction_pct=150"],
    ),
    (
        "target-year-before-baseline",
        {"targets": [{**TARGET, "target_year": 2020}]},
        ["targets[0].target_year=2020"],
    ),
    ("cse-weight-negative", {"cse__weights": {"cse_crimes": -2}}, ["cse.weights.cse_crimes=-2"]),
    ("huge-string-value", {"title": ["x" * 100_000]}, ["title"]),
]


@pytest.fixture
def base(sample_store):
    before = digest(sample_store)
    yield shipped_params(sample_store)
    assert digest(sample_store) == before, "the store changed"


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_parameter_refused(tmp_path, base, case):
    _, changes, names = case
    f = write_yaml(tmp_path / "p.yaml", changed(base, **changes))
    with pytest.raises(ParameterError) as e:
        load_params(f)
    msg = str(e.value)
    assert_message(msg, "p.yaml", *names)
    assert len(msg) < 5_000, "the message formats an unbounded value"
    assert not (tmp_path / "outputs").exists()


def test_sa_check_exit_code_and_every_problem_listed(tmp_path, base):
    raw = changed(base, csp__slug="/srv/reports/victim", run__cell_timeout=0, cse__top_n=-2)
    f = write_yaml(tmp_path / "p.yaml", raw)
    r = run_sa("check", f)
    assert r.returncode == 2, r.stderr
    assert_message(r.stderr, "csp.slug", "run.cell_timeout", "cse.top_n", "3 problem(s)")


def test_shipped_parameters_still_pass(base, tmp_path):
    """The hostile cases are hostile: the unchanged file passes (the tests can fail)."""
    p = load_params(write_yaml(tmp_path / "p.yaml", base))
    assert p.csp.slug == "huntingdonshire"


def test_sensitive_floor_holds_even_unvalidated():
    """theme_disclosure never returns a sensitive threshold below 10 (second line of defence)."""
    params = {"disclosure": {"threshold": 1, "secondary": False, "suppress_zero": False}}
    for theme in ("domestic_abuse", "cse"):
        d = theme_disclosure(params, theme)
        assert d["threshold"] == 10 and d["secondary"] is True
    assert theme_disclosure(params, "overview")["threshold"] == 1


# ---- YAML bombs and oversized files ----------------------------------------------


def _alias_bomb(levels: int = 9) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        prev = f"*l{i - 1}"
        lines.append(f"l{i}: &l{i} [{', '.join([prev] * 9)}]")
    lines.append(f"title: *l{levels - 1}")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_parameters_refused(tmp_path, base):
    """4 KB of nested aliases: refused naming the line, not expanded (heap capped)."""
    import yaml

    f = write_yaml(tmp_path / "bomb.yaml", yaml.safe_dump(base) + _alias_bomb())
    assert f.stat().st_size < 10_000
    code = (
        "import sys; from sa_lib.pack.params import load_params, ParameterError\n"
        "try:\n    load_params(sys.argv[1], check_store=False)\n"
        "except ParameterError as e:\n    print(e); sys.exit(2)"
    )
    r = run_limited(code, f)
    assert r.returncode == 2, r.stderr[-2000:]
    assert_message(r.stdout, "bomb.yaml", "line ", "aliases")


def test_single_alias_refused(tmp_path, base):
    import yaml

    text = yaml.safe_dump(changed(base, csp__slug=None)) + "x: &s huntingdonshire\n"
    text = text.replace("name: Huntingdonshire", "name: *s")
    f = write_yaml(tmp_path / "alias.yaml", text)
    with pytest.raises(ParameterError) as e:
        load_params(f)
    assert_message(str(e.value), "alias.yaml", "aliases")


def test_oversized_parameters_file_refused(tmp_path, base):
    import yaml

    text = yaml.safe_dump(base) + "# " + "x" * 300_000 + "\n"
    f = write_yaml(tmp_path / "big.yaml", text)
    with pytest.raises(ParameterError) as e:
        load_params(f)
    assert_message(str(e.value), "big.yaml", "bytes", "limit")


def test_not_utf8_parameters_refused(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("title: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(ParameterError) as e:
        load_params(f)
    assert_message(str(e.value), "latin1.yaml", "UTF-8")


def test_sa_check_alias_bomb_is_exit_2_and_bounded(tmp_path, base):
    """`sa check` on a bomb, in a subprocess with a capped heap: exit 2, not MemoryError."""
    import yaml

    f = write_yaml(tmp_path / "bomb.yaml", yaml.safe_dump(base) + _alias_bomb(12))
    r = run_limited(CLI, "check", "--no-store", f)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "aliases" in r.stderr and "MemoryError" not in r.stderr


# ---- the store --------------------------------------------------------------------


def test_corrupt_partition_named_by_sa_check(tmp_path, store_copy):
    part = sorted((store_copy / "street").glob("*/2025-11.parquet"))[0]
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])  # truncated: no footer
    others = {k: v for k, v in digest(store_copy).items() if "2025-11" not in k}
    f = write_yaml(tmp_path / "p.yaml", shipped_params(store_copy))
    r = run_sa("check", f)
    assert r.returncode == 2, r.stderr
    assert_message(r.stderr, str(part), "2025-11", "re-ingest")
    assert {k: v for k, v in digest(store_copy).items() if "2025-11" not in k} == others


def test_extract_tracked_by_git_refused(tmp_path, base):
    """data.extract naming a file git tracks is refused (a real extract must never be in git)."""
    tracked = config.ROOT / "tests" / "fixtures" / "extract" / "force_b_extract.csv"
    f = write_yaml(tmp_path / "p.yaml", changed(base, data__extract=str(tracked)))
    with pytest.raises(ParameterError) as e:
        load_params(f)
    assert_message(str(e.value), "data.extract", "git", "data/processed")


def test_extract_unignored_in_a_repository_refused(tmp_path, base):
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    ex = repo / "extract.csv"
    ex.write_text("crime_ref\nX1\n", encoding="utf-8")
    f = write_yaml(tmp_path / "p.yaml", changed(base, data__extract=str(ex)))
    with pytest.raises(ParameterError) as e:
        load_params(f)
    assert_message(str(e.value), "data.extract", "not ignored")


def test_sa_check_loads_the_extract_and_refuses_personal_data(tmp_path, base):
    """A schema-shaped extract outside git with a postcode: refused at `sa check`, not at run."""
    import pandas as pd

    src = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"
    ex = pd.read_csv(src, dtype=str, keep_default_na=False).head(40)
    ex.loc[5, "location"] = "12 Acacia Avenue"
    csv = tmp_path / "extract.csv"
    ex.to_csv(csv, index=False)
    f = write_yaml(tmp_path / "p.yaml", changed(base, data__extract=str(csv)))
    r = run_sa("check", f)
    assert r.returncode == 2, r.stderr
    assert_message(r.stderr, "data.extract", "'location'", "CSV line 7", "pseudonymise")
    assert "Acacia" not in r.stderr
