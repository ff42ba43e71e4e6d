"""Length caps on every parameters text that reaches a page.

A name, label or note from the parameters is printed on a page (a footer, the board
paper, a table caption). One of 300,000 characters makes every page unreadable and
slows every step that reads it, so ``sa check`` refuses it: each over-long value is a
problem naming its full key path, its length, the cap and the fix. Refusal, not
truncation: the analyst wrote the value and can shorten it; a silently cut title or
marking could change its meaning.

Caps: :data:`TEXT_CAP` (200 characters) for names, labels and document control,
:data:`NAME_CAP` for the CSP's name (as ``sa run-all`` refuses for a lookup name),
:data:`PROSE_CAP` for the board paper's prose fields (implications, asks, decisions).
Paths (``data.*``, ``summary.scoring``) are not text shown on a page and have no cap
here. The same caps apply to the text columns of the events and annotations files
(:func:`csv_text_problems`).

Examples
--------
>>> from sa_lib.pack.params_model import Params
>>> text_length_problems(Params, {"document": {"author": "x" * 250}})[0][:64]
'document.author is 250 characters long; the cap is 200 character'
>>> text_length_problems(Params, {"board": {"asks": ["ok", "y" * 1001]}})[0][:40]
'board.asks[1] is 1,001 characters long; '
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

from sa_lib.pack.params_base import Section
from sa_lib.validation import TEXT_CAP

__all__ = [
    "TEXT_CAP",
    "NAME_CAP",
    "PROSE_CAP",
    "FILE_TEXT_COLUMNS",
    "text_length_problems",
    "csv_text_problems",
    "too_long",
]

#: The CSP's name (``sa run-all`` refuses longer lookup names too).
NAME_CAP = 100
#: Prose of the board paper.
PROSE_CAP = 1000
#: Keys (dotted, list indices dropped) whose cap is not :data:`TEXT_CAP`.
CAPS = {
    "csp.name": NAME_CAP,
    "board.financial_implications": PROSE_CAP,
    "board.equality_implications": PROSE_CAP,
    "board.asks": PROSE_CAP,
    "board.decisions.decision": PROSE_CAP,
}
#: Data files whose text columns reach a page: data key -> columns checked.
FILE_TEXT_COLUMNS = {
    "events": ("event",),
    "annotations": ("label", "source"),
}


def too_long(key: str, n: int, cap: int) -> str:
    """The problem text for a value of ``n`` characters at ``key`` over ``cap``.

    Examples
    --------
    >>> too_long("title", 250, 200)
    'title is 250 characters long; the cap is 200 characters (it is shown on the pages). Fix: shorten title to at most 200 characters.'
    """
    return (
        f"{key} is {n:,} characters long; the cap is {cap:,} characters (it is shown on the "
        f"pages). Fix: shorten {key} to at most {cap:,} characters."
    )


def _sections(annotation: Any) -> tuple[type[Section] | None, bool]:
    """(the Section class inside ``annotation``, whether it is a list of them)."""

    def section(a: Any) -> bool:
        return isinstance(a, type) and issubclass(a, Section)

    def find(a: Any) -> tuple[type[Section] | None, bool]:
        if section(a):
            return a, False
        if typing.get_origin(a) is list:
            inner = [b for b in typing.get_args(a) if section(b)]
            return (inner[0], True) if inner else (None, False)
        for b in typing.get_args(a):  # Optional / Union
            found = find(b)
            if found[0] is not None:
                return found
        return None, False

    return find(annotation)


def _texts(value: Any, key: str):
    """(key, text) for a text value or each text item of a list of texts."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                yield f"{key}[{i}]", v


def text_length_problems(model: type[Section], raw: Any, prefix: str = "") -> list[str]:
    """Every text value in ``raw`` (a parameters mapping read as ``model``) over its cap.

    Walks the raw mapping along the model's fields, so a value of the wrong type is
    left to the model's own message. Fields marked as paths (``x-kind``) are skipped.
    """
    if not isinstance(raw, dict):
        return []
    out: list[str] = []
    for name, field in model.model_fields.items():
        if name not in raw or raw[name] is None:
            continue
        key, value = f"{prefix}{name}", raw[name]
        sub, many = _sections(field.annotation)
        if sub is not None:
            items = value if many and isinstance(value, list) else [value]
            for i, item in enumerate(items):
                at = f"{key}[{i}]." if many else f"{key}."
                out += text_length_problems(sub, item, at)
            continue
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if extra.get("x-kind") in ("path", "path?", "store") or name == "scoring":
            continue
        cap = CAPS.get(_plain_key(key), TEXT_CAP)
        out += [too_long(k, len(t), cap) for k, t in _texts(value, key) if len(t) > cap]
    return out


def _plain_key(key: str) -> str:
    """``board.decisions[2].decision`` -> ``board.decisions.decision``."""
    import re

    return re.sub(r"\[\d+\]", "", key)


def csv_text_problems(path: str | Path, columns: tuple[str, ...], key: str) -> list[str]:
    """Text cells of a CSV's ``columns`` over :data:`TEXT_CAP`, each with its line.

    ``key`` names the parameter that gives the file (``data.events``). A file that
    cannot be read is left to its loader's own message.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "events.csv")
    >>> _ = open(p, "w").write("event,start,end\\n" + "E" * 201 + ",2025-01-01,\\n")
    >>> csv_text_problems(p, ("event",), "data.events")[0][:60]
    'data.events: line 2, column event: 201 characters long; the '
    """
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError):
        return []
    df.columns = [str(c).strip().lower() for c in df.columns]
    out = []
    for col in columns:
        if col not in df.columns:
            continue
        lengths = df[col].str.len()
        for row in lengths.index[lengths > TEXT_CAP][:5]:
            out.append(
                f"{key}: line {int(row) + 2}, column {col}: {int(lengths[row]):,} characters "
                f"long; the cap is {TEXT_CAP} characters (it is shown on the pages). Fix: "
                f"shorten it in {path}."
            )
    return out
