"""Text that reaches a page is bounded and typed (issue 23): an over-long name, label or
note is refused by `sa check` with its key path, length, cap and fix; a document
distribution of non-text items is refused, never rendered as ``{'a': 1}; None``."""

from __future__ import annotations

import pytest

from sa_lib.pack.params import ParameterError, validate_params
from sa_lib.pack.params_text import NAME_CAP, PROSE_CAP, TEXT_CAP

from .conftest import assert_message, changed, run_sa, shipped_params, write_yaml

PRIORITY = {"crime_type": "Robbery", "reduction_pct": 5, "baseline_year": 2024}

#: (case, dotted key in the message, cap, the parameters changed to reach it).
LONG = [
    ("author", "document.author", TEXT_CAP, {"document__author": "a" * 200_000}),
    ("version", "document.version", TEXT_CAP, {"document__version": "1" * 201}),
    ("marking", "document.protective_marking", TEXT_CAP, {"document__protective_marking": "O" * 300}),
    ("distribution", "document.distribution[1]", TEXT_CAP, {"document__distribution": ["Board", "d" * 201]}),
    ("title", "title", TEXT_CAP, {"title": "T" * 5_000}),
    ("csp name", "csp.name", NAME_CAP, {"csp__name": "Huntingdonshire" + "e" * 90}),
    ("priority name", "priorities[0].name", TEXT_CAP, {"priorities": [{**PRIORITY, "target_year": 2027, "name": "p" * 201}]}),
    ("target crime type", "targets[0].crime_type", TEXT_CAP, {"targets": [{**PRIORITY, "target_year": 2027, "crime_type": "R" * 201}]}),
    ("wider area", "comparison.wider_area_name", TEXT_CAP, {"comparison__wider_area_name": "w" * 201}),
    ("meeting", "board.meeting", TEXT_CAP, {"board__meeting": "m" * 201}),
    ("ask", "board.asks[0]", PROSE_CAP, {"board__asks": ["a" * (PROSE_CAP + 1)]}),
    ("project", "board.projects[0].name", TEXT_CAP, {"board__projects": [{"name": "n" * 201}]}),
    ("decision", "board.decisions[0].decision", PROSE_CAP, {"board__decisions": [{"decision": "d" * 1001}]}),
    ("implications", "board.equality_implications", PROSE_CAP, {"board__equality_implications": "e" * 1001}),
]  # fmt: skip


@pytest.mark.parametrize("case", LONG, ids=[c[0] for c in LONG])
def test_over_long_page_text_is_refused_with_key_length_cap_and_fix(case):
    _, key, cap, changes = case
    raw = changed(shipped_params(), **changes)
    with pytest.raises(ParameterError) as e:
        validate_params(raw, check_store=False)
    msg = str(e.value)
    value = next(v for k, v in changes.items())
    n = len(value) if isinstance(value, str) else None
    assert_message(msg, key, f"the cap is {cap:,} characters", f"at most {cap:,}")
    if n is not None:
        assert f"is {n:,} characters long" in msg
    assert len(msg) < 2_000, "the message repeats the over-long value"


def test_text_at_its_cap_passes():
    """The caps are where they say: a value of exactly the cap is accepted."""
    raw = changed(
        shipped_params(),
        document__author="a" * TEXT_CAP,
        board__asks=["b" * PROSE_CAP],
        csp__name="H" * NAME_CAP,
        csp__slug="huntingdonshire",
    )
    assert validate_params(raw, check_store=False).document.author == "a" * TEXT_CAP


def test_sa_check_refuses_a_200kb_author_exit_2(tmp_path, sample_store):
    raw = changed(shipped_params(sample_store), document__author="x" * 200_000)
    r = run_sa("check", write_yaml(tmp_path / "p.yaml", raw), timeout=60)
    assert r.returncode == 2, r.stderr
    assert_message(r.stderr, "document.author", "200,000 characters", "the cap is 200")
    assert "x" * 100 not in r.stderr


@pytest.mark.parametrize("column", ["event", "label"])
def test_over_long_event_or_annotation_name_is_refused_with_its_line(tmp_path, column):
    if column == "event":
        f = tmp_path / "events.csv"
        f.write_text(f"event,start,end\nMatch,2025-01-01,\n{'E' * 500},2025-02-01,\n")
        raw = changed(shipped_params(), data__events=str(f))
        key = "data.events"
    else:
        f = tmp_path / "annotations.csv"
        f.write_text(f"date,crime_types,label,source\n2024-01-01,all,{'L' * 201},HMIC\n")
        raw = changed(shipped_params(), data__annotations=str(f))
        key = "data.annotations"
    with pytest.raises(ParameterError) as e:
        validate_params(raw, check_store=False)
    line = "line 3" if column == "event" else "line 2"
    assert_message(str(e.value), key, line, f"column {column}", "the cap is 200")


def test_document_distribution_of_non_text_items_is_refused():
    raw = changed(shipped_params(), document__distribution=[{"a": 1}, None])
    with pytest.raises(ParameterError) as e:
        validate_params(raw, check_store=False)
    assert_message(str(e.value), "document.distribution[0]", "document.distribution[1]", "text")


def test_footer_refuses_a_distribution_of_non_text_items_instead_of_printing_it():
    """The footer reads the document through the typed parameters, so a caller that never
    validated them gets a clear error, not ``distribution: {'a': 1}; None`` on every page."""
    from sa_lib.pack.pages import footer_html

    with pytest.raises(ValueError, match=r"document\.distribution\[0\] must be text"):
        footer_html({"document": {"distribution": [{"a": 1}, None]}})
    with pytest.raises(ValueError, match="document.author is 300 characters long"):
        footer_html({"document": {"author": "a" * 300}})
    ok = footer_html({"document": {"distribution": ["Board", "Police"], "status": "final"}})
    assert "distribution: Board; Police" in ok


def test_a_partner_mapping_is_read_bounded_and_its_name_capped(tmp_path):
    """The partner mapping YAML (issue 21) is read like every other user YAML: an alias
    bomb is refused at once, and its name (shown on the partner page) is capped."""
    from sa_lib.data.partner_indicators import load_mapping

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "name: fire\ncolumns: {count: n}\nvalues: {indicator: *b}\n"
    )
    with pytest.raises(ValueError, match="alias"):
        load_mapping(bomb)
    long = tmp_path / "long.yaml"
    long.write_text(f"name: {'F' * 201}\ncolumns: {{count: n}}\n")
    with pytest.raises(ValueError, match="name is 201 characters long; the cap is 200"):
        load_mapping(long)


def _ward_file(root, names: list[str]):
    """A user's own ward boundaries (``<root>/ward25/<LAD>.geojson``) with these names."""
    import geopandas as gpd
    from shapely.geometry import box

    f = root / "ward25" / "E07000011.geojson"
    f.parent.mkdir(parents=True, exist_ok=True)
    codes = [f"E0500000{i}" for i in range(len(names))]
    shapes = [box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(len(names))]
    gpd.GeoDataFrame({"WD25CD": codes, "WD25NM": names}, geometry=shapes, crs=27700).to_file(
        f, driver="GeoJSON"
    )
    return f


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("W" * 201, "201 characters long; the cap is 200"),
        ("W" * 300_000, "300,000 characters long; the cap is 200"),
        ("East\nfoo: 1", "control character"),
        ("East\x1b[31m", "control character"),
    ],
)
def test_over_long_or_control_character_ward_name_is_refused_with_file_row_and_fix(
    tmp_path, name, why
):
    """A ward name from a user's own boundaries file reaches every page: capped like the
    parameters' names, refused with the file, the row (feature) and the fix."""
    from sa_lib.data.geography import load_boundaries

    f = _ward_file(tmp_path, ["West", name])
    with pytest.raises(ValueError) as ei:
        load_boundaries(tmp_path, "ward25", ["E07000011"])
    msg = str(ei.value)
    assert str(f) in msg and "feature 2, column WD25NM" in msg and why in msg, msg[:300]
    assert "Fix: shorten the name" in msg and name not in msg and len(msg) < 600


def test_ward_name_at_the_cap_passes(tmp_path):
    from sa_lib.data.geography import load_boundaries

    _ward_file(tmp_path, ["West", "E" * TEXT_CAP])
    got = load_boundaries(tmp_path, "ward25", ["E07000011"])
    assert got["ward_name"].str.len().tolist() == [4, TEXT_CAP]
