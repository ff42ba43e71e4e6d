"""The test suite's own settings (issue 22): a per-test time limit, tiers, shared pack."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from sa_lib import config


def _pytest_ini() -> dict:
    text = (config.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["tool"]["pytest"]["ini_options"]


def test_a_hung_test_fails_with_its_name(tmp_path):
    """pytest-timeout turns a hang (a dead kernel, a lost worker) into a named failure."""
    assert 60 <= int(_pytest_ini()["timeout"]) <= 1800
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_hang.py").write_text(
        "import time\n\ndef test_waits_for_a_kernel_that_never_answers():\n    time.sleep(60)\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--timeout=2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "Timeout" in proc.stdout
    assert "test_waits_for_a_kernel_that_never_answers" in proc.stdout


def test_fast_tier_leaves_out_whole_packs_kernels_and_browsers():
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    fast = makefile.split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]
    assert '-m "not e2e and not slow and not browser"' in fast
    assert "pytest --durations=" in makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    markers = " ".join(_pytest_ini()["markers"])
    assert "e2e:" in markers and "slow:" in markers


def test_pack_tests_share_the_session_pack():
    """The tests that read the sample pack take conftest.py's session ``pack``; none builds
    its own copy of the same pack."""
    for module, fixture in [
        ("test_partner_pages", "pack_dir"),
        ("test_cse_disclosure", "cse_html"),
    ]:
        text = (config.ROOT / "tests" / f"{module}.py").read_text(encoding="utf-8")
        assert f"def {fixture}(pack)" in text, f"{module}.{fixture} must read `pack`"
        assert "run_pack(" not in text, f"{module} builds a pack of its own"


def test_the_hostile_suite_runs_in_ci_within_its_slow_tier(request, tmp_path):
    """Issue 23: CI (`.ci/run` -> `make test`) runs every test in tests/hostile; they carry
    the ``hostile`` marker, and the ones that start kernels or clusters are ``slow`` (left
    out of `make test-fast`, never out of CI).

    The markers are read after collection (those ``-m`` selects on, conftest.py's
    included): from this run's own tests when it collected the whole suite, as `make
    test` does, else from one collection of tests/hostile in a fresh pytest."""
    ci = (config.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1].strip() == "make test"
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    test = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    pytest_line = next(line for line in test.splitlines() if "pytest" in line)
    args = pytest_line.split("-m pytest", 1)[1]
    assert " -m " not in args and "--ignore" not in args and "-k " not in args
    assert "tests" in _pytest_ini()["testpaths"]
    assert any(m.startswith("hostile:") for m in _pytest_ini()["markers"])

    marks = _hostile_markers(request, tmp_path)
    everything = set(marks)
    hostile = {t for t, m in marks.items() if "hostile" in m.split()}
    slow = {t for t, m in marks.items() if {"hostile", "slow"} <= set(m.split())}
    assert len(everything) > 200 and hostile == everything, "every hostile test is marked"
    assert slow and slow < hostile, "its kernel and cluster tests are in the slow tier"
    files = {p.name for p in (config.ROOT / "tests" / "hostile").glob("test_*.py")}
    assert files == {t.split("::")[0].rsplit("/", 1)[-1] for t in everything}
    names = " ".join(slow)
    for test in (
        "test_kill_9_of_sa_run",
        "test_sigterm_mid_build_ends_the_kernels",
        "cluster_speaks_tls",
    ):
        assert test in names, f"{test} is not in the slow tier"


def _whole_suite(cfg: pytest.Config) -> bool:
    """Whether this run collected every test and selected none away (`make test`)."""
    opt = cfg.option
    return (
        cfg.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not opt.markexpr
        and not opt.keyword
        and not getattr(opt, "deselect", None)
        and not getattr(opt, "lf", False)
        and not getattr(opt, "ff", False)
    )


def _hostile_markers(request, tmp_path) -> dict[str, str]:
    """``{node id: "marker marker ..."}`` of every test in tests/hostile, as collected."""
    if _whole_suite(request.config):
        return {
            item.nodeid: " ".join(sorted({m.name for m in item.iter_markers()}))
            for item in request.session.items
            if item.nodeid.startswith("tests/hostile/")
        }
    listing = tmp_path / "markers.txt"
    (tmp_path / "list_markers.py").write_text(
        "import os\n\n\ndef pytest_collection_finish(session):\n"
        "    with open(os.environ['SA_MARKERS_OUT'], 'w', encoding='utf-8') as f:\n"
        "        for item in session.items:\n"
        "            names = sorted({m.name for m in item.iter_markers()})\n"
        "            f.write(item.nodeid + '\\t' + ' '.join(names) + '\\n')\n",
        encoding="utf-8",
    )
    path = os.pathsep.join(p for p in (str(tmp_path), os.environ.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["-p", "list_markers", "tests/hostile"],
        cwd=config.ROOT,
        env={**os.environ, "PYTHONPATH": path, "SA_MARKERS_OUT": str(listing)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]
    marks = dict(line.split("\t") for line in listing.read_text(encoding="utf-8").splitlines())
    assert {line for line in proc.stdout.splitlines() if "::" in line} == set(marks)
    return marks


def test_the_dask_cluster_runs_only_while_its_tests_run(request):
    """The modules whose tests use the session's Dask cluster run one after another, and
    the cluster is closed after the last of them (tests/shared_cluster.py): an idle local
    cluster costs about 4 CPU-seconds a minute, and it used to idle to the end of the run."""
    import conftest
    from shared_cluster import run_together

    items = request.session.items
    users = [k for k, i in enumerate(items) if "dask_cluster" in getattr(i, "fixturenames", ())]
    assert run_together(items, "dask_cluster") == items  # already in that order
    if not users:  # a run of this file alone: no cluster, nothing started
        assert not conftest._CLUSTER.running
        return
    between = {i.path for i in items[users[0] : users[-1] + 1]}
    assert between == {items[k].path for k in users}, "another module runs among them"
    assert conftest._CLUSTER.last_nodeid == items[users[-1]].nodeid
    if items.index(request.node) > users[-1]:
        assert not conftest._CLUSTER.running, "the cluster outlived its last test"
