"""Statistical disclosure control: suppression, banding and a scan of rendered output.

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

The scan (:func:`scan_html_for_disclosure`, :func:`scan_text`) is a last check
on rendered output. Its **HTML marking contract** for report renderers:

1. An element with a ``data-sa-count`` attribute or class ``sa-count`` holds
   counts: every whole number in its text below the threshold is reported (for
   an element with no text, e.g. an SVG ``<rect data-sa-count="7"/>``, the
   attribute's value is checked instead). Numbers right after ``<``, ``≤``,
   ``£`` or ``-`` (labels such as ``<10``, ranges such as ``10-19``), decimals
   (``4.5``) and percentages (``7%``) are not counts.
2. An element with ``data-sa-not-count`` or class ``sa-not-count`` (or inside
   one) is never checked for counts (ranks, years, ward numbers), but is still
   checked for identifiers.
3. Unmarked ``<td>``, ``<li>``, ``<dd>`` and SVG ``<text>`` elements whose whole
   text is a bare whole number (``7``, ``1,234``) are treated as counts, as are
   matplotlib SVG text comments (``<!-- 7 -->``, how matplotlib keeps the text of
   labels it draws as paths). SVG axis tick labels (inside an element whose id
   starts with ``xtick``, ``ytick`` or ``matplotlib.axis``, or whose class
   contains ``tick``) are not counts. ``<th>`` headers are labels, not counts.
4. Free text (paragraphs, captions, list items, ``alt``, ``title`` and
   ``aria-label`` attributes) is checked for count phrases: a small whole
   number followed, within two words, by a counted noun ("3 burglaries",
   "2 domestic abuse incidents", "5 victims"), except after a label word
   ("Figure 3 crimes by month", "the top 5 crime types"). This is a heuristic:
   mark counts explicitly and use ``allowed`` for known-safe snippets.
5. All text and attribute values (except ``style``, ``data:`` URIs and SVG
   geometry such as ``d``, ``points``, ``x``, ``y``) are checked for
   record-level identifiers: 64-hex-character police.uk Crime IDs, full unit
   postcodes (``PE29 3TN``; a district such as ``PE29`` is fine), reference-like
   strings (``35/12345/23``, ``CR/123456/24``, ``URN1234567``) and exact
   coordinates (a UK latitude and longitude pair, each with 4 or more decimal
   places, within 40 characters). ``<script>`` content is checked for Crime IDs,
   postcodes, references and point markers (Leaflet ``L.marker([lat, lon])`` and
   GeoJSON ``Point`` coordinates with 4+ decimals) only, so boundary polygons in
   an embedded map are not reported. Charts embedded as PNG cannot be scanned.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.disclosure import suppress_table, scan_html_for_disclosure, table_to_html
>>> t = pd.DataFrame({"ward": ["A", "B"], "burglary": [3, 25], "robbery": [14, 40]})
>>> res = suppress_table(t, ["burglary", "robbery"], secondary=False)
>>> res.display["burglary"].tolist()
['<10', '25']
>>> scan_html_for_disclosure(table_to_html(res)).empty
True
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
import pandas as pd

from sa_lib import validation as v
from sa_lib.choices import record_choice

__all__ = [
    "DisclosureSettings",
    "SuppressionResult",
    "disclosure_settings",
    "suppress_table",
    "suppress_rates",
    "band_counts",
    "table_to_html",
    "scan_html_for_disclosure",
    "scan_text",
    "FINDING_COLUMNS",
]

#: Columns of the DataFrame returned by the scans.
FINDING_COLUMNS = ["kind", "snippet", "value", "where", "context", "line"]


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

    shown_as = f"shown as {s.primary_text!r}"
    reason = (
        f"counts 0-{s.threshold - 1} {shown_as}"
        if s.suppress_zero
        else f"counts 1-{s.threshold - 1} {shown_as}; zeros shown"
    )
    record_choice(
        "Disclosure: suppression threshold",
        s.threshold,
        reason,
        source="parameters",
    )
    record_choice(
        "Disclosure: secondary suppression",
        "on" if s.secondary else "off",
        "smallest non-zero cell suppressed in any row or column with exactly one suppressed "
        f"cell, repeated until none; shown as {s.secondary_label!r}",
        source="parameters",
    )
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


# --------------------------------------------------------------------------- scanning

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_PRE = r"(?<![\w.,<>≤≥£$€%/\-−–])"
_POST = r"(?![\w%]|[.,]\d|\s*%|\s*[-–−]\s*\d|/\d)"
_COUNT_RE = re.compile(_PRE + f"({_NUM})" + _POST)
_BARE_RE = re.compile(rf"^\s*({_NUM})\s*$")
_NOUNS = (
    r"crimes?|offences?|offenses?|incidents?|victims?|offenders?|suspects?|perpetrators?|"
    r"burglar(?:y|ies)|robber(?:y|ies)|thefts?|assaults?|stabbings?|homicides?|murders?|"
    r"rapes?|reports?|calls?|cases?|arrests?|records?|people|persons?|residents?|"
    r"households?|individuals?|children|child|pupils?|deaths?|casualties|injur(?:y|ies)|"
    r"admissions?|referrals?|occurrences?|events?|shopliftings?"
)
# numbers that label things ("Figure 3", "top 5 crime types") are not counts
_NOT_AFTER = "".join(
    f"(?<!{w} )" for w in ("figure", "fig.", "table", "chart", "map", "section", "page", "top")
)
_PHRASE_RE = re.compile(
    _NOT_AFTER + _PRE + rf"({_NUM})(?![.,]\d|%)\s+(?:[A-Za-z][\w'-]*\s+){{0,2}}?(?:{_NOUNS})\b",
    re.IGNORECASE,
)
_CRIME_ID_RE = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b")
_REFERENCE_RE = re.compile(
    r"\b(?:(?:[A-Z]{1,5}/)?\d{1,4}/\d{4,}/\d{2,4}|[A-Z]{2,5}/\d{4,}/\d{2,4}|[A-Z]{2,5}-?\d{6,})\b"
)
_DEC_RE = re.compile(r"(?<![\d.])-?\d{1,3}\.\d{4,}(?!\d)")
_MARKER_RE = re.compile(
    r"L\.(?:circleMarker|marker|circle)\(\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)"
    r"|\"type\"\s*:\s*\"Point\"\s*,\s*\"coordinates\"\s*:\s*\[\s*(-?\d+\.\d+)\s*,\s*(-?\d+\.\d+)"
)

_BARE_TAGS = {"td", "li", "dd"}
_SVG_TEXT = {"text"}
_PROSE_ATTRS = {"alt", "title", "aria-label", "aria-description", "data-tooltip", "data-label"}
_SKIP_ATTRS = {
    "style", "d", "points", "transform", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r",
    "rx", "ry", "width", "height", "viewbox", "clip-path", "font-size", "stroke-width",
    "integrity", "src", "xlink:href", "href",
}  # fmt: skip
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip


def _is_lat(x: float) -> bool:
    return 49.5 <= x <= 61.5


def _is_lon(x: float) -> bool:
    return -9.0 <= x <= 2.5


class _Findings:
    def __init__(self, threshold: int, flag_zero: bool, allowed: Iterable[object]):
        self.threshold, self.flag_zero = threshold, flag_zero
        self.allowed = list(allowed)
        self.rows: list[dict] = []
        self._seen: set[tuple] = set()

    def small(self, value: int) -> bool:
        return 0 < value < self.threshold or (self.flag_zero and value == 0)

    def add(self, kind, snippet, value, where, context, line) -> None:
        snippet = snippet.strip()
        for a in self.allowed:
            if (isinstance(a, re.Pattern) and a.search(snippet)) or (
                isinstance(a, str) and a.strip() == snippet
            ):
                return
        key = (kind, snippet, where, line)
        if key in self._seen:
            return
        self._seen.add(key)
        ctx = " ".join(context.split())
        self.rows.append(
            {
                "kind": kind,
                "snippet": snippet,
                "value": value,
                "where": where,
                "context": ctx[:120],
                "line": line,
            }
        )

    def counts_in(self, text, where, line) -> None:
        for m in _COUNT_RE.finditer(text):
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(1), val, where, text, line)

    def bare(self, text, where, line) -> None:
        m = _BARE_RE.match(text)
        if m:
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(1), val, where, text, line)

    def phrases(self, text, where, line) -> None:
        for m in _PHRASE_RE.finditer(text):
            val = int(m.group(1).replace(",", ""))
            if self.small(val):
                self.add("small_count", m.group(0), val, where, text, line)

    def identifiers(self, text, where, line, *, script: bool = False) -> None:
        for m in _CRIME_ID_RE.finditer(text):
            self.add("crime_id", m.group(0), None, where, text[max(0, m.start() - 30) :], line)
        for m in _POSTCODE_RE.finditer(text):
            self.add("postcode", m.group(0), None, where, _around(text, m), line)
        for m in _REFERENCE_RE.finditer(text):
            self.add("reference", m.group(0), None, where, _around(text, m), line)
        if script:
            for m in _MARKER_RE.finditer(text):
                a, b = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
                if _decimals(a) >= 4 and _decimals(b) >= 4:
                    self.add("coordinates", m.group(0), None, where, _around(text, m), line)
            return
        decs = [(m, float(m.group(0))) for m in _DEC_RE.finditer(text)]
        used: set[int] = set()
        for i, (m1, x1) in enumerate(decs):
            if i in used:
                continue
            for j in range(i + 1, len(decs)):
                m2, x2 = decs[j]
                if m2.start() - m1.end() > 40:
                    break
                if (_is_lat(x1) and _is_lon(x2)) or (_is_lon(x1) and _is_lat(x2)):
                    snip = text[m1.start() : m2.end()]
                    self.add("coordinates", snip, None, where, _around(text, m1), line)
                    used.update((i, j))  # pair each number with its nearest partner only
                    break

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=FINDING_COLUMNS)


def _decimals(s: str) -> int:
    return len(s.split(".", 1)[1]) if "." in s else 0


def _around(text: str, m: re.Match, pad: int = 40) -> str:
    return text[max(0, m.start() - pad) : m.end() + pad]


def _classes(attrs: dict) -> set[str]:
    return set((attrs.get("class") or "").split())


class _Frame:
    __slots__ = ("tag", "attrs", "line", "text", "marked", "exempt", "tick", "svg", "own_mark")

    def __init__(self, tag, attrs, line, parent):
        self.tag, self.attrs, self.line, self.text = tag, attrs, line, []
        cls = _classes(attrs)
        self.own_mark = "data-sa-count" in attrs or "sa-count" in cls
        self.marked = self.own_mark or (parent.marked if parent else False)
        own_exempt = "data-sa-not-count" in attrs or "sa-not-count" in cls
        self.exempt = own_exempt or (parent.exempt if parent else False)
        ident = attrs.get("id") or ""
        own_tick = ident.startswith(("xtick", "ytick", "matplotlib.axis")) or any(
            "tick" in c for c in cls
        )
        self.tick = own_tick or (parent.tick if parent else False)
        self.svg = tag == "svg" or (parent.svg if parent else False)
        if self.own_mark and parent is not None and parent.marked:
            self.own_mark = False  # an ancestor reports the whole marked text


class _Scanner(HTMLParser):
    def __init__(self, found: _Findings):
        super().__init__(convert_charrefs=True)
        self.f = found
        self.stack: list[_Frame] = []

    # -- structure
    def _close_implicit(self, tag: str) -> None:
        implicit = {
            "td": {"td", "th"},
            "th": {"td", "th"},
            "tr": {"td", "th", "tr"},
            "li": {"li"},
            "p": {"p"},
            "dd": {"dd", "dt"},
            "dt": {"dd", "dt"},
        }.get(tag)
        while implicit and self.stack and self.stack[-1].tag in implicit:
            self._pop()

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (val if val is not None else "") for k, val in attrs}
        self._close_implicit(tag)
        parent = self.stack[-1] if self.stack else None
        fr = _Frame(tag, attrs, self.getpos()[0], parent)
        self._attrs(fr, closed=tag in _VOID)
        if tag not in _VOID:
            self.stack.append(fr)

    def handle_startendtag(self, tag, attrs):
        attrs = {k.lower(): (val if val is not None else "") for k, val in attrs}
        parent = self.stack[-1] if self.stack else None
        self._attrs(_Frame(tag, attrs, self.getpos()[0], parent), closed=True)

    def handle_endtag(self, tag):
        if not any(fr.tag == tag for fr in self.stack):
            return
        while self.stack:
            if self._pop().tag == tag:
                break

    def close(self):
        super().close()
        while self.stack:
            self._pop()

    def _pop(self) -> _Frame:
        fr = self.stack.pop()
        text = "".join(fr.text)
        if self.stack:
            self.stack[-1].text.append(text)
        where = fr.tag
        if fr.own_mark and not fr.exempt:
            if text.strip():
                self.f.counts_in(text, f"{where} (marked count)", fr.line)
            else:  # an empty marked element: its data-sa-count value is what is shown
                self.f.bare(fr.attrs.get("data-sa-count", ""), f"{where} (marked count)", fr.line)
        elif not fr.marked and not fr.exempt and not fr.tick:
            if fr.tag in _BARE_TAGS or (fr.svg and fr.tag in _SVG_TEXT):
                self.f.bare(text, f"{'svg ' if fr.svg else ''}{where} (bare number)", fr.line)
        return fr

    # -- content
    def _attrs(self, fr: _Frame, closed: bool) -> None:
        for k, val in fr.attrs.items():
            if not val or val.startswith("data:"):
                continue
            if k == "data-sa-count" and closed and not fr.exempt:
                self.f.bare(val, f"{fr.tag} (marked count)", fr.line)
            if k in _PROSE_ATTRS and not fr.exempt and not fr.tick:
                self.f.phrases(val, f"{k} attribute of <{fr.tag}>", fr.line)
            if k not in _SKIP_ATTRS:
                self.f.identifiers(val, f"{k} attribute of <{fr.tag}>", fr.line)

    def handle_data(self, data):
        line = self.getpos()[0]
        top = self.stack[-1] if self.stack else None
        if top is not None and top.tag in ("script", "style"):
            if top.tag == "script":
                self.f.identifiers(data, "<script>", line, script=True)
            return
        if top is not None:
            top.text.append(data)
        where = f"text of <{top.tag}>" if top is not None else "text"
        self.f.identifiers(data, where, line)
        if top is None or not (top.marked or top.exempt or top.tick):
            self.f.phrases(data, where, line)

    def handle_comment(self, data):
        top = self.stack[-1] if self.stack else None
        if top is not None and top.svg and not top.tick and not top.exempt:
            self.f.bare(data, "svg text (matplotlib comment)", self.getpos()[0])


def _check_scan_args(threshold: int, allowed: object) -> list:
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ValueError(
            f"threshold must be a whole number of at least 1 (e.g. 10), got {threshold!r}."
        )
    if allowed is None:
        return []
    if isinstance(allowed, str | re.Pattern):
        allowed = [allowed]
    allowed = list(allowed)
    for a in allowed:
        if not isinstance(a, str | re.Pattern):
            raise ValueError(
                f"allowed must hold strings (exact snippets) or compiled regular expressions, "
                f"got {a!r}. Fix: e.g. allowed=['PE29 3TN', re.compile(r'^2\\d{{3}}$')]."
            )
    return allowed


def scan_html_for_disclosure(
    html: str,
    threshold: int = 10,
    allowed: Iterable[str | re.Pattern] | None = None,
    *,
    flag_zero: bool = False,
) -> pd.DataFrame:
    """Find small counts and record-level identifiers in rendered HTML.

    See the module notes for the marking contract (``data-sa-count`` /
    ``sa-count``, ``data-sa-not-count`` / ``sa-not-count``) and what is checked.

    Parameters
    ----------
    html : str
        The rendered report (or a fragment).
    threshold : int, default 10
        Counts ``1 <= x < threshold`` are reported.
    allowed : iterable of str or compiled regex, optional
        Known-safe snippets: a finding is dropped if its snippet equals one of the
        strings or matches (``re.search``) one of the patterns, e.g. the council's
        own postcode.
    flag_zero : bool, default False
        Report zeros too (when zeros must be suppressed).

    Returns
    -------
    DataFrame
        One row per finding, columns ``kind`` (``"small_count"``,
        ``"crime_id"``, ``"postcode"``, ``"reference"``, ``"coordinates"``),
        ``snippet``, ``value`` (the count, or None), ``where`` (element or
        attribute), ``context`` (nearby text) and ``line`` (line in ``html``).
        Empty when nothing was found.

    Examples
    --------
    >>> scan_html_for_disclosure('<td class="sa-count">7</td>')["snippet"].tolist()
    ['7']
    >>> scan_html_for_disclosure('<td class="sa-count">&lt;10</td>').empty
    True
    """
    if not isinstance(html, str):
        raise ValueError(
            f"html must be a string of HTML, got {type(html).__name__}. "
            f"Fix: read the file first, e.g. Path('report.html').read_text()."
        )
    found = _Findings(int(threshold), flag_zero, _check_scan_args(threshold, allowed))
    parser = _Scanner(found)
    parser.feed(html)
    parser.close()
    return found.frame()


def scan_text(
    text: str,
    threshold: int = 10,
    allowed: Iterable[str | re.Pattern] | None = None,
    *,
    flag_zero: bool = False,
) -> pd.DataFrame:
    """Find small counts and record-level identifiers in plain text or Markdown.

    Checks count phrases ("3 burglaries"; see the module notes), bare whole
    numbers in Markdown table cells (lines starting with ``|``) and the
    identifiers listed for :func:`scan_html_for_disclosure`.

    Parameters
    ----------
    text : str
        Text, Markdown or CSV-like output.
    threshold, allowed, flag_zero
        As for :func:`scan_html_for_disclosure`.

    Returns
    -------
    DataFrame
        Columns as for :func:`scan_html_for_disclosure` (``line`` is the line in ``text``).

    Examples
    --------
    >>> scan_text("There were 3 robberies near PE29 3TN.")["kind"].tolist()
    ['small_count', 'postcode']
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}.")
    found = _Findings(int(threshold), flag_zero, _check_scan_args(threshold, allowed))
    for i, line in enumerate(text.splitlines(), start=1):
        found.phrases(line, "text", i)
        stripped = line.strip()
        if stripped.startswith("|") and not re.fullmatch(r"[|:\-\s]+", stripped):
            for cell in stripped.strip("|").split("|"):
                found.bare(cell, "markdown table cell (bare number)", i)
        found.identifiers(line, "text", i)
    return found.frame()
