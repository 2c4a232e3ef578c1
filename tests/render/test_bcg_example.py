"""examples/bcg-vaccine: a second real evidence base (metafor's dat.bcg), end to end."""

import html
import re
import shutil
import subprocess
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner
from few_bases import base_of, bcg_rows

import evsum
from evsum.cli import main
from evsum.present.overview import headline_html
from evsum.present.studies import outcome_rows_html

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
    # a search log (Colditz et al.'s table as the one source) and a reference per trial;
    # nothing else recorded beyond the 2x2 tables
    assert evidence.found == ("search_log.csv", "references.json")


def test_randomised_and_other_trials_are_pooled_apart_as_metafor(evidence):
    """Cochrane Handbook 24.6.1: randomised and non-randomised evidence is not combined. The
    seven trials with random allocation and the six with alternate or systematic allocation
    (dat.bcg ``alloc``) are two analyses; each equals metafor 3.8-1's
    rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, subset=...,
    method="REML") (tests/reference/grid.json, written by make_reference.R)."""
    randomised, other, _ = evsum.analyse_condition(evidence, "tuberculosis", method="REML")
    expected = {
        # alloc == "random": estimate -0.9710, se 0.2760, tau^2 0.3925, I^2 89.93 %
        "randomised": (randomised, 7, -0.9710, 0.2760, 0.3925, 89.93, (0.38, 0.22, 0.65)),
        # alloc in alternate, systematic: -0.4813, se 0.2170, tau^2 0.2116, I^2 87.90 %
        "non-randomised": (other, 6, -0.4813, 0.2170, 0.2116, 87.90, (0.62, 0.40, 0.95)),
    }
    for design, (analysis, k, est, se, tau2, i2, shown) in expected.items():
        result = analysis.result
        assert analysis.design_class == design
        assert result.k == k
        assert result.estimate == pytest.approx(est, abs=5e-5)
        assert result.se == pytest.approx(se, abs=5e-5)
        assert result.tau2 == pytest.approx(tau2, abs=5e-5)
        assert result.i2 == pytest.approx(i2, abs=5e-3)
        back = result.back_transform()
        assert (round(back.estimate, 2), round(back.ci_low, 2), round(back.ci_high, 2)) == shown
        assert analysis.higher_is_better is False
    assert randomised.title == (
        "Tuberculosis cases, end of follow-up — BCG vaccine vs no vaccine (RR)"
    )
    assert other.title == (
        "Tuberculosis cases, end of follow-up — BCG vaccine vs no vaccine (RR; non-randomised studies)"
    )
    # all thirteen pooled together, as Colditz et al. 1994 did, is still one call of the
    # statistics layer: metafor REML on all of dat.bcg gives -0.7145 (se 0.1798)
    rows = pd.concat([randomised.rows, other.rows])
    together = evsum.pool(
        rows["yi"].to_numpy(float), rows["vi"].to_numpy(float), method="REML", measure="RR"
    )
    assert together.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert together.se == pytest.approx(0.1798, abs=5e-5)


def test_the_declared_main_analysis_pools_all_thirteen_as_metafor(evidence):
    """The protocol's [analyses.all_trials] (designs together, REML, RR): metafor 3.8-1
    rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg, method="REML"):
    estimate -0.7145, se 0.1798, tau^2 0.3132, I^2 92.22 %; RR 0.49 (0.34 to 0.70)
    (tests/reference/grid.json, case dat.bcg RR)."""
    *_, main = evsum.analyse_condition(evidence, "tuberculosis")
    assert (main.plan_key, main.main, main.design_class) == ("all_trials", True, "all designs")
    result = main.result
    assert result.k == 13 and result.method == "REML"
    assert result.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert result.se == pytest.approx(0.1798, abs=5e-5)
    assert result.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert result.i2 == pytest.approx(92.22, abs=5e-3)
    back = result.back_transform()
    assert (round(back.estimate, 2), round(back.ci_low, 2), round(back.ci_high, 2)) == (
        0.49,
        0.34,
        0.70,
    )
    assert main.title == (
        "All 13 trials: tb cases, end of follow-up (RR; randomised and non-randomised studies)"
    )
    # the randomised-only sensitivity analysis is the seven trials with random allocation:
    # metafor REML subset alloc == "random": -0.9710 (se 0.2760); the fixed-effect one is
    # metafor rma(method="FE") on all 13: -0.4303 (grid.json, dat.bcg RR, FE)
    by_name = {s.name: s.analysis for s in main.sensitivity_results}
    assert list(by_name) == ["randomised_only", "fixed_effect"]
    randomised = by_name["randomised_only"]
    assert randomised.result.k == 7
    assert randomised.result.estimate == pytest.approx(-0.9710, abs=5e-5)
    assert randomised.result.se == pytest.approx(0.2760, abs=5e-5)
    left_out = randomised.rows[randomised.rows["excluded_reason"] != ""]
    assert len(left_out) == 6
    assert left_out["excluded_reason"].str.startswith("non-randomised study").all()
    assert by_name["fixed_effect"].result.estimate == pytest.approx(-0.4303, abs=5e-5)


def test_every_row_names_its_source(evidence):
    data = evidence.studies.data
    assert data["source_locator"].str.contains("dat.bcg").all()
    assert data["source_locator"].str.contains("10.1001/jama.1994.03510330076038").all()
    assert (
        data["source_quote"].str.fullmatch(r"tpos = \d+, tneg = \d+, cpos = \d+, cneg = \d+").all()
    )


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_the_committed_table_is_what_the_r_script_exports(tmp_path):
    """Live check where R and metadat are installed (CI installs them)."""
    probe = subprocess.run(["Rscript", "-e", "library(metadat)"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the R package metadat is not installed")
    (tmp_path / "data").mkdir()
    subprocess.run(
        ["Rscript", str(BCG / "scripts" / "export_dat_bcg.R")], cwd=tmp_path, check=True
    )
    for name in ("studies.csv", "references.json", "search_log.csv", "covariates.csv"):
        assert (tmp_path / "data" / name).read_bytes() == (BCG / "data" / name).read_bytes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("bcg") / "bcg-vaccine"
    shutil.copytree(BCG, base, symlinks=False, ignore=shutil.ignore_patterns("reports", "build"))
    result = CliRunner().invoke(main, ["render", "--base", str(base), "--quiet"])
    assert result.exit_code == 0, result.output
    return base / "reports"


@pytest.mark.notebook
def test_the_example_renders_its_own_report_set(rendered):
    assert sorted(p.name for p in rendered.glob("*.html")) == [
        "glossary.html",
        "index.html",
        "methods.html",
        "overview.html",
        "tuberculosis.html",
    ]
    index = (rendered / "index.html").read_text()
    assert "<title>BCG vaccine for preventing tuberculosis</title>" in index
    # table cells without their narrow-screen card labels
    page = re.sub(r' data-label="[^"]*"', "", (rendered / "tuberculosis.html").read_text())
    assert "Aronson 1948" in page and "Comstock 1976" in page
    # the two designs are two analyses, each with its own heading
    assert "Tuberculosis cases, end of follow-up — BCG vaccine vs no vaccine (RR)</h3>" in page
    assert (
        "Tuberculosis cases, end of follow-up — BCG vaccine vs no vaccine (RR; "
        "non-randomised studies)</h3>"
    ) in page
    # the protocol's main analysis pools all 13 (designs together) under its own heading,
    # with its subgroup test, meta-regression (bubble plot) and sensitivity table
    assert (
        "All 13 trials: Tuberculosis cases, end of follow-up — BCG vaccine vs no vaccine (RR; "
        "randomised and non-randomised studies)</h3>"
    ) in page
    assert "Declared analysis: All 13 trials" in page
    assert "<td>Q = 1.83</td><td>1</td><td>p = 0.176</td>" in page  # metafor common τ²
    assert 'alt="Bubble plot: each study' in page
    assert "<td>Sensitivity: randomised trials only</td><td>7</td>" in page
    # the summary of findings uses the main analysis: RR 0.49 (0.34 to 0.70)
    sof = re.search(r'<table class="evsum-sof">.*?</table>', page, re.S).group(0)
    assert "RR 0.49 (0.34 to 0.70)" in sof
    methods = (rendered / "methods.html").read_text()
    assert "The analysis plan (PRISMA 2020 items 13a to 13f)" in methods
    # its protocol lists no curation log: no page links to one
    assert "curation-log.html" not in page
    result = CliRunner().invoke(main, ["check-links", str(rendered)])
    assert result.exit_code == 0, result.output


@pytest.mark.notebook
def test_the_example_reports_hold_no_word_of_the_first_review(rendered):
    for page in rendered.glob("*.html"):
        text = page.read_text().lower()
        assert not re.search(r"ketamine|alcohol|opioid|cocaine|heroin", text), page.name


def test_the_example_rows_are_read_from_a_review(evidence):
    """Its rows are Colditz et al.'s data via metafor's dat.bcg: a review's (issue 24)."""
    rows = _plain(outcome_rows_html(evidence, "tuberculosis"))
    assert rows.count("review, secondary source : ") == 13


def test_a_base_without_source_kinds_renders_them_as_not_recorded(tmp_path):
    """A base curated before the column existed (the column left out): 'not recorded'."""
    _, rows = bcg_rows()
    base = base_of(tmp_path, [{k: v for k, v in r.items() if k != "source_kind"} for r in rows])
    header = (base / "data" / "studies.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert "source_kind" not in header
    evidence = evsum.load_evidence(base=base)
    rows_text = _plain(outcome_rows_html(evidence, "tuberculosis"))
    assert rows_text.count("source kind not recorded, secondary source : ") == 13
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overview = evsum.analyse_all(evidence)
    headline = str(headline_html(overview, grade=evidence.grade))
    assert "<td>not recorded</td>" in headline


def _plain(block) -> str:
    page = re.sub(r"<style>.*?</style>", "", str(block), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_no_warning_traceback_or_machine_path_on_any_page_of_the_example(rendered):
    """Rendered from a temporary folder: no page names it (nor any other machine path)."""
    pages = sorted(rendered.glob("*.html"))
    assert len(pages) == 5  # index, glossary, overview, methods, tuberculosis
    for page in pages:
        assert machine_traces(page.read_text(encoding="utf-8")) == [], page.name
