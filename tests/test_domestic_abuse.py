import pandas as pd
import pytest

from sa_lib.data.periods import parse_period
from sa_lib.themes import domestic_abuse as da

VSO = "Violence and sexual offences"


def _extract():
    return pd.DataFrame(
        {
            "domestic_abuse": [True, True, False, True, True, False],
            "crime_type": [VSO, VSO, VSO, "Criminal damage and arson", "Burglary", VSO],
            "offence_subgroup": [
                "Rape",
                "Homicide",
                "Violence with injury",
                None,
                None,
                "Violence with injury",
            ],
            "month": ["2025-10", "2025-11", "2025-10", "2025-12", "2025-10", "2024-10"],
            "committed_from": pd.to_datetime(
                [
                    "2025-10-01 10:00",
                    "2025-11-02",
                    "2025-10-03",
                    "2025-12-24 22:00",
                    "2025-12-24 23:00",
                    "2024-10-01",
                ],
                format="mixed",
            ),
        }
    )


def test_da_rows_categories():
    out = da.da_rows(_extract())
    assert out["da_category"].tolist() == [
        "Sexual offences",
        "Other",
        "Criminal damage and arson",
        "Other",
    ]


def test_da_rows_needs_the_flag():
    with pytest.raises(ValueError, match="domestic_abuse"):
        da.da_rows(_extract().drop(columns="domestic_abuse"))


def test_share_of_violence_by_hand():
    periods = {"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")}
    s = da.share_of_violence(_extract(), periods).set_index("period")
    # Q4 2025: 3 VSO rows, 2 flagged. Q4 2024: 1 VSO row, none flagged.
    assert (s.loc["current", "da_violence"], s.loc["current", "violence"]) == (2, 3)
    assert s.loc["current", "proportion"] == pytest.approx(2 / 3)
    assert (s.loc["last_year", "da_violence"], s.loc["last_year", "violence"]) == (0, 1)
    assert s.loc["last_year", "proportion_lower"] == 0


def test_daily_counts_fill_empty_days():
    d = da.daily_counts(_extract(), "2025-12-23", "2025-12-25")
    assert d["count"].tolist() == [0, 2, 0]


def test_key_findings_never_quote_small_counts():
    summary = pd.DataFrame(
        [
            {
                "crime_type": "Domestic abuse",
                "count_current": 8,
                "count_last_year": 20,
                "rate": 1.0,
                "rate_lower": 0.5,
                "rate_upper": 2.0,
                "pct_vs_last_year": -60.0,
                "label_vs_last_year": "significant decrease",
                "p_vs_last_year": 0.01,
            }
        ]
    )
    share = pd.DataFrame(
        [
            {
                "period": "current",
                "da_violence": 8,
                "violence": 30,
                "proportion": 0.27,
                "proportion_lower": 0.1,
                "proportion_upper": 0.4,
            }
        ]
    )
    repeat = pd.DataFrame(
        [
            {
                "measure": "victims",
                "repeats": 4,
                "total": 8,
                "proportion": 0.5,
                "proportion_lower": 0.2,
                "proportion_upper": 0.8,
            }
        ]
    )
    out = da.key_findings(
        summary, share, repeat, None, rate_label="per 1,000", window_days=365, suppress_below=10
    )
    assert out == [], "every finding rests on a count below 10"
    summary.loc[0, "count_current"] = 40
    out = da.key_findings(
        summary, share, repeat, None, rate_label="per 1,000", window_days=365, suppress_below=10
    )
    assert out[0].startswith("40 domestic abuse crimes were recorded")
    assert "a significant change" in out[0]
    assert (
        da.key_findings(
            summary,
            share,
            repeat,
            None,
            rate_label="x",
            window_days=365,
            suppress_below=10,
            withheld={"Domestic abuse"},
        )
        == []
    )
