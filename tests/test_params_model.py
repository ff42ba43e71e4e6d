"""The typed parameters (pydantic models): defaults, messages, paths, overrides, attribute reads."""

import copy
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sa_lib import config
from sa_lib.pack.context import ReadOnlyOptions
from sa_lib.pack.params import (
    ParameterError,
    load_params,
    period_coverage,
    schema_markdown,
    theme_disclosure,
    validate_params,
)
from sa_lib.pack.params_model import (
    THEME_MODELS,
    Comparison,
    Data,
    Disclosure,
    Document,
    Params,
    Run,
    Statistics,
)
from sa_lib.pack.params_themes import (
    CseOptions,
    DomesticAbuseOptions,
    HotspotsOptions,
    OutcomesOptions,
    OverviewOptions,
    PlaceProfileOptions,
    SummaryOptions,
    ThemeDisclosure,
    ViolenceOptions,
    WardsOptions,
)

SAMPLE = config.SAMPLE_DIR
POP_REL = "data/sample/population/census2021_lsoa21_age_bands.csv.gz"
BASE = {
    "csp": {"name": "Test Town", "lad_codes": ["E07000011"]},
    "period": "2025-Q4",
    "themes": ["overview"],
    "data": {
        "boundaries": str(SAMPLE / "boundaries"),
        "population": POP_REL,  # relative: resolved against the project root
        "annotations": str(config.CONFIG_DIR / "recording_changes.csv"),
    },
}


def changed(**changes):
    """A copy of BASE with ``a__b`` keys set."""
    raw = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = raw
        for k in parents:
            node = node.setdefault(k, {})
        node[last] = value
    return raw


def problems(raw) -> list[str]:
    with pytest.raises(ParameterError) as e:
        validate_params(raw, check_store=False)
    return e.value.problems


# ---- defaults, section by section ------------------------------------------------------


def test_section_defaults():
    assert Statistics().to_dict() == {
        "alpha": 0.05,
        "conf_level": 0.95,
        "correction": "fdr_bh",
        "seed": 20250401,
        "rate_per": 1000,
        "permutations": 999,
        "series_months": 24,
    }
    assert Disclosure().to_dict() == {
        "threshold": 10,
        "secondary": True,
        "suppress_zero": False,
        "published_counts": "show",
    }
    assert Document().status == "draft" and Document().distribution == []
    assert Comparison().wider_area_name == "force area"
    assert Comparison().funnel_overdispersion == "additive" and Comparison().peers == []
    assert (Run().kernel, Run().workers, Run().cell_timeout) == ("sa-workbench", 2, 600)
    d = Data()
    assert (d.store, d.boundaries, d.population) == ("data/processed", "national", "national")
    assert d.annotations == "config/recording_changes.csv" and d.extract is None


def test_theme_option_defaults():
    assert DomesticAbuseOptions().repeat_window_days == 365
    assert DomesticAbuseOptions().event_correction == "holm"
    cse = CseOptions()
    assert (cse.method, cse.missing, cse.top_n, cse.n_sims, cse.perturbation) == (
        "zscore",
        "reweight",
        5,
        1000,
        0.25,
    )
    assert cse.weights is None and cse.indicators is None
    assert ViolenceOptions().nte_distance_m == 100 and ViolenceOptions().cell_size is None
    assert OverviewOptions().top_wards == 10 and OverviewOptions().major_types is None
    h = HotspotsOptions()
    assert (h.shape, h.p_value, h.emerging_freq, h.min_count, h.emerging_time_step) == (
        "square",
        "analytical",
        "month",
        20,
        1,
    )
    assert h.change_from == "last_year" and h.cell_size is None and h.bandwidth is None
    assert PlaceProfileOptions().area is None
    assert (SummaryOptions().findings, SummaryOptions().min_flags) == (6, 2)
    assert (WardsOptions().min_count, WardsOptions().top_share) == (50, 0.2)
    assert OutcomesOptions().disclosure == ThemeDisclosure()
    # A theme's own disclosure keys are unset (None) until given: the run-wide ones apply.
    assert set(ThemeDisclosure().to_dict().values()) == {None}


def test_params_defaults_and_derived_keys():
    p = validate_params(copy.deepcopy(BASE), check_store=False)
    assert isinstance(p, Params)
    assert p.title == "Test Town Community Safety Partnership"
    assert p.csp.slug == "test_town"
    assert p.statistics == Statistics() and p.disclosure == Disclosure()
    assert p.targets == [] and p.priorities == []
    for theme, model in THEME_MODELS.items():
        assert getattr(p, theme) == model(), theme
    assert p.theme_options("hotspots") is p.hotspots
    assert p.theme_options("no_such_theme") is None


def test_integer_period_becomes_text():
    assert validate_params(changed(period=2025), check_store=False).period == "2025"


# ---- a bad value in each section: full key, value, what is valid ------------------------

BAD = [
    ({"csp__slug": "My CSP"}, "csp.slug='My CSP' is not valid: it must match"),
    ({"data__store": 5}, "data.store must be text, got 5."),
    ({"statistics__correction": "holm"}, "statistics.correction='holm' is not valid. Valid "),
    ({"statistics__seed": -1}, "statistics.seed=-1 is out of range: it must be between 0 and "),
    ({"disclosure__published_counts": "hide"}, "Valid choices: 'show', 'suppress'."),
    ({"document__status": "done"}, "document.status='done' is not valid. Valid choices: 'draft'"),
    ({"comparison__funnel_overdispersion": "x"}, "'none', 'multiplicative', 'additive'"),
    ({"run__workers": 0}, "run.workers=0 is out of range: it must be between 1 and 64"),
    ({"hotspots__shape": "circle"}, "hotspots.shape='circle' is not valid. Valid choices: "),
    ({"cse__method": "rank"}, "cse.method='rank' is not valid. Valid choices: 'zscore'"),
    ({"domestic_abuse__event_correction": "x"}, "'none', 'holm', 'bonferroni', 'fdr_bh'"),
    ({"violence__cell_size": 5}, "violence.cell_size=5 is out of range: it must be between 10"),
    ({"overview__top_wards": "ten"}, "overview.top_wards must be a whole number, got 'ten'."),
    ({"place_profile__area": "Ramsey"}, "place_profile.area must be a mapping, got 'Ramsey'."),
    ({"summary__method": "x"}, "summary.method='x' is not valid. Valid choices: 'morile', 'grid'"),
    ({"wards__top_share": "a"}, "wards.top_share must be a number, got 'a'."),
    ({"outcomes__colour": 1}, "unknown key 'outcomes.colour'. Valid keys in outcomes: "),
    ({"overview__disclosure__threshold": 0}, "overview.disclosure.threshold=0 is out of range"),
    ({"hotspots__crime_types": ["Robbery", 3]}, "hotspots.crime_types[1] must be text, got 3."),
    ({"cse__weights": {"a": "x"}}, "cse.weights.a='x' is not valid: a weight is a number"),
]


@pytest.mark.parametrize("change,expected", BAD, ids=[next(iter(c)) for c, _ in BAD])
def test_bad_value_in_each_section(change, expected):
    (msg,) = problems(changed(**change))
    assert expected in msg


def test_type_message_names_the_fix():
    (msg,) = problems(changed(statistics__permutations=1.5))
    assert msg == (
        "statistics.permutations must be a whole number, got 1.5. Fix: give "
        "statistics.permutations as a whole number (see docs/parameters.md)."
    )


def test_several_problems_reported_at_once():
    raw = changed(
        statistics__rate_per=500,
        hotspots__shape="circle",
        run__cell_timeout=0,
        cse__disclosure={"threshold": 3},
        comparison__peers=["Fenland", "E07000010"],
        targets=[{"crime_type": "Robbery"}],
    )
    got = problems(raw)
    assert len(got) == 6, got
    for key in (
        "statistics.rate_per=500",
        "hotspots.shape",
        "run.cell_timeout=0",
        "cse.disclosure.threshold=3",
        "comparison.peers: 'Fenland'",
        "targets[0]",
    ):
        assert any(key in m for m in got), key
    assert "Valid choices: 1000, 10000, 100000." in next(m for m in got if "rate_per" in m)


def test_cross_checks_run_beside_field_errors():
    """An unknown LAD code is still found when another section has a type error."""
    got = problems(changed(statistics__alpha="x", csp__lad_codes=["E07000999"]))
    assert len(got) == 2
    assert any("unknown LAD code 'E07000999'" in m for m in got)


# ---- paths: resolved once, when the parameters load ------------------------------------


def test_paths_resolved_once_against_the_project_root(tmp_path, monkeypatch):
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(changed(data__extract="synthetic")), encoding="utf-8")
    p = load_params(f, check_store=False)
    assert p.source == f
    assert p.data.population == POP_REL  # as written (for the Methods page and manifest)
    assert p.paths.population == config.ROOT / POP_REL
    assert p.paths.store == config.ROOT / "data" / "processed"
    assert p.paths.boundaries == SAMPLE / "boundaries"
    assert p.paths.deprivation is None
    assert p.paths.extract.name == "extract_synthetic.csv.gz" and p.paths.extract.is_file()

    def no_more(*_a, **_k):
        raise AssertionError("a path was resolved again after load_params")

    monkeypatch.setattr(config, "resolve", no_more)
    assert isinstance(p.paths.annotations, Path) and p.paths.annotations.is_file()
    assert "held" in period_coverage(p)  # reads params.paths.store, resolves nothing


def test_national_sources_stay_national():
    p = validate_params(
        changed(data={"boundaries": "national", "deprivation": "national"}), check_store=False
    )
    assert (p.paths.boundaries, p.paths.population, p.paths.deprivation) == ("national",) * 3


# ---- overrides ------------------------------------------------------------------------


def test_overrides_applied_and_validated(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    p = load_params(
        f,
        check_store=False,
        overrides={"hotspots.shape": "hex", "statistics.alpha": 0.1, "period": None},
    )
    assert p.hotspots.shape == "hex" and p.statistics.alpha == 0.1 and p.period == "2025-Q4"
    with pytest.raises(ParameterError) as e:
        load_params(f, check_store=False, overrides={"hotspots.shape": "circle"})
    assert e.value.problems[0].startswith("hotspots.shape='circle' is not valid")


# ---- attribute reads only ----------------------------------------------------------------


def test_sections_are_read_by_attribute_not_as_dicts():
    p = validate_params(copy.deepcopy(BASE), check_store=False)
    assert p.statistics.alpha == 0.05 and p.csp.lad_codes == ["E07000011"]
    assert p.comparison.wider_area_name == "force area"
    for section in (p, p.statistics, p.comparison):
        with pytest.raises(TypeError, match="not subscriptable"):
            section["alpha"]  # type: ignore[index]
        assert not hasattr(section, "get") and not hasattr(section, "keys")
    assert p.statistics.to_dict() == Statistics().to_dict()
    assert p.disclosure.to_dict() == {
        "threshold": 10,
        "secondary": True,
        "suppress_zero": False,
        "published_counts": "show",
    }
    assert theme_disclosure(p, "cse")["threshold"] == 10
    # to_dict gives the plain nested dicts, and they validate to the same parameters.
    assert validate_params(p.to_dict(), check_store=False) == p


#: Layers whose modules read paths from ``params.paths`` and never resolve one.
_NO_RESOLVING = ("themes", "stats", "spatial", "data")


def test_only_load_params_resolves_parameter_paths():
    """No theme, stats, spatial or data module resolves a path (load_params does, once)."""
    import re

    src = Path(config.ROOT) / "src" / "sa_lib"
    pattern = re.compile(r"\bconfig\.resolve\(|\bresolve_path\(")
    offenders = [
        f"{f.relative_to(src)}:{n}"
        for layer in _NO_RESOLVING
        for f in sorted((src / layer).rglob("*.py"))
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
    # ... and the check can fail: the resolver it looks for is where load_params calls it.
    model = (src / "pack" / "params_model.py").read_text(encoding="utf-8")
    assert pattern.search(model)


def test_theme_option_paths_resolved_into_params_paths(tmp_path):
    (tmp_path / "patch.geojson").write_text("{}", encoding="utf-8")
    raw = changed(
        summary={"scoring": "config/priority_scoring.yaml"},
        place_profile={"area": {"type": "polygon", "value": str(tmp_path / "patch.geojson")}},
    )
    p = validate_params(raw, check_store=False)
    assert p.paths.scoring == config.ROOT / "config" / "priority_scoring.yaml"
    assert p.paths.place_polygon == tmp_path / "patch.geojson"
    assert p.summary.scoring == "config/priority_scoring.yaml"  # as written
    bare = validate_params(copy.deepcopy(BASE), check_store=False)
    assert bare.paths.scoring is None and bare.paths.place_polygon is None


def test_parameters_are_read_only():
    p = validate_params(copy.deepcopy(BASE), check_store=False)
    with pytest.raises(ValidationError, match="frozen"):
        p.statistics.alpha = 0.5
    opts = ReadOnlyOptions(p.hotspots, theme="hotspots")
    assert opts.shape == p.hotspots.shape == "square"
    with pytest.raises(AttributeError, match="hotspots has no option 'colour'"):
        opts.colour  # noqa: B018
    with pytest.raises(TypeError, match="read-only"):
        opts.shape = "hex"
    with pytest.raises(TypeError, match="read-only"):
        opts["shape"] = "hex"  # type: ignore[index]


# ---- the JSON schema and the reference generated from it ---------------------------------


def test_json_schema_documents_every_key():
    schema = Params.model_json_schema()
    props = schema["properties"]
    assert set(THEME_MODELS) <= set(props)
    assert schema["required"] == ["csp", "period", "themes", "data"]
    stats = schema["$defs"]["Statistics"]["properties"]
    assert stats["correction"]["enum"] == ["none", "fdr_bh", "bonferroni"]
    assert (stats["seed"]["minimum"], stats["seed"]["maximum"]) == (0, 2**32 - 1)
    assert all(v.get("description") for v in stats.values())
    assert schema["$defs"]["Csp"]["properties"]["slug"]["anyOf"][0]["pattern"].startswith("^")
    md = schema_markdown()
    assert "| `statistics.correction` | text | `fdr_bh` |" in md
    assert "Choices: `none`, `fdr_bh`, `bonferroni`." in md
    assert "| `hotspots.cell_size` | a number | none |" in md
    assert md == (config.ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
