"""Assessment periods: months, quarters, years, financial years and rolling years.

police.uk data are monthly, so a period is an inclusive range of months.
Accepted period strings:

- ``"2025-Q4"`` (or ``"2025Q4"``): a calendar quarter (Q4 = October to December);
- ``"2025"``: a calendar year;
- ``"FY2025/26"`` (or ``"2025/26"``): a financial year, April 2025 to March 2026,
  as many CSPs and councils report;
- ``"2018-07"``: a single month;
- ``"12m-2025-12"``: the 12 months to a month (January to December 2025 here).

Comparisons are the previous period of the same length, the same period a year
earlier and the baseline calendar year.

Examples
--------
>>> p = parse_period("2025-Q4")
>>> p.label, p.months[0], p.months[-1]
('Q4 2025 (Oct-Dec)', '2025-10', '2025-12')
>>> p.previous().label
'Q3 2025 (Jul-Sep)'
>>> p.same_period_last_year().label
'Q4 2024 (Oct-Dec)'
>>> parse_period("2018-07").label, parse_period("2018-07").previous().label
('Jul 2018', 'Jun 2018')
>>> r = parse_period("12m-2025-12")
>>> r.label, r.months[0], r.previous().label, r.slug
('12 months to Dec 2025', '2025-01', '12 months to Dec 2024', '12m-2025-12')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

__all__ = ["Period", "parse_period", "calendar_year", "comparison_periods", "PERIOD_FORMS"]

PERIOD_FORMS = (
    "'2025-Q4' (a quarter), '2025' (a calendar year), 'FY2025/26' (April 2025 to March 2026), "
    "'2018-07' (a month) or '12m-2025-12' (the 12 months to December 2025)"
)
_MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Period:
    """An inclusive range of months.

    Attributes
    ----------
    start, end : pandas.Period
        First and last month (frequency ``M``).
    kind : {"quarter", "year", "financial_year", "month", "rolling_year"}
    """

    start: pd.Period
    end: pd.Period
    kind: str

    @property
    def months(self) -> list[str]:
        """The months as ``"YYYY-MM"`` strings, in order."""
        return [str(p) for p in pd.period_range(self.start, self.end, freq="M")]

    @property
    def n_months(self) -> int:
        return len(self.months)

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return (
                f"Q{q} {self.start.year} ({_MON[self.start.month - 1]}-{_MON[self.end.month - 1]})"
            )
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "month":
            return f"{_MON[self.start.month - 1]} {self.start.year}"
        if self.kind == "rolling_year":
            return f"12 months to {_MON[self.end.month - 1]} {self.end.year}"
        return f"FY{self.start.year}/{str(self.end.year)[-2:]}"

    @property
    def slug(self) -> str:
        """A file-name-safe id, e.g. ``2025q4``, ``2025``, ``fy2025-26``."""
        if self.kind == "quarter":
            return f"{self.start.year}q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "rolling_year":
            return f"12m-{self.end.year}-{self.end.month:02d}"
        return f"fy{self.start.year}-{str(self.end.year)[-2:]}"

    def shift(self, months: int) -> Period:
        return Period(self.start + months, self.end + months, self.kind)

    def previous(self) -> Period:
        """The period of the same length immediately before."""
        return self.shift(-self.n_months)

    def same_period_last_year(self) -> Period:
        return self.shift(-12)


def parse_period(text: object) -> Period:
    """Parse a period string (see the module docstring for the forms).

    Raises
    ------
    ValueError
        Naming the value and listing the valid forms.
    """
    s = str(text).strip().upper().replace(" ", "")
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", s):
        y, q = int(m[1]), int(m[2])
        start = pd.Period(year=y, month=3 * q - 2, freq="M")
        return Period(start, start + 2, "quarter")
    if m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", s):
        start = pd.Period(year=int(m[1]), month=int(m[2]), freq="M")
        return Period(start, start, "month")
    if m := re.fullmatch(r"12M-?(\d{4})-(0[1-9]|1[0-2])", s):
        end = pd.Period(year=int(m[1]), month=int(m[2]), freq="M")
        return Period(end - 11, end, "rolling_year")
    if m := re.fullmatch(r"(\d{4})", s):
        y = int(m[1])
        return calendar_year(y)
    if m := re.fullmatch(r"(?:FY)?(\d{4})/(\d{2}|\d{4})", s):
        y, y2 = int(m[1]), int(m[2][-2:])
        if (y + 1) % 100 != y2:
            raise ValueError(
                f"period={text!r}: a financial year runs April to March, so {y} is followed by "
                f"{(y + 1) % 100:02d}, not {m[2]}. Write it as 'FY{y}/{(y + 1) % 100:02d}'."
            )
        start = pd.Period(year=y, month=4, freq="M")
        return Period(start, start + 11, "financial_year")
    raise ValueError(f"period={text!r} is not a period I understand. Valid forms: {PERIOD_FORMS}.")


def calendar_year(year: int) -> Period:
    """The calendar year ``year`` as a Period."""
    start = pd.Period(year=int(year), month=1, freq="M")
    return Period(start, start + 11, "year")


def comparison_periods(period: Period, baseline_year: int | None) -> dict[str, Period]:
    """The periods a report compares: current, previous, same period last year, baseline.

    Returns
    -------
    dict
        Keys ``current``, ``previous``, ``last_year`` and, when ``baseline_year`` is
        given, ``baseline`` (the calendar year). For a calendar year, ``previous``
        and ``last_year`` are the same year.

    Examples
    --------
    >>> {k: v.label for k, v in comparison_periods(parse_period("2025"), 2024).items()}
    {'current': '2025', 'previous': '2024', 'last_year': '2024', 'baseline': '2024'}
    """
    out = {
        "current": period,
        "previous": period.previous(),
        "last_year": period.same_period_last_year(),
    }
    if baseline_year is not None:
        out["baseline"] = calendar_year(baseline_year)
    return out
