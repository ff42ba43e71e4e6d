"""sa_lib.stats.multiplicity against R's p.adjust and statsmodels' multipletests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from sa_lib.stats.multiplicity import METHODS, adjust_p_values

REF = Path(__file__).parent / "fixtures" / "reference" / "p_adjust.csv"


def _sets() -> dict[str, pd.DataFrame]:
    ref = pd.read_csv(REF)
    return {name: g.sort_values("i") for name, g in ref.groupby("set")}


@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr_bh"])
def test_adjusted_as_r_p_adjust_does(method):
    sets = _sets()
    assert set(sets) == {"uniform", "small", "ties", "edges", "single"}
    for name, g in sets.items():
        got = adjust_p_values(g["p"].to_numpy(), method)
        np.testing.assert_allclose(got, g[method].to_numpy(), rtol=1e-12, atol=0, err_msg=name)


def test_holm_equals_statsmodels_exactly_ties_included():
    """Holm is computed here (statsmodels collects garbage after each one); the values
    are statsmodels' to the last bit, tied p-values included."""
    rng = np.random.default_rng(7)
    cases = [rng.uniform(size=n) for n in (1, 2, 5, 40)]
    cases += [np.round(rng.uniform(0, 0.1, size=30), 2), np.array([0.0, 1.0, 0.0, 0.3])]
    for p in cases:
        expected = multipletests(p, alpha=0.05, method="holm")[1]
        assert np.array_equal(adjust_p_values(p, "holm"), expected), p


def test_none_returns_a_copy_and_the_input_is_unchanged():
    p = np.array([0.02, 0.01])
    out = adjust_p_values(p, "none")
    out[0] = 1.0
    assert p.tolist() == [0.02, 0.01]
    assert adjust_p_values(p, "holm").tolist() == [0.02, 0.02] and p.tolist() == [0.02, 0.01]
    assert adjust_p_values([], "holm").size == 0


@pytest.mark.parametrize("bad", [[0.1, np.nan], [1.2], [-0.1], [[0.1, 0.2]]])
def test_bad_p_values_are_refused_with_the_fix(bad):
    with pytest.raises(ValueError, match="Fix: adjust only the rows that were tested"):
        adjust_p_values(bad, "holm")


def test_an_unknown_method_names_the_valid_ones():
    with pytest.raises(ValueError, match="fdr_bh"):
        adjust_p_values([0.1], "hochberg")
    assert METHODS == ("none", "holm", "bonferroni", "fdr_bh")
