"""A log of the values the library chose for itself, so that reports can show them.

When a function picks a value the analyst did not give (a grid cell size, a KDE
bandwidth, a best-fit lookup), it calls :func:`record_choice`. The choice is
logged on the ``sa_lib`` logger and kept in a per-process list; each report ends
with :func:`choices_table` under "Methods and assumptions".

Examples
--------
>>> from sa_lib.choices import record_choice, choices_table, clear_choices
>>> clear_choices()
>>> record_choice("grid cell size (m)", 250, "auto: ~1% of the area's width")
>>> choices_table()[["choice", "value"]].values.tolist()
[['grid cell size (m)', '250']]
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pandas as pd

logger = logging.getLogger("sa_lib")

_CHOICES: list[dict[str, str]] = []
#: Callables that also receive every recorded choice (sa_lib.memo replays them).
_RECORDERS: list = []


def add_recorder(fn) -> None:
    """Also pass every choice recorded from now on to ``fn`` (until :func:`remove_recorder`)."""
    _RECORDERS.append(fn)


def remove_recorder(fn) -> None:
    """Stop passing recorded choices to ``fn``."""
    _RECORDERS.remove(fn)


def record_choice(name: str, value: object, reason: str, *, source: str = "library") -> None:
    """Record (and log) a value chosen by the library or read from parameters.

    Parameters
    ----------
    name : str
        What was chosen, e.g. ``"KDE bandwidth (m)"``.
    value : object
        The value; stored as text.
    reason : str
        Why, in plain English (the rule used).
    source : str, default "library"
        ``"library"`` for automatic choices, ``"parameters"`` for analyst settings.
    """
    entry = {"choice": str(name), "value": str(value), "reason": str(reason), "source": source}
    # Re-recording the same choice replaces it rather than listing it twice.
    for i, old in enumerate(_CHOICES):
        if old["choice"] == entry["choice"]:
            _CHOICES[i] = entry
            break
    else:
        _CHOICES.append(entry)
    for fn in _RECORDERS:
        fn(entry)
    logger.info("choice: %s = %s (%s; %s)", name, value, reason, source)


def choices_table() -> pd.DataFrame:
    """Return the recorded choices as a DataFrame (columns choice, value, reason, source)."""
    return pd.DataFrame(_CHOICES, columns=["choice", "value", "reason", "source"])


def clear_choices() -> None:
    """Forget all recorded choices (used at the start of each report and in tests)."""
    _CHOICES.clear()


@contextlib.contextmanager
def kept_apart() -> Iterator[None]:
    """Run a block whose recorded choices are forgotten afterwards (the list is restored).

    For a page that reads another theme's result built in the same process: that theme's
    choices belong on its own page's Methods, not on the reader's.

    Examples
    --------
    >>> clear_choices()
    >>> record_choice("a", 1, "kept")
    >>> with kept_apart():
    ...     record_choice("b", 2, "forgotten")
    >>> choices_table()["choice"].tolist()
    ['a']
    """
    saved = [dict(c) for c in _CHOICES]
    try:
        yield
    finally:
        _CHOICES[:] = saved
