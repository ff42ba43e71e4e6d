"""Issue 20 item 4: a cited default harm weight (Cambridge Crime Harm Index 2026).

The default ships in data/harm/ and loads from a fresh clone (no ../shared); the
partnership's own table overrides it; anti-social behaviour, which has no CCHI
score, is reported separately; the pages name the source.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sa_lib import config
from sa_lib.stats import harm, priority
from sa_lib.themes import candidates, scoring_display
from sa_lib.themes.harm_input import harm_input

HARM = config.ROOT / "data" / "harm"
FILES = [
    "README.md",
    "PROVENANCE.json",
    "cchi2026_prc_subgroups.csv",
    "cchi2026_police_uk_categories.csv",
]
CITATION = "Cambridge Crime Harm Index (2026 update)"


def _ctx(path=None):
    return SimpleNamespace(path=lambda key: path if key == "harm_weights" else None)


def test_the_default_is_shipped_in_the_repository_not_read_from_shared():
    for name in FILES:
        assert (HARM / name).is_file(), name
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", str(HARM / name)], cwd=config.ROOT, check=False
        )
        assert ignored.returncode == 1, f"data/harm/{name} is git-ignored: a clone would lack it"
    assert "shared" not in str(harm.DEFAULT_WEIGHTS_PATH)


def test_the_default_loads_from_a_fresh_root_without_shared(tmp_path):
    """A project root with no data/ of its own (as `sa init` makes) still finds the default."""
    code = (
        "from sa_lib.stats import harm; w = harm.default_weights(); "
        "print(len(w), w.set_index('crime_type').loc['Robbery', 'weight'], harm.DEFAULT_WEIGHTS_PATH)"
    )
    env = {**os.environ, "SA_ROOT": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    n, robbery, path = out.stdout.split()
    assert (int(n), float(robbery)) == (13, 365.0)
    assert "shared" not in path and Path(path).is_file()


def test_provenance_hashes_match_the_shipped_files():
    prov = json.loads((HARM / "PROVENANCE.json").read_text())
    assert "Cambridge" in prov["source"] and "OGL" in prov["counts"] + prov["licence"]
    for f in prov["files"]:
        p = config.DATA_DIR.parent / "data" / f["file"]
        assert hashlib.sha256(p.read_bytes()).hexdigest() == f["sha256"], f["file"]


def test_category_weights_are_the_count_weighted_mean_of_subgroup_medians():
    sub = pd.read_csv(HARM / "cchi2026_prc_subgroups.csv")
    w = harm.default_weights().set_index("crime_type")["weight"]
    for cat, g in sub.groupby("police_uk_category"):
        n = g["national_count_2024_25"]
        assert w[cat] == pytest.approx((n * g["cchi_median_days"]).sum() / n.sum(), abs=0.006)
    # The README's table (values in the shared derived table, to 2 decimals).
    assert w["Violence and sexual offences"] == pytest.approx(194.21)
    assert w["Burglary"] == pytest.approx(244.68)
    assert w["Criminal damage and arson"] == pytest.approx(11.18)
    assert w["Drugs"] == pytest.approx(3.66)
    assert set(w.index) == set(harm.POLICE_UK_CRIME_TYPES) - {"Anti-social behaviour"}


def test_default_is_used_when_no_table_is_given_and_the_override_wins(tmp_path):
    h = harm_input(_ctx())
    assert h.default and h.source.startswith(CITATION)
    types = pd.Series(["Robbery", "Shoplifting", "Vehicle crime", "Anti-social behaviour"])
    rules = priority.load_scoring()
    assert candidates._harm_band(types, rules, _ctx()).tolist()[:3] == [4.0, 1.0, 2.0]
    own = tmp_path / "own.csv"
    own.write_text(
        "crime_type,weight,source\nRobbery,1,Our board's ranking 2025\n"
        "Shoplifting,500,Our board's ranking 2025\nAnti-social behaviour,40,Our board's ranking 2025\n"
    )
    h = harm_input(_ctx(own))
    assert not h.default and h.source == "Our board's ranking 2025"
    bands = candidates._harm_band(types, rules, _ctx(own))
    assert bands.tolist()[:2] == [1.0, 4.0]  # the partnership's table, not the CCHI
    assert bands.iloc[3] == 3.0  # its own ASB weight is used
    assert np.isnan(bands.iloc[2])  # a type it leaves out has no weight
    assert "Our board's ranking 2025" in scoring_display.harm_note(_ctx(own), rules)
    assert CITATION not in scoring_display.harm_note(_ctx(own), rules)


def test_asb_has_no_cchi_score_and_its_harm_is_not_scored():
    rules = priority.load_scoring()
    band = candidates._harm_band(pd.Series(["Anti-social behaviour"]), rules, _ctx())
    assert np.isnan(band.iloc[0])
    m = pd.DataFrame(
        {
            "issue": ["Anti-social behaviour", "Robbery"],
            "count": [900, 900],
            "harm_band": [band.iloc[0], 4.0],
        }
    )
    s = priority.dimension_scores(m, rules)
    assert s["harm"].tolist() == [rules["missing_score"], 4]
    assert "harm" in s["not_scored"].iloc[0] and "harm" not in s["not_scored"].iloc[1]


def test_summary_names_the_harm_source_and_reports_asb_separately():
    rules = priority.load_scoring()
    note = scoring_display.harm_note(_ctx(), rules)
    assert CITATION in note
    assert "Anti-social behaviour has no harm score" in note
    assert "under 5 days 1, 5 to 30 days 2, 30 to 100 days 3, 100 days or more 4" in note
    line = scoring_display.harm_source_line(_ctx())
    assert CITATION in line and "Anti-social behaviour: harm not scored" in line
