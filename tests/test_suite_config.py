"""The test suite's own settings (issue 22): a per-test time limit, tiers, shared pack."""

from __future__ import annotations

import subprocess
import sys
import tomllib

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
