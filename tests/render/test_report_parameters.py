"""The condition report's few-studies parameters (test, pi, bayes_tau_prior): declared with
help, listed by ``evsum params``, and unknown parameters refused by ``render_report``."""

import papermill
from click.testing import CliRunner

from evsum.cli import main
from evsum.render.report import ReportJob, notebook_parameters, render_report

from conftest import ROOT

NOTEBOOK = ROOT / "src" / "evsum" / "render" / "skeleton" / "notebooks" / "condition_report.ipynb"


def test_condition_report_declares_the_few_studies_choices():
    assert {"test", "pi", "bayes_tau_prior"} <= set(notebook_parameters(NOTEBOOK))
    found = papermill.inspect_notebook(str(NOTEBOOK))
    assert found["test"]["default"] == '"z"' and found["pi"]["default"] == '"z"'
    assert found["bayes_tau_prior"]["default"] == '["halfnormal", 0.5]'
    assert found["bayes_tau_prior"]["inferred_type_name"] == "list"
    assert all(found[name]["help"] for name in ("test", "pi", "bayes_tau_prior"))


def test_evsum_params_shows_them():
    result = CliRunner().invoke(main, ["params", str(NOTEBOOK)])
    assert result.exit_code == 0, result.output
    assert "Unable to parse" not in result.output
    for line in ('test: str = "z"  #', 'pi: str = "z"  #',
                 'bayes_tau_prior: list = ["halfnormal", 0.5]  #'):
        assert line in result.output


def test_render_report_refuses_an_unknown_parameter(tmp_path):
    job = ReportJob(name="tuberculosis", title="Tuberculosis", notebook=str(NOTEBOOK),
                    parameters={"condition": "tuberculosis", "tset": "adhoc"},
                    out_dir=str(tmp_path), data_sha256="0" * 64, inputs_hash="x")
    result = render_report(job)
    assert result.status == "failed"
    assert "parameter(s) tset not in the notebook's parameters cell" in result.error
    assert "bayes_tau_prior" in result.error  # the declared ones are listed
    assert not job.html_path.exists()
