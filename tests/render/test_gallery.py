"""notebooks/gallery.ipynb: thin, parameterised, committed without outputs, and it runs."""

import re
from pathlib import Path

import nbformat
import pytest

GALLERY = Path(__file__).resolve().parents[2] / "notebooks" / "gallery.ipynb"


def _code_cells():
    return [c for c in nbformat.read(GALLERY, as_version=4).cells if c.cell_type == "code"]


def test_first_code_cell_is_tagged_parameters():
    assert _code_cells()[0].metadata.get("tags") == ["parameters"]


def test_committed_without_outputs():
    assert all(not c.outputs and c.execution_count is None for c in _code_cells())


def test_only_evsum_calls_no_logic():
    for cell in _code_cells():
        assert not re.search(r"^\s*(def|class|for|while|if|with)\b", cell.source, re.M)
        imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", cell.source, re.M)
        assert set(imports) <= {"evsum"}, cell.source


@pytest.mark.notebook
def test_gallery_executes(tmp_path):
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "gallery.ipynb"
    papermill.execute_notebook(str(GALLERY), str(out), cwd=str(tmp_path), progress_bar=False)
    html = [
        o["data"]["text/html"]
        for c in nbformat.read(out, as_version=4).cells
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
