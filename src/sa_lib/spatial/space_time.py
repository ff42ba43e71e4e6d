"""Space-time Getis-Ord Gi* (ArcGIS Emerging Hot Spot Analysis's neighbourhood).

A bin (one cell in one period) has as neighbours its spatial neighbours and itself in
the same period and in each of the ``time_step`` periods before; the mean and spread
are those of the whole space-time cube. :mod:`sa_lib.spatial.emerging` uses it for
each bin's Gi* before classifying each cell's series.

Examples
--------
>>> import numpy as np
>>> from sa_lib.spatial.space_time import space_time_gi
>>> z, p = space_time_gi(np.array([[5, 6], [0, 0]]), np.ones((2, 2)), time_step=0)
>>> z.shape
(2, 2)
"""

from __future__ import annotations

import libpysal
import numpy as np
from scipy import sparse

from sa_lib.validation import require_int

__all__ = ["space_time_gi"]


def _binary_with_self(w: libpysal.weights.W, n: int) -> sparse.csr_matrix:
    """Binary weights with the self-weight (Gi*), rows and columns in row order 0..n-1."""
    if w.n != n:
        raise ValueError(
            f"weights has {w.n} observations but the grid has {n} cells.\n"
            f"Fix: build the weights from this grid (spatial_weights(grid))."
        )
    pos = {key: k for k, key in enumerate(w.id_order)}
    rows, cols = [], []
    for key, nbrs in w.neighbors.items():
        for j in nbrs:
            rows.append(pos[key])
            cols.append(pos[j])
    m = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    m = (m + sparse.identity(n, format="csr")).tocsr()  # weights may already hold the self-weight
    m.data[:] = 1.0
    return m


def _window_sum(lag: np.ndarray, time_step: int) -> np.ndarray:
    """Sum of ``lag[:, s]`` for ``s`` in ``t - time_step .. t`` (from 0), for every ``t``."""
    c = np.cumsum(lag, axis=1)
    out = c.copy()
    out[:, time_step + 1 :] = c[:, time_step + 1 :] - c[:, : -(time_step + 1)]
    return out


def space_time_gi(
    counts: np.ndarray, adjacency, time_step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Space-time Getis-Ord Gi* z-scores and two-sided p-values (ArcGIS EHSA definition).

    Parameters
    ----------
    counts : ndarray, shape (cells, periods)
        Counts per cell (rows) and period (columns, in time order).
    adjacency : array or sparse matrix, shape (cells, cells)
        Binary spatial weights *including* the self-weight (1 on the diagonal).
    time_step : int, default 1
        Periods back included in each bin's neighbourhood.

    Returns
    -------
    z, p : ndarray, shape (cells, periods)
        ``z = (L - xbar W) / (S sqrt((N W - W**2) / (N - 1)))`` with ``L`` and ``W``
        the count and number of bins in the neighbourhood, ``N``, ``xbar``, ``S`` over
        the whole cube; ``p = 2 (1 - Phi(|z|))``. All z are 0 (p 1) when every bin
        has the same count.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[5, 6, 7], [0, 0, 1], [0, 0, 0]])
    >>> a = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
    >>> z, p = space_time_gi(x, a, time_step=1)
    >>> round(float(z[0, 2]), 3), round(float(z[2, 0]), 3)
    (1.252, -1.137)
    """
    from scipy import stats as _st

    x = np.asarray(counts, dtype=float)
    require_int(time_step, arg="time_step", minimum=0)
    a = sparse.csr_matrix(adjacency, dtype=float)
    n_bins = x.size
    xbar = x.mean()
    s = np.sqrt(max(0.0, (x**2).mean() - xbar**2))
    if s == 0 or n_bins < 2:
        return np.zeros_like(x), np.ones_like(x)
    lag = np.asarray(a @ x)
    big_l = _window_sum(lag, time_step)
    card = np.asarray(a.sum(axis=1)).ravel()
    slices = np.minimum(np.arange(x.shape[1]), time_step) + 1
    big_w = card[:, None] * slices[None, :]
    den = s * np.sqrt((n_bins * big_w - big_w**2) / (n_bins - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(den > 0, (big_l - xbar * big_w) / den, np.nan)
    p = 2 * _st.norm.sf(np.abs(z))
    return z, p
