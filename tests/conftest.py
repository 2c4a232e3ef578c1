"""Shared fixtures: the small study table and a way to write altered copies of it."""

import csv
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SMALL = DATA / "studies_small.csv"
#: The protocol of the small fixture; copy it beside data/ to make a folder an evidence base.
SMALL_PROTOCOL = DATA / "evsum.toml"


@pytest.fixture
def small_rows() -> list[dict]:
    """Records of tests/data/studies_small.csv as dicts of strings."""
    with open(SMALL, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def write_csv(tmp_path):
    """Write records (dicts) to a CSV in tmp_path and return its path."""

    def write(rows: list[dict], name: str = "studies.csv", fields: list[str] | None = None):
        path = tmp_path / name
        fields = fields or list(rows[0].keys())
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(
                handle, fieldnames=fields, lineterminator="\n", extrasaction="ignore"
            )
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


@pytest.fixture(autouse=True)
def _no_ci_progress(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
