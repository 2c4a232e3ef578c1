"""notebooks/gallery.ipynb: thin, parameterised, committed without outputs (it runs: see
test_notebooks.py)."""

import re
from pathlib import Path

import nbformat

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


# That it runs with its defaults, showing a dozen figures each with a text alternative: the
# gallery's case of tests/render/test_notebooks.py::test_runs_top_to_bottom_with_its_defaults
# (one execution of the gallery for both).
