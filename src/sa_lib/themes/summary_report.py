"""The strategic assessment summary (front page): key findings, recommendations, and ``build``.

Examples
--------
>>> _link("overview", "Crime and ASB by type", ["overview"])
'overview.html#Crime-and-ASB-by-type'
"""

from __future__ import annotations

import html as _html

import numpy as np
import pandas as pd

from sa_lib.stats import priority
from sa_lib.themes import results
from sa_lib.themes.assessment import (
    anchor,
    comparable,
    comparison_key,
    comparison_label,
    flagged_wards,
)
from sa_lib.themes.results import ThemeResult

__all__ = [
    "EVIDENCE",
    "PARTNER_METHOD",
    "partner_result",
    "build",
    "context_findings",
    "flagged_display",
    "recommendations",
    "summary_findings",
]


def _link(theme: str, section: str, themes: list[str], fallback: str = "#Priority-matrix") -> str:
    if theme in themes:
        return f"{theme}.html#{anchor(section)}"
    return fallback


EVIDENCE = {
    "overview": "Crime and ASB by type",
    "violence": "Night-time economy",
    "cse": "Key findings",
    "domestic_abuse": "Key findings",
    "wards": "Wards with several flags",
    "partner": "The indicators",
}


def _size(r, ctx, thr: int) -> str:
    if r["sensitive"]:
        return "see its page for the figures"
    if 0 < r["count"] < thr:
        return f"fewer than {thr} in {ctx.period.label}"
    size = f"{int(r['count']):,} in {ctx.period.label}"
    if pd.notna(r["share"]):
        of = r.get("share_of")
        of = of if isinstance(of, str) else "all recorded crime and ASB"
        size += f" ({r['share']:.0%} of {of})"
    return size


def _tests_text(r, before: str, now: str, can_compare: bool) -> tuple[list[str], str | None]:
    """What each test shown for an issue found, and the direction of a significant change.

    Returns the phrases (one per test that found something, plus the change test's
    result when it did not) and ``direction`` ("increase"/"decrease" when the change
    against ``before`` is significant, "none" when it was tested and is not, None when
    it was not tested).
    """
    ch = r["change"]
    parts: list[str] = []
    direction = None
    tested = can_compare and isinstance(ch, str)
    if tested and ch.startswith("significant"):
        direction = "increase" if "increase" in ch else "decrease"
        word = "up" if direction == "increase" else "down"
        parts.append(
            f"{word} {abs(r['pct_change']):.0f}% in {now} against {before}, a significant change"
        )
    elif tested:
        direction = "none"
    if r.get("rising_trend") is True:
        parts.append("a significant rising trend over the months held")
    if r.get("spc_signal") is True:
        parts.append(f"an unusually high month in {now} on its control chart")
    if direction == "none" and parts:
        # Something else was found: say what the change test found too.
        pct = r["pct_change"]
        how = f"{pct:+.0f}% " if pd.notna(pct) else ""
        parts.insert(0, f"{how}in {now} against {before}, not statistically significant")
    return parts, direction


def _partner_flag_text(r) -> list[str]:
    """A ward's partner flags, when real, or when they raised its score (the issue is then
    labelled synthetic with the rest of it)."""
    if not (r.get("partner_flags") or 0) > 0:
        return []
    if r.get("partner_synthetic") and not r["synthetic"]:
        return []
    names = str(r["partner_flag_names"]).removesuffix(" (SYNTHETIC)")
    names = names[:1].lower() + names[1:]
    return [f"partner data put its rate of {names} significantly above the district's"]


def summary_findings(scored: pd.DataFrame, ctx, n: int = 6, search=None) -> list[dict]:
    """The key findings: the top ``n`` issues by priority score, in plain English.

    The wording rules (issue 20): a significant change is stated as a change naming both
    periods; a rising trend or an unusual month is stated; "no real change" is said
    only of an issue whose change was tested and found not significant *and* whose
    trend and control chart found nothing (otherwise each test's result is said), and
    names only the tests that ran (issue 19: a ward or a short series has no trend or
    control chart, and is not said to have found nothing on one); a share names its denominator; "times the district" is said only of a count of at
    least 10 and the disclosure threshold. With ``search`` (a
    :class:`sa_lib.themes.outcomes_report.SearchResult`) the drugs finding adds the
    searches correlation, described as a correlation.

    Returns
    -------
    list of dict
        ``text``, ``href`` (the evidence on its theme page, or the matrix), and the
        :class:`sa_lib.themes.results.Finding` fields ``subject``, ``measure``,
        ``comparison``, ``periods``, ``tested``, ``significant``, ``direction``.
    """
    key = comparison_key(ctx)
    before = comparison_label(ctx)
    now = ctx.period.label
    thr = ctx.disclosure.threshold
    themes = list(ctx.params.themes)
    can_compare = key is not None and comparable(ctx, key)
    out, steady = [], []
    for _, r in scored.head(n).iterrows():
        name = r["issue"]
        syn = " (SYNTHETIC data)" if r["synthetic"] else ""
        tests, direction = _tests_text(r, before, now, can_compare)
        if direction == "none" and not tests:
            steady.append((name, r))
        extra = []
        if r.get("above_wider") is True:
            extra.append("its rate is significantly above the wider area's")
        big = pd.notna(r.get("count")) and r["count"] >= max(10, thr)
        if r["kind"] == "place" and pd.notna(r.get("ward_ratio")) and big:
            extra.append(f"its crime rate is {r['ward_ratio']:.1f} times the district's")
        extra += _partner_flag_text(r)
        if pd.notna(r.get("repeat_share")) and not r["sensitive"]:
            extra.append(f"{r['repeat_share']:.0%} of victims were repeat victims")
        parts = [f"{name}{syn}: {_size(r, ctx, thr)}", *tests, *extra]
        text = "; ".join(parts) + f". Priority score {r['score']:.2f} (rank {int(r['rank'])})."
        if name == "Drugs" and search is not None:
            text += "".join(
                " " + c["text"] for c in context_findings(scored, search, n=n, period=now)
            )
        href = _link(r["theme"], EVIDENCE.get(r["theme"], "Key findings"), themes)
        if r["kind"] == "place" and "wards" in themes:
            href = f"wards.html#{anchor(name.removesuffix(' (ward)'))}"
        out.append(
            {
                "text": text,
                "href": href,
                "subject": name,
                "measure": "priority rank",
                "value": int(r["rank"]),
                "comparison": before if direction is not None else None,
                "periods": (before, now) if direction is not None else None,
                "tested": direction is not None,
                "significant": None if direction is None else direction != "none",
                "direction": direction,
                "synthetic": bool(r["synthetic"]),
            }
        )
    if not can_compare:
        out.append(
            {
                "text": f"The change against {before} is not available: the data do not cover "
                "every month of it, so no issue is scored on its direction of change.",
                "href": "#Priority-matrix",
                "tested": False,
            }
        )
    groups: dict[str, list[str]] = {}
    for name, r in steady:
        groups.setdefault(_steady_tests(r), []).append(name)
    for tests, names in groups.items():
        out.append(
            {
                "text": f"No real change in {now} against {before} in: "
                + ", ".join(names)
                + f" (the change was not statistically significant{tests}).",
                "href": "#Priority-matrix",
                "comparison": before,
                "periods": (before, now),
                "tested": True,
                "significant": False,
                "direction": "none",
            }
        )
    return out


def _ran(r, key: str) -> bool:
    """Whether the test ``key`` (``trend_tested``, ``spc_tested``) ran for an issue's row."""
    v = r.get(key)
    return isinstance(v, (bool, np.bool_)) and bool(v)


def _steady_tests(r) -> str:
    """What the "no real change" sentence says of the trend and the control chart: only
    the tests that ran (a ward, a theme measure or a short series has neither).

    >>> _steady_tests({"trend_tested": True, "spc_tested": True})
    ', and neither the trend nor the control chart found anything'
    >>> _steady_tests({"trend_tested": False, "spc_tested": True})
    ', and the control chart found nothing; no trend was tested'
    >>> _steady_tests({})
    '; no trend or control chart was tested'
    """
    trend, spc = _ran(r, "trend_tested"), _ran(r, "spc_tested")
    if trend and spc:
        return ", and neither the trend nor the control chart found anything"
    if spc:
        return ", and the control chart found nothing; no trend was tested"
    if trend:
        return ", and the trend found nothing; no control chart was drawn"
    return "; no trend or control chart was tested"


def _finding(f: dict) -> results.Finding:
    """A summary finding dict as a :class:`sa_lib.themes.results.Finding`."""
    keys = (
        "subject",
        "measure",
        "value",
        "comparison",
        "periods",
        "tested",
        "significant",
        "direction",
        "synthetic",
    )
    return results.Finding(f["text"], link=f.get("href"), **{k: f[k] for k in keys if k in f})


def context_findings(
    scored: pd.DataFrame, search, n: int = 6, period: str | None = None
) -> list[dict]:
    """Context the top findings need: drug offences beside stop and search.

    When drugs are among the top ``n`` issues and recorded drug offences moved with
    drug searches (:func:`sa_lib.stats.stop_search.drugs_alongside_searches`), say so.
    """
    top = set(scored.head(n)["issue"])
    period = period or "the period assessed"
    d = getattr(search, "drugs", {}) or {}
    if "Drugs" not in top or not d.get("rises_with_searches"):
        return []
    return [
        {
            "text": "Drug offences are largely found by police activity: in "
            f"{search.year.label} recorded drug offences and searches for drugs were "
            f"correlated month by month (Spearman rho {d['rho']:.2f}, p = {d['p_value']:.3f}). "
            "A correlation does not show that one caused the other, and it describes "
            f"{search.year.label}, not {period}: check this period's searches before "
            "reading the change as more drug use or supply.",
            "href": "outcomes.html#Searches-beside-drug-offences",
        }
    ]


def recommendations(scored: pd.DataFrame, top_n: int) -> list[str]:
    """The recommended priorities, phrased as candidates for the board to agree.

    Every issue ranked within ``top_n`` is listed (ties share a rank, so a tie at the
    cut lists every tied issue), and a last line says where the cut falls in a tie.
    """
    out = []
    within = scored[scored["rank"] <= top_n]
    for _, r in within.iterrows():
        dims = {d: int(r[d]) for d in priority.DIMENSIONS}
        high = [d for d, v in dims.items() if v >= 3]
        why = ", ".join(high) if high else "no single dimension"
        syn = (
            " Based on SYNTHETIC data: confirm with real data before deciding."
            if r["synthetic"]
            else ""
        )
        out.append(
            f"Candidate {int(r['rank'])}: {r['issue']} (priority score {r['score']:.2f}; high on "
            f"{why}; confidence {r['confidence']:.1f}). For the board to consider adopting as a "
            f"priority.{syn}"
        )
    if len(within) > top_n and "tied" in scored:
        last = within.iloc[-1]
        tied = within[within["score"] == last["score"]]["issue"].tolist()
        out.append(
            f"The cut at {top_n} falls inside a tie: {', '.join(tied)} share rank "
            f"{int(last['rank'])} (score {last['score']:.2f}), so {len(within)} issues are "
            "listed; the board chooses between them."
        )
    return out


def flagged_display(flagged: pd.DataFrame, themes: list[str]) -> str:
    """Wards with several flags as an HTML list, each linked to its profile."""
    items = []
    for _, w in flagged.iterrows():
        name = _html.escape(w["ward_name"])
        link = (
            f' <a href="wards.html#{_html.escape(anchor(w["ward_name"]), quote=True)}">Profile</a>'
            if "wards" in themes
            else ""
        )
        items.append(
            f"<li><strong>{name}</strong>: {w['n_flags']} flags ({_html.escape(w['flags'])}).{link}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>No ward has several flags.</p>"


def build(ctx) -> ThemeResult:
    """Compute the strategic assessment summary once: every section, finding and table.

    Sections: ``header``, ``document`` (document control), ``findings`` (linked key findings), ``recommendations``,
    ``review``, ``spc`` (variation and assurance of every indicator), ``matrix``, ``measures``, ``sensitivity``, ``wards``, ``methods``.
    With no current priorities in the parameters, ``current priorities`` is in
    ``availability`` with the reason, said on the page.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "summary"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'document', 'findings']
    """
    from sa_lib.themes import candidates, outcomes_report, report
    from sa_lib.themes.assessment import ward_analysis
    from sa_lib.themes.assessment_review import document_control

    opt = ctx.options
    rules = priority.load_scoring(ctx.params.paths.scoring)
    if opt.method:
        rules["method"] = opt.method
    # Built before this page's own result starts (a result resets the page state).
    partner = partner_result(ctx)
    r = report.new_result(ctx, "summary", "Strategic assessment summary")
    wa = ward_analysis(ctx, min_count=ctx.params.wards.min_count or 50)
    measures = candidates.candidate_measures(
        ctx, wa, rules, min_flags=opt.min_flags, partner=partner
    )
    scored = priority.priority_scores(priority.dimension_scores(measures, rules), rules)
    search = outcomes_report.search_analysis(ctx)
    findings = summary_findings(scored, ctx, n=opt.findings, search=search)
    r.synthetic = "part" if bool(scored["synthetic"].any()) else "none"
    with r.section("header"):
        report.show_header(
            ctx, "Strategic assessment summary", synthetic=bool(scored["synthetic"].any())
        )
    with r.section("document"):
        report.show_table(
            document_control(ctx.params.title, ctx.params.document), caption="Document control"
        )
    with r.section("findings"):
        results.emit(results.Findings([_finding(f) for f in findings]))
    with r.section("recommendations"):
        report.show_findings(recommendations(scored, int(rules["top_n"])))
    _review_section(r, ctx)
    _spc_section(r, ctx, partner)
    _matrix_sections(r, ctx, scored, rules)
    with r.section("wards"):
        results.emit_html(flagged_display(flagged_wards(wa, opt.min_flags), ctx.params.themes))
    with r.section("methods"):
        extra = {
            "priority scoring": f"{rules['method']}; weights {rules['weights']}; "
            f"top {rules['top_n']}"
        }
        if partner is not None:
            extra["partner indicators"] = PARTNER_METHOD
        report.show_methods(ctx, extra)
    r.data["scored"] = scored
    return r


#: The summary's Methods line on partner data (docs/methods.md, "Partner indicators").
PARTNER_METHOD = (
    "read from the partner page's result: an indicator with a significant rise or "
    "special-cause variation is a candidate (volume not scored; harm only where the "
    "scoring rules give it a band); a ward whose partner rate is significantly above the "
    "district's scores at least vulnerability.partner_flag on vulnerability"
)


def partner_result(ctx) -> ThemeResult | None:
    """The partner theme's result, built in this process (None without partner data).

    The summary reads its ``data`` (the tested indicators and ward flags) as the
    partner page shows them: nothing is recomputed here.
    """
    if ctx.path("partner_indicators") is None:
        return None
    from sa_lib.choices import kept_apart
    from sa_lib.themes import partner_report

    # Its choices (and disclosure settings) belong on the partner page's Methods.
    with kept_apart():
        return partner_report.build(ctx)


def _review_section(r: ThemeResult, ctx) -> None:
    from sa_lib.themes import report
    from sa_lib.themes.assessment_review import priorities_review, review_display

    with r.section("review"):
        review = priorities_review(ctx)
        if review.empty:
            r.unavailable(
                "current priorities",
                "No current priorities are set in the parameters (priorities), so there is "
                "nothing to review.",
                note=True,
            )
        else:
            report.show_table(
                review_display(review, ctx),
                caption="Current priorities: progress against baseline and target",
            )


def _spc_section(r: ThemeResult, ctx, partner: ThemeResult | None = None) -> None:
    """Every indicator's SPC variation and target assurance (NHS Making Data Count icons),
    the partner page's indicators included as that page shows them."""
    from sa_lib.data.counts import monthly_counts
    from sa_lib.themes import report
    from sa_lib.themes.spc_summary import spc_display, spc_summary

    with r.section("spc"):
        s = spc_summary(
            monthly_counts(ctx.series(), by="crime_type"),
            ctx.params,
            str(ctx.period.end),
            partner=None if partner is None else partner.data.get("indicators"),
        )
        if s.empty:
            r.unavailable(
                "SPC summary", "Fewer than six months of data: no SPC summary.", note=True
            )
            return
        shown, styles = spc_display(s)
        report.show_table(
            shown,
            styles=styles,
            not_count_cols=["Months"],
            caption=f"SPC summary: variation of the latest month and assurance of each target, "
            f"to {ctx.period.end.strftime('%b %Y')}",
        )
        report.note(
            "Variation: ~ common cause (no significant change); H special cause of concern "
            "(high); L special cause of improvement (low), from an XmR chart of the monthly "
            "counts (NHS Making Data Count rules). Assurance, where a target is set: P the "
            "process will meet the target every month; F it will miss it every month; ? it may "
            "meet it (the target lies inside the process limits)."
            + (
                " Partner indicators (partner data) show the variation of the partner page; "
                "one with fewer than 12 unbroken months has no SPC chart."
                if partner is not None and len(partner.data.get("indicators", ()))
                else ""
            )
        )


def _matrix_sections(r: ThemeResult, ctx, scored: pd.DataFrame, rules: dict) -> None:
    from sa_lib.themes import report
    from sa_lib.themes import scoring_display as sd

    top_n = int(rules["top_n"])
    with r.section("matrix"):
        report.show_table(
            sd.matrix_display(scored, ctx),
            not_count_cols=sd.SCORE_COLUMNS,
            decimals={"Priority score": 2, "Confidence": 2},
            caption=f"Priority matrix, {ctx.period.label} ({rules['method']} scoring)",
        )
        report.note(sd.harm_source_line(ctx))
        sd.plot_matrix(
            scored, rules, f"Priority matrix: impact against likelihood, {ctx.period.label}"
        )
    with r.section("measures"):
        report.show_table(
            sd.measures_display(scored, rules, ctx.disclosure.threshold),
            count_cols=["Count"],
            not_count_cols=["Harm band"],
            caption="Measures used for the scores",
        )
        report.show_table(
            sd.rules_display(rules, partner_flags="partner_flags" in scored),
            not_count_cols=["Value"],
            caption="Scoring rules and weights used",
        )
        report.note(sd.harm_note(ctx, rules))
    with r.section("sensitivity"):
        sens = priority.sensitivity(scored, rules)
        report.show_table(
            sd.sensitivity_display(sens, top_n), caption="Top priorities when each weight moves"
        )
        report.show_findings([sd.sensitivity_sentence(sens, top_n)])
        stability = priority.rank_stability(
            scored, rules, n_sims=int(rules["n_sims"]), seed=ctx.stats.seed
        )
        report.show_table(
            sd.stability_display(stability, top_n),
            not_count_cols=["Rank", "Median simulated rank"],
            caption=f"Rank stability: {int(rules['n_sims']):,} runs with every weight varied at "
            f"once by up to {rules['sensitivity']:.0%}",
        )
