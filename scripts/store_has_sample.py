"""Exit 0 when the store holds every month of the shipped sample, unchanged; else 1.

``make report`` / ``make ingest-sample`` run it to decide whether to ingest the
sample: any other ingest (another force, other years) does not satisfy it, and a
month re-ingested from a different file (a different SHA-256) does not either.

    .venv/bin/python scripts/store_has_sample.py [STORE]
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sa_lib import config
from sa_lib.data.coverage import read_coverage_log
from sa_lib.data.ingest import find_sources


def main() -> int:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else config.PROCESSED_DIR
    log = read_coverage_log(store)
    for s in find_sources([config.SAMPLE_DIR / "police_uk"]):
        rec = log.get(f"{s.kind}/{s.force}/{s.month}")
        part = store / s.kind / s.force / f"{s.month}.parquet"
        if rec is None or not part.exists():
            return 1
        if rec.get("sha256") != hashlib.sha256(s.read_bytes()).hexdigest():
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
