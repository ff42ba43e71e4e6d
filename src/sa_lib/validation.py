"""Shared input validation for every public function in :mod:`sa_lib`.

Each check raises :class:`ValueError` (never ``assert``) whose message names the
argument, the missing column or bad value, the first bad row, and the fix. The
style follows geopandas ``sjoin``: say what was expected, what was found, and
what to do.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.validation import require_columns
>>> require_columns(pd.DataFrame({"a": [1]}), ["a"], arg="df")
>>> try:
...     require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], arg="crimes")
... except ValueError as e:
...     print(str(e).splitlines()[0])
crimes is missing required column(s): 'b'.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "require_dataframe",
    "require_geodataframe",
    "require_columns",
    "require_not_empty",
    "require_numeric",
    "require_non_negative",
    "require_population",
    "read_dates",
    "require_no_missing",
    "require_choice",
    "require_probability",
    "require_positive",
    "require_int",
    "require_same_crs",
    "require_projected",
    "first_bad_row",
    "warn",
    "short_repr",
    "read_bounded_yaml",
    "libyaml_twin",
    "YAML_MAX_BYTES",
    "check_parquet_bounds",
    "PARQUET_MAX_ROWS",
    "PARQUET_MAX_BYTES",
    "TEXT_CAP",
]

#: The longest name, label or document-control text shown on a page (characters).
TEXT_CAP = 200
#: The most rows a user's Parquet file (a force extract) may hold before it is loaded.
PARQUET_MAX_ROWS = 10_000_000
#: The most bytes its data may take once decompressed (the footer's uncompressed sizes).
PARQUET_MAX_BYTES = 4 << 30

#: The largest YAML file (parameters, extract mapping) the workbench reads, in bytes.
YAML_MAX_BYTES = 256 * 1024


def short_repr(value: object, limit: int = 80) -> str:
    """A bounded ``repr`` for error messages: never longer than about ``limit`` characters.

    Nested containers are cut at two levels and a few items, so a huge or deeply
    nested value (e.g. from YAML aliases) is never formatted in full.

    Examples
    --------
    >>> short_repr("x" * 500)[:12], len(short_repr("x" * 500)) <= 80
    ("'xxxxxxxxxxx", True)
    >>> short_repr([[1, 2, 3, 4, 5, 6, 7]] * 50, limit=40)
    '[[1, 2, 3, 4, 5, 6, ...], [1, 2, 3, 4...'
    """
    import reprlib

    r = reprlib.Repr()
    r.maxlevel, r.maxlist, r.maxdict, r.maxtuple, r.maxset = 2, 6, 4, 6, 6
    r.maxstring = r.maxother = r.maxlong = max(10, limit - 8)
    out = r.repr(value)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def read_bounded_yaml(path, *, what: str, loader=None, max_bytes: int | None = None):
    """Read a small YAML file safely: bounded size, no aliases, no Python tags.

    Parameters
    ----------
    path : path-like
        The file.
    what : str
        What the file is, for messages ("parameters file", "mapping file").
    loader : yaml loader class, optional
        Default ``yaml.SafeLoader`` (never executes tags).
    max_bytes : int, optional
        Default :data:`YAML_MAX_BYTES`.

    Returns
    -------
    object
        The parsed document (None for an empty file).

    Raises
    ------
    ValueError
        Naming the file, the line (for an alias or bad YAML) and the fix. YAML
        aliases (``*name``) are refused outright: a few kilobytes of nested aliases
        expand to gigabytes ("billion laughs"), and these files never need them.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
    ...     _ = f.write("a: &x [1]\\nb: *x\\n")
    >>> try:
    ...     read_bounded_yaml(f.name, what="parameters file")
    ... except ValueError as e:
    ...     print(str(e).split(": ", 1)[1][:44])
    line 2: YAML aliases (*name) are not allowed
    >>> os.unlink(f.name)
    """
    import os as _os

    import yaml

    limit = YAML_MAX_BYTES if max_bytes is None else max_bytes
    size = _os.path.getsize(path)
    if size > limit:
        raise ValueError(
            f"{path}: the {what} is {size:,} bytes, over the limit of {limit:,} bytes. "
            f"Fix: a {what} is a few kilobytes of settings; remove pasted data or split it."
        )
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path}: the {what} is not UTF-8 text (byte {e.start}). Fix: save it as UTF-8."
        ) from e
    loader = loader or yaml.SafeLoader
    try:
        return _load_without_aliases(text, libyaml_twin(loader), path, what)
    except yaml.YAMLError:
        pass  # libyaml names less (a tab is "a character"): read again for the message
    try:
        return _load_without_aliases(text, loader, path, what)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(e, "problem", None) or short_repr(str(e), 200)
        raise ValueError(
            f"{path}: {where}not valid YAML ({problem}). Fix: check indentation and quote "
            f"values containing ':' or '%'."
        ) from e


def _load_without_aliases(text: str, loader, path, what: str):
    """``text`` parsed by ``loader``, refused at its first alias (before anything is built)."""
    import yaml

    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            raise ValueError(
                f"{path}: line {line}: YAML aliases (*name) are not allowed in a {what}. "
                f"Fix: write the value out in full instead of the alias (and remove its &anchor)."
            )
    return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass


_TWINS: dict[type, type] = {}


def libyaml_twin(loader: type) -> type:
    """``loader`` (``yaml.SafeLoader`` or a subclass) on libyaml's C parser, when installed.

    The same constructors and implicit resolvers (what a value becomes), parsed about ten
    times faster; without libyaml, ``loader`` itself.

    Examples
    --------
    >>> import yaml
    >>> yaml.load("a: [1, yes]", Loader=libyaml_twin(yaml.SafeLoader))
    {'a': [1, True]}
    """
    import yaml

    if not getattr(yaml, "__with_libyaml__", False) or not issubclass(loader, yaml.SafeLoader):
        return loader
    twin = _TWINS.get(loader)
    if twin is None:
        keep = ("yaml_constructors", "yaml_multi_constructors", "yaml_implicit_resolvers")
        attrs = {k: dict(getattr(loader, k)) for k in keep}
        twin = _TWINS[loader] = type(f"C{loader.__name__}", (yaml.CSafeLoader,), attrs)
    return twin


def _plain(x: object) -> object:
    return x.item() if isinstance(x, np.generic) else x


def _fmt_row(df: pd.DataFrame, label: object) -> str:
    try:
        pos = df.index.get_loc(label)
    except (KeyError, TypeError):
        pos = None
    where = f"row {label!r}" if pos is None or pos == label else f"row {label!r} (position {pos})"
    return where


def first_bad_row(df: pd.DataFrame, mask: pd.Series | np.ndarray) -> object | None:
    """Return the index label of the first row where ``mask`` is True, or None.

    Examples
    --------
    >>> import pandas as pd
    >>> first_bad_row(pd.DataFrame({"x": [1, -1, -2]}), pd.Series([False, True, True]))
    1
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return None
    label = df.index[int(np.argmax(mask))]
    return label.item() if isinstance(label, np.generic) else label


def require_dataframe(obj: object, arg: str) -> None:
    """Raise ValueError unless ``obj`` is a pandas DataFrame."""
    if not isinstance(obj, pd.DataFrame):
        raise ValueError(
            f"{arg} must be a pandas DataFrame, got {type(obj).__name__}. "
            f"Pass a DataFrame (e.g. pd.read_csv(...) or sa_lib.data.store.load_crimes(...))."
        )


def require_geodataframe(obj: object, arg: str) -> None:
    """Raise ValueError unless ``obj`` is a GeoDataFrame with a CRS set."""
    import geopandas as gpd

    if not isinstance(obj, gpd.GeoDataFrame):
        raise ValueError(
            f"{arg} must be a geopandas GeoDataFrame, got {type(obj).__name__}. "
            f"Build one with geopandas.GeoDataFrame(df, geometry=..., crs=...)."
        )
    if obj.crs is None:
        raise ValueError(
            f"{arg} has no coordinate reference system (crs is None). "
            f"Set it with {arg}.set_crs('EPSG:27700') (British National Grid) or the CRS it is in."
        )


def require_columns(
    df: pd.DataFrame, columns: Iterable[str], *, arg: str = "df", fix: str | None = None
) -> None:
    """Raise ValueError naming any of ``columns`` missing from ``df``.

    Parameters
    ----------
    df : DataFrame
        The input to check.
    columns : iterable of str
        Required column names.
    arg : str
        The argument's name, used in the message.
    fix : str, optional
        A hint on how to fix it, appended to the message.
    """
    require_dataframe(df, arg)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        msg = (
            f"{arg} is missing required column(s): {', '.join(repr(c) for c in missing)}.\n"
            f"It has: {', '.join(repr(c) for c in df.columns) or '(no columns)'}."
        )
        if fix:
            msg += f"\nFix: {fix}"
        raise ValueError(msg)


def require_not_empty(df: pd.DataFrame, *, arg: str = "df", fix: str | None = None) -> None:
    """Raise ValueError if ``df`` has no rows."""
    require_dataframe(df, arg)
    if len(df) == 0:
        msg = f"{arg} is empty (0 rows)."
        if fix:
            msg += f"\nFix: {fix}"
        raise ValueError(msg)


def require_numeric(df: pd.DataFrame, column: str, *, arg: str = "df") -> None:
    """Raise ValueError if ``df[column]`` is not numeric, naming the first non-numeric row."""
    require_columns(df, [column], arg=arg)
    s = df[column]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        coerced = pd.to_numeric(s, errors="coerce")
        bad = coerced.isna() & s.notna()
        label = first_bad_row(df, bad)
        where = (
            f" First bad value {s.loc[label]!r} at {_fmt_row(df, label)}."
            if label is not None
            else ""
        )
        raise ValueError(
            f"{arg}[{column!r}] must be numeric, got dtype {s.dtype}.{where}\n"
            f"Fix: convert it with pd.to_numeric({arg}[{column!r}]) after cleaning the bad values."
        )


def require_no_missing(
    df: pd.DataFrame, column: str, *, arg: str = "df", fix: str | None = None
) -> None:
    """Raise ValueError if ``df[column]`` has missing values, naming the first one."""
    require_columns(df, [column], arg=arg)
    bad = df[column].isna()
    label = first_bad_row(df, bad)
    if label is not None:
        msg = (
            f"{arg}[{column!r}] has {int(bad.sum())} missing value(s); "
            f"the first is at {_fmt_row(df, label)}."
        )
        if fix:
            msg += f"\nFix: {fix}"
        raise ValueError(msg)


def require_non_negative(df: pd.DataFrame, column: str, *, arg: str = "df") -> None:
    """Raise ValueError if ``df[column]`` is not numeric or has negative values."""
    require_numeric(df, column, arg=arg)
    bad = df[column] < 0
    label = first_bad_row(df, bad.fillna(False))
    if label is not None:
        raise ValueError(
            f"{arg}[{column!r}] must not be negative; found {_plain(df[column].loc[label])!r} at "
            f"{_fmt_row(df, label)} ({int(bad.sum())} negative value(s) in all). "
            f"Counts and populations cannot be below zero: check the source."
        )


def read_dates(df: pd.DataFrame, column: str, *, arg: str = "df") -> pd.Series:
    """``df[column]`` read as dates (``pd.to_datetime``); ValueError naming the column and
    the fix when it cannot be.

    Examples
    --------
    >>> import pandas as pd
    >>> read_dates(pd.DataFrame({"d": ["2025-01-01"]}), "d").dt.year.tolist()
    [2025]
    """
    try:
        return pd.to_datetime(df[column])
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"{arg}[{column!r}] could not be read as dates ({e}). "
            f"Fix: use ISO dates such as '2024-03-01' or pandas Timestamps."
        ) from None


def require_population(
    df: pd.DataFrame, column: str, *, arg: str = "df", label_col: str | None = None
) -> None:
    """Raise ValueError unless ``df[column]`` is a usable rate denominator.

    Every value must be present, numeric, not negative and not 0; the message names
    the first bad row (and its ``label_col`` value, e.g. the area's name).
    """
    require_no_missing(
        df, column, arg=arg, fix="add the population for every row, or drop the row."
    )
    require_non_negative(df, column, arg=arg)
    label = first_bad_row(df, df[column] == 0)
    if label is not None:
        name = f" ({df.loc[label, label_col]!r})" if label_col else ""
        raise ValueError(
            f"{arg}[{column!r}] is 0 at row {label!r}{name}, so its rate is undefined. "
            f"Fix: check the population lookup for that row."
        )


def require_choice(value: object, choices: Sequence[object], *, arg: str) -> None:
    """Raise ValueError unless ``value`` is one of ``choices``, listing them.

    Examples
    --------
    >>> require_choice("fdr", ["fdr", "bonferroni", "none"], arg="correction")
    """
    if value not in choices:
        raise ValueError(
            f"{arg}={value!r} is not a valid choice. Valid choices: "
            f"{', '.join(repr(c) for c in choices)}."
        )


def require_probability(value: object, *, arg: str) -> None:
    """Raise ValueError unless ``0 < value < 1`` (e.g. ``alpha``)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.floating)
        or not 0 < float(value) < 1
    ):
        raise ValueError(
            f"{arg} must be a number strictly between 0 and 1 (e.g. 0.05), got {value!r}."
        )


def require_positive(value: object, *, arg: str) -> None:
    """Raise ValueError unless ``value`` is a finite number > 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.integer | np.floating)
        or not np.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{arg} must be a positive number, got {value!r}.")


def require_int(value: object, *, arg: str, minimum: int | None = None) -> None:
    """Raise ValueError unless ``value`` is an integer (and ``>= minimum`` if given)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{arg} must be a whole number, got {value!r}.")
    if minimum is not None and value < minimum:
        raise ValueError(f"{arg} must be at least {minimum}, got {value!r}.")


def require_same_crs(a, b, *, arg_a: str, arg_b: str) -> None:
    """Raise ValueError naming both CRSs if two GeoDataFrames differ in CRS."""
    if a.crs != b.crs:
        raise ValueError(
            f"{arg_a} and {arg_b} are in different coordinate reference systems: "
            f"{arg_a} is {a.crs.to_string() if a.crs else None}, "
            f"{arg_b} is {b.crs.to_string() if b.crs else None}. "
            f"Reproject one with .to_crs(...), e.g. both to EPSG:27700."
        )


def require_projected(gdf, *, arg: str) -> None:
    """Raise ValueError unless ``gdf`` has a projected (metric) CRS."""
    require_geodataframe(gdf, arg)
    if not gdf.crs.is_projected:
        raise ValueError(
            f"{arg} is in a geographic CRS ({gdf.crs.to_string()}), but distances and areas "
            f"need metres. Reproject with {arg}.to_crs('EPSG:27700') (British National Grid)."
        )


def warn(message: str) -> None:
    """Issue a :class:`UserWarning` for a likely mistake (shown in notebooks and logs)."""
    warnings.warn(message, UserWarning, stacklevel=3)


def check_parquet_bounds(
    path,
    *,
    max_rows: int = PARQUET_MAX_ROWS,
    max_bytes: int = PARQUET_MAX_BYTES,
    what: str = "Parquet file",
) -> int:
    """Refuse a Parquet file too large to load, from its footer alone; return its rows.

    Reads only the footer (``pyarrow.parquet.ParquetFile(path).metadata``): the row
    count and the uncompressed size of every row group. A 200 KB file can declare
    100 million rows, which as a DataFrame exhausts memory; it is refused here in
    milliseconds, before a single row is read.

    Raises
    ------
    ValueError
        Naming the file, its rows or size, the bound and the fix; also when the
        footer cannot be read.

    Examples
    --------
    >>> import tempfile, os, pyarrow as pa, pyarrow.parquet as pq
    >>> p = os.path.join(tempfile.mkdtemp(), "x.parquet")
    >>> pq.write_table(pa.table({"a": pa.nulls(1_000)}), p)
    >>> check_parquet_bounds(p)
    1000
    >>> check_parquet_bounds(p, max_rows=999)
    Traceback (most recent call last):
    ...
    ValueError: ...x.parquet: the Parquet file holds 1,000 rows, more than the 999 allowed ...
    """
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as e:  # noqa: BLE001 - pyarrow raises several types for a bad footer
        raise ValueError(
            f"{path}: the {what}'s footer cannot be read ({type(e).__name__}: "
            f"{short_repr(str(e), 120)}). Fix: write the file again."
        ) from e
    rows = int(meta.num_rows)
    size = sum(int(meta.row_group(i).total_byte_size) for i in range(meta.num_row_groups))
    if rows > max_rows:
        raise ValueError(
            f"{path}: the {what} holds {rows:,} rows, more than the {max_rows:,} allowed "
            f"(sa_lib.validation.PARQUET_MAX_ROWS). Nothing was loaded. Fix: split it (e.g. by year) or check that it is "
            f"the file you meant."
        )
    if size > max_bytes:
        raise ValueError(
            f"{path}: the {what}'s data takes {size / 2**20:,.0f} MB uncompressed, more than the "
            f"{max_bytes / 2**20:,.0f} MB allowed (sa_lib.validation.PARQUET_MAX_BYTES). Nothing was loaded. Fix: split it "
            f"(e.g. by year) or drop columns the workbench does not read."
        )
    return rows
