"""Statistical disclosure control: suppression of small counts, their complements and rates, and banding.

Rules used here (set the threshold in the parameters YAML):

- **Primary suppression.** A count ``1 <= x < threshold`` is disclosive and is
  shown as the label ``"<{threshold}"`` (``"<10"``). Zeros are shown unless
  ``suppress_zero=True`` (common practice: a zero rarely identifies anyone, but
  some data owners require it hidden; then zeros are shown as the same label).
- **Secondary (complementary) suppression.** Row and column totals are assumed
  to be published (in the table or elsewhere), so any row or column (totals
  included) with exactly one suppressed cell would let a reader recover it by
  subtraction. In each such line the smallest *non-zero* unsuppressed cell is
  also suppressed (body cells before totals; the first on ties), repeating
  until no line has exactly one. Zeros are never used as complements: a hidden
  zero next to a small row total can be inferred. Secondary cells are shown as
  ``"[c]"`` (confidential), not ``"<10"``, because they are not small. This is
  the simple "no line with a single suppression" rule: it stops recovery by
  subtraction of one line, and the tests check no suppressed cell is determined
  by the row and column equations together, but it does not guarantee a minimum
  width for the interval a reader can deduce (no linear-programming audit).
- **Rates and percentages** computed from a suppressed count are suppressed too
  (:func:`suppress_rates`).

The last check on rendered output, and the HTML marking contract that
:func:`table_to_html` follows, are in :mod:`sa_lib.pack.disclosure_scan`.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.disclosure import suppress_table
>>> t = pd.DataFrame({"ward": ["A", "B"], "burglary": [3, 25], "robbery": [14, 40]})
>>> res = suppress_table(t, ["burglary", "robbery"], secondary=False)
>>> res.display["burglary"].tolist()
['<10', '25']
"""

from __future__ import annotations

import html as _html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sa_lib import validation as v
from sa_lib.choices import record_choice

__all__ = [
    "DisclosureSettings",
    "SuppressionResult",
    "disclosure_settings",
    "suppress_table",
    "record_disclosure_settings",
    "suppress_rates",
    "band_counts",
    "table_to_html",
]


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class DisclosureSettings:
    """Disclosure-control settings (build with :func:`disclosure_settings`).

    Attributes
    ----------
    threshold : int
        Counts ``1 <= x < threshold`` are suppressed. Default 10.
    secondary : bool
        Apply secondary suppression. Default True.
    suppress_zero : bool
        Also suppress zeros. Default False.
    label : str
        Label for primary-suppressed counts; ``{threshold}`` is filled in. Default ``"<{threshold}"``.
    secondary_label : str
        Label for secondary-suppressed counts. Default ``"[c]"``.
    rate_label : str
        Label for suppressed rates and percentages. Default ``"[c]"``.
    """

    threshold: int = 10
    secondary: bool = True
    suppress_zero: bool = False
    label: str = "<{threshold}"
    secondary_label: str = "[c]"
    rate_label: str = "[c]"

    @property
    def primary_text(self) -> str:
        """The primary label with the threshold filled in, e.g. ``"<10"``."""
        return self.label.format(threshold=self.threshold)


def disclosure_settings(
    threshold: int = 10,
    secondary: bool = True,
    suppress_zero: bool = False,
    label: str = "<{threshold}",
    secondary_label: str = "[c]",
    rate_label: str = "[c]",
) -> DisclosureSettings:
    """Validate and return :class:`DisclosureSettings`.

    Parameters
    ----------
    threshold : int, default 10
        Smallest count that may be shown (whole number, at least 1).
    secondary : bool, default True
        Apply secondary suppression (see the module notes).
    suppress_zero : bool, default False
        Also suppress zeros (shown with the primary label).
    label, secondary_label, rate_label : str
        Display labels; ``label`` may contain ``{threshold}``.

    Returns
    -------
    DisclosureSettings

    Examples
    --------
    >>> disclosure_settings(threshold=5).primary_text
    '<5'
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise ValueError(
            f"threshold must be a whole number of at least 1 (e.g. 10), got {threshold!r}."
        )
    if threshold < 1:
        raise ValueError(
            f"threshold must be at least 1, got {threshold!r}. Fix: use the data owner's "
            f"minimum cell size, usually 10 (or 5)."
        )
    for name, val in (("secondary", secondary), ("suppress_zero", suppress_zero)):
        if not isinstance(val, bool | np.bool_):
            raise ValueError(f"{name} must be True or False, got {val!r}.")
    for name, val in (
        ("label", label),
        ("secondary_label", secondary_label),
        ("rate_label", rate_label),
    ):
        if not isinstance(val, str) or not val.strip():
            raise ValueError(f"{name} must be a non-empty string, got {val!r}.")
    try:
        label.format(threshold=threshold)
    except (KeyError, IndexError, ValueError) as e:
        raise ValueError(
            f"label={label!r} is not a valid format string ({e}); the only field allowed is "
            f"{{threshold}}, e.g. '<{{threshold}}'."
        ) from None
    return DisclosureSettings(
        int(threshold), bool(secondary), bool(suppress_zero), label, secondary_label, rate_label
    )


def _settings(settings: DisclosureSettings | None, **overrides) -> DisclosureSettings:
    if settings is not None and not isinstance(settings, DisclosureSettings):
        raise ValueError(
            f"settings must be a DisclosureSettings (from disclosure_settings(...)), got "
            f"{type(settings).__name__}."
        )
    base = settings or DisclosureSettings()
    kw = {
        "threshold": base.threshold,
        "secondary": base.secondary,
        "suppress_zero": base.suppress_zero,
        "label": base.label,
        "secondary_label": base.secondary_label,
        "rate_label": base.rate_label,
    }
    kw.update({k: val for k, val in overrides.items() if val is not None})
    return disclosure_settings(**kw)


# --------------------------------------------------------------------------- suppression


@dataclass
class SuppressionResult:
    """What :func:`suppress_table` and :func:`suppress_rates` return.

    Attributes
    ----------
    display : DataFrame
        A copy of the input with the checked columns replaced by display strings
        (numbers, or the suppression labels); other columns unchanged.
    suppressed : DataFrame
        Boolean, same index, one column per checked column: True where hidden.
    primary : DataFrame
        Boolean, True where hidden because the value itself is disclosive
        (``suppressed & ~primary`` = secondary suppression).
    columns : list of str
        The checked columns (``count_cols`` or the rate columns).
    settings : DisclosureSettings
        The settings used.
    """

    display: pd.DataFrame
    suppressed: pd.DataFrame
    primary: pd.DataFrame
    columns: list[str]
    settings: DisclosureSettings = field(default_factory=DisclosureSettings)

    @property
    def secondary(self) -> pd.DataFrame:
        """Boolean frame: True where hidden only to protect another cell."""
        return self.suppressed & ~self.primary


def _format_count(x: float, thousands: bool) -> str:
    if float(x).is_integer():
        return f"{int(x):,}" if thousands else str(int(x))
    return f"{x:,g}" if thousands else f"{x:g}"


def _check_counts(df: pd.DataFrame, cols: Sequence[str], arg: str) -> None:
    for col in cols:
        v.require_numeric(df, col, arg=arg)
        v.require_no_missing(
            df, col, arg=arg, fix="fill empty cells with 0 or drop the row before suppressing."
        )
        v.require_non_negative(df, col, arg=arg)


def _col_list(cols: str | Sequence[str], arg: str) -> list[str]:
    if isinstance(cols, str):
        cols = [cols]
    cols = list(cols)
    if not cols:
        raise ValueError(f"{arg} is empty. Fix: name at least one column of counts.")
    return cols


def _complement(values: np.ndarray, cand: np.ndarray, is_total: np.ndarray) -> int | None:
    """Position of the cell to suppress as a complement, or None if there is none."""
    for allow_total in (False, True):
        ok = cand & (values > 0) & (is_total == allow_total)
        if ok.any():
            pos = np.flatnonzero(ok)
            return int(pos[np.argmin(values[pos])])  # argmin takes the first on ties
    return None


_THRESHOLD = "Disclosure: suppression threshold"
_SECONDARY = "Disclosure: secondary suppression"
_DEVIATIONS = "Disclosure: tables set differently"


def record_disclosure_settings(settings: DisclosureSettings) -> None:
    """Record the pack's disclosure settings for Methods, once, from the parameters.

    Call it when a report starts (``pack.context.open_context`` does). Every later
    :func:`suppress_table` whose settings differ is recorded as a per-table
    deviation (``"Disclosure: tables set differently"``) instead of overwriting the
    pack's settings. Without a call, the first table suppressed sets them.

    Examples
    --------
    >>> from sa_lib.choices import choices_table, clear_choices
    >>> clear_choices()
    >>> record_disclosure_settings(disclosure_settings(threshold=10, secondary=True))
    >>> import pandas as pd
    >>> _ = suppress_table(pd.DataFrame({"n": [3, 40]}), ["n"], secondary=False, table="Data quality")
    >>> t = choices_table().set_index("choice")["value"]
    >>> t["Disclosure: secondary suppression"], t["Disclosure: tables set differently"]
    ('on', 'Data quality: secondary suppression off')
    """
    if not isinstance(settings, DisclosureSettings):
        raise ValueError(
            f"settings must be the DisclosureSettings from disclosure_settings(), got "
            f"{type(settings).__name__}."
        )
    shown_as = f"shown as {settings.primary_text!r}"
    reason = (
        f"counts 0-{settings.threshold - 1} {shown_as}"
        if settings.suppress_zero
        else f"counts 1-{settings.threshold - 1} {shown_as}; zeros shown"
    )
    record_choice(_THRESHOLD, settings.threshold, reason, source="parameters")
    record_choice(
        _SECONDARY,
        "on" if settings.secondary else "off",
        "smallest non-zero cell suppressed in any row or column with exactly one suppressed "
        f"cell, repeated until none; shown as {settings.secondary_label!r}",
        source="parameters",
    )


def _note_table_settings(s: DisclosureSettings, table: str | None) -> None:
    """Record ``s`` as the pack's settings if none are recorded, else any deviation."""
    from sa_lib.choices import choices_table

    recorded = choices_table().set_index("choice")["value"].to_dict()
    if _THRESHOLD not in recorded or _SECONDARY not in recorded:
        record_disclosure_settings(s)
        return
    diffs = []
    if str(s.threshold) != recorded[_THRESHOLD]:
        diffs.append(f"threshold {s.threshold}")
    if ("on" if s.secondary else "off") != recorded[_SECONDARY]:
        diffs.append(f"secondary suppression {'on' if s.secondary else 'off'}")
    if not diffs:
        return
    item = f"{table or 'a table'}: {', '.join(diffs)}"
    old = recorded.get(_DEVIATIONS, "")
    items = [x for x in old.split("; ") if x]
    if item not in items:
        items.append(item)
    record_choice(
        _DEVIATIONS,
        "; ".join(items),
        "set for these tables only (e.g. a one-column table whose cells are not parts of a "
        "published total needs no secondary suppression); every other table uses the pack's "
        "settings",
        source="report",
    )


def _add_secondary(supp, vals, row_is_total, col_is_total, axes) -> None:
    """Secondary suppression in place: a line with one suppressed cell gets its complement too, until none changes."""
    nrow, ncol = vals.shape
    cell_is_total = row_is_total[:, None] | col_is_total[None, :]
    changed = True
    while changed:
        changed = False
        for axis in axes:  # rows (1) first, then columns (0)
            if (ncol if axis == 1 else nrow) < 2:
                continue  # a one-cell line's "total" is the cell itself
            for i in range(nrow if axis == 1 else ncol):
                line = supp[i, :] if axis == 1 else supp[:, i]
                if line.sum() != 1:
                    continue
                lv = vals[i, :] if axis == 1 else vals[:, i]
                lt = cell_is_total[i, :] if axis == 1 else cell_is_total[:, i]
                j = _complement(lv, ~line, lt)
                if j is None:
                    continue
                if axis == 1:
                    supp[i, j] = True
                else:
                    supp[j, i] = True
                changed = True


def suppress_table(
    df: pd.DataFrame,
    count_cols: str | Sequence[str],
    threshold: int | None = None,
    secondary: bool | None = None,
    *,
    suppress_zero: bool | None = None,
    total_row: object | None = None,
    total_col: str | None = None,
    label: str | None = None,
    secondary_label: str | None = None,
    settings: DisclosureSettings | None = None,
    thousands: bool = True,
    lines: str = "both",
    table: str | None = None,
) -> SuppressionResult:
    """Suppress small counts in a table, with secondary suppression.

    Parameters
    ----------
    df : DataFrame
        The table as it will be published: one row per category, with count
        columns and any label columns. Its index labels must be unique.
    count_cols : str or list of str
        Columns of non-negative counts to protect (include the total column).
    threshold : int, optional
        Counts ``1 <= x < threshold`` are suppressed; default from ``settings`` (10).
    secondary : bool, optional
        Secondary suppression on/off; default from ``settings`` (True).
    suppress_zero : bool, optional
        Also hide zeros; default from ``settings`` (False).
    total_row : index label, optional
        Label of a row holding column totals (e.g. ``"Total"``), if the table has one.
    total_col : str, optional
        Name of a column in ``count_cols`` holding row totals, if the table has one.
    label, secondary_label : str, optional
        Override the display labels (defaults ``"<{threshold}"`` and ``"[c]"``).
    settings : DisclosureSettings, optional
        Settings from :func:`disclosure_settings`; explicit arguments override them.
    thousands : bool, default True
        Show shown counts with thousands separators (``1,234``).
    lines : {"both", "columns", "rows"}, default "both"
        Which lines have a published total to protect. Use ``"columns"`` for a
        table whose columns are periods (each period's column sums to a published
        total, but nobody adds one period to another along a row).
    table : str, optional
        The table's name (its caption), used in Methods when this table's settings
        differ from the pack's (see :func:`record_disclosure_settings`).

    Returns
    -------
    SuppressionResult
        ``display`` (strings in ``count_cols``), ``suppressed`` and ``primary``
        masks (booleans over ``count_cols``), ``columns`` and ``settings``.

    Notes
    -----
    Row and column totals are treated as published even if not in the table,
    so secondary suppression protects every row and column. Explicit total
    cells are part of their lines and are themselves suppressed if below the
    threshold, but are only used as complements when no body cell is available.
    If a line still has a single suppression that cannot be protected (all other
    cells zero), a warning names it.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": [3, 20, 30], "b": [15, 12, 40]}, index=["x", "y", "z"])
    >>> r = suppress_table(t, ["a", "b"])
    >>> r.display.values.tolist()
    [['<10', '[c]'], ['[c]', '[c]'], ['30', '40']]
    """
    s = _settings(
        settings,
        threshold=threshold,
        secondary=secondary,
        suppress_zero=suppress_zero,
        label=label,
        secondary_label=secondary_label,
    )
    cols = _col_list(count_cols, "count_cols")
    v.require_choice(lines, ["both", "columns", "rows"], arg="lines")
    axes = {"both": (1, 0), "rows": (1,), "columns": (0,)}[lines]
    v.require_columns(df, cols, arg="df", fix="pass count_cols naming columns of df.")
    v.require_not_empty(df, arg="df")
    if not df.index.is_unique:
        dup = df.index[df.index.duplicated()][0]
        raise ValueError(
            f"df's index has duplicate label {dup!r}, so cells cannot be identified. "
            f"Fix: df.reset_index(drop=True) or set a unique index first."
        )
    _check_counts(df, cols, "df")
    if total_col is not None and total_col not in cols:
        raise ValueError(
            f"total_col={total_col!r} is not one of count_cols ({cols}). "
            f"Fix: add it to count_cols or pass total_col=None."
        )
    if total_row is not None and total_row not in df.index:
        raise ValueError(
            f"total_row={total_row!r} is not an index label of df (first labels: "
            f"{list(df.index[:5])}). Fix: pass the label of the totals row, or None."
        )

    vals = df[cols].to_numpy(dtype=float)
    nrow, ncol = vals.shape
    row_is_total = (
        np.array([lab == total_row for lab in df.index])
        if total_row is not None
        else np.zeros(nrow, bool)
    )
    col_is_total = np.array([c == total_col for c in cols])
    _check_totals(df, cols, vals, row_is_total, col_is_total)

    primary = (vals > 0) & (vals < s.threshold)
    if s.suppress_zero:
        primary |= vals == 0
    supp = primary.copy()

    if s.secondary:
        _add_secondary(supp, vals, row_is_total, col_is_total, axes)

        _warn_unprotected(df, cols, supp, axes)

    display = df.copy()
    for k, col in enumerate(cols):
        texts = []
        for r in range(nrow):
            if primary[r, k]:
                texts.append(s.primary_text)
            elif supp[r, k]:
                texts.append(s.secondary_label)
            else:
                texts.append(_format_count(vals[r, k], thousands))
        display[col] = pd.Series(texts, index=df.index)

    _note_table_settings(s, table)
    return SuppressionResult(
        display=display,
        suppressed=pd.DataFrame(supp, index=df.index, columns=cols),
        primary=pd.DataFrame(primary, index=df.index, columns=cols),
        columns=cols,
        settings=s,
    )


def _check_totals(df, cols, vals, row_is_total, col_is_total) -> None:
    if row_is_total.any():
        body = vals[~row_is_total].sum(axis=0)
        tot = vals[row_is_total][0]
        bad = ~np.isclose(body, tot)
        if bad.any():
            c = cols[int(np.argmax(bad))]
            v.warn(
                f"The totals row does not equal the sum of the other rows in column {c!r} "
                f"({tot[bad][0]:g} vs {body[bad][0]:g}); check the table was totalled after filtering."
            )
    if col_is_total.any():
        body = vals[:, ~col_is_total].sum(axis=1)
        tot = vals[:, col_is_total][:, 0]
        bad = ~np.isclose(body, tot)
        if bad.any():
            r = df.index[int(np.argmax(bad))]
            v.warn(
                f"The total column does not equal the sum of the other columns in row {r!r} "
                f"({tot[bad][0]:g} vs {body[bad][0]:g}); check the table was totalled after filtering."
            )


def _warn_unprotected(df, cols, supp, axes=(1, 0)) -> None:
    for i in range(supp.shape[0] if supp.shape[1] > 1 and 1 in axes else 0):
        if supp[i, :].sum() == 1:
            v.warn(
                f"Row {df.index[i]!r} has one suppressed cell and no non-zero cell to suppress "
                "with it, so it can be recovered from the row total. Fix: merge categories or "
                "pass suppress_zero=True."
            )
    for j in range(supp.shape[1] if supp.shape[0] > 1 and 0 in axes else 0):
        if supp[:, j].sum() == 1:
            v.warn(
                f"Column {cols[j]!r} has one suppressed cell and no non-zero cell to suppress "
                "with it, so it can be recovered from the column total. Fix: merge categories or "
                "pass suppress_zero=True."
            )


def suppress_rates(
    df: pd.DataFrame,
    rate_cols: Mapping[str, str],
    *,
    mask: pd.DataFrame | SuppressionResult | None = None,
    threshold: int | None = None,
    suppress_zero: bool | None = None,
    decimals: int = 1,
    rate_label: str | None = None,
    settings: DisclosureSettings | None = None,
) -> SuppressionResult:
    """Suppress rates and percentages whose numerator count is suppressed.

    Parameters
    ----------
    df : DataFrame
        Table with rate (or percentage) columns.
    rate_cols : mapping of str to str
        ``{rate column: count column it was computed from}``.
    mask : DataFrame or SuppressionResult, optional
        The suppression of the counts (``suppress_table(...)`` result or its
        ``suppressed`` frame, same index as ``df``). Use it so that rates follow
        secondary suppression too. Without it, each count column must be in
        ``df`` and the primary rule (``1 <= count < threshold``) is applied.
    threshold, suppress_zero : optional
        Used only without ``mask``; defaults from ``settings``.
    decimals : int, default 1
        Decimal places for shown rates.
    rate_label : str, optional
        Label for suppressed rates (default ``"[c]"``).
    settings : DisclosureSettings, optional
        Settings from :func:`disclosure_settings`.

    Returns
    -------
    SuppressionResult
        ``display`` with the rate columns as strings, ``suppressed`` and
        ``primary`` masks over the rate columns (``primary`` is True where the
        count was primary-suppressed, when known).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"n": [4, 50], "rate": [0.8, 10.0]})
    >>> suppress_rates(t, {"rate": "n"}).display["rate"].tolist()
    ['[c]', '10.0']
    """
    s = _settings(settings, threshold=threshold, suppress_zero=suppress_zero, rate_label=rate_label)
    if not isinstance(rate_cols, Mapping) or not rate_cols:
        raise ValueError(
            f"rate_cols must be a non-empty dict {{rate column: count column}}, got {rate_cols!r}. "
            f"Fix: e.g. rate_cols={{'rate_per_1000': 'count'}}."
        )
    v.require_int(decimals, arg="decimals", minimum=0)
    v.require_columns(df, list(rate_cols), arg="df")
    for rc in rate_cols:
        v.require_numeric(df, rc, arg="df")

    if isinstance(mask, SuppressionResult):
        prim_mask, supp_mask = mask.primary, mask.suppressed
    elif mask is not None:
        v.require_dataframe(mask, "mask")
        prim_mask, supp_mask = None, mask
    else:
        prim_mask = supp_mask = None

    if supp_mask is not None:
        v.require_columns(
            supp_mask,
            list(rate_cols.values()),
            arg="mask",
            fix="pass the suppression of the counts the rates were computed from.",
        )
        if not supp_mask.index.equals(df.index):
            raise ValueError(
                "mask and df have different indexes, so rates cannot be matched to their "
                "counts. Fix: build both from the same table (same rows, same order)."
            )
    else:
        v.require_columns(
            df,
            list(rate_cols.values()),
            arg="df",
            fix="add the count columns, or pass mask=suppress_table(...).",
        )
        _check_counts(df, list(dict.fromkeys(rate_cols.values())), "df")

    display = df.copy()
    supp_out, prim_out = {}, {}
    for rc, cc in rate_cols.items():
        if supp_mask is not None:
            sup = supp_mask[cc].to_numpy(dtype=bool)
            pri = prim_mask[cc].to_numpy(dtype=bool) if prim_mask is not None else sup
        else:
            n = df[cc].to_numpy(dtype=float)
            pri = (n > 0) & (n < s.threshold)
            if s.suppress_zero:
                pri |= n == 0
            sup = pri
        rates = df[rc].to_numpy(dtype=float)
        texts = [
            s.rate_label if sup[i] else ("" if np.isnan(rates[i]) else f"{rates[i]:,.{decimals}f}")
            for i in range(len(df))
        ]
        display[rc] = pd.Series(texts, index=df.index)
        supp_out[rc], prim_out[rc] = sup, pri
    cols = list(rate_cols)
    return SuppressionResult(
        display=display,
        suppressed=pd.DataFrame(supp_out, index=df.index, columns=cols),
        primary=pd.DataFrame(prim_out, index=df.index, columns=cols),
        columns=cols,
        settings=s,
    )


def band_counts(
    series: pd.Series,
    bands: Sequence[int] = (10, 20, 50, 100, 200, 500, 1000),
    *,
    zero_label: str | None = "0",
) -> pd.Series:
    """Replace counts by banded labels such as ``"10-19"`` and ``"1,000+"``.

    Parameters
    ----------
    series : Series
        Non-negative counts.
    bands : sequence of int
        Increasing lower edges. A count ``x`` with ``bands[i] <= x < bands[i+1]``
        is labelled ``f"{bands[i]}-{bands[i+1] - 1}"``; at or above the last
        edge ``f"{bands[-1]}+"``; below the first ``f"<{bands[0]}"``.
    zero_label : str or None, default "0"
        Label for zeros; None puts zeros in the ``"<{bands[0]}"`` band.

    Returns
    -------
    Series
        Strings, same index and name as ``series``. The input is unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> band_counts(pd.Series([0, 4, 10, 19.5, 20, 75, 1500])).tolist()
    ['0', '<10', '10-19', '10-19', '20-49', '50-99', '1,000+']
    """
    if not isinstance(series, pd.Series):
        raise ValueError(
            f"series must be a pandas Series, got {type(series).__name__}. "
            f"Fix: pass one column, e.g. df['count']."
        )
    name = series.name if series.name is not None else "series"
    frame = series.to_frame(name=name)
    _check_counts(frame, [name], "series")
    edges = list(bands)
    if (
        not edges
        or any(isinstance(b, bool) or not isinstance(b, int | np.integer) for b in edges)
        or any(b < 1 for b in edges)
        or any(b2 <= b1 for b1, b2 in zip(edges, edges[1:], strict=False))
    ):
        raise ValueError(
            f"bands must be increasing whole numbers of at least 1 (lower edges), got "
            f"{bands!r}. Fix: e.g. bands=(10, 20, 50, 100)."
        )
    labels = [f"{lo:,}-{hi - 1:,}" for lo, hi in zip(edges, edges[1:], strict=False)]
    labels.append(f"{edges[-1]:,}+")
    x = series.to_numpy(dtype=float)
    pos = np.searchsorted(np.asarray(edges, dtype=float), x, side="right") - 1
    out = [f"<{edges[0]:,}" if p < 0 else labels[p] for p in pos]
    if zero_label is not None:
        out = [zero_label if xi == 0 else o for xi, o in zip(x, out, strict=True)]
    return pd.Series(out, index=series.index, name=series.name)


def table_to_html(
    table: SuppressionResult | pd.DataFrame,
    count_cols: Sequence[str] | None = None,
    *,
    index: bool = False,
    caption: str | None = None,
    css_class: str = "sa-table",
) -> str:
    """Render a table as HTML, marking count cells per the scan's contract.

    Count cells get ``class="sa-count" data-sa-count``; other cells are plain.

    Parameters
    ----------
    table : SuppressionResult or DataFrame
        A suppression result (its ``display`` and ``columns`` are used) or a
        DataFrame of display values.
    count_cols : list of str, optional
        Columns to mark as counts (default: the result's ``columns``; required
        for a DataFrame).
    index : bool, default False
        Include the index as the first column (as ``<th>`` row headers).
    caption : str, optional
        Table caption.
    css_class : str, default "sa-table"
        Class of the ``<table>``.

    Returns
    -------
    str
        HTML ``<table>``.

    Examples
    --------
    >>> import pandas as pd
    >>> table_to_html(pd.DataFrame({"n": ["<10"]}), ["n"]).count('data-sa-count')
    1
    """
    if isinstance(table, SuppressionResult):
        df = table.display
        count_cols = table.columns if count_cols is None else list(count_cols)
    else:
        v.require_dataframe(table, "table")
        df = table
        if count_cols is None:
            raise ValueError(
                "count_cols is required when table is a DataFrame. Fix: name the count columns, "
                "or pass the result of suppress_table(...)."
            )
    count_cols = list(count_cols)
    v.require_columns(df, count_cols, arg="table")
    esc = _html.escape
    out = [f'<table class="{esc(css_class)}">']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    head = ([f"<th>{esc(str(df.index.name or ''))}</th>"] if index else []) + [
        f'<th scope="col">{esc(str(c))}</th>' for c in df.columns
    ]
    out.append("<thead><tr>" + "".join(head) + "</tr></thead><tbody>")
    for lab, row in df.iterrows():
        cells = [f'<th scope="row">{esc(str(lab))}</th>'] if index else []
        for c in df.columns:
            val = "" if pd.isna(row[c]) else str(row[c])
            attrs = ' class="sa-count" data-sa-count' if c in count_cols else ""
            cells.append(f"<td{attrs}>{esc(val)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
