"""The golden pack: what the sample pack publishes, as a structure a test can compare cell by cell.

A plain helper for tests and ``scripts/golden.py`` (not part of the library). It reads
a *built* pack folder (``outputs/<csp>_<period>/``) and returns what partners receive,
keyed on things that survive refactors of how the pack is made:

``tables``
    ``{page: [{"caption", "occurrence", "synthetic", "header", "rows"}, ...]}``. A
    table is identified by its page, its caption (a leading ``SYNTHETIC DATA:`` label
    is moved into the ``synthetic`` flag, so relabelling does not change the key) and
    its occurrence among tables of that page with the same caption. A table with no
    caption is keyed by its header: ``"(no caption) Measure | Value"``. File names and
    table order on the page are not part of the key.
``findings``
    ``{page: [[item, ...], ...]}``: each ``<ul class="sa-findings">`` list of a page in
    page order; an item is ``{"text", "synthetic"}`` (tags stripped, whitespace
    normalised, the analyst's "Evidence" link dropped, a ``SYNTHETIC:`` /
    ``SYNTHETIC DATA:`` label moved into the flag).
``headlines``
    ``{page: [item, ...]}``: the index page's headlines under each theme's link.

What the reader assumes (so the CSV format may change without breaking it):

* A page is ``<page>.html`` in the pack folder (``index`` included); its tables are
  the CSV files it links to (``href="....csv"``), in link order. A page that links
  no CSV falls back to the CSVs in ``data/`` named ``<page>_NN_*.csv``. A table's
  caption is the CSV's title line or, when the CSV has none, the ``<caption>`` of
  the last table before the link on the page.
* A CSV is read as UTF-8 with or without a BOM. Leading lines with a single cell
  before a wider line are title lines (in a one-column table, only lines starting
  with ``#``); the first is the caption, less a ``# `` prefix. The next line is the
  header, the rest are rows. Blank lines are ignored.
* Cells are as published: ``1,204`` becomes the integer 1204, ``0.40`` the float
  0.4, an empty cell None; everything else (``<10``, ``[c]``, ``12%``,
  ``not available``, intervals) stays a string.

Run-to-run noise is normalised: ISO timestamps become ``<timestamp>``; the day the
pack was made (from ``manifest.json``'s ``started``/``finished``, and today) in any of
the forms ``2026-12-07``, ``07 December 2026``, ``7 December 2026``, ``07/12/2026``
becomes ``<date>``; git commit hashes after the word "commit" become ``<commit>``,
temporary paths ``<tmp>``, and run times (``7.7 s`` in a "Run time" column, or
"took 3.2 s" in text) ``<seconds>``. Dates in the data (an event day, a recording
rule's start) are kept: they are findings.

:func:`compare` reports every difference. Integers, strings (suppression marks
included), None and booleans must match exactly. Floats (rates, p-values, shares,
Gini, everything published with a decimal point) match when
``abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)`` with
``REL_TOL = 1e-6`` and ``ABS_TOL = 1e-9``; an integer against a float is compared
the same way (``3`` and ``3.0`` are equal).

Examples
--------
>>> snap = {"tables": {"p": [{"caption": "T", "occurrence": 0, "synthetic": False,
...     "header": ["Ward", "Crimes"], "rows": [["A", 12]]}]}, "findings": {}, "headlines": {}}
>>> compare(snap, snap)
[]
>>> import copy
>>> other = copy.deepcopy(snap)
>>> other["tables"]["p"][0]["rows"][0][1] = "<10"
>>> compare(snap, other)
["p / 'T' / row 'A' / column 'Crimes': expected 12, got '<10'"]
"""

from __future__ import annotations

import csv
import datetime
import html as _html
import io
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "REL_TOL",
    "ABS_TOL",
    "FIXTURE",
    "build_sample_pack",
    "snapshot",
    "compare",
    "read_table_csv",
    "cell",
    "normalise_text",
]

#: Relative tolerance for floats.
REL_TOL = 1e-6
#: Absolute tolerance for floats.
ABS_TOL = 1e-9
#: The committed golden snapshot of the sample pack.
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "golden" / "huntingdonshire_2025q4.json"

_SYNTHETIC = re.compile(r"^\s*SYNTHETIC(?: DATA)?\s*:\s*", re.I)
_NUMBER = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$|^-?\d+(\.\d+)?$")
_NOISE = [
    (
        re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b"),
        "<timestamp>",
    ),
    (re.compile(r"\b(commit\s+)[0-9a-f]{7,40}\b", re.I), r"\1<commit>"),
    (re.compile(r"(?:/private)?/(?:tmp|var/folders)/\S*"), "<tmp>"),
    (re.compile(r"\b(took|in|run time:?)\s+\d+(\.\d+)?\s*s\b", re.I), r"\1 <seconds>"),
]
_RUN_TIME_HEADER = re.compile(r"run ?time|seconds|duration", re.I)


def normalise_text(text: str) -> str:
    """Collapse whitespace and replace what changes from run to run.

    Examples
    --------
    >>> normalise_text("Built  2026-01-02T10:11:12 from commit 3fa9c1d in /tmp/x/y.")
    'Built <timestamp> from commit <commit> in <tmp>'
    >>> normalise_text("Q4 2025: 2025-12 is a month, kept.")
    'Q4 2025: 2025-12 is a month, kept.'
    """
    t = re.sub(r"\s+", " ", text).strip()
    for pattern, repl in _NOISE:
        t = pattern.sub(repl, t)
    return t


def cell(text: str) -> int | float | str | None:
    """A published cell as a value: plain numbers become numbers, an empty cell None.

    Examples
    --------
    >>> [cell(x) for x in ["1,204", "0.40", "-3", "<10", "[c]", "12%", "", "not available"]]
    [1204, 0.4, -3, '<10', '[c]', '12%', None, 'not available']
    """
    t = normalise_text(text)
    if t == "":
        return None
    if _NUMBER.match(t):
        n = t.replace(",", "")
        return float(n) if "." in n else int(n)
    return t


def _split_synthetic(text: str) -> tuple[str, bool]:
    m = _SYNTHETIC.match(text)
    return (text[m.end() :], True) if m else (text, False)


# --------------------------------------------------------------------------- tables


def read_table_csv(path: Path) -> dict:
    """A published table's CSV: ``caption``, ``synthetic``, ``header`` and ``rows`` of values.

    Tolerates a BOM, title lines before the header (one cell each; a ``# `` prefix is
    dropped, the first is the caption) and blank lines.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text('# SYNTHETIC DATA: Crimes\\nWard,Crimes\\nA,"1,204"\\nB,<10\\n', encoding="utf-8-sig")
    >>> read_table_csv(p)
    {'caption': 'Crimes', 'synthetic': True, 'header': ['Ward', 'Crimes'], 'rows': [['A', 1204], ['B', '<10']]}
    """
    text = Path(path).read_bytes().decode("utf-8-sig")
    lines = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    # Title lines: the leading one-cell lines before a wider header; in a one-column
    # table only lines starting with "#" are titles.
    wide = any(len(r) > 1 for r in lines)
    titles = []
    while len(lines) > 1 and (
        (wide and len(lines[0]) == 1) or (not wide and lines[0][0].lstrip().startswith("#"))
    ):
        titles.append(lines.pop(0)[0].strip())
    caption = re.sub(r"^#\s*", "", titles[0]) if titles else ""
    caption, synthetic = _split_synthetic(normalise_text(caption))
    # The leading quote that keeps a text cell from being read as a formula (OWASP CSV
    # injection, sa_lib.pack.downloads.neutralise) is not part of the value shown.
    from sa_lib.pack.downloads import restore

    header = [normalise_text(restore(h)) for h in lines[0]] if lines else []
    rows = [[cell(restore(c)) for c in r] for r in lines[1:]]
    return {"caption": caption, "synthetic": synthetic, "header": header, "rows": rows}


def _page_csvs(pack_dir: Path, page: str, html: str) -> list[tuple[Path, str]]:
    """The CSVs a page links to, in order, each with the caption of the table just before its link."""
    seen, out, prev = set(), [], 0
    for m in re.finditer(r'href="([^"#?]+\.csv)"', html):
        p = (pack_dir / _html.unescape(m.group(1))).resolve()
        captions = re.findall(r"<caption[^>]*>(.*?)</caption>", html[prev : m.start()], re.S)
        prev = m.end()
        if p not in seen and p.is_file():
            seen.add(p)
            caption = _html.unescape(re.sub(r"<[^>]+>", "", captions[-1])) if captions else ""
            out.append((p, caption))
    if not out:
        out = [(p, "") for p in sorted((pack_dir / "data").glob(f"{page}_[0-9][0-9]_*.csv"))]
    return out


def _run_time_columns(header: list[str]) -> list[int]:
    return [i for i, h in enumerate(header) if _RUN_TIME_HEADER.search(h or "")]


def _page_tables(pack_dir: Path, page: str, html: str) -> list[dict]:
    tables, seen = [], {}
    for path, html_caption in _page_csvs(pack_dir, page, html):
        t = read_table_csv(path)
        if not t["caption"] and html_caption:
            # A CSV without a title line: the caption of the table its link follows.
            t["caption"], t["synthetic"] = _split_synthetic(normalise_text(html_caption))
        for i in _run_time_columns(t["header"]):
            for r in t["rows"]:
                if i < len(r) and r[i] is not None:
                    r[i] = "<seconds>"
        caption = t["caption"] or "(no caption) " + " | ".join(t["header"])
        occurrence = seen.get(caption, 0)
        seen[caption] = occurrence + 1
        tables.append({**t, "caption": caption, "occurrence": occurrence})
    return tables


# --------------------------------------------------------------------------- findings


class _ListParser(HTMLParser):
    """Items of ``<ul class="sa-findings">`` / ``sa-headlines`` lists, with the page each follows."""

    def __init__(self, cls: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cls = cls
        self.lists: list[tuple[str | None, list[str]]] = []
        self._href: str | None = None
        self._depth = 0  # ul nesting inside a wanted list
        self._item: list[str] | None = None
        self._li_depth = 0
        self._skip = 0  # inside an evidence link

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "a" and self._depth == 0 and (a.get("href") or "").endswith(".html"):
            self._href = a["href"]
        if tag == "ul":
            if self._depth:
                self._depth += 1
            elif self.cls in classes:
                self._depth = 1
                self.lists.append((self._href, []))
        elif self._depth and tag == "li":
            if self._item is None:
                self._item, self._li_depth = [], self._depth
            else:
                self._item.append(" ")
        elif self._depth and tag == "a" and "sa-evidence" in classes:
            self._skip += 1
        elif self._item is not None and tag in ("br", "p", "div"):
            self._item.append(" ")

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag == "a" and self._skip:
            self._skip -= 1
        elif tag == "li" and self._item is not None and self._depth == self._li_depth:
            self.lists[-1][1].append("".join(self._item))
            self._item = None
        elif tag == "ul":
            self._depth -= 1

    def handle_data(self, data):
        if self._item is not None and not self._skip:
            self._item.append(data)


def _items(texts: list[str]) -> list[dict]:
    out = []
    for t in texts:
        text, synthetic = _split_synthetic(normalise_text(t))
        out.append({"text": text, "synthetic": synthetic})
    return out


def _findings(html: str) -> list[list[dict]]:
    p = _ListParser("sa-findings")
    p.feed(html)
    return [_items(items) for _, items in p.lists]


def _headlines(html: str) -> dict[str, list[dict]]:
    p = _ListParser("sa-headlines")
    p.feed(html)
    out: dict[str, list[dict]] = {}
    for href, items in p.lists:
        page = Path(href or "unknown.html").stem
        out.setdefault(page, []).extend(_items(items))
    return out


# --------------------------------------------------------------------------- snapshot


def _date_scrubber(pack_dir: Path):
    """Replace the day(s) the pack was made, in the forms pages use, with ``<date>``."""
    days = {datetime.date.today(), datetime.datetime.now(datetime.UTC).date()}
    manifest = pack_dir / "manifest.json"
    if manifest.is_file():
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        for key in ("started", "finished", "produced", "generated"):
            try:
                days.add(datetime.datetime.fromisoformat(str(meta[key])).date())
            except (KeyError, ValueError):
                pass
    forms = set()
    for d in days:
        forms |= {
            d.isoformat(),
            d.strftime("%d %B %Y"),
            f"{d.day} {d:%B %Y}",
            d.strftime("%d/%m/%Y"),
        }
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")\b"
    )
    return lambda text: pattern.sub("<date>", text)


def _walk(obj, fn):
    if isinstance(obj, str):
        return fn(obj)
    if isinstance(obj, list):
        return [_walk(v, fn) for v in obj]
    if isinstance(obj, dict):
        return {k: _walk(v, fn) for k, v in obj.items()}
    return obj


def snapshot(pack_dir: str | Path) -> dict:
    """What a built pack publishes: its tables, key findings and index headlines.

    Parameters
    ----------
    pack_dir : str or Path
        A built pack folder, ``outputs/<csp>_<period>/``.

    Returns
    -------
    dict
        ``{"tables": {page: [...]}, "findings": {page: [...]}, "headlines": {page: [...]}}``,
        JSON-able (see the module docstring for the shape and what is normalised).

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "data").mkdir()
    >>> _ = (d / "data" / "p_01_t.csv").write_text("# T\\nWard,Crimes\\nA,3\\n")
    >>> _ = (d / "p.html").write_text('<ul class="sa-findings"><li>A  rose.</li></ul>'
    ...     '<a href="data/p_01_t.csv">CSV</a>')
    >>> s = snapshot(d)
    >>> s["tables"]["p"][0]["rows"], s["findings"]["p"]
    ([['A', 3]], [[{'text': 'A rose.', 'synthetic': False}]])
    """
    pack_dir = Path(pack_dir)
    out: dict = {"tables": {}, "findings": {}, "headlines": {}}
    scrub = _date_scrubber(pack_dir)
    for page_path in sorted(pack_dir.glob("*.html")):
        page = page_path.stem
        html = page_path.read_text(encoding="utf-8")
        tables = _page_tables(pack_dir, page, html)
        if tables:
            out["tables"][page] = tables
        findings = _findings(html)
        if findings:
            out["findings"][page] = findings
        if page == "index":
            out["headlines"] = _headlines(html)
    return _walk(out, scrub)


def counts(snap: dict) -> dict:
    """How much a snapshot holds: pages, tables, cells, findings and headlines."""
    tables = [t for ts in snap["tables"].values() for t in ts]
    return {
        "pages with tables": len(snap["tables"]),
        "tables": len(tables),
        "cells": sum(len(t["header"]) + sum(len(r) for r in t["rows"]) for t in tables),
        "findings": sum(len(lst) for ls in snap["findings"].values() for lst in ls),
        "headlines": sum(len(h) for h in snap["headlines"].values()),
    }


# --------------------------------------------------------------------------- compare


def _same(a, b, rel: float, abs_: float) -> bool:
    if (
        isinstance(a, bool)
        or isinstance(b, bool)
        or not (isinstance(a, int | float) and isinstance(b, int | float))
    ):
        return type(a) is type(b) and a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def _keyed(labels: list) -> list[tuple]:
    """Labels made unique by their occurrence: ``[("A", 0), ("B", 0), ("A", 1)]``."""
    seen: dict = {}
    out = []
    for lab in labels:
        out.append((lab, seen.get(lab, 0)))
        seen[lab] = seen.get(lab, 0) + 1
    return out


def _name(key: tuple) -> str:
    return repr(key[0]) + (f" #{key[1] + 1}" if key[1] else "")


def _compare_table(where: str, exp: dict, act: dict, rel: float, abs_: float) -> list[str]:
    out = []
    if exp["synthetic"] != act["synthetic"]:
        out.append(f"{where}: synthetic label expected {exp['synthetic']}, got {act['synthetic']}")
    ecols, acols = _keyed(exp["header"]), _keyed(act["header"])
    out += [f"{where}: missing column {_name(c)}" for c in ecols if c not in acols]
    out += [f"{where}: extra column {_name(c)}" for c in acols if c not in ecols]
    common = [c for c in ecols if c in acols]
    if common != [c for c in acols if c in ecols]:
        out.append(f"{where}: columns reordered: expected {exp['header']}, got {act['header']}")
    erows = dict(zip(_keyed([r[0] if r else None for r in exp["rows"]]), exp["rows"], strict=True))
    arows = dict(zip(_keyed([r[0] if r else None for r in act["rows"]]), act["rows"], strict=True))
    out += [f"{where}: missing row {_name(k)}: {erows[k]}" for k in erows if k not in arows]
    out += [f"{where}: extra row {_name(k)}: {arows[k]}" for k in arows if k not in erows]
    shared = [k for k in erows if k in arows]
    if shared != [k for k in arows if k in erows]:
        out.append(
            f"{where}: rows reordered: expected {[k[0] for k in shared]}, got "
            f"{[k[0] for k in arows if k in erows]}"
        )
    for k in shared:
        er, ar = erows[k], arows[k]
        if len(er) != len(ar):
            out.append(f"{where} / row {_name(k)}: expected {len(er)} cells, got {len(ar)}")
        for c in common:
            i, j = ecols.index(c), acols.index(c)
            ev = er[i] if i < len(er) else None
            av = ar[j] if j < len(ar) else None
            if not _same(ev, av, rel, abs_):
                out.append(
                    f"{where} / row {_name(k)} / column {_name(c)}: expected {ev!r}, got {av!r}"
                )
    return out


def _compare_tables(exp: dict, act: dict, rel: float, abs_: float) -> list[str]:
    out = []
    for page in sorted(set(exp) | set(act)):
        etabs = {(t["caption"], t["occurrence"]): t for t in exp.get(page, [])}
        atabs = {(t["caption"], t["occurrence"]): t for t in act.get(page, [])}
        for key in etabs:
            where = f"{page} / {_name(key)}"
            if key not in atabs:
                out.append(f"{where}: missing table ({len(etabs[key]['rows'])} rows)")
            else:
                out += _compare_table(where, etabs[key], atabs[key], rel, abs_)
        out += [f"{page} / {_name(k)}: extra table" for k in atabs if k not in etabs]
    return out


def _compare_items(where: str, exp: list[dict], act: list[dict]) -> list[str]:
    out = []
    for i in range(max(len(exp), len(act))):
        w = f"{where} item {i + 1}"
        if i >= len(act):
            out.append(f"{w}: missing: {exp[i]['text']!r}")
        elif i >= len(exp):
            out.append(f"{w}: extra: {act[i]['text']!r}")
        elif exp[i] != act[i]:
            e, a = exp[i], act[i]
            if e["text"] != a["text"]:
                out.append(f"{w}: expected {e['text']!r}, got {a['text']!r}")
            if e["synthetic"] != a["synthetic"]:
                out.append(f"{w}: synthetic label expected {e['synthetic']}, got {a['synthetic']}")
    return out


def compare(
    expected: dict, actual: dict, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> list[str]:
    """Every difference between two snapshots, one line each (empty when they agree).

    Tables are matched by page and (caption, occurrence); rows by their first cell
    (with its occurrence); columns by header. Counts, strings (suppression marks
    included) and None must be equal; floats agree within ``rel_tol``/``abs_tol``
    (see the module docstring). Missing or extra pages, tables, rows, columns,
    finding lists and items, and changed row or column order, are differences.

    Parameters
    ----------
    expected, actual : dict
        Snapshots from :func:`snapshot` (or the committed fixture).
    rel_tol, abs_tol : float
        Float tolerance.

    Returns
    -------
    list of str
        ``page / 'caption' / row 'label' / column 'name': expected X, got Y`` and so on.

    Examples
    --------
    >>> a = {"tables": {}, "findings": {"p": [[{"text": "A rose.", "synthetic": False}]]},
    ...      "headlines": {}}
    >>> b = {"tables": {}, "findings": {"p": [[{"text": "A fell.", "synthetic": False}]]},
    ...      "headlines": {}}
    >>> compare(a, b)
    ["findings p list 1 item 1: expected 'A rose.', got 'A fell.'"]
    """
    out = _compare_tables(expected.get("tables", {}), actual.get("tables", {}), rel_tol, abs_tol)
    ef, af = expected.get("findings", {}), actual.get("findings", {})
    for page in sorted(set(ef) | set(af)):
        el, al = ef.get(page, []), af.get(page, [])
        for i in range(max(len(el), len(al))):
            where = f"findings {page} list {i + 1}"
            if i >= len(al):
                out.append(f"{where}: missing list ({len(el[i])} items)")
            elif i >= len(el):
                out.append(f"{where}: extra list ({len(al[i])} items)")
            else:
                out += _compare_items(where, el[i], al[i])
    eh, ah = expected.get("headlines", {}), actual.get("headlines", {})
    for page in sorted(set(eh) | set(ah)):
        out += _compare_items(f"headlines {page}", eh.get(page, []), ah.get(page, []))
    return out


# --------------------------------------------------------------------------- building


def build_sample_pack(store: str | Path, work_dir: str | Path, **run_options):
    """Build the sample pack (every notebook as a theme) on ``store`` under ``work_dir``.

    The one way the golden test, the e2e tests and ``scripts/golden.py`` build it:
    ``parameters/huntingdonshire_2025q4.yaml`` with ``data.store`` set to ``store``
    and ``themes`` set to every notebook in ``notebooks/``. ``run_options`` go to
    :func:`sa_lib.pack.runner.run_pack` (e.g. ``notebooks=False, inline=True``: the pack
    built without a kernel).

    Returns
    -------
    tuple
        ``(RunResult, themes)``; the pack is ``RunResult.out_dir``.
    """
    import yaml

    from sa_lib import config
    from sa_lib.pack.runner import run_pack

    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    themes = sorted(f.stem for f in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    params = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
    params["data"]["store"] = str(store)
    params["themes"] = themes
    path = work_dir / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    res = run_pack(path, out_root=work_dir / "outputs", progress=False, **run_options)
    return res, themes


def dump(snap: dict) -> str:
    """The fixture's text: pretty-printed with sorted keys, a table row or header per line.

    Examples
    --------
    >>> print(dump({"b": [["A", 1, None]], "a": {"x": True}}), end="")
    {
     "a": {
      "x": true
     },
     "b": [
      ["A", 1, null]
     ]
    }
    """
    return _emit(snap, 0) + "\n"


def _emit(obj, level: int) -> str:
    pad, inner = " " * level, " " * (level + 1)
    scalar = (str, int, float, bool, type(None))
    if isinstance(obj, dict) and obj:
        body = ",\n".join(
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_emit(obj[k], level + 1)}"
            for k in sorted(obj)
        )
        return "{\n" + body + "\n" + pad + "}"
    if isinstance(obj, list) and obj and not all(isinstance(v, scalar) for v in obj):
        body = ",\n".join(inner + _emit(v, level + 1) for v in obj)
        return "[\n" + body + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)
