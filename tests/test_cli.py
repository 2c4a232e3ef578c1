"""Command line: exit codes, messages, help."""

import ast
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from evsum.cli import exit_code, main
from evsum.exceptions import EvsumError, RenderError, StudyDataError, UsageError

from conftest import ROOT, SMALL, SMALL_PROTOCOL


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_validate_ok():
    result = _run("validate", SMALL)
    assert result.exit_code == 0
    assert "OK (5 rows, 4 studies, 2 conditions)" in result.output


def test_validate_reports_every_problem_and_exits_1(tmp_path):
    bad = tmp_path / "studies.csv"
    text = (
        SMALL.read_text()
        .replace(",12,6,", ",25,6,")
        .replace("alpha2001,Alpha,2001", "alpha2001,Alpha,1890")
    )
    bad.write_text(text)
    result = _run("validate", bad)
    assert result.exit_code == 1
    assert f"2 problems in {bad}:" in result.output
    assert f"{bad}:2 (study_id=alpha2001) events_intervention: got '25'" in result.output
    assert f"{bad}:2 (study_id=alpha2001) year: got '1890'" in result.output


def test_list_shows_conditions_and_outcomes():
    result = _run("list", SMALL)
    assert result.exit_code == 0
    assert result.output.splitlines()[:3] == [
        "alcohol (2 studies)",
        "  abstinence: 2 studies, 2 rows",
        "  craving: 1 studies, 1 rows",
    ]


@pytest.mark.parametrize("command", [[], ["validate"], ["list"], ["render"], ["audit-citations"]])
def test_help_is_useful(command):
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 4


def test_unknown_option_is_a_usage_error():
    assert _run("render", "--no-such-option").exit_code == 2


def test_python_dash_m_evsum():
    done = subprocess.run(
        [sys.executable, "-m", "evsum", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("evsum, version ")


def test_render_refuses_invalid_data_and_keeps_reports(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "studies.csv").write_text(
        SMALL.read_text().replace("double-blind", "blinded", 1)
    )
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    out = tmp_path / "reports"
    out.mkdir()
    (out / "alcohol.html").write_text("previous good report")
    result = _run(
        "render",
        "--data",
        tmp_path / "data" / "studies.csv",
        "--notebooks",
        tmp_path / "notebooks",
        "--out",
        out,
    )
    assert result.exit_code == 1
    assert "blinding: got 'blinded'" in result.output
    assert (out / "alcohol.html").read_text() == "previous good report"
    assert sorted(p.name for p in out.iterdir()) == ["alcohol.html"]


def test_check_links_names_each_broken_link(tmp_path):
    (tmp_path / "a.html").write_text(
        '<h3 id="x">x</h3><a href="#x">ok</a>'
        '<a href="b.html#row-1">row</a><a href="c.html">gone</a>'
        '<a href="https://example.org/#nowhere">external</a>'
    )
    (tmp_path / "b.html").write_text('<span id="row-2">row 2</span>')
    result = CliRunner().invoke(main, ["check-links", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path}/a.html: b.html#row-1" in result.output
    assert f"{tmp_path}/a.html: c.html" in result.output
    assert "#x" not in result.output and "example.org" not in result.output
    (tmp_path / "b.html").write_text('<span id="row-1">row 1</span>')
    (tmp_path / "c.html").write_text("<p>back</p>")
    result = CliRunner().invoke(main, ["check-links", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_params_lists_the_parameters_cell_of_each_notebook(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["params"])
    assert result.exit_code == 0, result.output
    assert "notebooks/condition_report.ipynb:" in result.output
    assert '  condition: str = ""  # condition key of evsum.toml' in result.output
    assert '  method: str = "REML"  # pooling method' in result.output
    assert (
        "an empty `base` means the evidence base is the first of the kernel's working "
        "directory and its parents with an evsum.toml" in result.output
    )


def test_index_escapes_the_protocol_title(tmp_path):
    from evsum.render.index import index_html

    page = index_html(
        {"a": {"title": "<b>A</b>", "status": "rendered"}},
        tmp_path,
        title="<script>alert(1)</script> review",
    )
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; review" in page
    assert "&lt;b&gt;A&lt;/b&gt;" in page


def _workspace(tmp_path):
    """An evidence base: the fixture's protocol and table, and the report template."""
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    (tmp_path / "data").mkdir()
    shutil.copy(SMALL, tmp_path / "data" / "studies.csv")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "condition_report.ipynb", tmp_path / "notebooks")
    return tmp_path


def _render_args(root):
    data, notebooks = root / "data" / "studies.csv", root / "notebooks"
    return ["render", "--data", data, "--notebooks", notebooks, "--out", root / "reports"]


def test_render_only_an_unknown_report_is_a_usage_error(tmp_path):
    root = _workspace(tmp_path)
    result = _run(*_render_args(root), "--only", "no-such-report", "--quiet")
    assert result.exit_code == 2, result.output
    assert "error: --only 'no-such-report': no such report; expected one of" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("error", "code"),
    [
        # README "Exit codes": 1 invalid data (or any other fault of the evidence base),
        # 2 usage, 3 reports not written; the base class is not a usage error
        (EvsumError("the protocol names a report without a notebook"), 1),
        (UsageError("--only 'x': no such report"), 2),
        (RenderError("cannot write to reports/"), 3),
    ],
)
def test_render_maps_each_error_to_its_exit_code(tmp_path, monkeypatch, error, code):
    from evsum.render import batch

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(batch, "plan_reports", fail)
    result = _run(*_render_args(_workspace(tmp_path)), "--quiet")
    assert result.exit_code == code, result.output
    assert result.output.strip() == f"error: {error}"


def test_exit_codes_match_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert (
        "Exit codes: 0 ok,\n1 invalid data or a failed check, 2 usage error, 3 a report failed "
        "to render." in readme
    )
    assert exit_code(StudyDataError("data/studies.csv", [])) == 1
    assert exit_code(EvsumError("a fault of the evidence base")) == 1
    assert exit_code(UsageError("no such report")) == 2
    assert exit_code(RenderError("cannot write")) == 3


def test_missing_folders_and_notebooks_are_usage_errors(tmp_path):
    result = _run("check-links", tmp_path / "absent")
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: {tmp_path / 'absent'}: no such folder (render the reports first)"
    )
    (tmp_path / "notebooks").mkdir()
    result = _run("params", "--base", tmp_path)
    assert result.exit_code == 2
    assert "no notebooks given and none in notebooks/" in result.output


def test_commands_raise_and_only_the_group_exits():
    """cli.py ends a command in one place (`_exit`, after its output): no helper calls
    sys.exit, so every variable a command binds is bound on every path that continues."""
    tree = ast.parse((ROOT / "src" / "evsum" / "cli.py").read_text())
    exits = [
        function.name
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Attribute)
        and node.attr == "exit"
        and isinstance(node.value, ast.Name)
        and node.value.id == "sys"
    ]
    assert exits == ["_exit"]
