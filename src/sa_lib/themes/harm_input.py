"""The harm input of a pack: the partnership's own weights, else the shipped CCHI default.

One place decides which harm weights a pack uses, so the overview's harm-weighted
totals, the priority matrix's harm band and the summary's harm note always name
the same source. ``data.harm_weights`` (a cited table the analyst fills in)
overrides the default: the Cambridge Crime Harm Index (2026 update) by police.uk
category shipped in ``data/harm/``. Anti-social behaviour has no CCHI score and is
reported separately.

Examples
--------
>>> band_text([5, 30, 100])
'under 5 days 1, 5 to 30 days 2, 30 to 100 days 3, 100 days or more 4'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sa_lib.stats import harm

__all__ = ["HarmInput", "band_text", "harm_input"]


@dataclass(frozen=True)
class HarmInput:
    """The weights a pack uses and how to name them on a page.

    ``weights`` maps crime type to weight; ``default`` is True for the shipped CCHI
    table; ``source`` is the citation (the default's, or the user's ``source`` column);
    ``unit`` what one weight is; ``no_score`` the categories with no weight and why.
    """

    weights: pd.Series
    default: bool
    source: str
    unit: str
    no_score: dict

    def sentence(self) -> str:
        """One plain-English sentence naming the source (for a page's harm section)."""
        if self.default:
            return (
                f"Harm weights: {self.source} — days of imprisonment at the sentencing-guideline "
                "starting point, one national weight per police.uk category (the count-weighted "
                "mean of its Home Office offence subgroups). A single national weight hides local "
                "mix within a category (police.uk data carry no offence code), so harm is "
                "approximate."
            )
        return f"Harm weights: the partnership's own table ({self.source})."

    def separate_sentence(self, crime_type: str, n: str = "") -> str:
        """Why ``crime_type`` (e.g. anti-social behaviour) is reported apart from the harm totals."""
        counted = f" ({n})" if n else ""
        why = self.no_score.get(crime_type, "not given a harm weight")
        return f"{crime_type}{counted} is reported separately, not harm-weighted: it is {why}."


def band_text(edges, unit: str = "days") -> str:
    """The banding of weights into harm scores 1-4, in words."""
    a, b, c = (f"{e:g}" for e in edges)
    return f"under {a} {unit} 1, {a} to {b} {unit} 2, {b} to {c} {unit} 3, {c} {unit} or more 4"


def harm_input(ctx) -> HarmInput:
    """The harm weights for ``ctx``: ``data.harm_weights`` when given, else the CCHI default."""
    path = ctx.path("harm_weights")
    if path is None:
        w = harm.default_weights()
        return HarmInput(
            weights=w.set_index("crime_type")["weight"],
            default=True,
            source=harm.DEFAULT_CITATION,
            unit="CCHI days per crime",
            no_score=dict(harm.NO_SCORE),
        )
    w = harm.load_weights(path)
    key = w.columns[0]
    missing = [t for t in harm.POLICE_UK_CRIME_TYPES if t not in set(w[key])]
    return HarmInput(
        weights=w.set_index(key)["weight"],
        default=False,
        source="; ".join(sorted(set(w["source"]) - {""})) or "source not stated",
        unit="weight per crime",
        no_score={t: "not given a weight in the partnership's harm table" for t in missing},
    )
