"""CPU time of `make test`, printed beside the previous figure (issue 22: at most 300 CPU-s).

CPU time (user + system, of `make` and every process it waited for: pytest, the notebook
kernels, the Dask workers, ruff; a process killed and never reaped is missed), not wall time: on a busy shared machine wall time
measures the neighbours. Each measurement is appended to ``scripts/suite_cpu.json``
(commit, date, CPU and wall seconds, the pytest summary line), so the next run prints
its figure beside this one.

    .venv/bin/python scripts/suite_cpu.py            # run `make test` and record it
    .venv/bin/python scripts/suite_cpu.py --show     # print the recorded figures only
    .venv/bin/python scripts/benchmark.py --suite    # the same, from the benchmark script
"""

from __future__ import annotations

import argparse
import json
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


def measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in the project root; its CPU and wall seconds, exit code and summary."""
    # The commit measured: taken before the run, as commits made during it are not in it.
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    cpu, wall = _children_cpu() - cpu0, time.perf_counter() - t0
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    summary = next((x.strip("= ") for x in reversed(lines) if " in " in x and "=" in x), "")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "command": " ".join(cmd),
        "cpu_s": round(cpu, 1),
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
    """
    out, prev = [], None
    for e in entries:
        change = f"previous {prev:.0f}, {100 * (e['cpu_s'] - prev) / prev:+.0f}%; " if prev else ""
        met = "met" if e["cpu_s"] <= TARGET_CPU_S else "NOT met"
        failed = "" if e.get("exit_code", 0) == 0 else f"  EXIT {e['exit_code']}"
        out.append(
            f"make test  {e['cpu_s']:.0f} CPU-s ({change}target <= {TARGET_CPU_S}: {met})  "
            f"wall {e['wall_s']:.0f} s  {e['commit']} {e['date'][:10]}  {e['summary']}{failed}"
        )
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
        if not args.no_record:
            HISTORY.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    print("\n".join(lines(entries[-2:] if not args.show else entries)))
    last = entries[-1] if entries else None
    return 0 if last and last["cpu_s"] <= TARGET_CPU_S and last.get("exit_code", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
