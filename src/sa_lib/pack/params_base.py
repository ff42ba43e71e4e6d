"""The base of the typed parameters: a frozen pydantic section read by attribute.

Every section of :class:`sa_lib.pack.params_model.Params` is a :class:`Section`:
typed attributes (``params.statistics.alpha``), frozen (a theme cannot change what
it was built from), strict (``True`` is not a number, ``"5"`` is not a whole number),
and closed (an unknown key is an error). A key given as ``null`` counts as absent,
so its default applies.

Code reads attributes (``params.statistics.alpha``); :meth:`Section.to_dict` gives the
section as plain dicts and lists (for YAML, JSON and comparisons).

Examples
--------
>>> from pydantic import Field
>>> class Demo(Section):
...     alpha: float = Field(0.05, description="significance level")
>>> d = Demo.model_validate({"alpha": None})
>>> d.alpha, d.to_dict()
(0.05, {'alpha': 0.05})
"""

from __future__ import annotations

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
    """A frozen, strict, closed parameters section (read by attribute)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data

    def to_dict(self) -> dict[str, Any]:
        """The section as plain nested dicts and lists (for JSON, YAML and display)."""
        return {k: _plain(getattr(self, k)) for k in type(self).model_fields}
