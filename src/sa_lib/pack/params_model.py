"""The typed parameters: one pydantic model per section of a parameters file.

:class:`Params` is what :func:`sa_lib.pack.params.load_params` returns: every key
typed, defaulted, range-checked and documented (``docs/parameters.md`` is generated
from :meth:`Params.model_json_schema`), every input path resolved once
(:attr:`Params.paths`). Code reads attributes (``params.statistics.alpha``,
``params.hotspots.cell_size``; see :class:`sa_lib.pack.params_base.Section`).

Checks that need other sections or the store (the sensitive-theme floor, LAD codes
against the boundaries, coverage) are in :mod:`sa_lib.pack.params`. Theme options:
:mod:`sa_lib.pack.params_themes`.

Examples
--------
>>> from sa_lib.pack.params_model import Statistics
>>> s = Statistics()
>>> s.alpha, s.correction, s.rate_per
(0.05, 'fdr_bh', 1000)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from sa_lib import config
from sa_lib.data.periods import PERIOD_FORMS, parse_period
from sa_lib.pack.params_base import Problems, Section, option
from sa_lib.pack.params_themes import (
    CseOptions,
    DomesticAbuseOptions,
    HotspotsOptions,
    OutcomesOptions,
    OverviewOptions,
    PlaceProfileOptions,
    SummaryOptions,
    ThemeDisclosure,
    ViolenceOptions,
    WardsOptions,
)
from sa_lib.validation import short_repr

__all__ = [
    "Params",
    "Csp",
    "Data",
    "Statistics",
    "Disclosure",
    "ThemeDisclosure",
    "Target",
    "Priority",
    "Document",
    "Board",
    "Project",
    "Decision",
    "Comparison",
    "Run",
    "ResolvedPaths",
    "resolve_path",
    "SLUG_RE",
    "NATIONAL_KEYS",
    "THEME_MODELS",
]

#: A CSP slug: lower-case letters, digits, '_' and '-' (it names a folder under outputs/).
SLUG_RE = r"[a-z0-9][a-z0-9_-]{0,63}"
#: data.* keys that take 'national' (the shipped national reference).
NATIONAL_KEYS = ("boundaries", "population", "deprivation")
#: The shipped synthetic force extract ('data.extract: synthetic').
SYNTHETIC_EXTRACT = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"


def resolve_path(value: str | os.PathLike[str]) -> Path:
    """The one rule for a path in a parameters file: absolute as given, else from the root.

    Examples
    --------
    >>> resolve_path("data/sample") == config.ROOT / "data" / "sample"
    True
    """
    return config.resolve(value)


def slugify(s: str) -> str:
    """Lower-case letters and digits joined by '_' (``"St Ives"`` -> ``"st_ives"``)."""
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


class Csp(Section):
    """The Community Safety Partnership."""

    name: str = option(..., "the CSP's name, e.g. Huntingdonshire")
    slug: str | None = option(
        None,
        "short id for the output folder outputs/<slug>_<period>/ (default: from name)",
        pattern=(f"^{SLUG_RE}$", "lower-case letters, digits, '_' and '-' only (at most 64)"),
    )
    lad_codes: list[str] = option(..., "local authority district code(s)", kind="lad_list")

    @model_validator(mode="before")
    @classmethod
    def _slug_from_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("name"), str) and not data.get("slug"):
            slug = slugify(data["name"])[:64]
            if not re.fullmatch(SLUG_RE, slug):
                raise Problems(
                    f"csp.name={short_repr(data['name'])} gives no usable folder name. Fix: set "
                    f"csp.slug to lower-case letters, digits, '_' and '-' (e.g. slug: my_csp)."
                )
            data = {**data, "slug": slug}
        return data


def _path_option(default: str | None, help: str, kind: str = "path?") -> Any:
    return option(default, help, kind=kind)


class Data(Section):
    """Input files (relative to the project root, or absolute)."""

    store: str = _path_option("data/processed", "the ingested Parquet store", kind="store")
    boundaries: str = _path_option(
        "national",
        "'national' (the shipped ONS reference: official best-fit wards drawn as the dissolve "
        "of their LSOAs) or a folder of {lsoa21,lsoa11,ward25}/<LAD>.geojson",
        kind="path",
    )
    population: str = _path_option(
        "national",
        "'national' (Census 2021, shipped) or a Census 2021 LSOA21 age-band CSV",
        kind="path",
    )
    deprivation: str | None = _path_option(
        None,
        "'national' (IoD 2025 England / WIMD 2019 Wales, shipped) or an IoD2019 File 1 or 2 "
        "(LSOA11)",
    )
    force_counts: str | None = _path_option(None, "LAD x month x crime type counts for the force")
    force_outcomes: str | None = _path_option(
        None, "the force's crimes by LAD x month x crime type x outcome group CSV"
    )
    annotations: str = _path_option(
        "config/recording_changes.csv", "dated recording-practice changes", kind="path"
    )
    harm_weights: str | None = _path_option(None, "harm weights CSV by crime type")
    extract: str | None = _path_option(
        None,
        "force extract: a Parquet/CSV path from `sa ingest-extract`, or 'synthetic' for the "
        "shipped synthetic extract (labelled synthetic on every page)",
    )
    licensed_premises: str | None = _path_option(
        None, "licensed premises points CSV (easting, northing)"
    )
    events: str | None = _path_option(
        None, "events table CSV (event, start, end) for event-effect tests"
    )
    cse_indicators: str | None = _path_option(
        None, "ward CSE risk indicators CSV (one row per ward)"
    )
    cse_quarterly: str | None = _path_option(
        None, "ward x quarter CSE-flagged crimes and referrals CSV"
    )
    previous_priority_wards: str | None = _path_option(
        None, "the previous assessment's priority wards CSV"
    )
    ambulance: str | None = _path_option(None, "monthly ambulance assault call-outs per LSOA CSV")
    partner_indicators: str | None = _path_option(
        None,
        "partner indicators CSV (area_type, area_code, month, indicator, count): fire, ambulance, "
        "council ASB cases, hate crime, probation, youth offending, treatment",
    )
    partner_mapping: str | None = _path_option(
        None, "mapping YAML for a partner indicators file in another shape"
    )

    @field_validator("*", mode="after")
    @classmethod
    def _exists(cls, value: Any, info) -> Any:
        key = info.field_name
        if value is None or key == "store" or (key == "extract" and value == "synthetic"):
            return value
        if key in NATIONAL_KEYS and value == "national":
            return value
        path = resolve_path(value)
        if not path.exists():
            raise Problems(
                f"data.{key}: file or folder not found: {short_repr(value)} (looked at "
                f"{short_repr(str(path), 200)})."
            )
        if key == "extract":
            _extract_not_in_git(value, path)
        return value


def _extract_not_in_git(value: str, path: Path) -> None:
    """A real extract named by data.extract must not be tracked by git or unignored in it.

    The shipped synthetic extract (``synthetic``, or its path) is the one exception.
    """
    if not path.is_file() or path.resolve() == SYNTHETIC_EXTRACT.resolve():
        return
    from sa_lib.data.extract_mapping import UnsafeOutputError, check_output_path

    try:
        check_output_path(path)
    except UnsafeOutputError as e:
        raise Problems(
            f"data.extract={short_repr(value)}: a force extract must not be in git. "
            f"{str(e).splitlines()[0]} Fix: move it under data/processed/ or data/raw/ "
            f"(git-ignored), or outside the repository, and point data.extract there."
        ) from None


class Statistics(Section):
    """Statistical settings printed in every report."""

    alpha: float = option(0.05, "significance level, strictly between 0 and 1 (e.g. 0.05)")
    conf_level: float = option(
        0.95, "confidence level of intervals, strictly between 0 and 1 (e.g. 0.95)"
    )
    correction: Literal["none", "fdr_bh", "bonferroni"] = option(
        "fdr_bh", "multiple-comparison method"
    )
    seed: int = option(
        20250401, "random seed for permutation tests and Monte Carlo", ge=0, le=2**32 - 1
    )
    rate_per: Literal[1000, 10000, 100000] = option(1000, "rates per N residents")
    permutations: int = option(999, "permutations for Gi* p-values", ge=19, le=99_999)
    series_months: int = option(
        24,
        "the most months a series reads (trends, control charts, seasonality, targets, "
        "projections, emerging hot spots, the dispersion of change tests): the unbroken run of "
        "months held ending with the period, at most this many; 24 keeps every pack the same "
        "however far back the store goes, a longer run shows longer trends when the store "
        "holds them",
        ge=12,
        le=240,
    )

    @field_validator("alpha", "conf_level", mode="before")
    @classmethod
    def _open_unit(cls, value: Any, info) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool) and not 0 < value < 1:
            raise Problems(
                f"statistics.{info.field_name}={value!r} must be strictly between 0 and 1 "
                f"(e.g. 0.05 / 0.95)."
            )
        return value


class Disclosure(Section):
    """Disclosure control defaults (a theme section can override)."""

    threshold: int = option(10, "counts below this are shown as '<N'", ge=1, le=1000)
    secondary: bool = option(True, "secondary suppression so totals cannot reveal a cell")
    suppress_zero: bool = option(False, "also suppress zeros")
    published_counts: Literal["show", "suppress"] = option(
        "show",
        "'show': themes built only on police.uk data (overview, hot spots, place profile) show "
        "the counts police.uk already publishes street by street, unsuppressed; sensitive themes "
        "and every figure from a force extract keep the threshold and secondary suppression. "
        "'suppress': the threshold applies everywhere",
    )


#: Ranges of the numbers in each ``targets`` entry (documented in docs/parameters.md).
TARGET_RANGES = {
    "reduction_pct": (0, 100),
    "baseline_year": (2010, 2100),
    "target_year": (2010, 2100),
}
_TARGET_KEYS = {"crime_type", "reduction_pct", "baseline_year", "target_year"}


def range_text(rng: tuple) -> str:
    """``(1, 1000)`` -> ``'between 1 and 1,000'``."""
    lo, hi = rng
    if lo is not None and hi is not None:
        return f"between {lo:,} and {hi:,}"
    return f"at least {lo:,}" if lo is not None else f"at most {hi:,}"


class Target(Section):
    """One reduction target: a crime type, a percentage and two years."""

    crime_type: str = option(..., "the crime type (as police.uk names it)")
    reduction_pct: float = option(..., "reduction in per cent", ge=0, le=100)
    baseline_year: int = option(..., "the year measured from", ge=2010, le=2100)
    target_year: int = option(..., "the year the target is for", ge=2010, le=2100)


class Priority(Target):
    """One of the partnership's current priorities (a target with an optional name)."""

    model_config = {"strict": False}

    name: str | None = option(None, "the priority's name")


def _target_problems(i: int, t: dict) -> list[str]:
    out = []
    for key, rng in TARGET_RANGES.items():
        v = t.get(key)
        lo, hi = rng
        if isinstance(v, bool) or not isinstance(v, int | float) or not lo <= v <= hi:
            out.append(
                f"targets[{i}].{key}={short_repr(v)} is out of range: it must be a number "
                f"{range_text(rng)}. Fix: set targets[{i}].{key} within that range."
            )
    by, ty = t.get("baseline_year"), t.get("target_year")
    if not out and ty <= by:
        out.append(
            f"targets[{i}].target_year={ty} is not after targets[{i}].baseline_year={by}. "
            f"Fix: give a target year after the baseline year."
        )
    return out


class Document(Section):
    """Document control shown on the summary and in every footer."""

    author: str | None = option(None, "author (a team, not a person's contact)")
    version: str | None = option(None, "document version, e.g. '0.3'", type_text="text or a number")
    status: Literal["draft", "final"] = option("draft", "document status")
    protective_marking: str | None = option(
        None, "protective marking, e.g. OFFICIAL or OFFICIAL-SENSITIVE"
    )
    distribution: list[str] = option(None, "who the pack is for (groups)", default_factory=list)

    @field_validator("version", mode="before")
    @classmethod
    def _number_as_text(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


class Project(Section):
    """A project of the current plan, reviewed in the board paper."""

    name: str = option(..., "the project's name")
    owner: str | None = option(
        None, "who owns it (an organisation or role, not a person's contact)"
    )
    status: str | None = option(None, "where it stands, e.g. 'on track', 'delayed', 'complete'")
    spend: float | None = option(None, "spend to date in pounds", ge=0)
    priority: str | None = option(None, "the current priority it serves (its name)")


class Decision(Section):
    """One decision the board took, recorded by the analyst after the meeting."""

    decision: str = option(..., "what was decided")
    owner: str | None = option(None, "who acts on it")
    due: str | None = option(None, "by when, e.g. 'March 2026'")


class Board(Section):
    """The board paper (board_paper.html): what the analyst adds to the results."""

    purpose: Literal["decision", "discussion", "information"] = option(
        "decision", "what the paper is for: decision, discussion or information"
    )
    meeting: str | None = option(None, "the meeting and its date, e.g. 'CSP board, 12 March 2026'")
    asks: list[str] = option(
        None,
        "further things the partnership is asked to do (added after the generated ones)",
        default_factory=list,
    )
    projects: list[Project] = option(
        None,
        "projects of the current plan: list of {name, owner, status, spend, priority}",
        default_factory=list,
    )
    financial_implications: str | None = option(
        None, "financial implications (the paper says 'to complete' when not set)"
    )
    equality_implications: str | None = option(
        None, "equality implications (the paper says 'to complete' when not set)"
    )
    decisions: list[Decision] = option(
        None,
        "the decisions record, filled after the meeting: list of {decision, owner, due}",
        default_factory=list,
    )


class Comparison(Section):
    """Comparison with the wider area and peers."""

    peers: list[str] = option(
        None, "LAD codes of peer CSPs for the funnel plot", default_factory=list
    )
    wider_area_name: str = option("force area", "name of the wider area")
    funnel_overdispersion: Literal["none", "multiplicative", "additive"] = option(
        "additive",
        "funnel-plot limits: Poisson only, or adjusted for overdispersion (Spiegelhalter 2005)",
    )

    @field_validator("peers", mode="before")
    @classmethod
    def _lad_codes(cls, value: Any) -> Any:
        if isinstance(value, list):
            bad = [p for p in value if not re.fullmatch(r"[EW]0[6-9]\d{6}", str(p))]
            if bad:
                raise Problems(
                    [
                        f"comparison.peers: {short_repr(p)} is not a LAD code (like E07000011)."
                        for p in bad
                    ]
                )
        return value


def _kernels() -> set[str] | None:
    """Installed Jupyter kernel names (None if jupyter_client cannot tell)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return set(KernelSpecManager().find_kernel_specs())
    except Exception:  # noqa: BLE001 - an unusual install: the run will report it
        return None


class Run(Section):
    """How the pack runs."""

    kernel: str = option(
        "sa-workbench",
        "Jupyter kernel for papermill (must be installed: `jupyter kernelspec list`)",
        kind="kernel",
    )
    workers: int = option(2, "notebooks run in parallel", ge=1, le=64)
    cell_timeout: int = option(600, "seconds a cell may run", ge=1, le=86_400)

    @field_validator("kernel", mode="after")
    @classmethod
    def _installed(cls, kernel: str) -> str:
        have = _kernels()
        if have is not None and kernel not in have:
            raise Problems(
                f"run.kernel={short_repr(kernel)}: no such Jupyter kernel is installed. Valid "
                f"kernels here: {', '.join(sorted(have)) or 'none'}. Fix: set run.kernel "
                f"to one of them (see `jupyter kernelspec list`), or install it."
            )
        return kernel


class ResolvedPaths(Section):
    """Every path in the parameters as an absolute path, resolved once when they load.

    The ``data.*`` inputs: ``'national'`` stays ``'national'`` (the shipped reference);
    ``data.extract: synthetic`` is the shipped synthetic extract's path; an unset input
    is None. Besides them, ``scoring`` (``summary.scoring``) and ``place_polygon``
    (``place_profile.area`` of type polygon), None when not set. Theme code reads
    paths from here and never resolves one itself.
    """

    model_config = {"strict": False, "arbitrary_types_allowed": True}

    store: Path
    boundaries: Path | Literal["national"]
    population: Path | Literal["national"]
    deprivation: Path | Literal["national"] | None = None
    force_counts: Path | None = None
    force_outcomes: Path | None = None
    annotations: Path
    harm_weights: Path | None = None
    extract: Path | None = None
    licensed_premises: Path | None = None
    events: Path | None = None
    cse_indicators: Path | None = None
    cse_quarterly: Path | None = None
    previous_priority_wards: Path | None = None
    ambulance: Path | None = None
    partner_indicators: Path | None = None
    partner_mapping: Path | None = None
    scoring: Path | None = None
    place_polygon: Path | None = None

    @classmethod
    def of(
        cls,
        data: Data,
        summary: SummaryOptions | None = None,
        place_profile: PlaceProfileOptions | None = None,
    ) -> ResolvedPaths:
        """Resolve every input of a :class:`Data` section and the theme options' paths.

        The only place a path in the parameters is resolved.
        """
        out: dict[str, Any] = {}
        if summary is not None and summary.scoring is not None:
            out["scoring"] = resolve_path(summary.scoring)
        area = place_profile.area if place_profile is not None else None
        if isinstance(area, dict) and area.get("type") == "polygon" and area.get("value"):
            out["place_polygon"] = resolve_path(str(area["value"]))
        for key in Data.model_fields:
            v = getattr(data, key)
            if v is None or (key in NATIONAL_KEYS and v == "national"):
                out[key] = v
            elif key == "extract" and v == "synthetic":
                out[key] = SYNTHETIC_EXTRACT
            else:
                out[key] = resolve_path(v)
        return cls.model_construct(**out)


#: The options model of each theme with its own parameters section, in reference order.
THEME_MODELS: dict[str, type[Section]] = {
    "domestic_abuse": DomesticAbuseOptions,
    "cse": CseOptions,
    "violence": ViolenceOptions,
    "overview": OverviewOptions,
    "hotspots": HotspotsOptions,
    "place_profile": PlaceProfileOptions,
    "summary": SummaryOptions,
    "wards": WardsOptions,
    "outcomes": OutcomesOptions,
}


def _theme_field(theme: str) -> Any:
    return Field(default_factory=THEME_MODELS[theme], description=f"options for the {theme} theme")


def _notebook_themes() -> list[str]:
    return sorted(f.stem for f in config.NOTEBOOKS_DIR.glob("*.ipynb"))


class Params(Section):
    """A validated parameters file: every section typed, defaulted and documented.

    Built by :func:`sa_lib.pack.params.load_params` (which adds the checks across
    sections and against the store). :attr:`paths` holds every input path resolved.
    """

    title: str | None = option(None, "report title (default: '<CSP> Community Safety Partnership')")
    csp: Csp = Field(..., description="the Community Safety Partnership")
    period: str = option(
        ...,
        f"the assessment period: {PERIOD_FORMS}",
        kind="period",
        type_text="text or a whole number",
    )
    baseline_year: int | None = option(
        None, "calendar year for long-term comparison", ge=2010, le=2100, kind="year"
    )
    themes: list[str] = option(..., "theme notebooks to run, in order", kind="theme_list")
    data: Data = Field(..., description="input files (relative to the project root, or absolute)")
    statistics: Statistics = Field(
        default_factory=Statistics, description="statistical settings printed in every report"
    )
    disclosure: Disclosure = Field(
        default_factory=Disclosure,
        description="disclosure control defaults (a theme section can override)",
    )
    targets: list[Target] = option(
        None,
        "list of {crime_type, reduction_pct (0 to 100), baseline_year, target_year "
        "(2010 to 2100, target after baseline)}",
        default_factory=list,
    )
    priorities: list[Priority] = option(
        None,
        "the partnership's current priorities, reviewed on the summary: list of "
        "{name, crime_type, reduction_pct, baseline_year, target_year}",
        default_factory=list,
    )
    document: Document = Field(
        default_factory=Document,
        description="document control shown on the summary and in every footer",
    )
    comparison: Comparison = Field(
        default_factory=Comparison, description="comparison with the wider area and peers"
    )
    board: Board = Field(
        default_factory=Board,
        description="the board paper: purpose, projects, implications, decisions",
    )
    run: Run = Field(default_factory=Run, description="how the pack runs")
    domestic_abuse: DomesticAbuseOptions = _theme_field("domestic_abuse")
    cse: CseOptions = _theme_field("cse")
    violence: ViolenceOptions = _theme_field("violence")
    overview: OverviewOptions = _theme_field("overview")
    hotspots: HotspotsOptions = _theme_field("hotspots")
    place_profile: PlaceProfileOptions = _theme_field("place_profile")
    summary: SummaryOptions = _theme_field("summary")
    wards: WardsOptions = _theme_field("wards")
    outcomes: OutcomesOptions = _theme_field("outcomes")

    _paths: ResolvedPaths | None = PrivateAttr(None)
    _source: Path | None = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _default_title(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("title"):
            csp = data.get("csp")
            if isinstance(csp, dict) and isinstance(csp.get("name"), str) and csp["name"]:
                data = {**data, "title": f"{csp['name']} Community Safety Partnership"}
        return data

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int):
            return value  # the type check reports it
        try:
            parse_period(value)
        except ValueError as e:
            raise Problems(str(e)) from None
        return str(value)

    @field_validator("baseline_year", mode="after")
    @classmethod
    def _baseline_before_period(cls, year: int | None, info) -> int | None:
        period = info.data.get("period")
        if year is not None and period is not None:
            per = parse_period(period)
            if year > per.end.year:
                raise Problems(
                    f"baseline_year={year} is after the period {per.label}; choose an earlier year."
                )
        return year

    @field_validator("themes", mode="before")
    @classmethod
    def _themes(cls, themes: Any) -> Any:
        if not isinstance(themes, list):
            return themes
        available = _notebook_themes()
        problems = []
        if not themes:
            problems.append(f"themes is empty; list at least one of: {', '.join(available)}.")
        bad = [t for t in themes if not isinstance(t, str)]
        if bad:
            problems.append(
                f"themes must list theme names (text), got {short_repr(bad[0])}. "
                f"Valid themes: {', '.join(available)}."
            )
        for t in (t for t in themes if isinstance(t, str) and t not in available):
            problems.append(
                f"theme {short_repr(t)} has no notebook notebooks/{t[:60]}.ipynb. Valid "
                f"themes: {', '.join(available)}. To add a theme, add its notebook and list it here."
            )
        if len(set(map(repr, themes))) != len(themes):
            problems.append("themes lists a theme twice; list each once.")
        if problems:
            raise Problems(problems)
        return themes

    @field_validator("targets", mode="before")
    @classmethod
    def _targets(cls, targets: Any) -> Any:
        if not isinstance(targets, list):
            return targets
        problems = []
        for i, t in enumerate(targets):
            if not isinstance(t, dict) or set(t) != _TARGET_KEYS:
                problems.append(
                    f"targets[{i}] must have exactly the keys {', '.join(sorted(_TARGET_KEYS))}; "
                    f"got {short_repr(t)}."
                )
                continue
            problems += _target_problems(i, t)
        if problems:
            raise Problems(problems)
        return targets

    @field_validator("priorities", mode="before")
    @classmethod
    def _priorities(cls, items: Any) -> Any:
        if not isinstance(items, list):
            return items
        problems = []
        for i, t in enumerate(items):
            if not isinstance(t, dict) or not _TARGET_KEYS <= set(t) <= _TARGET_KEYS | {"name"}:
                problems.append(
                    f"priorities[{i}] must have the keys {', '.join(sorted(_TARGET_KEYS))} (and "
                    f"optionally name); got {short_repr(t)}."
                )
        if problems:
            raise Problems(problems)
        return items

    @model_validator(mode="after")
    def _resolve_paths(self) -> Params:
        self._paths = ResolvedPaths.of(self.data, self.summary, self.place_profile)
        return self

    @property
    def paths(self) -> ResolvedPaths:
        """Every ``data.*`` input resolved to an absolute path (see :class:`ResolvedPaths`)."""
        if self._paths is None:
            self._paths = ResolvedPaths.of(self.data, self.summary, self.place_profile)
        return self._paths

    @property
    def source(self) -> Path | None:
        """The parameters file these were read from (absolute), or None if not from a file."""
        return self._source

    def theme_options(self, theme: str) -> Section | None:
        """The options section of ``theme`` (None for a theme without one)."""
        return getattr(self, theme) if theme in THEME_MODELS else None

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dicts, as the old loader returned (for YAML and JSON)."""
        return super().to_dict()
