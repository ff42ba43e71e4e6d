import copy

import pytest
import yaml

from sa_lib import config
from sa_lib.data.geography import available_lads
from sa_lib.data.ingest import ingest
from sa_lib.pack.params import (
    SCHEMA,
    ParameterError,
    load_params,
    period_coverage,
    theme_disclosure,
    validate_params,
)

SHIPPED = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"
SAMPLE = config.SAMPLE_DIR

BASE = {
    "csp": {"name": "Test Town", "lad_codes": ["E07000011"]},
    "period": "2025-Q4",
    "themes": ["overview"],
    "data": {
        "boundaries": str(SAMPLE / "boundaries"),
        "population": str(SAMPLE / "population" / "census2021_lsoa21_age_bands.csv.gz"),
        "annotations": str(config.CONFIG_DIR / "recording_changes.csv"),
    },
}


def write_params(tmp_path, raw, name="p.yaml"):
    f = tmp_path / name
    f.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw), encoding="utf-8")
    return f


def with_change(**changes):
    """A copy of BASE with dotted keys set (value None deletes the key)."""
    raw = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        d = raw
        for k in parents:
            d = d.setdefault(k, {})
        if value is None:
            d.pop(last, None)
        else:
            d[last] = value
    return raw


def problems_of(tmp_path, raw, check_store=False):
    with pytest.raises(ParameterError) as ei:
        load_params(write_params(tmp_path, raw), check_store=check_store)
    return ei.value


# ---- valid files ----------------------------------------------------------------


def test_shipped_parameters_validate():
    p = load_params(SHIPPED, check_store=False)
    assert p.csp.lad_codes == ["E07000011"]
    assert p.period == "2025-Q4"
    assert p.statistics.alpha == 0.05
    assert p.disclosure.threshold == 10


def test_defaults_filled(tmp_path):
    p = load_params(write_params(tmp_path, BASE), check_store=False)
    assert p.title == "Test Town Community Safety Partnership"
    assert p.csp.slug == "test_town"
    assert p.statistics.correction == "fdr_bh"
    assert p.statistics.rate_per == 1000
    assert p.disclosure.to_dict() == {
        "threshold": 10,
        "secondary": True,
        "suppress_zero": False,
        "published_counts": "show",
    }
    assert p.overview.top_wards == 10
    assert p.data.store == "data/processed"
    assert p.targets == []


def test_integer_period_and_int_alpha_accepted(tmp_path):
    p = load_params(
        write_params(tmp_path, with_change(period=2025, statistics__conf_level=0.9)),
        check_store=False,
    )
    assert p.period == "2025"


# ---- one broken fixture per error ---------------------------------------------------


def test_unknown_top_level_key_lists_valid_keys(tmp_path):
    e = problems_of(tmp_path, with_change(colour="red"))
    assert len(e.problems) == 1
    msg = e.problems[0]
    assert "unknown key 'colour'" in msg
    assert "Valid keys: " + ", ".join(SCHEMA) in msg


def test_unknown_nested_key_suggests(tmp_path):
    e = problems_of(tmp_path, with_change(statistics__alpah=0.05))
    (msg,) = e.problems
    assert "'statistics.alpah'" in msg
    assert "Did you mean 'alpha'?" in msg
    assert "conf_level" in msg  # the valid keys of that section


def test_wrong_type(tmp_path):
    e = problems_of(tmp_path, with_change(statistics__seed="abc"))
    assert e.problems == [
        "statistics.seed must be a whole number, got 'abc'. Fix: give statistics.seed as a "
        "whole number (see docs/parameters.md)."
    ]


def test_bool_is_not_a_number(tmp_path):
    e = problems_of(tmp_path, with_change(disclosure__threshold=True))
    assert e.problems == [
        "disclosure.threshold must be a whole number, got True. Fix: give disclosure.threshold "
        "as a whole number (see docs/parameters.md)."
    ]


def test_bad_choice(tmp_path):
    e = problems_of(tmp_path, with_change(statistics__correction="holm"))
    (msg,) = e.problems
    assert "statistics.correction='holm' is not valid" in msg
    assert "'none', 'fdr_bh', 'bonferroni'" in msg


def test_bad_period_lists_forms(tmp_path):
    e = problems_of(tmp_path, with_change(period="2025-Q5"))
    (msg,) = e.problems
    assert "'2025-Q5'" in msg
    assert "Valid forms" in msg and "FY2025/26" in msg


def test_bad_financial_year(tmp_path):
    e = problems_of(tmp_path, with_change(period="FY2025/27"))
    (msg,) = e.problems
    assert "followed by 26, not 27" in msg
    assert "FY2025/26" in msg


def test_unknown_theme_lists_themes(tmp_path):
    e = problems_of(tmp_path, with_change(themes=["overview", "no_such_theme"]))
    (msg,) = e.problems
    assert "theme 'no_such_theme' has no notebook notebooks/no_such_theme.ipynb" in msg
    themes = sorted(f.stem for f in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    assert "overview" in themes
    assert "Valid themes: " + ", ".join(themes) + "." in msg


def test_empty_and_duplicate_themes(tmp_path):
    assert "themes is empty" in problems_of(tmp_path, with_change(themes=[])).problems[0]
    e = problems_of(tmp_path, with_change(themes=["overview", "overview"]))
    assert e.problems == ["themes lists a theme twice; list each once."]


def test_missing_file(tmp_path):
    e = problems_of(tmp_path, with_change(data__population=str(tmp_path / "nope.csv")))
    (msg,) = e.problems
    assert msg.startswith("data.population: file or folder not found")
    assert str(tmp_path / "nope.csv") in msg


def test_unknown_lad_code_lists_available(tmp_path):
    e = problems_of(tmp_path, with_change(csp__lad_codes=["E07000999"]))
    (msg,) = e.problems
    assert "unknown LAD code 'E07000999'" in msg
    have = available_lads(SAMPLE / "boundaries")
    assert "E07000011" in have
    assert "Valid codes there: " + ", ".join(have) + "." in msg


def test_bad_peer_code(tmp_path):
    e = problems_of(tmp_path, with_change(comparison__peers=["Fenland"]))
    assert e.problems == ["comparison.peers: 'Fenland' is not a LAD code (like E07000011)."]


@pytest.mark.parametrize("alpha", [1.5, 0, 1])
def test_alpha_out_of_range(tmp_path, alpha):
    e = problems_of(tmp_path, with_change(statistics__alpha=alpha))
    (msg,) = e.problems
    assert f"statistics.alpha={alpha!r} must be strictly between 0 and 1" in msg


def test_threshold_below_one(tmp_path):
    e = problems_of(tmp_path, with_change(disclosure__threshold=0))
    assert len(e.problems) == 1
    assert e.problems[0].startswith("disclosure.threshold=0 is out of range: it must be between 1")


def test_theme_threshold_below_one(tmp_path):
    e = problems_of(tmp_path, with_change(overview={"disclosure": {"threshold": 0}}))
    assert len(e.problems) == 1
    assert e.problems[0].startswith("overview.disclosure.threshold=0 is out of range")


def test_missing_required_key(tmp_path):
    e = problems_of(tmp_path, with_change(period=None))
    (msg,) = e.problems
    assert msg.startswith("missing required key 'period'")
    assert "2025-Q4" in msg  # the help lists the forms


def test_missing_required_nested_key(tmp_path):
    e = problems_of(tmp_path, with_change(csp__name=None))
    assert e.problems[0].startswith("missing required key 'csp.name'")


def test_baseline_after_period(tmp_path):
    e = problems_of(tmp_path, with_change(baseline_year=2026))
    assert "baseline_year=2026 is after the period Q4 2025" in e.problems[0]


def test_bad_target(tmp_path):
    e = problems_of(tmp_path, with_change(targets=[{"crime_type": "Robbery"}]))
    assert e.problems[0].startswith("targets[0] must have exactly the keys")


def test_empty_yaml(tmp_path):
    e = problems_of(tmp_path, "# nothing here\n")
    assert e.problems == ["the file is empty."]


def test_invalid_yaml(tmp_path):
    e = problems_of(tmp_path, "period: [2025-Q4\nthemes: overview\n")
    assert "not valid YAML" in e.problems[0] and "line 2" in e.problems[0]
    assert "p.yaml" in str(e)


def test_yaml_not_a_mapping(tmp_path):
    e = problems_of(tmp_path, "- period\n- themes\n")
    assert e.problems == ["the file must be a mapping of keys, got list."]


def test_missing_parameters_file(tmp_path):
    with pytest.raises(ParameterError) as ei:
        load_params(tmp_path / "nope.yaml")
    (msg,) = ei.value.problems
    assert msg.startswith("file not found")
    assert "huntingdonshire_2025q4.yaml" in msg
    assert str(tmp_path / "nope.yaml") in str(ei.value)


def test_all_problems_reported_at_once(tmp_path):
    raw = with_change(
        colour="red",
        period="2025-Q9",
        themes=["no_such_theme"],
        statistics__alpha=2.0,
        disclosure__threshold=0,
        csp__lad_codes=["E07000999"],
    )
    e = problems_of(tmp_path, raw)
    assert len(e.problems) == 6
    text = str(e)
    assert "6 problem(s)" in text
    for bit in [
        "'colour'",
        "'2025-Q9'",
        "'no_such_theme'",
        "statistics.alpha",
        "threshold",
        "E07000999",
    ]:
        assert bit in text, bit


def test_validate_params_directly():
    p = validate_params(copy.deepcopy(BASE), check_store=False)
    assert p.csp.slug == "test_town"
    with pytest.raises(ParameterError, match="<parameters>"):
        validate_params({"period": "2025-Q4"}, check_store=False)


# ---- the store check -----------------------------------------------------------


HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


def tiny_store(tmp_path, months, force="cambridgeshire"):
    src = tmp_path / f"in-{force}"
    for m in months:
        f = src / m / f"{m}-{force}-street.csv"
        f.parent.mkdir(parents=True)
        f.write_text(f"{HEADER}\nx,{m},P,P,-0.18,52.33,A,E01018200,H 010A,Burglary,,\n")
    store = tmp_path / "store"
    ingest([src], store)
    return store


def test_store_check_period_outside_store(tmp_path):
    store = tiny_store(tmp_path, ["2025-09", "2025-10", "2025-11"])
    e = problems_of(tmp_path, with_change(data__store=str(store)), check_store=True)
    (msg,) = e.problems
    assert "period 2025-Q4 needs months 2025-12" in msg
    assert "the cambridgeshire force's data" in msg
    assert "It holds 2025-09 to 2025-11" in msg


def test_store_check_uses_the_csps_own_force(tmp_path):
    # Another force holding 2025-12 does not make the period available to Huntingdonshire.
    tiny_store(tmp_path, ["2025-12"], force="essex")
    store = tiny_store(tmp_path, ["2025-10", "2025-11"])
    e = problems_of(tmp_path, with_change(data__store=str(store)), check_store=True)
    (msg,) = e.problems
    assert "needs months 2025-12" in msg and "It holds 2025-10 to 2025-11" in msg


def test_store_check_missing_comparison_is_a_warning(tmp_path):
    store = tiny_store(tmp_path, ["2025-07", "2025-10", "2025-11", "2025-12"])
    params = with_change(data__store=str(store), baseline_year=2024)
    p = load_params(write_params(tmp_path, params))
    cov = period_coverage(p)
    assert cov["problem"] is None
    assert set(cov["missing"]) >= {"previous", "last_year", "baseline"}
    assert cov["missing"]["previous"] == ["2025-08", "2025-09"]
    assert any(w.startswith("baseline (2024) is not available") for w in cov["warnings"])


def test_store_check_passes(tmp_path):
    store = tiny_store(tmp_path, ["2025-10", "2025-11", "2025-12"])
    p = load_params(write_params(tmp_path, with_change(data__store=str(store))))
    assert p.data.store == str(store)


def test_store_check_empty_store(tmp_path):
    e = problems_of(tmp_path, with_change(data__store=str(tmp_path / "empty")), check_store=True)
    (msg,) = e.problems
    assert "holds no police.uk street data" in msg and "sa ingest" in msg


# ---- theme_disclosure ---------------------------------------------------------------


def test_theme_disclosure_defaults_and_override(tmp_path):
    raw = with_change(
        disclosure={"threshold": 10, "secondary": True},
        overview={"disclosure": {"threshold": 5, "secondary": False}},
    )
    p = load_params(write_params(tmp_path, raw), check_store=False)
    assert theme_disclosure(p, "overview") == {
        "threshold": 5,
        "secondary": False,
        "suppress_zero": False,
        "published_counts": "show",
    }
    # A theme with no section gets the defaults.
    assert theme_disclosure(p, "hotspots") == p.disclosure.to_dict()


@pytest.mark.parametrize("theme", ["domestic_abuse", "cse"])
def test_sensitive_themes_force_secondary(theme):
    params = {
        "disclosure": {"threshold": 10, "secondary": False, "suppress_zero": False},
        theme: {"disclosure": {"threshold": 3, "secondary": False}},
    }
    out = theme_disclosure(params, theme)
    assert out["secondary"] is True
    assert out["threshold"] == 10  # never lower than the default's
    # A stricter theme threshold is kept.
    params[theme]["disclosure"]["threshold"] = 20
    assert theme_disclosure(params, theme)["threshold"] == 20
    # Without any theme section, still secondary.
    assert theme_disclosure({"disclosure": params["disclosure"]}, theme)["secondary"] is True


def test_theme_setting_equal_to_default_still_overrides(tmp_path):
    # Global: threshold 20, no secondary suppression; the theme explicitly asks for the
    # library defaults (10, secondary on). Its own settings must win.
    raw = with_change(
        disclosure={"threshold": 20, "secondary": False},
        overview={"disclosure": {"threshold": 10, "secondary": True}},
    )
    p = load_params(write_params(tmp_path, raw), check_store=False)
    assert theme_disclosure(p, "overview") == {
        "threshold": 10,
        "secondary": True,
        "suppress_zero": False,
        "published_counts": "show",
    }
    # With no theme section, the global settings apply (not the library defaults).
    p = load_params(
        write_params(tmp_path, with_change(disclosure={"threshold": 20})), check_store=False
    )
    assert theme_disclosure(p, "overview")["threshold"] == 20


def test_parameters_reference_is_current():
    from sa_lib.pack.params import schema_markdown

    doc = (config.ROOT / "docs" / "parameters.md").read_text()
    assert doc == schema_markdown(), "regenerate docs/parameters.md (see its first paragraph)"
    for key in ("`statistics.alpha`", "`data.extract`", "`cse.weights`", "`hotspots.cell_size`"):
        assert key in doc


@pytest.mark.parametrize("path", sorted(config.PARAMETERS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_parameters_file_validates(path):
    from sa_lib.pack.params import load_params

    p = load_params(path, check_store=False)
    assert p.themes and p.csp.lad_codes


@pytest.mark.parametrize("step", [-1, 13])
def test_emerging_time_step_out_of_range(tmp_path, step):
    e = problems_of(tmp_path, with_change(hotspots__emerging_time_step=step))
    (msg,) = e.problems
    assert f"hotspots.emerging_time_step={step!r} must be 0 (spatial only) to 12" in msg


def test_published_counts_policy():
    from sa_lib.pack.params import published_disclosure

    s = {"threshold": 10, "secondary": True, "suppress_zero": False, "published_counts": "show"}
    out = published_disclosure(s, "overview")
    assert out["published"] and out["threshold"] == 1 and out["secondary"] is False
    assert out["strict"] == {"threshold": 10, "secondary": True, "suppress_zero": False}
    # Sensitive themes and themes that use a force extract keep the strict rules.
    for theme in ("domestic_abuse", "cse", "violence"):
        assert published_disclosure(s, theme)["threshold"] == 10
        assert not published_disclosure(s, theme)["published"]
    # 'suppress' applies the threshold everywhere.
    assert (
        published_disclosure({**s, "published_counts": "suppress"}, "overview")["threshold"] == 10
    )


# ---- validated once per process (issue 24) ----------------------------------------


def test_a_file_is_validated_once_until_it_or_its_inputs_change(tmp_path, monkeypatch):
    """A run's themes and CSPs load the same file: it is read and validated once."""
    from sa_lib.pack import params as params_mod

    calls = []
    real = params_mod.validate_params
    monkeypatch.setattr(
        params_mod, "validate_params", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    f = write_params(tmp_path, BASE)
    first = load_params(f, check_store=False)
    assert load_params(f, check_store=False) is first and len(calls) == 1
    # Another override, or check_store, is another validation.
    load_params(f, check_store=False, overrides={"period": "2025-Q3"})
    assert len(calls) == 2
    # The file rewritten at once (same size, same coarse mtime) is read again.
    write_params(tmp_path, with_change(period="2025-Q3"))
    assert load_params(f, check_store=False).period == "2025-Q3" and len(calls) == 3
    # An input file that changes is validated again (it may have gone).
    ann = tmp_path / "ann.csv"
    ann.write_text((config.CONFIG_DIR / "recording_changes.csv").read_text())
    write_params(tmp_path, with_change(data__annotations=str(ann)))
    load_params(f, check_store=False)
    load_params(f, check_store=False)
    assert len(calls) == 4
    ann.unlink()
    with pytest.raises(ParameterError, match="annotations"):
        load_params(f, check_store=False)


def test_warnings_of_a_cached_validation_are_raised_again(tmp_path, monkeypatch):
    """Each page shows the notes its parameters raise, cached or not."""
    from sa_lib.pack import params as params_mod

    real = params_mod.validate_params

    def noisy(*a, **k):
        import warnings

        warnings.warn("a note for every page", UserWarning, stacklevel=1)
        return real(*a, **k)

    monkeypatch.setattr(params_mod, "validate_params", noisy)
    f = write_params(tmp_path, with_change(period="2025-Q2"))
    for _ in range(2):
        with pytest.warns(UserWarning, match="a note for every page"):
            load_params(f, check_store=False)
