"""Hostile-input bounds: each bomb is refused in under 1 s and under 200 MB.

Targets (issue 11, item 4): a parameters file or an extract mapping built from nested
YAML aliases, and an oversized parameters file, are each refused with a clear error
in under a second and under 200 MB. Each case runs in a fresh subprocess; the time
is the refusal inside it (imports excluded), the memory is the child's peak RSS
(imports included). Also times the personal-data scan of the shipped synthetic extract.

Run with ``.venv/bin/python scripts/benchmark_hostile.py``. Uses temporary files only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CHILD = """
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
from sa_lib.pack.params import ParameterError, load_params
from sa_lib.data.extract_mapping import load_mapping
t0 = time.perf_counter()
try:
    load_params(path, check_store=False) if kind == "params" else load_mapping(path)
    refused = False
except (ParameterError, ValueError):
    refused = True
dt = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"refused": refused, "seconds": dt, "peak_mb": rss}))
"""


def _bomb(levels: int) -> str:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + f"\ntitle: *l{levels - 1}\n"


def _row(name: str, value: float, unit: str, target: float) -> str:
    ok = "PASS" if value <= target else "FAIL"
    return f"{name:55s} {value:10.3f} {unit:4s} target <= {target:g} {unit:8s} {ok}"


def main() -> int:
    lines, failed = [], False
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shipped = (ROOT / "parameters" / "huntingdonshire_2025q4.yaml").read_text()
        cases = {
            "params: nested aliases (12 levels, ~1 KB)": ("params", shipped + _bomb(12)),
            "params: 300 KB file": ("params", shipped + "#" + "x" * 300_000 + "\n"),
            "mapping: nested aliases (12 levels, ~1 KB)": ("mapping", _bomb(12)),
        }
        for name, (kind, text) in cases.items():
            f = tmp / "case.yaml"
            f.write_text(text)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, kind, str(f)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            try:
                r = json.loads(out.stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                lines.append(f"{name:55s} FAILED: {out.stderr.strip()[-200:]}")
                failed = True
                continue
            lines.append(_row(f"{name}: refusal time", r["seconds"], "s", 1))
            lines.append(_row(f"{name}: peak memory", r["peak_mb"], "MB", 200))
            failed |= not r["refused"] or r["seconds"] > 1 or r["peak_mb"] > 200

    import pandas as pd

    from sa_lib import config
    from sa_lib.data.personal_data import find_personal_data

    raw = pd.read_csv(
        config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz",
        dtype=str,
        keep_default_na=False,
    )
    t0 = time.perf_counter()
    hits = find_personal_data(raw)
    dt = time.perf_counter() - t0
    lines.append(
        _row(f"personal-data scan of the synthetic extract ({len(raw):,} rows)", dt, "s", 2)
    )
    failed |= not hits.empty or dt > 2
    print("sa-workbench hostile-input bounds (this machine)")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
