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

#: The pages' style sheet (a package file, ``templates/css/report.css``).
REPORT_CSS = (TEMPLATES / "css" / "report.css").read_text(encoding="utf-8")

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


_WRAPPER_TAB = re.compile(r'(<div class="jp-[^"]*"[^>]*?)\s+tabindex="0"')


def drop_wrapper_tab_stops(html: str) -> str:
    """Take the notebook's cell and output wrappers out of the tab order.

    nbconvert makes every cell wrapper focusable; with no name they are unnamed tab
    stops for a keyboard or screen-reader user (the tables' named scroll regions stay).

    Examples
    --------
    >>> drop_wrapper_tab_stops('<div class="jp-Cell-inputWrapper" tabindex="0"><a href="#">x</a></div>')
    '<div class="jp-Cell-inputWrapper"><a href="#">x</a></div>'
    """
    return _WRAPPER_TAB.sub(r"\1", html)


def _footer(meta: dict) -> str:
    from sa_lib.pack.pages import footer_html

    return footer_html(meta)


_EXPORTER = None


def _exporter():
    """This process's HTML exporter (its template environment is built once, not per page)."""
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter

        _EXPORTER = HTMLExporter(
            extra_template_basedirs=[str(TEMPLATES)],
            template_name="sa_report",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        # nbconvert warns of images without alt text; add_alt_text supplies it.
        _EXPORTER.log.setLevel("ERROR")
    return _EXPORTER


def export_html(ipynb, html_out: Path, *, title: str, meta: dict) -> str:
    """Convert an executed notebook (a path, or a notebook node) to partner HTML and write it.

    Code cells, prompts and stderr streams (library noise; warnings are shown as
    notes by :func:`sa_lib.themes.report.setup_notebook`) are left out. Returns the HTML.
    A node (from :func:`sa_lib.pack.direct.build_notebook`) is not changed.

    Raises
    ------
    RuntimeError
        If the page would fetch anything from the internet.
    """
    import copy

    from sa_lib.pack.pages import APPENDIX_PAGES, CSS, JS

    if isinstance(ipynb, (str, Path)):
        nb = nbformat.read(ipynb, as_version=4)
    else:
        nb = copy.deepcopy(ipynb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    # The page's result (render.publish): its tables are the downloads, its findings the
    # call-out, and whether it draws on synthetic inputs. A notebook that publishes none
    # gets neither (nothing is read from the HTML).
    result = read_result(html_out.parent, html_out.stem)
    synthetic = result_synthetic(result)
    exporter = _exporter()
    nb.metadata["title"] = title
    resources = {
        "sa_css": REPORT_CSS,
        "sa_furniture_css": furniture.FURNITURE_CSS + CSS["board"],
        "sa_js": JS,
        "sa_title": title,
        "sa_footer": _footer({**meta, "synthetic": synthetic}),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_alt_text(add_toc(body)).replace("<!--SA-STATUS-->", "", 1)
    body = drop_wrapper_tab_stops(body)
    from sa_lib.pack.downloads import write_result_csvs

    write_result_csvs(result or {}, html_out.parent, html_out.stem)
    body = furniture.key_findings_callout(body, findings=result)
    body = furniture.print_cover(
        body, title, synthetic=synthetic, appendix=html_out.stem in APPENDIX_PAGES
    )
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


def result_synthetic(result: dict | None) -> str:
    """``"page"``, ``"part"`` or ``"none"``: how much of a page draws on synthetic inputs.

    Read from the page's result JSON (decided by its result objects), never from the HTML.

    Examples
    --------
    >>> result_synthetic({"synthetic": "part"}), result_synthetic({"synthetic": "none"})
    ('part', 'none')
    >>> result_synthetic(None), result_synthetic({"synthetic": True})
    ('none', 'page')
    """
    value = (result or {}).get("synthetic", "none")
    if value is True:
        return "page"
    return value if value in ("page", "part") else "none"


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


def write_index(
    out_dir: Path,
    *,
    title: str,
    period_label: str,
    results: list[dict],
    meta: dict,
    partial_of: list[str] | None = None,
) -> Path:
    """Write ``index.html``: the summary's key findings in rank order, then one line per page.

    The front page reads the results (``results/<theme>.json``, see
    :mod:`sa_lib.pack.front`): the key findings (each linked to its evidence), the
    recommended priorities, the review of the current priorities, and each page's
    first finding. A failed theme is named in a banner and its row; run times are in
    ``manifest.json`` and ``run.log``. ``partial_of`` lists the themes of the full pack
    when only some were run: the page then says it is a partial run.
    """
    from sa_lib.pack.downloads import DATA_DIR, WORKBOOK
    from sa_lib.pack.front import summary_view, theme_lines
    from sa_lib.pack.pages import CSS, footer_context, print_plan, render_page

    not_run = None
    if partial_of is not None:
        not_run = [t for t in partial_of if t not in {r["theme"] for r in results}]
    rows = theme_lines(out_dir, results)
    page = render_page(
        "index.html.j2",
        css=CSS["report"] + CSS["furniture"] + CSS["board"],
        title=title,
        period_label=period_label,
        produced=f"{datetime.now():%d %B %Y %H:%M}",
        failed=any(r["status"] != "ok" for r in results),
        failed_names=[r["name"] for r in rows if not r["ok"]],
        not_run=not_run,
        rows=rows,
        print_plan=print_plan(rows),
        summary=summary_view(out_dir),
        # The runner writes the workbook from the pages' CSVs right after the index.
        workbook=WORKBOOK if any((Path(out_dir) / DATA_DIR).glob("*.csv")) else None,
        **footer_context(meta),
    )
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    (out_dir / "glossary.html").write_text(furniture.glossary_page(meta=meta), encoding="utf-8")
    return path
