"""Words for partner pages: corrections, settings and file names in plain English, changes in words.

Examples
--------
>>> plain_english("statistics.alpha")
'significance level'
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["CORRECTION_WORDS", "SETTING_WORDS", "correction_words", "plain_english", "change_text"]


#: Plain-English names of the multiple-comparison corrections (the parameter value -> words).
CORRECTION_WORDS = {
    "fdr_bh": "false discovery rate correction",
    "bonferroni": "Bonferroni correction",
    "holm": "Holm correction",
    "none": "no correction for many comparisons",
}


def correction_words(method: str) -> str:
    """A multiple-comparison correction in words, for partner pages.

    Examples
    --------
    >>> correction_words("fdr_bh")
    'false discovery rate correction'
    """
    return CORRECTION_WORDS.get(str(method), str(method).replace("_", " "))


#: Settings named in words on partner pages (parameters key -> words).
SETTING_WORDS = {
    "statistics.alpha": "significance level",
    "statistics.conf_level": "confidence level of intervals",
    "statistics.correction": "correction for many comparisons",
    "statistics.seed": "random seed (makes random steps repeatable)",
    "statistics.rate_per": "rates per this many residents",
    "statistics.permutations": "number of random permutations",
    "data.extract": "the force extract setting",
    "data.harm_weights": "the harm weights setting",
    "data.force_counts": "the force-wide counts setting",
}


_SETTING = re.compile(
    r"`?\b(?:data|statistics|disclosure|hotspots|place_profile|violence|domestic_abuse|cse|"
    r"overview|comparison|run|csp|targets)\.([a-z][a-z0-9_]*)\b`?"
)


_PATH = re.compile(r"`?(?:[\w.-]+/)*([\w-]+?)(?:_template)?((?:\.[a-z]{2,7})+)`?")


_TOKEN = re.compile(r"\S+")
#: The longest run of non-space characters rewritten as a file path.
_MAX_TOKEN = 300

_FILE_EXT = (
    ".csv",
    ".gz",
    ".py",
    ".yaml",
    ".yml",
    ".parquet",
    ".geojson",
    ".md",
    ".ipynb",
    ".json",
)


def plain_english(text: str) -> str:
    """Rewrite developer text for partner pages: settings, file paths, module names, method ids.

    Settings become words ("the cell size setting"), files their name in words ("the ward
    indicators 2025 file"), ``sa_lib`` modules "the workbench", and "fdr_bh" the false
    discovery rate. Scientific notation is left to the number formatters.

    Examples
    --------
    >>> plain_english("set in hotspots.cell_size; see data/sample/x_y.csv and sa_lib.stats.rates (fdr_bh)")
    'set in the cell size setting; see the x y file and the workbench (false discovery rate)'
    >>> plain_english("statistics.seed")
    'random seed (makes random steps repeatable)'
    >>> plain_english("no eligible crimes (2024Q1, 2024Q2)")
    'no eligible crimes (Q1 2024, Q2 2024)'
    """
    if not isinstance(text, str) or not text:
        return text
    for key, words in SETTING_WORDS.items():
        text = text.replace(f"`{key}`", words).replace(key, words)
    text = _SETTING.sub(lambda m: f"the {m.group(1).replace('_', ' ')} setting", text)
    text = re.sub(r"`?\bsa_lib(?:\.[a-z_]+)*`?", "the workbench", text)

    def path(m: re.Match) -> str:
        if not m.group(2).endswith(_FILE_EXT):
            return m.group(0)
        return f"the {m.group(1).replace('_', ' ')} file"

    # Path by path: _PATH cannot span whitespace, so it is applied to each run of
    # non-space characters of bounded length (a very long run is no path and is left as
    # it is), which keeps the rewrite linear in the text (no rescanning of a long word
    # from every start position).
    text = _TOKEN.sub(
        lambda t: _PATH.sub(path, t.group(0)) if len(t.group(0)) <= _MAX_TOKEN else t.group(0),
        text,
    )
    text = re.sub(r"\bfdr_bh\b", "false discovery rate", text)
    # The pack's one style for quarters: "Q1 2024", not "2024Q1".
    text = re.sub(r"\b(\d{4})Q([1-4])\b", r"Q\2 \1", text)
    return text


def change_text(pct: float, label: str, per_day: bool = False) -> str:
    """A change against a comparison period in words: "+12% significant", "-3% (n.s.)".

    ``per_day``: the periods differ in length, so the change is in the daily rate
    ("-3% per day (n.s.)").

    Examples
    --------
    >>> change_text(12.4, "significant increase"), change_text(-3.0, "no significant change")
    ('+12% significant', '-3% (n.s.)')
    """
    if label.startswith("new"):
        return (
            "new (was 0) significant" if "significant increase" in label else "new (was 0) (n.s.)"
        )
    if label.startswith("no change (both"):
        return "–"
    sign = "+" if pct > 0 else ""
    pct_txt = f"{sign}{pct:.0f}%" if pd.notna(pct) else ""
    if per_day and pct_txt:
        pct_txt += " per day"
    if label.startswith("significant"):
        return f"{pct_txt} significant"
    return f"{pct_txt} (n.s.)" if pct_txt else label
