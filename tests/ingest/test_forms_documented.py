"""Every column of the study table and every protocol key is documented in data/README.md,
and `evsum new` writes every column (issue 24: each new column or form documented)."""

import re

from click.testing import CliRunner

from evsum.cli import main
from evsum.ingest.protocol import REVIEW_KEYS
from evsum.render.scaffold import skeleton
from evsum.vocab import BLINDING, DESIGNS, STUDY_COLUMNS

from conftest import ROOT

README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def test_every_study_column_design_and_blinding_is_documented():
    for column in STUDY_COLUMNS:
        assert re.search(rf"`{re.escape(column)}`", README), column
    for value in (*DESIGNS, *BLINDING):
        assert f"`{value}`" in README, value


def test_every_review_key_is_documented_and_in_the_skeleton():
    template = (skeleton() / "evsum.toml").read_text(encoding="utf-8")
    for key in REVIEW_KEYS:
        assert f"`{key}`" in README, key
        assert re.search(rf"^#? ?{key} =", template, re.M), key


def test_evsum_new_writes_every_column(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "base")])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "base" / "data" / "studies.csv").read_text().strip().split(",")
    assert header == list(STUDY_COLUMNS)
