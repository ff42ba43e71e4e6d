"""The canary: does the sample pack still come out the same on the newest releases?

Run by ``make canary`` with the Python of a scratch environment (``.canary/venv``) that
pip filled with the newest releases pyproject.toml allows, not the lock. It

1. lists every package whose version differs from ``requirements.lock``;
2. ingests the shipped sample into a fresh store (``.canary/store``) with that stack;
3. rebuilds the sample pack (``.canary/pack``) and compares it with the golden pack
   (``tests/fixtures/golden/``), naming every table cell, finding and headline that moved.

It writes the same report to ``.canary/report.txt`` and exits 0 for "no change", 1 when
anything moved, 2 when the pack did not build. docs/canary.md says how to turn a change
into a reviewed upgrade of the lock.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CANARY = ROOT / ".canary"


def _kernel_prefix() -> Path | None:
    """Where the ``sa-workbench`` kernel's Python lives (it must be this environment's)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("sa-workbench")
    exe = Path(spec.argv[0])
    return exe.parent.parent if exe.is_absolute() else None


def main() -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    import golden  # scripts/golden.py

    from sa_lib.data.ingest import ingest
    from sa_lib.pack.environment import lock_drift

    lines = ["# sa-workbench canary: the newest releases against requirements.lock", ""]
    prefix = _kernel_prefix()
    if prefix is not None and prefix.resolve() != Path(sys.prefix).resolve():
        print(f"the sa-workbench kernel runs {prefix}, not {sys.prefix}", file=sys.stderr)
        return 2
    moved = lock_drift()
    lines += [f"## {len(moved)} package(s) differ from the lock", *moved, ""]
    store, pack = CANARY / "store", CANARY / "pack"
    for folder in (store, pack):
        shutil.rmtree(folder, ignore_errors=True)
    ingest([ROOT / "data" / "sample" / "police_uk"], store)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = golden.main(["--store", str(store), "--keep", str(pack)])
    changes = [c for c in out.getvalue().splitlines() if c.strip()]
    if rc == 2:
        lines.append("## the sample pack did not build (see .canary/pack and stderr above)")
    elif changes:
        lines += [f"## {len(changes)} change(s) against the golden pack", *changes]
    else:
        lines.append("## no change: every table cell, finding and headline equals the golden pack")
    report = "\n".join(lines) + "\n"
    (CANARY / "report.txt").write_text(report, encoding="utf-8")
    print(report)
    return rc


if __name__ == "__main__":
    sys.exit(main())
