"""The national index: every CSP's pack for a period on one page, with a funnel plot.

``sa run-all`` writes ``<out>/index.html`` beside the packs: one row per CSP with
its headline (police-recorded crime excluding anti-social behaviour in the period,
per 1,000 residents, with its confidence interval), how it compares with the
rate of all the CSPs listed (inside or outside the 99.8% funnel limits), and a
link to its pack; and a funnel plot of every CSP's rate against its population.
The headline of each pack is stored in its ``manifest.json`` (``headline``) when
the pack is built, so the index is read from the packs alone and takes seconds
for all 314 CSPs.

Examples
--------
>>> import pandas as pd
>>> h = headline_frame(pd.DataFrame({"count": [120, 8], "population": [80000, 5000]}),
...                    per=1000, conf_level=0.95, threshold=10)
>>> h[["rate", "suppressed"]].round(2).to_dict("records")
[{'rate': 1.5, 'suppressed': False}, {'rate': nan, 'suppressed': True}]
"""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sa_lib.validation import require_columns

__all__ = ["csp_headline", "headline_frame", "collect_packs", "write_national_index"]

ASB = "Anti-social behaviour"


def headline_frame(
    df: pd.DataFrame, *, per: float, conf_level: float, threshold: int
) -> pd.DataFrame:
    """Rate per ``per`` with its Poisson CI for each row of ``count`` and ``population``.

    Returns a new frame with ``rate``, ``rate_lower``, ``rate_upper`` and ``suppressed``
    (a count below the disclosure ``threshold`` is not shown: its rate and CI are NaN).
    """
    from sa_lib.stats.rates import rate_ci

    require_columns(df, ["count", "population"], arg="df")
    out = rate_ci(df, "count", "population", per=per, conf_level=conf_level)
    out["suppressed"] = out["count"] < threshold
    for c in ("rate", "rate_lower", "rate_upper"):
        out[c] = out[c].where(~out["suppressed"])
    return out


def csp_headline(params_path: str | os.PathLike[str]) -> dict:
    """A CSP's headline for the national index, from its parameters (run in the worker's kernel).

    Returns
    -------
    dict
        ``count`` (crimes excluding ASB in the period), ``population``, ``per``,
        ``conf_level``, ``threshold``, ``period``; ``count`` is None when it is below
        the disclosure threshold.
    """
    from sa_lib.pack.context import open_context

    ctx = open_context(params_path, "overview")
    cur = ctx.in_period("current")
    n = int((cur["crime_type"] != ASB).sum())
    threshold = int(ctx.params.disclosure.threshold)
    return {
        "count": n if n >= threshold else None,
        "population": int(ctx.geo.population),
        "per": int(ctx.rate_per),
        "conf_level": float(ctx.stats.conf_level),
        "threshold": threshold,
        "period": ctx.period.label,
        "months": len(ctx.period.months),
    }


def collect_packs(out_root: str | os.PathLike[str], period_slug: str) -> pd.DataFrame:
    """One row per published pack of the period under ``out_root`` (from each ``manifest.json``).

    Columns: ``csp_name``, ``slug``, ``force``, ``pack`` (folder name), ``status``,
    ``count``, ``population``, ``per``, ``conf_level``, ``threshold``, ``period``.
    Hidden build folders and ``.failed`` builds are not packs and are not listed. The
    period matches exactly: ``2018`` lists ``<slug>_2018`` packs, never ``<slug>_2018q2``.
    """
    rows = []
    for m in sorted(Path(out_root).glob(f"*_{period_slug}/manifest.json")):
        folder = m.parent.name
        if folder.startswith(".") or not folder.endswith(f"_{period_slug}"):
            continue
        try:
            man = json.loads(m.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        head = man.get("headline") or {}
        csp = (man.get("parameters") or {}).get("csp") or {}
        rows.append(
            {
                "csp_name": csp.get("name", folder),
                "slug": csp.get("slug", folder),
                "force": man.get("force", ""),
                "pack": folder,
                "status": man.get("status", "unknown"),
                **{
                    k: head.get(k)
                    for k in ("count", "population", "per", "conf_level", "threshold", "period")
                },
            }
        )
    cols = ["csp_name", "slug", "force", "pack", "status", "count", "population", "per"]
    cols += ["conf_level", "threshold", "period"]
    return pd.DataFrame(rows, columns=cols)


def _funnel_png(packs: pd.DataFrame, per: float, method: str) -> tuple[str, pd.DataFrame, str]:
    """The funnel plot as base64 PNG, each CSP's position against the limits, the dispersion note."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sa_lib.charts.comparison import plot_funnel
    from sa_lib.stats.comparison import funnel_limits, funnel_overdispersion

    shown = packs[packs["count"].notna() & (packs["population"].fillna(0) > 0)].copy()
    shown["count"] = shown["count"].astype(float)
    shown["population"] = shown["population"].astype(float)
    if len(shown) < 2:
        return "", pd.DataFrame(columns=["csp_name", "comparison"]), ""
    # Areas differ by more than chance alone (Spiegelhalter 2005): the limits allow for it.
    import warnings

    note = ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the few-areas caveat is in the note
            disp = funnel_overdispersion(
                shown, "csp_name", "count", "population", per=per, method=method
            )
        note = disp.describe()
    except ValueError:
        disp = None
        note = (
            "Too few partnerships to estimate how much more they vary than chance alone: "
            "the limits show chance (Poisson) variation only."
        )
    fig = plot_funnel(
        shown,
        "csp_name",
        "count",
        "population",
        per=per,
        title="Crime (excluding ASB) per resident, every CSP against its population",
        dispersion=disp,
    )
    fig.axes[0].set_xlabel("Residents of the area covered (Census 2021)")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    ref = shown["count"].sum() / shown["population"].sum() * per
    lim = funnel_limits(
        ref, shown["population"].to_numpy(), per=per, levels=(0.95, 0.998), dispersion=disp
    )
    rate = (shown["count"] / shown["population"] * per).to_numpy()
    pos = np.where(
        rate > lim["upper_99_8"].to_numpy(),
        "above",
        np.where(rate < lim["lower_99_8"].to_numpy(), "below", "within the limits"),
    )
    comp = pd.DataFrame({"csp_name": shown["csp_name"].to_numpy(), "comparison": pos})
    return base64.b64encode(buf.getvalue()).decode(), comp, note


def _pack_row(r, thr: int, where: dict, failed: dict) -> dict:
    """One CSP's row of the national index (every value escaped by the template)."""
    has_population = pd.notna(r["population"])
    if not has_population:
        rate, ci = "not available", ""
    elif r["suppressed"]:
        rate, ci = f"fewer than {thr}", ""
    else:
        rate = f"{r['rate']:.1f}"
        ci = f"{r['rate_lower']:.1f} to {r['rate_upper']:.1f}"
    return {
        "pack": r["pack"],
        "name": str(r["csp_name"]),
        "note": f"{r['status']} run" if r["status"] != "complete" else "",
        "stale": r["csp_name"] in failed,
        "force": str(r["force"]),
        "population": f"{int(r['population']):,}" if has_population else "",
        "rate": rate,
        "ci": ci,
        "position": str(where.get(r["csp_name"], "")) if has_population else "",
    }


def _commit() -> str:
    """The git commit of the workbench, or "unknown"."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def write_national_index(
    out_root: str | os.PathLike[str],
    *,
    period_slug: str,
    period_label: str,
    failures: list[dict] | None = None,
    title: str = "Community Safety Partnership strategic assessments",
    dispersion: str = "additive",
) -> Path:
    """Write ``<out_root>/index.html``: every pack of the period, its headline and a funnel plot.

    ``failures`` (``csp_name``, ``error``) lists CSPs whose pack could not be built in
    this run; they are shown with the reason, and a previous good pack, if any, is linked.
    ``dispersion`` is the funnel's overdispersion model (``"none"``, ``"multiplicative"``,
    ``"additive"``; see :func:`sa_lib.stats.comparison.funnel_overdispersion`).
    """
    from sa_lib.pack.export import REPORT_CSS

    out_root = Path(out_root)
    packs = collect_packs(out_root, period_slug)
    per = float(packs["per"].dropna().iloc[0]) if packs["per"].notna().any() else 1000.0
    conf = (
        float(packs["conf_level"].dropna().iloc[0]) if packs["conf_level"].notna().any() else 0.95
    )
    thr = int(packs["threshold"].dropna().iloc[0]) if packs["threshold"].notna().any() else 10
    if len(packs):
        head = headline_frame(
            packs.assign(
                count=packs["count"].astype(float).fillna(0),
                population=packs["population"].astype(float),
            ),
            per=per,
            conf_level=conf,
            threshold=thr,
        )
        head["suppressed"] = head["suppressed"] | packs["count"].isna()
        for c in ("rate", "rate_lower", "rate_upper"):
            head[c] = head[c].where(~head["suppressed"])
    else:
        head = packs.assign(rate=np.nan, rate_lower=np.nan, rate_upper=np.nan, suppressed=True)
    png, comp, disp_note = _funnel_png(packs, per, dispersion)
    where = dict(zip(comp["csp_name"], comp["comparison"], strict=False)) if len(comp) else {}
    failed = {f["csp_name"]: f.get("error", "") for f in failures or []}

    rows = [
        _pack_row(r, thr, where, failed)
        for _, r in head.sort_values(["force", "csp_name"]).iterrows()
    ]
    from sa_lib import __version__ as _version
    from sa_lib.pack.pages import footer_context, render_page

    page = render_page(
        "national_index.html.j2",
        css=REPORT_CSS,
        title=title,
        period_label=period_label,
        n_packs=len(head),
        produced=f"{datetime.now():%d %B %Y %H:%M}",
        per=f"{per:,.0f}",
        conf=f"{conf:.0%}",
        threshold=thr,
        png=png,
        disp_note=disp_note,
        rows=rows,
        # Every CSP that failed in this run is listed with its reason (a last good pack,
        # if any, is also in the table above, marked as not rebuilt).
        failures=[{"name": n, "error": e} for n, e in sorted(failed.items())],
        **footer_context(
            {
                "version": _version,
                "generated": f"{datetime.now():%d %B %Y %H:%M}",
                "commit": _commit(),
            }
        ),
    )
    path = out_root / "index.html"
    tmp = out_root / f".index.html.tmp-{os.getpid()}"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
