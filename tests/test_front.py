"""The front page and the board paper (issue 21): read from the results, in rank order."""

import json

import pytest

from sa_lib.pack.export import write_index
from sa_lib.pack.front import (
    BOARD_PAPER,
    executive_summary,
    ranked,
    write_board_paper,
)
from sa_lib.pack.params import load_params
from sa_lib.themes.results import Finding, Findings, ThemeResult

META = {"version": "0.1.0", "generated": "2026-01-05 10:00", "params": "p.yaml", "commit": "abc"}


def _table(caption, columns, rows):
    return {"caption": caption, "columns": columns, "rows": rows, "shown": rows}


SUMMARY = {
    "theme": "summary",
    "period": "Q4 2025",
    "against": "Q4 2024",
    "synthetic": "none",
    # As the summary once published them: ranks 2, 5, 1, then a line with no rank.
    "findings": [
        {"text": "Drugs: up 190%. Priority score 3.20 (rank 2).", "link": "overview.html#x"},
        {"text": "Robbery: 8. Priority score 2.00 (rank 5).", "link": "overview.html#y"},
        {"text": "Violence: 1,028. Priority score 3.40 (rank 1).", "link": "overview.html#z"},
        {"text": "No real change in: Violence.", "link": "#Priority-matrix"},
    ],
    "lists": {"recommendations": [["Candidate 1: Violence (priority score 3.40)."]]},
    "availability": {},
    "tables": [
        _table(
            "Current priorities: progress against baseline and target",
            [
                "Priority",
                "Baseline year",
                "Baseline",
                "12 months to Dec 2025",
                "Change against baseline",
                "Target",
                "Projected",
                "Status",
            ],
            [
                [
                    "Reduce ASB",
                    "2024",
                    "2,203",
                    "2,681",
                    "+22% significant",
                    "1,851 by 2027",
                    "3,971 (3,104 to 5,078)",
                    "off track",
                ]
            ],
        ),
        _table(
            "Priority matrix, Q4 2025 (morile scoring)",
            ["Rank", "Issue", "Priority score"],
            [
                ["1", "Violence", "3.40"],
                ["2", "Drugs", "3.20"],
                ["3", "Burglary", "3.10"],
                ["5", "Robbery", "2.00"],
            ],
        ),
        _table(
            "Scoring rules and weights used", ["Rule", "Value"], [["Recommended priorities", "2"]]
        ),
    ],
}
OVERVIEW = {
    "theme": "overview",
    "period": "Q4 2025",
    "synthetic": "none",
    "findings": [{"text": "Drugs rose 190%."}],
    "tables": [
        _table(
            "Crime and ASB by type, Testshire",
            ["Crime type", "Q4 2025", "vs Q4 2024"],
            [
                ["Drugs", "206", "+190% significant"],
                ["Burglary", "118", "-4% (n.s.)"],
                ["Public order", "137", "-30% significant"],
                ["All crime (excluding ASB)", "2,553", "+11% significant"],
            ],
        ),
        _table(
            "Trend per year, all months the force holds",
            ["Crime type", "Trend", "Change a year"],
            [["Violence", "increasing", "+11.2%"], ["Drugs", "no clear trend", "+42%"]],
        ),
    ],
}


@pytest.fixture
def pack(tmp_path):
    (tmp_path / "results").mkdir()
    for name, res in {"summary": SUMMARY, "overview": OVERVIEW}.items():
        (tmp_path / "results" / f"{name}.json").write_text(json.dumps(res))
        (tmp_path / f"{name}.html").write_text("<p>page</p>")
    return tmp_path


RUNS = [
    {"theme": "summary", "title": "Summary", "status": "ok", "seconds": 1.0},
    {"theme": "overview", "title": "Overview", "status": "ok", "seconds": 12.3},
]


def test_ranked_puts_findings_in_rank_order_and_links_within_the_summary():
    out = ranked(SUMMARY["findings"])
    assert [f["rank"] for f in out] == [1, 2, 5, None]
    assert out[-1]["href"] == "summary.html#Priority-matrix"
    assert out[0]["page"] == "the overview"


def test_index_opens_with_the_ranked_findings_and_no_build_table(pack):
    html = write_index(pack, title="T", period_label="Q4 2025", results=RUNS, meta=META).read_text()
    first = html.index("Key findings")
    assert first < html.index("Recommended priorities") < html.index("Review of the current")
    assert html.index("Review of the current") < html.index("The pages")
    order = [html.index(f"(rank {k})") for k in (1, 2, 5)]
    assert order == sorted(order), "findings in rank order"
    assert "The evidence for rank 1, on the overview" in html
    assert 'href="summary.html#Priority-matrix"' in html
    assert "Candidate 1: Violence" in html
    assert "Reduce ASB: off track." in html and "target 1,851 by 2027" in html
    # Build status only when something failed; run times live in manifest.json.
    assert "Run time" not in html and "12.3 s" not in html and "INCOMPLETE" not in html
    assert '<ul class="sa-headlines"><li>Drugs rose 190%.</li></ul>' in html


def test_index_names_a_failed_theme(pack):
    runs = [*RUNS, {"theme": "cse", "title": "CSE", "status": "failed", "error_summary": "x<y"}]
    html = write_index(pack, title="T", period_label="Q4 2025", results=runs, meta=META).read_text()
    assert "INCOMPLETE: CSE failed" in html
    assert "CSE</td><td>FAILED (no report published): x&lt;y" in html


def test_executive_summary_says_what_rose_fell_and_did_not_change(pack):
    paras = executive_summary(pack)
    text = " ".join(paras)
    assert "2,553 crimes" in paras[0] and "+11% significant on Q4 2024" in paras[0]
    assert "Significant rises on Q4 2024: drugs (+190%)." in text
    assert "Significant falls on Q4 2024: public order (-30%)." in text
    assert "No significant change in 1 other types, among them burglary" in text
    assert "violence increasing (+11.2% a year)" in text and "no clear trend" not in text


def _params(tmp_path, board):
    import yaml

    from sa_lib import config

    raw = yaml.safe_load((config.ROOT / "parameters" / "huntingdonshire_2025q4.yaml").read_text())
    raw["board"] = board
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(raw))
    return load_params(path, check_store=False)


def test_board_paper_marks_what_is_missing_to_complete(pack, tmp_path):
    html = write_board_paper(pack, _params(tmp_path, {}), META).read_text()
    assert (pack / BOARD_PAPER).exists()
    for heading in (
        "Executive summary",
        "Candidate priorities",
        "The partnership is asked to",
        "Review of the current plan",
        "Financial implications",
        "Equality implications",
        "Decisions record",
        "Document control",
    ):
        assert heading in html, heading
    assert "For decision" in html
    assert html.count("To complete.") == 2  # financial and equality implications
    assert "Projects: to complete" in html
    assert "To complete after the meeting." in html
    # Candidates: the top 2 of the matrix (the rules' "Recommended priorities"), with evidence.
    cand = html[html.index("Candidate priorities") : html.index("The partnership is asked")]
    assert "Violence</strong>: 1,028." in cand and "Drugs</strong>: up 190%" in cand
    assert "Burglary" not in cand
    assert "note that Reduce ASB is off track for its target" in html


def test_board_paper_shows_projects_implications_and_decisions(pack, tmp_path):
    board = {
        "purpose": "discussion",
        "meeting": "CSP board, 12 March 2026",
        "projects": [
            {
                "name": "Town centre patrols",
                "owner": "Police",
                "status": "on track",
                "spend": 12500,
                "priority": "Reduce ASB",
            },
            {"name": "Youth outreach"},
        ],
        "financial_implications": "Met from the CSP grant.",
        "decisions": [{"decision": "Adopt violence as a priority", "owner": "Chair"}],
        "asks": ["approve the plan"],
    }
    html = write_board_paper(pack, _params(tmp_path, board), META).read_text()
    assert "For discussion" in html and "CSP board, 12 March 2026" in html
    assert "<td>Town centre patrols</td><td>Reduce ASB</td><td>Police</td><td>on track</td>" in html
    assert "£12,500" in html
    assert "<td>Youth outreach</td><td>–</td><td>to complete</td>" in html
    assert "Met from the CSP grant." in html and html.count("To complete.") == 1
    assert "<td>Adopt violence as a priority</td><td>Chair</td>" in html
    assert "approve the plan." in html


def test_params_refuse_a_bad_board_purpose(tmp_path):
    from sa_lib.pack.params import ParameterError

    with pytest.raises(ParameterError, match="board.purpose"):
        _params(tmp_path, {"purpose": "rubber stamp"})


def test_result_json_carries_other_findings_lists():
    r = ThemeResult(theme="t")
    r.add("findings", Findings([Finding("Key.")]))
    r.add("recommendations", Findings([Finding("Candidate 1: A.")]))
    d = r.to_json()
    assert [f["text"] for f in d["findings"]] == ["Key."]
    assert d["lists"] == {"recommendations": [["Candidate 1: A."]]}


def test_summary_callout_lists_findings_in_rank_order():
    """Issue 21: the summary's first screen listed ranks 2, 5, 6, 1, 3."""
    from sa_lib.pack.furniture import rank_findings

    items = [
        "Violence: 1,028. Priority score 3.40 (rank 1).",
        "Drugs: up 190%, a significant change. Priority score 3.20 (rank 2).",
        "Ward A: 324. Priority score 3.20 (rank 3).",
        "Ward B: up 39%, a significant change. Priority score 2.80 (rank 5).",
    ]
    top = rank_findings(items, n=5)["top"]
    assert [t.split(" (rank ")[1][0] for t in top] == ["1", "2", "3", "5"]


def test_glossary_covers_the_summary_terms_and_agrees_with_the_hot_spot_page():
    """Issue 21: the glossary called Preventing 'hot but cooling' (the hot-spot page: not yet
    hot, rising) and lacked the summary's own terms."""
    from sa_lib.pack.furniture import GLOSSARY

    terms = " ".join(GLOSSARY).lower()
    for term in ("priority score", "off track", "candidate priority", "assurance", "special-cause"):
        assert term in terms, term
    preventing = GLOSSARY["Emerging, sustaining, preventing hot spot"]
    assert "not yet a hot spot" in preventing and "cooling" not in preventing


def test_board_paper_names_recent_recording_practice_changes(pack, tmp_path):
    html = write_board_paper(pack, _params(tmp_path, {}), META).read_text()
    # config/recording_changes.csv: the May 2023 counting-rules change is within three
    # years of Q4 2025; the 2014 HMIC change is not.
    assert (
        "Recording practice changed in May 2023 (violence and sexual offences, public order)"
        in html
    )
    assert "Home Office Counting Rules" in html and "HMIC" not in html


def test_executive_summary_carries_the_partner_pages_tested_findings(pack):
    partner = {
        "synthetic": "page",
        "findings": [
            {"text": "SYNTHETIC DATA: made up."},
            {"text": "Deliberate fires fell 27% (from 33 to 24); this is within normal variation."},
            {"text": "People on probation rose 10%; this is a statistically significant increase."},
            {"text": "Hate incidents and recorded public order diverge significantly (p = 0.010)."},
        ],
    }
    (pack / "results" / "partner.json").write_text(json.dumps(partner))
    line = next(p for p in executive_summary(pack) if p.startswith("Partner data"))
    assert line.startswith("Partner data (SYNTHETIC example): People on probation rose 10%")
    assert "diverge significantly" in line and "Deliberate fires" not in line


def test_review_lines_name_the_extrapolation_with_its_interval_and_the_latest_quarter():
    """The front page read a "Projected" column the summary no longer has ("projected ?")."""
    from sa_lib.pack.front import review_lines

    cols = [
        "Priority", "Baseline year", "Baseline", "12 months to Dec 2025",
        "Change against baseline", "Q4 2025 (Oct-Dec) against Q4 2024 (Oct-Dec)", "Trend",
        "Target", "Extrapolated to the target year (95% CI)", "Status",
    ]  # fmt: skip
    row = [
        "Reduce ASB", 2024, 2203, 2681, "+22% per day significant", "-1% (n.s.)",
        "increasing", "1,851 by 2027", "3,971 (3,104 to 5,078)", "off track",
    ]  # fmt: skip
    result = {
        "tables": [
            {
                "caption": "Current priorities: progress against baseline and target",
                "columns": cols,
                "rows": [row],
            }
        ]
    }
    (line,) = review_lines(result)
    assert "?" not in line
    assert "extrapolated to 3,971 (3,104 to 5,078)" in line
    assert "Q4 2025 (Oct-Dec) against Q4 2024 (Oct-Dec): -1% (n.s.)" in line
