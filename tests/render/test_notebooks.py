"""The report notebooks: thin, committed without outputs, runnable with their defaults."""

import ast
import json
import re

import nbformat
import pytest

from evsum.render.kernels import run_notebook
from evsum.render.report import notebook_parameters

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_expected_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {
        "condition_report.ipynb",
        "overview.ipynb",
        "claims_audit.ipynb",
        "gallery.ipynb",
        "methods.ipynb",
        "curation_log.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_with_kernelspec(path):
    raw = json.loads(path.read_text())
    assert raw["metadata"]["kernelspec"]["name"] == "evsum"
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_holds_only_annotated_parameters(path):
    book = nbformat.read(path, as_version=4)
    first = next(c for c in book.cells if c.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    tree = ast.parse(first.source)
    assert tree.body and all(isinstance(node, ast.AnnAssign) for node in tree.body)
    assert all("#" in line for line in first.source.splitlines())  # inline help
    assert notebook_parameters(path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_are_thin_calls_into_evsum(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(
                node, (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.If, ast.With)
            ), (path.name, cell.source)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                )
                assert names == ["evsum"], (path.name, cell.source)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_top_to_bottom_with_its_defaults(path):
    executed = run_notebook(str(path), {}, kernel_name="evsum", cwd=str(path.parent))
    errors = [
        o
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors == []
    if path.name == "gallery.ipynb":
        _check_gallery_figures(executed)


def _check_gallery_figures(executed) -> None:
    """The gallery shows a dozen figures or more, each with a text alternative read from what
    it shows."""
    html = [
        o["data"]["text/html"]
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    ]
    images = re.findall(
        r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]*)"', "".join(html)
    )
    assert len(images) >= 12
    # every figure carries a text alternative read from what it shows
    assert all(alt.strip() and "No description" not in alt for alt in images)
    forest = next(alt for alt in images if "Condition A: abstinence at 4 weeks" in alt)
    assert "Study, Intervention events/n" in forest and "Weight" in forest


def test_the_exploration_notebook_is_not_a_report_unless_asked():
    from evsum.render.batch import report_notebooks

    folder = ROOT / "notebooks"
    names = [p.name for p in report_notebooks(folder)]
    assert "explore.ipynb" not in names and names[0] == "condition_report.ipynb"
    assert {"overview.ipynb", "methods.ipynb", "claims_audit.ipynb"} <= set(names)
    assert [p.name for p in report_notebooks(folder, ("explore",))] == ["explore.ipynb"]
