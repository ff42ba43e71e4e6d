"""Key findings in plain English from the change, trend, SPC and target results.

Rules the sentences follow:

- A change is only called an increase or decrease without a qualifier when the test
  says it is significant; otherwise the sentence adds "this is within normal variation".
- When the earlier count is 0 the item is "new" and no percentage is given.
- **Disclosure control**: with ``suppress_below=N`` every count below ``N`` (including
  0) is written "fewer than N", never the number; and no percentage is given when
  either count is suppressed (it could be used to work the number out).
- **Only claim what separates**: "X had the highest rate" only when X's confidence
  interval does not overlap the next area's; otherwise X is "among the highest" with
  every area whose interval overlaps X's (the same for "lowest" and for top-N lists:
  :func:`separated_leaders`, :func:`ranked_sentence`).
- p-values: "p < 0.001"; three decimals below 0.1 (``p = 0.002``); two decimals
  otherwise (``p = 0.14``). Where a multiple-comparison adjustment changed the p-value
  it is written "adjusted p".

Examples
--------
>>> from sa_lib.themes.findings import change_sentence
>>> change_sentence("Violence with injury", 410, 459,
...                 {"significant": False, "p_value": 0.14, "change_label": "increase"})
'Violence with injury rose 12% (from 410 to 459); this is within normal variation (p = 0.14).'
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sa_lib.stats.spc import RULES, spc_runs
from sa_lib.stats.trend import MannKendallResult, PoissonTrendResult, TargetResult
from sa_lib.themes.results import Finding
from sa_lib.validation import require_columns, require_dataframe, require_int

__all__ = [
    "format_count",
    "format_p",
    "format_pct",
    "change_sentence",
    "change_tests_note",
    "trend_sentence",
    "spc_sentence",
    "spc_runs_sentence",
    "target_sentence",
    "key_findings",
    "ranked_sentence",
    "separated_leaders",
]


def _check_suppress(suppress_below: int | None) -> None:
    if suppress_below is not None:
        require_int(suppress_below, arg="suppress_below", minimum=1)


def format_count(n: float, suppress_below: int | None = None) -> str:
    """Write a count with thousands separators, or "fewer than N" below the threshold.

    Examples
    --------
    >>> format_count(1234), format_count(3, suppress_below=5), format_count(5, 5)
    ('1,234', 'fewer than 5', '5')
    """
    _check_suppress(suppress_below)
    if suppress_below is not None and n < suppress_below:
        return f"fewer than {suppress_below:,}"
    return f"{int(round(float(n))):,}"


def _suppressed(n: float, suppress_below: int | None) -> bool:
    return suppress_below is not None and n < suppress_below


def format_p(p: float, adjusted: bool = False) -> str:
    """Write a p-value: "p < 0.001", "p = 0.002" (below 0.1) or "p = 0.14".

    Examples
    --------
    >>> format_p(0.0004), format_p(0.0234), format_p(0.1432), format_p(0.2, adjusted=True)
    ('p < 0.001', 'p = 0.023', 'p = 0.14', 'adjusted p = 0.20')
    """
    name = "adjusted p" if adjusted else "p"
    if p < 0.001:
        return f"{name} < 0.001"
    if p < 0.1:
        return f"{name} = {p:.3f}"
    return f"{name} = {p:.2f}"


def format_pct(pct: float) -> str:
    """Write the size of a percentage: whole numbers from 10%, one decimal below.

    Examples
    --------
    >>> format_pct(11.95), format_pct(-4.26)
    ('12%', '4.3%')
    """
    a = abs(float(pct))
    return f"{a:.0f}%" if round(a, 1) >= 10 else f"{a:.1f}%"


def _get(row: Mapping | pd.Series, key: str, default=None):
    try:
        value = row[key]
    except (KeyError, IndexError):
        return default
    return default if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _p_text(row: Mapping | pd.Series) -> str | None:
    p = _get(row, "p_value")
    p_adj = _get(row, "p_adjusted")
    # Relative tolerance only: with numpy's default absolute tolerance (1e-8) every pair of
    # tiny p-values would count as "not adjusted".
    if p_adj is not None and (p is None or not np.isclose(p_adj, p, rtol=1e-9, atol=0.0)):
        return format_p(float(p_adj), adjusted=True)
    return None if p is None else format_p(float(p))


def change_sentence(
    label: str,
    before: float,
    after: float,
    result_row: Mapping | pd.Series,
    suppress_below: int | None = None,
    suppress_zero: bool = False,
) -> str:
    """One sentence on the change between two periods.

    Zero in both periods reads "none recorded" (tables show zeros too) unless
    ``suppress_zero`` hides zeros, when it reads "fewer than N".

    Parameters
    ----------
    label : str
        What was counted, e.g. "Violence with injury".
    before, after : float
        Counts in the earlier and later period.
    result_row : Series or mapping
        The row for this item from :func:`sa_lib.stats.change.compare_counts` (uses
        ``significant``, ``p_value``, ``p_adjusted``, ``rate_ratio``, ``change_label``
        where present).
    suppress_below : int, optional
        Counts below this are written "fewer than N" and no percentage is given.

    Returns
    -------
    str

    Examples
    --------
    >>> change_sentence("Burglary", 10, 30, {"significant": True, "p_value": 0.0022})
    'Burglary rose 200% (from 10 to 30); this is a statistically significant increase (p = 0.002).'
    >>> change_sentence("Theft", 1000, 900, {"significant": False, "p_value": 0.9,
    ...                 "rate_ratio": (900 / 28) / (1000 / 31)})
    'Theft was 0.4% lower per day (from 1,000 to 900; the periods differ in length); this is within normal variation (p = 0.90).'
    >>> change_sentence("Robbery", 0, 3, {"significant": False, "p_value": 0.25},
    ...                 suppress_below=5)
    'Robbery is new this period (fewer than 5 recorded); this is within normal variation (p = 0.25).'
    """
    _check_suppress(suppress_below)
    b_txt = format_count(before, suppress_below)
    a_txt = format_count(after, suppress_below)
    hidden = _suppressed(before, suppress_below) or _suppressed(after, suppress_below)
    significant = bool(_get(result_row, "significant", False))
    p_txt = _p_text(result_row)
    p_part = f" ({p_txt})" if p_txt else ""

    if before == 0 and after == 0:
        if suppress_below is not None and suppress_zero:
            return f"{label}: {b_txt} recorded in either period."
        return f"{label}: none recorded in either period."
    rr = _get(result_row, "rate_ratio")
    if rr is None or not np.isfinite(rr):
        rr = np.inf if before == 0 else after / before
    if before == 0:
        qual = (
            f"this is a statistically significant increase{p_part}"
            if significant
            else f"this is within normal variation{p_part}"
        )
        return f"{label} is new this period ({a_txt} recorded); {qual}."
    if np.isclose(rr, 1.0):
        if before == after:
            return f"{label} was unchanged ({b_txt} in both periods)."
        return (
            f"{label} was unchanged per day (from {b_txt} to {a_txt}; the periods differ "
            f"in length)."
        )
    rising = rr > 1
    verb = "rose" if rising else "fell"
    rate_pct = 100 * (rr - 1)
    count_pct = 100 * (after - before) / before
    if hidden:
        how = f"{verb} (from {b_txt} to {a_txt})"
    elif np.isclose(rate_pct, count_pct):
        how = f"{verb} {format_pct(rate_pct)} (from {b_txt} to {a_txt})"
    else:
        how = (
            f"was {format_pct(abs(rate_pct))} {'higher' if rising else 'lower'} per day "
            f"(from {b_txt} to {a_txt}; the periods differ in length)"
        )
    if significant:
        word = "increase" if rising else "decrease"
        qual = f"this is a statistically significant {word}{p_part}"
    else:
        qual = f"this is within normal variation{p_part}"
    return f"{label} {how}; {qual}."


def change_tests_note(types: pd.DataFrame, key: str, correction: str) -> str:
    """How the page's changes against comparison ``key`` were tested, from the tests that ran.

    Reads ``test_vs_<key>`` and ``per_day_vs_<key>`` of a
    :func:`sa_lib.themes.summary.type_summary` table, so the words follow the tests
    (a test that allows for overdispersion where a series is over-dispersed, exact Poisson
    where it is not), in plain words: the method names are for the Methods section.

    Examples
    --------
    >>> t = pd.DataFrame({"test_vs_last_year": ["quasi-Poisson", "exact Poisson", ""],
    ...                   "per_day_vs_last_year": [False] * 3})
    >>> print(change_tests_note(t, "last_year", "fdr_bh"))  # doctest: +NORMALIZE_WHITESPACE
    A change is called an increase or decrease only when its test finds it significant after
    false discovery rate correction across crime types; otherwise it is reported as within
    normal variation. 1 of 2 series varied more from month to month than chance alone would
    (overdispersion), so their changes were tested with a rate test that allows for it; the
    other 1 with the exact Poisson test.
    """
    from sa_lib.themes.formatting import correction_words

    out = (
        "A change is called an increase or decrease only when its test finds it significant "
        f"after {correction_words(correction)} across crime types; otherwise it is reported as "
        "within normal variation."
    )
    col = f"test_vs_{key}"
    if col not in types.columns:
        return out
    ran = types[col].fillna("").astype(str)
    ran = ran[ran != ""]
    words = {
        "quasi-Poisson": "a rate test that allows for it",
        "exact Poisson": "the exact Poisson test",
    }
    quasi = int((ran == "quasi-Poisson").sum())
    if quasi:
        out += (
            f" {quasi} of {len(ran)} series varied more from month to month than chance alone "
            "would (overdispersion), so their changes were tested with a rate test that "
            "allows for it"
        )
        rest = ran[ran != "quasi-Poisson"]
        rest_words = words.get(rest.iloc[0], rest.iloc[0]) if len(rest) else ""
        out += f"; the other {len(rest)} with {rest_words}." if len(rest) else "."
    elif len(ran):
        out += f" Changes were tested with {words.get(ran.iloc[0], ran.iloc[0])}."
    if bool(types.get(f"per_day_vs_{key}", pd.Series(dtype=bool)).fillna(False).any()):
        out += " The two periods differ in length, so changes are compared per day."
    return out


def _month(ts) -> str:
    return pd.Timestamp(ts).strftime("%B %Y")


def _signed_pct(x: float) -> str:
    return ("+" if x > 0 else "-" if x < 0 else "") + format_pct(x)


def trend_sentence(label: str, result: PoissonTrendResult | MannKendallResult) -> str:
    """One sentence on a long-term trend from :func:`sa_lib.stats.trend.poisson_trend` or
    :func:`sa_lib.stats.trend.mann_kendall`.

    Examples
    --------
    >>> from sa_lib.stats.trend import mann_kendall
    >>> trend_sentence("Shoplifting", mann_kendall([1, 3, 2, 4, 5, 7, 6, 8, 9, 11]))
    "Shoplifting shows a statistically significant rising trend (Mann-Kendall p < 0.001; Sen's slope +1.0 per period)."
    """
    if isinstance(result, MannKendallResult):
        if result.significant:
            word = "rising" if result.s > 0 else "falling"
            return (
                f"{label} shows a statistically significant {word} trend (Mann-Kendall "
                f"{format_p(result.p_value)}; Sen's slope {result.sens_slope:+.1f} per period)."
            )
        return f"{label} shows no clear trend (Mann-Kendall {format_p(result.p_value)})."
    if not isinstance(result, PoissonTrendResult):
        raise ValueError(
            f"result must be a PoissonTrendResult or MannKendallResult from sa_lib.stats.trend, "
            f"got {type(result).__name__}."
        )
    level = f"{100 * (1 - result.alpha):.0f}% CI"
    span = f"between {_month(result.start)} and {_month(result.end)}"
    ci = f"{_signed_pct(result.pct_lower)} to {_signed_pct(result.pct_upper)}"
    if result.significant:
        word = "risen" if result.pct_change_per_year > 0 else "fallen"
        return (
            f"{label} has {word} by about {format_pct(result.pct_change_per_year)} a year "
            f"{span} ({level} {ci}; {format_p(result.p_value)})."
        )
    return (
        f"{label} shows no clear long-term trend {span} (estimated "
        f"{_signed_pct(result.pct_change_per_year)} a year, {level} {ci}; "
        f"{format_p(result.p_value)})."
    )


def spc_sentence(
    label: str,
    xmr_result: pd.DataFrame,
    suppress_below: int | None = None,
    date_col: str | None = None,
    value_col: str | None = None,
) -> str:
    """One sentence on the latest month of an XmR chart from :func:`sa_lib.stats.spc.xmr`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sa_lib.stats.spc import xmr
    >>> df = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=12, freq="MS"),
    ...                    "count": [10, 12, 11, 13, 10, 12, 11, 12, 10, 11, 13, 30]})
    >>> spc_sentence("Burglary", xmr(df))
    'Burglary in December 2023 (30) was unusually high: special-cause variation (outside limits) against a normal range of 5 to 21.'
    """
    _check_suppress(suppress_below)
    require_dataframe(xmr_result, "xmr_result")
    date_col = date_col or xmr_result.attrs.get("date_col", "date")
    value_col = value_col or xmr_result.attrs.get("value_col", "count")
    require_columns(
        xmr_result,
        [date_col, value_col, "segment", "upper", "lower", "special_cause", "direction", "rule"],
        arg="xmr_result",
        fix="pass the DataFrame returned by sa_lib.stats.spc.xmr.",
    )
    res = xmr_result.sort_values(date_col)
    last = res.iloc[-1]
    v = format_count(last[value_col], suppress_below)
    lo = max(0.0, float(last["lower"]))
    hi = float(last["upper"])
    limits = f"a normal range of {lo:,.0f} to {hi:,.0f}"
    when = _month(last[date_col])
    if last["special_cause"]:
        how = "unusually high" if last["direction"] == "high" else "unusually low"
        return (
            f"{label} in {when} ({v}) was {how}: special-cause variation "
            f"({last['rule']}) against {limits}."
        )
    seg = res[res["segment"] == last["segment"]]
    flagged = seg[seg["special_cause"]]
    if not flagged.empty:
        f = flagged.iloc[-1]
        rules = [r for r in RULES if r in f["rule"].split("; ")]
        return (
            f"{label} in {when} ({v}) was within {limits}; special-cause variation was last "
            f"seen in {_month(f[date_col])} ({f['direction']}: {', '.join(rules)})."
        )
    return (
        f"{label} shows only common-cause (routine) variation over {len(seg)} months; "
        f"{when} ({v}) was within {limits}."
    )


def _year_text(year: int, start_month: int) -> str:
    return str(year) if start_month == 1 else f"{year}/{str(year + 1)[-2:]}"


def _month_text(month: str) -> str:
    return pd.Period(month, freq="M").strftime("%b %Y") if month else ""


def target_sentence(
    label: str,
    result: TargetResult,
    suppress_below: int | None = None,
    latest: str | None = None,
) -> str:
    """One sentence on progress towards a target from :func:`sa_lib.stats.trend.target_tracking`.

    A projection is called what it is: an extrapolation of the trend fitted to the months
    held, with its interval; "off track" only when the whole interval misses the target
    (see ``TargetResult.status``). ``latest``, e.g. "Q4 2025 was 1% lower than Q4 2024
    (not significant)", is put beside it so the trend is read with the latest period.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sa_lib.stats.trend import target_tracking
    >>> df = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=24, freq="MS"),
    ...                    "count": [100] * 12 + [80] * 12})
    >>> target_sentence("Burglary", target_tracking(df, 2020, 10, 2021, seasonal=False))
    'Burglary is on track for its target of a 10% reduction on 2020 by 2021: 960 recorded against a target of 1,080.'
    """
    _check_suppress(suppress_below)
    if not isinstance(result, TargetResult):
        raise ValueError(
            f"result must be the TargetResult from sa_lib.stats.trend.target_tracking, got "
            f"{type(result).__name__}."
        )
    y0 = _year_text(result.baseline_year, result.year_start_month)
    y1 = _year_text(result.target_year, result.year_start_month)
    kind = "reduction" if result.target_pct_reduction >= 0 else "increase"
    goal = f"a {format_pct(result.target_pct_reduction)} {kind} on {y0} by {y1}"
    t = format_count(result.target_value, suppress_below)
    p = format_count(result.projected_value, suppress_below)
    beside = f"; {latest}" if latest else ""
    if result.projected_lower == result.projected_upper:
        return f"{label} is {result.status} for its target of {goal}: {p} recorded against a target of {t}{beside}."
    level = f"{100 * (1 - result.trend.alpha):.0f}% CI"
    lo = format_count(result.projected_lower, suppress_below)
    hi = format_count(result.projected_upper, suppress_below)
    span = (
        f"the {result.trend.n_months} months from {_month_text(result.first_month)} to "
        f"{_month_text(result.last_month)}"
        if result.first_month
        else f"{result.trend.n_months} months"
    )
    verdict = {
        "on track": "on track: the whole interval meets the target",
        "off track": "off track: the whole interval misses the target",
    }.get(result.status, "too close to call: the target is within the interval")
    return (
        f"{label}, target {goal} ({t}): extrapolating the trend fitted to {span} to {y1} "
        f"projects {p} ({level} {lo} to {hi}), so it is {verdict}{beside}."
    )


def key_findings(
    change_table: pd.DataFrame,
    label_col: str = "label",
    before: str = "count_before",
    after: str = "count_after",
    trends: Mapping[str, PoissonTrendResult | MannKendallResult] | None = None,
    spc: Mapping[str, pd.DataFrame] | None = None,
    targets: Mapping[str, TargetResult] | None = None,
    suppress_below: int | None = None,
    max_findings: int | None = None,
    latest: Mapping[str, str] | None = None,
    comparison: str | None = None,
    as_findings: bool = False,
) -> list:
    """Key findings as plain-English sentences, most important first.

    Order: significant changes (smallest p first), latest months showing special-cause
    variation, off-track targets, significant trends, on-track targets, then the
    non-significant changes (largest absolute change first), trends and SPC summaries.

    Parameters
    ----------
    change_table : DataFrame
        Output of :func:`sa_lib.stats.change.compare_counts` with a label column.
    label_col, before, after : str
        Names of the label and count columns.
    trends, spc, targets : mapping of label to result, optional
        Results of :func:`sa_lib.stats.trend.poisson_trend` / :func:`~sa_lib.stats.trend.mann_kendall`,
        :func:`sa_lib.stats.spc.xmr` and :func:`sa_lib.stats.trend.target_tracking`.
    suppress_below : int, optional
        Counts below this are written "fewer than N".
    max_findings : int, optional
        Keep only the first ``max_findings`` sentences.
    latest : mapping of label to str, optional
        The latest period's tested change in words, put beside each target's projection.
    comparison : str, optional
        The label of the period the changes are read against (the changes' sentences do
        not name it; a reader such as the call-out does, from this field).
    as_findings : bool
        Return :class:`sa_lib.themes.results.Finding` objects with the structured fields
        (``subject``, ``tested``, ``significant``, ``direction``, ``test``,
        ``comparison``) filled from the tests, instead of their texts.

    Returns
    -------
    list of str, or of Finding with ``as_findings``

    Examples
    --------
    >>> import pandas as pd
    >>> from sa_lib.stats.change import compare_counts
    >>> t = compare_counts(pd.DataFrame({"label": ["Robbery", "Burglary"],
    ...                                  "count_before": [410, 10], "count_after": [459, 30]}),
    ...                    correction="none", method="exact")
    >>> key_findings(t)[0].startswith("Burglary rose 200%")
    True
    """
    _check_suppress(suppress_below)
    if max_findings is not None:
        require_int(max_findings, arg="max_findings", minimum=1)
    require_columns(
        change_table,
        [label_col, before, after, "significant", "p_value"],
        arg="change_table",
        fix="pass the output of sa_lib.stats.change.compare_counts with a label column "
        "(set label_col= to its name).",
    )
    t = change_table.copy()
    t["_p"] = t["p_adjusted"] if "p_adjusted" in t.columns else t["p_value"]
    t["_abs"] = (t[after] - t[before]).abs()

    def sentences(rows: pd.DataFrame) -> list:
        return [
            _change_finding(
                str(r[label_col]),
                r,
                change_sentence(str(r[label_col]), r[before], r[after], r, suppress_below),
                comparison,
                float(r[after]) - float(r[before]),
            )
            for _, r in rows.iterrows()
        ]

    sig = t[t["significant"].astype(bool)].sort_values(["_p", "_abs"], ascending=[True, False])
    rest = t[~t["significant"].astype(bool)].sort_values("_abs", ascending=False)

    spc_special, spc_common = [], []
    for name, res in (spc or {}).items():
        s = spc_sentence(name, res, suppress_below)
        last_special = bool(
            res.sort_values(res.attrs.get("date_col", "date"))["special_cause"].iloc[-1]
        )
        f = Finding(s, subject=name, measure="monthly count", test="SPC", tested=True)
        f.significant = last_special
        (spc_special if last_special else spc_common).append(f)
    off, on = [], []
    for name, res in (targets or {}).items():
        sentence = target_sentence(name, res, suppress_below, (latest or {}).get(name))
        f = Finding(sentence, subject=name, measure="target", test="target extrapolation")
        f.tested, f.significant = True, res.status == "off track"
        (off if res.status == "off track" else on).append(f)
    sig_trends, other_trends = [], []
    for name, res in (trends or {}).items():
        f = Finding(trend_sentence(name, res), subject=name, measure="trend", test="trend")
        f.tested, f.significant = True, bool(res.significant)
        up = (getattr(res, "direction", None) or getattr(res, "trend", "")) == "increasing"
        f.direction = ("increase" if up else "decrease") if res.significant else "none"
        (sig_trends if res.significant else other_trends).append(f)

    out = (
        sentences(sig)
        + spc_special
        + off
        + sig_trends
        + on
        + sentences(rest)
        + other_trends
        + spc_common
    )
    out = out[:max_findings] if max_findings is not None else out
    return out if as_findings else [f.text for f in out]


def _change_finding(label: str, row, text: str, comparison: str | None, diff: float):
    """A change sentence with its structured fields, read from its test's row."""
    p = _get(row, "p_value")
    tested = p is not None and bool(np.isfinite(p))
    sig = bool(_get(row, "significant", False)) if tested else None
    rr = _get(row, "rate_ratio")
    up = (rr > 1) if rr is not None and np.isfinite(rr) else diff > 0
    return Finding(
        text,
        subject=label,
        measure="count",
        comparison=comparison,
        test=(_get(row, "test") or None) if tested else None,
        tested=tested,
        significant=sig,
        direction=(("increase" if up else "decrease") if sig else "none") if tested else None,
    )


def _names(names: list[str], max_named: int, noun: str) -> str:
    shown = names[:max_named]
    rest = len(names) - len(shown)
    if rest:
        shown = shown + [f"{rest} other {noun if rest > 1 else noun.rstrip('s')}"]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def separated_leaders(
    table: pd.DataFrame,
    value_col: str = "rate",
    lower_col: str = "rate_lower",
    upper_col: str = "rate_upper",
    *,
    n: int = 1,
    direction: str = "highest",
) -> tuple[pd.DataFrame, bool]:
    """The top (or bottom) ``n`` rows, extended by every row whose interval overlaps.

    Rows are ranked by ``value_col`` (NaN last). The leading group is the first ``n``;
    then every further row whose confidence interval overlaps the interval of the
    group's last member joins it (for "highest": its upper limit is at or above that
    member's lower limit; mirrored for "lowest"), so a group never ends between two
    rows the data cannot tell apart.

    Returns
    -------
    (DataFrame, bool)
        The group (in rank order) and whether it is *separated*: True when it is exactly
        ``n`` rows, i.e. the claim "the ``n`` highest" holds.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"name": list("ABCD"), "rate": [50, 40, 38, 20],
    ...                   "rate_lower": [45, 36, 33, 15], "rate_upper": [55, 44, 43, 25]})
    >>> g, clear = separated_leaders(t)
    >>> g["name"].tolist(), clear
    (['A'], True)
    >>> g, clear = separated_leaders(t, n=2)
    >>> g["name"].tolist(), clear
    (['A', 'B', 'C'], False)
    """
    require_dataframe(table, "table")
    require_columns(table, [value_col, lower_col, upper_col], arg="table")
    require_int(n, arg="n", minimum=1)
    if direction not in ("highest", "lowest"):
        raise ValueError(f"direction must be 'highest' or 'lowest', got {direction!r}.")
    d = table[table[value_col].notna()].sort_values(
        value_col, ascending=direction == "lowest", kind="mergesort"
    )
    if len(d) <= n:
        return d, len(d) == n
    group = d.iloc[:n]
    last = group.iloc[-1]
    rest = d.iloc[n:]
    if direction == "highest":
        overlap = rest[upper_col] >= last[lower_col]
    else:
        overlap = rest[lower_col] <= last[upper_col]
    extra = rest[overlap.to_numpy()]
    return pd.concat([group, extra]), extra.empty


def ranked_sentence(
    table: pd.DataFrame,
    name_col: str,
    what: str,
    unit: str = "",
    *,
    value_col: str = "rate",
    lower_col: str = "rate_lower",
    upper_col: str = "rate_upper",
    direction: str = "highest",
    noun: str = "wards",
    of_all: bool = True,
    conf_level: float = 0.95,
    max_named: int = 4,
) -> str | None:
    """One sentence naming the highest (or lowest) row, only as far as intervals separate.

    "X had the highest crime rate of the 29 wards: 120 per 1,000 residents a year (95%
    CI 110 to 131)." when X's interval does not overlap the next row's; otherwise "X
    had one of the highest ..., with Y and Z: their intervals overlap, so no single
    ward stands out." (see :func:`separated_leaders`).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"ward": list("ABC"), "rate": [50.0, 48.0, 20.0],
    ...                   "rate_lower": [45.0, 43.0, 15.0], "rate_upper": [55.0, 53.0, 25.0]})
    >>> ranked_sentence(t, "ward", "crime rate", "per 1,000 residents a year")
    'A had one of the highest crime rates of the 3 wards (50 per 1,000 residents a year, 95% CI 45 to 55), with B: their confidence intervals overlap, so no single ward can be called the highest.'
    >>> ranked_sentence(t.iloc[[0, 2]], "ward", "crime rate", "per 1,000 residents a year")
    'A had the highest crime rate of the 2 wards: 50 per 1,000 residents a year (95% CI 45 to 55).'
    """
    require_columns(table, [name_col], arg="table")
    group, clear = separated_leaders(
        table, value_col, lower_col, upper_col, n=1, direction=direction
    )
    if group.empty:
        return None
    top = group.iloc[0]
    level = f"{100 * conf_level:.0f}% CI"
    u = f" {unit}" if unit else ""
    v = f"{top[value_col]:,.0f}{u}"
    ci = f"{level} {top[lower_col]:,.0f} to {top[upper_col]:,.0f}"
    n_rows = int(table[value_col].notna().sum())
    of = f" of the {n_rows} {noun}" if of_all else ""
    if clear:
        return f"{top[name_col]} had the {direction} {what}{of}: {v} ({ci})."
    others = [str(x) for x in group[name_col].iloc[1:]]
    single = noun[:-1] if noun.endswith("s") else noun
    if " of " in what:  # "rate of violence" -> "rates of violence"
        head, _, tail = what.partition(" of ")
        plural = f"{head}s of {tail}"
    else:
        plural = f"{what}s"
    return (
        f"{top[name_col]} had one of the {direction} {plural}{of} ({v}, {ci}), with "
        f"{_names(others, max_named, noun)}: their confidence intervals overlap, so no "
        f"single {single} can be called the {direction}."
    )


def spc_runs_sentence(label: str, xmr_result: pd.DataFrame) -> str | None:
    """Special-cause variation as runs of months, not a list of months (None if none).

    Examples
    --------
    >>> import pandas as pd
    >>> from sa_lib.stats.spc import xmr
    >>> df = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=24, freq="MS"),
    ...                    "count": [10, 11, 9, 10, 12, 10, 9, 11, 10, 11, 10, 9,
    ...                              14, 13, 14, 15, 13, 14, 14, 13, 15, 11, 10, 12]})
    >>> spc_runs_sentence("Burglary", xmr(df))
    'Burglary showed special-cause variation: below the mean from Jun to Dec 2024, a shift of 7 months; above the mean from Jan to Sep 2025, a shift of 9 months.'
    """
    runs = spc_runs(xmr_result)
    if runs.empty:
        return None
    return f"{label} showed special-cause variation: {'; '.join(runs['description'])}."
