"""pyproject.toml and environment.yml must list the same dependencies."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> str:
    """``Jupyter_Lab >=4.0`` -> ``jupyter-lab>=4.0`` (PEP 503 name, specifier kept; an
    environment marker such as ``; python_version < '3.11'`` or a YAML comment dropped)."""
    requirement = requirement.split(";")[0].split("#")[0].replace(" ", "")
    name = re.match(r"[A-Za-z0-9_.\-]+(\[[^\]]*\])?", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name.lower()) + requirement[len(name) :]


def _pyproject() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = project["optional-dependencies"]
    return {_normalise(r) for r in project["dependencies"] + optional["dev"] + optional["bench"]}


def _environment() -> set[str]:
    deps, in_deps = set(), False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        # conda packages, and the pip section's packages (those not on conda-forge)
        match = re.match(r"^(?:  |      )- ([A-Za-z0-9_.\-\[\]]+.*)$", line)
        if in_deps and match:
            name = match.group(1).strip()
            if not re.match(r"^(python|pip)(=|$|:)|^-e ", name):
                deps.add(_normalise(name))
    return deps


def test_environment_yml_lists_the_pyproject_dependencies():
    assert _environment() == _pyproject()


def test_environment_yml_installs_the_package_itself():
    assert "      - -e ." in (ROOT / "environment.yml").read_text().splitlines()


def test_normalise_keeps_version_specifier():
    assert _normalise("Jupyter_Lab >=4.0") == "jupyter-lab>=4.0"
