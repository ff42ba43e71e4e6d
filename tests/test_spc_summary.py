"""The SPC summary across every indicator (issue 21): variation and assurance icons with words."""

from types import SimpleNamespace

import pandas as pd

from sa_lib.themes.spc_summary import ICONS, assurance, spc_display, spc_summary, variation


def _monthly():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    steady = [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50] * 2
    jump = [20, 21, 19, 20, 22, 18, 20, 21, 19, 20, 21, 19] * 2
    jump[-1] = 60  # the latest month far above the limits
    rows = [
        *(
            {"month_start": m, "crime_type": "Burglary", "count": c}
            for m, c in zip(months, steady, strict=True)
        ),
        *(
            {"month_start": m, "crime_type": "Drugs", "count": c}
            for m, c in zip(months, jump, strict=True)
        ),
    ]
    return pd.DataFrame(rows)


def _target(crime_type, pct):
    return SimpleNamespace(crime_type=crime_type, reduction_pct=pct, baseline_year=2024)


def test_variation_and_assurance_rules():
    assert variation({"special_cause": False, "direction": ""}) == "common cause"
    assert variation({"special_cause": True, "direction": "low"}).endswith("improvement (low)")
    assert assurance(5, 10, 20) == "will miss" and assurance(25, 10, 20) == "will meet"
    assert assurance(15, 10, 20) == "may meet"


def test_spc_summary_reads_every_indicator_and_its_target():
    params = SimpleNamespace(targets=[_target("Burglary", 2)], priorities=[_target("Drugs", 90)])
    s = spc_summary(_monthly(), params, "2025-12").set_index("indicator")
    assert list(s.index) == ["All crime (excluding ASB)", "Burglary", "Drugs"]
    assert s.loc["Drugs", "variation"] == "special cause: concern (high)"
    assert s.loc["Burglary", "variation"] == "common cause"
    # Burglary: 2% below a mean of 50 is inside the limits; Drugs: 90% below is under them.
    assert s.loc["Burglary", "assurance"] == "may meet"
    assert s.loc["Drugs", "assurance"] == "will miss"
    assert s.loc["All crime (excluding ASB)", "assurance"] == "no target"
    # Months after the period are not read.
    early = spc_summary(_monthly(), params, "2025-11").set_index("indicator")
    assert early.loc["Drugs", "variation"] == "common cause"


def test_display_has_words_beside_every_icon_and_colours_only_as_a_second_cue():
    params = SimpleNamespace(targets=[], priorities=[_target("Drugs", 90)])
    shown, styles = spc_display(spc_summary(_monthly(), params, "2025-12"))
    drugs = shown.set_index("Indicator").loc["Drugs"]
    assert drugs["Variation"] == "H Special cause of concern: high"
    assert drugs["Assurance"] == "F Will miss the target every month (fails)"
    assert shown.set_index("Indicator").loc["Burglary", "Assurance"] == "No target set"
    assert all(st.startswith("background:") for st in styles["Variation"])
    assert set(ICONS) >= {"common cause", "will meet", "will miss", "may meet"}
