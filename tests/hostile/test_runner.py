"""Hostile runs: path traversal through the slug, folders the runner did not make, a
read-only or full output disk, dead runs' leftovers, and ``kill -9`` of ``sa run``.

Each asserts the exit code (or the exception the CLI maps to it), a message naming the
path and the fix, and that the last good pack and the store are unchanged.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from sa_lib import config
from sa_lib.pack import cli, runner
from sa_lib.pack.params import ParameterError, load_params
from sa_lib.pack.runner import EXIT, MARKER, OutputError, remove_stale_builds, run_pack

from .conftest import assert_message, changed, digest, run_sa, shipped_params, write_yaml


def _nb(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('params_path = ""\ntheme = ""')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Quick"), cell, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture
def quick_themes(tmp_path, monkeypatch):
    """Two tiny theme notebooks (``quick``, ``other``) in place of the real ones."""
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _nb(nbdir / "quick.ipynb", "print('fine')")
    _nb(nbdir / "other.ipynb", "print('fine')")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", nbdir)
    return nbdir


def _params(tmp_path, store, **changes) -> Path:
    # One worker: the two quick notebooks share its kernel (what is tested is the output
    # folder, not the fan-out; two workers, each with a kernel, are tested below).
    changes = {"run__workers": 1, **changes}
    raw = changed(shipped_params(store), themes=["quick", "other"], **changes)
    return write_yaml(tmp_path / "p.yaml", raw)


# ---- the slug -----------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["{tmp}/srv/reports/victim", "../../x", "a/b"])
def test_slug_traversal_refused_before_anything_is_written(tmp_path, sample_store, slug, good_pack):
    slug = slug.format(tmp=tmp_path)
    before = digest(good_pack)
    p = write_yaml(tmp_path / "p.yaml", changed(shipped_params(sample_store), csp__slug=slug))
    with pytest.raises(ParameterError) as e:
        run_pack(p, out_root=good_pack, progress=False)
    assert_message(str(e.value), "csp.slug", "[a-z0-9")
    assert not (tmp_path / "srv").exists() and not (tmp_path.parent / "x_2025q4").exists()
    assert digest(good_pack) == before


def test_sa_run_absolute_slug_exit_2(tmp_path, sample_store):
    victim = tmp_path / "srv" / "reports" / "victim_2025q4.partial"
    victim.mkdir(parents=True)
    (victim / "keep.txt").write_text("not the workbench's")
    raw = changed(shipped_params(sample_store), csp__slug=str(tmp_path / "srv/reports/victim"))
    p = write_yaml(tmp_path / "p.yaml", raw)
    r = run_sa("run", "--quiet", "--out", tmp_path / "out", "--theme", "overview", p)
    assert r.returncode == 2, r.stderr
    assert_message(r.stderr, "csp.slug", "Nothing was run")
    assert (victim / "keep.txt").read_text() == "not the workbench's"


def test_runner_checks_the_folder_even_when_validation_is_bypassed(
    tmp_path, sample_store, monkeypatch, good_pack, quick_themes
):
    """Defence in depth: the runner itself refuses a pack folder outside the output root."""
    p = _params(tmp_path, sample_store)
    real = load_params(p)
    # The parameters are frozen: model_copy(update=...) skips validation, as a bypass would.
    real = real.model_copy(update={"csp": real.csp.model_copy(update={"slug": "../../escaped"})})
    assert real.csp.slug == "../../escaped" and real.source is not None
    monkeypatch.setattr(runner, "load_params", lambda _path: real)
    before = digest(good_pack)
    with pytest.raises(ParameterError) as e:
        run_pack(p, out_root=good_pack, progress=False)
    assert_message(str(e.value), "outside", "Fix")
    assert not list(tmp_path.parent.glob("escaped*")) and digest(good_pack) == before


# ---- folders the runner did not make ------------------------------------------------


@pytest.mark.parametrize("suffix", [".partial", "", ".failed"])
def test_foreign_folder_in_the_way_survives(
    tmp_path, sample_store, quick_themes, good_pack, suffix
):
    name = "huntingdonshire_2025q4" + suffix
    foreign = tmp_path / "outputs2" / name
    foreign.mkdir(parents=True)
    (foreign / "keep.txt").write_text("someone else's")
    themes = ["quick"] if suffix == ".partial" else None
    with pytest.raises(OutputError) as e:
        run_pack(
            _params(tmp_path, sample_store), out_root=foreign.parent, themes=themes, progress=False
        )
    assert_message(str(e.value), str(foreign), "not made by `sa run`", "move it")
    assert (foreign / "keep.txt").read_text() == "someone else's"
    assert not list(foreign.parent.glob(".*tmp*"))


def test_symlinked_pack_folder_is_not_followed(tmp_path, sample_store, quick_themes):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / MARKER).write_text("{}")
    (target / "keep.txt").write_text("x")
    out = tmp_path / "out"
    out.mkdir()
    (out / "huntingdonshire_2025q4").symlink_to(target)
    with pytest.raises(OutputError):
        run_pack(_params(tmp_path, sample_store), out_root=out, progress=False)
    assert (target / "keep.txt").read_text() == "x"


def test_sa_run_foreign_folder_exit_5(tmp_path, sample_store, quick_themes, capsys):
    foreign = tmp_path / "out" / "huntingdonshire_2025q4.partial"
    foreign.mkdir(parents=True)
    (foreign / "keep.txt").write_text("x")
    rc = cli.main(
        [
            "run",
            "--quiet",
            "--out",
            str(foreign.parent),
            "--theme",
            "quick",
            str(_params(tmp_path, sample_store)),
        ]
    )
    err = capsys.readouterr().err
    assert rc == EXIT["output"] == 5
    assert len(err.strip().splitlines()) == 1, err
    assert_message(err, str(foreign), "Fix")
    assert (foreign / "keep.txt").exists()


# ---- read-only and full disks -------------------------------------------------------


def test_output_root_is_a_file_exit_5(tmp_path, sample_store):
    blocker = tmp_path / "outputs"
    blocker.write_text("a file where the folder should be")
    r = run_sa(
        "run",
        "--quiet",
        "--out",
        blocker,
        "--theme",
        "overview",
        write_yaml(tmp_path / "p.yaml", shipped_params(sample_store)),
    )
    assert r.returncode == 5, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert_message(r.stderr, str(blocker), "Fix")
    assert "Traceback" not in r.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_outputs_exit_5(tmp_path, sample_store, good_pack):
    before = digest(good_pack)
    good_pack.chmod(0o555)
    try:
        r = run_sa(
            "run",
            "--quiet",
            "--out",
            good_pack,
            "--theme",
            "overview",
            write_yaml(tmp_path / "p.yaml", shipped_params(sample_store)),
        )
    finally:
        good_pack.chmod(0o755)
    assert r.returncode == 5 and "not writable" in r.stderr, r.stderr
    assert digest(good_pack) == before


def test_unwritable_file_system_exit_5(tmp_path, sample_store):
    """A real file system that refuses writes even to root (/sys in a container)."""
    out = Path("/sys/sa-workbench-outputs")
    try:
        out.mkdir()
    except OSError:
        pass
    else:
        out.rmdir()
        pytest.skip("/sys is writable here")
    r = run_sa(
        "run",
        "--quiet",
        "--out",
        out,
        "--theme",
        "overview",
        write_yaml(tmp_path / "p.yaml", shipped_params(sample_store)),
    )
    assert r.returncode == 5, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert_message(r.stderr, str(out), "not writable", "Fix")


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_unwritable_build_folder_exit_5(
    tmp_path, sample_store, quick_themes, good_pack, monkeypatch, capsys, code
):
    def refuse(folder):
        raise OSError(code, os.strerror(code), str(folder / MARKER))

    monkeypatch.setattr(runner, "_write_marker", refuse)
    before = digest(good_pack)
    rc = cli.main(["run", "--quiet", "--out", str(good_pack), str(_params(tmp_path, sample_store))])
    err = capsys.readouterr().err
    assert rc == 5
    assert len(err.strip().splitlines()) == 1, err
    assert_message(err, MARKER, "Fix")
    assert digest(good_pack) == before and not list(good_pack.glob(".*tmp*"))


def _disk_full_execute(theme, params_path, out_ipynb, kernel, timeout, html=None, **_where):
    """A worker whose notebook output hits a full disk."""
    return {
        "theme": theme,
        "status": "failed",
        "seconds": 0.0,
        "cell": None,
        "ename": "OSError",
        "evalue": "No space left on device",
        "errno": errno.ENOSPC,
        "filename": out_ipynb,
        "error_summary": "OSError: No space left on device",
    }


@pytest.mark.slow
def test_full_disk_in_a_worker_exit_5(
    tmp_path, sample_store, quick_themes, good_pack, monkeypatch, capsys
):
    monkeypatch.setattr(runner, "_execute", _disk_full_execute)
    before = digest(good_pack)
    rc = cli.main(["run", "--quiet", "--out", str(good_pack), str(_params(tmp_path, sample_store))])
    err = capsys.readouterr().err
    assert rc == 5, err
    assert_message(err, "no space left", "free disk space")
    assert digest(good_pack) == before
    assert not list(good_pack.glob(".*tmp*")), "the build is removed, so a rerun can succeed"
    assert not (good_pack / "huntingdonshire_2025q4.failed").exists()


@pytest.mark.slow
def test_full_disk_writing_the_manifest_exit_5(
    tmp_path, sample_store, quick_themes, good_pack, monkeypatch, capsys
):
    def full(*_args):
        raise OSError(errno.ENOSPC, "No space left on device", str(good_pack / "x"))

    monkeypatch.setattr(runner, "_input_hashes", full)
    before = digest(good_pack)
    rc = cli.main(["run", "--quiet", "--out", str(good_pack), str(_params(tmp_path, sample_store))])
    assert rc == 5
    assert "no space left" in capsys.readouterr().err
    assert digest(good_pack) == before and not list(good_pack.glob(".*tmp*"))


def test_exit_code_5_is_documented():
    assert "5    output not writable" in cli.EXIT_CODES
    assert "| 5 | output not writable" in (config.ROOT / "README.md").read_text()
    assert "5     output not writable" in runner.__doc__


# ---- leftovers of dead runs ---------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _build(root: Path, name: str, marker: dict | None) -> Path:
    d = root / name
    (d / "notebooks").mkdir(parents=True)
    (d / "notebooks" / "x.ipynb").write_text("{}")
    if marker is not None:
        (d / MARKER).write_text(json.dumps(marker))
    return d


def test_stale_builds_of_dead_runs_removed_only(tmp_path):
    host = socket.gethostname()
    dead = _dead_pid()
    gone = _build(tmp_path, f".x_2025q4.tmp-{dead}", {"pid": dead, "host": host})
    gone_old = _build(tmp_path, f".x_2025q4.old-{dead}", {"pid": dead, "host": host})
    live = _build(tmp_path, ".x_2025q4.tmp-1", {"pid": os.getppid(), "host": host})
    unmarked = _build(tmp_path, f".x_2025q4.tmp-{dead + 1}", None)
    other_host = _build(tmp_path, ".y.tmp-5", {"pid": dead, "host": host + "-other"})
    pack = _build(tmp_path, "x_2025q4", {"pid": dead, "host": host})
    removed = remove_stale_builds(tmp_path)
    assert sorted(removed) == sorted([gone, gone_old])
    assert not gone.exists() and not gone_old.exists()
    assert live.exists() and unmarked.exists() and other_host.exists() and pack.exists()


# ---- kill -9 ------------------------------------------------------------------------


def _children() -> dict[int, int]:
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                out[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return out


def _descendants(pid: int) -> set[int]:
    ppid = _children()
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for c, parent in ppid.items():
            if parent == p and c not in found:
                found.add(c)
                todo.append(c)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_sa_run_takes_its_workers_and_kernels_with_it(tmp_path, sample_store, good_pack):
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    _nb(root / "notebooks" / "slow.ipynb", "import time\ntime.sleep(300)")
    _nb(root / "notebooks" / "slow2.ipynb", "import time\ntime.sleep(300)")
    raw = shipped_params(sample_store)
    raw["data"] = {
        k: (str(config.resolve(v)) if isinstance(v, str) and k != "extract" else v)
        for k, v in raw["data"].items()
    }
    raw["data"]["store"] = str(sample_store)
    raw["themes"] = ["slow", "slow2"]
    p = write_yaml(tmp_path / "p.yaml", raw)
    before = digest(good_pack)
    env = {**os.environ, "SA_ROOT": str(root)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sa_lib.pack.cli",
            "run",
            "--quiet",
            "--out",
            str(good_pack),
            str(p),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[int] = set()
    try:
        deadline = time.time() + 90
        # Wait for two workers, each with its kernel (a grandchild).
        while time.time() < deadline:
            seen |= _descendants(proc.pid)
            grandchildren = {c for c in seen if _children().get(c) in seen}
            if len(grandchildren) >= 2:
                break
            time.sleep(0.3)
        assert len(seen) >= 4, f"workers and kernels did not start: {seen}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 30
        while any(_alive(c) for c in seen) and time.time() < deadline:
            time.sleep(0.3)
        left = [c for c in seen if _alive(c)]
        assert not left, f"processes outlived kill -9 of sa run: {left}"
    finally:
        for c in seen:
            try:
                os.kill(c, signal.SIGKILL)
            except OSError:
                pass
    # The dead run left its build; the next start removes it (and nothing else).
    stale = list(good_pack.glob(".*tmp*"))
    assert stale and all((s / MARKER).is_file() for s in stale)
    assert remove_stale_builds(good_pack) == stale
    assert digest(good_pack) == before


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_mid_build_ends_the_kernels_and_keeps_the_last_good_pack(
    tmp_path, sample_store, monkeypatch
):
    """SIGTERM (systemd stop, a CI timeout) of `sa run` when one theme is done and the
    other's cell is inside a long C call: `sa run` ends every worker and kernel it started
    (none left behind, where a kernel in a long computation would spin at 98% CPU),
    removes its build at once and exits 130; the last good pack, published by the runner,
    is unchanged."""
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    _nb(root / "notebooks" / "quick.ipynb", "print('fine')")
    # One C-level call that never returns to the interpreter and holds the GIL: no signal
    # handler or parent-watching thread of the kernel runs until it ends. pause() through
    # ctypes.PyDLL (which keeps the GIL) waits so without burning a core as a long
    # computation (sum(range(10**14))) would; such a kernel outlives its worker unless
    # `sa run` ends it (checked: alive 5 s after its parent's kill -9).
    _nb(root / "notebooks" / "busy.ipynb", "import ctypes\nctypes.PyDLL(None).pause()")
    raw = shipped_params(sample_store)
    raw["data"] = {
        k: (str(config.resolve(v)) if isinstance(v, str) and k != "extract" else v)
        for k, v in raw["data"].items()
    }
    raw["data"]["store"] = str(sample_store)
    out = tmp_path / "outputs"
    # The last good pack: the quick theme, published by the runner (in this process, its
    # warm kernel, on the same notebooks).
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", root / "notebooks")
    good = write_yaml(tmp_path / "good.yaml", changed(raw, themes=["quick"]))
    first = run_pack(good, out_root=out, progress=False, inline=True)
    assert first.ok and first.out_dir == out / "huntingdonshire_2025q4"
    good_pack = first.out_dir
    p = write_yaml(tmp_path / "p.yaml", changed(raw, themes=["quick", "busy"]))
    before = digest(good_pack)
    env = {**os.environ, "SA_ROOT": str(root)}
    cmd = [sys.executable, "-m", "sa_lib.pack.cli", "run", "--quiet", "--out", str(out)]
    proc = subprocess.Popen([*cmd, str(p)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen: set[int] = set()
    try:
        deadline = time.time() + 90
        # Two workers, each with its kernel: the quick theme's (done, kept warm) and the
        # busy one's (in the long cell).
        while time.time() < deadline:
            seen |= _descendants(proc.pid)
            if len({c for c in seen if _children().get(c) in seen}) >= 2:
                break
            time.sleep(0.3)
        assert len(seen) >= 4, f"workers and kernels did not start: {seen}"
        time.sleep(2)  # the cells are running
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err.decode()[-2000:]
        assert "last good pack is unchanged" in err.decode()
        deadline = time.time() + 20
        while any(_alive(c) for c in seen) and time.time() < deadline:
            time.sleep(0.3)
        left = [c for c in seen if _alive(c)]
        assert not left, f"processes outlived SIGTERM of sa run: {left}"
    finally:
        for c in seen:
            try:
                os.kill(c, signal.SIGKILL)
            except OSError:
                pass
        if proc.poll() is None:
            proc.kill()
    assert not list(out.glob(".*tmp*")), "the build is removed at once, not at the next run"
    assert digest(good_pack) == before
