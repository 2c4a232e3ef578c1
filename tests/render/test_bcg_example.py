"""examples/bcg-vaccine: a second real evidence base (metafor's dat.bcg), end to end."""

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

import evsum
from evsum.cli import main

from conftest import ROOT
from page_text import machine_traces

BCG = ROOT / "examples" / "bcg-vaccine"


@pytest.fixture(scope="module")
def evidence():
    return evsum.load_evidence(base=BCG)


def test_thirteen_trials_one_analysis(evidence):
    assert evidence.studies.data["study_id"].nunique() == 13
    assert evidence.protocol.intervention == "BCG vaccine"
    assert evidence.studies.conditions == ["tuberculosis"]
    assert evidence.found == ()  # no companion file: nothing recorded beyond the 2x2 tables


def test_pooled_reml_result_equals_metafor(evidence):
    [analysis] = evsum.analyse_condition(evidence, "tuberculosis", method="REML")
    result = analysis.result
    # metafor 3.8-1, rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg,
    # method="REML"): estimate -0.7145, se 0.1798, tau^2 0.3132, I^2 92.22%;
    # predict(res, transf=exp): 0.49 (0.34 to 0.70). Printed to 4 (2) decimals.
    assert result.k == 13
    assert result.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert result.se == pytest.approx(0.1798, abs=5e-5)
    assert result.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert result.i2 == pytest.approx(92.22, abs=5e-3)
    shown = result.back_transform()
    assert (round(shown.estimate, 2), round(shown.ci_low, 2), round(shown.ci_high, 2)) == (
        0.49, 0.34, 0.70)
    assert analysis.higher_is_better is False
    assert analysis.title == "tb cases, end of follow-up — BCG vaccine vs no vaccine (RR)"


def test_every_row_names_its_source(evidence):
    data = evidence.studies.data
    assert data["source_locator"].str.contains("dat.bcg").all()
    assert data["source_locator"].str.contains("10.1001/jama.1994.03510330076038").all()
    assert data["source_quote"].str.fullmatch(
        r"tpos = \d+, tneg = \d+, cpos = \d+, cneg = \d+").all()


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_the_committed_table_is_what_the_r_script_exports(tmp_path):
    """Live check where R and metadat are installed (CI installs them)."""
    probe = subprocess.run(["Rscript", "-e", "library(metadat)"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the R package metadat is not installed")
    (tmp_path / "data").mkdir()
    subprocess.run(["Rscript", str(BCG / "scripts" / "export_dat_bcg.R")], cwd=tmp_path,
                   check=True)
    assert (tmp_path / "data" / "studies.csv").read_bytes() == (
        BCG / "data" / "studies.csv").read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("bcg") / "bcg-vaccine"
    shutil.copytree(BCG, base, symlinks=False, ignore=shutil.ignore_patterns("reports",
                                                                              "build"))
    result = CliRunner().invoke(main, ["render", "--base", str(base), "--quiet"])
    assert result.exit_code == 0, result.output
    return base / "reports"


@pytest.mark.notebook
def test_the_example_renders_its_own_report_set(rendered):
    assert sorted(p.name for p in rendered.glob("*.html")) == [
        "index.html", "methods.html", "overview.html", "tuberculosis.html"]
    index = (rendered / "index.html").read_text()
    assert "<title>BCG vaccine for preventing tuberculosis</title>" in index
    page = (rendered / "tuberculosis.html").read_text()
    assert "Aronson 1948" in page and "Comstock 1976" in page
    # its protocol lists no curation log: no page links to one
    assert "curation-log.html" not in page
    result = CliRunner().invoke(main, ["check-links", str(rendered)])
    assert result.exit_code == 0, result.output


@pytest.mark.notebook
def test_the_example_reports_hold_no_word_of_the_first_review(rendered):
    for page in rendered.glob("*.html"):
        text = page.read_text().lower()
        assert not re.search(r"ketamine|alcohol|opioid|cocaine|heroin", text), page.name


@pytest.mark.notebook
def test_no_warning_traceback_or_machine_path_on_any_page_of_the_example(rendered):
    """Rendered from a temporary folder: no page names it (nor any other machine path)."""
    pages = sorted(rendered.glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        assert machine_traces(page.read_text(encoding="utf-8")) == [], page.name
