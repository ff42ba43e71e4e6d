"""The manifest records the store as the build read it (issue 23): an ``sa ingest`` that
lands while the themes run (another force, a later month, a replaced month) never appears
in the manifest as an input of the pack."""

from __future__ import annotations

import json

import pytest

from sa_lib import config
from sa_lib.pack.runner import run_pack

from .conftest import changed, shipped_params, write_yaml
from .test_runner import _nb

#: What the notebook does while the pack is built: the commit step of a concurrent ingest
#: (the ingest log gains another force's month and a later month; one month is replaced).
INGEST = """
import json, pathlib
log_path = pathlib.Path({log!r})
log = json.loads(log_path.read_text())
rec = dict(next(iter(log.values())))
log["street/essex/2025-11"] = dict(rec, source="2025-11-essex-street.csv", rows=9)
log["street/cambridgeshire/2026-01"] = dict(rec, source="2026-01-cambridgeshire-street.csv")
log["street/cambridgeshire/2025-12"] = dict(rec, sha256="0" * 64, rows=1)
log_path.write_text(json.dumps(log))
"""


@pytest.mark.slow
def test_manifest_lists_the_store_as_read_not_a_concurrent_ingest(
    tmp_path, store_copy, monkeypatch
):
    log_path = store_copy / "ingest_log.json"
    before = json.loads(log_path.read_text())
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _nb(nbdir / "ingest.ipynb", INGEST.format(log=str(log_path)))
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    params = write_yaml(tmp_path / "p.yaml", changed(shipped_params(store_copy), themes=["ingest"]))
    res = run_pack(params, out_root=tmp_path / "out", progress=False, workers=1)
    assert res.ok, res.themes
    assert len(json.loads(log_path.read_text())) == len(before) + 2, "the ingest ran"
    store = json.loads((res.out_dir / "manifest.json").read_text())["inputs"]["store"]
    listed = store["partitions"]
    assert "street/essex/2025-11" not in listed, "another force's partition, ingested later"
    assert "street/cambridgeshire/2026-01" not in listed, "a month after the period"
    # The replaced month is recorded as the build read it, and named as changed.
    assert listed["street/cambridgeshire/2025-12"] == before["street/cambridgeshire/2025-12"]
    assert store["changed_during_build"] == ["street/cambridgeshire/2025-12"]
    assert set(listed) <= set(before) and "street/cambridgeshire/2025-10" in listed
    assert len(store["sha256"]) == 64
