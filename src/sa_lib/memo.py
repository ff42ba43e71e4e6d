"""A per-pack memo of the computations several themes of one pack share (issue 24).

The direct path (:mod:`sa_lib.pack.direct`, ``sa run-all``) builds every theme of a pack
in one process, one after another, each from its own context. Some statistics are the
same in several themes: the summary's ward analysis starts from the overview's ward
table, the summary and the outcomes page both read the stop-and-search analysis. Inside
:func:`pack_scope` (entered by the runner around a pack's themes built inline),
:func:`shared` computes each such value once per pack and hands every later caller a
copy of it.

What a computation does besides returning its value is replayed on every later call, so
each page is the same as if it had computed it itself: the choices it recorded
(:func:`sa_lib.choices.record_choice`, listed on the page's Methods) and the warnings it
raised (shown as notes on the page).

The memo is bounded: it holds one pack's entries, keyed by the pack
(:func:`pack_key`: the CSP, the period, a fingerprint of every parameter and of the
crimes read) and the computation with its arguments. A context of another pack clears
it, and so does leaving the scope. Outside a scope nothing is kept (a notebook, a test,
a theme run in its own worker compute as before).

Examples
--------
>>> calls = []
>>> class Ctx:  # the parts of a Context the pack key reads
...     params = type("P", (), {"to_dict": lambda self: {"csp": {"name": "A"}}})()
...     period = "2025-Q4"; months_present = ["2025-10"]; crimes = [1, 2]
>>> def twice():
...     calls.append(1)
...     return {"n": 2}
>>> with pack_scope():
...     a = shared(Ctx(), "twice", twice)
...     b = shared(Ctx(), "twice", twice)
>>> a == b, len(calls)
(True, 1)
>>> shared(Ctx(), "twice", twice) == a, len(calls)  # outside a scope: computed again
(True, 2)
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import warnings
from collections.abc import Callable, Hashable, Iterator
from typing import Any

from sa_lib import choices

__all__ = ["pack_scope", "pack_key", "shared", "pure", "once", "active", "clear"]

#: The most entries one pack keeps (a safety bound: a pack uses a handful).
MAX_ENTRIES = 32

_depth = 0
_pack: tuple | None = None
_entries: dict[Hashable, tuple[Any, list[dict], list]] = {}
#: Entries of :func:`pure`, keyed by their inputs (a pack fits some hundred series).
MAX_PURE = 2048
_pure: dict[Hashable, tuple[Any, list[dict], list]] = {}


def active() -> bool:
    """Whether a :func:`pack_scope` is open in this process."""
    return _depth > 0


def clear() -> None:
    """Forget every entry (and the pack they belong to)."""
    global _pack
    _entries.clear()
    _pure.clear()
    _pack = None


@contextlib.contextmanager
def pack_scope() -> Iterator[None]:
    """Share computations between the themes built in this block (one pack); forget them after."""
    global _depth
    if _depth == 0:
        clear()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            clear()


def pack_key(ctx) -> tuple:
    """What identifies the pack a context belongs to.

    The CSP, the period and every parameter (a fingerprint of ``ctx.params``: two CSPs,
    two periods or two parameter files never share it), the months the store held and the
    number of crimes read (a store changed between two packs with the same parameters).
    """
    params = json.dumps(ctx.params.to_dict(), sort_keys=True, default=str)
    fingerprint = hashlib.sha256(params.encode()).hexdigest()
    return (
        fingerprint,
        str(ctx.period),
        tuple(getattr(ctx, "months_present", ()) or ()),
        len(ctx.crimes),
    )


class _Recorder:
    """The choices recorded while a computation runs (see :func:`sa_lib.choices.record_choice`)."""

    def __init__(self) -> None:
        self.choices: list[dict] = []

    def __call__(self, entry: dict) -> None:
        self.choices.append(dict(entry))


def _replay(recorded: list[dict], caught: list) -> None:
    for c in recorded:
        choices.record_choice(c["choice"], c["value"], c["reason"], source=c["source"])
    for w in caught:
        warnings._showwarnmsg(w)  # as warnings.warn shows it, after its filters


def shared(ctx, name: str, compute: Callable[[], Any], *args: Hashable) -> Any:
    """``compute()``, computed once per pack inside :func:`pack_scope`; a copy for every caller.

    ``name`` and ``args`` identify the computation within the pack (``args``: whatever
    else its value depends on besides the pack, e.g. a ``min_count``). Outside a scope,
    ``compute()`` itself. The choices ``compute`` records and the warnings it raises are
    recorded and raised again for each later caller.
    """
    global _pack
    if not active():
        return compute()
    pk = pack_key(ctx)
    if pk != _pack:
        _entries.clear()
        _pure.clear()
        _pack = pk
    return once(_entries, MAX_ENTRIES, (name, args), compute)


def pure(name: str, compute: Callable[[], Any], *key: Hashable) -> Any:
    """``compute()`` of a pure function whose value ``key`` determines, once per pack.

    For a statistic of a small input given whole in ``key`` (a monthly series' dates and
    counts, its settings): two themes fitting the same series share the fit. Like
    :func:`shared`, only inside :func:`pack_scope`, with choices and warnings replayed.
    """
    if not active():
        return compute()
    return once(_pure, MAX_PURE, (name, key), compute)


def once(store: dict, bound: int, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()`` kept in ``store`` under ``key`` (at most ``bound`` entries, the oldest
    dropped first); a later call with ``key`` gets a copy, with the choices ``compute``
    recorded and the warnings it raised recorded and raised again.

    The mechanism of :func:`shared` and :func:`pure`; a module keeping its own process
    cache (e.g. :mod:`sa_lib.pack.context`'s geographies) passes its own ``store``.
    """
    hit = store.get(key)
    if hit is not None:
        value, recorded, caught = hit
        _replay(recorded, caught)
        return copy.deepcopy(value)
    rec = _Recorder()
    choices.add_recorder(rec)
    try:
        with warnings.catch_warnings(record=True) as caught:
            value = compute()
    finally:
        choices.remove_recorder(rec)
    for w in caught:
        warnings._showwarnmsg(w)
    if len(store) >= bound:
        store.pop(next(iter(store)))
    store[key] = (copy.deepcopy(value), rec.choices, list(caught))
    return value
