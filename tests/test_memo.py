"""The per-pack memo of shared computations (sa_lib.memo, issue 24)."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from sa_lib import choices, config, memo

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


class _Params:
    def __init__(self, csp: str) -> None:
        self.csp = csp

    def to_dict(self) -> dict:
        return {"csp": {"name": self.csp, "code": f"E{abs(hash(self.csp)) % 10**8:08d}"}}


class _Ctx:
    """The parts of a Context that :func:`sa_lib.memo.pack_key` reads."""

    def __init__(self, csp: str = "Cambridge", period: str = "2025-Q4") -> None:
        self.params = _Params(csp)
        self.period = period
        self.months_present = ["2025-10", "2025-11", "2025-12"]
        self.crimes = pd.DataFrame({"crime_type": ["Burglary"] * 3})


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"n": [len(calls)]})

    return calls, compute


def _sample_ctx(theme: str, overrides: dict | None = None):
    from sa_lib.pack.context import open_context

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    return open_context("parameters/huntingdonshire_2025q4.yaml", theme, overrides=overrides)


def test_outside_a_scope_nothing_is_kept():
    calls, compute = _counter()
    memo.shared(_Ctx(), "x", compute)
    memo.shared(_Ctx(), "x", compute)
    assert len(calls) == 2 and not memo._entries


def test_computed_once_per_pack_and_each_caller_gets_a_copy():
    calls, compute = _counter()
    with memo.pack_scope():
        a = memo.shared(_Ctx(), "x", compute)
        a.loc[0, "n"] = 99  # a caller changing its copy changes no other caller's
        b = memo.shared(_Ctx(), "x", compute)
        c = memo.shared(_Ctx(), "x", compute, 50)  # other arguments: another entry
    assert len(calls) == 2
    assert b["n"].tolist() == [1] and c["n"].tolist() == [2]
    assert not memo._entries and memo._pack is None  # forgotten when the pack is done


def test_two_csps_never_share_an_entry():
    calls, compute = _counter()
    with memo.pack_scope():
        a = memo.shared(_Ctx("Cambridge"), "ward_analysis", compute)
        b = memo.shared(_Ctx("Fenland"), "ward_analysis", compute)
        assert len(memo._entries) == 1  # the previous pack's entries are dropped
        c = memo.shared(_Ctx("Cambridge"), "ward_analysis", compute)
        d = memo.shared(_Ctx("Cambridge", period="2025-Q3"), "ward_analysis", compute)
    assert len(calls) == 4
    assert [x["n"].item() for x in (a, b, c, d)] == [1, 2, 3, 4]
    assert memo.pack_key(_Ctx("Cambridge")) != memo.pack_key(_Ctx("Fenland"))


def test_choices_and_warnings_are_replayed_for_every_caller():
    def compute():
        choices.record_choice("bandwidth", 250, "rule of thumb")
        warnings.warn("few months", UserWarning, stacklevel=1)
        return 1

    seen = []
    with memo.pack_scope():
        for _ in range(2):
            choices.clear_choices()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                memo.shared(_Ctx(), "x", compute)
            seen.append(
                (choices.choices_table()["choice"].tolist(), [str(w.message) for w in caught])
            )
    assert seen[0] == seen[1] == (["bandwidth"], ["few months"])
    assert not choices._RECORDERS


def test_ward_analysis_computed_once_per_pack(monkeypatch):
    """The summary and the wards page of one pack: one ward analysis, one ward table (which
    the overview reads too), and the same numbers as without the memo."""
    from sa_lib.themes import assessment, summary

    plain = assessment.ward_analysis(_sample_ctx("summary"), min_count=50)
    calls = {"ward_analysis": 0, "area_summary": 0}
    real_wa, real_as = assessment._ward_analysis, summary.area_summary

    def counted_wa(*a, **k):
        calls["ward_analysis"] += 1
        return real_wa(*a, **k)

    def counted_as(*a, **k):
        calls["area_summary"] += 1
        return real_as(*a, **k)

    monkeypatch.setattr(assessment, "_ward_analysis", counted_wa)
    monkeypatch.setattr(summary, "area_summary", counted_as)
    with memo.pack_scope():
        first = assessment.ward_analysis(_sample_ctx("summary"), min_count=50)
        n_first = calls["area_summary"]
        again = assessment.ward_analysis(_sample_ctx("wards"), min_count=50)
        table = assessment.ward_table(_sample_ctx("overview"))
        assert calls == {"ward_analysis": 1, "area_summary": n_first}
        # Another period is another pack: computed again.
        assessment.ward_analysis(_sample_ctx("summary", {"period": "2025-Q3"}), min_count=50)
        assert calls["ward_analysis"] == 2
    for got in (first, again):
        pd.testing.assert_frame_equal(got["table"], plain["table"])
        pd.testing.assert_frame_equal(got["flags"], plain["flags"])
    pd.testing.assert_frame_equal(
        table, plain["table"][table.columns], check_dtype=False, check_exact=False
    )


def _count_calls(monkeypatch, module, name: str) -> list:
    """Wrap ``module.name`` so each call appends to the returned list (and still runs)."""
    calls: list = []
    real = getattr(module, name)

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_poisson_trend_fitted_once_per_series_in_a_pack(monkeypatch):
    from sa_lib.stats import trend

    months = pd.date_range("2023-01-01", periods=24, freq="MS")
    one = pd.DataFrame({"date": months, "count": [10 + i % 5 for i in range(24)]})
    other = one.assign(count=one["count"] + 1)
    plain = trend.poisson_trend(one)
    calls = _count_calls(monkeypatch, trend, "_poisson_trend")
    with memo.pack_scope():
        a = trend.poisson_trend(one)
        b = trend.poisson_trend(one.copy())
        c = trend.poisson_trend(other)
        d = trend.poisson_trend(one, seasonal=False)
    assert len(calls) == 3
    assert a.p_value == b.p_value == plain.p_value and a.direction == plain.direction
    assert c.pct_change_per_year != a.pct_change_per_year and not d.seasonal


def test_series_dispersion_fitted_once_per_series_in_a_pack_with_its_choices(monkeypatch):
    from sa_lib.stats import trend
    from sa_lib.stats.dispersion import series_dispersion

    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    one = pd.DataFrame({"date": months, "count": [10, 30, 12, 28, 9, 31, 14, 26, 8, 33, 11, 29]})
    plain = series_dispersion(one)
    calls = _count_calls(monkeypatch, trend, "_pearson_fit")
    with memo.pack_scope():
        choices.clear_choices()
        a = series_dispersion(one)
        first = choices.choices_table()
        choices.clear_choices()
        b = series_dispersion(one.copy())
        again = choices.choices_table()
        c = series_dispersion(one.assign(count=one["count"] + 1))
    assert len(calls) == 2
    assert a == b == plain and c["estimate"] != a["estimate"]
    # The choices of the fit (12 months: no month-of-year term) are on every page using it.
    assert len(first) == 2 and first.equals(again)
