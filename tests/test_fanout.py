"""``sa run-all``: one pack per CSP on a Dask cluster, the national index, reruns, locks, kills."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from sa_lib import config
from sa_lib.pack.fanout import csp_parameters, plan_packs, run_all
from sa_lib.pack.params import ParameterError, load_params
from sa_lib.pack.runner import pack_lock

FIXTURE = Path(__file__).parent / "fixtures" / "essex_2018"
LOOKUP = FIXTURE / "csp_lookup.csv"


@pytest.fixture(scope="module")
def essex_store(tmp_path_factory):
    """The Essex 2018 slice (LSOA 2011 codes) ingested into a temporary store."""
    from sa_lib.data.ingest import ingest

    store = tmp_path_factory.mktemp("essex_store")
    ingest([FIXTURE / "police_uk"], store)
    return store


@pytest.fixture(scope="module")
def template(tmp_path_factory, essex_store):
    p = yaml.safe_load((FIXTURE / "template.yaml").read_text())
    p["data"]["store"] = str(essex_store)
    path = tmp_path_factory.mktemp("tpl") / "essex_template.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def _published(root: Path) -> list[Path]:
    return sorted(d for d in root.iterdir() if d.is_dir() and d.name.endswith("_2018q2"))


def _files_saying_synthetic(root: Path) -> list[str]:
    """Every published file under ``root`` (pages, index, CSV/JSON downloads, the Excel
    workbook's sheets) whose text holds the word SYNTHETIC, the synthetic-data label."""
    found = []
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.suffix not in (".html", ".csv", ".json", ".xlsx"):
            continue
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                hit = any(b"SYNTHETIC" in z.read(n) for n in z.namelist())
        else:
            hit = "SYNTHETIC" in f.read_text(encoding="utf-8", errors="replace")
        if hit:
            found.append(str(f.relative_to(root)))
    return found


def test_the_synthetic_word_check_reads_pages_downloads_and_the_workbook(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "index.html").write_text("<p>Real data</p>")
    assert _files_saying_synthetic(tmp_path) == []
    (tmp_path / "p" / "a.csv").write_text("x\nSYNTHETIC DATA\n")
    with zipfile.ZipFile(tmp_path / "p" / "t.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "<c><is><t>SYNTHETIC DATA: x</t></is></c>")
    assert _files_saying_synthetic(tmp_path) == ["p/a.csv", "p/t.xlsx"]


def test_csp_parameters_fill_in_the_csp_and_clear_what_belongs_to_one_csp():
    tpl = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    before = json.dumps(tpl, sort_keys=True, default=str)
    csp = {
        "csp_name": "Fenland",
        "slug": "fenland",
        "lad_codes": ["E07000010"],
        "force": "Cambridgeshire",
    }
    p = csp_parameters(tpl, csp, "2025-Q3")
    assert p["title"] == "Fenland Community Safety Partnership strategic assessment"
    assert p["csp"] == {"name": "Fenland", "slug": "fenland", "lad_codes": ["E07000010"]}
    assert p["period"] == "2025-Q3" and p["comparison"]["peers"] == []
    assert p["comparison"]["wider_area_name"] == "Cambridgeshire police force area"
    assert p["place_profile"]["area"] is None
    assert p["statistics"] == tpl["statistics"] and p["disclosure"] == tpl["disclosure"]
    assert json.dumps(tpl, sort_keys=True, default=str) == before, "the template is not changed"


def test_plan_writes_one_valid_parameters_file_per_csp(tmp_path, template):
    specs, info = plan_packs(template, "2018-Q2", force="essex", out_root=tmp_path, lookup=LOOKUP)
    assert len(specs) == 14 and info["period_slug"] == "2018q2"
    files = sorted((tmp_path / "parameters").glob("*.yaml"))
    assert len(files) == 14
    for s in specs:
        p = load_params(s["params_path"])  # validates, store coverage included
        assert p.csp.slug == s["slug"] and s["name"] == f"{s['slug']}_2018q2"
    assert len({s["fingerprint"] for s in specs}) == 14
    again, _ = plan_packs(template, "2018-Q2", force="essex", out_root=tmp_path, lookup=LOOKUP)
    assert [s["fingerprint"] for s in again] == [s["fingerprint"] for s in specs]


def test_plan_refuses_an_unknown_theme_force_or_period(tmp_path, template):
    with pytest.raises(ParameterError, match="--theme 'nope'"):
        plan_packs(template, themes=["nope"], out_root=tmp_path, lookup=LOOKUP)
    with pytest.raises(ParameterError, match="--force 'kent'"):
        plan_packs(template, force="kent", out_root=tmp_path, lookup=LOOKUP)
    with pytest.raises(ParameterError, match="--period"):
        plan_packs(template, "2018-Q5", out_root=tmp_path, lookup=LOOKUP)
    assert not (tmp_path / "parameters").exists() or not list((tmp_path / "parameters").iterdir())


@pytest.mark.e2e
def test_run_all_force_essex_builds_every_pack_and_the_national_index(
    tmp_path, template, dask_cluster, capsys
):
    from sa_lib.pack.cli import main

    out = tmp_path / "outputs"
    # On the session's two-worker cluster (conftest.py ``dask_cluster``); run-all's own
    # local cluster is tested in test_data_shapes.py and tests/hostile/test_cluster.py.
    args = [
        "run-all",
        str(template),
        "--force",
        "essex",
        "--out",
        str(out),
        "--scheduler",
        dask_cluster.scheduler_info()["address"],
        "--csp-lookup",
        str(LOOKUP),
        "--quiet",
    ]
    assert main(args) == 0, capsys.readouterr().err
    packs = _published(out)
    assert len(packs) == 14
    for d in packs:
        man = json.loads((d / "manifest.json").read_text())
        assert man["status"] == "complete" and man["force"] == "Essex"
        assert man["headline"]["population"] > 0 and (d / "overview.html").is_file()
        t = man["themes"][0]
        assert t["wall_seconds"] >= t["compute_seconds"] > 0
    index = (out / "index.html").read_text()
    for d in packs:
        assert f'href="{d.name}/index.html"' in index
    assert "data:image/png;base64," in index and "14 partnership packs" in index
    assert not list(out.glob(".*tmp*")), "no build folder is left behind"
    # Built on police.uk data with no synthetic input (no events, force extract or partner
    # file): no page, index or download says SYNTHETIC (issue 19).
    data = yaml.safe_load(template.read_text())["data"]
    assert not {"extract", "events", "partner_indicators"} & {k for k, v in data.items() if v}
    assert _files_saying_synthetic(out) == []
    # LSOA 2011 rows are mapped onto the 2021 geography: every CSP has crimes.
    heads = [json.loads((d / "manifest.json").read_text())["headline"] for d in packs]
    assert all(h["count"] is None or h["count"] > 0 for h in heads)

    # A rerun finds every pack up to date and rebuilds nothing.
    capsys.readouterr()
    assert main(args) == 0
    assert "0 pack(s) built, 14 up to date, 0 failed" in capsys.readouterr().out


@pytest.mark.e2e
def test_a_pack_being_built_elsewhere_is_left_alone_and_reported(
    tmp_path, template, dask_cluster, capsys
):
    from sa_lib.pack.cli import main

    out = tmp_path / "outputs"
    out.mkdir()
    address = dask_cluster.scheduler_info()["address"]
    args = [
        "run-all",
        str(template),
        "--csp",
        "Chelmsford",
        "--csp",
        "Maldon",
        "--out",
        str(out),
        "--scheduler",
        address,
        "--csp-lookup",
        str(LOOKUP),
        "--quiet",
    ]
    with pack_lock(out, "chelmsford_2018q2"):
        code = main(args)
    err = capsys.readouterr().err
    assert code == 3, err
    assert "Failed (1); a rerun redoes only these:" in err
    assert "Chelmsford" in err and "being built by another run" in err
    assert [d.name for d in _published(out)] == ["maldon_2018q2"]
    assert "Chelmsford" in (out / "index.html").read_text()
    # The rerun builds only the failed one.
    again = run_all(
        template,
        csps=["Chelmsford", "Maldon"],
        out_root=out,
        lookup=LOOKUP,
        client=dask_cluster,
        progress=False,
    )
    assert again.exit_code == 0
    assert [b["csp_name"] for b in again.built] == ["Chelmsford"]
    assert [u["csp_name"] for u in again.up_to_date] == ["Maldon"]


@pytest.mark.e2e
def test_a_killed_worker_loses_no_pack_and_publishes_no_partial_one(
    tmp_path, template, dask_cluster
):
    out = tmp_path / "outputs"
    # Three packs on two workers: after the first is published, a worker is busy.
    names = ["Basildon", "Brentwood", "Rochford"]
    box = {}

    def go():
        box["res"] = run_all(
            template, csps=names, out_root=out, lookup=LOOKUP, client=dask_cluster, progress=False
        )

    th = threading.Thread(target=go)
    th.start()
    deadline = time.time() + 240
    killed = None
    while time.time() < deadline and killed is None:
        time.sleep(0.3)
        if not out.exists() or not _published(out):
            continue
        busy = [w for w, keys in dask_cluster.processing().items() if keys]
        if busy:
            pid = dask_cluster.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed = busy[0]
    assert killed, "a worker was busy with a pack after the first one was published"
    finished_before = {d.name for d in _published(out)}
    th.join(timeout=600)
    res = box["res"]
    # Dask reschedules the killed worker's pack; every pack is published complete, none partial.
    assert finished_before <= {d.name for d in _published(out)}
    for d in _published(out):
        assert json.loads((d / "manifest.json").read_text())["status"] == "complete"
    assert all(not d.name.endswith((".partial", ".failed")) for d in out.iterdir())
    done = {b["csp_name"] for b in res.built}
    assert done | {f["csp_name"] for f in res.failures} == set(names)
    # The rerun completes whatever is missing and leaves no build folder behind.
    again = run_all(
        template, csps=names, out_root=out, lookup=LOOKUP, client=dask_cluster, progress=False
    )
    assert again.exit_code == 0 and len(_published(out)) == len(names)
    assert {u["csp_name"] for u in again.up_to_date} >= done
    assert not [d for d in out.glob(".*tmp*") if d.is_dir()]


@pytest.mark.e2e
def test_the_test_processs_workers_are_forked_from_the_preloaded_server(dask_cluster):
    """tests/shared_cluster.py ``preloaded_workers``: this process's local workers are forked
    from one server that imported the library (not spawned, each importing it again), and
    that server, not this process, is their parent (stop_worker_server waits for it)."""
    import sys
    from multiprocessing import forkserver

    info = dask_cluster.run(lambda: (os.getppid(), "sa_lib.pack.direct" in sys.modules))
    server = forkserver._forkserver._forkserver_pid
    assert server is not None and server != os.getpid()
    assert {ppid for ppid, _ in info.values()} == {server}, info
    assert all(loaded for _, loaded in info.values())
