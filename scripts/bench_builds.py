"""CPU seconds of the sample's theme builds, this checkout against an earlier commit, interleaved.

Each round builds the ten sample themes in-process (``build(open_context(...))``, as
``tests/shapes.py`` ``cell()`` does: no kernel, no per-pack memo) for one period, once
with the ``src`` of ``--rev`` (extracted with ``git archive``) and once with this
checkout's, each in a fresh process, alternating so both see the same load:

    .venv/bin/python scripts/bench_builds.py --rev c29aaa8 --period 2025 --rounds 3

With ``--direct`` each theme is built as ``sa run --no-notebooks`` and ``sa run-all``
build it (:func:`sa_lib.pack.direct.build_notebook`: the notebook's set-up, ``build``,
every section rendered into the notebook's cells, charts painted).

Prints CPU-s per theme and in all (mean of the rounds) for both, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(period: str, out: Path, builders: dict[str, str], direct: bool = False) -> None:
    """Build every theme of ``builders`` (theme: module) once; write ``{theme: CPU-s}`` to ``out``."""
    import importlib
    import warnings

    import matplotlib
    import yaml

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    from sa_lib import config
    from sa_lib.pack.context import open_context

    mods = {t: importlib.import_module(f"sa_lib.themes.{m}") for t, m in builders.items()}
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["period"] = period
    p["data"]["store"] = str(config.ROOT / "data" / "processed")
    params = out.with_suffix(".yaml")
    params.write_text(yaml.safe_dump(p))
    cpu = {}
    for theme, mod in mods.items():
        t = time.process_time()
        if direct:
            from sa_lib.pack.direct import build_notebook

            build_notebook(config.NOTEBOOKS_DIR / f"{theme}.ipynb", str(params), theme, None)
        else:
            mod.build(open_context(params, theme))
        cpu[theme] = time.process_time() - t
    out.write_text(json.dumps(cpu))


def run(src: Path, period: str, tmp: Path, builders: dict[str, str], direct: bool) -> dict:
    out = tmp / "cpu.json"
    env = dict(os.environ, PYTHONPATH=str(src), SA_ROOT=str(ROOT))
    cmd = [sys.executable, __file__, "--child", str(out), "--period", period]
    cmd += ["--builders", json.dumps(builders)] + (["--direct"] if direct else [])
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return json.loads(out.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", default="main", help="the commit to compare with")
    ap.add_argument("--period", default="2025")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--direct", action="store_true", help="build as `sa run --no-notebooks` builds a theme"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--builders", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a.period, Path(a.child), json.loads(a.builders), a.direct)
    # This checkout's notebooks name each theme's builder; both sides build the same ones.
    from sa_lib.pack.direct import theme_builders

    builders = theme_builders()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", a.rev, "src"], check=True, capture_output=True
        ).stdout
        (tmp / "src.tar").write_bytes(archive)
        with tarfile.open(tmp / "src.tar") as tar:
            tar.extractall(tmp / "before", filter="data")
        runs = {"before": [], "after": []}
        for r in range(a.rounds):
            for name, src in (("before", tmp / "before" / "src"), ("after", ROOT / "src")):
                runs[name].append(run(src, a.period, tmp, builders, a.direct))
                print(f"round {r + 1} {name}: {sum(runs[name][-1].values()):.2f} CPU-s", flush=True)
    mean = {k: {t: sum(x[t] for x in v) / len(v) for t in builders} for k, v in runs.items()}
    print(f"\n{'theme':<16}{a.rev:>10}{'this':>10}{'ratio':>8}")
    for t in [*builders, "all"]:
        b, n = (sum(m.values()) if t == "all" else m[t] for m in (mean["before"], mean["after"]))
        print(f"{t:<16}{b:>10.2f}{n:>10.2f}{n / b:>8.2f}")


if __name__ == "__main__":
    main()
