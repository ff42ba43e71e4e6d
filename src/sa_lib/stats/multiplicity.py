"""Adjusting p-values for the number of tests made together (multiple comparisons).

:func:`adjust_p_values` applies one of the corrections the parameters name:
``"holm"`` (Holm's step-down, which controls the family-wise error rate and is
never less powerful than Bonferroni), ``"bonferroni"``, ``"fdr_bh"``
(Benjamini-Hochberg false discovery rate) or ``"none"``.

Holm is computed here, as statsmodels' ``multipletests(method="holm")`` computes it
(the same order of tied p-values, the same values): statsmodels runs a full garbage
collection after each Holm adjustment, which in a worker holding a pack costs more
than the test itself. The other corrections are statsmodels' own. Checked against R's
``p.adjust`` (``tests/fixtures/reference/p_adjust.R``).

Examples
--------
>>> adjust_p_values([0.01, 0.04, 0.03], "holm").round(2).tolist()
[0.03, 0.06, 0.06]
>>> adjust_p_values([0.01, 0.04, 0.03], "none").tolist()
[0.01, 0.04, 0.03]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sa_lib.validation import require_choice, require_probability

__all__ = ["adjust_p_values", "METHODS"]

#: The corrections :func:`adjust_p_values` applies.
METHODS = ("none", "holm", "bonferroni", "fdr_bh")


def adjust_p_values(
    p: Sequence[float] | np.ndarray, method: str, alpha: float = 0.05
) -> np.ndarray:
    """The p-values ``p`` adjusted by ``method`` for being tested together.

    Parameters
    ----------
    p : array-like of float
        One p-value per test, each in [0, 1], none missing (leave untested rows out).
    method : {"none", "holm", "bonferroni", "fdr_bh"}
        The correction.
    alpha : float, default 0.05
        Passed to statsmodels (it changes which tests are rejected, not the values).

    Returns
    -------
    ndarray
        The adjusted p-values, in the order given, each at most 1.

    Examples
    --------
    >>> adjust_p_values([0.02, 0.01], "bonferroni").tolist()
    [0.04, 0.02]
    """
    require_choice(method, list(METHODS), arg="method")
    require_probability(alpha, arg="alpha")
    values = np.asarray(p, dtype=float)
    if values.ndim != 1 or np.isnan(values).any() or (values < 0).any() or (values > 1).any():
        raise ValueError(
            "p must be a flat list of p-values between 0 and 1, none missing. "
            "Fix: adjust only the rows that were tested."
        )
    if method == "none" or values.size == 0:
        return values.copy()
    if method == "holm":
        return _holm(values)
    from statsmodels.stats.multitest import multipletests

    return multipletests(values, alpha=alpha, method=method)[1]


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, ordered as statsmodels orders it (``np.argsort``)."""
    order = np.argsort(p)
    n = p.size
    stepped = np.maximum.accumulate(p[order] * np.arange(n, 0, -1))
    out = np.empty(n)
    out[order] = np.minimum(stepped, 1.0)
    return out
