"""Ward composite risk index: standardise indicators, weight, rank, test stability.

A composite index puts several indicators (e.g. CSE referrals, missing episodes,
school exclusions and deprivation, each as a rate) on one scale so that wards can be
ranked and priority wards named. The steps follow the OECD/JRC *Handbook on
Constructing Composite Indicators* (2008): standardise, orient, weight, aggregate,
then check how much the ranking depends on the weights (uncertainty analysis).

Standardisation (``method``)
----------------------------
``"zscore"``
    ``(x - mean) / sd`` over the areas with a value (sample sd, ``ddof=1``). 0 is
    the average area. An indicator with no spread gets 0 everywhere (warning).
``"percentile"``
    Percentile rank ``100 * (r - 1) / (n - 1)`` where ``r`` is the area's rank from
    lowest (ties share the average rank) among the ``n`` areas with a value: 0 for the
    lowest, 100 for the highest, 50 the middle. Robust to outliers but throws away
    distances between areas.

Indicators where a *lower* value means more risk are turned round
(``higher_is_worse``): ``-z``, or ``100 - percentile``.

Missing values (``missing``)
----------------------------
``"mean"``
    A missing standardised value is set to the mean of the others (0 for z-scores,
    about 50 for percentiles): the area is treated as average on that indicator.
``"zero"``
    A missing raw value is treated as 0 before standardising: use it where missing
    means "none recorded" (a count with no events).
``"drop"``
    Areas with any missing indicator are left out: standardised over the complete
    areas only, and ``index`` and ``rank`` are missing for the others.
``"reweight"``
    Each area's index uses only its available indicators, with their weights rescaled
    to sum to 1 for that area.

Weights are validated and normalised to sum to 1; both the weights and the missing
treatment are recorded with :func:`sa_lib.choices.record_choice`.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.risk_index import composite_index
>>> df = pd.DataFrame({"ward_code": ["A", "B", "C"], "x": [1.0, 2.0, 3.0],
...                    "y": [30.0, 20.0, 10.0]})
>>> out = composite_index(df, ["x", "y"], method="zscore", missing="mean")
>>> out[["x_std", "y_std", "index", "rank"]].values.tolist()
[[-1.0, 1.0, 0.0, 1], [0.0, 0.0, 0.0, 1], [1.0, -1.0, 0.0, 1]]
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sa_lib.choices import record_choice
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_dataframe,
    require_int,
    require_not_empty,
    require_numeric,
    warn,
)

__all__ = [
    "METHODS",
    "MISSING",
    "composite_index",
    "priority_wards",
    "rank_stability",
    "compare_previous",
]

METHODS = ("zscore", "percentile")
MISSING = ("mean", "zero", "drop", "reweight")


def _check_indicators(df: pd.DataFrame, indicators: Sequence[str], area_col: str) -> list[str]:
    require_dataframe(df, "df")
    if isinstance(indicators, str) or not isinstance(indicators, Sequence) or not indicators:
        raise ValueError(
            f"indicators must be a non-empty list of column names, got {indicators!r}."
        )
    inds = list(indicators)
    dup = sorted({i for i in inds if inds.count(i) > 1})
    if dup:
        raise ValueError(f"indicators lists {', '.join(map(repr, dup))} more than once.")
    require_columns(
        df, [area_col, *inds], arg="df", fix="check the indicator names and area_col=..."
    )
    require_not_empty(df, arg="df")
    for ind in inds:
        require_numeric(df, ind, arg="df")
    dup_area = df[area_col].duplicated()
    label = first_bad_row(df, dup_area)
    if label is not None:
        raise ValueError(
            f"df[{area_col!r}] must be unique (one row per area); {df[area_col].loc[label]!r} "
            f"appears again at row {label!r}. Fix: aggregate to one row per area first."
        )
    return inds


def _weights(
    indicators: list[str], weights: Mapping[str, float] | Sequence[float] | None
) -> np.ndarray:
    if weights is None:
        w = np.full(len(indicators), 1 / len(indicators))
        record_choice(
            "risk index weights",
            "equal",
            f"no weights given; each of the {len(indicators)} indicators weighs "
            f"1/{len(indicators)}",
        )
        return w
    if isinstance(weights, Mapping):
        unknown = [k for k in weights if k not in indicators]
        if unknown:
            raise ValueError(
                f"weights names indicator(s) not in indicators: "
                f"{', '.join(map(repr, unknown))}. Indicators are: "
                f"{', '.join(map(repr, indicators))}. Fix: correct the names or add them to "
                f"indicators."
            )
        absent = [i for i in indicators if i not in weights]
        if absent:
            raise ValueError(
                f"weights has no weight for {', '.join(map(repr, absent))}. Fix: give every "
                f"indicator a weight (0 leaves one out)."
            )
        vals = [weights[i] for i in indicators]
    else:
        vals = list(weights)
        if len(vals) != len(indicators):
            raise ValueError(
                f"weights has {len(vals)} value(s) but there are {len(indicators)} indicators. "
                f"Fix: give one weight per indicator, or a dict {{indicator: weight}}."
            )
    for name, v in zip(indicators, vals, strict=True):
        if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
            raise ValueError(f"weights[{name!r}] must be a number, got {v!r}.")
        if not np.isfinite(v) or v < 0:
            raise ValueError(
                f"weights[{name!r}] = {v!r}: weights must be finite and not negative. To make "
                f"low values mean high risk, use higher_is_worse={{{name!r}: False}} instead."
            )
    w = np.asarray(vals, dtype=float)
    if w.sum() == 0:
        raise ValueError("weights are all 0; give at least one indicator a positive weight.")
    norm = w / w.sum()
    record_choice(
        "risk index weights",
        ", ".join(f"{i}={x:.3g}" for i, x in zip(indicators, norm, strict=True)),
        "weights given, normalised to sum to 1"
        if not np.isclose(w.sum(), 1)
        else "weights given (sum to 1)",
        source="parameters",
    )
    return norm


def _direction(indicators: list[str], higher_is_worse) -> np.ndarray:
    if higher_is_worse is None:
        record_choice(
            "risk index direction",
            "higher is worse for every indicator",
            "no higher_is_worse given",
        )
        return np.ones(len(indicators), dtype=bool)
    if isinstance(higher_is_worse, bool | np.bool_):
        return np.full(len(indicators), bool(higher_is_worse))
    if not isinstance(higher_is_worse, Mapping):
        raise ValueError(
            f"higher_is_worse must be None, True/False or a dict {{indicator: bool}}, got "
            f"{higher_is_worse!r}."
        )
    unknown = [k for k in higher_is_worse if k not in indicators]
    if unknown:
        raise ValueError(
            f"higher_is_worse names indicator(s) not in indicators: "
            f"{', '.join(map(repr, unknown))}."
        )
    return np.array([bool(higher_is_worse.get(i, True)) for i in indicators])


def _standardise(x: np.ndarray, method: str, name: str) -> np.ndarray:
    """Standardise one column (NaN kept) over its non-missing values."""
    out = np.full(len(x), np.nan)
    ok = ~np.isnan(x)
    v = x[ok]
    if len(v) == 0:
        return out
    if method == "zscore":
        sd = v.std(ddof=1) if len(v) > 1 else 0.0
        if not sd > 0:
            warn(f"Indicator {name!r} has no spread (all values equal); its z-score is 0.")
            out[ok] = 0.0
        else:
            out[ok] = (v - v.mean()) / sd
    else:
        if len(v) == 1:
            out[ok] = 50.0
        else:
            out[ok] = 100 * (stats.rankdata(v, method="average") - 1) / (len(v) - 1)
    return out


def _std_matrix(df, inds, method, missing, hiw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (standardised matrix with NaN where not used, raw-missing mask, rows used)."""
    raw = df[inds].to_numpy(dtype=float)
    miss = np.isnan(raw)
    used = np.ones(len(df), dtype=bool)
    if missing == "zero":
        raw = np.where(miss, 0.0, raw)
    elif missing == "drop":
        used = ~miss.any(axis=1)
        raw = np.where(used[:, None], raw, np.nan)
    z = np.column_stack([_standardise(raw[:, j], method, ind) for j, ind in enumerate(inds)])
    centre = 0.0 if method == "zscore" else 100.0
    z = np.where(hiw[None, :], z, (-z if method == "zscore" else centre - z))
    if missing == "mean":
        col_mean = np.array(
            [np.nanmean(z[:, j]) if (~np.isnan(z[:, j])).any() else 0.0 for j in range(len(inds))]
        )
        z = np.where(np.isnan(z), col_mean[None, :], z)
    return z, miss, used


def _aggregate(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean of the available standardised values (reweighting where missing).

    ``w`` is (k,) or (n_sims, k); returns (n,) or (n_sims, n).
    """
    avail = ~np.isnan(z)
    zf = np.where(avail, z, 0.0)
    num = zf @ w.T
    den = avail.astype(float) @ w.T
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = np.where(den > 0, num / den, np.nan)
    return idx.T


def _ranks(index: np.ndarray) -> np.ndarray:
    """Rank 1 = highest; ties share the best rank; NaN stays NaN. Works along the last axis."""
    filled = np.where(np.isnan(index), -np.inf, index)
    r = stats.rankdata(-filled, method="min", axis=-1).astype(float)
    return np.where(np.isnan(index), np.nan, r)


def composite_index(
    df: pd.DataFrame,
    indicators: Sequence[str],
    area_col: str = "ward_code",
    method: str = "zscore",
    weights: Mapping[str, float] | Sequence[float] | None = None,
    missing: str = "mean",
    higher_is_worse: bool | Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """Combine indicators into a weighted composite index and rank the areas.

    Parameters
    ----------
    df : DataFrame
        One row per area with numeric indicator columns (rates, not raw counts, unless
        the areas have similar populations). Not changed.
    indicators : list of str
        Indicator columns.
    area_col : str, default "ward_code"
        Area id column (unique).
    method : {"zscore", "percentile"}, default "zscore"
        Standardisation (module docstring).
    weights : dict, list or None
        Non-negative weight per indicator; normalised to sum to 1. None = equal weights
        (recorded as a choice).
    missing : {"mean", "zero", "drop", "reweight"}, default "mean"
        Treatment of missing indicator values (module docstring); recorded.
    higher_is_worse : bool, dict or None
        Orientation per indicator (``{"attainment": False}``); indicators not named are
        "higher is worse". None = all higher is worse (recorded).

    Returns
    -------
    DataFrame
        A copy of ``df`` with added columns ``<indicator>_std`` (standardised and
        oriented so that higher = more risk; missing where not used), ``index`` (the
        weighted mean of the standardised values), ``rank`` (Int64, 1 = highest risk,
        ties share the best rank) and ``n_missing`` (raw indicators missing). The
        settings are in ``out.attrs["risk_index"]``.

    Raises
    ------
    ValueError
        If a column is missing or non-numeric, areas repeat, a weight is negative or
        names an unknown indicator, or ``method`` / ``missing`` is not valid.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ward_code": ["A", "B", "C"], "x": [10.0, 20.0, 30.0],
    ...                    "y": [1.0, None, 3.0]})
    >>> out = composite_index(df, ["x", "y"], method="percentile", missing="reweight",
    ...                       weights={"x": 1, "y": 3})
    >>> out[["x_std", "y_std", "index", "rank", "n_missing"]].values.tolist()
    [[0.0, 0.0, 0.0, 3, 0], [50.0, nan, 50.0, 2, 1], [100.0, 100.0, 100.0, 1, 0]]
    """
    inds = _check_indicators(df, indicators, area_col)
    require_choice(method, METHODS, arg="method")
    require_choice(missing, MISSING, arg="missing")
    w = _weights(inds, weights)
    hiw = _direction(inds, higher_is_worse)
    z, miss, used = _std_matrix(df, inds, method, missing, hiw)
    index = _aggregate(z, w)
    index = np.where(used, index, np.nan)
    n_incomplete = int(miss.any(axis=1).sum())
    record_choice(
        "risk index missing values",
        missing,
        f"{n_incomplete} of {len(df)} area(s) have a missing indicator; treatment '{missing}'",
        source="parameters",
    )
    if missing == "drop" and n_incomplete:
        warn(
            f"{n_incomplete} area(s) have a missing indicator and are left out of the index "
            f"(missing='drop'), e.g. {df[area_col].iloc[int(np.argmax(~used))]!r}."
        )
    out = df.copy()
    for j, ind in enumerate(inds):
        out[f"{ind}_std"] = z[:, j]
    out["index"] = index
    out["rank"] = pd.array([pd.NA if np.isnan(r) else int(r) for r in _ranks(index)], dtype="Int64")
    out["n_missing"] = miss.sum(axis=1).astype(int)
    out.attrs["risk_index"] = {
        "indicators": inds,
        "method": method,
        "missing": missing,
        "weights": dict(zip(inds, w.tolist(), strict=True)),
        "higher_is_worse": dict(zip(inds, hiw.tolist(), strict=True)),
        "area_col": area_col,
    }
    return out


def priority_wards(
    index_df: pd.DataFrame,
    top_n: int,
    area_col: str = "ward_code",
    name_col: str | None = "ward_name",
) -> pd.DataFrame:
    """The ``top_n`` highest-risk areas from :func:`composite_index`.

    Areas tied with the ``top_n``-th are all included (with a warning), so the list can
    be longer than ``top_n``.

    Parameters
    ----------
    index_df : DataFrame
        Output of :func:`composite_index` (needs ``index`` and ``rank``). Not changed.
    top_n : int
        How many priority areas.
    area_col : str, default "ward_code"
    name_col : str or None, default "ward_name"
        Name column to carry through, if present.

    Returns
    -------
    DataFrame
        Columns ``area_col``, ``name_col`` (if present), ``index`` and ``rank``, sorted
        by rank, with a fresh index.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DataFrame({"ward_code": ["A", "B", "C"], "index": [0.1, 0.9, 0.5],
    ...                     "rank": [3, 1, 2]})
    >>> priority_wards(idx, 2)["ward_code"].tolist()
    ['B', 'C']
    """
    require_columns(
        index_df,
        [area_col, "index", "rank"],
        arg="index_df",
        fix="pass the output of composite_index(...)",
    )
    require_int(top_n, arg="top_n", minimum=1)
    cols = [area_col] + ([name_col] if name_col and name_col in index_df.columns else [])
    ranked = index_df[index_df["rank"].notna()]
    if top_n > len(ranked):
        warn(f"top_n={top_n} but only {len(ranked)} area(s) have an index; all are listed.")
    out = ranked[ranked["rank"] <= top_n].sort_values(["rank", area_col], kind="mergesort")
    if len(out) > top_n:
        warn(
            f"{len(out)} areas are listed for top_n={top_n} because areas tie at rank "
            f"{int(out['rank'].max())}."
        )
    return out[[*cols, "index", "rank"]].reset_index(drop=True)


def rank_stability(
    df: pd.DataFrame,
    indicators: Sequence[str],
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    top_n: int,
    seed: int,
    n_sims: int = 1000,
    perturbation: float = 0.25,
    area_col: str = "ward_code",
    method: str = "zscore",
    missing: str = "mean",
    higher_is_worse: bool | Mapping[str, bool] | None = None,
) -> pd.DataFrame:
    """How stable is each area's rank when the weights change? (Monte Carlo.)

    In each of ``n_sims`` simulations every weight is multiplied by an independent
    **uniform** factor in ``[1 - perturbation, 1 + perturbation]`` (±25% by default),
    the weights are renormalised to sum to 1, and the areas are re-ranked. The
    standardised values are fixed (only the weights vary). This is the weights part of
    the uncertainty analysis in the OECD/JRC handbook.

    Parameters
    ----------
    df, indicators, weights, area_col, method, missing, higher_is_worse
        As in :func:`composite_index`.
    top_n : int
        Size of the priority list.
    seed : int
        Random seed; the same seed gives the same result.
    n_sims : int, default 1000
        Number of simulations.
    perturbation : float, default 0.25
        Relative half-width of the uniform weight factor, ``0 <= perturbation < 1``.

    Returns
    -------
    DataFrame
        One row per area with an index, sorted by ``rank``: ``area_col``, ``ward_name``
        if present, ``rank`` (with the given weights), ``p_top_n`` (share of
        simulations in the top ``top_n``), ``median_rank``, ``rank_5th`` and
        ``rank_95th`` (percentiles of the simulated rank, linear interpolation).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ward_code": list("ABCD"), "x": [9.0, 1, 2, 3],
    ...                    "y": [9.0, 3, 2, 1]})
    >>> s = rank_stability(df, ["x", "y"], top_n=1, seed=1, n_sims=200)
    >>> s[["ward_code", "p_top_n"]].values.tolist()[0]
    ['A', 1.0]
    """
    inds = _check_indicators(df, indicators, area_col)
    require_choice(method, METHODS, arg="method")
    require_choice(missing, MISSING, arg="missing")
    require_int(top_n, arg="top_n", minimum=1)
    require_int(n_sims, arg="n_sims", minimum=1)
    require_int(seed, arg="seed", minimum=0)
    if (
        isinstance(perturbation, bool)
        or not isinstance(perturbation, int | float | np.floating)
        or not 0 <= perturbation < 1
    ):
        raise ValueError(
            f"perturbation must be a number in [0, 1) (0.25 = weights vary by ±25%), "
            f"got {perturbation!r}."
        )
    base = composite_index(df, inds, area_col, method, weights, missing, higher_is_worse)
    w = np.array([base.attrs["risk_index"]["weights"][i] for i in inds])
    z = base[[f"{i}_std" for i in inds]].to_numpy(dtype=float)
    used = base["index"].notna().to_numpy()
    z, names = z[used], base.loc[used]
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - perturbation, 1 + perturbation, size=(n_sims, len(inds)))
    ws = w[None, :] * factors
    ws = ws / ws.sum(axis=1, keepdims=True)
    sim_ranks = _ranks(_aggregate(z, ws))  # (n_sims, n_areas)
    record_choice(
        "rank stability simulation",
        f"{n_sims} simulations, weights x Uniform(1 ± {perturbation}), seed {seed}",
        "weights perturbed independently and renormalised; standardised values fixed",
        source="parameters",
    )
    cols = [area_col] + (["ward_name"] if "ward_name" in names.columns else [])
    out = names[cols].copy()
    out["rank"] = names["rank"].to_numpy()
    out["p_top_n"] = (sim_ranks <= top_n).mean(axis=0)
    out["median_rank"] = np.median(sim_ranks, axis=0)
    out["rank_5th"] = np.quantile(sim_ranks, 0.05, axis=0)
    out["rank_95th"] = np.quantile(sim_ranks, 0.95, axis=0)
    return out.sort_values(["rank", area_col], kind="mergesort").reset_index(drop=True)


def _read_previous(previous) -> pd.DataFrame:
    if isinstance(previous, str | os.PathLike):
        try:
            prev = pd.read_csv(previous, dtype=str)
        except FileNotFoundError as e:
            raise ValueError(
                f"previous: no such file {str(previous)!r}. Fix: give the path of the previous "
                f"assessment's priority wards CSV (a ward_code or ward_name column)."
            ) from e
        return prev
    require_dataframe(previous, "previous")
    return previous


def compare_previous(
    current_priority: pd.DataFrame | Sequence[str],
    previous: str | os.PathLike[str] | pd.DataFrame,
    wards: pd.DataFrame | None = None,
    area_col: str = "ward_code",
    name_col: str = "ward_name",
) -> pd.DataFrame:
    """Label priority wards as ``new``, ``continuing`` or ``dropped`` since last time.

    Parameters
    ----------
    current_priority : DataFrame or list of str
        This assessment's priority wards (e.g. :func:`priority_wards`), with
        ``area_col`` (or ``name_col``); or a list of ward codes.
    previous : path or DataFrame
        The previous assessment's priority wards: a CSV or DataFrame with a
        ``ward_code`` column or, failing that, ``ward_name``.
    wards : DataFrame or None
        All the CSP's wards (``area_col`` and ``name_col``, e.g. ``geo.wards`` or the
        full index). Used to turn names into codes and to check that every previous
        ward exists (recommended). Without it, wards are matched on ``area_col`` (or on
        ``name_col`` if the previous list has only names) and cannot be checked.
    area_col, name_col : str
        Code and name columns.

    Returns
    -------
    DataFrame
        One row per ward in either list: ``area_col``, ``name_col`` (where known),
        ``status`` ("continuing", "new" or "dropped"), ``current_rank`` and
        ``previous_rank`` (if the inputs have a ``rank`` column), sorted continuing,
        new, dropped.

    Raises
    ------
    ValueError
        If neither list has a usable column, or (with ``wards``) a previous ward is not
        one of the CSP's wards (all such wards are listed).

    Examples
    --------
    >>> import pandas as pd
    >>> prev = pd.DataFrame({"ward_code": ["A", "C"]})
    >>> compare_previous(["A", "B"], prev)[["ward_code", "status"]].values.tolist()
    [['A', 'continuing'], ['B', 'new'], ['C', 'dropped']]
    """
    if isinstance(current_priority, pd.DataFrame):
        cur = current_priority.copy()
    elif isinstance(current_priority, str) or not isinstance(current_priority, Sequence):
        raise ValueError(
            "current_priority must be a DataFrame (e.g. priority_wards(...)) or a list of "
            f"ward codes, got {type(current_priority).__name__}."
        )
    else:
        cur = pd.DataFrame({area_col: list(current_priority)})
    prev = _read_previous(previous).copy()
    if wards is not None:
        require_columns(
            wards, [area_col, name_col], arg="wards", fix="pass geo.wards or the full index"
        )
        lookup = wards[[area_col, name_col]].drop_duplicates()
        codes = set(lookup[area_col].astype(str))
        by_name = {str(n).strip().casefold(): c for c, n in lookup.itertuples(index=False)}

        def to_codes(frame: pd.DataFrame, arg: str) -> pd.DataFrame:
            if area_col in frame.columns:
                keys = frame[area_col].astype(str).str.strip()
                bad = sorted(set(keys) - codes)
            elif name_col in frame.columns:
                names = frame[name_col].astype(str).str.strip()
                bad = sorted({n for n in names if n.casefold() not in by_name})
                keys = names.str.casefold().map(by_name)
            else:
                raise ValueError(
                    f"{arg} needs a {area_col!r} or {name_col!r} column; it has "
                    f"{', '.join(map(repr, frame.columns))}."
                )
            if bad:
                raise ValueError(
                    f"{arg} lists {len(bad)} ward(s) that are not wards of this CSP: "
                    f"{', '.join(map(repr, bad))}. Fix: correct the spelling or code, or map "
                    f"old ward names to current wards (boundaries change) before comparing."
                )
            frame = frame.copy()
            frame["_key"] = keys.to_numpy()
            return frame

        cur = to_codes(cur, "current_priority")
        prev = to_codes(prev, "previous")
        key_col = area_col
    else:
        key_col = area_col if area_col in prev.columns else name_col
        for frame, arg in ((cur, "current_priority"), (prev, "previous")):
            if key_col not in frame.columns:
                raise ValueError(
                    f"{arg} needs a {key_col!r} column to match on (it has "
                    f"{', '.join(map(repr, frame.columns))}). Fix: pass wards=... so that "
                    f"codes and names can be matched."
                )
            frame["_key"] = frame[key_col].astype(str).str.strip()
        lookup = None
    dup = prev["_key"].duplicated()
    if dup.any():
        warn(f"previous lists {prev.loc[dup, '_key'].iloc[0]!r} more than once; counted once.")
    cur_keys = list(dict.fromkeys(cur["_key"]))
    prev_keys = list(dict.fromkeys(prev["_key"]))
    rows = [(k, "continuing") for k in cur_keys if k in prev_keys]
    rows += [(k, "new") for k in cur_keys if k not in prev_keys]
    rows += [(k, "dropped") for k in prev_keys if k not in cur_keys]
    out = pd.DataFrame(rows, columns=[key_col, "status"])
    if lookup is not None:
        out = out.merge(lookup, on=area_col, how="left")[[area_col, name_col, "status"]]
    else:
        parts = [f[["_key", name_col]] for f in (cur, prev) if name_col in f.columns]
        if key_col == area_col and parts:
            m = pd.concat(parts).drop_duplicates("_key").set_index("_key")[name_col]
            out[name_col] = out[area_col].map(m)
            out = out[[area_col, name_col, "status"]]
    for frame, col in ((cur, "current_rank"), (prev, "previous_rank")):
        if "rank" in frame.columns:
            m = frame.drop_duplicates("_key").set_index("_key")["rank"]
            out[col] = pd.to_numeric(out[key_col].map(m), errors="coerce").astype("Int64")
    return out
