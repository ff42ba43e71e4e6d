"""The pack's own pages from jinja2 templates (autoescaped): index, glossary, national index, footers.

Theme pages are nbconvert exports of the notebooks (template ``sa_report``); the
pages the pack writes itself, and the footer every page carries, are rendered
here from ``templates/pages/*.html.j2`` with the style sheets in
``templates/css/``. Every value is escaped by the template engine, never by hand.

Examples
--------
>>> html = footer_html({"version": "1.0", "generated": "1 Jan 2026", "commit": "abc",
...                     "document": {"protective_marking": "OFFICIAL <x>", "status": "draft"}})
>>> "<strong>OFFICIAL &lt;x&gt;</strong> · draft" in html and "abc" in html
True
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "render_page",
    "footer_context",
    "footer_html",
    "print_plan",
    "CSS",
    "APPENDIX_PAGES",
    "MAX_PRINTED_PAGES",
    "MAX_BOARD_PAPER_PAGES",
]

TEMPLATES = Path(__file__).parent / "templates"
#: The style sheets every page carries inline (pages open offline).
CSS = {
    name: (TEMPLATES / "css" / f"{name}.css").read_text(encoding="utf-8")
    for name in ("report", "furniture", "board")
}

#: The pages' one script (sortable, filterable tables), inlined: pages open offline.
JS = (TEMPLATES / "js" / "tables.js").read_text(encoding="utf-8")

#: Pages that print separately from the main pack, as its appendix (issue 21): the
#: detailed tables behind the front page (the summary's scoring, outcomes, the place
#: profile's deep dive, every ward, partner data) and the glossary. The board paper is
#: a document of its own.
APPENDIX_PAGES = ("summary", "outcomes", "place_profile", "wards", "partner", "glossary")
#: The main printed pack (the front page and every other theme page) fits this many A4 pages.
MAX_PRINTED_PAGES = 40
#: The board paper prints on at most this many A4 pages.
MAX_BOARD_PAPER_PAGES = 4

_ENV = None


def _env():
    global _ENV
    if _ENV is None:
        import jinja2

        _ENV = jinja2.Environment(
            loader=jinja2.ChoiceLoader(
                [
                    jinja2.FileSystemLoader(str(TEMPLATES / "pages")),
                    jinja2.PackageLoader("sa_lib.themes", "templates"),
                ]
            ),
            autoescape=True,
        )
    return _ENV


def render_page(template: str, **context) -> str:
    """Render ``templates/pages/<template>`` with the pages' CSS (``css`` may be overridden)."""
    context.setdefault("css", CSS["report"] + CSS["furniture"] + CSS["board"])
    context.setdefault("js", JS)
    return _env().get_template(template).render(**context)


def footer_context(meta: dict) -> dict:
    """What a footer shows: document control, the synthetic-data line, provenance, attribution.

    ``meta`` keys (all optional): ``document`` (the parameters' ``document``),
    ``document_title``, ``synthetic``, ``version``, ``generated``, ``params``, ``commit``.
    """
    from sa_lib.pack.export import ATTRIBUTION

    doc = _document(meta.get("document"))
    control = None
    if doc:
        parts = []
        if meta.get("document_title"):
            parts.append(str(meta["document_title"]))
        if doc.get("version") is not None:
            parts.append(f"version {doc['version']}")
        parts.append(str(doc.get("status") or "draft"))
        if doc.get("author"):
            parts.append(f"author: {doc['author']}")
        if doc.get("distribution"):
            parts.append("distribution: " + "; ".join(map(str, doc["distribution"])))
        control = {"marking": doc.get("protective_marking") or "", "parts": parts}
    return {
        "doc": control,
        "synthetic": meta.get("synthetic") not in (None, False, "none"),
        "version": meta.get("version", ""),
        "generated": meta.get("generated", ""),
        "params_name": Path(meta["params"]).stem if meta.get("params") else "",
        "commit": meta.get("commit", "unknown"),
        "attribution": ATTRIBUTION,
    }


def _document(doc) -> dict | None:
    """The ``document`` section as the typed parameters read it (a plain dict).

    The footer prints it on every page, so it goes through the same checks as
    ``sa check``: a distribution item that is not text (``[{a: 1}, null]``) or a value
    over its length cap is a clear error naming the key, never ``{'a': 1}; None``.
    """
    if not doc:
        return None
    from pydantic import ValidationError

    from sa_lib.pack.params_errors import messages
    from sa_lib.pack.params_model import Document
    from sa_lib.pack.params_text import text_length_problems

    if isinstance(doc, Document):
        return doc.to_dict()
    try:
        typed = Document.model_validate(doc)
    except ValidationError as e:
        raise ValueError("; ".join(messages(e, Document, ("document",)))) from e
    too_long = text_length_problems(Document, doc, "document.")
    if too_long:
        raise ValueError("; ".join(too_long))
    return typed.to_dict()


def footer_html(meta: dict) -> str:
    """The footer's inner HTML (inside ``<footer class="sa-footer">``)."""
    return _env().get_template("footer.html.j2").render(**footer_context(meta))


def print_plan(rows: list[dict]) -> dict:
    """Which of the index's page rows print in the main pack and which in the appendix.

    ``rows``: the index's page lines (``theme`` and ``name``). Returns ``printed`` and
    ``appendix`` (page names, in the rows' order; the glossary ends the appendix) and
    ``max_pages``.

    Examples
    --------
    >>> plan = print_plan([{"theme": "overview", "name": "Overview"},
    ...                    {"theme": "wards", "name": "Every ward"}])
    >>> plan["printed"], plan["appendix"]
    (['Overview'], ['Every ward', 'Glossary'])
    """
    printed = [r["name"] for r in rows if r["theme"] not in APPENDIX_PAGES]
    appendix = [r["name"] for r in rows if r["theme"] in APPENDIX_PAGES] + ["Glossary"]
    return {"printed": printed, "appendix": appendix, "max_pages": MAX_PRINTED_PAGES}
