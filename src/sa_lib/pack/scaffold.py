"""Write a starting parameters file for any CSP in England and Wales (``sa init --csp``).

The file names the CSP's LADs, the period, the national reference geography
(``data.boundaries: national`` and so on), the CSP's police force area as the wider
area and the other CSPs in that force as peers. A baseline year and a target are
written only when the store holds every month of the baseline year for the CSP's
force; otherwise they are left as commented examples. Inputs that only the shipped
sample covers (the synthetic extract, partner files, events, force-wide counts) are
written only for the sample's CSP (Huntingdonshire) and a period they cover
(:func:`sample_inputs`), so the file always validates and never pairs a period with
partner data of other years. For any other CSP and period, force-wide counts are made
from the store when it holds the whole force (:func:`force_counts_for`); ``sa init``
writes them beside the parameters file as ``data.force_counts``.

Examples
--------
>>> text, info = scaffold_params("Uttlesford", "2018-07", store="/nonexistent")
>>> info["lad_codes"], info["forces"], info["baseline_year"]
(['E07000077'], ['essex'], None)
>>> "boundaries: national" in text and "# baseline_year:" in text
True
"""

from __future__ import annotations

import os
import re

from sa_lib import config
from sa_lib.data.coverage import month_ranges
from sa_lib.data.national import csp_table, resolve_csp
from sa_lib.data.periods import calendar_year, parse_period
from sa_lib.data.store import store_months

__all__ = ["scaffold_params", "SAMPLE_LADS"]

#: The LADs the shipped sample's inputs (synthetic extract, partner files) cover.
SAMPLE_LADS = ["E07000011"]

#: The months the sample's force-wide counts, synthetic extract, premises, ambulance and
#: events cover (data/sample/force, data/sample/synthetic): 2024-01 to 2025-12.
SAMPLE_FIRST, SAMPLE_LAST = "2024-01", "2025-12"

#: The year of the sample's synthetic CSE ward indicators (ward_indicators_2025.csv).
SAMPLE_CSE_YEAR = 2025

#: The default themes any CSP can run from police.uk data and the national geography.
PUBLIC_THEMES = [
    "summary",
    "overview",
    "hotspots",
    "place_profile",
    "violence",
    "outcomes",
    "wards",
]


def sample_inputs(lad_codes: list[str], period) -> dict[str, bool]:
    """Which of the sample's own inputs cover this CSP and period.

    ``files``: the sample's boundaries (its ward fit), force counts, synthetic extract and
    partner files; only for the sample's CSP, and only when every month of the period is
    inside the months they hold. ``cse``: its CSE indicators, only for a period in their year.
    Otherwise none is written: a 2018 pack never reads 2024-25 partner files.

    Examples
    --------
    >>> from sa_lib.data.periods import parse_period
    >>> sample_inputs(["E07000011"], parse_period("2018-Q4"))
    {'files': False, 'cse': False}
    >>> sample_inputs(["E07000011"], parse_period("2025-Q4"))
    {'files': True, 'cse': True}
    >>> sample_inputs(["E07000010"], parse_period("2025-Q4"))
    {'files': False, 'cse': False}
    """
    months = list(period.months)
    files = lad_codes == SAMPLE_LADS and SAMPLE_FIRST <= months[0] and months[-1] <= SAMPLE_LAST
    cse = files and all(m.startswith(str(SAMPLE_CSE_YEAR)) for m in months)
    return {"files": bool(files), "cse": bool(cse)}


def _theme_lines(cover: dict[str, bool]) -> list[str]:
    """The ``themes:`` list: every public theme; CSE and domestic abuse where their inputs are."""
    extra = (["cse"] if cover["cse"] else []) + (["domestic_abuse"] if cover["files"] else [])
    return ["themes:"] + [f"  - {t}" for t in PUBLIC_THEMES + extra]


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _sample_data_lines(cover: dict[str, bool]) -> list[str]:
    """The sample's force counts, synthetic extract and partner files (``data:`` lines)."""
    lines = [
        "  force_counts: data/sample/force/cambridgeshire_lad_month_type.csv",
        "  extract: synthetic      # SYNTHETIC, labelled on every page that uses it",
        "  licensed_premises: data/sample/synthetic/licensed_premises_synthetic.csv",
        "  ambulance: data/sample/synthetic/ambulance_assault_callouts_synthetic.csv",
        "  events: config/events_sample.csv",
    ]
    if cover["cse"]:
        lines += [
            "  cse_indicators: data/sample/synthetic/cse/ward_indicators_2025.csv",
            "  cse_quarterly: data/sample/synthetic/cse/ward_quarterly_2024_2025.csv",
            "  previous_priority_wards: data/sample/synthetic/cse/previous_priority_wards_2024.csv",
        ]
    return lines


def scaffold_params(
    csp: str,
    period: str,
    *,
    store: str | os.PathLike[str] = "data/processed",
    force_counts_path: str | os.PathLike[str] | None = None,
) -> tuple[str, dict]:
    """The text of a parameters file for one CSP, and what was chosen.

    Parameters
    ----------
    csp : str
        A CSP name or code (see ``sa csps``), or a LAD name or code.
    period : str
        A period string (see :mod:`sa_lib.data.periods`).
    store : path-like
        The store whose months decide the baseline year and targets.
    force_counts_path : path-like, optional
        Where the caller will write ``info["force_counts"]`` (``sa init`` writes it beside
        the parameters file); the file names it as ``data.force_counts``.

    Returns
    -------
    (str, dict)
        The YAML text, and ``csp_code``, ``csp_name``, ``lad_codes``, ``forces``,
        ``baseline_year`` (or None), ``held`` (the force's months, as ranges),
        ``force_counts`` (force-wide counts from the store over the report's held periods,
        :func:`force_counts_for`, or None) and ``force_counts_note`` (why none, or "").

    Raises
    ------
    ValueError
        For an unknown CSP or a bad period (naming the value and the fix).
    """
    info = resolve_csp(csp)
    per = parse_period(period)
    forces = info["forces"]
    held = set(store_months(config.resolve(store), forces=forces))
    baseline = per.start.year - 1
    has_baseline = all(m in held for m in calendar_year(baseline).months)
    others = csp_table(force=forces[0]) if forces else None
    peers = []
    if others is not None:
        for codes in others.loc[others["csp_code"] != info["csp_code"], "lad_codes"]:
            peers += [c for c in codes.split(", ") if c not in info["lad_codes"]]
    cover = sample_inputs(info["lad_codes"], per)
    sample = cover["files"]
    name = info["csp_name"]
    lines = [
        f"# {name} CSP ({info['csp_code']}): written by `sa init --csp`; check it with `sa check`.",
        f"title: {name} Community Safety Partnership strategic assessment",
        "csp:",
        f"  name: {name}",
        f"  slug: {_slug(name)}",
        f"  lad_codes: [{', '.join(info['lad_codes'])}]",
        f"period: '{period}'          # {per.label}",
    ]
    if has_baseline:
        lines.append(f"baseline_year: {baseline}")
    else:
        lines.append(
            f"# baseline_year: {baseline}   # the store does not hold all of {baseline} for "
            f"{', '.join(forces)}; ingest it, then uncomment"
        )
    lines += _theme_lines(cover)
    fc, why = (None, "") if sample else force_counts_for(store, forces, per, has_baseline)
    lines += _data_lines(store, sample, cover)
    lines += _force_counts_lines(fc, why, force_counts_path, sample)
    pfa = info["pfa_names"][0] if info["pfa_names"] else "force"
    lines += [
        "comparison:",
        f"  wider_area_name: {pfa} police force area",
        f"  peers: [{', '.join(peers)}]   # the other CSPs in the force",
    ]
    if has_baseline:
        lines += [
            "targets:",
            "  - crime_type: Anti-social behaviour",
            "    reduction_pct: 10",
            f"    baseline_year: {baseline}",
            f"    target_year: {per.end.year + 2}",
        ]
    else:
        lines += [
            "# targets:                 # needs the baseline year's months in the store",
            "#   - crime_type: Anti-social behaviour",
            "#     reduction_pct: 10",
            f"#     baseline_year: {baseline}",
            f"#     target_year: {per.end.year + 2}",
        ]
    lines += [
        "place_profile:",
        "  area: null               # null = the ward with most crime",
        "",
    ]
    out = dict(info)
    out.update(baseline_year=baseline if has_baseline else None, held=month_ranges(held))
    out.update(force_counts=fc, force_counts_note=why)
    return "\n".join(lines), out


def _data_lines(store: str | os.PathLike[str], sample: bool, cover) -> list[str]:
    """The ``data:`` section: the sample's own files for the sample CSP (only those that
    cover the period, see :func:`_sample_data_lines`), else national ones."""
    lines = ["data:", "  store: " + str(store)]
    if sample:
        # The sample's own boundary files, so its ward-level partner files match.
        lines += [
            "  boundaries: data/sample/boundaries",
            "  population: data/sample/population/census2021_lsoa21_age_bands.csv.gz",
            "  deprivation: data/sample/deprivation/iod2019_lsoa11.csv.gz",
        ]
    else:
        lines += [
            "  boundaries: national     # ONS LSOA 2021, official best-fit wards (data/national)",
            "  population: national     # Census 2021 usual residents",
            "  deprivation: national    # IoD 2025 (England) / WIMD 2019 (Wales)",
        ]
    lines += ["  annotations: config/recording_changes.csv"]
    if sample:
        lines += _sample_data_lines(cover)
    else:
        lines += [
            "  # extract: path/to/extract.parquet   # from `sa ingest-extract`, for violence detail",
        ]
    return lines


def force_counts_for(store, forces: list[str], per, has_baseline: bool):
    """Force-wide counts from the store over every month of the report's periods it holds.

    The months are those of the comparison periods (current, previous, same period last
    year, and the baseline year when written) that the store holds in full for the force:
    exactly the months a pack reads from ``data.force_counts`` (the wider-area comparison
    reads the period; the data-quality estimate of unlocated rows reads them all).

    Returns
    -------
    (DataFrame or None, str)
        The counts (:func:`sa_lib.data.force_counts.force_counts_from_store`), or None and
        the reason (another force, the period not held, or not the whole force held).
    """
    from sa_lib.data.force_counts import force_counts_from_store
    from sa_lib.data.periods import comparison_periods

    if len(forces) != 1:
        return None, f"the CSP's LADs are in {len(forces)} police force areas, not one"
    held = set(store_months(config.resolve(store), forces=forces))
    periods = comparison_periods(per, per.start.year - 1 if has_baseline else None)
    if not set(per.months) <= held:
        return None, f"the store does not hold {per.label} for {forces[0]}"
    months = sorted({m for p in periods.values() if set(p.months) <= held for m in p.months})
    return force_counts_from_store(config.resolve(store), forces[0], months)


def _force_counts_lines(fc, why: str, path, sample: bool) -> list[str]:
    """The ``data.force_counts`` line: the file written from the store, or why there is none."""
    if sample:
        return []
    if fc is not None and path is not None:
        months = month_ranges(fc["month"].unique())
        return [
            f"  force_counts: {_param_path(path)}   # the whole force, {months}, from the store"
        ]
    if fc is not None:
        return ["  # force_counts: the store holds the whole force: `sa init` writes them"]
    return [
        "  # force_counts: path/to/lad_month_type.csv",
        f"  #   not written from the store: {why}",
    ]


def _param_path(path) -> str:
    """A path as a parameters file gives it: relative to the project root when inside it."""
    p = config.resolve(path)
    try:
        return str(p.relative_to(config.ROOT))
    except ValueError:
        return str(p)
