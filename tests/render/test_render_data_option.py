"""`evsum render --data OTHER.csv`: every result and every provenance stamp describe OTHER."""

import hashlib
import json
import shutil

import pytest
from click.testing import CliRunner
from few_bases import bcg_base

from evsum.cli import main
from evsum.exceptions import EvsumError
from evsum.render.batch import plan_reports
from evsum.render.scaffold import skeleton


def _other_table(base):
    """data_other/studies.csv: the first two of the base's four BCG trials."""
    other = base / "data_other" / "studies.csv"
    other.parent.mkdir()
    lines = (base / "data" / "studies.csv").read_text(encoding="utf-8").splitlines()
    other.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    return other


def test_the_notebooks_are_given_the_table_the_batch_hashed(tmp_path):
    base = bcg_base(tmp_path / "base", 4)
    other = _other_table(base)
    jobs = plan_reports(other, skeleton() / "notebooks", tmp_path / "out", base=base)
    assert jobs, "no report planned"
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    for job in jobs:
        assert job.data_sha256 == digest
        if "base" in job.parameters:
            assert job.parameters["data"] == str(other.resolve()), job.name


def test_a_notebook_that_cannot_be_given_the_table_refuses_it(tmp_path):
    base = bcg_base(tmp_path / "base", 4)
    other = _other_table(base)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(skeleton() / "notebooks", notebooks)  # a methods page from an old copy:
    book = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "p",
                "metadata": {"tags": ["parameters"]},
                "outputs": [],
                "source": 'base: str = ""  # the base',
            }
        ],
        "metadata": {"evsum": {"title": "Old"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (notebooks / "methods.ipynb").write_text(json.dumps(book), encoding="utf-8")
    with pytest.raises(EvsumError, match="has no 'data' parameter"):
        plan_reports(other, notebooks, tmp_path / "out", base=base)
    # its own table is fine
    assert plan_reports(base / "data" / "studies.csv", notebooks, tmp_path / "out", base=base)


@pytest.mark.notebook
def test_render_with_another_table_computes_from_it_and_stamps_it(tmp_path):
    base = bcg_base(tmp_path / "base", 4)
    shutil.rmtree(base / "data_other", ignore_errors=True)
    other = _other_table(base)
    own = hashlib.sha256((base / "data" / "studies.csv").read_bytes()).hexdigest()
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    result = CliRunner().invoke(
        main,
        [
            "render",
            "--base",
            str(base),
            "--data",
            str(other),
            "--only",
            "tuberculosis",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (base / "reports" / "tuberculosis.html").read_text(encoding="utf-8")
    assert digest in page and own not in page
    assert "study table data_other/studies.csv SHA-256" in page
    # the first two trials (Aronson 1948, Ferguson 1949) only: Rosenthal 1960 is in the
    # base's own table, not in the one given
    assert "Ferguson" in page and "Rosenthal" not in page
