"""Tests for sa_lib.stats.events: simulated series with known event effects, and bad inputs."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.events import event_effects, event_indicators, load_events, validate_events

DAYS = pd.date_range("2022-01-01", "2024-12-31")


def _ev(rows):
    return pd.DataFrame(
        [(n, pd.Timestamp(s), pd.Timestamp(e)) for n, s, e in rows],
        columns=["event", "start", "end"],
    )


def _pick(seed: int, n: int, exclude=()) -> pd.DatetimeIndex:
    rng = np.random.default_rng(seed)
    pool = DAYS[~DAYS.isin(exclude)]
    return pd.DatetimeIndex(np.sort(rng.choice(pool, n, replace=False)))


MATCH = _pick(1, 30)
NULL = _pick(2, 30, exclude=MATCH)
EVENTS = _ev([("Match day", d, d) for d in MATCH] + [("Null day", d, d) for d in NULL])


def _series(seed: int, effect: float = 2.0, overdispersed: bool = False) -> pd.DataFrame:
    """Daily counts: weekend x1.5, summer x1.3, a rising year level, x`effect` on match days."""
    rng = np.random.default_rng(seed)
    weekend = np.where(DAYS.day_of_week >= 5, 1.5, 1.0)
    summer = np.where(DAYS.month.isin([6, 7, 8]), 1.3, 1.0)
    level = 1 + 0.1 * (DAYS.year - 2022)
    mu = 8 * weekend * summer * level * np.where(DAYS.isin(MATCH), effect, 1.0)
    if overdispersed:
        mu = mu * rng.gamma(shape=5, scale=1 / 5, size=len(mu))
    return pd.DataFrame({"date": DAYS, "count": rng.poisson(mu)})


def test_known_effect_detected_and_null_not():
    counts = _series(11)
    before = counts.copy()
    clear_choices()
    out = event_effects(counts, EVENTS, alpha=0.05, correction="holm").set_index("event")
    pd.testing.assert_frame_equal(counts, before)
    m, n = out.loc["Match day"], out.loc["Null day"]
    assert m["significant"] and m["label"] == "significantly higher"
    assert m["rr_lower"] < 2.0 < m["rr_upper"]
    assert m["rate_ratio"] == pytest.approx(2.0, rel=0.15)
    assert not n["significant"]
    assert n["rr_lower"] < 1.0 < n["rr_upper"]
    assert m["n_periods"] == 30 and m["observed"] == counts.loc[DAYS.isin(MATCH), "count"].sum()
    # expected x rate ratio reproduces the fitted count on event days
    assert m["expected"] * m["rate_ratio"] == pytest.approx(m["observed"], rel=0.05)
    assert m["p_adjusted"] >= m["p_value"]
    assert out["model"].iloc[0] == "poisson"
    assert "event effects model" in set(choices_table()["choice"])


def test_ci_coverage_over_seeds():
    # 95% intervals should cover the true ratio in most of 12 simulated series.
    covered = 0
    for seed in range(12):
        r = event_effects(_series(seed), EVENTS, model="poisson", correction="none")
        r = r.set_index("event").loc["Match day"]
        covered += r["rr_lower"] < 2.0 < r["rr_upper"]
    assert covered >= 9


def test_controls_remove_weekday_confounding():
    # No event effect, but the "event" falls mostly on busy Saturdays.
    sats = DAYS[DAYS.day_of_week == 5][::2]
    ev = _ev([("Saturday event", d, d) for d in sats])
    counts = _series(5, effect=1.0)
    r = event_effects(counts, ev, model="poisson", correction="none").iloc[0]
    assert r["crude_ratio"] > 1.3  # eyeballing says "higher"
    assert not r["significant"] and r["rr_lower"] < 1 < r["rr_upper"]


def test_overdispersed_series_chooses_negbin():
    clear_choices()
    out = event_effects(_series(3, overdispersed=True), EVENTS).set_index("event")
    assert out["model"].iloc[0] == "negbin"
    assert choices_table().set_index("choice").loc["event effects model", "value"] == "negbin"
    assert out.loc["Match day", "rr_lower"] < 2.0 < out.loc["Match day", "rr_upper"]
    with pytest.warns(UserWarning, match="overdispersed"):
        event_effects(_series(3, overdispersed=True), EVENTS, model="poisson")


@pytest.mark.filterwarnings("ignore:The counts are overdispersed")
def test_weekly_series():
    weeks = pd.date_range("2022-01-03", periods=156, freq="7D")
    rng = np.random.default_rng(0)
    ev = _ev([("Tournament", "2023-06-12", "2023-07-02")])
    ind = event_indicators(weeks, ev, freq="W")["Tournament"]
    assert ind.sum() == 3  # weeks starting 12, 19, 26 June
    counts = pd.DataFrame({"date": weeks, "count": rng.poisson(np.where(ind == 1, 150, 50))})
    r = event_effects(counts, ev, model="poisson", correction="none").iloc[0]
    assert r["n_periods"] == 3 and r["rr_lower"] < 3 < r["rr_upper"]


def test_event_indicators_multi_row_event():
    ev = _ev([("Xmas", "2023-12-25", "2023-12-25"), ("Xmas", "2024-12-25", "2024-12-26")])
    ind = event_indicators(DAYS, ev)
    assert ind["Xmas"].sum() == 3


def test_event_outside_series_warns():
    ev = pd.concat([EVENTS, _ev([("Future", "2030-01-01", "2030-01-02")])])
    with pytest.warns(UserWarning, match="'Future' has no days"):
        out = event_effects(_series(1), ev, model="poisson").set_index("event")
    assert np.isnan(out.loc["Future", "p_value"]) and not out.loc["Future", "significant"]
    assert out.loc["Future", "label"] == "not estimable"


def test_load_events(tmp_path):
    p = tmp_path / "events.csv"
    p.write_text("Event,Start,End\nChristmas Day,25/12/2024,\nEuro final,2024-07-14,2024-07-14\n")
    ev = load_events(p)
    assert ev["event"].tolist() == ["Christmas Day", "Euro final"]
    assert ev["start"].tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2024-07-14")]
    assert ev["end"].tolist() == ev["start"].tolist()


# ---- one broken fixture per error -------------------------------------------------------


def test_bad_date_names_line():
    csv = io.StringIO("event,start,end\nA,2024-01-01,2024-01-02\nB,2024-13-45,2024-01-02\n")
    with pytest.raises(ValueError, match=r"start '2024-13-45' at line 3 \('B'\) is not a date"):
        load_events(csv)


def test_end_before_start_names_line():
    csv = io.StringIO("event,start,end\nA,2024-01-05,2024-01-02\n")
    with pytest.raises(ValueError, match="end 2024-01-02 is before start 2024-01-05 at line 2"):
        load_events(csv)


def test_missing_start_and_name():
    with pytest.raises(ValueError, match="start is missing at line 2"):
        load_events(io.StringIO("event,start,end\nA,,2024-01-02\n"))
    with pytest.raises(ValueError, match="event name is empty at line 2"):
        load_events(io.StringIO("event,start,end\n,2024-01-01,2024-01-02\n"))


def test_missing_events_column_and_file(tmp_path):
    with pytest.raises(ValueError, match="missing required column.*'end'"):
        load_events(io.StringIO("event,start\nA,2024-01-01\n"))
    with pytest.raises(ValueError, match="events file not found"):
        load_events(tmp_path / "none.csv")


def test_counts_errors():
    counts = _series(1)
    with pytest.raises(ValueError, match="missing required column.*'n'"):
        event_effects(counts, EVENTS, count_col="n")
    bad = counts.copy()
    bad.loc[3, "count"] = -1
    with pytest.raises(ValueError, match="must not be negative.*row 3"):
        event_effects(bad, EVENTS)
    dup = pd.concat([counts, counts.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match="repeats 2022-01-06 at row 1096"):
        event_effects(dup, EVENTS)
    with pytest.raises(ValueError, match="alpha must be"):
        event_effects(counts, EVENTS, alpha=1.5)
    with pytest.raises(ValueError, match="correction='fdr' is not a valid choice"):
        event_effects(counts, EVENTS, correction="fdr")
    with pytest.raises(ValueError, match="controls='season' is not a valid choice"):
        event_effects(counts, EVENTS, controls=("season",))


def test_inseparable_events():
    counts = _series(1)
    same = _ev([("A", "2023-05-01", "2023-05-03"), ("B", "2023-05-01", "2023-05-03")])
    with pytest.raises(ValueError, match="'A' and 'B' fall on exactly the same days"):
        event_effects(counts, same)
    everywhere = _ev([("All", "2021-01-01", "2025-12-31")])
    with pytest.raises(ValueError, match="'All' covers every date"):
        event_effects(counts, everywhere)


def test_bad_count_date_names_row():
    counts = pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "soon"], "count": [1, 2, 3]})
    with pytest.raises(ValueError, match="not a date: 'soon' at row 2"):
        event_effects(counts, EVENTS)


def test_validate_events_accepts_parsed_frame_with_blank_end():
    ev = pd.DataFrame({"event": ["A"], "start": [pd.Timestamp("2024-01-01")], "end": [pd.NaT]})
    assert validate_events(ev)["end"].tolist() == [pd.Timestamp("2024-01-01")]


def test_irregular_dates():
    counts = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2024-01-04"]), "count": [1, 2]})
    with pytest.raises(ValueError, match="neither daily nor weekly"):
        event_effects(counts, EVENTS)
