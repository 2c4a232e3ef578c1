"""`evsum audit-citations --csv` on a hostile reference list: no cell runs as a formula.

OWASP "CSV Injection": a spreadsheet treats a cell beginning with =, +, -, @ (or a tab or
carriage return) as a formula; such cells are written with a leading ' so that they stay text.
"""

import csv

import pytest
from click.testing import CliRunner

from evsum.cli import main, spreadsheet_safe

from conftest import ROOT

HOSTILE = (
    '=HYPERLINK("http://example.invalid","x"), J. (2002). A title. Journal of Things, 12, 1-9.'
    "\n\n-Smith, A. (2019). A title. Journal of Tests, 4, 10-20.\n\n"
    "@Jones, B. (2018). +1 title. Journal of Tests, 4, 10-20.\n"
)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Smith (2019)", "Smith (2019)"),
        ("", ""),
        (3, 3),
    ],
)
def test_cells_a_spreadsheet_would_run_get_a_quote(value, written):
    assert spreadsheet_safe(value) == written


def test_audit_csv_has_no_formula_cells(tmp_path):
    source = tmp_path / "refs.txt"
    source.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "audit.csv"
    result = CliRunner().invoke(
        main,
        [
            "audit-citations",
            str(source),
            "--references",
            str(ROOT / "data" / "references.json"),
            "--csv",
            str(out),
        ],
    )
    assert result.exit_code == 1, result.output  # nothing matches: discrepancies
    with open(out, newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=HYPERLINK(") for c in cells)
    assert any(c.startswith("'-Smith") for c in cells)
    assert any(c.startswith("'@Jones") for c in cells)
