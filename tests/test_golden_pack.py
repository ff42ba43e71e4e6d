"""The golden pack: the sample pack publishes exactly the committed tables, findings and headlines.

The fixture ``tests/fixtures/golden/huntingdonshire_2025q4.json`` is the safety net for
refactors. When a change to it is deliberate, run ``python scripts/golden.py`` (it
lists the changed cells for the commit message), then ``python scripts/golden.py --update``.
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from golden import FIXTURE, compare, counts, read_table_csv, snapshot


@pytest.mark.e2e
def test_sample_pack_matches_the_golden_fixture(pack):
    res, _ = pack
    assert res.ok, [(t["theme"], t.get("error_summary")) for t in res.themes]
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    actual = snapshot(res.out_dir)
    diffs = compare(expected, actual)
    print("\n".join(diffs))
    assert diffs == [], (
        f"{len(diffs)} change(s) against the golden pack (run `python scripts/golden.py`):\n"
        + "\n".join(diffs[:50])
    )


@pytest.mark.e2e
@pytest.mark.parametrize("title", ["drop", "plain"])
def test_snapshot_survives_a_change_of_csv_format(pack, tmp_path, title):
    """No BOM, and the title line dropped (the caption then comes from the page) or unmarked."""
    res, _ = pack
    copy_dir = tmp_path / "pack"
    shutil.copytree(res.out_dir, copy_dir)
    for f in (copy_dir / "data").glob("*.csv"):
        lines = f.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        if lines and lines[0].startswith(("# ", '"# ')):
            head = lines.pop(0)
            if title == "plain":
                lines.insert(0, head.replace("# ", "", 1))
        f.write_text("".join(lines), encoding="utf-8")
    assert compare(snapshot(res.out_dir), snapshot(copy_dir)) == []


def test_fixture_covers_every_page_with_tables_and_findings():
    snap = json.loads(FIXTURE.read_text(encoding="utf-8"))
    n = counts(snap)
    # Every theme's page has tables and findings, and the index its headlines.
    pages = {"cse", "domestic_abuse", "hotspots", "outcomes", "overview", "place_profile"}
    pages |= {"summary", "violence", "wards", "partner"}
    assert pages <= set(snap["tables"]) and pages <= set(snap["findings"])
    assert pages == set(snap["headlines"])
    assert n["tables"] >= 60 and n["cells"] >= 5000 and n["findings"] >= 100
    marks = {c for ts in snap["tables"].values() for t in ts for r in t["rows"] for c in r}
    assert "<10" in marks  # suppression marks are kept as published


# ---------------------------------------------------------------- compare on hand-made snapshots


def _item(text, synthetic=False):
    return {"text": text, "synthetic": synthetic}


@pytest.fixture
def snap():
    return {
        "tables": {
            "overview": [
                {
                    "caption": "Crime by type",
                    "occurrence": 0,
                    "synthetic": False,
                    "header": ["Crime type", "Crimes", "Rate", "p"],
                    "rows": [
                        ["Burglary", 118, 2.6, 0.0312],
                        ["Robbery", "<10", 0.2, 0.5],
                        ["Drugs", 206, 4.6, 1e-12],
                    ],
                },
                {
                    "caption": "(no caption) Measure | Value",
                    "occurrence": 0,
                    "synthetic": False,
                    "header": ["Measure", "Value"],
                    "rows": [["Gini", 0.4]],
                },
            ]
        },
        "findings": {"overview": [[_item("Drugs rose 190%."), _item("Burglary fell.")]]},
        "headlines": {"overview": [_item("Drugs rose 190%.")]},
    }


def _changed(snap, fn):
    other = copy.deepcopy(snap)
    fn(other)
    return compare(snap, other)


def _rows(s):
    return s["tables"]["overview"][0]["rows"]


def test_compare_identical_snapshots_agree(snap):
    assert compare(snap, copy.deepcopy(snap)) == []


def test_compare_reports_a_changed_count(snap):
    def bump(s):
        _rows(s)[0][1] = 119

    assert _changed(snap, bump) == [
        "overview / 'Crime by type' / row 'Burglary' / column 'Crimes': expected 118, got 119"
    ]


def test_compare_reports_a_changed_suppression_mark(snap):
    def unmask(s):
        _rows(s)[1][1] = "[c]"

    (line,) = _changed(snap, unmask)
    assert "row 'Robbery' / column 'Crimes': expected '<10', got '[c]'" in line


def test_compare_a_count_against_a_float_or_a_mark_is_a_difference(snap):
    def unsuppress(s):
        _rows(s)[1][1] = 7

    assert len(_changed(snap, unsuppress)) == 1

    def as_text(s):
        _rows(s)[0][1] = "118"

    assert len(_changed(snap, as_text)) == 1


def test_compare_floats_within_tolerance_agree_and_beyond_differ(snap):
    def within(s):
        _rows(s)[0][2] = 2.6 * (1 + 5e-7)
        _rows(s)[2][3] = 1e-12 + 5e-10  # absolute tolerance for a tiny p-value

    assert _changed(snap, within) == []

    def beyond(s):
        _rows(s)[0][2] = 2.6 * (1 + 5e-6)

    (line,) = _changed(snap, beyond)
    assert "row 'Burglary' / column 'Rate': expected 2.6, got 2.6000" in line

    def p_beyond(s):
        _rows(s)[0][3] = 0.0313

    assert len(_changed(snap, p_beyond)) == 1


def test_compare_reports_missing_and_extra_tables(snap):
    def drop(s):
        s["tables"]["overview"].pop(0)

    assert _changed(snap, drop) == ["overview / 'Crime by type': missing table (3 rows)"]

    def add(s):
        t = copy.deepcopy(s["tables"]["overview"][0])
        t["occurrence"] = 1
        s["tables"]["overview"].append(t)

    assert _changed(snap, add) == ["overview / 'Crime by type' #2: extra table"]


def test_compare_reports_missing_rows_columns_and_reordering(snap):
    def drop_row(s):
        _rows(s).pop(1)

    assert _changed(snap, drop_row) == [
        "overview / 'Crime by type': missing row 'Robbery': ['Robbery', '<10', 0.2, 0.5]"
    ]

    def drop_column(s):
        t = s["tables"]["overview"][0]
        t["header"].pop(3)
        for r in t["rows"]:
            r.pop(3)

    diffs = _changed(snap, drop_column)
    assert "overview / 'Crime by type': missing column 'p'" in diffs

    def reorder(s):
        _rows(s).reverse()

    (line,) = _changed(snap, reorder)
    assert line.startswith("overview / 'Crime by type': rows reordered")


def test_compare_reports_a_changed_finding_headline_and_synthetic_label(snap):
    def reword(s):
        s["findings"]["overview"][0][1] = _item("Burglary rose.")

    assert _changed(snap, reword) == [
        "findings overview list 1 item 2: expected 'Burglary fell.', got 'Burglary rose.'"
    ]

    def drop(s):
        s["headlines"]["overview"].pop()

    assert _changed(snap, drop) == ["headlines overview item 1: missing: 'Drugs rose 190%.'"]

    def relabel(s):
        s["tables"]["overview"][0]["synthetic"] = True

    assert _changed(snap, relabel) == [
        "overview / 'Crime by type': synthetic label expected False, got True"
    ]


def test_read_table_csv_tolerates_bom_title_lines_and_no_title(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text(
        '# SYNTHETIC DATA: Crimes by ward\nSource: police.uk\n\nWard,Crimes,Rate\nA,"1,204",0.40\n'
        "B,<10,[c]\n",
        encoding="utf-8-sig",
    )
    assert read_table_csv(a) == {
        "caption": "Crimes by ward",
        "synthetic": True,
        "header": ["Ward", "Crimes", "Rate"],
        "rows": [["A", 1204, 0.4], ["B", "<10", "[c]"]],
    }
    b = tmp_path / "b.csv"
    b.write_text("Ward,Crimes\nA,\n", encoding="utf-8")
    assert read_table_csv(b) == {
        "caption": "",
        "synthetic": False,
        "header": ["Ward", "Crimes"],
        "rows": [["A", None]],
    }


def test_snapshot_normalises_run_times_and_the_day_the_pack_was_made(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "manifest.json").write_text('{"started": "2031-05-04T10:00:00+00:00"}')
    (tmp_path / "data" / "index_01_table.csv").write_text(
        "Theme,Status,Run time\nA,complete,7.7 s\n"
    )
    (tmp_path / "index.html").write_text(
        '<a href="a.html">A</a><ul class="sa-headlines"><li>SYNTHETIC: made 04 May 2031.</li></ul>'
        '<a href="data/index_01_table.csv">CSV</a>'
    )
    (tmp_path / "a.html").write_text(
        '<ul class="sa-findings"><li>Rose <b>3%</b>; event on 2025-12-25. '
        '<a class="sa-evidence" href="x.html#y">Evidence</a></li></ul>'
    )
    s = snapshot(tmp_path)
    assert s["tables"]["index"][0]["rows"] == [["A", "complete", "<seconds>"]]
    assert s["headlines"] == {"a": [_item("made <date>.", synthetic=True)]}
    assert s["findings"]["a"] == [[_item("Rose 3%; event on 2025-12-25.")]]
