"""Shared chart style: colour-blind-safe palettes and figure defaults.

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
        }
    )
