"""The library's layers: each subpackage imports only from the layers below it.

The order is root (validation, config, choices, style, safe_lock, memo) < data < stats < spatial
< charts < themes < pack; see docs/ARCHITECTURE.md. No statistic or spatial method
loads matplotlib: drawing is the charts layer's job.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sa_lib"
ORDER = ["data", "stats", "spatial", "charts", "themes", "pack"]
ROOT_MODULES = {"validation", "config", "choices", "style", "safe_lock", "memo", "collector"}


def layer_of(module: str) -> int:
    """Rank of a dotted ``sa_lib`` module: -1 for a root module, else its layer's index."""
    parts = module.split(".")
    if parts[0] != "sa_lib" or len(parts) < 2:
        raise ValueError(f"not an sa_lib module: {module}")
    if parts[1] in ORDER:
        return ORDER.index(parts[1])
    return -1


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every ``sa_lib`` module a file imports, at any depth, with its line number."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "sa_lib":
                found += [(node.lineno, f"sa_lib.{a.name}") for a in node.names]
            elif node.module.startswith("sa_lib."):
                base = node.module
                found.append((node.lineno, base))
                if base.split(".")[1] in ORDER and len(base.split(".")) == 2:
                    found += [(node.lineno, f"{base}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("sa_lib.")]
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = sorted(SRC.rglob("*.py"))


def test_every_module_lives_in_a_layer_or_is_shared():
    stray = [
        module_name(p)
        for p in MODULES
        if p.parent == SRC and p.stem not in ROOT_MODULES | {"__init__"}
    ]
    assert stray == [], f"modules at the sa_lib root that belong in a layer: {stray}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_no_module_imports_from_a_layer_above(path):
    me = module_name(path)
    mine = layer_of(me) if me != "sa_lib" else -1
    upward = [
        f"line {line}: {target}"
        for line, target in imports_of(path)
        if target.split(".")[1:2] and layer_of(target) > mine
    ]
    assert upward == [], f"{me} imports from a higher layer: {upward}"


def test_the_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sa_lib.pack.runner import run_pack\n")
    assert imports_of(bad) == [(2, "sa_lib.pack.runner")]
    assert layer_of("sa_lib.pack.runner") > layer_of("sa_lib.data.store")
    assert layer_of("sa_lib.validation") == -1


def test_architecture_doc_names_every_module():
    doc = (SRC.parents[1] / "docs" / "ARCHITECTURE.md").read_text()
    missing = [
        module_name(p)
        for p in MODULES
        if p.stem != "__init__" and f"`{p.stem}`" not in doc and f"`{p.stem} " not in doc
    ]
    assert missing == [], f"docs/ARCHITECTURE.md does not list: {missing}"


def _loads_in_steps(steps: list[list[str]]) -> list[set[str]]:
    """The matplotlib modules one fresh interpreter holds after importing each step's
    ``modules`` in turn (cumulative: what the earlier steps loaded stays loaded)."""
    code = (
        "import importlib, sys\n"
        f"for step in {steps!r}:\n"
        "    for m in step:\n"
        "        importlib.import_module(m)\n"
        "    print(' '.join(k for k in sys.modules if k.split('.')[0] == 'matplotlib'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert len(lines) == len(steps), out.stdout
    return [set(line.split()) for line in lines]


def _layer_modules(layer: str) -> list[str]:
    return [module_name(p) for p in MODULES if p.relative_to(SRC).parts[0] == layer]


@pytest.fixture(scope="module")
def matplotlib_loaded() -> dict[str, set[str]]:
    """What one fresh interpreter holds of matplotlib after importing, in turn, the
    statistics and spatial layers, the shared style, and the charts layer.

    Nothing is unloaded between steps: the statistics and spatial layers load no
    matplotlib (asserted below), so the style is what loads it first; and importing the
    style first cannot stop a chart module from importing pyplot itself.
    """
    steps = {
        "stats+spatial": _layer_modules("stats") + _layer_modules("spatial"),
        "style": ["sa_lib.style"],
        "charts": _layer_modules("charts"),
    }
    return dict(zip(steps, _loads_in_steps(list(steps.values())), strict=True))


def test_statistics_and_spatial_methods_do_not_load_matplotlib(matplotlib_loaded):
    modules = _layer_modules("stats") + _layer_modules("spatial")
    assert "sa_lib.stats.spc" in modules and "sa_lib.spatial.hotspots" in modules
    assert matplotlib_loaded["stats+spatial"] == set()


def test_charts_load_pyplot_only_when_they_draw(matplotlib_loaded):
    assert "sa_lib.charts.png" in _layer_modules("charts")
    assert "matplotlib.pyplot" not in matplotlib_loaded["charts"]
    # The check sees a module that does load matplotlib (the shared style sets its rcParams).
    assert "matplotlib" in matplotlib_loaded["style"]


def test_pack_never_parses_rendered_tables_or_findings():
    """Downloads, headlines and the call-out come from results; only the disclosure scan
    (the last check) reads a page's HTML."""
    pack = SRC / "pack"
    offenders = []
    for path in sorted(pack.glob("*.py")):
        if path.name == "disclosure_scan.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("HTMLParser", 'class="sa-table"', 'class="sa-findings"', "BeautifulSoup"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert offenders == []
