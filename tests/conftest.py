"""Shared test fixtures: the shipped sample, ingested once per session into a temp store."""

from __future__ import annotations

import gc

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from shared_cluster import (  # noqa: E402
    SharedCluster,
    last_user,
    preloaded_workers,
    run_together,
    stop_worker_server,
)

from sa_lib import config  # noqa: E402
from sa_lib.collector import BUILD_THRESHOLDS  # noqa: E402

# This process builds themes and packs for most of the run (as a worker does): it runs
# with a build's collector thresholds throughout (sa_lib.collector).
gc.set_threshold(*BUILD_THRESHOLDS)


def pytest_collection_finish(session):
    """What is alive once the tests are collected (the imported libraries, every test
    module) lives until the end: a full collection need not walk it again each time."""
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The shipped sample police.uk data ingested into a temporary Parquet store."""
    from sa_lib.data.ingest import ingest

    store = tmp_path_factory.mktemp("store")
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    return store


@pytest.fixture(scope="session")
def pack(tmp_path_factory, sample_store):
    """The whole sample pack (every notebook a theme), built once per session.

    Each theme runs in a kernel, as ``sa run`` runs it, from this process (``inline``:
    its warm kernel, no Dask cluster whose workers would each import the library; `sa
    run` on a cluster is tested in test_e2e.py and tests/hostile/test_runner.py).

    Returns ``(RunResult, themes)``. Shared by test_e2e.py and the golden test
    (test_golden_pack.py); tests must only read it.
    """
    from golden import build_sample_pack

    return build_sample_pack(sample_store, tmp_path_factory.mktemp("e2e"), inline=True)


@pytest.fixture(scope="session")
def direct_pack(tmp_path_factory, sample_store):
    """The sample pack built without a kernel, once per session, and each theme's result.

    Built as ``sa run --no-notebooks`` builds it (every theme in this process, one after
    another inside the per-pack memo) from the same parameters as ``pack``. Returns
    ``(RunResult, {theme: ThemeResult})``: the result each theme's ``build`` returned,
    copied before the page was rendered from it. Tests must only read it.
    """
    import copy

    from golden import build_sample_pack

    from sa_lib.pack import direct

    built: dict = {}
    real = direct.build_notebook

    def keeping(src, params_path, theme, results_dir, steps=None):
        nb, result = real(src, params_path, theme, results_dir, steps)
        built[theme] = copy.deepcopy(result)
        return nb, result

    direct.build_notebook = keeping
    try:
        res, _ = build_sample_pack(
            sample_store, tmp_path_factory.mktemp("direct"), notebooks=False, inline=True
        )
    finally:
        direct.build_notebook = real
    assert res.ok, [(t["theme"], t.get("error_summary")) for t in res.themes]
    return res, built


@pytest.fixture(scope="session")
def sample_theme(direct_pack):
    """``sample_theme(theme)``: the ThemeResult of ``theme`` on the shipped parameters (on
    the session's sample store), as the kernel-free sample pack (``direct_pack``) built it.

    Each call returns a deep copy, so a test that changes its result changes no other
    test's. The themes were built inside one per-pack memo, as `sa run-all` and
    ``sa run --no-notebooks`` build them: a measure two themes share is computed once
    (tests/test_direct.py shows that pack equals the kernel pack, where each theme runs
    in its own kernel).
    """
    import copy

    _, built = direct_pack

    def get(theme: str):
        return copy.deepcopy(built[theme])

    return get


@pytest.fixture(scope="session")
def essex_stores(tmp_path_factory):
    """One store per Essex shape (tests/shapes.py ``ESSEX_SHAPES``; ingest takes well
    under a second each): ``{shape: (root, store)}``."""
    import shapes

    out = {}
    for name, months in shapes.ESSEX_SHAPES.items():
        root = tmp_path_factory.mktemp(f"essex_{name}")
        out[name] = (root, shapes.make_store(root, shapes.essex_months(*months)))
    return out


@pytest.fixture(scope="session")
def essex_cell(essex_stores, tmp_path_factory):
    """``essex_cell(shape, period)``: ``{theme: (outcome, result or message)}`` for every
    public theme of one cell of the Essex shape matrix (test_data_shapes.py), built once
    per session for the default Essex CSP and read by every test of that cell (tests
    must only read it).

    The themes of a cell are built as `sa run-all` builds a pack: one after another in
    this process, inside the per-pack memo, charts laid out but not painted
    (shapes.pack_without_pixels); a refusal of `sa check` stops the cell, as it stops
    every theme of the file.
    """
    import shapes

    built: dict = {}

    def get(shape: str, period: str) -> dict:
        if (shape, period) not in built:
            _, store = essex_stores[shape]
            root = tmp_path_factory.mktemp("cell")
            path = shapes.essex_params(root, store, period, shapes.PUBLIC_THEMES)
            built[(shape, period)] = shapes.build_cell(path, shapes.PUBLIC_THEMES)
        return built[(shape, period)]

    return get


@pytest.fixture(scope="session")
def sample_cell(sample_store, tmp_path_factory):
    """``sample_cell(period)``: ``{theme: (outcome, result or message)}`` for every theme
    of the shipped parameters with ``period`` on the session's sample store (a cell of the
    sample shape matrix, test_data_shapes.py), built once per session and read by every
    test of that period (tests must only read it).

    Built as ``essex_cell`` builds a cell: one pack in this process, its memo, charts
    laid out but not painted; a refusal of `sa check` stops the cell.
    """
    import shapes

    built: dict = {}

    def get(period: str) -> dict:
        if period not in built:
            root = tmp_path_factory.mktemp("sample_cell")
            path = shapes.sample_params(root, sample_store, period)
            built[period] = shapes.build_cell(path, shapes.BUILDERS)
        return built[period]

    return get


# Local Dask workers started by this process are forked from a server that has imported
# the library (tests/shared_cluster.py); `sa run` as a command spawns its own, as a user's.
preloaded_workers()

#: The session's local Dask cluster (tests/shared_cluster.py): started by the first test
#: that asks for it, closed after the last.
_CLUSTER = SharedCluster()


@pytest.fixture
def dask_cluster():
    """A Client of one local Dask cluster (two single-threaded worker processes) shared by
    the tests that fan packs out to a scheduler (``--scheduler``): each worker imports the
    library once per session, not once per test file. Those tests' modules run one after
    another and the cluster is closed after the last of them (tests/shared_cluster.py),
    so it does not idle through the rest of the run. A test may kill a worker (its
    nanny starts another). ``sa run``'s and ``sa run-all``'s own local clusters are tested
    in test_data_shapes.py, test_e2e.py and tests/hostile/."""
    return _CLUSTER.client()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        if item.nodeid == _CLUSTER.last_nodeid:
            _CLUSTER.close()


def pytest_sessionfinish(session):
    _CLUSTER.close()
    stop_worker_server()


#: Fixtures that are, or read, a whole built pack (or every theme of one): their tests are
#: e2e (not in test-fast).
PACK_FIXTURES = frozenset(
    {"pack", "pack_dir", "cse_html", "sample_theme", "direct_pack", "sample_cell", "essex_cell"}
)
#: Test modules whose tests start notebook kernels or a Dask cluster (seconds each).
KERNEL_MODULES = frozenset(
    {
        "test_executor.py",
        "test_fanout.py",
        "test_notebooks.py",
        "test_papermill_compat.py",
        "test_any_csp.py",
        "test_mixed_store.py",
        "test_other_csp.py",
        "hostile/test_runner.py",
    }
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests `make test-fast` leaves out: those on a whole pack (``e2e``) and those
    that start kernels or a cluster (``slow``). `make test` runs them all. The modules on
    the session's Dask cluster run one after another (tests/shared_cluster.py)."""
    items[:] = run_together(items, "dask_cluster")
    last = last_user(items, "dask_cluster")
    _CLUSTER.last_nodeid = last.nodeid if last is not None else None
    for item in items:
        if PACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
        path = item.path.as_posix()
        if any(path.endswith("tests/" + m) for m in KERNEL_MODULES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _no_pixels(request):
    """Tests marked ``no_pixels`` read results (tables, findings, alt text), never a picture:
    their charts are made and laid out but not painted (tests/shapes.py ``no_pixels``)."""
    if request.node.get_closest_marker("no_pixels") is None:
        yield
        return
    import shapes

    with shapes.no_pixels():
        yield


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


# Hand-checkable CSE ward indicators, shared by test_cse_report.py and test_cse_charts.py.
@pytest.fixture
def wards() -> pd.DataFrame:
    return pd.DataFrame({"ward_code": ["W1", "W2", "W3"], "ward_name": ["Ash", "Birch", "Cedar"]})


@pytest.fixture
def ind() -> pd.DataFrame:
    # Hand-checkable: 500 / 1,000 / 2,000 children; cse_crimes 2, 4, 4 ->
    # rates 4, 4, 2 per 1,000; HMOs 10, 20, 60 over 1,000 / 2,000 / 3,000 residents -> 10 each.
    return pd.DataFrame(
        {
            "ward_code": ["W2", "W1", "W3"],
            "ward_name": ["b", "a", "c"],
            "population": [2000, 1000, 3000],
            "population_0_15": [1000, 500, 2000],
            "cse_crimes": [4, 2, 4],
            "hmo_count": [20, 10, 60],
            "imd_share_deciles_1_5": [0.5, 1.0, 0.0],
            "synthetic": [True, True, True],
        }
    )


def collect_blocks(fn, *args, **kwargs) -> list:
    """The result blocks that a display helper emits (see sa_lib.themes.results)."""
    from sa_lib.themes.results import ThemeResult

    r = ThemeResult(theme="test")
    with r.section("s"):
        fn(*args, **kwargs)
    return r.sections["s"]


def collect_html(fn, *args, **kwargs) -> list[str]:
    """The HTML of each block a display helper emits."""
    from sa_lib.themes.render import block_html

    return [block_html(b) for b in collect_blocks(fn, *args, **kwargs)]


def sample_ctx_without(tmp_path, theme: str, *keys: str, overrides: dict | None = None):
    """A context on the sample parameters with ``data.<key>`` removed, as a partner would
    leave it out (the parameters are frozen once loaded, so the file is rewritten)."""
    import yaml

    from sa_lib import config
    from sa_lib.pack.context import open_context

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    p = yaml.safe_load((config.ROOT / "parameters" / "huntingdonshire_2025q4.yaml").read_text())
    for key in keys:
        assert key in p["data"], key  # the branch is reached only if the sample sets it
        p["data"].pop(key)
        # A theme that cannot run without the input is refused by `sa check`: drop it.
        needs = {"extract": "domestic_abuse", "cse_indicators": "cse"}
        p["themes"] = [t for t in p["themes"] if t != needs.get(key)]
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return open_context(path, theme, overrides=overrides)


@pytest.fixture(autouse=True)
def _fresh_page_state():
    """Each test starts with no page marked synthetic (page state is per notebook)."""
    from sa_lib.themes import page

    page._PAGE.update(synthetic=False, extract_synthetic=False)
    yield
