"""Evidence bases: `evsum new`, the templates' one master copy, a minimal base, papermill."""

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evsum.cli import main
from evsum.render.scaffold import skeleton, template_notebooks

from conftest import ROOT, SMALL, SMALL_PROTOCOL

BASES = (ROOT, ROOT / "examples" / "bcg-vaccine")


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_new_writes_a_ready_base_with_identical_template_copies(tmp_path):
    base = tmp_path / "my-review"
    result = _run("new", base)
    assert result.exit_code == 0, result.output
    assert (base / "evsum.toml").read_text() == (skeleton() / "evsum.toml").read_text()
    assert (base / ".gitignore").read_text().split() == [
        "reports/",
        "build/",
        ".ipynb_checkpoints/",
    ]
    assert (base / "README.md").exists()
    assert (base / "data" / "studies.csv").read_text().startswith("study_id,first_author,")
    assert len((base / "data" / "studies.csv").read_text().splitlines()) == 1
    # the optional source_kind column too, beside source_type (data/README.md)
    assert (
        ",source_type,source_kind,source_locator," in (base / "data" / "studies.csv").read_text()
    )
    copies = sorted((base / "notebooks").glob("*.ipynb"))
    assert [p.name for p in copies] == [p.name for p in template_notebooks()]
    assert {p.name for p in copies} == {
        "condition_report.ipynb",
        "overview.ipynb",
        "claims_audit.ipynb",
        "methods.ipynb",
        "explore.ipynb",
        "curation_log.ipynb",
    }
    for copy, master in zip(copies, template_notebooks(), strict=True):
        assert filecmp.cmp(copy, master, shallow=False), copy.name
    assert _run("new", base).exit_code == 2  # never over an existing base


@pytest.mark.parametrize("base", BASES, ids=["repository", "bcg-vaccine"])
def test_each_notebook_template_is_committed_once(base):
    """The bases in this repository link to the master copy instead of holding their own."""
    for master in template_notebooks():
        used = base / "notebooks" / master.name
        assert used.is_symlink() and used.resolve() == master.resolve(), used


def test_validate_right_after_new_explains_what_is_missing(tmp_path):
    base = tmp_path / "fresh"
    _run("new", base)
    result = _run("validate", "--base", base)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{base / 'evsum.toml'}:6 review.title: got ''; expected a value" in result.output
    assert "at least one [conditions.KEY] table" in result.output
    assert (
        f"{base / 'data' / 'studies.csv'} got 'no records'; expected at least one study "
        "row" in result.output
    )


def test_commands_outside_a_base_say_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run("validate")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no evsum.toml here or in a parent folder" in result.output


@pytest.fixture(scope="module")
def minimal_base(tmp_path_factory):
    """A base holding only evsum.toml and data/studies.csv (no companion file, no notebooks:
    evsum's templates render it)."""
    base = tmp_path_factory.mktemp("minimal") / "base"
    (base / "data").mkdir(parents=True)
    shutil.copy(SMALL, base / "data" / "studies.csv")
    shutil.copy(SMALL_PROTOCOL, base / "evsum.toml")
    return base


def test_validate_states_which_optional_files_it_found(minimal_base, tmp_path):
    result = _run("validate", "--base", minimal_base)
    assert result.exit_code == 0, result.output
    assert "optional files found: none" in result.output
    assert (
        "not found (the reports say what was not recorded): study_characteristics.csv, "
        "risk_of_bias.csv, grade.csv, search_log.csv" in result.output
    )


@pytest.mark.notebook
def test_a_base_with_only_studies_and_protocol_renders(minimal_base):
    result = _run("render", "--base", minimal_base, "--quiet")
    assert result.exit_code == 0, result.output
    reports = minimal_base / "reports"
    assert sorted(p.name for p in reports.glob("*.html")) == [
        "alcohol.html",
        "cocaine.html",
        "curation-log.html",
        "glossary.html",
        "index.html",
        "methods.html",
        "overview.html",
    ]
    index = (reports / "index.html").read_text()
    assert "<h1>Fixture review</h1>" in index
    assert "claims" not in index.lower() and "gallery" not in index.lower()
    assert index.index("overview.html") < index.index("alcohol.html") < index.index("cocaine.html")
    assert (minimal_base / "build" / "alcohol.ipynb").exists()
    assert sorted(p.name for p in minimal_base.iterdir()) == [
        "build",
        "data",
        "evsum.toml",
        "reports",
    ]
    assert _run("check-links", "--base", minimal_base).exit_code == 0


@pytest.mark.notebook
@pytest.mark.parametrize("where", ["root", "notebooks"])
def test_papermill_runs_a_template_with_no_path_given(where, tmp_path):
    """The papermill user story, from the base's root and from notebooks/ (JupyterLab's cwd)."""
    cwd = ROOT if where == "root" else ROOT / "notebooks"
    notebook = "notebooks/condition_report.ipynb" if where == "root" else "condition_report.ipynb"
    out = tmp_path / "out.ipynb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "-k",
            "evsum",
            notebook,
            str(out),
            "-p",
            "condition",
            "cocaine",
            "--no-progress-bar",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Forest plot" in out.read_text()


@pytest.mark.notebook
def test_a_typo_in_outcomes_lists_the_known_outcomes(tmp_path):
    out = tmp_path / "out.ipynb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "-k",
            "evsum",
            "notebooks/condition_report.ipynb",
            str(out),
            "-p",
            "condition",
            "alcohol",
            "-p",
            "outcomes",
            "abstinance",
            "--no-progress-bar",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert (
        "outcomes must be 'all' or outcomes of the evidence base (abstinence, relapse"
        in done.stderr
    )
    assert "got 'abstinance'" in done.stderr


def test_check_links_accepts_the_link_to_a_failed_reports_traceback(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="alcohol.error.txt">traceback</a><a href="cocaine.error.txt">traceback</a>'
    )
    (tmp_path / "alcohol.error.txt").write_text("Traceback ...")
    result = _run("check-links", tmp_path)
    assert result.exit_code == 1
    assert "index.html: cocaine.error.txt" in result.output
    assert "alcohol.error.txt" not in result.output


def test_no_review_words_in_the_library():
    """The library is generic: a review's words live in its evsum.toml (every file under
    src/evsum/: code, templates, CSS and the skeleton that evsum new copies)."""
    words = ("ketamine", "alcohol", "opioid", "cocaine", "heroin", "blog")
    package = ROOT / "src" / "evsum"
    hits = []
    for path in sorted(package.rglob("*")):
        if not path.is_file() or path.suffix == ".pyc":
            continue
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        hits += [f"{path.relative_to(ROOT)}: {w}" for w in words if w in text]
    assert hits == []


def test_every_template_notebook_is_package_data():
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["evsum"]
    assert "render/skeleton/notebooks/*" in patterns and "render/skeleton/*" in patterns
    assert Path(skeleton() / "gitignore").exists()
