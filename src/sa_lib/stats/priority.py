"""Transparent priority scoring of candidate issues (MoRiLE-style, or a 4 x 4 grid), with sensitivity.

Each candidate issue (a crime type, a theme's headline measure, a flagged place)
arrives as one row of *measures*; :func:`dimension_scores` turns the measures
into scores of 1 (low) to 4 (high) on volume, direction, harm, vulnerability
and concentration, plus a confidence multiplier, by the rules in a scoring YAML
(``config/priority_scoring.yaml`` documents every default); :func:`priority_scores`
combines them. Every score can be recomputed by hand from the measures table.

Measures columns (NaN where a measure is not available):

``issue``, ``count``, ``share`` (of all crime and ASB, 0-1), ``above_wider`` (bool),
``change`` (``"significant increase"``, ``"increase"``, ``"no change"``,
``"decrease"``, ``"significant decrease"``), ``rising_trend`` (bool),
``spc_signal`` (bool), ``harm_band`` (1-4), ``deprived_ratio``, ``repeat_share``,
``young_share`` (share of victims under 18), ``top10_share``, ``ward_ratio``, ``children`` (bool: the issue concerns children, scored
``vulnerability.children``), ``partner_flags`` (a ward: how many partner indicators put
it significantly above the district; any scores at least ``vulnerability.partner_flag``),
``partner_synthetic`` (bool: those flags are from synthetic data; the issue counts as
synthetic when they raise its vulnerability), ``synthetic`` (bool).

Examples
--------
>>> import pandas as pd
>>> rules = load_scoring()
>>> m = pd.DataFrame({"issue": ["A"], "count": [500], "share": [0.2], "above_wider": [True],
...                   "change": ["significant increase"], "harm_band": [4], "deprived_ratio": [1.6],
...                   "top10_share": [0.6], "synthetic": [False]})
>>> s = priority_scores(dimension_scores(m, rules), rules)
>>> s[["volume", "direction", "harm", "vulnerability", "concentration", "confidence", "score"]].iloc[0].tolist()
[4.0, 4.0, 4.0, 4.0, 4.0, 1.0, 4.0]
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sa_lib import config
from sa_lib.validation import libyaml_twin, read_bounded_yaml, require_choice, require_columns

__all__ = [
    "DIMENSIONS",
    "DEFAULT_SCORING",
    "load_scoring",
    "band",
    "dimension_scores",
    "priority_scores",
    "sensitivity",
    "rank_stability",
]

DIMENSIONS = ["volume", "direction", "harm", "vulnerability", "concentration"]
DEFAULT_SCORING = config.ROOT / "config" / "priority_scoring.yaml"
CHANGES = ["significant increase", "increase", "no change", "decrease", "significant decrease"]


def _merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def load_scoring(path: str | os.PathLike[str] | None = None) -> dict:
    """The scoring rules: the shipped defaults, overridden by ``path`` when given.

    ``path`` is used as given (absolute, or relative to the working directory): the
    parameters' ``summary.scoring`` comes resolved, as ``params.paths.scoring``.

    Raises
    ------
    ValueError
        Naming the file and key when a key is unknown, the method is not ``morile``
        or ``grid``, a weight is negative, or a list of band edges is not increasing.
    """
    rules = yaml.load(
        DEFAULT_SCORING.read_text(encoding="utf-8"), Loader=libyaml_twin(yaml.SafeLoader)
    )
    if path is not None:
        p = Path(path)
        # Bounded, no aliases: a 500-byte alias bomb must not take the summary's memory.
        over = read_bounded_yaml(p, what="scoring file") or {}
        if not isinstance(over, dict):
            raise ValueError(
                f"{p}: the scoring file must be a mapping of keys (see {DEFAULT_SCORING})."
            )
        unknown = [k for k in over if k not in rules]
        if unknown:
            raise ValueError(
                f"{p}: unknown key {unknown[0]!r}. Valid keys: {', '.join(rules)} (see {DEFAULT_SCORING})."
            )
        rules = _merge(rules, over)
    where = path or DEFAULT_SCORING
    require_choice(rules["method"], ["morile", "grid"], arg=f"{where}: method")
    if not isinstance(rules.get("n_sims"), int) or rules["n_sims"] < 1:
        raise ValueError(
            f"{where}: n_sims must be a whole number >= 1, got {rules.get('n_sims')!r}."
        )
    for d in DIMENSIONS:
        w = rules["weights"].get(d)
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w <= 0:
            raise ValueError(
                f"{where}: weights.{d} must be a finite number above 0, got {w!r}. Fix: give "
                f"a positive weight such as 1.0 (see {DEFAULT_SCORING})."
            )
    for sec, key in (
        ("volume", "share_bands"),
        ("harm", "weight_bands"),
        ("vulnerability", "deprived_ratio_bands"),
        ("vulnerability", "repeat_share_bands"),
        ("vulnerability", "young_share_bands"),
        ("concentration", "top10_share_bands"),
        ("concentration", "ward_ratio_bands"),
    ):
        edges = rules[sec][key]
        if len(edges) != 3 or list(edges) != sorted(edges):
            raise ValueError(
                f"{where}: {sec}.{key} must be three increasing edges (scores 1-4), got {edges!r}."
            )
    return rules


def band(values, edges) -> np.ndarray:
    """Score values 1-4 by three increasing edges (a value equal to an edge takes the higher score).

    NaN stays NaN.

    Examples
    --------
    >>> band([0.01, 0.02, 0.1, 0.5, float("nan")], [0.02, 0.05, 0.15]).tolist()
    [1.0, 2.0, 3.0, 4.0, nan]
    """
    v = np.asarray(values, dtype=float)
    out = np.digitize(v, edges, right=False).astype(float) + 1
    return np.where(np.isnan(v), np.nan, out)


def _col(m: pd.DataFrame, c: str, fill=np.nan) -> pd.Series:
    return m[c] if c in m else pd.Series(fill, index=m.index)


def _flag(m: pd.DataFrame, c: str) -> np.ndarray:
    v = _col(m, c, False).astype("object")
    return v.where(v.notna(), False).astype(bool).to_numpy()


def dimension_scores(measures: pd.DataFrame, rules: dict) -> pd.DataFrame:
    """Score each candidate 1-4 on each dimension, and its confidence, from its measures.

    Returns
    -------
    DataFrame
        A copy of ``measures`` with ``volume``, ``direction``, ``harm``,
        ``vulnerability``, ``concentration`` (integers 1-4), ``confidence`` (0-1) and
        ``not_scored`` (the dimensions given the neutral ``missing_score`` because
        there was no measure or, for vulnerability and concentration, fewer than
        ``min_count`` crimes: "" when every dimension was scored; volume with no share,
        direction with no tested change, trend or signal).
    """
    require_columns(measures, ["issue", "count"], arg="measures")
    m = measures.copy()
    miss = float(rules["missing_score"])
    r = rules["volume"]
    vol = band(_col(m, "share"), r["share_bands"])
    vol = np.where(_flag(m, "above_wider"), vol + r["above_wider_area"], vol)
    # No share (a theme measure, a partner count): neutral, and marked "not scored".
    no_volume = np.isnan(vol)
    m["volume"] = np.nan_to_num(np.minimum(vol, 4), nan=miss)

    r = rules["direction"]
    ch = _col(m, "change").astype("object")
    bad = ch.notna() & ~ch.isin(CHANGES)
    if bad.any():
        raise ValueError(
            f"measures['change'] has {ch[bad].iloc[0]!r} at row {ch[bad].index[0]!r}. "
            f"Valid values: {', '.join(CHANGES)} (or missing)."
        )
    d = ch.map({c: float(r[c]) for c in CHANGES}).astype(float).to_numpy()
    # No tested change and no signal: neutral, and marked "not scored".
    no_direction = np.isnan(d) & ~_flag(m, "rising_trend") & ~_flag(m, "spc_signal")
    d = np.where(np.isnan(d), miss, d)
    d = d + r["rising_trend"] * _flag(m, "rising_trend") + r["spc_signal"] * _flag(m, "spc_signal")
    m["direction"] = np.clip(d, 1, 4)

    hb = np.clip(_col(m, "harm_band").astype(float).to_numpy(), 1, 4)
    m["harm"] = np.nan_to_num(hb, nan=miss)

    n_count = _col(m, "count").astype(float).to_numpy()
    r = rules["vulnerability"]
    v = np.fmax(
        np.fmax(
            band(_col(m, "deprived_ratio"), r["deprived_ratio_bands"]),
            band(_col(m, "repeat_share"), r["repeat_share_bands"]),
        ),
        band(_col(m, "young_share"), r["young_share_bands"]),
    )
    v = np.where(_flag(m, "children"), float(r["children"]), v)
    # Too few crimes for a share to mean anything: neutral, and marked "not scored".
    small = ~np.isnan(n_count) & (n_count < float(r.get("min_count", 0)))
    v = np.where(small & ~_flag(m, "children"), np.nan, v)
    # A ward whose rate of a partner indicator is significantly above the district's
    # (the partner page's ward flag, itself under the ward flags' minimum count).
    partner = _col(m, "partner_flags", 0).astype(float).fillna(0).to_numpy() > 0
    floor = float(r.get("partner_flag", 3))
    raised = partner & ~(v >= floor)
    v = np.where(partner, np.fmax(v, floor), v)
    # A score raised by synthetic partner data is drawn from synthetic data (confidence).
    synthetic = _flag(m, "synthetic") | (raised & _flag(m, "partner_synthetic"))
    # No harm weight (e.g. ASB, which has no Crime Harm Index score): neutral, "not scored".
    not_scored = {
        "volume": no_volume,
        "direction": no_direction,
        "harm": np.isnan(hb),
        "vulnerability": np.isnan(v),
    }
    m["vulnerability"] = np.nan_to_num(v, nan=miss)

    r = rules["concentration"]
    c = np.fmax(
        band(_col(m, "top10_share"), r["top10_share_bands"]),
        band(_col(m, "ward_ratio"), r["ward_ratio_bands"]),
    )
    small = ~np.isnan(n_count) & (n_count < float(r.get("min_count", 0)))
    c = np.where(small, np.nan, c)
    not_scored["concentration"] = np.isnan(c)
    m["concentration"] = np.nan_to_num(c, nan=miss)
    m["not_scored"] = ["; ".join(d for d in not_scored if not_scored[d][i]) for i in range(len(m))]
    for dim in DIMENSIONS:
        m[dim] = m[dim].astype(int)

    r = rules["confidence"]
    n = _col(m, "count").astype(float).fillna(0).to_numpy()
    idx = np.digitize(n, r["count_bands"], right=False)
    conf = np.asarray(r["values"], dtype=float)[idx]
    m["synthetic"] = synthetic
    m["confidence"] = np.where(synthetic, conf * r["synthetic"], conf)
    return m


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x, dtype=float) + 0.5)


def priority_scores(
    scored: pd.DataFrame, rules: dict, weights: Mapping[str, float] | None = None
) -> pd.DataFrame:
    """Combine the dimension scores into a priority score and rank (1 = highest).

    Parameters
    ----------
    scored : DataFrame
        From :func:`dimension_scores`.
    rules : dict
        From :func:`load_scoring`.
    weights : mapping, optional
        Override ``rules["weights"]`` (the sensitivity check uses this).

    Returns
    -------
    DataFrame
        A copy with ``score`` (morile: the weighted mean of the dimension scores, 1-4,
        multiplied by confidence only when ``confidence.multiplies`` is set, else only
        by ``confidence.synthetic`` for an issue from synthetic data; grid:
        impact x likelihood, 1-16), ``impact`` and ``likelihood`` (grid only), ``rank``
        (equal scores share the lowest rank: ties are never broken by name) and
        ``tied`` (another issue has the same score); listed by score, then confidence.
    """
    require_columns(scored, [*DIMENSIONS, "confidence", "issue"], arg="scored")
    w = dict(rules["weights"] if weights is None else weights)
    out = scored.copy()
    if rules["method"] == "morile":
        total = sum(w[d] for d in DIMENSIONS)
        mean = sum(w[d] * out[d].to_numpy(float) for d in DIMENSIONS) / total
        out["score"] = np.round(mean * _factor(out, rules), 6)
    else:
        for side in ("impact", "likelihood"):
            dims = rules["grid"][side]
            tw = sum(w[d] for d in dims)
            out[side] = _round_half_up(
                sum(w[d] * out[d].to_numpy(float) for d in dims) / tw
            ).astype(int)
        out["score"] = (out["impact"] * out["likelihood"]).astype(float)
    # Ties are ties: equal scores share a rank (the lowest), whatever the names.
    out = out.sort_values(
        ["score", "confidence", "issue"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)
    out["rank"] = out["score"].rank(method="min", ascending=False).astype(int)
    out["tied"] = out["score"].duplicated(keep=False)
    return out


def _multiplies(rules: dict) -> bool:
    """Whether confidence multiplies the score (off by default: it is shown beside it)."""
    return bool(rules.get("confidence", {}).get("multiplies", False))


def _factor(scored: pd.DataFrame, rules: dict) -> np.ndarray:
    """What multiplies the weighted mean: confidence when ``confidence.multiplies``;
    otherwise only the synthetic-data factor (``confidence.synthetic``), so that made-up
    records never outrank real evidence. Both are shown on the page."""
    if _multiplies(rules):
        return scored["confidence"].to_numpy(float)
    syn = _flag(scored, "synthetic")
    return np.where(syn, float(rules["confidence"]["synthetic"]), 1.0)


def sensitivity(scored: pd.DataFrame, rules: dict, factor: float | None = None) -> pd.DataFrame:
    """Do the top priorities change when each weight moves by +/- ``factor``?

    Returns
    -------
    DataFrame
        One row per weight and direction: ``weight``, ``change`` (e.g. ``"-50%"``),
        ``top_same`` (the same ``top_n`` issues, in any order), ``entered``, ``left``
        (issues, ``"; "``-joined), ``first`` (the new top issue).
    """
    factor = float(rules["sensitivity"] if factor is None else factor)
    n = int(rules["top_n"])
    base = priority_scores(scored, rules)
    top = list(base["issue"].head(n))
    rows = []
    for d in DIMENSIONS:
        for sign in (-1, 1):
            w = dict(rules["weights"])
            w[d] = w[d] * (1 + sign * factor)
            new = priority_scores(scored, rules, weights=w)
            new_top = list(new["issue"].head(n))
            rows.append(
                {
                    "weight": d,
                    "change": f"{sign * factor:+.0%}",
                    "top_same": set(new_top) == set(top),
                    "entered": "; ".join(i for i in new_top if i not in top),
                    "left": "; ".join(i for i in top if i not in new_top),
                    "first": new_top[0] if new_top else "",
                }
            )
    return pd.DataFrame(rows)


def rank_stability(
    scored: pd.DataFrame,
    rules: dict,
    *,
    n_sims: int = 1000,
    perturbation: float | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Monte Carlo rank stability: every weight varied at once, uniformly by up to +/- ``perturbation``.

    As the CSE page does for its ward index: each simulation multiplies each weight
    by a random factor in ``[1 - perturbation, 1 + perturbation]`` and re-ranks.

    Parameters
    ----------
    scored : DataFrame
        From :func:`dimension_scores`.
    rules : dict
    n_sims : int
    perturbation : float, optional
        Default ``rules["sensitivity"]``.
    seed : int
        For the random weights (the parameters' ``statistics.seed``).

    Returns
    -------
    DataFrame
        ``issue``, ``rank`` (with the set weights), ``share_top`` (share of simulations
        in the top ``top_n``), ``median_rank``, ``rank_low``, ``rank_high`` (5th and 95th
        percentiles); sorted by ``rank``.
    """
    f = float(rules["sensitivity"] if perturbation is None else perturbation)
    if not 0 <= f < 1:
        raise ValueError(f"perturbation must be between 0 and 1 (exclusive), got {f!r}.")
    if int(n_sims) < 1:
        raise ValueError(f"n_sims must be at least 1, got {n_sims!r}.")
    base = priority_scores(scored, rules)
    rng = np.random.default_rng(seed)
    w0 = np.array([rules["weights"][d] for d in DIMENSIONS], dtype=float)
    factors = rng.uniform(1 - f, 1 + f, size=(int(n_sims), len(DIMENSIONS)))
    n = int(rules["top_n"])
    W = w0 * factors  # sims x dimensions
    S = base[DIMENSIONS].to_numpy(float)  # issues x dimensions
    conf = _factor(base, rules)
    if rules["method"] == "morile":
        score = np.round((W @ S.T) / W.sum(axis=1, keepdims=True) * conf, 6)
    else:
        score = np.ones((len(W), len(S)))
        for side in ("impact", "likelihood"):
            idx = [DIMENSIONS.index(d) for d in rules["grid"][side]]
            Ws, Ss = W[:, idx], S[:, idx]
            score = score * _round_half_up((Ws @ Ss.T) / Ws.sum(axis=1, keepdims=True))
    # Ties share a rank, as in priority_scores: an issue tied at the cut is in the top.
    from scipy.stats import rankdata

    ranks = rankdata(-score, method="min", axis=1).astype(int)
    out = base[["issue", "rank"]].copy()
    out["share_top"] = (ranks <= n).mean(axis=0)
    out["median_rank"] = np.median(ranks, axis=0)
    out["rank_low"] = np.percentile(ranks, 5, axis=0)
    out["rank_high"] = np.percentile(ranks, 95, axis=0)
    return out.reset_index(drop=True)
