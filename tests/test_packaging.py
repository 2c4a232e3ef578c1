"""Packaging: environment.yml installs what `make setup` installs (pyproject.toml's dependencies
and the extras the Makefile names), every package src/evsum imports is declared, and the
distribution carries its licence and type information."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "evsum"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
#: Extras that are not part of an installation: opt-in tools a user asks for by name.
OPT_IN_EXTRAS = {"bench"}


def _normalise(requirement: str) -> str:
    """``Jupyter_Lab >=4.0`` -> ``jupyter-lab>=4.0`` (PEP 503 name, specifier kept; an
    environment marker such as ``; python_version < '3.11'`` or a YAML comment dropped)."""
    requirement = requirement.split(";")[0].split("#")[0].replace(" ", "")
    name = re.match(r"[A-Za-z0-9_.\-]+(\[[^\]]*\])?", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name.lower()) + requirement[len(name) :]


def _name(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution.lower())


def _makefile_extras() -> list[str]:
    """The extras of ``pip install -e '.[dev,dask,pdf]'`` in the Makefile's set-up rule."""
    makefile = (ROOT / "Makefile").read_text()
    installs = re.findall(r"pip install [^\n]*-e '\.\[([^\]]*)\]'", makefile)
    assert len(installs) == 1, "the Makefile should install the package once, with its extras"
    return [extra.strip() for extra in installs[0].split(",")]


def _pyproject() -> set[str]:
    optional = PROJECT["optional-dependencies"]
    requirements = list(PROJECT["dependencies"])
    for extra in _makefile_extras():
        requirements += optional[extra]
    return {_normalise(r) for r in requirements}


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


def test_environment_yml_lists_what_the_makefile_installs():
    assert _environment() == _pyproject()


def test_the_makefile_installs_every_extra_but_the_opt_in_ones():
    extras = set(PROJECT["optional-dependencies"])
    assert set(_makefile_extras()) == extras - OPT_IN_EXTRAS


def test_environment_yml_installs_the_package_itself():
    assert "      - -e ." in (ROOT / "environment.yml").read_text().splitlines()


def test_normalise_keeps_version_specifier():
    assert _normalise("Jupyter_Lab >=4.0") == "jupyter-lab>=4.0"


def _imported_top_level_names(folder: Path = SRC) -> dict[str, Path]:
    """Top-level names of every absolute import under ``folder`` (inside functions too)."""
    names: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                names.setdefault(module.split(".")[0], path)
    return names


def _third_party_imports() -> dict[str, Path]:
    return {
        name: path
        for name, path in _imported_top_level_names().items()
        if name not in sys.stdlib_module_names and name != "evsum"
    }


def _declared_distributions(extras_too: frozenset[str] = frozenset()) -> set[str]:
    """Distributions the dependencies and the runtime extras (and ``extras_too``) name, with
    the packages a declared extra of another distribution brings (``dask[distributed]``
    declares ``distributed``)."""
    requirements = list(PROJECT["dependencies"])
    for extra, listed in PROJECT["optional-dependencies"].items():
        if extra not in OPT_IN_EXTRAS | {"dev"} or extra in extras_too:
            requirements += listed
    declared = set()
    for text in requirements:
        requirement = Requirement(text)
        declared.add(_name(requirement.name))
        for extra in requirement.extras:
            for sub in importlib.metadata.requires(requirement.name) or []:
                sub = Requirement(sub)
                if sub.marker is not None and sub.marker.evaluate({"extra": extra}):
                    declared.add(_name(sub.name))
    return declared


def test_the_import_scan_sees_the_stack():
    imports = _third_party_imports()
    assert {"numpy", "pandas", "jinja2", "papermill", "IPython", "PIL"} <= set(imports)
    assert "os" not in imports


def test_every_imported_package_is_declared():
    """Each third-party import is a dependency or in a runtime extra (not only in ``dev``)."""
    distributions = importlib.metadata.packages_distributions()
    declared = _declared_distributions()
    missing = []
    for module, path in sorted(_third_party_imports().items()):
        # a module absent here (tomli on Python >= 3.11) is named as its distribution
        provided_by = {_name(d) for d in distributions.get(module, [module])}
        if not provided_by & declared:
            missing.append(f"{module} (imported in {path.relative_to(ROOT)})")
    assert not missing, "imported but not declared in pyproject.toml: " + ", ".join(missing)


def test_every_package_the_tests_import_is_declared():
    """What tests/ imports is a dependency, or in the dev extra (or a runtime one); helper
    modules of the tests themselves (conftest, hostile, ...) are local."""
    tests = ROOT / "tests"
    local = {path.stem for path in tests.rglob("*.py")}
    distributions = importlib.metadata.packages_distributions()
    declared = _declared_distributions(frozenset({"dev"}))
    missing = []
    for module, path in sorted(_imported_top_level_names(tests).items()):
        if module in sys.stdlib_module_names or module in local or module == "evsum":
            continue
        provided_by = {_name(d) for d in distributions.get(module, [module])}
        if not provided_by & declared:
            missing.append(f"{module} (imported in {path.relative_to(ROOT)})")
    assert not missing, "imported by the tests but not declared: " + ", ".join(missing)


def test_pdf_extra_brings_playwright():
    pdf = {Requirement(r).name for r in PROJECT["optional-dependencies"]["pdf"]}
    assert "playwright" in pdf


def test_licence_file_matches_pyproject():
    assert PROJECT["license"] == {"text": "MIT"}
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "Copyright (c)" in licence and "the evsum authors" in licence


def test_type_information_is_shipped():
    """PEP 561: the py.typed marker exists and is package data."""
    assert (SRC / "py.typed").is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in package_data["package-data"]["evsum"]
