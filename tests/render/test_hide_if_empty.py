"""A report cell tagged "hide-if-empty" (the declared-analyses block of a base without a plan)
leaves nothing in the page; with output it is shown."""

import nbformat

from evsum.render.report import export_html


def _notebook(outputs):
    cell = nbformat.v4.new_code_cell("blocks.condition.plan(analyses)", id="declared-analyses")
    cell.metadata["tags"] = ["hide-if-empty"]
    cell.outputs = outputs
    plain = nbformat.v4.new_code_cell("x = 1", id="plain")
    return nbformat.v4.new_notebook(cells=[plain, cell])


def test_an_empty_tagged_cell_leaves_no_trace():
    page = export_html(_notebook([]), footer="f")
    assert 'id="cell-id=declared-analyses"' not in page
    assert 'id="cell-id=plain"' in page  # an untagged cell without output is kept, as before


def test_a_tagged_cell_with_output_is_shown():
    output = nbformat.v4.new_output(
        "display_data", data={"text/html": "<h3>Declared analysis: x</h3>"}
    )
    page = export_html(_notebook([output]), footer="f")
    assert "Declared analysis: x" in page
