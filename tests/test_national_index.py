"""The national index: every pack's headline rate and CI, a funnel plot, links, failures."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest
from scipy import stats

from sa_lib.pack.export import external_resources
from sa_lib.pack.national_index import collect_packs, headline_frame, write_national_index


def _pack(root, name, count, population, status="complete", force="Essex"):
    d = root / f"{name}_2018q2"
    d.mkdir(parents=True)
    man = {
        "status": status,
        "force": force,
        "parameters": {"csp": {"name": name.replace("_", " ").title(), "slug": name}},
        "headline": {
            "count": count,
            "population": population,
            "per": 1000,
            "conf_level": 0.95,
            "threshold": 10,
            "period": "Q2 2018 (Apr-Jun)",
        },
    }
    (d / "manifest.json").write_text(json.dumps(man))
    return d


def test_headline_ci_matches_byar_and_small_counts_are_suppressed():
    df = pd.DataFrame({"count": [120, 8], "population": [80000, 5000]})
    h = headline_frame(df, per=1000, conf_level=0.95, threshold=10)
    z = stats.norm.ppf(0.975)
    o = 120
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3 / 80
    hi = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3 / 80
    assert h.loc[0, "rate"] == pytest.approx(1.5)
    assert h.loc[0, "rate_lower"] == pytest.approx(lo, rel=1e-6)
    assert h.loc[0, "rate_upper"] == pytest.approx(hi, rel=1e-6)
    assert h.loc[1, "suppressed"] and math.isnan(h.loc[1, "rate"])
    assert "rate" not in df, "the input is not changed"


def test_collect_packs_skips_build_folders_and_failed_builds(tmp_path):
    _pack(tmp_path, "alpha", 100, 50000)
    (tmp_path / ".beta_2018q2.tmp-123").mkdir()
    (tmp_path / ".beta_2018q2.tmp-123" / "manifest.json").write_text("{}")
    _pack(tmp_path, "gamma", 100, 50000).rename(tmp_path / "gamma_2018q2.failed")
    _pack(tmp_path, "delta", 100, 50000).rename(tmp_path / "delta_2018q1")
    assert collect_packs(tmp_path, "2018q2")["pack"].tolist() == ["alpha_2018q2"]


def test_index_lists_every_pack_with_rate_ci_position_and_link(tmp_path):
    # Twelve ordinary areas at 2 per 1,000; one far above, one far below, one suppressed.
    for i in range(12):
        _pack(tmp_path, f"area_{i:02d}", 200, 100000)
    _pack(tmp_path, "high", 600, 100000)
    _pack(tmp_path, "low", 40, 100000)
    _pack(tmp_path, "tiny", None, 2000)
    path = write_national_index(
        tmp_path,
        period_slug="2018q2",
        period_label="Q2 2018 (Apr-Jun)",
        failures=[{"csp_name": "Broken", "error": "cell 3: KeyError"}],
    )
    html = path.read_text()
    assert path == tmp_path / "index.html"
    rows = {
        re.search(r">([^<]+)</a>", r).group(1): r for r in html.split("<tr><td>")[1:] if "</a>" in r
    }
    assert len(rows) == 15
    assert 'href="high_2018q2/index.html"' in rows["High"]
    # The pooled rate of the 14 areas shown is (12*200 + 600 + 40) / 1.4m = 2.17 per 1,000
    # (the suppressed one is left out); 99.8% limits at 100,000 residents are about
    # 217 +/- 3.09 * sqrt(217) crimes, well inside 40..600.
    ref = (12 * 200 + 600 + 40) / (14 * 100000) * 1000
    assert (
        ref * 100 + 3.1 * math.sqrt(ref * 100) < 600 and ref * 100 - 3.1 * math.sqrt(ref * 100) > 40
    )
    assert "above" in rows["High"] and "below" in rows["Low"]
    assert "within the limits" in rows["Area 00"]
    assert ">6.0<" in rows["High"]
    assert "fewer than 10" in rows["Tiny"]
    assert "FAILED: no pack published (cell 3: KeyError)" in html and "Broken" in html
    assert "data:image/png;base64," in html and external_resources(html) == []
    assert '<p class="sa-note">' in html, "the overdispersion estimate is stated"
    assert not list(tmp_path.glob(".index*")), "written atomically, no temporary file left"


def test_index_for_a_year_lists_only_that_year_and_every_failure(tmp_path):
    """Issue 19: `--period 2018` listed the 2018-Q2 packs and hid the failures."""
    _pack(tmp_path, "alpha", 100, 50000)  # alpha_2018q2: another period
    year = _pack(tmp_path, "beta", 300, 60000).rename(tmp_path / "beta_2018")
    assert collect_packs(tmp_path, "2018")["pack"].tolist() == [year.name]
    fails = [{"csp_name": "Alpha", "error": "cell 2: the store does not hold 2018-08"}]
    html = write_national_index(
        tmp_path, period_slug="2018", period_label="2018", failures=fails
    ).read_text()
    assert "alpha_2018q2" not in html and 'href="beta_2018/index.html"' in html
    assert "1 partnership packs" in html
    assert (
        "Alpha</td><td>FAILED: no pack published (cell 2: the store does not hold 2018-08)" in html
    )
    # The footer: provenance and every attribution line.
    foot = html.split('<footer class="sa-footer">')[1]
    assert "Produced by sa-workbench" in foot and "Open Government Licence" in foot


def test_index_of_an_empty_root_says_there_is_no_funnel(tmp_path):
    html = write_national_index(tmp_path, period_slug="2018q2", period_label="Q2 2018").read_text()
    assert "0 partnership packs" in html and "Too few packs" in html


def test_two_packs_get_poisson_limits_and_say_why(tmp_path):
    _pack(tmp_path, "alpha", 100, 50000)
    _pack(tmp_path, "beta", 300, 60000)
    html = write_national_index(tmp_path, period_slug="2018q2", period_label="Q2").read_text()
    assert "data:image/png;base64," in html
    assert "Too few partnerships to estimate" in html
