"""manifest.json's "environment" record and `sa doctor` (issue 22), without building a pack."""

from __future__ import annotations

import hashlib
import json
import platform
import re
import subprocess
import sys
from importlib import metadata

from sa_lib import config
from sa_lib.pack import environment as envmod
from sa_lib.pack.cli import main


def _every_distribution() -> dict[str, str]:
    """What pip itself says is installed (a separate process, so nothing this test session
    imported, such as setuptools' vendored packages, can leak in)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        re.sub(r"[-_.]+", "-", d["name"]).lower(): d["version"] for d in json.loads(proc.stdout)
    }


def test_record_lists_every_installed_distribution_and_the_lock_hash():
    rec = envmod.environment_record()
    assert rec["distributions"] == _every_distribution()
    assert rec["distributions"]["pandas"] == metadata.version("pandas")
    assert rec["python"] == platform.python_version()
    lock = config.ROOT / "requirements.lock"
    assert rec["lock"]["sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()


def test_made_by_setup_the_environment_matches_the_lock():
    """`make setup` installs exactly the lock: no drift in the environment the tests run in,
    even once setuptools (whose vendored packages carry metadata) has been imported."""
    import setuptools  # noqa: F401

    assert envmod.lock_drift() == []


def _lock(tmp_path, pins: dict[str, str], marker: str = "") -> object:
    lines = [f"{k}=={v}{marker} \\\n    --hash=sha256:{'0' * 64}" for k, v in pins.items()]
    path = tmp_path / "requirements.lock"
    path.write_text("# a lock\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_drift_names_changed_missing_and_extra_packages(tmp_path):
    have = _every_distribution()
    pins = {k: v for k, v in have.items() if k not in {"sa-workbench", "pyyaml", "tqdm"}}
    pins["pandas"] = "0.0.1"
    pins["not-a-real-package"] = "1.0"
    drift = envmod.lock_drift(path=_lock(tmp_path, pins))
    assert drift == [
        "not-a-real-package 1.0 is locked but not installed",
        f"pandas {have['pandas']} is installed; the lock has 0.0.1",
        f"pyyaml {have['pyyaml']} is installed but not in the lock",
        f"tqdm {have['tqdm']} is installed but not in the lock",
    ]


def test_entries_for_another_platform_do_not_count(tmp_path):
    have = _every_distribution()
    pins = {k: v for k, v in have.items() if k != "sa-workbench"}
    path = _lock(tmp_path, pins)
    with path.open("a") as f:
        f.write("pywin32==311 ; sys_platform == 'win32-never' \\\n    --hash=sha256:00\n")
    assert envmod.lock_drift(path=path) == []


def test_doctor_exit_codes_and_check_warning(tmp_path, monkeypatch, capsys):
    have = _every_distribution()
    pins = {k: v for k, v in have.items() if k != "sa-workbench"}
    monkeypatch.setattr(envmod, "lock_path", lambda: _lock(tmp_path, pins))
    assert main(["doctor"]) == 0
    assert "matches requirements.lock" in capsys.readouterr().out
    pins["numpy"] = "0.0.1"
    assert main(["doctor"]) == 6
    out = capsys.readouterr()
    assert f"numpy {have['numpy']} is installed; the lock has 0.0.1" in out.out
    assert "warning: the environment differs from requirements.lock in 1 package" in out.err
    params = config.ROOT / "parameters" / "huntingdonshire_2025q4.yaml"
    assert main(["check", str(params), "--no-store"]) == 0
    assert "sa check: warning: the environment differs" in capsys.readouterr().err


def test_installed_is_read_once_and_again_after_an_install(tmp_path, monkeypatch):
    """The distributions are read once while the package folders are unchanged, and read
    again when a distribution is installed (its .dist-info folder changes the folder)."""
    import os

    site = tmp_path / "site-packages"
    site.mkdir()

    def add(name, version):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")

    add("alpha", "1.0")
    monkeypatch.setattr(envmod, "site_packages", lambda: [str(site)])
    reads = []
    real = envmod.metadata.distributions
    monkeypatch.setattr(
        envmod.metadata, "distributions", lambda **kw: reads.append(1) or real(**kw)
    )
    assert envmod.installed() == {"alpha": "1.0"}
    assert envmod.installed() == {"alpha": "1.0"} and len(reads) == 1
    add("beta", "2.0")
    os.utime(site, ns=(1, 1))  # a different modification time, however fast the clock
    assert envmod.installed() == {"alpha": "1.0", "beta": "2.0"} and len(reads) == 2
    envmod.installed()["alpha"] = "9"  # a caller's copy: the reading is unchanged
    assert envmod.installed()["alpha"] == "1.0"
