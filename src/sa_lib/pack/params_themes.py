"""Per-theme options: one model per theme section of a parameters file.

Every theme section also takes ``disclosure`` (:class:`ThemeDisclosure`) to override
the run-wide disclosure settings for that theme. To give a theme options, add a model
here and list it in :data:`sa_lib.pack.params_model.THEME_MODELS`.

Examples
--------
>>> HotspotsOptions().shape, CseOptions(top_n=3).top_n
('square', 3)
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from sa_lib.pack.params_base import Problems, Section, option
from sa_lib.validation import short_repr

__all__ = [
    "ThemeDisclosure",
    "ThemeOptions",
    "DomesticAbuseOptions",
    "CseOptions",
    "ViolenceOptions",
    "OverviewOptions",
    "HotspotsOptions",
    "PlaceProfileOptions",
    "SummaryOptions",
    "WardsOptions",
    "OutcomesOptions",
]


class ThemeDisclosure(Section):
    """A theme's own disclosure settings; an unset key (None) takes the run-wide one."""

    threshold: int | None = option(None, "counts below this are shown as '<N'", ge=1, le=1000)
    secondary: bool | None = option(None, "secondary suppression so totals cannot reveal a cell")
    suppress_zero: bool | None = option(None, "also suppress zeros")
    published_counts: Literal["show", "suppress"] | None = option(
        None, "show police.uk's published counts unsuppressed ('show') or not ('suppress')"
    )


class ThemeOptions(Section):
    """Base of a theme's options: every theme section takes ``disclosure``."""

    disclosure: ThemeDisclosure = Field(
        default_factory=ThemeDisclosure,
        description="this theme's disclosure settings (override the run-wide ones)",
    )


class DomesticAbuseOptions(ThemeOptions):
    """Options of the domestic abuse theme."""

    repeat_window_days: int = option(
        365, "look-back window (days) for a repeat victim", ge=1, le=3650
    )
    event_correction: Literal["none", "holm", "bonferroni", "fdr_bh"] = option(
        "holm", "correction across events"
    )


class CseOptions(ThemeOptions):
    """Options of the child sexual exploitation theme."""

    indicators: list[str] | None = option(
        None, "indicator columns in the index (default: all in the file)"
    )
    weights: dict[str, float] | None = option(
        None, "weight per indicator, each 0 to 1,000 (default: equal); normalised to sum 1"
    )
    method: Literal["zscore", "percentile"] = option("zscore", "standardisation")
    missing: Literal["mean", "zero", "drop", "reweight"] = option(
        "reweight", "treatment of missing indicators"
    )
    top_n: int = option(5, "number of priority wards", ge=1, le=100)
    n_sims: int = option(
        1000, "Monte Carlo weight perturbations for rank stability", ge=1, le=100_000
    )
    perturbation: float = option(0.25, "relative weight perturbation (uniform +/-)", ge=0, le=0.99)

    @field_validator("weights", mode="before")
    @classmethod
    def _weights(cls, weights: Any) -> Any:
        if not isinstance(weights, dict):
            return weights
        problems = [
            f"cse.weights.{str(k)[:60]}={short_repr(w)} is not valid: a weight is a number "
            f"between 0 and 1,000. Fix: give a relative weight such as 1 or 2."
            for k, w in weights.items()
            if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 1000
        ]
        if problems:
            raise Problems(problems)
        return weights


class ViolenceOptions(ThemeOptions):
    """Options of the violence theme."""

    nte_distance_m: float = option(
        100, "distance (m) from licensed premises counted as 'near'", ge=1, le=5000
    )
    cell_size: int | None = option(
        None, "hotspot grid cell size (m); null = automatic", ge=10, le=10_000
    )


class OverviewOptions(ThemeOptions):
    """Options of the overview theme."""

    major_types: list[str] | None = option(
        None, "crime types given a trend chart each (default: the six largest)"
    )
    top_wards: int = option(10, "wards shown in the ranked table", ge=1, le=500)


class HotspotsOptions(ThemeOptions):
    """Options of the hot spots theme."""

    crime_types: list[str] | None = option(
        None, "crime types analysed (default: all crime excluding ASB; 'All crime' allowed)"
    )
    cell_size: float | None = option(
        None, "grid cell size in metres (default: auto)", ge=10, le=10_000
    )
    shape: Literal["square", "hex"] = option("square", "grid cell shape")
    bandwidth: float | None = option(
        None, "KDE bandwidth in metres (default: auto)", ge=10, le=50_000
    )
    p_value: Literal["analytical", "permutation"] = option(
        "analytical", "Gi* p-values (permutation uses statistics.permutations and seed)"
    )
    emerging_freq: Literal["month", "quarter"] = option(
        "month", "time step of the emerging hot-spot analysis"
    )
    min_count: int = option(
        20,
        "crimes a cell needs over the emerging window before it can be 'Preventing'",
        ge=0,
        le=1_000_000,
    )
    emerging_time_step: int = option(
        1,
        "Gi* neighbourhood time step of the emerging analysis: periods back included "
        "(1 as ArcGIS; 0 = spatial only; at most 12)",
    )
    change_from: Literal["last_year", "previous"] = option(
        "last_year", "period the ward change is measured from"
    )

    @field_validator("emerging_time_step", mode="after")
    @classmethod
    def _step(cls, step: int) -> int:
        if not 0 <= step <= 12:
            raise Problems(
                f"hotspots.emerging_time_step={step!r} must be 0 (spatial only) to 12 periods; "
                f"ArcGIS's default is 1."
            )
        return step


class PlaceProfileOptions(ThemeOptions):
    """Options of the place profile theme."""

    area: dict[str, Any] | None = option(
        None, "{type: ward|lsoas|polygon, value: ...} (default: the ward with most crime)"
    )


class SummaryOptions(ThemeOptions):
    """Options of the summary (front page) theme."""

    scoring: str | None = option(
        None, "priority scoring rules YAML (default: config/priority_scoring.yaml)"
    )
    method: Literal["morile", "grid"] | None = option(
        None, "scoring method (default: the scoring file's)"
    )
    findings: int = option(6, "key findings on the front page (5-7)")
    min_flags: int = option(2, "flags a ward needs to be a candidate issue")


class WardsOptions(ThemeOptions):
    """Options of the ward profiles theme."""

    min_count: int = option(50, "district crimes a type needs to be a ward-flag indicator")
    top_share: float = option(0.2, "top fraction of wards for a flag")
    min_flags: int = option(2, "flags a ward needs for a profile")


class OutcomesOptions(ThemeOptions):
    """Options of the outcomes theme (none yet besides ``disclosure``)."""
