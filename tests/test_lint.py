"""The code follows the project's gates: ruff rules and format (pyproject.toml [tool.ruff]),
mypy at 0 errors ([tool.mypy]) and a pre-commit configuration that runs them."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import tomllib
import yaml

from conftest import ROOT


def test_ruff_check_passes():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout


def test_ruff_format_is_clean():
    """One code style: `ruff format --check` finds nothing to reformat."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run(
        [ruff, "format", "--check", "src", "tests", "benchmarks", "scripts", "examples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


def test_mypy_finds_no_error():
    """The type checker (pyproject.toml [tool.mypy]: strict for stats and ingest) at 0 errors."""
    assert importlib.util.find_spec("mypy"), "mypy is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


def test_pre_commit_hooks_are_local_and_installed():
    """The pre-commit hooks run the environment's own tools: nothing is fetched at commit time,
    and the gates the tests hold (ruff check, ruff format, mypy, import-linter) are all there."""
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {
        "ruff-check",
        "ruff-format",
        "mypy",
        "lint-imports",
        "nbstripout",
        "check-yaml",
        "check-toml",
        "end-of-file-fixer",
        "trailing-whitespace",
        "check-added-large-files",
    } <= {h["id"] for h in hooks}
    # STYLE.md: outputs stripped, cell ids (and kernelspec, tags) kept
    [strip] = [h for h in hooks if h["id"] == "nbstripout"]
    assert "--keep-id" in strip["entry"].split()
    bin_dir = str(Path(sys.executable).parent)
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        tool = hook["entry"].split()[0]
        assert shutil.which(tool, path=bin_dir) or shutil.which(tool), tool
    pre_commit = shutil.which("pre-commit", path=bin_dir) or shutil.which("pre-commit")
    if pre_commit:
        done = subprocess.run(
            [pre_commit, "validate-config", ".pre-commit-config.yaml"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_strict_for_stats_and_ingest():
    """The strict override covers the statistics and ingest layers (the flags of
    ``mypy --strict`` but warn_return_any, see pyproject.toml)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    [strict] = [o for o in config["overrides"] if "evsum.stats.*" in o["module"]]
    assert set(strict["module"]) == {"evsum.stats.*", "evsum.ingest.*"}
    for flag in (
        "disallow_any_generics",
        "disallow_untyped_calls",
        "disallow_untyped_defs",
        "disallow_incomplete_defs",
        "check_untyped_defs",
        "no_implicit_reexport",
        "strict_equality",
    ):
        assert strict[flag] is True, flag
    assert config["files"] == ["src/evsum"]
    # a command that exits inside a helper leaves names possibly unbound: mypy says so
    assert "possibly-undefined" in config["enable_error_code"]
