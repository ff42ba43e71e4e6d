"""sa_lib.stats.monthly_series: a monthly series read once, by pandas or straight from numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def _series(dates, counts, **cols):
    return pd.DataFrame({"date": dates, "count": counts, **cols})


_MONTHS = pd.date_range("2023-01-01", periods=30, freq="MS")
_COUNTS = np.random.default_rng(3).poisson(40, 30)


@pytest.mark.parametrize(
    "frame",
    [
        _series(_MONTHS, _COUNTS),  # int counts, in order
        _series(_MONTHS[::-1], _COUNTS[::-1].astype(float)),  # reversed, float counts
        _series(_MONTHS.delete([3, 4, 17]), np.delete(_COUNTS, [3, 4, 17])),  # gaps
        _series(_MONTHS + pd.Timedelta(days=9), _COUNTS),  # dates inside the month
        _series(_MONTHS.astype("datetime64[s]"), _COUNTS.astype(np.uint16)),  # other units
        _series(_MONTHS, _COUNTS, other=1).set_index(pd.Index(range(100, 130))),
    ],
)
def test_months_and_counts_reads_what_monthly_series_reads(frame):
    """The numpy reading of a series is :func:`monthly_series`'s, month for month."""
    from sa_lib.stats.monthly_series import monthly_series, months_and_counts

    m = monthly_series(frame, "date", "count")
    ordinals, y = months_and_counts(frame, "date", "count")
    assert ordinals.tolist() == m["month"].array.asi8.tolist()
    assert np.array_equal(y, m["count"].to_numpy()) and y.dtype == np.float64
    # The dispersion read through it is the full trend model's.
    from sa_lib.stats.trend import _pearson_fit, poisson_trend

    x2, df = _pearson_fit(frame, "date", "count", 0.05)
    full = poisson_trend(frame, "date", "count")
    assert df == full.model.df_resid
    assert x2 == pytest.approx(full.model.pearson_chi2, rel=1e-12)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            _series(_MONTHS, _COUNTS.astype(float)).assign(
                count=lambda d: d["count"].where(d.index != 2)
            ),
            "use 0 for months",
        ),
        (_series(_MONTHS, -_COUNTS), "negative"),
        (_series(_MONTHS.where(_MONTHS != _MONTHS[5]), _COUNTS), "drop rows without a date"),
        (
            _series(_MONTHS.append(_MONTHS[:1]), np.append(_COUNTS, 3)),
            "more than one row for month",
        ),
        (_series(_MONTHS[:0], _COUNTS[:0]), "monthly_df"),
        (_series(_MONTHS.astype(str), _COUNTS), None),  # text dates: read by _monthly
    ],
)
def test_months_and_counts_leaves_every_other_input_tomonthly_series(frame, message):
    """Missing, negative, undated, repeated or empty: the same error as before, from
    :func:`monthly_series`; text dates are read by it too."""
    from sa_lib.stats.monthly_series import monthly_series, months_and_counts

    if message is None:
        ordinals, _ = months_and_counts(frame, "date", "count")
        assert (
            ordinals.tolist() == monthly_series(frame, "date", "count")["month"].array.asi8.tolist()
        )
        return
    with pytest.raises(ValueError, match=message) as fast:
        months_and_counts(frame, "date", "count")
    with pytest.raises(ValueError) as slow:
        monthly_series(frame, "date", "count")
    assert str(fast.value) == str(slow.value)


def test_series_key_tells_series_apart_and_keeps_equal_ones_equal():
    from sa_lib.stats.monthly_series import series_key

    a = _series(_MONTHS, _COUNTS)
    assert series_key(a, "date", "count") == series_key(a.copy(), "date", "count")
    shifted = _series(_MONTHS + pd.DateOffset(months=1), _COUNTS)
    other_unit = _series(_MONTHS.astype("datetime64[s]"), _COUNTS)
    as_text = _series(_MONTHS.strftime("%Y-%m-%d"), _COUNTS)
    one_more = _series(_MONTHS, _COUNTS + np.eye(1, 30, 29, dtype=int)[0])
    keys = {series_key(f, "date", "count") for f in (a, shifted, other_unit, as_text, one_more)}
    assert len(keys) == 5
    unchanged = a.copy()
    series_key(a, "date", "count")
    pd.testing.assert_frame_equal(a, unchanged)
