"""scripts/suite_cpu.py: the CPU time of `make test`, orphaned processes included."""

from __future__ import annotations

import sys

import pytest

from sa_lib import config

sys.path.insert(0, str(config.ROOT / "scripts"))
import suite_cpu  # noqa: E402

#: A shell that starts a half-second busy loop in the background and exits without waiting
#: for it: the loop is orphaned, so no parent of the measuring process ever reaps it.
ORPHAN = [
    "sh",
    "-c",
    f"{sys.executable} -c 'import time\nt = time.process_time()\n"
    "while time.process_time() - t < 0.5: pass' & exit 0",
]


def test_the_run_group_counts_a_process_no_parent_waits_for():
    group = suite_cpu.RunGroup.make()
    if group is None:
        pytest.skip("no writable control group here (not root on Linux): rusage only")
    group.remove()
    run = suite_cpu.measure(ORPHAN)
    assert run["counted_by"] == "cgroup" and run["exit_code"] == 0
    assert run["rusage_cpu_s"] < 0.3  # the shell only: the loop was never reaped by it
    assert run["cpu_s"] >= 0.45, run  # the loop's half second is counted
    assert run["left_running"] == []


def test_lines_show_both_figures_when_counted_by_a_control_group():
    entry = {"cpu_s": 290.0, "rusage_cpu_s": 262.0, "counted_by": "cgroup", "wall_s": 300}
    entry |= {"commit": "c", "date": "2026-12-07", "summary": "ok", "exit_code": 0}
    (line,) = suite_cpu.lines([entry])
    assert line.startswith("make test  290 CPU-s, rusage 262 (target <= 300: met)")
