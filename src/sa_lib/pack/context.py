"""The assessment context a theme notebook opens: parameters, periods, geography, data.

A notebook's only set-up line is ``ctx = open_context(params_path, "overview")``;
every theme gets the same validated parameters, the same CSP geography and the
same slice of the store, so the pack and an analyst's interactive run agree.

Examples
--------
>>> from sa_lib.pack.context import open_context  # doctest: +SKIP
>>> ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "overview")  # doctest: +SKIP
>>> ctx.period.label, len(ctx.crimes) > 0  # doctest: +SKIP
('Q4 2025 (Oct-Dec)', True)
"""

from __future__ import annotations

import logging
import os
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from sa_lib import memo
from sa_lib.choices import choices_table, clear_choices, record_choice
from sa_lib.data.annotations import load_annotations
from sa_lib.data.coverage import SERIES_MAX_MONTHS, contiguous_run, month_ranges
from sa_lib.data.geography import CSPGeography, assign_to_csp, build_geography, csp_lsoa_codes
from sa_lib.data.periods import Period
from sa_lib.data.store import load_street
from sa_lib.pack.params import (
    load_params,
    period_coverage,
    published_disclosure,
    theme_disclosure,
)
from sa_lib.pack.params_base import Section
from sa_lib.pack.params_model import Params, Statistics
from sa_lib.stats.disclosure import disclosure_settings, record_disclosure_settings

__all__ = ["Context", "EffectiveDisclosure", "ReadOnlyOptions", "load_extract_once", "open_context"]

logger = logging.getLogger("sa_lib")


class ReadOnlyOptions:
    """A theme's options as read from the parameters: typed attributes, read-only.

    ``ctx.options.top_wards`` reads the theme's section of the typed parameters
    (``ctx.params.<theme>``). Changing ``ctx.options`` would not change what the
    theme computed (the context was built from the parameters), so it is refused
    with the way to do it.

    Examples
    --------
    >>> from sa_lib.pack.params_themes import PlaceProfileOptions
    >>> o = ReadOnlyOptions(PlaceProfileOptions(area={"type": "ward", "value": "North"}),
    ...                     theme="place_profile")
    >>> o.area
    {'type': 'ward', 'value': 'North'}
    >>> o.area = "South"
    Traceback (most recent call last):
    ...
    TypeError: ctx.options is read-only (it was read from the parameters). To change place_profile.area, open the context again with open_context(params_path, "place_profile", overrides={"place_profile.area": ...}), or run the notebook with papermill -p.
    """

    __slots__ = ("_section", "_theme")

    def __init__(self, section: Section | None, theme: str = "<theme>") -> None:
        object.__setattr__(self, "_section", section)
        object.__setattr__(self, "_theme", theme)

    def _names(self) -> list[str]:
        return [] if self._section is None else list(type(self._section).model_fields)

    def __getattr__(self, name: str):
        if name.startswith("_") or name not in self._names():
            raise AttributeError(
                f"{self._theme} has no option {name!r}; its options: "
                f"{', '.join(self._names()) or 'none'}."
            )
        return getattr(self._section, name)

    def to_dict(self) -> dict:
        """The options as a plain dict (for display and YAML)."""
        return {} if self._section is None else self._section.to_dict()

    def _refuse(self, key: object = "<key>", *args, **kwargs):
        raise TypeError(
            "ctx.options is read-only (it was read from the parameters). To change "
            f"{self._theme}.{key}, open the context again with open_context(params_path, "
            f'"{self._theme}", overrides={{"{self._theme}.{key}": ...}}), or run the notebook '
            "with papermill -p."
        )

    __setattr__ = __setitem__ = _refuse

    def __delattr__(self, key):
        self._refuse(key)


@dataclass(frozen=True)
class EffectiveDisclosure:
    """A theme's effective disclosure settings (read-only): what ``ctx.disclosure`` holds.

    Built once in :func:`open_context` from the run-wide and the theme's own settings
    (:func:`sa_lib.pack.params.theme_disclosure`) and the published-counts policy
    (:func:`sa_lib.pack.params.published_disclosure`).

    Attributes
    ----------
    threshold, secondary, suppress_zero
        What the theme's police.uk tables use.
    published : bool
        True when those are police.uk's published counts (threshold 1, no secondary
        suppression); :attr:`strict` then holds the theme's own settings.
    strict_settings : EffectiveDisclosure or None
        The theme's own settings when ``published`` (else None: they are these).

    Examples
    --------
    >>> d = EffectiveDisclosure.of({"threshold": 1, "secondary": False, "published": True,
    ...     "strict": {"threshold": 10, "secondary": True, "suppress_zero": False}})
    >>> d.threshold, d.published, d.strict.threshold, d.strict.published
    (1, True, 10, False)
    """

    threshold: int
    secondary: bool = True
    suppress_zero: bool = False
    published: bool = False
    strict_settings: EffectiveDisclosure | None = None

    @property
    def strict(self) -> EffectiveDisclosure:
        """The theme's own (strict) settings: for figures from a force extract."""
        return self if self.strict_settings is None else self.strict_settings

    @classmethod
    def of(cls, settings: Mapping) -> EffectiveDisclosure:
        """From the dict :func:`sa_lib.pack.params.published_disclosure` returns."""
        strict = settings.get("strict")
        own = None
        if settings.get("published") and strict:
            own = cls(
                threshold=int(strict["threshold"]),
                secondary=bool(strict["secondary"]),
                suppress_zero=bool(strict.get("suppress_zero", False)),
            )
        return cls(
            threshold=int(settings["threshold"]),
            secondary=bool(settings.get("secondary", True)),
            suppress_zero=bool(settings.get("suppress_zero", False)),
            published=bool(settings.get("published", False)),
            strict_settings=own,
        )


@dataclass
class Context:
    """Everything a theme notebook needs.

    Attributes
    ----------
    params : Params
        The validated, typed parameters (frozen; defaults filled in; paths resolved once
        in ``params.paths``): ``ctx.params.statistics.alpha``,
        ``ctx.params.comparison.wider_area_name``, ``ctx.params.hotspots.cell_size``.
    theme : str
    period : Period
        The assessment period.
    periods : dict of str -> Period
        The periods the CSP's force holds in full, of ``current``, ``previous``,
        ``last_year``, ``baseline`` (if set). A comparison the store does not hold is
        left out (so nothing is computed from it) and listed in ``unavailable``.
    geo : CSPGeography
    crimes : DataFrame
        The CSP's street rows (crime and ASB) for every month its own force holds
        up to the end of the period, loaded by LSOA codes of both vintages and
        placed with ``lsoa21_code``, ``ward_code``, ``ward_name``, ``placement``.
    annotations : DataFrame
        Recording-practice changes.
    disclosure : EffectiveDisclosure
        This theme's disclosure settings (``ctx.disclosure.threshold``, ``.secondary``,
        ``.suppress_zero``, ``.published``, ``.strict``), read-only.
    stats : Statistics
        ``alpha``, ``conf_level``, ``correction``, ``seed``, ``rate_per``, ``permutations``
        (the typed, read-only ``params.statistics``: ``ctx.stats.alpha``).
    """

    params: Params
    theme: str
    period: Period
    periods: dict[str, Period]
    geo: CSPGeography
    crimes: pd.DataFrame
    annotations: pd.DataFrame
    disclosure: EffectiveDisclosure
    stats: Statistics
    months_present: list[str] = field(default_factory=list)
    forces: list[str] | None = None
    unavailable: dict[str, Period] = field(default_factory=dict)
    coverage_warnings: list[str] = field(default_factory=list)
    #: Set when a theme reads the series (its Methods then state the months used).
    series_used: bool = field(default=False, repr=False, compare=False)

    @property
    def series_max_months(self) -> int:
        """The most months a series reads (``statistics.series_months``, default 24)."""
        self.series_used = True
        return self.params.statistics.series_months

    @property
    def series_months(self) -> list[str]:
        """Months a series (trend, SPC, seasonality, targets, emerging hot spots) may use.

        The unbroken run of months the force holds ending with the period, at most
        :attr:`series_max_months` of them (``statistics.series_months``, default 24): a
        gap ends the series, so no chart or test treats an unheld month as zero, and older
        years added to the store do not change a pack's trends.
        """
        run = contiguous_run(self.months_present, self.period.months[-1])
        return run[-self.series_max_months :]

    @property
    def series_note(self) -> str | None:
        """A plain sentence when a gap in the data cut the series short, else None."""
        held = [m for m in self.months_present if m <= self.period.months[-1]]
        run = self.series_months
        full = contiguous_run(self.months_present, self.period.months[-1])
        if not run or len(run) == len(held) or len(full) > len(run):
            return None
        return (
            f"Trends and control charts use {month_ranges(run)} only: the data have a gap "
            f"before {run[0]} (months held: {month_ranges(held)}), and months not held are "
            f"never counted as zero."
        )

    def series(self, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Rows of ``df`` (default the CSP's crimes) in :attr:`series_months`."""
        d = self.crimes if df is None else df
        return d[d["month"].isin(self.series_months)]

    @property
    def csp_name(self) -> str:
        return self.params.csp.name

    @property
    def store(self) -> Path:
        return self.params.paths.store

    def path(self, key: str):
        """The resolved path of ``data.<key>`` from the parameters, or None if not set."""
        return getattr(self.params.paths, key)

    @property
    def rate_per(self) -> int:
        return int(self.stats.rate_per)

    @property
    def rate_label(self) -> str:
        return f"per {self.rate_per:,} residents"

    @property
    def extract_disclosure(self) -> EffectiveDisclosure:
        """Disclosure settings for figures from a force extract: always the strict ones."""
        return replace(self.disclosure.strict, published=False, strict_settings=None)

    @property
    def options(self) -> ReadOnlyOptions:
        """This theme's own parameters section (empty if none); read-only, see :class:`ReadOnlyOptions`."""
        section = self.params.theme_options(self.theme)
        return ReadOnlyOptions(section, theme=self.theme)

    def __setattr__(self, name, value):
        if name == "options":
            ReadOnlyOptions(None, theme=self.__dict__.get("theme", "<theme>"))._refuse("<key>")
        super().__setattr__(name, value)

    @property
    def months_wanted(self) -> list[str]:
        """Every month of every comparison period, held or not (for the data-quality check)."""
        every = {**self.periods, **self.unavailable}
        return sorted({m for p in every.values() for m in p.months})

    @property
    def months_in_view(self) -> list[str]:
        """Every month of the comparison periods held, sorted."""
        return sorted({m for p in self.periods.values() for m in p.months})

    @cached_property
    def no_location(self) -> pd.DataFrame:
        """The force's rows with no location over the months in view."""
        return load_street(
            self.store,
            months=self.months_in_view,
            lsoa_codes=[],
            include_no_location=True,
            forces=self.forces,
        )

    @cached_property
    def force_counts(self) -> pd.DataFrame | None:
        """Force-wide counts by LAD x month x crime type (``data.force_counts``), or None."""
        from sa_lib.stats.comparison import load_force_counts

        path = self.path("force_counts")
        return None if path is None else load_force_counts(path)

    @cached_property
    def force_located_count(self) -> int | None:
        """Located rows for the whole force over the months in view, or None if unknown.

        From ``data.force_counts`` when given (it counts every LAD); otherwise from
        the store, but only when the store holds rows outside this CSP (a store
        with just this CSP's rows cannot say how unlocated rows would spread).
        """
        months = self.months_in_view
        if self.force_counts is not None:
            fc = self.force_counts
            fc = fc[fc["month"].isin(months) & ~fc["lad_code"].str.startswith("(")]
            return int(fc["count"].sum())
        df = load_street(self.store, months=months, columns=["lsoa_code"], forces=self.forces)
        located = df["lsoa_code"].dropna()
        if located.isin(self.geo.lsoas["lsoa21_code"]).all():
            return None
        return int(len(located))

    @property
    def extract_path(self):
        """The force extract's path: ``data.extract``, or the shipped synthetic one for 'synthetic'."""
        return self.params.paths.extract

    @cached_property
    def extract(self) -> pd.DataFrame | None:
        """The force extract's rows in the CSP up to the end of the period (None if no extract).

        Rows are placed by LSOA like police.uk rows, with ``lsoa21_code``,
        ``ward_code`` and ``ward_name`` added.
        """
        path = self.extract_path
        if path is None:
            return None
        df = load_extract_once(path)
        df = assign_to_csp(df, self.geo)
        df = df[df["month"] <= self.period.months[-1]].reset_index(drop=True)
        synthetic = bool(df["synthetic"].fillna(False).any()) if "synthetic" in df else False
        record_choice(
            "force extract",
            f"{path.name} ({len(df):,} rows in the CSP)" + (" SYNTHETIC" if synthetic else ""),
            "data.extract in the parameters",
            source="parameters",
        )
        return df

    @property
    def extract_synthetic(self) -> bool:
        """True when the extract in use is synthetic (every page using it says so)."""
        ex = self.extract
        return ex is not None and "synthetic" in ex and bool(ex["synthetic"].fillna(False).any())

    def last_months(self, n: int = 12, df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Rows of ``df`` (default the CSP's crimes) in the ``n`` months ending with the period."""
        d = self.crimes if df is None else df
        end = self.period.end
        months = [str(end - k) for k in range(n)]
        return d[d["month"].isin(months)]

    def in_period(self, key: str = "current", df: pd.DataFrame | None = None) -> pd.DataFrame:
        """Rows of ``df`` (default the CSP's crimes) in one of the named periods."""
        d = self.crimes if df is None else df
        return d[d["month"].isin(self.periods[key].months)]


#: The force extracts loaded (and checked for personal data) in this process, by file.
_EXTRACTS: OrderedDict = OrderedDict()


def load_extract_once(path) -> pd.DataFrame:
    """The force extract at ``path``, loaded and checked once per process and file version.

    Every theme of every CSP of a run reads the same extract: the load and its
    personal-data scan (:func:`sa_lib.data.extract.load_extract`) run once, keyed on
    the file's path, size and modification time. An extract that is refused is never
    kept, so it is refused again. Warnings of the first load are raised again for each
    caller (each page shows its notes). Callers get a copy.

    Examples
    --------
    >>> from sa_lib import config
    >>> p = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"
    >>> load_extract_once(p) is not load_extract_once(p)
    True
    """
    from sa_lib.data.extract import load_extract

    p = Path(path)
    st = p.stat() if p.exists() else None
    key = (str(p.resolve()), st and st.st_size, st and st.st_mtime_ns)
    hit = _EXTRACTS.get(key) if st else None
    if hit is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = load_extract(path)
        hit = (df, list(caught))
        if st:
            _EXTRACTS[key] = hit
            while len(_EXTRACTS) > 1:
                _EXTRACTS.popitem(last=False)
    df, caught = hit
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return df.copy()


#: The last CSP slices built in this process (a warm kernel runs every theme of a CSP).
_SLICES: OrderedDict = OrderedDict()
_SLICES_KEPT = 2


def _file_sig(path) -> tuple:
    p = Path(path)
    if p.is_dir():
        return tuple(sorted((str(f), f.stat().st_mtime_ns) for f in p.rglob("*") if f.is_file()))
    return (str(p), p.stat().st_mtime_ns) if p.exists() else (str(p), None)


def _slice_key(params: Params, period: Period) -> tuple:
    """What the geography and store slice depend on: codes, input files (with mtimes), period."""
    paths = params.paths
    store = paths.store
    parts = tuple(
        (str(f), f.stat().st_mtime_ns, f.stat().st_size)
        for f in sorted((store / "street").glob("*/*.parquet"))
    )
    lads = tuple(params.csp.lad_codes)
    files = tuple(
        (p if p == "national" else _file_sig(p)) if p else None
        for p in (paths.boundaries, paths.population, paths.deprivation)
    )
    months = params.statistics.series_months
    return (lads, files, str(store), parts, period.months[-1], months)


def months_used(held, period: Period, periods, max_months: int = SERIES_MAX_MONTHS) -> list[str]:
    """The held months a pack reads: the series (``max_months`` of the unbroken run ending
    with the period, ``statistics.series_months``) and every held month of its comparison
    periods.

    Older months in the store are not read, so adding them changes no table or finding.

    Examples
    --------
    >>> from sa_lib.data.periods import parse_period
    >>> held = [f"{y}-{m:02d}" for y in (2022, 2023, 2024, 2025) for m in range(1, 13)]
    >>> used = months_used(held, parse_period("2025-Q4"), [parse_period("2024-Q4")])
    >>> used[0], used[-1], len(used)
    ('2024-01', '2025-12', 24)
    """
    end = period.months[-1]
    series = contiguous_run(held, end)[-max_months:]
    wanted = {m for p in periods for m in p.months} | set(series)
    return [m for m in held if m <= end and m in wanted]


#: The last CSP geographies built in this process: a geography does not depend on the
#: period, so a pack of another period (or a rerun with another setting) reuses it.
_GEOS: OrderedDict = OrderedDict()
_GEOS_KEPT = 4


def _geography(params: Params) -> CSPGeography:
    """The CSP's geography (:func:`build_geography`), built once per process, CSP and inputs.

    Keyed by the LAD codes and the boundaries, population and deprivation inputs (each
    file with its modification time). The choices recorded and the warnings raised while
    building it are recorded and raised again on every later call (:func:`sa_lib.memo.once`),
    which gets a copy.
    """
    paths = params.paths  # 'national', a resolved path, or None: as build_geography takes them
    inputs = (paths.boundaries, paths.population, paths.deprivation)
    key = (
        tuple(params.csp.lad_codes),
        tuple((p if p == "national" else _file_sig(p)) if p else None for p in inputs),
    )
    return memo.once(_GEOS, _GEOS_KEPT, key, lambda: build_geography(params.csp.lad_codes, *inputs))


def _build_slice(params: Params, period: Period):
    paths = params.paths
    geo = _geography(params)
    store = paths.store
    cov = period_coverage(params)
    forces, months_present = cov["forces"], cov["held"]
    from sa_lib.data.periods import calendar_year

    years = {t.baseline_year for t in [*params.targets, *params.priorities] if t.baseline_year}
    extra = [calendar_year(int(y)) for y in years]
    months = months_used(
        months_present,
        period,
        [*cov["periods"].values(), *extra],
        params.statistics.series_months,
    )
    # The CSP's own force's rows, by LSOA codes of both vintages (data.vintage places them).
    raw = load_street(store, months=months, lsoa_codes=csp_lsoa_codes(geo), forces=forces)
    crimes = assign_to_csp(raw, geo)
    if forces:
        record_choice(
            "police force data used",
            f"{', '.join(forces)}: {month_ranges(months)}",
            "the CSP's own police force area (ONS LAD to CSP to PFA lookup); other forces' rows "
            "and months in the store are not used",
        )
    return geo, crimes, months_present


def _csp_slice(params: Params, period: Period):
    """The CSP's geography, street rows and store months, built once per process and CSP.

    Every theme of a CSP needs the same slice; in a warm kernel the second theme
    takes it from here. The choices recorded and the warnings raised while building
    it are recorded and raised again for each theme, so every report's Methods and
    notes are the same as if it had built the slice itself. Callers get copies.
    """
    key = _slice_key(params, period)
    hit = _SLICES.get(key)
    if hit is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            built = _build_slice(params, period)
        choices = choices_table().to_dict("records")
        seen, kept = set(), []
        for w in caught:
            sig = (str(w.message), w.category)
            if sig not in seen:
                seen.add(sig)
                kept.append(w)
        hit = (*built, choices, kept)
        _SLICES[key] = hit
        while len(_SLICES) > _SLICES_KEPT:
            _SLICES.popitem(last=False)
    else:
        _SLICES.move_to_end(key)
    geo, crimes, months_present, choices, caught = hit
    for c in choices:
        record_choice(c["choice"], c["value"], c["reason"], source=c["source"])
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    geo = replace(
        geo,
        lad_codes=list(geo.lad_codes),
        lsoas=geo.lsoas.copy(),
        wards=geo.wards.copy(),
        boundary=geo.boundary.copy(),
        lsoa11_to_lsoa21=geo.lsoa11_to_lsoa21.copy(),
    )
    return geo, crimes.copy(), list(months_present)


def open_context(
    params_path: str | os.PathLike[str], theme: str, overrides: dict | None = None
) -> Context:
    """Load and validate the parameters, then the CSP's geography and data.

    Parameters
    ----------
    params_path : path-like
        The parameters YAML (relative to the project root or absolute).
    theme : str
        The theme notebook's name (selects its options and disclosure settings).
    overrides : dict, optional
        Parameters to change for this run without a new YAML, by dotted name:
        ``{"period": "2025-Q3", "place_profile.area": {"type": "ward", "value": "Ramsey"}}``.
        ``None`` values are ignored (a notebook parameter left at ``None`` keeps the
        file's value). They are validated like the file.

    Returns
    -------
    Context
    """
    clear_choices()
    params = load_params(params_path, overrides=overrides)
    for key, value in (overrides or {}).items():
        if value is not None:
            record_choice(key, value, "changed for this run (overrides)", source="parameters")
    cov = period_coverage(params)
    all_periods = cov["periods"]
    period = all_periods["current"]
    periods = {k: v for k, v in all_periods.items() if k not in cov["missing"]}
    unavailable = {k: v for k, v in all_periods.items() if k in cov["missing"]}
    forces = cov["forces"]
    geo, crimes, months_present = _csp_slice(params, period)
    if not crimes["month"].isin(period.months).any():
        # police.uk never has a whole CSP without a single crime or ASB report in a
        # held month: the store holds part of the force only (e.g. another CSP's
        # sample), and its empty LSOAs must not be published as zeros.
        held_by = f"the {', '.join(forces)} force" if forces else "the store"
        raise ValueError(
            f"{params_path}: {held_by} holds {period.label} in the store, but not one "
            f"police.uk row falls in {params.csp.name}'s LSOAs. The "
            f"store holds part of the force only (the shipped sample holds Huntingdonshire "
            f"alone). Fix: `sa ingest` the force's full data.police.uk files for these months."
        )
    for key, per in unavailable.items():
        record_choice(
            f"{key.replace('_', ' ')} period",
            f"{per.label}: not available",
            f"the store does not hold {month_ranges(cov['missing'][key])} for this force, so no "
            f"comparison with it is made",
        )
    stats = params.statistics
    disclosure = EffectiveDisclosure.of(
        published_disclosure(theme_disclosure(params, theme), theme)
    )
    for k in ("alpha", "conf_level", "correction", "seed", "rate_per"):
        record_choice(
            f"statistics.{k}", getattr(stats, k), "set in the parameters file", source="parameters"
        )
    strict = disclosure.strict
    record_disclosure_settings(
        disclosure_settings(
            threshold=strict.threshold,
            secondary=strict.secondary,
            suppress_zero=strict.suppress_zero,
        )
    )
    if disclosure.published:
        record_choice(
            "Disclosure: police.uk counts",
            "shown as police.uk publishes them, street by street (the settings above apply "
            "to figures from a force extract)",
            "published counts policy in the parameters file",
            source="parameters",
        )
    logger.info("context: %s %s, %d rows", params.csp.name, period.label, len(crimes))
    return Context(
        params=params,
        theme=theme,
        period=period,
        periods=periods,
        geo=geo,
        crimes=crimes,
        annotations=load_annotations(params.paths.annotations),
        disclosure=disclosure,
        stats=stats,
        months_present=months_present,
        forces=forces,
        unavailable=unavailable,
        coverage_warnings=cov["warnings"],
    )
