"""Idle cost of a local Dask cluster: Dask's default settings beside the run's own.

A local cluster of ``sa run`` / ``sa run-all`` (two single-threaded worker processes)
is started with Dask's default settings, then with
:data:`sa_lib.pack.executor.LOCAL_CLUSTER_CONFIG`, alternately, ``--repeats`` times
each; each one idles for ``--seconds`` after its workers are up. Printed: the CPU
seconds a minute the whole process tree (scheduler, nannies, workers) used while idle,
the median of each side and their ratio. Target: the run's settings at most half of
Dask's defaults.

Run alone (``.venv/bin/python scripts/bench_idle_cluster.py``) or from
``scripts/benchmark.py``.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: The run's settings use at most this share of the CPU Dask's defaults use, idle.
TARGET_RATIO = 0.5


def idle_cpu_per_minute(settings: dict, seconds: float) -> float:
    """CPU seconds a minute of a two-worker local cluster started with ``settings``, idle."""
    import dask
    from distributed import Client, LocalCluster

    # The CPU of this process and its live children, as the fan-out counts a worker's.
    from sa_lib.pack.fanout import _tree_cpu

    with dask.config.set(settings):
        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    try:
        with Client(cluster) as client:
            client.wait_for_workers(2)
            time.sleep(2)  # past the start-up
            before = _tree_cpu()
            time.sleep(seconds)
            used = _tree_cpu() - before
    finally:
        cluster.close()
    return used * 60 / seconds


def lines(repeats: int = 3, seconds: float = 20) -> tuple[list[str], bool]:
    """The benchmark's printed lines and whether it missed its target."""
    from sa_lib.pack.executor import LOCAL_CLUSTER_CONFIG

    sides = {"Dask defaults": {}, "sa run's settings": dict(LOCAL_CLUSTER_CONFIG)}
    runs: dict[str, list[float]] = {k: [] for k in sides}
    for i in range(repeats):
        order = list(sides) if i % 2 == 0 else list(reversed(sides))
        for name in order:
            runs[name].append(idle_cpu_per_minute(sides[name], seconds))
    med = {k: statistics.median(v) for k, v in runs.items()}
    ratio = med["sa run's settings"] / med["Dask defaults"]
    out = [f"idle local cluster, 2 workers, CPU-s a minute ({repeats} x {seconds:.0f} s each side)"]
    for name, values in runs.items():
        spread = ", ".join(f"{v:.2f}" for v in values)
        out.append(f"  {name:18s} median {med[name]:.2f}  (runs: {spread})")
    missed = ratio > TARGET_RATIO
    out.append(f"  ratio {ratio:.2f} (target <= {TARGET_RATIO}: {'NOT met' if missed else 'met'})")
    return out, missed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args(argv)
    out, missed = lines(args.repeats, args.seconds)
    print("\n".join(out))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
