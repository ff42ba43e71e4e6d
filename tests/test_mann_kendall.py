"""Mann-Kendall trend test (sa_lib.stats.mann_kendall): the vectorised form."""

from __future__ import annotations

import numpy as np


def test_tau_and_p_equal_the_test_row_by_row_with_ties_and_constant_rows():
    """The vectorised trend gives mann_kendall's tau and p exactly, series by series."""
    import warnings

    from sa_lib.stats.mann_kendall import mann_kendall, tau_and_p

    rng = np.random.default_rng(7)
    rows = np.vstack(
        [
            rng.normal(size=(40, 24)),  # no ties
            rng.integers(0, 4, size=(40, 24)).astype(float),  # many ties
            np.round(rng.normal(size=(20, 24)), 1) + np.arange(24) / 10,  # ties and a trend
            np.full((2, 24), 1.5),  # constant
        ]
    )
    tau, p = tau_and_p(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, row in enumerate(rows):
            r = mann_kendall(row)
            assert (tau[k], p[k]) == (r.tau, r.p_value), k
