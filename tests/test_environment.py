"""The environment is locked: requirements.lock pins every package with its hashes, and
pyproject.toml, requirements/build.in, environment.yml, the Makefile and CI all use it."""

import re
import tomllib
import warnings

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from sa_lib import config

LOCK = config.ROOT / "requirements.lock"


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ;\[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pins() -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line of the lock."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line)
        if m:
            pins[_name(m.group(1))] = m.group(2)
    return pins


def _pyproject() -> dict:
    return tomllib.loads((config.ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked_inputs() -> list[str]:
    py = _pyproject()["project"]
    build = (config.ROOT / "requirements" / "build.in").read_text(encoding="utf-8")
    lines = [x.strip() for x in build.splitlines() if x.strip() and not x.startswith("#")]
    return [*py["dependencies"], *py["optional-dependencies"]["dev"], *lines]


def test_lock_pins_every_requirement_within_its_bounds():
    pins = _pins()
    for spec in _locked_inputs():
        req = Requirement(spec)
        name = _name(req.name)
        assert name in pins, f"{name} is required but not in requirements.lock: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {spec}: run `make lock`"
        )


def test_every_lock_entry_has_a_hash():
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert len(entries) == len(_pins()) > 50
    for entry in entries:
        assert "--hash=sha256:" in entry, f"no hash for {entry.splitlines()[0]}"


def test_build_backend_is_bounded_and_locked():
    requires = _pyproject()["build-system"]["requires"]
    (setuptools,) = (r for r in requires if _name(r) == "setuptools")
    spec = Requirement(setuptools).specifier
    assert any(s.operator == "<" for s in spec), "the build backend needs an upper bound"
    assert spec.contains("77"), "setuptools >= 77 reads the SPDX licence string"
    build_in = (config.ROOT / "requirements" / "build.in").read_text(encoding="utf-8")
    assert setuptools in build_in.splitlines(), "requirements/build.in must lock the same range"
    assert spec.contains(_pins()["setuptools"])


def test_lint_and_test_tools_are_pinned():
    pins = _pins()
    dev = {_name(d): d for d in _pyproject()["project"]["optional-dependencies"]["dev"]}
    assert {"ruff", "pytest", "pytest-timeout"} <= pins.keys()
    # ruff's check gates `make test`: a new release may add rules, so it is pinned exactly.
    assert SpecifierSet(dev["ruff"].removeprefix("ruff")) == SpecifierSet(f"=={pins['ruff']}")


def test_licence_is_spdx_and_builds_without_deprecation_warning():
    """A ``project.license`` table stops building after 2027-02-18 (setuptools >= 77)."""
    pytest.importorskip("setuptools")
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    assert _pyproject()["project"]["license"] == "MIT"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        apply_configuration(Distribution(), config.ROOT / "pyproject.toml")
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    assert not [m for m in messages if "Deprecat" in m], messages


def test_environment_yml_installs_the_lock():
    env = yaml.safe_load((config.ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    assert sorted(_name(d) for d in conda) == ["pip", "python"], conda
    (pip,) = (d["pip"] for d in deps if isinstance(d, dict))
    assert "-r requirements.lock" in pip


def test_setup_and_ci_install_from_the_lock():
    makefile = (config.ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes -r $(LOCK)" in makefile
    assert re.search(r"^LOCK\s*:= requirements\.lock$", makefile, re.M)
    assert "--no-build-isolation" in makefile


def test_ci_runs_the_readme_test_command():
    readme = (config.ROOT / "README.md").read_text()
    ci = (config.ROOT / ".ci" / "run").read_text()
    assert "make test" in readme.split("\n## ")[0], "README's opening must give `make test`"
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call exactly `make test`"
