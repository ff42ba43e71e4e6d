"""Priority scoring: bands, dimension scores, MoRiLE and grid methods, sensitivity, rule validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sa_lib.stats import priority


@pytest.fixture
def rules():
    return priority.load_scoring()


def _measures():
    return pd.DataFrame(
        {
            "issue": ["Big", "Small", "Middle"],
            "count": [500, 12, 60],
            "share": [0.30, 0.01, 0.06],
            "above_wider": [True, np.nan, False],
            "change": ["significant increase", "decrease", "no change"],
            "rising_trend": [False, False, True],
            "spc_signal": [False, False, False],
            "harm_band": [4, 1, 2],
            "deprived_ratio": [1.0, 0.5, np.nan],
            "repeat_share": [np.nan, np.nan, 0.35],
            "top10_share": [0.4, 0.1, np.nan],
            "synthetic": [False, False, True],
        }
    )


def test_young_victims_raise_vulnerability(rules):
    m = pd.DataFrame({"issue": ["A", "B"], "count": [100, 100], "young_share": [0.25, 0.01]})
    s = priority.dimension_scores(m, rules).set_index("issue")
    # 25% under 18 -> 4; 1% -> 1; no other vulnerability measure.
    assert s.loc["A", "vulnerability"] == 4 and s.loc["B", "vulnerability"] == 1


def test_band_edges_take_the_higher_score():
    assert priority.band([0.0199, 0.02, 0.05, 0.15], [0.02, 0.05, 0.15]).tolist() == [1, 2, 3, 4]


def test_dimension_scores_by_hand(rules):
    m = _measures()
    before = m.copy()
    s = priority.dimension_scores(m, rules).set_index("issue")
    pd.testing.assert_frame_equal(m, before)
    # Big: share 30% -> 4 (+1 capped); sig increase 4; harm 4; deprived 1.0 -> 2; top10 0.4 -> 3.
    assert s.loc[
        "Big", ["volume", "direction", "harm", "vulnerability", "concentration"]
    ].tolist() == [4, 4, 4, 2, 3]
    assert s.loc["Big", "confidence"] == 1.0
    # Small: 1% -> 1; decrease 2; harm 1; 12 crimes (< min_count 30): vulnerability and
    # concentration are not scored (neutral 2), whatever their shares; low confidence.
    assert s.loc[
        "Small", ["volume", "direction", "harm", "vulnerability", "concentration"]
    ].tolist() == [1, 2, 1, 2, 2]
    assert s.loc["Small", "not_scored"] == "vulnerability; concentration"
    assert s.loc["Big", "not_scored"] == ""
    assert s.loc["Small", "confidence"] == 0.6
    # Middle: no change 2 + rising trend 1 = 3; repeat share 0.35 -> 4; no top10 -> missing 2; synthetic halves.
    assert s.loc["Middle", "direction"] == 3 and s.loc["Middle", "vulnerability"] == 4
    assert s.loc["Middle", "concentration"] == 2
    assert s.loc["Middle", "confidence"] == pytest.approx(0.8 * 0.5)


def test_morile_score_is_the_weighted_mean_with_confidence_beside_it(rules):
    s = priority.priority_scores(priority.dimension_scores(_measures(), rules), rules)
    w = rules["weights"]
    for _, r in s.iterrows():
        expect = sum(w[d] * r[d] for d in priority.DIMENSIONS) / sum(w.values())
        # Only synthetic-data issues are multiplied (by confidence.synthetic).
        expect *= rules["confidence"]["synthetic"] if r["synthetic"] else 1.0
        assert r["score"] == pytest.approx(expect)
    assert s.iloc[0]["issue"] == "Big" and s.iloc[0]["rank"] == 1
    old = {**rules, "confidence": {**rules["confidence"], "multiplies": True}}
    m = priority.priority_scores(priority.dimension_scores(_measures(), old), old)
    mid = m[m["issue"] == "Middle"].iloc[0]
    assert mid["score"] == pytest.approx(
        sum(w[d] * mid[d] for d in priority.DIMENSIONS) / sum(w.values()) * mid["confidence"]
    )


def test_a_non_significant_rise_scores_no_more_than_a_fall(rules):
    """Why 4: a non-significant rise scored direction 3 against 2 for a fall."""
    m = pd.DataFrame(
        {"issue": ["Up", "Down"], "count": [200, 200], "change": ["increase", "decrease"]}
    )
    s = priority.dimension_scores(m, rules).set_index("issue")
    assert s.loc["Up", "direction"] == s.loc["Down", "direction"] == 2


def test_concentration_of_a_small_count_is_not_scored(rules):
    """Why 4: Robbery (8 crimes) got the maximum concentration because the count was small."""
    m = pd.DataFrame({"issue": ["Robbery"], "count": [8], "top10_share": [1.0]})
    s = priority.dimension_scores(m, rules).iloc[0]
    assert s["concentration"] == rules["missing_score"]
    assert "concentration" in s["not_scored"]


def test_ties_share_a_rank_and_are_never_broken_by_name(rules):
    """Why 4: candidate 5 was picked alphabetically between two issues tied at 2.80."""
    m = pd.DataFrame(
        {
            "issue": ["Zeta", "Alpha", "Mid"],
            "count": [200, 200, 200],
            "share": [0.06, 0.06, 0.01],
            "harm_band": [3, 3, 1],
        }
    )
    s = priority.priority_scores(priority.dimension_scores(m, rules), rules).set_index("issue")
    assert s.loc["Zeta", "rank"] == s.loc["Alpha", "rank"] == 1
    assert bool(s.loc["Zeta", "tied"]) and not bool(s.loc["Mid", "tied"])
    stab = priority.rank_stability(
        priority.dimension_scores(m, rules), {**rules, "top_n": 1}, n_sims=50
    ).set_index("issue")
    assert stab.loc["Zeta", "share_top"] == stab.loc["Alpha", "share_top"] == 1.0


def test_grid_score_is_impact_times_likelihood(rules):
    rules = {**rules, "method": "grid"}
    s = priority.priority_scores(priority.dimension_scores(_measures(), rules), rules).set_index(
        "issue"
    )
    # Big: impact mean(harm 4 x1.5, vulnerability 2 x1) = 3.2 -> 3; likelihood (4+4+0.5*3)/2.5 = 3.8 -> 4.
    assert s.loc["Big", "impact"] == 3 and s.loc["Big", "likelihood"] == 4
    assert s.loc["Big", "score"] == 12


def test_sensitivity_reports_changes_to_the_top(rules):
    rules = {**rules, "top_n": 1}
    m = pd.DataFrame(
        {
            "issue": ["Harmful", "Frequent"],
            "count": [200, 200],
            "share": [0.01, 0.30],
            "harm_band": [4, 1],
            "change": ["no change", "no change"],
        }
    )
    scored = priority.dimension_scores(m, rules)
    sens = priority.sensitivity(scored, rules).set_index(["weight", "change"])
    base = priority.priority_scores(scored, rules)["issue"].iloc[0]
    # Harmful: (1 + 1.5 x 4 + 2 + 2 + 0.5 x 2) / 5 = 2.4; Frequent: (4 + 1.5 + 5) / 5 = 2.1.
    assert base == "Harmful"
    # Harm -50%: Harmful (1 + 3 + 5) / 4.25 = 2.12 < Frequent (4 + 0.75 + 5) / 4.25 = 2.29.
    row = sens.loc[("harm", "-50%")]
    assert not row["top_same"] and row["entered"] == "Frequent" and row["left"] == "Harmful"
    assert sens.loc[("harm", "+50%"), "top_same"]
    # Direction is equal for both: moving it never changes the order.
    assert (
        sens.loc[("direction", "-50%"), "top_same"] and sens.loc[("direction", "+50%"), "top_same"]
    )


def test_unknown_change_word_is_refused(rules):
    m = _measures()
    m.loc[0, "change"] = "went up"
    with pytest.raises(ValueError, match="Valid values"):
        priority.dimension_scores(m, rules)


def test_scoring_file_errors_name_the_key(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("wieghts: {harm: 2}\n")
    with pytest.raises(ValueError, match="unknown key 'wieghts'"):
        priority.load_scoring(p)
    p.write_text("method: matrix\n")
    with pytest.raises(ValueError, match="method"):
        priority.load_scoring(p)
    p.write_text("volume: {share_bands: [0.5, 0.1, 0.2]}\n")
    with pytest.raises(ValueError, match="increasing"):
        priority.load_scoring(p)


def test_override_merges_with_defaults(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("weights: {harm: 3}\nmethod: grid\n")
    r = priority.load_scoring(p)
    assert r["weights"]["harm"] == 3 and r["weights"]["volume"] == 1.0 and r["method"] == "grid"


@pytest.mark.parametrize("method", ["morile", "grid"])
def test_rank_stability_matches_a_loop_over_priority_scores(rules, method):
    rules = {**rules, "method": method, "top_n": 2}
    rng = np.random.default_rng(5)
    m = pd.DataFrame(
        {
            "issue": [f"issue {k}" for k in range(8)],
            "count": rng.integers(5, 400, 8),
            "share": rng.uniform(0, 0.3, 8),
            "harm_band": rng.integers(1, 5, 8),
            "top10_share": rng.uniform(0, 1, 8),
            "deprived_ratio": rng.uniform(0.5, 2, 8),
        }
    )
    scored = priority.dimension_scores(m, rules)
    got = priority.rank_stability(scored, rules, n_sims=40, perturbation=0.5, seed=11).set_index(
        "issue"
    )
    # Independent: the same random factors, one full priority_scores per simulation.
    factors = np.random.default_rng(11).uniform(0.5, 1.5, size=(40, len(priority.DIMENSIONS)))
    ranks = []
    for f in factors:
        w = {d: rules["weights"][d] * x for d, x in zip(priority.DIMENSIONS, f, strict=True)}
        ranks.append(priority.priority_scores(scored, rules, weights=w).set_index("issue")["rank"])
    ranks = pd.concat(ranks, axis=1)
    assert np.allclose(got["share_top"], (ranks.loc[got.index] <= 2).mean(axis=1))
    assert np.allclose(got["median_rank"], ranks.loc[got.index].median(axis=1))


def test_rank_stability_without_perturbation_keeps_the_ranks(rules):
    scored = priority.dimension_scores(_measures(), rules)
    r = priority.rank_stability(scored, rules, n_sims=3, perturbation=0.0)
    assert (r["median_rank"] == r["rank"]).all()
    with pytest.raises(ValueError, match="perturbation"):
        priority.rank_stability(scored, rules, perturbation=1.5)
