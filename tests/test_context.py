"""open_context: the CSP's geography and store slice are built once per process and CSP."""

from __future__ import annotations

import warnings

import yaml

from sa_lib import config
from sa_lib.choices import choices_table
from sa_lib.pack import context


def _params(tmp_path, store, **data):
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["data"]["store"] = str(store)
    p["data"].update(data)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def test_second_theme_reuses_the_slice_with_the_same_choices_and_copies(
    tmp_path, sample_store, monkeypatch
):
    context._SLICES.clear()
    calls = []
    real = context.build_geography
    monkeypatch.setattr(
        context, "build_geography", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    path = _params(tmp_path, sample_store)
    a = context.open_context(path, "overview")
    choices_a = choices_table()
    a.crimes["crime_type"] = "changed by a notebook"
    a.geo.lsoas["population"] = 0
    b = context.open_context(path, "hotspots")
    choices_b = choices_table()
    assert len(calls) == 1, "the geography is built once"
    assert choices_a.equals(choices_b), "Methods shows the same choices for every theme"
    assert "LSOA21 to ward lookup" in set(choices_b["choice"])
    assert (b.crimes["crime_type"] != "changed by a notebook").all(), "themes get copies"
    assert b.geo.population > 0
    assert b.theme == "hotspots" and len(b.crimes) == len(a.crimes) > 0


def test_a_changed_input_builds_a_new_slice(tmp_path, sample_store, monkeypatch):
    context._SLICES.clear()
    calls = []
    real = context.build_geography
    monkeypatch.setattr(
        context, "build_geography", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    context.open_context(_params(tmp_path, sample_store), "overview")
    context.open_context(_params(tmp_path, sample_store, deprivation=None), "overview")
    assert len(calls) == 2


def test_warnings_from_building_the_slice_are_raised_for_every_theme(
    tmp_path, sample_store, monkeypatch
):
    context._SLICES.clear()
    real = context.build_geography

    def noisy(*a, **k):
        warnings.warn("3 LSOA21(s) have no population", UserWarning, stacklevel=1)
        return real(*a, **k)

    monkeypatch.setattr(context, "build_geography", noisy)
    path = _params(tmp_path, sample_store)
    for theme in ("overview", "hotspots"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            context.open_context(path, theme)
        assert [str(w.message) for w in caught].count("3 LSOA21(s) have no population") == 1
