"""Size budget of the library: modules under 800 lines, functions under 80 lines of code.

A function's docstring does not count (numpydoc docstrings with examples are long on
purpose). Code over budget when this test was written is listed below with its size:
an entry may only shrink, and must be removed once it is within budget, so the list
can only get shorter. ruff holds the complexity and statement-count budget
(``C901``, ``PLR0915`` in pyproject.toml).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sa_lib"
MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80

#: Modules over budget (path relative to src/sa_lib -> lines): may only shrink.
KNOWN_LONG_MODULES: dict[str, int] = {}

#: Functions over budget ("path:name" -> lines of code): may only shrink.
KNOWN_LONG_FUNCTIONS: dict[str, int] = {}


def code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from a function's first statement after its docstring to its last."""
    body = node.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        if isinstance(first.value.value, str):
            body = body[1:]
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def measure() -> tuple[dict[str, int], dict[str, int]]:
    modules, functions = {}, {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        modules[rel] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = f"{rel}:{node.name}"
                functions[key] = max(functions.get(key, 0), code_lines(node))
    return modules, functions


def over(sizes: dict[str, int], limit: int, known: dict[str, int]) -> list[str]:
    """Every breach of the budget: a new item over ``limit``, or a known one that grew or no longer needs its entry."""
    problems = []
    for key, n in sorted(sizes.items()):
        if n > limit and key not in known:
            problems.append(f"{key}: {n} lines (limit {limit}); split it")
        elif key in known and n > known[key]:
            problems.append(f"{key}: grew to {n} lines (was {known[key]}; limit {limit})")
        elif key in known and n <= limit:
            problems.append(f"{key}: now {n} lines, within budget: remove its entry here")
    problems += [f"{k}: listed but not found: remove its entry" for k in known if k not in sizes]
    return problems


def test_modules_and_functions_stay_within_budget():
    modules, functions = measure()
    problems = over(modules, MAX_MODULE_LINES, KNOWN_LONG_MODULES) + over(
        functions, MAX_FUNCTION_LINES, KNOWN_LONG_FUNCTIONS
    )
    assert problems == [], "\n".join(problems)


def test_the_budget_check_can_fail():
    assert over({"a.py": 801}, 800, {}) == ["a.py: 801 lines (limit 800); split it"]
    assert over({"a.py": 900}, 800, {"a.py": 850})[0].startswith("a.py: grew to 900")
    assert "remove its entry" in over({"a.py": 700}, 800, {"a.py": 850})[0]
    assert over({"a.py": 840}, 800, {"a.py": 850}) == []


@pytest.mark.parametrize("src, n", [("def f():\n    '''doc'''\n    a = 1\n    return a\n", 2)])
def test_docstrings_do_not_count(src, n):
    (node,) = ast.parse(src).body
    assert code_lines(node) == n
