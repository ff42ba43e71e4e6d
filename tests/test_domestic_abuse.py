import pandas as pd
import pytest
import yaml

from sa_lib import config
from sa_lib.data.periods import parse_period
from sa_lib.themes import domestic_abuse as da

VSO = "Violence and sexual offences"

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


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


# --------------------------------------------------------------------------- build(ctx)

SAMPLE_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"


def _ctx_without(tmp_path, *keys):
    from sa_lib.pack.context import open_context

    if not (config.PROCESSED_DIR / "outcomes").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    p = yaml.safe_load(SAMPLE_PARAMS.read_text())
    for key in keys:
        p["data"].pop(key, None)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(p))
    return open_context(path, "domestic_abuse")


@pytest.fixture(scope="module")
def sample_result(sample_theme):
    # da.build on the shipped parameters, built once per session (conftest.py ``sample_theme``).
    return sample_theme("domestic_abuse")


def test_build_on_the_sample_has_every_section_and_the_repeat_figures(sample_result):
    r = sample_result
    assert list(r.sections) == [
        "header", "findings", "volume", "repeat", "victims", "when", "wards", "methods"
    ]  # fmt: skip
    assert r.synthetic == "page"
    # The repeat trend's first year cannot be judged: said under the header, as before.
    assert any("no eligible crimes" in b.text for b in r.sections["header"][1:])
    captions = [t.caption for t in r.tables()]
    assert "Time from one domestic abuse crime to the victim's next" in captions
    assert "Domestic abuse by offence" in captions
    assert [type(b).__name__ for b in r.sections["repeat"]][-1] == "Figure"
    rep = r.data["repeat"]
    assert set(rep["measure"]) == {"victims", "crimes"}
    assert ((rep["repeats"] <= rep["total"]) & (rep["total"] > 0)).all()
    assert len(r.data["repeat_trend"]) > 1
    assert r.data["summary"]["crime_type"].tolist() == ["Domestic abuse"]
    assert any("repeat victims" in f.text for f in r.findings)
    assert r.availability == {} and len(r.data["event_effects"]) > 0


def test_build_without_an_events_table_says_events_are_not_tested(tmp_path):
    r = da.build(_ctx_without(tmp_path, "events"))
    assert r.availability == {"event effects": da.NO_EVENTS}
    assert da.NO_EVENTS in [b.text for b in r.sections["when"] if type(b).__name__ == "Note"]
    assert r.data["event_effects"] is None


def test_build_without_an_extract_fails_clearly(tmp_path):
    # Refused by the parameters check (`sa check`), before any notebook runs.
    with pytest.raises(ValueError, match="needs a force extract.*sa ingest-extract"):
        da.build(_ctx_without(tmp_path, "extract"))
