"""CPU time of `make test`, printed beside the previous figure (issue 22: at most 300 CPU-s).

CPU time (user + system), not wall time: on a busy shared machine wall time measures the
neighbours. Two figures:

* ``cpu_s``: every process `make test` started, counted by a control group made for the
  run (the kernel adds up the CPU of each process in it, and a process's children are
  born in it): pytest, notebook kernels, Dask workers, Chromium and its renderers, ruff,
  and the processes a test kills or orphans, which no parent waits for. Needs a writable
  cgroup (v2 or v1 ``cpuacct``; root on Linux); elsewhere it is the next figure.
* ``rusage_cpu_s``: ``make`` and every process it waited for (``RUSAGE_CHILDREN``), the
  figure recorded before 2026-12-07 19:00. It misses a process whose parent never waits
  for it (killed runs' workers and kernels, Chromium's renderers): about 28 CPU-s of the
  suite when measured.

Each measurement is appended to ``scripts/suite_cpu.json`` (commit, date, CPU and wall
seconds, the pytest summary line), so the next run prints its figure beside this one.

    .venv/bin/python scripts/suite_cpu.py            # run `make test` and record it
    .venv/bin/python scripts/suite_cpu.py --show     # print the recorded figures only
    .venv/bin/python scripts/benchmark.py --suite    # the same, from the benchmark script
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "scripts" / "suite_cpu.json"
TARGET_CPU_S = 300


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class RunGroup:
    """A control group for one measured command: every process it starts is born in it,
    and the kernel counts their CPU time whether or not a parent waits for them.

    ``RunGroup.make()`` is None where no cgroup can be made (not Linux, not root, no
    cgroup file system): the caller falls back to ``RUSAGE_CHILDREN``.
    """

    ROOTS = (
        (Path("/sys/fs/cgroup"), "cpu.stat"),  # cgroup v2
        (Path("/sys/fs/cgroup/unified"), "cpu.stat"),  # v2 beside v1 (hybrid)
        (Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"),  # v1
    )

    def __init__(self, path: Path, counter: str) -> None:
        self.path, self.counter = path, counter

    @classmethod
    def make(cls) -> RunGroup | None:
        for root, counter in cls.ROOTS:
            if not (root / "cgroup.procs").is_file():  # not a cgroup file system
                continue
            path = root / f"sa-suite-cpu-{os.getpid()}-{time.time_ns()}"
            try:
                path.mkdir()
            except OSError:
                continue
            if (path / counter).is_file() and (path / "cgroup.procs").is_file():
                return cls(path, counter)
            path.rmdir()
        return None

    def join(self) -> None:
        """Move the calling process into the group (run in the child before it execs)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def cpu_s(self) -> float:
        text = (self.path / self.counter).read_text()
        if self.counter == "cpuacct.usage":
            return int(text) / 1e9
        usage = next(x for x in text.splitlines() if x.startswith("usage_usec"))
        return int(usage.split()[1]) / 1e6

    def left_running(self) -> list[int]:
        return [int(x) for x in (self.path / "cgroup.procs").read_text().split()]

    def remove(self) -> None:
        try:
            self.path.rmdir()
        except OSError:  # a process left running keeps it; removed when it exits
            pass


def measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in the project root; its CPU and wall seconds, exit code and summary."""
    # The commit measured: taken before the run, as commits made during it are not in it.
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    group = RunGroup.make()
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, preexec_fn=group.join if group else None
    )
    rusage, wall = _children_cpu() - cpu0, time.perf_counter() - t0
    cpu, left = rusage, []
    if group is not None:
        time.sleep(2)  # processes orphaned at the end exit (their parent watch) first
        cpu, left = group.cpu_s(), group.left_running()
        group.remove()
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    summary = next((x.strip("= ") for x in reversed(lines) if " in " in x and "=" in x), "")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "command": " ".join(cmd),
        "cpu_s": round(cpu, 1),
        "rusage_cpu_s": round(rusage, 1),
        "counted_by": "cgroup" if group is not None else "rusage",
        "left_running": left,
        "wall_s": round(wall, 1),
        "exit_code": proc.returncode,
        "summary": summary,
        "output_tail": proc.stdout[-4000:] + proc.stderr[-2000:],
    }


def history() -> list[dict]:
    return json.loads(HISTORY.read_text(encoding="utf-8")) if HISTORY.is_file() else []


def lines(entries: list[dict]) -> list[str]:
    """One line per figure, newest last, with the change against the one before.

    Examples
    --------
    >>> lines([{"cpu_s": 736, "wall_s": 2940, "commit": "a", "date": "2026-12-01",
    ...         "summary": "", "exit_code": 0},
    ...        {"cpu_s": 280, "wall_s": 900, "commit": "b", "date": "2026-12-07",
    ...         "summary": "1830 passed", "exit_code": 0}])[-1]
    'make test  280 CPU-s (previous 736, -62%; target <= 300: met)  wall 900 s  b 2026-12-07  1830 passed'
    >>> lines([{"cpu_s": 280, "wall_s": 900, "commit": "b", "date": "2026-12-07",
    ...         "summary": "", "exit_code": 0},
    ...        {"cpu_s": 2, "wall_s": 3, "commit": "c", "date": "2026-12-07",
    ...         "summary": "", "exit_code": 2}])[-1]
    'make test  2 CPU-s (previous 280, -99%; target <= 300: not measured, the suite failed)  wall 3 s  c 2026-12-07    EXIT 2'
    """
    out, prev = [], None
    for e in entries:
        change = f"previous {prev:.0f}, {100 * (e['cpu_s'] - prev) / prev:+.0f}%; " if prev else ""
        met = "met" if e["cpu_s"] <= TARGET_CPU_S else "NOT met"
        failed = "" if e.get("exit_code", 0) == 0 else f"  EXIT {e['exit_code']}"
        if failed:  # a suite that stopped early is no figure, and never meets the target
            met = "not measured, the suite failed"
        rusage = f", rusage {e['rusage_cpu_s']:.0f}" if e.get("counted_by") == "cgroup" else ""
        out.append(
            f"make test  {e['cpu_s']:.0f} CPU-s{rusage} ({change}target <= {TARGET_CPU_S}: {met})  "
            f"wall {e['wall_s']:.0f} s  {e['commit']} {e['date'][:10]}  {e['summary']}{failed}"
        )
        if not failed:
            prev = e["cpu_s"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print the recorded figures only")
    ap.add_argument("--no-record", action="store_true", help="do not append to the history")
    args = ap.parse_args(argv)
    entries = history()
    if not args.show:
        entry = measure(["make", "test"])
        print(entry["output_tail"][-3000:], file=sys.stderr)
        entry.pop("output_tail")
        entries.append(entry)
        # A failed suite's CPU is no figure: it is printed, not kept in the history.
        if not args.no_record and entry["exit_code"] == 0:
            HISTORY.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines(entries[-2:] if not args.show else entries)))
    last = entries[-1] if entries else None
    return 0 if last and last["cpu_s"] <= TARGET_CPU_S and last.get("exit_code", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
