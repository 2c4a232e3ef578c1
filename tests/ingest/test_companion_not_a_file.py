"""Issue 27 (9): a companion file that is a folder is named as a problem, not a traceback."""

from __future__ import annotations

import subprocess
import sys

from few_bases import bcg_base


def test_source_references_as_a_folder_is_one_problem(tmp_path):
    base = bcg_base(tmp_path / "base", 4)
    (base / "data" / "source_references.txt").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "evsum", "validate", "--base", str(base)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    where = base / "data" / "source_references.txt"
    assert f"{where} got 'a folder'; expected a regular file." in result.stderr
