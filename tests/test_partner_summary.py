"""Partner indicators in the summary (issue 21, item 3): candidates and ward vulnerability.

The summary reads the partner page's result (``partner_report.build(ctx).data``): a
partner indicator with a significant rise or special-cause variation is a candidate,
scored where a measure exists and "not scored" where none does; a flagged ward whose
partner rate is significantly above the district's scores at least
``vulnerability.partner_flag`` on vulnerability.
"""

import numpy as np
import pandas as pd
import pytest

from sa_lib import config
from sa_lib.stats import priority

PARAMS = "parameters/huntingdonshire_2025q4.yaml"

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _ctx(theme: str, overrides=None):
    if not (config.PROCESSED_DIR / "coverage.json").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context(PARAMS, theme, overrides)


@pytest.fixture(scope="module")
def with_partner(sample_theme):
    """The partner page's result and the summary's, both on the SYNTHETIC sample (their
    ``build(_ctx(theme))``, built once per session: conftest.py ``sample_theme``)."""
    return sample_theme("partner"), sample_theme("summary")


@pytest.fixture(scope="module")
def _built_without_partner(tmp_path_factory):
    from conftest import sample_ctx_without

    from sa_lib.themes import summary_report

    tmp = tmp_path_factory.mktemp("without_partner")
    return summary_report.build(sample_ctx_without(tmp, "summary", "partner_indicators"))


@pytest.fixture
def without_partner(_built_without_partner):
    """The summary on the sample parameters less ``data.partner_indicators`` (its
    ``build(sample_ctx_without(tmp_path, "summary", "partner_indicators"))``), built once for
    the two tests that read it; each gets its own copy."""
    import copy

    return copy.deepcopy(_built_without_partner)


def _expected_candidates(partner) -> set[str]:
    t = partner.data["indicators"]
    rise = t["change_label"].astype(str).str.endswith("significant increase")
    special = t["variation"].astype(str).str.startswith("special cause")
    return {f"{n} (partner data)" for n in t.loc[rise | special, "name"]}


def test_the_summary_takes_the_partner_candidates_the_partner_result_implies(with_partner):
    partner, summary = with_partner
    expected = _expected_candidates(partner)
    # The sample's probation caseload shows special-cause variation (H) in its latest month.
    assert "People on probation (partner data)" in expected
    s = summary.data["scored"]
    got = s[s["kind"] == "partner indicator"]
    assert set(got["issue"]) == expected
    assert (got["theme"] == "partner").all() and got["synthetic"].all()
    # Scored where a measure exists, "not scored" where none does: a partner count is no
    # share of recorded crime (volume), no harm index scores it (harm).
    for ns in got["not_scored"]:
        assert "volume" in ns and "harm" in ns and "direction" not in ns
    # Labelled synthetic and partner data in the matrix, with its dimensions marked.
    matrix = next(t for t in summary.tables() if (t.caption or "").startswith("Priority matrix"))
    cells = matrix.texts()
    rows = cells[cells["Issue"].str.contains("(partner data)", regex=False)]
    assert len(rows) == len(expected)
    assert rows["Issue"].str.endswith("(SYNTHETIC)").all()
    assert (rows["Volume"] == "2 (not scored)").all() and (rows["Harm"] == "2 (not scored)").all()
    # The Methods table says how partner data were read.
    methods = summary.tables()[-1].frame
    assert "partner indicators" in set(methods["choice"])


def test_summary_and_partner_page_agree_on_the_measure(with_partner):
    """The summary's partner candidate shows the partner page's count, change and signal."""
    partner, summary = with_partner
    page = next(t for t in partner.tables() if (t.caption or "").startswith("Partner indicators"))
    shown = page.texts().set_index("Indicator")
    now = partner.period_label
    against = next(c for c in shown.columns if c.startswith("vs "))
    measures = next(t for t in summary.tables() if t.caption == "Measures used for the scores")
    m = measures.texts().set_index("Issue")
    s = summary.data["scored"].set_index("issue")
    for issue in _expected_candidates(partner):
        name = issue.removesuffix(" (partner data)")
        assert str(m.loc[issue, "Count"]).replace(",", "") == str(shown.loc[name, now]).replace(
            ",", ""
        )
        cell = str(shown.loc[name, against])
        change = s.loc[issue, "change"]
        assert change.startswith("significant") == ("significant" in cell)
        sign = "+" if change.endswith("increase") else "-"
        assert cell.startswith(sign) or change == "no change"
        high = str(shown.loc[name, "Variation (SPC)"]).startswith("H")
        assert m.loc[issue, "SPC high signal"] == ("yes" if high else "no")


def test_without_partner_data_the_summary_is_unchanged(with_partner, without_partner):
    """Partner data only add: every other candidate is scored the same without them."""
    _, with_ = with_partner
    without = without_partner
    a = with_.data["scored"]
    b = without.data["scored"]
    assert not (b["kind"] == "partner indicator").any()
    assert "partner_flags" not in b
    methods = without.tables()[-1].frame
    assert "partner indicators" not in set(methods["choice"])
    a = a[a["kind"] != "partner indicator"].set_index("issue")
    b = b.set_index("issue")
    assert set(a.index) == set(b.index)
    a = a.loc[b.index]
    flagged = a["partner_flags"].fillna(0) > 0
    same = ["count", "volume", "direction", "harm", "concentration"]
    pd.testing.assert_frame_equal(a[same], b[same], check_dtype=False)
    # Vulnerability only rises, and only for a ward with a partner flag.
    assert (a.loc[~flagged, "vulnerability"] == b.loc[~flagged, "vulnerability"]).all()
    assert (a.loc[flagged, "vulnerability"] >= b.loc[flagged, "vulnerability"]).all()
    unflagged = b.index[~flagged.to_numpy()]
    np.testing.assert_allclose(a.loc[unflagged, "score"], b.loc[unflagged, "score"])


def test_a_partner_ward_flag_raises_a_wards_vulnerability_with_the_scoring_rule():
    rules = priority.load_scoring()
    m = pd.DataFrame(
        {
            "issue": ["Ward A (ward)", "Ward A (ward)", "Ward B (ward)"],
            "count": [200, 200, 200],
            "deprived_ratio": [0.5, 0.5, 2.0],  # bands 1, 1 and 4
            "partner_flags": [0, 1, 1],
            "partner_synthetic": [True, True, True],
            "synthetic": [False, False, False],
        }
    )
    s = priority.dimension_scores(m, rules)
    assert s["vulnerability"].tolist() == [1, rules["vulnerability"]["partner_flag"], 4]
    # Synthetic partner flags count as synthetic only where they raised the score.
    assert s["synthetic"].tolist() == [False, True, False]
    assert s["confidence"].tolist() == [1.0, 0.5, 1.0]


def test_a_partner_ward_flag_changes_a_flagged_wards_vulnerability(tmp_path):
    """End to end: more council ASB cases in one flagged ward put it above the district."""
    from sa_lib.themes import candidates, partner_report
    from sa_lib.themes.assessment import ward_analysis

    ctx0 = _ctx("summary")
    rules = priority.load_scoring()
    wa = ward_analysis(ctx0, min_count=ctx0.params.wards.min_count or 50)
    base = priority.dimension_scores(
        candidates.candidate_measures(ctx0, wa, rules, min_flags=ctx0.options.min_flags), rules
    )
    wards = base[(base["kind"] == "place") & (base["vulnerability"] < 3)]
    assert len(wards), "the sample has a flagged ward with low vulnerability"
    ward = wards.iloc[0]
    src = pd.read_csv(config.ROOT / "data/sample/synthetic/partner_indicators_synthetic.csv")
    hit = (
        (src["indicator"] == "council_asb_cases")
        & (src["area_code"] == ward["ward_code"])
        & src["month"].isin([str(m) for m in ctx0.period.months])
    )
    assert hit.sum() == 3
    src.loc[hit, "count"] += 40
    path = tmp_path / "partner.csv"
    src.to_csv(path, index=False)
    over = {"data.partner_indicators": str(path)}
    partner = partner_report.build(_ctx("partner", over))
    flags = partner.data["ward_flags"]
    assert flags[(flags["ward_code"] == ward["ward_code"]) & flags["flag"]]["name"].tolist() == [
        "Council ASB cases"
    ]
    after = priority.dimension_scores(
        candidates.candidate_measures(
            ctx0, wa, rules, min_flags=ctx0.options.min_flags, partner=partner
        ),
        rules,
    ).set_index("issue")
    row = after.loc[ward["issue"]]
    assert row["vulnerability"] == rules["vulnerability"]["partner_flag"] > ward["vulnerability"]
    assert row["partner_flag_names"] == "Council ASB cases (SYNTHETIC)"
    assert bool(row["synthetic"])  # raised by SYNTHETIC partner data
    # Its finding names the partner flag (the issue is labelled synthetic with it).
    from sa_lib.themes.summary_report import _partner_flag_text

    assert _partner_flag_text(row) == [
        "partner data put its rate of council ASB cases significantly above the district's"
    ]


def test_without_partner_data_the_summary_matches_the_golden_pack_less_partner_cells(
    without_partner,
):
    """The golden pack (built with partner data) less its partner cells is the summary
    without partner data: the matrix and the measures, row by row."""
    import json

    import golden

    fixture = json.loads(
        (config.ROOT / "tests/fixtures/golden/huntingdonshire_2025q4.json").read_text()
    )
    want = {t["caption"].split(",")[0]: t for t in fixture["tables"]["summary"]}
    without = without_partner
    got = {(t.caption or "").split(",")[0]: t for t in without.tables()}
    partner_col = "Partner indicators above the district"
    for cap in ("Priority matrix", "Measures used for the scores"):
        w, g = want[cap], got[cap].texts()
        keep = [i for i, h in enumerate(w["header"]) if h != partner_col]
        assert [w["header"][i] for i in keep] == list(g.columns)
        rows = {r[1] if cap == "Priority matrix" else r[0]: r for r in w["rows"]}
        rows = {k: [r[i] for i in keep] for k, r in rows.items() if "(partner data)" not in k}
        shown = {
            (r[1] if cap == "Priority matrix" else r[0]): [golden.cell(str(v)) for v in r]
            for r in g.itertuples(index=False)
        }
        assert set(shown) == set(rows), cap
        for issue, cells in shown.items():
            assert cells == rows[issue], (cap, issue)


def _fake_partner(rows: list[dict]):
    from types import SimpleNamespace

    base = {
        "name": "Deliberate fires",
        "count": 40,
        "count_before": 20,
        "pct_change": 100.0,
        "change_label": "increase, not significant",
        "change": "increase",
        "variation": "common cause",
        "deprived_ratio": np.nan,
        "top10_share": np.nan,
        "rate": 1.0,
        "rate_lower": 0.7,
        "rate_upper": 1.4,
        "synthetic": False,
    }
    return SimpleNamespace(data={"indicators": pd.DataFrame([{**base, **r} for r in rows])})


def test_which_partner_indicators_are_candidates_and_how_harm_is_banded():
    from sa_lib.themes.candidates import _partner_measures

    rules = priority.load_scoring()
    partner = _fake_partner(
        [
            {"name": "Deliberate fires"},  # n.s., common cause: not a candidate
            {
                "name": "Council ASB cases",
                "change_label": "significant increase",
                "change": "significant increase",
            },
            {"name": "People on probation", "variation": "special cause: improvement (low)"},
            {"name": "Hate incidents reported to partners", "change_label": "significant decrease"},
        ]
    )
    got = {m["issue"]: m for m in _partner_measures(partner, rules)}
    assert set(got) == {"Council ASB cases (partner data)", "People on probation (partner data)"}
    assert got["People on probation (partner data)"]["spc_signal"] is False  # low: no +1
    assert np.isnan(got["Council ASB cases (partner data)"]["harm_band"])
    # A band in the scoring rules' default_bands, by the indicator's plain name, scores harm.
    rules["harm"]["default_bands"]["Council ASB cases"] = 2
    got = {m["issue"]: m for m in _partner_measures(partner, rules)}
    s = priority.dimension_scores(pd.DataFrame(list(got.values())), rules).set_index("issue")
    assert s.loc["Council ASB cases (partner data)", "harm"] == 2
    assert "harm" not in s.loc["Council ASB cases (partner data)", "not_scored"]
    assert s.loc["Council ASB cases (partner data)", "direction"] == 4
    assert "volume" in s.loc["People on probation (partner data)", "not_scored"]
    assert _partner_measures(None, rules) == []


def test_a_partner_candidate_in_the_key_findings_is_labelled_and_linked(with_partner):
    from sa_lib.themes.summary_report import summary_findings

    _, summary = with_partner
    s = summary.data["scored"]
    first = s[s["kind"] == "partner indicator"].head(1)
    f = summary_findings(first, _ctx("summary"), n=1)[0]
    assert f["text"].startswith("People on probation (partner data) (SYNTHETIC data): 1,407 in")
    assert "an unusually high month" in f["text"]  # its special-cause variation
    assert f["href"] == "partner.html#The-indicators" and f["synthetic"] is True


def test_ward_flags_keep_the_minimum_count_rule(with_partner):
    """Deliberate fires (24 in the district in Q4 2025, under wards.min_count 50) flag no
    ward; ambulance call-outs (LSOA) and council ASB cases (ward) are read."""
    partner, _ = with_partner
    t = partner.data["indicators"].set_index("name")
    flags = partner.data["ward_flags"]
    read = set(flags["name"])
    assert t.loc["Deliberate fires", "count"] < 50 <= t.loc["Council ASB cases", "count"]
    assert read == {"Ambulance call-outs to assaults", "Council ASB cases"}
    # Every flag passed the interval test: the lower limit above the district's rate.
    f = flags[flags["flag"]]
    assert len(f) and (f["rate_lower"] > f["district_rate"]).all()


def test_the_spc_summary_lists_every_partner_indicator_with_the_partner_page_variation(
    with_partner,
):
    """The summary's SPC summary covers every indicator, partner ones included, each with
    the variation the partner page shows (read from its result, never recomputed)."""
    from sa_lib.themes.spc_summary import ICONS

    partner, summary = with_partner
    page = next(t for t in partner.tables() if (t.caption or "").startswith("Partner indicators"))
    shown = page.texts().set_index("Indicator")["Variation (SPC)"]
    spc = next(t for t in summary.tables() if (t.caption or "").startswith("SPC summary"))
    rows = spc.texts().set_index("Indicator")
    assert len(shown) >= 5
    for name, var in shown.items():
        row = f"{name} (partner data) (SYNTHETIC)"
        assert row in rows.index, (row, list(rows.index))
        want = ICONS["not enough months"][2] if var == "not enough months" else var
        assert rows.loc[row, "Variation"] == want, (name, rows.loc[row, "Variation"], var)
        assert rows.loc[row, "Assurance"] == ICONS["no target"][2]
    assert rows.index.str.contains("(partner data)", regex=False).sum() == len(shown)
    # The probation caseload's special cause (H) on the partner page is on the summary too.
    assert rows.loc["People on probation (partner data) (SYNTHETIC)", "Variation"].startswith("H")
