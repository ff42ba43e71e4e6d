"""Shared test fixtures: the shipped sample, ingested once per session into a temp store."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from sa_lib import config  # noqa: E402


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory):
    """The shipped sample police.uk data ingested into a temporary Parquet store."""
    from sa_lib.data.ingest import ingest

    store = tmp_path_factory.mktemp("store")
    ingest([config.SAMPLE_DIR / "police_uk"], store)
    return store


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
