"""The real data, saved again as spreadsheets save CSV, reads back cell for cell (hypothesis).

Dialects drawn: Excel's "CSV UTF-8 (Comma delimited)" (byte-order mark, CRLF, quotes only
where needed), the same on a Mac (LF), LibreOffice Calc's Text CSV with UTF-8 (no BOM, LF or
CRLF, quotes where needed or around every text cell with "Quote all text cells"), Python's
``csv`` (CRLF, or every cell quoted with QUOTE_ALL), with and without a final line ending.
In-cell line breaks are written as LF inside quotes (what Excel and LibreOffice do).
"""

import csv
import hashlib
import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsum.ingest.io import LINE, file_sha256, read_csv_records
from evsum.ingest.studies import validate_studies

from conftest import ROOT

DATA = ROOT / "data"
FILES = (
    "studies.csv",
    "study_characteristics.csv",
    "risk_of_bias.csv",
    "grade.csv",
    "claims.csv",
    "search_log.csv",
)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _cells(name: str) -> tuple[list[str], list[list[str]]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], [r for r in rows[1:] if r]


def _quote_text_cells(row: list[str]) -> str:
    """A line as LibreOffice writes it with "Quote all text cells": numbers left bare."""
    return ",".join(
        c if not c or _NUMBER.fullmatch(c) else '"' + c.replace('"', '""') + '"' for c in row
    )


@st.composite
def dialects(draw) -> dict:
    return {
        "bom": draw(st.booleans()),
        "terminator": draw(st.sampled_from(["\r\n", "\n"])),
        "quoting": draw(st.sampled_from(["minimal", "all", "text cells"])),
        "final_newline": draw(st.booleans()),
    }


def _save(header: list[str], rows: list[list[str]], dialect: dict) -> bytes:
    end = dialect["terminator"]
    if dialect["quoting"] == "text cells":
        text = end.join(_quote_text_cells(r) for r in [header, *rows]) + end
    else:
        buffer = io.StringIO()
        quoting = csv.QUOTE_ALL if dialect["quoting"] == "all" else csv.QUOTE_MINIMAL
        csv.writer(buffer, lineterminator=end, quoting=quoting).writerows([header, *rows])
        text = buffer.getvalue()
    if not dialect["final_newline"]:
        text = text[: -len(end)]
    return (b"\xef\xbb\xbf" if dialect["bom"] else b"") + text.encode("utf-8")


def _editor_lines(rows: list[list[str]]) -> list[int]:
    """The line each record starts on: after the header, one per record and in-cell break."""
    lines, line = [], 2
    for row in rows:
        lines.append(line)
        line += 1 + sum(cell.count("\n") for cell in row)
    return lines


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FILES), dialect=dialects(), data=st.data())
def test_real_data_round_trips_through_every_spreadsheet_dialect(name, dialect, data):
    header, rows = _cells(name)
    picked = data.draw(
        st.lists(
            st.sampled_from(range(len(rows))), min_size=1, max_size=min(len(rows), 40), unique=True
        )
    )
    rows = [rows[i] for i in sorted(picked)]
    saved = _save(header, rows, dialect)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(saved)
        frame = read_csv_records(path)
        assert file_sha256(path) == hashlib.sha256(saved).hexdigest()
    assert list(frame.columns) == [*header, LINE]
    assert frame[header].values.tolist() == rows
    assert list(frame[LINE]) == _editor_lines(rows)
    if name == "studies.csv":
        table = validate_studies(frame, name)
        assert list(table.data[LINE]) == _editor_lines(rows)
