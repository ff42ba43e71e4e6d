"""The assessment context: the CSP slice built once per process and CSP, overrides for
interactive runs, and read-only theme options."""

from __future__ import annotations

import warnings

import pytest
import yaml

from sa_lib import config
from sa_lib.choices import choices_table
from sa_lib.pack import context
from sa_lib.pack.context import ReadOnlyOptions, open_context
from sa_lib.pack.params import ParameterError, apply_overrides
from sa_lib.pack.params_themes import PlaceProfileOptions

SAMPLE_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"


def test_options_refuse_assignment_with_the_way_to_change_them():
    section = PlaceProfileOptions(area={"type": "ward", "value": "A"})
    o = ReadOnlyOptions(section, theme="place_profile")
    assert o.area["type"] == "ward"
    with pytest.raises(AttributeError, match="place_profile has no option 'missing'"):
        o.missing  # noqa: B018
    for change in (
        lambda: setattr(o, "area", "B"),
        lambda: o.__setitem__("area", "B"),
        lambda: delattr(o, "area"),
    ):
        with pytest.raises(TypeError, match=r"read-only.*overrides=\{\"place_profile\."):
            change()
    assert o.to_dict() == section.to_dict() and o.area == {"type": "ward", "value": "A"}


def test_apply_overrides_nests_dotted_keys_and_skips_none():
    raw = {"period": "2025-Q4", "place_profile": {"area": {"type": "ward", "value": "A"}}}
    out = apply_overrides(
        raw, {"place_profile.area": {"type": "ward", "value": "B"}, "period": None, "cse.top_n": 3}
    )
    assert out["place_profile"]["area"]["value"] == "B"
    assert out["period"] == "2025-Q4" and out["cse"] == {"top_n": 3}
    assert raw["place_profile"]["area"]["value"] == "A"  # input unchanged
    with pytest.raises(ValueError, match="not a section"):
        apply_overrides({"period": "2025-Q4"}, {"period.x": 1})


@pytest.fixture
def params_path(tmp_path, sample_store):
    p = yaml.safe_load(SAMPLE_PARAMS.read_text())
    p["data"]["store"] = str(sample_store)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


def test_open_context_with_overrides(params_path):
    ctx = open_context(
        params_path,
        "place_profile",
        overrides={"period": "2025-Q3", "place_profile.area": {"type": "ward", "value": "Ramsey"}},
    )
    assert ctx.period.label.startswith("Q3 2025")
    assert ctx.options.area == {"type": "ward", "value": "Ramsey"}
    assert ctx.options.area == ctx.params.place_profile.area
    with pytest.raises(TypeError, match="read-only"):
        ctx.options.area = {"type": "ward", "value": "Yaxley"}
    with pytest.raises(TypeError, match="read-only"):
        ctx.options = {}
    # Overrides are validated like the file.
    with pytest.raises(ParameterError):
        open_context(params_path, "hotspots", overrides={"hotspots.shape": "triangle"})


def _params(tmp_path, store, **data):
    p = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    p["data"]["store"] = str(store)
    p["data"].update(data)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return path


@pytest.fixture
def fresh_slices():
    """No slice or geography cached before the test, and none of its own left after it
    (a test that builds them with a stand-in build_geography must not leave that behind)."""
    context._SLICES.clear()
    context._GEOS.clear()
    yield
    context._SLICES.clear()
    context._GEOS.clear()


def test_second_theme_reuses_the_slice_with_the_same_choices_and_copies(
    tmp_path, sample_store, monkeypatch, fresh_slices
):
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


def test_a_changed_input_builds_a_new_slice(tmp_path, sample_store, monkeypatch, fresh_slices):
    calls = []
    real = context.build_geography
    monkeypatch.setattr(
        context, "build_geography", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    context.open_context(_params(tmp_path, sample_store), "overview")
    context.open_context(_params(tmp_path, sample_store, deprivation=None), "overview")
    assert len(calls) == 2


def test_warnings_from_building_the_slice_are_raised_for_every_theme(
    tmp_path, sample_store, monkeypatch, fresh_slices
):
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


def test_another_period_of_the_same_csp_reuses_its_geography(
    tmp_path, sample_store, monkeypatch, fresh_slices
):
    """The geography does not depend on the period: a pack of another period builds a new
    slice (its own months) on the geography already built, with the same Methods choices
    and warnings as if it had built it."""
    calls = []
    real = context.build_geography

    def noisy(*a, **k):
        calls.append(1)
        warnings.warn("3 LSOA21(s) have no population", UserWarning, stacklevel=1)
        return real(*a, **k)

    monkeypatch.setattr(context, "build_geography", noisy)
    path = _params(tmp_path, sample_store)
    seen = []
    for period in ("2025-Q4", "2025-Q3"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            ctx = context.open_context(path, "overview", overrides={"period": period})
        geo_choices = choices_table().query("choice == 'LSOA21 to ward lookup'")
        seen.append((ctx, geo_choices, [str(w.message) for w in caught]))
    (q4, q4_choices, q4_warned), (q3, q3_choices, q3_warned) = seen
    assert len(calls) == 1, "the geography is built once"
    assert q4.period.label != q3.period.label and q3.crimes["month"].max() < "2025-10"
    assert q3_choices.equals(q4_choices) and len(q3_choices) == 1
    assert (
        q3_warned.count("3 LSOA21(s) have no population")
        == 1
        == q4_warned.count("3 LSOA21(s) have no population")
    )
    q4.geo.lsoas["population"] = 0  # a caller's copy
    again = context.open_context(path, "overview", overrides={"period": "2025-Q2"})
    assert again.geo.population > 0 and len(calls) == 1


def test_a_csp_with_no_rows_in_a_held_period_is_refused_not_shown_as_zeros():
    # The sample store holds Cambridgeshire's months but Huntingdonshire's rows only:
    # Cambridge built on it would publish every count as 0.
    with pytest.raises(ValueError, match=r"not one police\.uk row falls in Cambridge's LSOAs"):
        open_context(
            SAMPLE_PARAMS,
            "overview",
            overrides={
                "csp.name": "Cambridge",
                "csp.slug": "cambridge",
                "csp.lad_codes": ["E07000008"],
                "data.boundaries": "national",
                "data.population": "national",
                "data.deprivation": "national",
            },
        )


def test_the_extract_is_loaded_and_checked_once_per_file(tmp_path, monkeypatch):
    """Every theme of every CSP reads the extract: loaded and scanned once (issue 24); a
    refused extract is never kept, so it is refused again."""
    import shutil

    from sa_lib.data import extract as extract_mod
    from sa_lib.data.personal_data import PersonalDataError
    from sa_lib.pack.context import load_extract_once

    src = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"
    path = tmp_path / "extract.csv.gz"
    shutil.copy(src, path)
    calls = []
    real = extract_mod.load_extract

    def counted(p, **kw):
        calls.append(p)
        if len(calls) == 1:
            raise PersonalDataError("refused")
        return real(p, **kw)

    monkeypatch.setattr(extract_mod, "load_extract", counted)
    with pytest.raises(PersonalDataError):
        load_extract_once(path)
    a = load_extract_once(path)
    b = load_extract_once(path)
    assert len(calls) == 2 and a is not b and a.equals(b)
    a.loc[0, "month"] = "changed"  # a caller's change does not reach the next caller
    assert load_extract_once(path).equals(b) and len(calls) == 2
