"""Issue 27 (7): a claims.csv problem is reported together with the problems of studies.csv
and evsum.toml, not only after they are fixed."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from few_bases import bcg_base

from evsum import StudyDataError
from evsum.ingest.claims import validate_data

CLAIMS = (
    "claim_id,quote,section,claim_type,cited_reference,reference_id,study_ids,outcomes,"
    "verdict,rationale\n"
    "C01,BCG protects,(introduction),effect,,,,tb_cases,proven beyond doubt,Because.\n"
)
BAD_VERDICT = "claims.csv:2 (claim_id=C01) verdict: got 'proven beyond doubt'"


def _base_with_bad_claims(tmp_path):
    base = bcg_base(tmp_path / "base", 4)
    (base / "data" / "claims.csv").write_text(CLAIMS, encoding="utf-8")
    return base


def _set_cell(path, row, column, value):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames), list(reader)
    rows[row][column] = value
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_claims_problem_is_listed_with_the_study_table_problem(tmp_path):
    base = _base_with_bad_claims(tmp_path)
    _set_cell(base / "data" / "studies.csv", 1, "n_intervention", "-5")
    with pytest.raises(StudyDataError) as err:
        validate_data(base=base)
    text = str(err.value)
    assert text.startswith("2 problems in ")
    assert "studies.csv:3 (study_id=ferguson1949) n_intervention: got '-5'" in text
    assert BAD_VERDICT in text


def test_claims_problem_is_listed_with_the_protocol_problem(tmp_path):
    base = _base_with_bad_claims(tmp_path)
    toml = base / "evsum.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[review2]\nx = 1\n", encoding="utf-8")
    line = toml.read_text(encoding="utf-8").splitlines().index("[review2]") + 1
    result = subprocess.run(
        [sys.executable, "-m", "evsum", "validate", "--base", str(base)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert f"evsum.toml:{line}" in result.stderr and "review2" in result.stderr
    assert BAD_VERDICT in result.stderr
