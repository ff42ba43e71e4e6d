"""Read the tables of a rendered page back (for tests only: the pack never parses its HTML)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_TABLE = re.compile(r'<table class="sa-table">.*?</table>', re.S)


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.caption, self.header, self.rows = "", [], []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (
                self.__dict__.__setitem__("header", self._row)
                if self._in_head
                else self.rows.append(self._row)
            )
            self._row = None

    def handle_data(self, data):
        if self._in_caption:
            self.caption += data
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[dict]:
    """Every ``sa-table`` on a page: ``caption``, ``header`` (list), ``rows`` (lists of text)."""
    out = []
    for m in _TABLE.finditer(html):
        p = _TableParser()
        p.feed(m.group(0))
        out.append({"caption": p.caption.strip(), "header": p.header, "rows": p.rows})
    return out
