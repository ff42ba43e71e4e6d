"""Export executed notebooks to self-contained partner HTML, and build the pack index.

The HTML has no code cells or prompts, a table of contents, embedded images,
and nothing fetched from the internet (partners open it offline on locked-down
laptops): :func:`external_resources` finds any ``src``/``href`` that would be
fetched, and the runner refuses to publish a page that has one.

Examples
--------
>>> external_resources('<img src="data:image/png;base64,AA"><a href="https://x.org">x</a>')
[]
>>> external_resources('<script src="https://cdn.example/x.js"></script>')
['https://cdn.example/x.js']
"""

from __future__ import annotations

import html as _html
import json
import re
from datetime import datetime
from pathlib import Path

import nbformat

from sa_lib.pack import furniture

__all__ = [
    "ATTRIBUTION",
    "export_html",
    "external_resources",
    "add_toc",
    "write_index",
    "REPORT_CSS",
]

TEMPLATES = Path(__file__).parent / "templates"

#: Attribution carried into every report footer (OGL v3.0).
ATTRIBUTION = [
    "Police data: contains public sector information licensed under the Open Government Licence "
    "v3.0 (data.police.uk).",
    "Boundaries and lookups: Source: Office for National Statistics licensed under the Open "
    "Government Licence v3.0. Contains OS data © Crown copyright and database right.",
    "Population: Census 2021, Office for National Statistics, Open Government Licence v3.0.",
    "Deprivation: English Indices of Deprivation 2019 and 2025, MHCLG; Welsh Index of Multiple "
    "Deprivation 2019, Welsh Government; Open Government Licence v3.0.",
    "National reference geography: ONS LSOA 2021 boundaries, LSOA to ward best-fit "
    "lookup, LAD to CSP to police force area lookup and LSOA 2011 to 2021 change lookup, OGL v3.0.",
]

REPORT_CSS = """
body.sa-report { max-width: 1100px; margin: 0 auto; padding: 0 1rem 2rem; font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
.sa-topbar { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 0; border-bottom: 3px solid #0072B2; margin-bottom: 1rem; }
.sa-topbar a { color: #0072B2; font-weight: 600; }
.sa-toc { background: #f4f7fa; border-left: 4px solid #0072B2; padding: .5rem 1rem; margin: 1rem 0; }
.sa-toc ol { margin: .3rem 0 .3rem 1.2rem; padding: 0; } .sa-toc li { margin: .15rem 0; }
.sa-toc .sa-toc-h3 { margin-left: 1.2rem; font-size: 95%; list-style: circle; }
.sa-header { background: #eef4f9; padding: .8rem 1rem; border-radius: 4px; }
.sa-kicker { font-size: 1.3rem; font-weight: 700; margin: 0 0 .4rem; }
.sa-synthetic { background: #fff3cd; border: 2px solid #E69F00; padding: .6rem .9rem; margin: .6rem 0; border-radius: 4px; }
.sa-banner-failed { background: #fde2e1; border: 2px solid #D55E00; padding: .8rem 1rem; margin: 1rem 0; font-weight: 600; }
.sa-note { background: #f6f6f6; border-left: 4px solid #999; padding: .4rem .8rem; }
.sa-warning { background: #fff8e6; border-left: 4px solid #E69F00; padding: .4rem .8rem; }
table.sa-table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 90%; }
table.sa-table caption { text-align: left; font-weight: 600; padding: .3rem 0; }
table.sa-table th { background: #0072B2; color: white; padding: .3rem .5rem; text-align: left; }
table.sa-table td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; }
.jp-RenderedHTMLCommon table.sa-table td, .jp-RenderedHTMLCommon table.sa-table th { text-align: left; }
.jp-RenderedHTMLCommon table.sa-table td.sa-count, .jp-RenderedHTMLCommon table.sa-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sa-table tr:nth-child(even) td { background: #fafafa; }
ul.sa-findings li { margin: .35rem 0; }
.sa-footer { margin-top: 2rem; border-top: 1px solid #ccc; padding-top: .6rem; font-size: 85%; color: #444; }
.jp-OutputArea-output img { max-width: 100%; height: auto; }
.sa-badge { background: #fff3cd; border: 1px solid #E69F00; padding: 0 .3rem; font-size: 80%; }
.sa-download { font-size: 85%; margin: -.6rem 0 1rem; }
.sa-doc-control { font-weight: 600; }
.sa-headlines { margin: .2rem 0 0 1rem; padding: 0; font-size: 90%; color: #333; }
@media print {
  .sa-topbar a, .sa-toc { display: none; }
  body.sa-report { max-width: none; }
  .jp-OutputArea-output img, .sa-findings { page-break-inside: avoid; }
  h2, h3 { page-break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""",
    re.I,
)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.I,
)


def external_resources(html: str) -> list[str]:
    """URLs that a browser would fetch to show this page (scripts, styles, images, fonts).

    Ordinary links (``<a href>``) are not fetched and are not listed.
    """
    found = [m.group(1) for m in _EXTERNAL.finditer(html)]
    for m in _CSS_IMPORT.finditer(html):
        found.append(m.group(1) or m.group(2))
    return found


_HEADING = re.compile(r"<h([23])\s+id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S | re.I)


def add_toc(html: str) -> str:
    """Insert a numbered table of contents at the ``<!--SA-TOC-->`` mark.

    Sections (h2) are numbered 1, 2, 3, ...; subsections (h3) are listed under
    their section (a, b, c), so the numbers run without gaps.
    """
    sections: list[tuple[str, list[str]]] = []
    for level, hid, inner in _HEADING.findall(html):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        link = f'<a href="#{hid}">{_html.escape(_html.unescape(text))}</a>'
        if level == "2" or not sections:
            sections.append((link, []))
        else:
            sections[-1][1].append(link)
    items = []
    for link, subs in sections:
        sub = (
            '<ol class="sa-toc-sub">'
            + "".join(f'<li class="sa-toc-h3">{s}</li>' for s in subs)
            + "</ol>"
            if subs
            else ""
        )
        items.append(f"<li>{link}{sub}</li>")
    toc = (
        '<nav class="sa-toc" aria-label="Contents"><strong>Contents</strong><ol>'
        + "".join(items)
        + "</ol></nav>"
    )
    return html.replace("<!--SA-TOC-->", toc if items else "", 1)


def add_alt_text(html: str) -> str:
    """Give each embedded chart without alt text one naming its section, for screen readers.

    Examples
    --------
    >>> add_alt_text('<h2 id="t">Trends</h2><img src="data:x">')
    '<h2 id="t">Trends</h2><img alt="Chart: Trends" src="data:x">'
    """
    out, last, pos = [], "the report", 0
    pattern = r"<h[23]\s[^>]*>(.*?)</h[23]>|<img\b(?![^>]*\balt=)([^>]*)>"
    for m in re.finditer(pattern, html, re.S):
        if m.group(1) is not None:
            last = re.sub(r"<[^>]+>", "", m.group(1)).replace("¶", "").strip()
            continue
        out.append(html[pos : m.start()])
        out.append(f'<img alt="Chart: {_html.escape(last, quote=True)}"{m.group(2)}>')
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def document_control_line(meta: dict) -> str:
    """The document-control line of every footer (from the parameters' ``document``), or "".

    Examples
    --------
    >>> document_control_line({"document_title": "SA", "document": {"version": "0.2", "status": "draft",
    ...     "protective_marking": "OFFICIAL", "author": "Team", "distribution": ["Board"]}})
    '<p class="sa-doc-control"><strong>OFFICIAL</strong> · SA · version 0.2 · draft · author: Team · distribution: Board</p>'
    """
    doc = meta.get("document")
    if not doc:
        return ""
    parts = []
    if doc.get("protective_marking"):
        parts.append(f"<strong>{_html.escape(str(doc['protective_marking']))}</strong>")
    if meta.get("document_title"):
        parts.append(_html.escape(str(meta["document_title"])))
    if doc.get("version") is not None:
        parts.append(f"version {_html.escape(str(doc['version']))}")
    parts.append(_html.escape(str(doc.get("status") or "draft")))
    if doc.get("author"):
        parts.append(f"author: {_html.escape(str(doc['author']))}")
    if doc.get("distribution"):
        parts.append("distribution: " + _html.escape("; ".join(map(str, doc["distribution"]))))
    return f'<p class="sa-doc-control">{" · ".join(parts)}</p>'


def _footer(meta: dict) -> str:
    lines = "".join(f"<li>{_html.escape(a)}</li>" for a in ATTRIBUTION)
    syn = ""
    if meta.get("synthetic"):
        syn = (
            "<p><strong>This page uses SYNTHETIC data</strong> generated by the workbench over the real "
            "LSOAs and wards (see the labelled sections). It is not a real police extract.</p>"
        )
    return (
        f"{document_control_line(meta)}{syn}<p>Produced by sa-workbench {meta.get('version', '')} on {meta.get('generated', '')}"
        f" from the run settings <code>{_html.escape(Path(meta.get('params', '')).stem)}</code>, commit "
        f"<code>{_html.escape(meta.get('commit', 'unknown'))}</code>.</p><p>Data sources and licences:</p>"
        f"<ul>{lines}</ul>"
    )


def export_html(ipynb: Path, html_out: Path, *, title: str, meta: dict) -> str:
    """Convert an executed notebook to partner HTML and write it.

    Code cells, prompts and stderr streams (library noise; warnings are shown as
    notes by :func:`sa_lib.themes.report.setup_notebook`) are left out. Returns the HTML.

    Raises
    ------
    RuntimeError
        If the page would fetch anything from the internet.
    """
    from nbconvert import HTMLExporter

    nb = nbformat.read(ipynb, as_version=4)
    synthetic = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
            for o in cell.outputs:
                data = o.get("data", {})
                if "sa-synthetic" in str(data.get("text/html", "")):
                    synthetic = True
    exporter = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATES)],
        template_name="sa_report",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # nbconvert warns of images without alt text; add_alt_text below supplies it.
    exporter.log.setLevel("ERROR")
    nb.metadata["title"] = title
    resources = {
        "sa_css": REPORT_CSS,
        "sa_furniture_css": furniture.FURNITURE_CSS,
        "sa_title": title,
        "sa_footer": _footer({**meta, "synthetic": synthetic}),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_alt_text(add_toc(body)).replace("<!--SA-STATUS-->", "", 1)
    from sa_lib.pack.downloads import add_downloads, write_result_csvs

    result = read_result(html_out.parent, html_out.stem)
    if result is not None:
        # Built from a theme result: its tables are the downloads, its findings the call-out.
        write_result_csvs(result, html_out.parent, html_out.stem)
    else:
        body = add_downloads(body, html_out.parent, html_out.stem)
    body = furniture.key_findings_callout(body, findings=result)
    body = furniture.print_cover(body, title)
    body = furniture.wrap_tables(body)
    ext = external_resources(body)
    if ext:
        raise RuntimeError(
            f"{html_out.name} would fetch {len(ext)} resource(s) from the internet, e.g. {ext[0]}"
        )
    html_out.write_text(body, encoding="utf-8")
    (html_out.parent / "glossary.html").write_text(
        furniture.glossary_page(meta=meta), encoding="utf-8"
    )
    return body


#: Folder of a pack holding each page's structured result (``<theme>.json``).
RESULTS_DIR = "results"


def read_result(pack_dir: Path, page: str) -> dict | None:
    """A page's structured result (written by :func:`sa_lib.themes.render.publish`), or None."""
    path = Path(pack_dir) / RESULTS_DIR / f"{page}.json"
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def result_headlines(result: dict, n: int = 2) -> list[str]:
    """The first ``n`` key findings of a page's result, as text (lead-ins ending ":" left out).

    Examples
    --------
    >>> result_headlines({"findings": [{"text": "Since 2024:"}, {"text": "A rose."}, {"text": "B."}]}, 1)
    ['A rose.']
    """
    texts = [f["text"].strip() for f in result.get("findings", [])]
    return [t for t in texts if t and not t.endswith(":")][:n]


def headlines(html: str, n: int = 2) -> list[str]:
    """The first ``n`` key findings of a theme page (its first ``sa-findings`` list), as text.

    Examples
    --------
    >>> headlines('<ul class="sa-findings"><li>Since 2024:</li><li>A rose.</li><li>B fell.</li><li>C.</li></ul>')
    ['A rose.', 'B fell.']
    """
    m = re.search(r'<ul class="sa-findings">(.*?)</ul>', html, re.S)
    if not m:
        return []
    items = re.findall(r"<li>(.*?)</li>", m.group(1), re.S)
    # An evidence link beside a finding (the summary's) is not part of its text.
    items = [re.sub(r'<a class="sa-evidence".*?</a>', "", i, flags=re.S) for i in items]
    texts = [_html.unescape(re.sub(r"<[^>]+>", "", i)).strip() for i in items]
    # A lead-in such as "Compared with Q4 2024 (...):" is context, not a finding.
    return [t for t in texts if t and not t.endswith(":")][:n]


def workbook_link(out_dir: Path) -> str:
    """A link to the pack's workbook of every table, when the pages have tables."""
    from sa_lib.pack.downloads import DATA_DIR, WORKBOOK

    # The runner writes the workbook from the pages' CSVs right after the index.
    if not any((Path(out_dir) / DATA_DIR).glob("*.csv")):
        return ""
    return (
        f'<p class="sa-download">Every table of every page: <a href="{WORKBOOK}" download>Excel '
        "workbook</a> (a sheet per table, with a contents sheet); each page also has a CSV "
        "beside each table.</p>"
    )


def write_index(
    out_dir: Path,
    *,
    title: str,
    period_label: str,
    results: list[dict],
    meta: dict,
    partial_of: list[str] | None = None,
) -> Path:
    """Write ``index.html`` linking each theme's page, with its status.

    ``partial_of`` lists the themes of the full pack when only some were run: the
    page then says it is a partial run.
    """
    rows = []
    for r in results:
        name = _html.escape(r.get("title") or r["theme"].replace("_", " ").capitalize())
        if r["status"] == "ok":
            link = f'<a href="{_html.escape(r["theme"])}.html">{name}</a>'
            page = out_dir / f"{r['theme']}.html"
            text = page.read_text(encoding="utf-8") if page.exists() else ""
            n_heads = 8 if r["theme"] == "summary" else 2
            result = read_result(out_dir, r["theme"])
            heads = result_headlines(result, n_heads) if result else headlines(text, n_heads)
            if 'class="sa-synthetic"' in text:
                link += ' <strong class="sa-badge">SYNTHETIC DATA</strong>'
                if 'data-sa-synthetic="part"' not in text:
                    # Headlines of a page built on synthetic data say so in their text.
                    heads = [
                        h if h.upper().startswith("SYNTHETIC") else f"SYNTHETIC: {h}" for h in heads
                    ]
            if heads:
                link += (
                    '<ul class="sa-headlines">'
                    + "".join(f"<li>{_html.escape(h)}</li>" for h in heads)
                    + "</ul>"
                )
            status = "complete"
        else:
            link = name
            status = f"FAILED (no report published): {_html.escape(r.get('error_summary', ''))}"
        rows.append(
            f'<tr><td>{link}</td><td>{status}</td><td class="num">{r.get("seconds", 0):.1f} s</td></tr>'
        )
    failed = any(r["status"] != "ok" for r in results)
    banner = (
        '<div class="sa-banner-failed">This pack is INCOMPLETE: at least one theme failed. '
        "Do not circulate it; see run.log.</div>"
        if failed
        else ""
    )
    if partial_of is not None:
        missing = [t for t in partial_of if t not in {r["theme"] for r in results}]
        banner += (
            '<div class="sa-banner-failed">PARTIAL RUN: only some themes were run; not run: '
            f"{_html.escape(', '.join(missing))}. This is not the full pack.</div>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_html.escape(title)}: {_html.escape(period_label)}</title><style>{REPORT_CSS}{furniture.FURNITURE_CSS}</style></head>
<body class="sa-report"><header class="sa-topbar"><span>{_html.escape(title)}</span>
<a class="sa-glossary-link" href="glossary.html">Glossary: what the terms mean</a></header>
<h1>{_html.escape(title)}</h1><p>Strategic assessment pack for <strong>{_html.escape(period_label)}</strong>,
produced {datetime.now():%d %B %Y %H:%M}.</p>{banner}
<table class="sa-table"><thead><tr><th>Theme</th><th>Status</th><th>Run time</th></tr></thead><tbody>
{"".join(rows)}</tbody></table>
{workbook_link(out_dir)}<p>Each page opens offline. Analysts: the executed notebooks are in <code>notebooks/</code>; the run's
parameters, input hashes and package versions are in <code>manifest.json</code>.</p>
<footer class="sa-footer">{_footer(meta)}</footer></body></html>"""
    from sa_lib.pack.downloads import add_downloads

    page = add_downloads(page, out_dir, "index")
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    (out_dir / "glossary.html").write_text(furniture.glossary_page(meta=meta), encoding="utf-8")
    return path
