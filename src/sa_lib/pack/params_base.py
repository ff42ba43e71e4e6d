"""The base of the typed parameters: a frozen pydantic section with a transitional dict shim.

Every section of :class:`sa_lib.pack.params_model.Params` is a :class:`Section`:
typed attributes (``params.statistics.alpha``), frozen (a theme cannot change what
it was built from), strict (``True`` is not a number, ``"5"`` is not a whole number),
and closed (an unknown key is an error). A key given as ``null`` counts as absent,
so its default applies.

Transitional: theme code written for the dict parameters reads ``params["statistics"]
["alpha"]`` and ``options.get("area")``; a section answers those reads too (read-only:
``__getitem__``, ``get``, ``keys``, ``items``, ``values``, ``in``, ``len``, iteration
over keys) and compares equal to a dict with the same items. New code uses attributes.

Examples
--------
>>> from pydantic import Field
>>> class Demo(Section):
...     alpha: float = Field(0.05, description="significance level")
>>> d = Demo.model_validate({"alpha": None})
>>> d.alpha, d["alpha"], d.get("beta", "none"), dict(d)
(0.05, 0.05, 'none', {'alpha': 0.05})
>>> d == {"alpha": 0.05}
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Section", "Problems", "option"]


class Problems(ValueError):
    """Raised inside a validator to report finished messages (each names its full key)."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


def option(
    default: Any = None,
    help: str = "",
    *,
    ge: float | None = None,
    le: float | None = None,
    pattern: tuple[str, str] | None = None,
    kind: str | None = None,
    type_text: str | None = None,
    default_factory: Any = None,
) -> Any:
    """A parameter's :func:`pydantic.Field`: default, help text, inclusive range, pattern.

    ``pattern`` is (regular expression, plain description); ``kind`` marks paths
    (``path``, ``path?``, ``store``) and other checked values in the JSON schema;
    ``type_text`` overrides the type's plain name in messages and the reference.
    """
    extra: dict[str, Any] = {}
    if kind:
        extra["x-kind"] = kind
    if pattern:
        extra["x-pattern-text"] = pattern[1]
    if type_text:
        extra["x-type-text"] = type_text
    kw: dict[str, Any] = {"description": help, "ge": ge, "le": le}
    if pattern:
        kw["pattern"] = pattern[0]
    if extra:
        kw["json_schema_extra"] = extra
    if default_factory is not None:
        return Field(default_factory=default_factory, **kw)
    return Field(default, **kw)


def _plain(value: Any) -> Any:
    if isinstance(value, Section):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Section(BaseModel):
    """A frozen, strict, closed parameters section that also reads like a dict (transitional)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data

    # ---- transitional read-only mapping (dict-style reads of the old parameters) ----------

    def to_dict(self) -> dict[str, Any]:
        """The section as plain nested dicts and lists (for JSON, YAML and old code)."""
        return {k: _plain(getattr(self, k)) for k in type(self).model_fields}

    def __getitem__(self, key: str) -> Any:
        if isinstance(key, str) and key in type(self).model_fields:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``section[key]``, or ``default`` for a key the section does not have."""
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self):
        """The section's keys, in the reference's order."""
        return type(self).model_fields.keys()

    def values(self) -> list[Any]:
        return [getattr(self, k) for k in self.keys()]

    def items(self) -> list[tuple[str, Any]]:
        return [(k, getattr(self, k)) for k in self.keys()]

    def __contains__(self, key: object) -> bool:
        return key in type(self).model_fields

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]
        return iter(self.keys())

    def __len__(self) -> int:
        return len(type(self).model_fields)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping) and not isinstance(other, Section):
            return self.to_dict() == _plain(dict(other))
        return super().__eq__(other)


Mapping.register(Section)
