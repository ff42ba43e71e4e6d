"""The cluster path, proven (issue 24): ``sa run-all --scheduler`` on separate Dask processes.

A ``dask scheduler`` and two ``dask worker`` processes are started on localhost as
their own commands (as on a real cluster: nothing shares this test's process), the
fan-out runs against the scheduler's address, and one worker (its nanny included) is
killed with SIGKILL while it builds a pack. Every pack must then be published once,
complete, and no build folder or partial pack left behind.

The processes speak mutual TLS (issue 23), as a real cluster should: temporary
credentials are made for the test (``distributed.security.Security.temporary()``,
written to PEM files), the scheduler and workers take ``--protocol tls`` and
``--tls-ca-file/--tls-cert/--tls-key``, the address is ``tls://``, and ``sa run-all``
reads the client's credentials from the Dask configuration (environment variables), as
a user on a real cluster would set them. A client without them is refused. The test
also records each worker's peak resident memory (docs/cluster.md quotes it).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

FIXTURE = Path(__file__).parent / "fixtures" / "essex_2018"
LOOKUP = FIXTURE / "csp_lookup.csv"
BIN = Path(sys.executable).parent
CSPS = ["Basildon", "Braintree", "Castle Point", "Maldon"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _credentials(folder: Path) -> dict[str, str]:
    """Temporary TLS credentials (one self-signed CA, certificate and key) as PEM files."""
    from distributed.security import Security

    tmp = Security.temporary()
    files = {"ca": tmp.tls_ca_file, "cert": tmp.tls_scheduler_cert, "key": tmp.tls_scheduler_key}
    out = {}
    for name, pem in files.items():
        path = folder / f"{name}.pem"
        path.write_text(pem, encoding="utf-8")
        path.chmod(0o600)
        out[name] = str(path)
    return out


def _security(creds: dict[str, str]) -> list[str]:
    """Command-line security options of the scheduler and workers: mutual TLS."""
    return ["--protocol", "tls", "--tls-ca-file", creds["ca"], "--tls-cert", creds["cert"]] + [
        "--tls-key",
        creds["key"],
    ]


def _client_env(creds: dict[str, str]) -> dict[str, str]:
    """The client's credentials in the Dask configuration, as a user sets them."""
    return {
        **os.environ,
        "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": creds["ca"],
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": creds["cert"],
        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": creds["key"],
        "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
    }


def _peak_rss_mb(pid: int) -> float:
    """The largest peak resident memory (VmHWM) of ``pid`` or a process below it, in MB."""
    import psutil

    total = 0
    for p in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        try:
            status = Path(f"/proc/{p.pid}/status").read_text()
        except OSError:
            continue
        total = max(total, int(status.split("VmHWM:")[1].split()[0]))
    return total / 1024


def _dask_env(settings: dict) -> dict[str, str]:
    """Dask settings as the environment variables docs/cluster.md exports."""
    return {
        "DASK_" + k.upper().replace(".", "__").replace("-", "_"): str(v)
        for k, v in settings.items()
    }


def test_the_cluster_guide_gives_the_runs_own_dask_settings():
    """docs/cluster.md exports, for a separate cluster, every setting of `sa`'s own."""
    from sa_lib.pack.executor import LOCAL_CLUSTER_CONFIG

    doc = (Path(__file__).parents[1] / "docs" / "cluster.md").read_text(encoding="utf-8")
    env = _dask_env(LOCAL_CLUSTER_CONFIG)
    assert len(env) == len(LOCAL_CLUSTER_CONFIG) >= 4
    for name, value in env.items():
        assert f"export {name}={value}\n" in doc, name


_PROFILE = "distributed.worker.profile.enabled"


def _start(args: list[str], log: Path) -> subprocess.Popen:
    from sa_lib.pack.executor import LOCAL_CLUSTER_CONFIG

    # Its own session, so the worker and its nanny are killed together (os.killpg); the
    # settings docs/cluster.md gives a separate cluster in its environment.
    return subprocess.Popen(
        [str(BIN / "dask"), *args],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=Path(__file__).parents[1],
        env={**os.environ, **_dask_env(LOCAL_CLUSTER_CONFIG)},
    )


@pytest.fixture
def dask_processes(tmp_path):
    """A scheduler and two single-threaded workers, each a separate ``dask`` command, on
    mutual TLS with credentials made for the test."""
    from distributed import Client
    from distributed.security import Security

    creds = _credentials(tmp_path)
    port = _free_port()
    address = f"tls://127.0.0.1:{port}"
    sec = _security(creds)
    procs = {
        "scheduler": _start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard", *sec],
            tmp_path / "scheduler.log",
        )
    }
    for name in ("w1", "w2"):
        procs[name] = _start(
            ["worker", address, "--nthreads", "1", "--name", name, "--no-dashboard", *sec],
            tmp_path / f"{name}.log",
        )
    security = Security(
        tls_ca_file=creds["ca"],
        tls_client_cert=creds["cert"],
        tls_client_key=creds["key"],
        require_encryption=True,
    )
    try:
        with Client(address, timeout="60s", security=security) as c:
            c.wait_for_workers(2, timeout=120)
            # The workers took the settings docs/cluster.md gives (no profiler); a lambda
            # travels by value (this module is not importable on a worker).
            profiler_on = lambda: __import__("dask").config.get(_PROFILE)  # noqa: E731
            assert set(c.run(profiler_on).values()) == {False}
        yield address, procs, creds
    finally:
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def _owner(procs: dict, pid: int) -> str | None:
    """Which worker command's process tree holds ``pid``."""
    import psutil

    for name, p in procs.items():
        if name == "scheduler":
            continue
        tree = [p.pid, *(c.pid for c in psutil.Process(p.pid).children(recursive=True))]
        if pid in tree:
            return name
    return None


def _kill_a_worker_mid_pack(out: Path, procs: dict, run: subprocess.Popen) -> str:
    """Wait for a pack's build folder, then SIGKILL the worker (and nanny) building it."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        for marker in out.glob(".*.tmp-*/.sa-run"):
            try:
                pid = json.loads(marker.read_text())["pid"]
            except (OSError, ValueError):
                continue
            name = _owner(procs, pid)
            if name:
                os.killpg(procs[name].pid, signal.SIGKILL)
                return marker.parent.name
        time.sleep(0.05)
    raise AssertionError("no pack was being built by a worker before the run ended")


@pytest.mark.e2e
def test_run_all_on_a_separate_scheduler_survives_a_killed_worker(tmp_path, dask_processes):
    from sa_lib.data.ingest import ingest

    address, procs, creds = dask_processes
    _refuses_a_client_without_credentials(address)
    store = tmp_path / "store"
    ingest([FIXTURE / "police_uk"], store)
    tpl = yaml.safe_load((FIXTURE / "template.yaml").read_text())
    tpl["data"]["store"] = str(store)
    template = tmp_path / "template.yaml"
    template.write_text(yaml.safe_dump(tpl))
    out = tmp_path / "outputs"
    out.mkdir()
    cmd = [str(BIN / "sa"), "run-all", str(template), "--scheduler", address, "--out", str(out)]
    cmd += ["--csp-lookup", str(LOOKUP), "--quiet"]
    for c in CSPS:
        cmd += ["--csp", c]
    run = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_client_env(creds)
    )
    killed_build = _kill_a_worker_mid_pack(out, procs, run)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr
    assert f"{len(CSPS)} pack(s) built, 0 up to date, 0 failed" in stdout
    alive = [n for n in ("w1", "w2") if procs[n].poll() is None]
    peak = max(_peak_rss_mb(procs[n].pid) for n in alive)
    print(f"peak resident memory of a worker process: {peak:.0f} MB")
    assert peak < 4096, "a worker needs more memory than docs/cluster.md says"
    assert procs["w1"].poll() is not None or procs["w2"].poll() is not None
    packs = sorted(d for d in out.iterdir() if d.is_dir() and d.name.endswith("_2018q2"))
    assert [d.name for d in packs] == sorted(f"{c.lower().replace(' ', '_')}_2018q2" for c in CSPS)
    # The pack the killed worker was building was built again, whole, by the other.
    assert killed_build.split(".tmp-")[0].lstrip(".") in {d.name for d in packs}
    for d in packs:
        man = json.loads((d / "manifest.json").read_text())
        assert man["status"] == "complete", d
        assert [t["status"] for t in man["themes"]] == ["ok"] * len(tpl["themes"])
        for t in tpl["themes"]:
            assert (d / f"{t}.html").is_file() and (d / "results" / f"{t}.json").is_file()
        assert (d / "tables.xlsx").is_file() and (d / "index.html").is_file()
    # Nothing partial or half-built is left: no build, old or failed folders.
    leftovers = [p.name for p in out.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == [] and not list(out.glob("*.failed")) and not list(out.glob("*.partial"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{d.name}/index.html"' in index for d in packs)
    # Published once: one manifest per pack, each pack's name once in the national index.
    assert all(index.count(f'href="{d.name}/index.html"') == 1 for d in packs)


def _refuses_a_client_without_credentials(address: str) -> None:
    """The scheduler refuses plain TCP and TLS without the cluster's certificate."""
    from distributed import Client
    from distributed.security import Security

    plain = address.replace("tls://", "tcp://")
    for addr, security in ((plain, None), (address, Security.temporary())):
        with pytest.raises((OSError, TimeoutError, ValueError)):
            Client(addr, timeout="5s", security=security).close()
