"""Shared chart style: colour-blind-safe palettes and figure defaults.

Every label drawn from data (ward names, crime types, places) is plain text:
importing this module turns matplotlib's mathtext off (``text.parse_math``), so
a ``$`` in a ward name ("St $ Ives") is drawn as a dollar sign rather than
breaking the chart. Every module that draws a chart imports this one.

Examples
--------
>>> from sa_lib.style import OKABE_ITO
>>> len(OKABE_ITO)
8
"""

from __future__ import annotations

import matplotlib as mpl

#: Okabe & Ito (2008) colour-blind-safe qualitative palette.
OKABE_ITO: list[str] = [
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
]
#: Sequential colour map for rates and counts (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "viridis"
#: Diverging colours for hot (red-orange) / cold (blue) spots, colour-blind safe.
HOT = "#D55E00"
COLD = "#0072B2"
NEUTRAL = "#DDDDDD"

#: rcParams the workbench always sets: labels from data are plain text, never mathtext.
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}
mpl.rcParams.update(PLAIN_TEXT)


def apply() -> None:
    """Apply the workbench's matplotlib defaults (moderate DPI keeps HTML small)."""
    mpl.rcParams.update(
        {
            "figure.dpi": 96,
            "savefig.dpi": 96,
            "figure.figsize": (8, 4.5),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.titleweight": "bold",
            "font.size": 10,
            "axes.prop_cycle": mpl.cycler(color=OKABE_ITO[1:] + OKABE_ITO[:1]),
            **PLAIN_TEXT,
            # One date style on every page and chart: "Jan 2025", "2025", "05 Jan 2025".
            "date.autoformatter.year": "%Y",
            "date.autoformatter.month": "%b %Y",
            "date.autoformatter.day": "%d %b %Y",
        }
    )
