"""Page furniture: the key-findings call-out, print cover, table scroll boxes, glossary."""

from __future__ import annotations

import re

from sa_lib.pack.furniture import (
    GLOSSARY,
    glossary_page,
    key_findings_callout,
    print_cover,
    wrap_tables,
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


def test_callout_has_at_most_five_lines_significant_first_naming_the_comparison():
    out = key_findings_callout(PAGE)
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


def test_wide_tables_get_a_scroll_cue_and_a_label():
    wide = (
        '<table class="sa-table"><caption>Wards</caption><tr>' + "<th>x</th>" * 8 + "</tr></table>"
    )
    out = wrap_tables(wide)
    assert 'class="sa-table-wrap sa-wide"' in out and 'aria-label="Wards"' in out


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
