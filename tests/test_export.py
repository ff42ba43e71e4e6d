import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from sa_lib.pack.export import ATTRIBUTION, add_toc, export_html, external_resources, write_index

META = {"version": "0.1.0", "generated": "2026-01-05 10:00", "params": "p.yaml", "commit": "abc123"}


# ---- external_resources -------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "url"),
    [
        ('<script src="https://cdn.example/x.js"></script>', "https://cdn.example/x.js"),
        ("<link rel=stylesheet href='http://fonts.example/f.css'>", "http://fonts.example/f.css"),
        ('<img alt="" src="//img.example/a.png">', "//img.example/a.png"),
        ("<IMG SRC=https://img.example/b.png>", "https://img.example/b.png"),
        ('<iframe src="https://maps.example/embed"></iframe>', "https://maps.example/embed"),
        (
            "<style>@import url('https://fonts.example/a.css');</style>",
            "https://fonts.example/a.css",
        ),
        ('<style>@import "//fonts.example/b.css";</style>', "//fonts.example/b.css"),
        (
            '<div style="background: url(https://img.example/bg.png)"></div>',
            "https://img.example/bg.png",
        ),
    ],
)
def test_external_resources_found(html, url):
    assert external_resources(html) == [url]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://data.police.uk">data.police.uk</a>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<link rel="stylesheet" href="style.css">',
        '<script src="local.js"></script>',
        "<style>.x { background: url(data:image/svg+xml;base64,AAAA) }</style>",
        "<p>See https://www.gov.uk for more.</p>",
    ],
)
def test_external_resources_ignored(html):
    assert external_resources(html) == []


# ---- add_toc ----------------------------------------------------------------------------


def test_add_toc():
    html = (
        "<body><!--SA-TOC--><h1 id='t'>Title</h1>"
        '<h2 id="Key-findings">Key findings<a class="anchor-link" href="#Key-findings">¶</a></h2>'
        '<h3 id="Crime-&amp;-ASB">Crime &amp; ASB</h3>'
        "<h2>No id, not listed</h2>"
        '<h4 id="deep">Too deep</h4></body>'
    )
    out = add_toc(html)
    toc = re.search(r'<nav class="sa-toc".*?</nav>', out).group(0)
    assert re.findall(r'<li( class="sa-toc-h3")?><a href="#([^"]+)">([^<]*)</a>', toc) == [
        ("", "Key-findings", "Key findings"),
        (' class="sa-toc-h3"', "Crime-&amp;-ASB", "Crime &amp; ASB"),
    ]
    assert "<!--SA-TOC-->" not in out
    assert out.index("sa-toc") < out.index("<h1")


def test_add_toc_without_headings_removes_mark():
    assert add_toc("<p><!--SA-TOC-->x</p>") == "<p>x</p>"


# ---- export_html ------------------------------------------------------------------------


def notebook(tmp_path, html_output="<table><tr><td>Shown table</td></tr></table>"):
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("## Key findings\n\nSome text.\n\n### Detail"),
        new_code_cell(
            "SECRET_INPUT_CODE = 1",
            execution_count=1,
            outputs=[
                new_output("display_data", data={"text/html": html_output, "text/plain": "x"}),
                new_output("stream", name="stderr", text="NOISY LIBRARY WARNING\n"),
                new_output("stream", name="stdout", text="printed result\n"),
            ],
        ),
    ]
    f = tmp_path / "overview.ipynb"
    nbformat.write(nb, f)
    return f


def test_export_html(tmp_path):
    out = tmp_path / "overview.html"
    html = export_html(notebook(tmp_path), out, title="Test CSP: overview", meta=META)
    assert out.read_text(encoding="utf-8") == html
    assert "Shown table" in html and "printed result" in html
    assert "SECRET_INPUT_CODE" not in html  # no input code
    assert "NOISY LIBRARY WARNING" not in html  # no stderr
    assert not re.search(r"(In|Out)(&nbsp;|\s)*\[1\]", html)  # no prompts
    toc = re.search(r'<nav class="sa-toc".*?</nav>', html, re.S).group(0)
    assert 'href="#Key-findings">Key findings' in toc and 'class="sa-toc-h3"' in toc
    for line in ATTRIBUTION:
        assert line in html
    assert "commit <code>abc123</code>" in html
    assert "<!--SA-STATUS-->" not in html
    assert external_resources(html) == []
    assert "Test CSP: overview" in html
    assert "SYNTHETIC" not in html


def test_export_html_labels_synthetic_pages(tmp_path):
    # The page's result decides it (its synthetic state), not a substring of the HTML.
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "o.json").write_text('{"synthetic": "page", "findings": []}')
    html = export_html(
        notebook(tmp_path, '<div class="sa-synthetic">SYNTHETIC DATA.</div>'),
        tmp_path / "o.html",
        title="t",
        meta=META,
    )
    assert "This page uses SYNTHETIC data" in html


def test_export_html_refuses_external_resources(tmp_path):
    out = tmp_path / "o.html"
    f = notebook(tmp_path, '<script src="https://cdn.example/plotly.js"></script>')
    with pytest.raises(RuntimeError, match=r"o.html would fetch 1 resource.*cdn.example"):
        export_html(f, out, title="t", meta=META)
    assert not out.exists()


# ---- write_index ----------------------------------------------------------------------


def test_write_index_marks_failed_theme(tmp_path):
    results = [
        {"theme": "overview", "status": "ok", "seconds": 12.34},
        {"theme": "hot_spots", "status": "failed", "seconds": 1.0, "error_summary": "x < y"},
    ]
    path = write_index(
        tmp_path, title="Test CSP", period_label="Q4 2025 (Oct-Dec)", results=results, meta=META
    )
    assert path == tmp_path / "index.html"
    html = path.read_text(encoding="utf-8")
    assert '<a href="overview.html">Overview</a>' in html
    assert "12.3 s" not in html, "run times live in manifest.json and run.log"
    assert "Hot spots</td><td>FAILED (no report published): x &lt; y" in html
    assert 'href="hot_spots.html"' not in html
    assert "This pack is INCOMPLETE" in html
    assert external_resources(html) == []
    assert ATTRIBUTION[0] in html


def test_write_index_complete(tmp_path):
    results = [{"theme": "overview", "status": "ok", "seconds": 2.0}]
    html = write_index(
        tmp_path, title="T", period_label="2025", results=results, meta=META
    ).read_text()
    assert "INCOMPLETE" not in html and "FAILED" not in html
    assert '<a href="overview.html">Overview</a>' in html


def test_index_shows_headlines_and_labels_synthetic_themes(tmp_path):
    import json

    from sa_lib.pack.export import write_index

    (tmp_path / "violence.html").write_text('<div class="sa-synthetic">SYNTHETIC</div>')
    (tmp_path / "overview.html").write_text("<p>page</p>")
    # Headlines come from each page's result, never from its HTML.
    (tmp_path / "results").mkdir()
    for theme, texts in {
        "violence": ["Since 2024:", "Violence rose 4% (n.s.).", "Second.", "Third."],
        "overview": ["Crime rose."],
    }.items():
        # The result says whether the page draws on synthetic inputs (the HTML is not read).
        state = "page" if theme == "violence" else "none"
        (tmp_path / "results" / f"{theme}.json").write_text(
            json.dumps({"synthetic": state, "findings": [{"text": t} for t in texts]})
        )
    results = [
        {"theme": "overview", "title": "Overview", "status": "ok", "seconds": 1.0},
        {"theme": "violence", "title": "Violence", "status": "ok", "seconds": 1.0},
    ]
    html = write_index(
        tmp_path, title="T", period_label="Q4 2025", results=results, meta={}
    ).read_text()
    # Headlines from a synthetic page say so in their own text (a copied line keeps it).
    # One line per page: its first finding (a lead-in ending ":" is skipped).
    assert '<ul class="sa-headlines"><li>SYNTHETIC: Violence rose 4% (n.s.).</li></ul>' in html
    assert "<li>Crime rose.</li>" in html
    assert "Since 2024:" not in html and "Second." not in html
    row = {r.split("</td>")[0] for r in html.split("<tr><td>")[1:]}
    assert any("Violence" in r and "SYNTHETIC DATA" in r for r in row)
    assert not any("Overview" in r and "SYNTHETIC DATA" in r for r in row)
