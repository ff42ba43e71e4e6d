"""pydantic's validation errors, said the parameters way: full key, bad value, choices, fix.

Each error becomes one line naming the full key path (``statistics.alpha``,
``targets[0].reduction_pct``), the value given (a short repr), what is valid (type,
choices, range or pattern) and how to fix it.

Examples
--------
>>> from pydantic import ValidationError
>>> from sa_lib.pack.params_model import Statistics
>>> try:
...     Statistics.model_validate({"correction": "holm"})
... except ValidationError as e:
...     print(messages(e, Statistics, prefix=("statistics",))[0])
statistics.correction='holm' is not valid. Valid choices: 'none', 'fdr_bh', 'bonferroni'.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from sa_lib.pack.params_base import Problems
from sa_lib.validation import short_repr

__all__ = ["messages", "type_text", "field_range", "choices_of", "key_path"]

_TYPE_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true/false",
}


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def choices_of(annotation: Any) -> tuple | None:
    """The choices of a ``Literal`` annotation (None otherwise)."""
    a = _unwrap(annotation)
    return typing.get_args(a) if typing.get_origin(a) is Literal else None


def type_text(field: Any, annotation: Any = None) -> str:
    """The plain name of a field's type: 'a whole number', 'text', 'a mapping' ..."""
    extra = (getattr(field, "json_schema_extra", None) or {}) if field is not None else {}
    if "x-type-text" in extra and annotation is None:
        return extra["x-type-text"]
    a = _unwrap(field.annotation if annotation is None else annotation)
    choices = choices_of(a)
    if choices:
        return _TYPE_NAMES.get(type(choices[0]), "a value")
    origin = typing.get_origin(a) or a
    if isinstance(origin, type) and issubclass(origin, BaseModel):
        return "a mapping"
    return _TYPE_NAMES.get(origin, getattr(origin, "__name__", "a value"))


def field_range(field: Any) -> tuple[float | None, float | None] | None:
    """A field's inclusive (minimum, maximum) from its ``ge``/``le`` (None if unbounded)."""
    lo = hi = None
    for m in getattr(field, "metadata", []):
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return None if lo is None and hi is None else (lo, hi)


def _range_text(rng: tuple) -> str:
    lo, hi = rng
    if lo is not None and hi is not None:
        return f"between {lo:,} and {hi:,}"
    return f"at least {lo:,}" if lo is not None else f"at most {hi:,}"


def key_path(loc: tuple) -> str:
    """``('targets', 0, 'crime_type')`` -> ``'targets[0].crime_type'``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _walk(model: type[BaseModel], loc: tuple) -> tuple[type[BaseModel] | None, Any, Any]:
    """(model owning the last named key, its FieldInfo, the annotation at the end of loc)."""
    owner, field, ann = model, None, model
    for part in loc:
        a = _unwrap(ann)
        origin = typing.get_origin(a) or a
        if isinstance(origin, type) and issubclass(origin, BaseModel):
            owner = origin
            field = origin.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return owner, None, None
            ann = field.annotation
        elif origin in (list, dict):
            ann = typing.get_args(a)[-1] if typing.get_args(a) else Any
        else:
            return owner, field, None
    return owner, field, ann


def _one(err: dict, model: type[BaseModel], prefix: tuple) -> list[str]:
    loc = tuple(prefix) + tuple(err["loc"])
    typ, value = err["type"], err.get("input")
    name = key_path(loc)
    error = (err.get("ctx") or {}).get("error")
    if isinstance(error, Problems):
        return error.problems
    owner, field, ann = _walk(model, tuple(err["loc"]))
    help_ = getattr(field, "description", "") or ""
    if typ == "extra_forbidden":
        keys = list(owner.model_fields)
        where = key_path(loc[:-1])
        close = [k for k in keys if k.startswith(str(loc[-1])[:3])]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return [
            f"unknown key {short_repr(name)}.{hint} Valid keys{' in ' + where if where else ''}: "
            f"{', '.join(keys)}."
        ]
    if typ == "missing":
        return [f"missing required key {name!r}: {help_}."]
    choices = choices_of(ann) if ann is not None else None
    if typ == "literal_error" and choices and isinstance(value, type(choices[0])):
        if not isinstance(value, bool):
            return [
                f"{name}={short_repr(value)} is not valid. Valid choices: "
                f"{', '.join(map(repr, choices))}."
            ]
    if typ.endswith("_type") or typ in ("literal_error", "model_attributes_type"):
        tt = type_text(field, ann if isinstance(loc[-1], int) else None) if field else "valid"
        return [
            f"{name} must be {tt}, got {short_repr(value)}. "
            f"Fix: give {name} as {tt} (see docs/parameters.md)."
        ]
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        rng = field_range(field) or (err["ctx"].get("ge"), err["ctx"].get("le"))
        return [
            f"{name}={short_repr(value)} is out of range: it must be {_range_text(rng)} "
            f"({help_}). Fix: set {name} within that range."
        ]
    if typ == "string_pattern_mismatch":
        extra = field.json_schema_extra or {}
        slug = re.sub(r"[^a-z0-9]+", "_", str(value).lower()).strip("_")[:64]
        return [
            f"{name}={short_repr(value)} is not valid: it must match {err['ctx']['pattern']} "
            f"({extra.get('x-pattern-text', 'see docs/parameters.md')}). Fix: e.g. "
            f"{loc[-1]}: {slug or 'my_csp'}."
        ]
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    return [f"{name}={short_repr(value)}: {msg}. Fix: see docs/parameters.md."]


def messages(exc: ValidationError, model: type[BaseModel], prefix: tuple = ()) -> list[str]:
    """One message per problem in ``exc`` (raised validating ``model``), each once."""
    out: list[str] = []
    for err in exc.errors(include_url=False):
        for m in _one(err, model, prefix):
            if m not in out:
                out.append(m)
    return out
