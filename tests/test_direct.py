"""Packs without a kernel (issue 24): the same pages, CSVs, workbook and manifest as with one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from golden import compare, snapshot

from sa_lib import config
from sa_lib.pack.direct import shown_sections, theme_module

#: Run-to-run noise in a page: cell ids, the day and time it was made, run times.
_NOISE = [
    (re.compile(r'\sid="cell-id=[^"]*"'), ""),
    (re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4} \d{2}:\d{2}"), "<when>"),
    (re.compile(r'<td class="num">\d+\.\d s</td>'), '<td class="num"><seconds></td>'),
    (re.compile(r"<code>[0-9a-f]{7,40}(-dirty)?</code>"), "<code><commit></code>"),
]

#: Manifest keys of each theme that are timings or say how the theme ran.
_RUN_KEYS = {
    "seconds",
    "wall_seconds",
    "compute_seconds",
    "setup_seconds",
    "export_seconds",
    "overhead_seconds",
    "warm_kernel",
    "build_cpu_seconds",
    "render_cpu_seconds",
    "export_cpu_seconds",
}


def _page(path) -> str:
    text = path.read_text(encoding="utf-8")
    for pattern, repl in _NOISE:
        text = pattern.sub(repl, text)
    return text


def _manifest(pack) -> dict:
    doc = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    for k in ("started", "finished", "git_commit"):
        doc.pop(k)
    doc["themes"] = [{k: v for k, v in t.items() if k not in _RUN_KEYS} for t in doc["themes"]]
    return doc


def _workbook(path) -> dict:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


@pytest.mark.parametrize(
    "nb_path", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.stem
)
def test_every_notebook_is_a_build_and_one_show_per_code_cell(nb_path):
    """What the kernel-free path relies on: a set-up cell calling build, then only show calls."""
    nb = nbformat.read(nb_path, as_version=4)
    import importlib

    module = importlib.import_module(f"sa_lib.themes.{theme_module(nb)}")
    assert callable(module.build)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for cell in code[1:]:
        lines = [ln for ln in cell.source.splitlines() if ln.strip()]
        shows = [ln for ln in lines if ln.startswith("render.show(")]
        assert len(shows) == len(shown_sections(cell.source)) >= 1, cell.source
    # Every other line of a code cell is set-up or publishing, which the direct path does too.
    rest = {
        ln.split("(")[0].split(" = ")[0]
        for c in code[2:]
        for ln in c.source.splitlines()
        if ln.strip() and not ln.startswith("render.show(")
    }
    assert rest <= {"render.publish"}, rest


def test_theme_module_names_a_missing_build():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(ValueError, match="build"):
        theme_module(nb)


@pytest.mark.e2e
def test_the_pack_without_a_kernel_is_the_same_pack(pack, direct_pack):
    """``notebooks=False`` publishes the kernel's pages, tables, workbook and manifest."""
    res, themes = pack
    assert res.ok
    direct, _ = direct_pack  # conftest.py: the same parameters, built without a kernel
    assert direct.ok, [(t["theme"], t.get("error_summary")) for t in direct.themes]
    a, b = res.out_dir, direct.out_dir
    assert compare(snapshot(a), snapshot(b)) == []
    pages = sorted(p.name for p in a.glob("*.html"))
    assert pages == sorted(p.name for p in b.glob("*.html"))
    # the themes, the index (the front page), the glossary and the board paper
    assert len(pages) == len(themes) + 3
    for name in pages:
        assert _page(a / name) == _page(b / name), name
    assert sorted(p.name for p in (a / "data").iterdir()) == sorted(
        p.name for p in (b / "data").iterdir()
    )
    for csv in (a / "data").glob("*.csv"):
        assert csv.read_bytes() == (b / "data" / csv.name).read_bytes(), csv.name
    assert _workbook(a / "tables.xlsx") == _workbook(b / "tables.xlsx")
    # The same parameters, each pack's own copy of them (the fixtures build in two folders).
    ma, mb = _manifest(a), _manifest(b)
    pa, pb = Path(ma.pop("parameters_file")), Path(mb.pop("parameters_file"))
    assert pa != pb and pa.read_bytes() == pb.read_bytes()
    assert ma == mb
    # No executed notebooks without a kernel: analysts ask for them (--notebooks).
    assert list((b / "notebooks").glob("*.ipynb")) == []
    assert len(list((a / "notebooks").glob("*.ipynb"))) == len(themes)
    assert all(t["warm_kernel"] is None and t["build_cpu_seconds"] > 0 for t in direct.themes)


def test_a_failed_build_without_a_kernel_is_reported_not_raised(sample_store, tmp_path):
    """A theme whose build raises fails alone, with a summary naming the theme and the error."""
    from sa_lib.pack.direct import execute_theme_direct

    params = tmp_path / "params.yaml"
    import yaml

    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["data"]["store"] = str(tmp_path / "no_store")
    params.write_text(yaml.safe_dump(p))
    res = execute_theme_direct(
        "overview", str(params), str(config.NOTEBOOKS_DIR / "overview.ipynb"), None, None
    )
    assert res["status"] == "failed"
    assert res["error_summary"].startswith("overview build(): ")
    assert "Traceback" in res["traceback"] and "open_context" in res["traceback"]


def test_the_command_line_chooses_the_path(monkeypatch):
    """``sa run-all`` builds without a kernel unless ``--notebooks``; ``sa run`` with a kernel
    unless ``--no-notebooks``."""
    from sa_lib.pack import cli, fanout, runner

    seen = {}

    def fake_run_pack(params, **kw):
        seen["run"] = kw["notebooks"]
        raise KeyboardInterrupt

    def fake_run_all(template, period, **kw):
        seen["run-all"] = kw["notebooks"]
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_pack", fake_run_pack)
    monkeypatch.setattr(fanout, "run_all", fake_run_all)
    for argv, key, expected in [
        (["run", "p.yaml"], "run", True),
        (["run", "p.yaml", "--no-notebooks"], "run", False),
        (["run-all", "t.yaml"], "run-all", False),
        (["run-all", "t.yaml", "--notebooks"], "run-all", True),
    ]:
        assert cli.main(argv) == 130
        assert seen.pop(key) is expected, argv
