"""Parameters files: load, fill defaults, and validate before any notebook runs.

A parameters file is YAML, one per assessment run (``parameters/*.yaml``). Every
key is checked: an unknown key, a wrong type, a bad period, a missing file or an
unknown LAD code raises :class:`ParameterError`, which lists every problem found
(not just the first) with the valid choices. papermill on its own only warns.

Theme notebooks can add their own section (``hotspots:``, ``violence:`` ...):
register its keys in :data:`THEME_OPTIONS`.

Examples
--------
>>> from sa_lib.pack.params import load_params  # doctest: +SKIP
>>> p = load_params("parameters/huntingdonshire_2025q4.yaml")  # doctest: +SKIP
>>> p["period"], p["statistics"]["alpha"]  # doctest: +SKIP
('2025-Q4', 0.05)
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from sa_lib import config
from sa_lib.data.periods import PERIOD_FORMS, parse_period

__all__ = [
    "ParameterError",
    "load_params",
    "validate_params",
    "THEME_OPTIONS",
    "SCHEMA",
    "theme_disclosure",
]


class ParameterError(ValueError):
    """The parameters file is invalid; ``problems`` lists each problem."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the parameters:\n{body}")


@dataclass
class F:
    """One parameter: its type(s), whether required, default, choices and a help text."""

    types: tuple[type, ...]
    required: bool = False
    default: Any = None
    choices: tuple | None = None
    help: str = ""
    kind: str = ""  # "path", "path?" (optional path), "lad_list", "period", "year", "theme_list"
    children: dict[str, F] | None = field(default=None)


def _section(children: dict[str, F], help: str = "", required: bool = False) -> F:
    return F((dict,), required=required, default=None, help=help, children=children)


DISCLOSURE = {
    "threshold": F((int,), default=10, help="counts below this are shown as '<N' (>= 1)"),
    "secondary": F(
        (bool,), default=True, help="secondary suppression so totals cannot reveal a cell"
    ),
    "suppress_zero": F((bool,), default=False, help="also suppress zeros"),
}

#: Per-theme option sections. A theme adds its keys here.
THEME_OPTIONS: dict[str, dict[str, F]] = {
    "domestic_abuse": {
        "repeat_window_days": F(
            (int,), default=365, help="look-back window (days) for a repeat victim"
        ),
        "event_correction": F(
            (str,),
            default="holm",
            choices=("none", "holm", "bonferroni", "fdr_bh"),
            help="correction across events",
        ),
    },
    "cse": {
        "indicators": F(
            (list,), default=None, help="indicator columns in the index (default: all in the file)"
        ),
        "weights": F(
            (dict,), default=None, help="weight per indicator (default: equal); normalised to sum 1"
        ),
        "method": F(
            (str,), default="zscore", choices=("zscore", "percentile"), help="standardisation"
        ),
        "missing": F(
            (str,),
            default="reweight",
            choices=("mean", "zero", "drop", "reweight"),
            help="treatment of missing indicators",
        ),
        "top_n": F((int,), default=5, help="number of priority wards"),
        "n_sims": F(
            (int,), default=1000, help="Monte Carlo weight perturbations for rank stability"
        ),
        "perturbation": F(
            (float,), default=0.25, help="relative weight perturbation (uniform +/-)"
        ),
    },
    "violence": {
        "nte_distance_m": F(
            (int, float), default=100, help="distance (m) from licensed premises counted as 'near'"
        ),
        "cell_size": F((int,), default=None, help="hotspot grid cell size (m); null = automatic"),
    },
    "overview": {
        "major_types": F(
            (list,),
            default=None,
            help="crime types given a trend chart each (default: the six largest)",
        ),
        "top_wards": F((int,), default=10, help="wards shown in the ranked table"),
    },
    "hotspots": {
        "crime_types": F(
            (list,),
            default=None,
            help="crime types analysed (default: all crime excluding ASB; 'All crime' allowed)",
        ),
        "cell_size": F((float,), default=None, help="grid cell size in metres (default: auto)"),
        "shape": F((str,), default="square", choices=("square", "hex"), help="grid cell shape"),
        "bandwidth": F((float,), default=None, help="KDE bandwidth in metres (default: auto)"),
        "p_value": F(
            (str,),
            default="analytical",
            choices=("analytical", "permutation"),
            help="Gi* p-values (permutation uses statistics.permutations and seed)",
        ),
        "emerging_freq": F(
            (str,),
            default="month",
            choices=("month", "quarter"),
            help="time step of the emerging hot-spot analysis",
        ),
        "min_count": F(
            (int,),
            default=20,
            help="crimes a cell needs over the emerging window before it can be 'Preventing'",
        ),
        "emerging_time_step": F(
            (int,),
            default=1,
            help="Gi* neighbourhood time step of the emerging analysis: periods back included "
            "(1 as ArcGIS; 0 = spatial only)",
        ),
        "change_from": F(
            (str,),
            default="last_year",
            choices=("last_year", "previous"),
            help="period the ward change is measured from",
        ),
    },
    "place_profile": {
        "area": F(
            (dict,),
            default=None,
            help="{type: ward|lsoas|polygon, value: ...} (default: the ward with most crime)",
        ),
    },
}

#: Themes that are sensitive: they default to the strictest disclosure control.
SENSITIVE_THEMES = {"domestic_abuse", "cse"}

SCHEMA: dict[str, F] = {
    "title": F(
        (str,), default=None, help="report title (default: '<CSP> Community Safety Partnership')"
    ),
    "csp": _section(
        {
            "name": F((str,), required=True, help="the CSP's name, e.g. Huntingdonshire"),
            "slug": F(
                (str,), default=None, help="short id for the output folder (default: from name)"
            ),
            "lad_codes": F(
                (list,), required=True, kind="lad_list", help="local authority district code(s)"
            ),
        },
        help="the Community Safety Partnership",
        required=True,
    ),
    "period": F(
        (str, int), required=True, kind="period", help=f"the assessment period: {PERIOD_FORMS}"
    ),
    "baseline_year": F(
        (int,), default=None, kind="year", help="calendar year for long-term comparison"
    ),
    "themes": F((list,), required=True, kind="theme_list", help="theme notebooks to run, in order"),
    "data": _section(
        {
            "store": F(
                (str,), default="data/processed", kind="store", help="the ingested Parquet store"
            ),
            "boundaries": F(
                (str,),
                required=True,
                kind="path",
                help="folder of {lsoa21,lsoa11,ward25}/<LAD>.geojson",
            ),
            "population": F(
                (str,), required=True, kind="path", help="Census 2021 LSOA21 age-band CSV"
            ),
            "deprivation": F(
                (str,), default=None, kind="path?", help="IoD2019 File 1 or 2 (LSOA11)"
            ),
            "force_counts": F(
                (str,),
                default=None,
                kind="path?",
                help="LAD x month x crime type counts for the force",
            ),
            "annotations": F(
                (str,),
                default="config/recording_changes.csv",
                kind="path",
                help="dated recording-practice changes",
            ),
            "harm_weights": F(
                (str,), default=None, kind="path?", help="harm weights CSV by crime type"
            ),
            "extract": F(
                (str,),
                default=None,
                kind="path?",
                help="force extract: a Parquet/CSV path from `sa ingest-extract`, or 'synthetic' "
                "for the shipped synthetic extract (labelled synthetic on every page)",
            ),
            "licensed_premises": F(
                (str,),
                default=None,
                kind="path?",
                help="licensed premises points CSV (easting, northing)",
            ),
            "events": F(
                (str,),
                default=None,
                kind="path?",
                help="events table CSV (event, start, end) for event-effect tests",
            ),
            "cse_indicators": F(
                (str,),
                default=None,
                kind="path?",
                help="ward CSE risk indicators CSV (one row per ward)",
            ),
            "cse_quarterly": F(
                (str,),
                default=None,
                kind="path?",
                help="ward x quarter CSE-flagged crimes and referrals CSV",
            ),
            "previous_priority_wards": F(
                (str,),
                default=None,
                kind="path?",
                help="the previous assessment's priority wards CSV",
            ),
            "ambulance": F(
                (str,),
                default=None,
                kind="path?",
                help="monthly ambulance assault call-outs per LSOA CSV",
            ),
        },
        help="input files (relative to the project root, or absolute)",
        required=True,
    ),
    "statistics": _section(
        {
            "alpha": F((float,), default=0.05, help="significance level, strictly between 0 and 1"),
            "conf_level": F((float,), default=0.95, help="confidence level of intervals"),
            "correction": F(
                (str,),
                default="fdr_bh",
                choices=("none", "fdr_bh", "bonferroni"),
                help="multiple-comparison method",
            ),
            "seed": F(
                (int,), default=20250401, help="random seed for permutation tests and Monte Carlo"
            ),
            "rate_per": F(
                (int,), default=1000, choices=(1000, 10000, 100000), help="rates per N residents"
            ),
            "permutations": F((int,), default=999, help="permutations for Gi* p-values"),
        },
        help="statistical settings printed in every report",
    ),
    "disclosure": _section(
        DISCLOSURE, help="disclosure control defaults (a theme section can override)"
    ),
    "targets": F(
        (list,), default=[], help="list of {crime_type, reduction_pct, baseline_year, target_year}"
    ),
    "comparison": _section(
        {
            "peers": F((list,), default=[], help="LAD codes of peer CSPs for the funnel plot"),
            "wider_area_name": F((str,), default="force area", help="name of the wider area"),
            "funnel_overdispersion": F(
                (str,),
                default="additive",
                choices=("none", "multiplicative", "additive"),
                help="funnel-plot limits: Poisson only, or adjusted for overdispersion "
                "(Spiegelhalter 2005)",
            ),
        },
        help="comparison with the wider area and peers",
    ),
    "run": _section(
        {
            "kernel": F((str,), default="python3", help="Jupyter kernel for papermill"),
            "workers": F((int,), default=2, help="notebooks run in parallel"),
            "cell_timeout": F((int,), default=600, help="seconds a cell may run"),
        },
        help="how the pack runs",
    ),
}


def _type_name(types: tuple[type, ...]) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true/false",
    }
    return " or ".join(names.get(t, t.__name__) for t in types)


def _slugify(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _check_section(data: Any, schema: dict[str, F], where: str, problems: list[str]) -> dict:
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        problems.append(
            f"{where or 'the file'} must be a mapping of keys, got {type(data).__name__}."
        )
        return out
    for key in data:
        if key not in schema:
            close = [k for k in schema if k.startswith(str(key)[:3])]
            hint = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"unknown key {where + str(key)!r}.{hint} Valid keys{' in ' + where.rstrip('.') if where else ''}: "
                f"{', '.join(schema)}."
            )
    for key, spec in schema.items():
        name = f"{where}{key}"
        if key not in data or data[key] is None:
            if spec.required:
                problems.append(f"missing required key {name!r}: {spec.help}.")
            value = copy.deepcopy(spec.default)
            if spec.children is not None:
                value = _check_section({}, spec.children, f"{name}.", problems)
            out[key] = value
            continue
        value = data[key]
        types = spec.types + ((int,) if float in spec.types else ())
        if isinstance(value, bool) and bool not in spec.types or not isinstance(value, types):
            problems.append(f"{name} must be {_type_name(spec.types)}, got {value!r}.")
            continue
        if spec.choices is not None and value not in spec.choices:
            problems.append(
                f"{name}={value!r} is not valid. Valid choices: {', '.join(map(repr, spec.choices))}."
            )
            continue
        if spec.children is not None:
            value = _check_section(value, spec.children, f"{name}.", problems)
        out[key] = value
    return out


def validate_params(raw: dict, path: str = "<parameters>", *, check_store: bool = True) -> dict:
    """Validate a parameters mapping and return it with defaults filled in.

    Checks keys, types and choices; the period; the LAD codes against the
    boundaries available; that every listed theme has a notebook; that input
    files exist; and (``check_store``) that the store holds the period's months.

    Raises
    ------
    ParameterError
        Listing every problem found.
    """
    problems: list[str] = []
    schema = dict(SCHEMA)
    # A theme's disclosure keys default to None ("not set"), so that theme_disclosure can
    # tell an explicit setting from an absent one, even when it equals the default.
    theme_dis = {k: F(f.types, help=f.help) for k, f in DISCLOSURE.items()}
    for theme, opts in THEME_OPTIONS.items():
        schema[theme] = _section(
            {**opts, "disclosure": _section(theme_dis)}, help=f"options for the {theme} theme"
        )
    p = _check_section(raw, schema, "", problems)
    if problems and not p:
        raise ParameterError(path, problems)

    # Period and years.
    period = None
    if p.get("period") is not None:
        try:
            period = parse_period(p["period"])
            p["period"] = str(p["period"])
        except ValueError as e:
            problems.append(str(e))
    if (
        period is not None
        and p.get("baseline_year") is not None
        and p["baseline_year"] > period.end.year
    ):
        problems.append(
            f"baseline_year={p['baseline_year']} is after the period {period.label}; choose an earlier year."
        )

    # Statistics ranges.
    stats = p.get("statistics") or {}
    for k in ("alpha", "conf_level"):
        v = stats.get(k)
        if isinstance(v, int | float) and not 0 < v < 1:
            problems.append(
                f"statistics.{k}={v!r} must be strictly between 0 and 1 (e.g. 0.05 / 0.95)."
            )
    for sec_name in ["disclosure"] + [t for t in THEME_OPTIONS]:
        sec = p.get(sec_name) or {}
        d = sec if sec_name == "disclosure" else (sec.get("disclosure") or {})
        if isinstance(d.get("threshold"), int) and d["threshold"] < 1:
            problems.append(f"{sec_name}.threshold must be at least 1, got {d['threshold']}.")

    step = (p.get("hotspots") or {}).get("emerging_time_step")
    if isinstance(step, int) and not 0 <= step <= 12:
        problems.append(
            f"hotspots.emerging_time_step={step!r} must be 0 (spatial only) to 12 periods; "
            f"ArcGIS's default is 1."
        )

    # Themes.
    themes = p.get("themes") or []
    available = sorted(f.stem for f in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    if isinstance(themes, list):
        if not themes:
            problems.append(f"themes is empty; list at least one of: {', '.join(available)}.")
        for t in themes:
            if t not in available:
                problems.append(
                    f"theme {t!r} has no notebook notebooks/{t}.ipynb. Valid themes: {', '.join(available)}. "
                    f"To add a theme, add its notebook and list it here."
                )
        if len(set(themes)) != len(themes):
            problems.append("themes lists a theme twice; list each once.")

    # Files.
    data = p.get("data") or {}
    for key, spec in SCHEMA["data"].children.items():
        v = data.get(key)
        if v is None or spec.kind == "store" or (key == "extract" and v == "synthetic"):
            continue
        if not config.resolve(v).exists():
            problems.append(
                f"data.{key}: file or folder not found: {v} (looked at {config.resolve(v)})."
            )

    # LAD codes against the boundaries present.
    csp = p.get("csp") or {}
    lads = csp.get("lad_codes")
    if (
        isinstance(lads, list)
        and data.get("boundaries")
        and config.resolve(data["boundaries"]).exists()
    ):
        from sa_lib.data.geography import available_lads

        have = available_lads(config.resolve(data["boundaries"]))
        for code in lads:
            if code not in have:
                problems.append(
                    f"csp.lad_codes: unknown LAD code {code!r}: no boundaries for it in {data['boundaries']}. "
                    f"Valid codes there: {', '.join(have) or 'none'}."
                )
        if not lads:
            problems.append("csp.lad_codes is empty; give at least one LAD code, e.g. [E07000011].")
    for peer in (p.get("comparison") or {}).get("peers") or []:
        if not re.fullmatch(r"[EW]0[6-9]\d{6}", str(peer)):
            problems.append(f"comparison.peers: {peer!r} is not a LAD code (like E07000011).")
    if csp.get("name") and not csp.get("slug"):
        csp["slug"] = _slugify(csp["name"])
    if not p.get("title") and csp.get("name"):
        p["title"] = f"{csp['name']} Community Safety Partnership"

    for i, t in enumerate(p.get("targets") or []):
        need = {"crime_type", "reduction_pct", "baseline_year", "target_year"}
        if not isinstance(t, dict) or set(t) != need:
            problems.append(
                f"targets[{i}] must have exactly the keys {', '.join(sorted(need))}; got {t!r}."
            )

    # The store must hold the months the report needs.
    if check_store and period is not None and not problems:
        from sa_lib.data.store import store_months

        store = config.resolve(data.get("store", "data/processed"))
        months = store_months(store)
        if not months:
            problems.append(
                f"data.store: {store} holds no police.uk street data. Run `sa ingest PATH...` first "
                f"(for the sample: `sa ingest data/sample/police_uk`)."
            )
        else:
            missing = [m for m in period.months if m not in months]
            if missing:
                problems.append(
                    f"period {p['period']} needs months {', '.join(missing)}, which the store does not hold. "
                    f"The store has {months[0]} to {months[-1]}; choose a period in that range or ingest the months."
                )
            by = p.get("baseline_year")
            if by is not None and f"{by}-01" not in months:
                problems.append(
                    f"baseline_year={by} is not in the store ({months[0]} to {months[-1]}); choose a year in range."
                )
    if problems:
        raise ParameterError(path, problems)
    return p


def load_params(path: str | os.PathLike[str], *, check_store: bool = True) -> dict:
    """Read a YAML parameters file and validate it (see :func:`validate_params`)."""
    p = config.resolve(path)
    if not p.exists():
        have = sorted(x.name for x in config.PARAMETERS_DIR.glob("*.yaml"))
        raise ParameterError(
            str(path),
            [f"file not found. Parameters files in parameters/: {', '.join(have) or 'none'}."],
        )
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ParameterError(str(path), [f"not valid YAML: {e}"]) from e
    if raw is None:
        raise ParameterError(str(path), ["the file is empty."])
    return validate_params(raw, str(path), check_store=check_store)


def theme_disclosure(params: dict, theme: str) -> dict:
    """Disclosure settings for a theme: its own section's, else the defaults.

    Sensitive themes (domestic abuse, CSE) default to the strictest setting:
    secondary suppression on, and a threshold no lower than the default's.
    """
    base = dict(params.get("disclosure") or {k: f.default for k, f in DISCLOSURE.items()})
    own = ((params.get(theme) or {}).get("disclosure")) or {}
    explicit = {k: v for k, v in own.items() if v is not None}
    out = {**base, **explicit}
    if theme in SENSITIVE_THEMES:
        out["secondary"] = True
        out["threshold"] = max(out["threshold"], base["threshold"])
    return out


def schema_markdown() -> str:
    """The parameters reference (docs/parameters.md), generated from :data:`SCHEMA` and :data:`THEME_OPTIONS`.

    Examples
    --------
    >>> "| `period` |" in schema_markdown()
    True
    """

    def default(f: F) -> str:
        if f.children is not None:
            return ""
        if f.default is None:
            return "required" if f.required else "none"
        return f"`{f.default}`"

    def rows(section: dict[str, F], prefix: str = "") -> list[str]:
        out = []
        for key, f in section.items():
            name = f"{prefix}{key}"
            choices = f" Choices: {', '.join(f'`{c}`' for c in f.choices)}." if f.choices else ""
            out.append(f"| `{name}` | {_type_name(f.types)} | {default(f)} | {f.help}.{choices} |")
            if f.children is not None:
                out += rows(f.children, prefix=f"{name}.")
        return out

    head = "| key | type | default | meaning |\n|---|---|---|---|"
    parts = [
        "# Parameters reference",
        "",
        'Generated from `sa_lib.pack.params` (do not edit by hand: `python -c "from sa_lib.pack.params '
        'import schema_markdown; print(schema_markdown())" > docs/parameters.md`). Paths are '
        "relative to the project root or absolute. `sa check FILE` validates a file against this.",
        "",
        "## Run-wide keys",
        "",
        head,
        *rows(SCHEMA),
        "",
        "## Theme sections",
        "",
        "Each theme may have a section named after it; every theme section also takes "
        "`disclosure.threshold`, `disclosure.secondary` and `disclosure.suppress_zero` to "
        "override the run-wide `disclosure` settings. Sensitive themes "
        f"({', '.join(sorted(SENSITIVE_THEMES))}) always use secondary suppression.",
    ]
    for theme, opts in THEME_OPTIONS.items():
        parts += ["", f"### `{theme}`", "", head, *rows(opts, prefix=f"{theme}.")]
    return "\n".join(parts) + "\n"
