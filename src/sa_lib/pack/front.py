"""The front page and the board paper, read from the pages' results (never from their HTML).

``index.html`` opens with the summary's key findings in rank order (each linked to
its evidence), the recommended priorities, the review of the current priorities and
one line per page. ``board_paper.html`` is the short paper a CSP board acts on:
purpose, an executive summary written from the results, the candidate priorities
with their evidence, what the partnership is asked to do, the review of the current
plan (targets, and the projects in the parameters), financial and equality
implications and the decisions record (from the parameters' ``board`` section).

Examples
--------
>>> ranked([{"text": "B (rank 2).", "link": "b.html"}, {"text": "No change."},
...         {"text": "A (rank 1).", "link": "#m"}])[0]
{'text': 'A (rank 1).', 'href': 'summary.html#m', 'rank': 1, 'page': 'the summary'}
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

__all__ = [
    "ranked",
    "summary_view",
    "theme_lines",
    "executive_summary",
    "board_context",
    "write_board_paper",
    "BOARD_PAPER",
]

#: The board paper's file name in the pack.
BOARD_PAPER = "board_paper.html"
_RANK = re.compile(r"\(rank (\d+)\)")
_PAGE_NAMES = {
    "summary": "the summary",
    "overview": "the overview",
    "hotspots": "the hot-spot page",
    "place_profile": "the place profile",
    "violence": "the violence page",
    "cse": "the child sexual exploitation page",
    "domestic_abuse": "the domestic abuse page",
    "outcomes": "the outcomes page",
    "wards": "the ward profiles",
}


def _read(out_dir: Path, page: str) -> dict | None:
    from sa_lib.pack.export import read_result

    return read_result(out_dir, page)


def _bare(caption: str | None) -> str:
    return re.sub(r"^SYNTHETIC DATA:\s*", "", caption or "")


def find_table(result: dict | None, prefix: str) -> list[dict] | None:
    """The rows (column -> shown text) of the first table whose caption starts with ``prefix``.

    Examples
    --------
    >>> find_table({"tables": [{"caption": "SYNTHETIC DATA: T x", "columns": ["A"],
    ...             "shown": [["1"]]}]}, "T")
    [{'A': '1'}]
    """
    for t in (result or {}).get("tables", []):
        if _bare(t.get("caption")).startswith(prefix):
            rows = t.get("shown") or t.get("rows") or []
            return [dict(zip(t["columns"], map(str, r), strict=False)) for r in rows]
    return None


def ranked(findings: list[dict]) -> list[dict]:
    """Key findings in rank order (findings naming no rank follow, as given), with their links.

    The rank is the finding's ``value`` where its ``measure`` is "priority rank".

    A link within the summary (``#...``) is made to point at ``summary.html``.
    """
    out = []
    for i, f in enumerate(findings):
        text = f.get("text", "").strip()
        if not text or text.endswith(":"):
            continue
        rank = f.get("value") if f.get("measure") == "priority rank" else None
        if rank is None and f.get("measure") is None and (m := _RANK.search(text)):
            rank = m.group(1)  # a finding without fields (an older result): its words
        rank = int(rank) if rank is not None else None
        href = f.get("link") or "summary.html"
        if href.startswith("#"):
            href = "summary.html" + href
        page = _PAGE_NAMES.get(href.split(".html")[0], "its page")
        out.append({"text": text, "href": href, "rank": rank, "page": page})
        out[-1]["_order"] = (0, rank, i) if rank is not None else (1, 0, i)
    out.sort(key=lambda f: f.pop("_order"))
    return out


def review_lines(result: dict | None) -> list[str]:
    """The review of the current priorities, one plain line each."""
    rows = find_table(result, "Current priorities") or []
    out = []
    for r in rows:
        latest = next((k for k in r if k.startswith("12 months")), None)
        quarter = next((k for k in r if " against " in k and not k.startswith("Change")), None)
        # The extrapolation to the target year, with its interval (older tables: "Projected").
        ahead = next((r[k] for k in r if k.startswith(("Extrapolated", "Projected"))), None)
        line = f"{r.get('Priority', '')}: {r.get('Status', 'status not known')}."
        if latest:
            line += (
                f" {r[latest]} in the {latest} against {r.get('Baseline', '?')} in "
                f"{r.get('Baseline year', 'the baseline year')} ({r.get('Change against baseline', '')})"
            )
            if quarter:
                line += f"; {quarter}: {r[quarter]}"
            line += f"; target {r.get('Target', 'not set')}"
            line += f", extrapolated to {ahead}." if ahead not in (None, "", "–") else "."
        out.append(line)
    return out


def summary_view(out_dir: Path) -> dict:
    """What the front page reads from ``results/summary.json`` (empty lists when it is absent)."""
    result = _read(out_dir, "summary") or {}
    lists = result.get("lists", {})
    recs = [t for lst in lists.get("recommendations", []) for t in lst]
    return {
        "available": bool(result),
        "synthetic": result.get("synthetic", "none"),
        "findings": ranked(result.get("findings", [])),
        "recommendations": recs,
        "review": review_lines(result),
        "review_missing": result.get("availability", {}).get("current priorities"),
        "period": result.get("period", ""),
        "against": result.get("against", ""),
    }


def theme_lines(out_dir: Path, runs: list[dict]) -> list[dict]:
    """One line per page: its link, its first key finding, and whether it failed or is synthetic.

    A page is synthetic when its result says so or its HTML carries the synthetic banner;
    the headline of a page built wholly on synthetic data says so in its own text.
    """
    out = []
    for r in runs:
        ok = r["status"] == "ok"
        result = (_read(out_dir, r["theme"]) if ok else None) or {}
        page = Path(out_dir) / f"{r['theme']}.html"
        html = page.read_text(encoding="utf-8") if ok and page.exists() else ""
        syn = result.get("synthetic", "none")
        if syn == "none" and 'class="sa-synthetic"' in html:
            syn = "part" if 'data-sa-synthetic="part"' in html else "page"
        found = [
            f
            for f in result.get("findings", [])
            if f.get("text", "").strip() and not f["text"].strip().endswith(":")
        ]
        if len(found) > 1 and found[0]["text"].strip().upper().startswith("SYNTHETIC DATA:"):
            found = found[1:]  # the page's synthetic-data warning: the badge says it
        heads = [f["text"].strip() for f in found]
        if r["theme"] == "summary":
            heads = [
                "The priority matrix, the measures and weights behind it, and how stable it is."
            ]
        elif heads and not heads[0].upper().startswith("SYNTHETIC"):
            # Only a headline drawn from synthetic inputs says so: police.uk findings never.
            if found[0].get("synthetic") or (syn == "page" and "police.uk" not in heads[0]):
                heads[0] = f"SYNTHETIC: {heads[0]}"
        out.append(
            {
                "theme": r["theme"],
                "name": r.get("title") or r["theme"].replace("_", " ").capitalize(),
                "ok": ok,
                "error": r.get("error_summary", ""),
                "synthetic": syn in ("page", "part"),
                "headline": heads[0] if heads else "",
            }
        )
    return out


def _changes(result: dict | None, col_prefix: str) -> dict[str, list[str]]:
    """Crime types that rose or fell significantly, and those that did not change, in the overview."""
    rows = find_table(result, "Crime and ASB by type") or []
    out: dict[str, list[str]] = {"rose": [], "fell": [], "steady": []}
    for r in rows:
        name = r.get("Crime type", "")
        col = next((k for k in r if k.startswith(col_prefix)), None)
        if not col or name.startswith("All crime"):
            continue
        v = r[col]
        if "significant" in v and "not" not in v:
            out["rose" if v.startswith("+") else "fell"].append(f"{name.lower()} ({v.split()[0]})")
        elif "n.s." in v:
            out["steady"].append(name.lower())
    return out


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def recording_changes(params) -> list[str]:
    """Recording-practice changes (``data.annotations``) in the three years to the period's end."""
    from sa_lib.data.annotations import load_annotations
    from sa_lib.data.periods import parse_period

    path = getattr(params.paths, "annotations", None)
    if path is None or not Path(path).exists():
        return []
    end = parse_period(params.period).end.end_time
    notes = load_annotations(path)
    recent = notes[(notes["date"] <= end) & (notes["date"] > end - pd.DateOffset(years=3))]
    return [
        f"Recording practice changed in {d:%B %Y} ({types.replace(';', ', ').lower()}): {label}."
        for d, label, types in zip(
            recent["date"], recent["label"], recent["crime_types"], strict=True
        )
    ]


def executive_summary(out_dir: Path, params=None) -> list[str]:
    """The executive summary in plain English, from the results: what rose, fell, did not change.

    Then the long-run context (the overview's trends over every month held) and the
    caveats about recording (data quality and what could not be measured).
    """
    ov = _read(out_dir, "overview")
    summ = _read(out_dir, "summary") or {}
    against = summ.get("against") or (ov or {}).get("against") or "the same period a year earlier"
    paras = []
    totals = [
        r
        for r in find_table(ov, "Crime and ASB by type") or []
        if r.get("Crime type", "").startswith("All crime")
    ]
    period = summ.get("period") or (ov or {}).get("period", "the period")
    if totals:
        t = totals[0]
        col = next((k for k in t if k.startswith("vs ")), None)
        paras.append(
            f"In {period} the police recorded {t.get(period, '?')} crimes (excluding anti-social "
            f"behaviour) in the area" + (f", {t[col]} on {col[3:]}." if col else ".")
        )
    ch = _changes(ov, "vs " + against) if ov else {"rose": [], "fell": [], "steady": []}
    if ch["rose"]:
        paras.append(f"Significant rises on {against}: {_join(ch['rose'])}.")
    if ch["fell"]:
        paras.append(f"Significant falls on {against}: {_join(ch['fell'])}.")
    if ch["steady"]:
        paras.append(
            f"No significant change in {len(ch['steady'])} other types, among them "
            f"{_join(ch['steady'][:4])}: their movements are within normal variation."
        )
    trend = [
        r
        for r in find_table(ov, "Trend per year") or []
        if r.get("Trend") not in (None, "no clear trend")
    ]
    if trend:
        parts = [
            f"{r['Crime type'].lower()} {r['Trend']} ({r.get('Change a year', '')} a year)"
            for r in trend
        ]
        paras.append(f"Over every month the store holds: {_join(parts)}.")
    paras.extend(_partner_lines(out_dir))
    paras.extend(_caveats(out_dir, ov))
    if params is not None:
        paras.extend(recording_changes(params))
    return paras


def _partner_lines(out_dir: Path) -> list[str]:
    """What the partner-data page found that the board should hear: tested changes and divergences."""
    res = _read(out_dir, "partner") or {}
    picked = [
        f["text"]
        for f in res.get("findings", [])
        if (f.get("tested") and f.get("significant"))
        or (
            f.get("tested") is None  # an older result without fields: its words
            and ("statistically significant" in f["text"] or "diverge significantly" in f["text"])
        )
    ]
    if not picked:
        return []
    label = "Partner data (SYNTHETIC example)" if res.get("synthetic") != "none" else "Partner data"
    return [f"{label}: " + " ".join(picked)]


def _caveats(out_dir: Path, ov: dict | None) -> list[str]:
    out = []
    checks = [
        dict(zip(t["columns"], map(str, row), strict=False))
        for t in (ov or {}).get("tables", [])
        if "check" in t.get("columns", [])
        for row in t.get("shown") or t.get("rows") or []
    ]
    for r in checks:
        if r.get("check", "").startswith("Rows with no location") and r.get("value") != "0":
            rest = r.get("detail", "").split(". ", 1)[-1]
            out.append(
                "Recording: police.uk publishes some crimes with no location, which no area can "
                "count: " + rest[:1].lower() + rest[1:]
            )
            break
    outcomes = _read(out_dir, "outcomes")
    if find_table(outcomes, "Searches and drug offences"):
        out.append(
            "Outcomes arrive months after the crime, so the latest months' outcomes look worse "
            "than they will be; drug offences are largely found by police activity."
        )
    syn = [
        _PAGE_NAMES.get(p, p)
        for p in ("violence", "domestic_abuse", "cse")
        if (_read(out_dir, p) or {}).get("synthetic") in ("page", "part")
    ]
    if syn:
        out.append(
            f"SYNTHETIC data stand in for the force extract on {_join(syn)}: confirm those "
            "findings with real data before deciding."
        )
    return out


_PURPOSE = {
    "decision": "For decision: the partnership is asked to agree its priorities for the coming year "
    "from the strategic assessment for {period}.",
    "discussion": "For discussion: the strategic assessment for {period}, its candidate priorities "
    "and the review of the current plan.",
    "information": "For information: the strategic assessment for {period}; no decision is sought.",
}


def _asks(board, view: dict, n_candidates: int) -> list[str]:
    off = [line.split(":")[0] for line in view["review"] if ": off track" in line]
    asks = []
    if board.purpose == "decision":
        asks.append(
            f"agree the partnership's priorities from the {n_candidates} candidates in section 2 "
            "(or record why another is chosen);"
        )
        asks.append("name an owner for each agreed priority and a date for it to report back;")
    else:
        asks.append("note the findings and the candidate priorities in section 2;")
    if off:
        asks.append(
            f"note that {_join(off)} {'is' if len(off) == 1 else 'are'} off track for "
            f"{'its' if len(off) == 1 else 'their'} target, and agree what changes;"
        )
    asks.extend(a.rstrip(".;") + ";" for a in board.asks)
    if asks:
        asks[-1] = asks[-1].rstrip(";") + "."
    return asks


def _candidates(out_dir: Path, view: dict) -> list[dict]:
    """The recommended priorities: the top of the priority matrix, each with its key finding."""
    summ = _read(out_dir, "summary")
    rules = {r.get("Rule"): r.get("Value") for r in find_table(summ, "Scoring rules") or []}
    try:
        top_n = int(str(rules.get("Recommended priorities", "5")).replace(",", ""))
    except ValueError:
        top_n = 5
    by_rank = {f["rank"]: f for f in view["findings"] if f["rank"] is not None}
    out = []
    for r in find_table(summ, "Priority matrix") or []:
        try:
            rank = int(r.get("Rank", ""))
        except ValueError:
            continue
        if rank > top_n:
            continue
        f = by_rank.get(rank)
        name = r.get("Issue", "")
        if f and f["text"].startswith(name + ":"):
            f = {**f, "text": f["text"][len(name) + 1 :].strip()}
        out.append(
            {
                "rank": rank,
                "name": name,
                "evidence": f["text"]
                if f
                else f"Priority score {r.get('Priority score', '?')} "
                f"(rank {rank}); see the priority matrix.",
                "href": f["href"] if f else "summary.html#Priority-matrix",
                "page": f["page"] if f else "the summary",
            }
        )
    return sorted(out, key=lambda c: c["rank"])


def board_context(out_dir: Path, params, meta: dict) -> dict:
    """Everything ``board_paper.html.j2`` shows, from the results and ``params.board``."""
    from sa_lib.data.periods import parse_period
    from sa_lib.pack.pages import footer_context
    from sa_lib.themes.assessment_review import document_control

    board = params.board
    period = parse_period(params.period).label
    view = summary_view(out_dir)
    cands = _candidates(Path(out_dir), view)
    doc = document_control(params.title, params.document)
    projects = [
        {
            "name": p.name,
            "priority": p.priority or "–",
            "owner": p.owner or "to complete",
            "status": p.status or "to complete",
            "spend": f"£{p.spend:,.0f}" if p.spend is not None else "to complete",
        }
        for p in board.projects
    ]
    return {
        "title": f"{params.title}: board paper",
        "report_title": params.title,
        "period_label": period,
        "meeting": board.meeting,
        "purpose": board.purpose,
        "purpose_text": _PURPOSE[board.purpose].format(period=period),
        "summary": executive_summary(out_dir, params),
        "summary_available": view["available"],
        "candidates": cands,
        "asks": _asks(board, view, len(cands)),
        "review": view["review"],
        "review_missing": view["review_missing"],
        "projects": projects,
        "financial": board.financial_implications,
        "equality": board.equality_implications,
        "decisions": [
            {"decision": d.decision, "owner": d.owner or "", "due": d.due or ""}
            for d in board.decisions
        ],
        "doc_rows": list(doc.itertuples(index=False, name=None)),
        "produced": f"{datetime.now():%d %B %Y}",
        **footer_context({**meta, "synthetic": view["synthetic"] != "none"}),
    }


def write_board_paper(out_dir: Path, params, meta: dict) -> Path:
    """Write ``board_paper.html`` (printable on at most four A4 pages) into the pack folder."""
    from sa_lib.pack.pages import CSS, render_page

    ctx = board_context(Path(out_dir), params, meta)
    css = CSS["report"] + CSS["furniture"] + CSS["board"]
    path = Path(out_dir) / BOARD_PAPER
    path.write_text(render_page("board_paper.html.j2", css=css, **ctx), encoding="utf-8")
    return path
