"""environment.yml (conda) must list the same packages as pyproject.toml (pip)."""

import re
import tomllib

import yaml

from sa_lib import config


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    py = tomllib.loads((config.ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(d) for d in py["dependencies"]}
    for extra in py.get("optional-dependencies", {}).values():
        pip |= {_name(d) for d in extra}
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text())
    conda = {
        _name(d) for d in env["dependencies"] if isinstance(d, str) and not d.startswith("python=")
    }
    assert pip - conda == set(), f"in pyproject.toml but not environment.yml: {sorted(pip - conda)}"
    assert conda - pip == set(), f"in environment.yml but not pyproject.toml: {sorted(conda - pip)}"


def test_ci_runs_the_readme_test_command():
    readme = (config.ROOT / "README.md").read_text()
    ci = (config.ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("\n## ")[0], "README's opening must give `make test`"
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call exactly `make test`"
