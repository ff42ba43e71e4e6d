"""Issue 20: what a partner is told agrees with the tests that ran (sample pack).

Each test names the sentence the audit found wrong; each fails on the code before
issue 20 and passes after.
"""

from __future__ import annotations

import pytest

from sa_lib.themes import assessment_review as rv

#: These tests read results (tables, findings, alt text), never a picture: charts are laid
#: out, not painted (conftest.py ``_no_pixels``).
pytestmark = pytest.mark.no_pixels


def _sample(theme: str):
    from sa_lib import config

    if not (config.PROCESSED_DIR / "street").exists():
        pytest.skip("data/processed not built: run `make ingest-sample`")
    from sa_lib.pack.context import open_context

    return open_context("parameters/huntingdonshire_2025q4.yaml", theme)


@pytest.fixture(scope="module")
def summary_ctx():
    return _sample("summary")


def test_shoplifting_review_is_not_significant_beside_no_clear_trend(summary_ctx):
    """Why 1: "Reduce shoplifting ... +23% significant" beside "no clear trend (+22.9% a year)".

    The series is over-dispersed, so the baseline comparison is quasi-Poisson (p about
    0.09), per day (2024 has 366 days): an increase, not significant.
    """
    rev = rv.priorities_review(summary_ctx).set_index("crime_type")
    shop = rev.loc["Shoplifting"]
    assert shop["trend"] == "no clear trend"
    assert shop["test"] == "quasi-Poisson"
    assert shop["change_label"] == "increase, not significant"
    shown = rv.review_display(rev.reset_index(), summary_ctx)
    cell = shown.set_index("Priority").loc["Reduce shoplifting", "Change against baseline"]
    assert cell == "+23% per day (n.s.)"


def test_callout_does_not_list_a_measure_with_a_significant_trend_as_no_real_change():
    """Why 2: "No real change in: Violence and sexual offences" above "+11% a year, p = 0.002"."""
    from sa_lib.pack.furniture import rank_findings

    r = rank_findings(
        [
            "Compared with Q4 2024 (Oct-Dec):",
            "Violence and sexual offences rose 3% (from 1,000 to 1,028); this is within "
            "normal variation (p = 0.52).",
            "Burglary fell 4% (from 123 to 118); this is within normal variation (p = 0.86).",
            "Violence and sexual offences has risen by about 11% a year between January 2024 "
            "and December 2025 (95% CI +5% to +18%; p = 0.002).",
        ]
    )
    assert r["no_change"] == ["Burglary"]
    assert any(t.startswith("Against Q4 2024 (Oct-Dec): Violence") for t in r["top"])


def test_summary_no_real_change_only_where_every_test_found_nothing(sample_theme):
    """Why 2: the summary's "No real change" line listed issues a trend or SPC test flagged."""
    r = sample_theme("summary")  # sr.build(summary_ctx), built once per session
    scored = r.data["scored"].set_index("issue")
    findings = r.findings
    steady = [f for f in findings if f.text.startswith("No real change")]
    for f in steady:
        listed = f.text.split(" in: ", 1)[1].split(" (the change")[0].split(", ")
        for name in listed:
            row = scored.loc[name]
            assert not str(row["change"]).startswith("significant")
            assert row["rising_trend"] is not True and row["spc_signal"] is not True
        assert f.tested and f.direction == "none" and f.periods is not None
    for f in findings:
        # Shares name their denominator: a ward's count excludes ASB, and so does its share.
        if f.subject and f.subject.endswith("(ward)"):
            assert "of all recorded crime (excluding ASB)" in f.text


def _table(result, caption_start: str):
    for t in result.tables():
        if (t.caption or "").startswith(caption_start):
            return t.texts()
    raise AssertionError(f"no table starting {caption_start!r}")


def test_summary_matrix_review_and_callout_agree_with_the_theme_pages(summary_ctx, sample_theme):
    """Done when: the summary's matrix, review and call-out agree with each theme page
    on every measure they share, compared through the result objects."""
    s = sample_theme("summary")  # sr.build(summary_ctx)
    o = sample_theme("overview")  # overview.build(_sample("overview"))
    before = summary_ctx.periods["last_year"].label
    types = _table(o, "Crime and ASB by type").set_index("Crime type")
    trend = _table(o, "Trend per year").set_index("Crime type")
    matrix = _table(s, "Priority matrix").set_index("Issue")
    review = _table(s, "Current priorities").set_index("Priority")
    scored = s.data["scored"].set_index("issue")
    compared = 0
    for name in types.index.intersection(matrix.index):
        page_sig = types.loc[name, f"vs {before}"].endswith("significant")
        assert matrix.loc[name, "Change"].startswith("significant") == page_sig, name
        if name in trend.index:
            rising = trend.loc[name, "Trend"].startswith("increasing")
            assert bool(scored.loc[name, "rising_trend"]) == rising, name
        compared += 1
    assert compared >= 10
    # The review's trend is the overview's trend for the same crime type.
    for prio, row in review.iterrows():
        crime = next(c for c in trend.index if c.lower().split()[0] in prio.lower() or c in prio)
        assert row["Trend"].split(" (")[0] == trend.loc[crime, "Trend"].split(" (")[0], prio
    # The call-out: every issue it calls "no real change" is tested and quiet everywhere.
    for f in s.findings:
        if f.direction == "none" and f.text.startswith("No real change"):
            for name in f.text.split(" in: ", 1)[1].split(" (the change")[0].split(", "):
                if name in types.index:
                    assert types.loc[name, f"vs {before}"].endswith("(n.s.)")
                    assert not trend.loc[name, "Trend"].startswith(("increasing", "decreasing"))


def _sig(cell: str) -> bool:
    """A published change cell or result says significant ("+36% significant", "Significant increase")."""
    c = str(cell).lower()
    return "significant" in c and "not" not in c and "n.s." not in c and "no significant" not in c


def test_summary_agrees_with_wards_hotspots_and_place_on_every_ward(summary_ctx, sample_theme):
    """Done when (item 4): each place candidate's count, rate and tested change in the
    summary's matrix are the ward profiles', the hot-spot page's and the place profile's.

    Every page is its own ``build`` on the shipped parameters, built once per session
    (conftest.py ``sample_theme``)."""
    s = sample_theme("summary")
    before = summary_ctx.periods["last_year"].label
    now = summary_ctx.period.label
    matrix = _table(s, "Priority matrix").set_index("Issue")
    scored = s.data["scored"].set_index("issue")
    wards = sample_theme("wards")
    every = _table(wards, "Every ward").set_index("Ward")
    wtab = wards.data["wards"].set_index("ward_name")
    hot = sample_theme("hotspots")
    change = _table(hot, "All crime (excluding ASB) by ward").set_index("Ward")
    place = sample_theme("place_profile")
    area = place.title.removeprefix("Place profile: ")
    ptypes = _table(place, f"{area}: crime and ASB by type").set_index("Crime type")
    places = [i for i in scored.index if scored.loc[i, "kind"] == "place"]
    assert len(places) >= 5
    for issue in places:
        ward = issue.removesuffix(" (ward)")
        sig = str(matrix.loc[issue, "Change"]).startswith("significant")
        assert int(scored.loc[issue, "count"]) == int(wtab.loc[ward, "count_current"]), ward
        assert scored.loc[issue, "rate"] == pytest.approx(wtab.loc[ward, "rate"]), ward
        assert _sig(every.loc[ward, f"vs {before}"]) == sig, ward
        assert _sig(change.loc[ward, "Result"]) == sig, ward
        assert int(change.loc[ward, now]) == int(scored.loc[issue, "count"]), ward
        if ward == area:
            row = ptypes.loc["All crime (excluding ASB)"]
            assert int(str(row[now]).replace(",", "")) == int(scored.loc[issue, "count"])
            assert _sig(row[f"vs {before}"]) == sig


def test_summary_agrees_with_domestic_abuse_violence_and_outcomes(summary_ctx, sample_theme):
    """Done when (item 4): the summary's domestic-abuse and night-time violence measures,
    and its drugs context, are the theme pages' own figures and tests.

    Every page is its own ``build`` on the shipped parameters, built once per session
    (conftest.py ``sample_theme``)."""
    s = sample_theme("summary")
    before = summary_ctx.periods["last_year"].label
    now = summary_ctx.period.label
    scored = s.data["scored"].set_index("issue")
    da = sample_theme("domestic_abuse")
    total = _table(da, "Domestic abuse crimes").set_index("Crime type").iloc[0]
    issue = "Domestic abuse (repeat victims)"
    assert int(scored.loc[issue, "count"]) == int(str(total[now]).replace(",", ""))
    assert _sig(total[f"vs {before}"]) == str(scored.loc[issue, "change"]).startswith("significant")
    rep = da.data["repeat"]
    share = float(rep.loc[rep["measure"] == "victims", "proportion"].iloc[0])
    assert scored.loc[issue, "repeat_share"] == pytest.approx(share)
    vio = sample_theme("violence")
    sub = vio.data["subgroup_table"].set_index("crime_type")
    night = "Night-time violence (weekend nights)"
    vwi = float(sub.loc["Violence with injury", "count_current"])
    assert scored.loc[night, "count"] / vwi == pytest.approx(vio.data["weekend_night_share"])
    # The summary's drugs context quotes the outcomes page's correlation.
    out = sample_theme("outcomes")
    rho = next(f for f in out.findings if f.measure == "correlation with drug searches")
    drugs = next(f for f in s.findings if f.subject == "Drugs")
    assert f"Spearman rho {rho.value:.2f}" in drugs.text
