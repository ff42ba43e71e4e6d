"""Page furniture: the key-findings call-out, print cover, table scroll boxes, glossary."""

from __future__ import annotations

import re

from sa_lib.pack.furniture import (
    GLOSSARY,
    glossary_page,
    key_findings_callout,
    print_cover,
)

PAGE = (
    '<div class="sa-header" data-sa-period="Q4 2025" data-sa-against="Q4 2024" '
    'data-sa-produced="produced 1 Jan 2026"></div><!--SA-COVER--><!--SA-CALLOUT-->'
    '<ul class="sa-findings"><li>Compared with Q3 2025 (Jul-Sep) (changes tested ...):</li>'
    "<li>Theft fell 2% (from 50 to 49); this is within normal variation (p = 0.80).</li>"
    "<li>Drugs rose 190% (from 71 to 206); this is a statistically significant increase "
    "(p &lt; 0.001).</li><li>Bikes rose 1% (from 99 to 100); this is within normal variation.</li>"
    "<li>A.</li><li>B.</li><li>C.</li><li>D.</li><li>E.</li></ul>"
)


RESULT = {
    "period": "Q4 2025",
    "against": "Q4 2024",
    "findings": [
        {"text": t}
        for t in [
            "Compared with Q3 2025 (Jul-Sep) (changes tested ...):",
            "Theft fell 2% (from 50 to 49); this is within normal variation (p = 0.80).",
            "Drugs rose 190% (from 71 to 206); this is a statistically significant increase "
            "(p < 0.001).",
            "Bikes rose 1% (from 99 to 100); this is within normal variation.",
            *"ABCDE",
        ]
    ],
}


def test_callout_has_at_most_five_lines_significant_first_naming_the_comparison():
    out = key_findings_callout(PAGE, findings=RESULT)
    box = re.search(r'<section class="sa-callout".*?</section>', out, re.S).group(0)
    items = re.findall(r"<li[^>]*>(.*?)</li>", box)
    assert len(items) == 5
    # The lead-in's period wins over the header's.
    assert items[0].startswith("Against Q3 2025 (Jul-Sep): Drugs rose 190%")
    assert items[-1] == "No real change in: Theft, Bikes."
    assert "Key findings, Q4 2025" in box and "<!--SA-CALLOUT-->" not in out


def test_print_cover_names_the_page_and_period():
    out = print_cover(PAGE, "Overview")
    assert '<section class="sa-print-cover"' in out and "<h1>Overview</h1>" in out
    assert "Q4 2025" in out and "SYNTHETIC" not in out
    assert "SYNTHETIC" in print_cover('<div class="sa-synthetic"></div><!--SA-COVER-->', "X")


def test_callout_is_left_out_without_a_result():
    out = key_findings_callout(PAGE)
    assert "sa-callout" not in out and "<!--SA-CALLOUT-->" not in out


def test_wide_tables_get_a_scroll_cue_and_a_label():
    import pandas as pd

    from sa_lib.themes.render import table_html
    from sa_lib.themes.results import table

    out = table_html(table(pd.DataFrame({c: [1] for c in "abcdefgh"}), caption="Wards"))
    assert 'class="sa-table-wrap sa-wide sa-cards"' in out and 'aria-label="Wards"' in out
    # On a phone its rows are cards: each cell names its column (issue 21).
    assert '<td data-label="h" class="num">1</td>' in out
    five = table_html(table(pd.DataFrame({c: [1] for c in "abcde"}), caption="W"))
    assert 'class="sa-table-wrap sa-cards"' in five and 'data-label="e"' in five
    narrow = table_html(table(pd.DataFrame({"a": [1]}), caption="W"))
    assert 'class="sa-table-wrap"' in narrow and "data-label" not in narrow


def test_glossary_covers_the_terms_pages_use():
    html = glossary_page()
    for term in (
        "Rate per 1,000",
        "Confidence interval",
        "Significant",
        "False discovery rate",
        "Hot spot",
        "Gi*",
        "SPC",
        "Trend",
        "Suppression",
        "Synthetic data",
    ):
        assert term in html, term
    assert len(re.findall("<dt", html)) == len(GLOSSARY)
