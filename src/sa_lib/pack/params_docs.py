"""The parameters reference, ``docs/parameters.md``, generated from the models' JSON schema.

Examples
--------
>>> "| `statistics.alpha` |" in schema_markdown()
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["schema_markdown", "schema_rows"]

_JSON_TYPES = {
    "integer": "a whole number",
    "number": "a number",
    "string": "text",
    "boolean": "true/false",
    "array": "a list",
    "object": "a mapping",
}


def _deref(prop: dict, defs: dict) -> dict:
    """A property with its ``$ref`` (or ``anyOf: [$ref, null]``) replaced by the definition."""
    ref = prop.get("$ref")
    if ref is None:
        alts = [a for a in prop.get("anyOf", []) if a.get("type") != "null"]
        ref = alts[0].get("$ref") if len(alts) == 1 else None
    if ref is None:
        return prop
    return {**defs[ref.rsplit("/", 1)[-1]], **{k: v for k, v in prop.items() if k != "$ref"}}


def _type_text(prop: dict) -> str:
    if "x-type-text" in prop:
        return prop["x-type-text"]
    alts = [a for a in prop.get("anyOf", [prop]) if a.get("type") != "null"] or [prop]
    a = alts[0]
    if "enum" in a or "const" in a:
        first = (a.get("enum") or [a.get("const")])[0]
        return _JSON_TYPES["integer" if isinstance(first, int) else "string"]
    if "properties" in a or "$ref" in a:
        return "a mapping"
    return _JSON_TYPES.get(a.get("type"), "a value")


def _facts(prop: dict) -> str:
    """Choices, range and pattern of a property, as sentences."""
    alts = [a for a in prop.get("anyOf", [prop]) if a.get("type") != "null"] or [prop]
    a = {**alts[0], **{k: v for k, v in prop.items() if k != "anyOf"}}
    out = ""
    if "enum" in a:
        out += f" Choices: {', '.join(f'`{c}`' for c in a['enum'])}."
    lo, hi = a.get("minimum"), a.get("maximum")
    if lo is not None and hi is not None:
        out += f" Range: between {lo:,} and {hi:,}."
    elif lo is not None or hi is not None:
        out += f" Range: {'at least' if lo is not None else 'at most'} {(lo if lo is not None else hi):,}."
    if "pattern" in a:
        out += f" Pattern: `{a['pattern']}` ({a.get('x-pattern-text', '')})."
    return out


def _default(prop: dict, required: bool) -> str:
    if "properties" in prop:
        return ""
    if "default" in prop and prop["default"] is not None:
        return f"`{prop['default']}`"
    if required:
        return "required"
    return "`[]`" if _type_text(prop) == "a list" and "default" not in prop else "none"


def schema_rows(schema: dict, defs: dict, prefix: str = "", skip: tuple = ()) -> list[str]:
    """Markdown table rows, one per key of ``schema`` (nested sections after their row)."""
    out = []
    required = set(schema.get("required", []))
    for key, raw in schema.get("properties", {}).items():
        if key in skip:
            continue
        prop = _deref(raw, defs)
        name = f"{prefix}{key}"
        help_ = (raw.get("description") or prop.get("description") or "").rstrip(".")
        out.append(
            f"| `{name}` | {_type_text(prop)} | {_default(prop, key in required)} | "
            f"{help_}.{_facts(prop)} |"
        )
        if "properties" in prop:
            out += schema_rows(prop, defs, prefix=f"{name}.")
    return out


def schema_markdown() -> str:
    """The parameters reference (docs/parameters.md), from ``Params.model_json_schema()``."""
    from sa_lib.pack.params import SENSITIVE_MIN_THRESHOLD, SENSITIVE_THEMES
    from sa_lib.pack.params_model import THEME_MODELS, Params

    schema: dict[str, Any] = Params.model_json_schema()
    defs = schema.get("$defs", {})
    head = "| key | type | default | meaning |\n|---|---|---|---|"
    run_wide = {
        **schema,
        "properties": {k: v for k, v in schema["properties"].items() if k not in THEME_MODELS},
    }
    parts = [
        "# Parameters reference",
        "",
        "Generated from the `sa_lib.pack.params_model` models' JSON schema (do not edit by hand: "
        '`python -c "from sa_lib.pack.params import schema_markdown; print(schema_markdown())" '
        "> docs/parameters.md`). Paths are relative to the project root or absolute. "
        "`sa check FILE` validates a file against this.",
        "",
        "## Run-wide keys",
        "",
        head,
        *schema_rows(run_wide, defs),
        "",
        "## Theme sections",
        "",
        "Each theme may have a section named after it; every theme section also takes "
        "`disclosure.threshold`, `disclosure.secondary` and `disclosure.suppress_zero` to "
        "override the run-wide `disclosure` settings. Sensitive themes "
        f"({', '.join(sorted(SENSITIVE_THEMES))}) always use secondary suppression and never a "
        f"threshold below {SENSITIVE_MIN_THRESHOLD}: a lower run-wide or theme threshold, or "
        "secondary suppression turned off, is an error in `sa check`. A theme's "
        "`disclosure.threshold` is between 1 and 1,000.",
    ]
    for theme in THEME_MODELS:
        sub = _deref(schema["properties"][theme], defs)
        rows = schema_rows(sub, defs, prefix=f"{theme}.", skip=("disclosure",))
        parts += ["", f"### `{theme}`", "", head, *(rows or ["| (none) | | | only `disclosure` |"])]
    return "\n".join(parts) + "\n"
