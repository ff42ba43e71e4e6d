"""Bounded work: the scoring file is read without aliases and its weights must be finite and
positive (checked by `sa check`); plain_english rewrites long text in linear time."""

from __future__ import annotations

import time

import pytest

from sa_lib.pack.params import ParameterError, validate_params
from sa_lib.stats.priority import load_scoring

from .conftest import shipped_params

BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "weights: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
)


def _with_scoring(tmp_path, text: str) -> dict:
    path = tmp_path / "scoring.yaml"
    path.write_text(text, encoding="utf-8")
    raw = shipped_params()
    raw.setdefault("summary", {})["scoring"] = str(path)
    return raw


def test_an_alias_bomb_in_the_scoring_file_is_refused_by_sa_check(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match="aliases"):
        validate_params(_with_scoring(tmp_path, BOMB), check_store=False)
    assert time.perf_counter() - t0 < 10


@pytest.mark.parametrize("w", [".nan", "0", ".inf", "-1", "true"])
def test_scoring_weights_must_be_finite_and_positive(tmp_path, w):
    text = f"weights:\n  volume: {w}\n"
    with pytest.raises(ValueError, match="finite number above 0"):
        load_scoring(_write(tmp_path, text))
    with pytest.raises(ParameterError, match="weights.volume"):
        validate_params(_with_scoring(tmp_path, text), check_store=False)


def _write(tmp_path, text):
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("unit", ["a", "a/", "a.b", "x_"])
def test_plain_english_is_linear_on_long_text(unit):
    from sa_lib.themes.formatting import plain_english

    def seconds(n):
        text = unit * n
        t0 = time.perf_counter()
        plain_english(text)
        return time.perf_counter() - t0

    small, big = seconds(5_000), seconds(50_000)
    # Ten times the text: about ten times the work (quadratic would be a hundred).
    assert big < max(30 * small, 0.5), (small, big)


def test_plain_english_still_rewrites_paths():
    from sa_lib.themes.formatting import plain_english

    assert plain_english("see data/sample/x_y.csv, then `config/a_template.yaml`.") == (
        "see the x y file, then the a file."
    )
