"""Tests for the last disclosure check on rendered output (sa_lib.pack.disclosure_scan)."""

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sa_lib.pack import disclosure_scan as s
from sa_lib.stats import disclosure as d

CRIME_ID = "a3f5" * 16  # 64 hex characters, the shape of a police.uk Crime ID


def test_scan_catches_disclosive_table_and_passes_safe_one():
    t = pd.DataFrame({"ward": ["A", "B"], "burglary": [3, 25], "robbery": [14, 40]})
    leaky = d.table_to_html(t.astype({"burglary": str, "robbery": str}), ["burglary", "robbery"])
    found = s.scan_html_for_disclosure(leaky)
    assert found["snippet"].tolist() == ["3"]
    assert found.loc[0, "kind"] == "small_count" and found.loc[0, "value"] == 3
    assert "marked count" in found.loc[0, "where"]

    safe = d.table_to_html(d.suppress_table(t, ["burglary", "robbery"]), caption="Crimes by ward")
    assert "&lt;10" in safe
    assert s.scan_html_for_disclosure(safe).empty


def test_scan_unmarked_cells_and_exemptions():
    html = """
    <table><tr><th>Rank</th><th>Ward</th><th>Rate</th><th>Share</th><th>Band</th></tr>
    <tr><td class="sa-not-count">1</td><td>Ward A</td><td>4.5</td><td>7%</td><td>10-19</td></tr>
    <tr><td data-sa-not-count>2</td><td>Ward B</td><td>12.25</td><td>3 %</td><td>&lt;10</td></tr>
    <tr><td>2023</td><td>6</td></table>
    """
    found = s.scan_html_for_disclosure(html)
    assert found["snippet"].tolist() == ["6"]
    assert found.loc[0, "where"] == "td (bare number)"


def test_scan_marked_free_text_and_attribute():
    html = (
        '<p>Summary: <span class="sa-count">2 of the 40</span> crimes.</p>'
        '<svg><rect data-sa-count="5" x="1.2345" y="52.1234"/></svg>'
    )
    found = s.scan_html_for_disclosure(html)
    assert sorted(found["value"].tolist()) == [2, 5]


def test_scan_count_phrases_in_text_alt_and_captions():
    html = (
        "<p>There were 3 residential burglaries and 250 thefts.</p>"
        '<img alt="Map showing 4 victims" src="data:image/png;base64,AAAA">'
        "<figcaption>Figure 2: 12 robberies in 2023</figcaption>"
        "<p>Table 3 crimes by ward; the top 5 crime types; Figure 4 incidents.</p>"
    )
    found = s.scan_html_for_disclosure(html)
    assert found["snippet"].tolist() == ["3 residential burglaries", "4 victims"]
    assert found["where"].tolist() == ["text of <p>", "alt attribute of <img>"]


def test_scan_matplotlib_svg_bar_labels_not_ticks():
    fig, ax = plt.subplots()
    bars = ax.bar(["A", "B"], [3, 12])
    ax.bar_label(bars)
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    found = s.scan_html_for_disclosure(buf.getvalue())
    # the "3" bar label is caught; y-axis ticks 0, 2, 4... are not counts
    assert found["snippet"].tolist() == ["3"]


def test_scan_identifiers():
    html = f"""
    <p>Crime ID {CRIME_ID}</p>
    <p>Near PE29 3TN in district PE29 (E05011234), ref 35/12345/23, URN1234567</p>
    <p>Location 52.3312, -0.1823 reported on 12/03/2023; p = 0.0001</p>
    <a href="#x" title="at 52.331234,-0.182345">x</a>
    <script>var m = L.marker([52.33123, -0.18231]); var c = L.marker([52.3, -0.2]);</script>
    """
    found = s.scan_html_for_disclosure(html)
    kinds = found.groupby("kind")["snippet"].apply(list).to_dict()
    assert kinds["crime_id"] == [CRIME_ID]
    assert kinds["postcode"] == ["PE29 3TN"]
    assert kinds["reference"] == ["35/12345/23", "URN1234567"]
    assert kinds["coordinates"] == [
        "52.3312, -0.1823",
        "52.331234,-0.182345",
        "L.marker([52.33123, -0.18231",
    ]
    assert "small_count" not in kinds


def test_scan_reports_each_marked_cell_once():
    # the report renderer (sa_lib.themes.report) repeats the shown value in data-sa-count
    html = '<td class="sa-count" data-sa-count="3">3</td><td class="sa-count" data-sa-count="&lt;10">&lt;10</td>'
    found = s.scan_html_for_disclosure(html)
    assert found["snippet"].tolist() == ["3"]


def test_scan_allowed_snippets():
    html = "<p>Contact us at PE29 3TN.</p><td>5</td>"
    found = s.scan_html_for_disclosure(html, allowed=["PE29 3TN", re.compile(r"^5$")])
    assert found.empty


def test_scan_threshold_and_zero():
    html = "<td class='sa-count'>0</td><td class='sa-count'>4</td>"
    assert s.scan_html_for_disclosure(html, threshold=5)["value"].tolist() == [4]
    assert s.scan_html_for_disclosure(html, threshold=4).empty
    assert s.scan_html_for_disclosure(html, threshold=5, flag_zero=True)["value"].tolist() == [0, 4]


def test_scan_text_markdown_and_phrases():
    md = "| Ward | Crimes |\n|---|---|\n| A | 7 |\n| B | 120 |\nOnly 1 offender was charged."
    found = s.scan_text(md)
    assert found["snippet"].tolist() == ["7", "1 offender"]
    assert found["line"].tolist() == [3, 5]


def test_error_scan_not_string():
    with pytest.raises(ValueError, match="html must be a string"):
        s.scan_html_for_disclosure(b"<p>3 crimes</p>")


def test_error_scan_bad_allowed():
    with pytest.raises(ValueError, match="allowed must hold strings"):
        s.scan_text("x", allowed=[3])
