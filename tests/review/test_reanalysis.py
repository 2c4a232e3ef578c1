"""A re-analysis of a published review's data (issue 24): the protocol's
``[review] reanalysis_of`` lets the review's (secondary) rows pool, and every page says so."""

import json
import re
import warnings

import pytest
from few_bases import BCG, base_of, bcg_rows

import evsum
from evsum.render.scaffold import skeleton

from conftest import ROOT
from page_text import reader_text_of, run_cells

NOTE = "A re-analysis of Colditz et al. 1994 (JAMA 271:698), as tabulated in metafor's dat.bcg"


def _without_flag(folder):
    _, rows = bcg_rows()
    base = base_of(folder, rows[:4])
    toml = (base / "evsum.toml").read_text(encoding="utf-8")
    kept = "\n".join(line for line in toml.splitlines() if not line.startswith("reanalysis_of"))
    (base / "evsum.toml").write_text(kept + "\n", encoding="utf-8")
    return base


def _analyse(base):
    evidence = evsum.load_evidence(base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evidence, evsum.analyse_condition(evidence, "tuberculosis")


def test_the_bcg_rows_say_they_come_from_the_review():
    evidence = evsum.load_evidence(base=BCG)
    data = evidence.studies.data
    assert (data["source_type"] == "secondary").all() and (data["source_kind"] == "review").all()
    assert (
        data["notes"].str.startswith("Read from Colditz et al. 1994 via metafor's dat.bcg").all()
    )
    assert evidence.protocol.wording.reanalysis


def test_secondary_rows_are_never_pooled_without_the_flag(tmp_path):
    _, analyses = _analyse(_without_flag(tmp_path))
    assert all(a.result is None for a in analyses)


def test_with_the_flag_they_pool_as_metafor(tmp_path):
    _, rows = bcg_rows()
    _, analyses = _analyse(base_of(tmp_path, rows[:4]))
    (analysis,) = analyses
    # the first four dat.bcg trials' log risk ratios and variances as metafor's escalc("RR")
    # gives them (tests/reference/small_k.json, "confint", dat.bcg rows 1:4)
    reference = json.loads((ROOT / "tests" / "reference" / "small_k.json").read_text())
    expected = next(
        c for c in reference["confint"] if c["dataset"] == "dat.bcg" and c["rows"] == 4
    )
    assert analysis.result is not None and analysis.result.k == 4
    assert list(analysis.rows["yi"]) == pytest.approx(expected["yi"], abs=1e-12)
    assert list(analysis.rows["vi"]) == pytest.approx(expected["vi"], abs=1e-12)


@pytest.mark.parametrize("notebook", ["condition_report", "overview", "methods", "curation_log"])
def test_every_page_says_it_is_a_reanalysis(tmp_path, notebook):
    _, rows = bcg_rows()
    base = base_of(tmp_path, rows[:4])
    path = skeleton() / "notebooks" / f"{notebook}.ipynb"
    page = re.sub(
        r"\s+", " ", " ".join(reader_text_of(v) for v in run_cells(path, {"base": str(base)}))
    )
    assert NOTE in page
    assert "never pooled" not in page


def test_the_index_says_it_too(tmp_path):
    from evsum.render.batch import plan_reports
    from evsum.render.index import index_html

    _, rows = bcg_rows()
    base = base_of(tmp_path / "base", rows[:4])
    jobs = plan_reports(
        base / "data" / "studies.csv", skeleton() / "notebooks", tmp_path / "out", base=base
    )
    assert all(NOTE in job.reanalysis for job in jobs)
    page = index_html({}, tmp_path / "out", about=jobs[0])
    assert NOTE in page.replace("&#39;", "'")
