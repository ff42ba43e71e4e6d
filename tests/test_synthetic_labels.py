"""Synthetic labels come from the data (issue 19, item 5).

A table, figure, finding or page is synthetic if and only if it draws on synthetic
inputs, decided in the result objects; the footer, print cover and index read the
result JSON's ``synthetic``, never a substring of the HTML.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest
import shapes

from sa_lib.pack.export import export_html, result_synthetic, write_index
from sa_lib.pack.furniture import print_cover
from sa_lib.themes import render
from sa_lib.themes.results import Finding, Findings, Table, ThemeResult

HEADER = (
    '<div class="sa-header" data-sa-period="Q2 2018 (Apr-Jun)" data-sa-synthetic="none">'
    "<p>Overview</p></div><!--SA-COVER-->"
)

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _page(tmp_path, synthetic: str, findings=("Crime rose 4%.", "ASB fell.")):
    """An executed one-cell notebook and its result JSON, as `sa run` leaves them."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("render.show(result, 'header')")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": HEADER})]
    nb.cells = [cell]
    ipynb = tmp_path / "overview.ipynb"
    nbformat.write(nb, ipynb)
    (tmp_path / "results").mkdir(exist_ok=True)
    (tmp_path / "results" / "overview.json").write_text(
        json.dumps(
            {
                "theme": "overview",
                "synthetic": synthetic,
                "findings": [{"text": t, "synthetic": False} for t in findings],
                "tables": [],
            }
        )
    )
    return ipynb


def test_footer_of_a_page_without_synthetic_inputs_does_not_say_synthetic(tmp_path):
    """Issue 19: `data-sa-synthetic="none"` contains `sa-synthetic`, so every page was stamped."""
    ipynb = _page(tmp_path, "none")
    html = export_html(ipynb, tmp_path / "overview.html", title="Overview", meta={})
    assert "SYNTHETIC" not in html


def test_footer_and_cover_of_a_partly_synthetic_page_say_so(tmp_path):
    ipynb = _page(tmp_path, "part")
    html = export_html(ipynb, tmp_path / "overview.html", title="Overview", meta={})
    assert "This page uses SYNTHETIC data" in html
    assert "Parts of this report use SYNTHETIC data" in html


def test_print_cover_reads_the_result_not_the_header_attribute():
    assert "SYNTHETIC" not in print_cover(HEADER, "Overview", synthetic="none")
    assert "SYNTHETIC" in print_cover(HEADER, "Overview", synthetic="page")


def test_index_stamps_only_synthetic_headlines(tmp_path):
    """Issue 19: the index stamped "SYNTHETIC:" on police.uk counts."""
    (tmp_path / "results").mkdir()
    result = {
        "theme": "violence",
        "synthetic": "page",
        "findings": [
            {"text": "Violence (police.uk) rose 11% on Q4 2024.", "synthetic": False},
            {"text": "Violence with injury fell 4%.", "synthetic": True},
        ],
    }
    (tmp_path / "results" / "violence.json").write_text(json.dumps(result))
    (tmp_path / "violence.html").write_text("<p>x</p>")
    plain = {"theme": "overview", "synthetic": "none", "findings": [{"text": "Crime rose 4%."}]}
    (tmp_path / "results" / "overview.json").write_text(json.dumps(plain))
    (tmp_path / "overview.html").write_text('<div data-sa-synthetic="none"></div>')
    rows = [
        {"theme": "overview", "status": "ok", "seconds": 1},
        {"theme": "violence", "status": "ok", "seconds": 1},
    ]
    write_index(tmp_path, title="T", period_label="Q4 2025", results=rows, meta={})
    index = (tmp_path / "index.html").read_text()
    # The front page shows each page's first headline: a police.uk count is never stamped.
    assert "Violence (police.uk) rose 11% on Q4 2024." in index
    assert "SYNTHETIC: Violence (police.uk)" not in index
    assert "SYNTHETIC: Crime rose" not in index
    result["findings"].reverse()
    (tmp_path / "results" / "violence.json").write_text(json.dumps(result))
    write_index(tmp_path, title="T", period_label="Q4 2025", results=rows, meta={})
    assert "SYNTHETIC: Violence with injury fell 4%." in (tmp_path / "index.html").read_text()


def test_result_synthetic_state_is_decided_by_its_blocks():
    r = ThemeResult("demo", "Demo")
    assert r.synthetic_state() == "none"
    r.sections["types"] = [Table(frame=pd.DataFrame({"a": [1]}), synthetic=True)]
    assert r.synthetic_state() == "part" and r.to_json()["synthetic"] == "part"
    r2 = ThemeResult("demo", "Demo")
    r2.sections["findings"] = [Findings([Finding("plain")])]
    assert r2.to_json()["synthetic"] == "none"
    assert result_synthetic({"synthetic": "none"}) == "none"


@pytest.mark.parametrize("theme", shapes.PUBLIC_THEMES)
def test_no_block_of_a_page_without_synthetic_inputs_says_synthetic(essex_cell, theme):
    """No page of a pack built without synthetic inputs contains the word SYNTHETIC: the
    Essex fixture's Q2 2018 pack (no extract, events or partner file), as the shape
    matrix builds it (conftest.py ``essex_cell``; charts not painted: a watermark in the
    pixels is not text of the page)."""
    outcome, r = essex_cell("first_period", "2018-Q2")[theme]
    assert outcome == "built"
    assert r.to_json()["synthetic"] == "none"
    html = "".join(render.block_html(b) for _, b in r.blocks())
    assert "SYNTHETIC" not in html
