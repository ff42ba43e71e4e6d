from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from sa_lib import validation as v


def test_require_columns_names_missing_column_and_fix():
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match=r"crimes is missing required column\(s\): 'b'") as e:
        v.require_columns(df, ["a", "b"], arg="crimes", fix="add it")
    assert "Fix: add it" in str(e.value)
    assert "'a'" in str(e.value)  # lists what it does have


def test_require_dataframe_rejects_list():
    with pytest.raises(ValueError, match="must be a pandas DataFrame, got list"):
        v.require_dataframe([1, 2], "df")


def test_require_numeric_names_first_bad_row():
    df = pd.DataFrame({"count": ["1", "x", "y"]}, index=[10, 11, 12])
    with pytest.raises(ValueError, match=r"First bad value 'x' at row 11"):
        v.require_numeric(df, "count", arg="counts")


def test_require_non_negative_names_row():
    df = pd.DataFrame({"n": [1, 2, -3]})
    with pytest.raises(ValueError, match=r"found -3 at row 2"):
        v.require_non_negative(df, "n")


def test_require_no_missing():
    df = pd.DataFrame({"pop": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"1 missing value\(s\); the first is at row 1"):
        v.require_no_missing(df, "pop")


def test_require_choice_lists_valid_choices():
    with pytest.raises(ValueError, match=r"Valid choices: 'fdr', 'none'"):
        v.require_choice("bh", ["fdr", "none"], arg="correction")


@pytest.mark.parametrize("bad", [0, 1, -0.1, "0.05", True, None])
def test_require_probability(bad):
    with pytest.raises(ValueError, match="alpha must be a number strictly between 0 and 1"):
        v.require_probability(bad, arg="alpha")
    v.require_probability(0.05, arg="alpha")


@pytest.mark.parametrize("bad", [0, -1, float("inf"), "3", None])
def test_require_positive(bad):
    with pytest.raises(ValueError, match="must be a positive number"):
        v.require_positive(bad, arg="cell_size")


def test_require_int():
    with pytest.raises(ValueError, match="whole number"):
        v.require_int(2.5, arg="n")
    with pytest.raises(ValueError, match="at least 1"):
        v.require_int(0, arg="n", minimum=1)


def test_crs_checks():
    a = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4326")
    b = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:27700")
    with pytest.raises(ValueError, match="EPSG:4326.*EPSG:27700"):
        v.require_same_crs(a, b, arg_a="points", arg_b="area")
    with pytest.raises(ValueError, match="geographic CRS"):
        v.require_projected(a, arg="points")
    v.require_projected(b, arg="points")
    with pytest.raises(ValueError, match="no coordinate reference system"):
        v.require_geodataframe(gpd.GeoDataFrame(geometry=[Point(0, 0)]), "points")


def test_first_bad_row_none_when_clean():
    assert v.first_bad_row(pd.DataFrame({"x": [1]}), [False]) is None


def test_require_population_names_zero_missing_and_negative_rows():
    df = pd.DataFrame({"area": ["A", "B"], "pop": [100, 0]})
    with pytest.raises(
        ValueError, match=r"df\['pop'\] is 0 at row 1 \('B'\), so its rate is undefined"
    ):
        v.require_population(df, "pop", label_col="area")
    with pytest.raises(ValueError, match=r"1 missing value\(s\); the first is at row 0"):
        v.require_population(pd.DataFrame({"pop": [np.nan, 5.0]}), "pop")
    with pytest.raises(ValueError, match="must not be negative"):
        v.require_population(pd.DataFrame({"pop": [5, -1]}), "pop")
    v.require_population(pd.DataFrame({"pop": [5, 1]}), "pop")


SHIPPED_YAML = sorted(
    p
    for d in ("parameters", "config", "tests/fixtures")
    for p in (Path(__file__).resolve().parents[1] / d).rglob("*.yaml")
)


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: p.name)
def test_read_bounded_yaml_reads_every_shipped_file_as_the_python_parser_does(path):
    """The libyaml twin (the fast path) builds the same document as PyYAML's own SafeLoader."""
    import yaml

    assert len(SHIPPED_YAML) >= 8
    text = path.read_text(encoding="utf-8")
    assert v.read_bounded_yaml(path, what="file") == yaml.load(text, Loader=yaml.SafeLoader)


def test_libyaml_twin_keeps_a_subclass_resolvers():
    """A loader that reads only true/false as booleans (the extract mapping's) keeps doing so."""
    import re

    import yaml

    class OnlyTrue(yaml.SafeLoader):
        pass

    OnlyTrue.yaml_implicit_resolvers = {
        k: [(t, rx) for t, rx in r if t != "tag:yaml.org,2002:bool"]
        for k, r in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    OnlyTrue.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile("^true$"), ["t"])
    twin = v.libyaml_twin(OnlyTrue)
    assert twin is v.libyaml_twin(OnlyTrue)
    if yaml.__with_libyaml__:
        assert issubclass(twin, yaml.CSafeLoader)
    assert yaml.load("a: [yes, true, 1]", Loader=twin) == {"a": ["yes", True, 1]}  # noqa: S506
    assert yaml.load("a: [yes, true]", Loader=v.libyaml_twin(yaml.SafeLoader)) == {
        "a": [True, True]
    }  # noqa: S506


def test_read_bounded_yaml_names_a_tab_and_its_line(tmp_path):
    """libyaml says "a character"; the message comes from the Python parser, which names it."""
    p = tmp_path / "p.yaml"
    p.write_text("title: x\nthemes:\n\t- overview\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 3: not valid YAML \(found character '\\t'"):
        v.read_bounded_yaml(p, what="parameters file")


def test_read_dates_names_the_column_and_the_fix():
    df = pd.DataFrame({"when": ["2025-01-01", "not a date"]})
    with pytest.raises(ValueError, match=r"monthly_df\['when'\] could not be read as dates") as e:
        v.read_dates(df, "when", arg="monthly_df")
    assert "Fix: use ISO dates" in str(e.value)
    assert v.read_dates(df.iloc[:1], "when").dt.month.tolist() == [1]
