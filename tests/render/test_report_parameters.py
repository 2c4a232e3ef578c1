"""The condition report's few-studies parameters (test, pi, bayes_tau_prior): declared with
help, listed by ``evsum params``, and unknown parameters refused by ``render_report``."""

import papermill
import pytest
from click.testing import CliRunner
from few_bases import bcg_base

from evsum.cli import main
from evsum.render.kernels import run_notebook
from evsum.render.report import ReportJob, notebook_parameters, render_report

from conftest import ROOT

NOTEBOOK = ROOT / "src" / "evsum" / "render" / "skeleton" / "notebooks" / "condition_report.ipynb"


def test_condition_report_declares_the_few_studies_choices():
    assert {"test", "pi", "bayes_tau_prior"} <= set(notebook_parameters(NOTEBOOK))
    found = papermill.inspect_notebook(str(NOTEBOOK))
    # empty: the protocol's [synthesis] (z and z when it says nothing)
    assert found["test"]["default"] == '""' and found["pi"]["default"] == '""'
    assert found["method"]["default"] == '""'
    assert found["bayes_tau_prior"]["default"] == '["halfnormal", 0.5]'
    assert found["bayes_tau_prior"]["inferred_type_name"] == "list"
    assert all(found[name]["help"] for name in ("test", "pi", "bayes_tau_prior"))


def test_evsum_params_shows_them():
    result = CliRunner().invoke(main, ["params", str(NOTEBOOK)])
    assert result.exit_code == 0, result.output
    assert "Unable to parse" not in result.output
    for line in (
        'method: str = ""  #',
        'test: str = ""  #',
        'pi: str = ""  #',
        'bayes_tau_prior: list = ["halfnormal", 0.5]  #',
    ):
        assert line in result.output


def test_render_report_refuses_an_unknown_parameter(tmp_path):
    job = ReportJob(
        name="tuberculosis",
        title="Tuberculosis",
        notebook=str(NOTEBOOK),
        parameters={"condition": "tuberculosis", "tset": "adhoc"},
        out_dir=str(tmp_path),
        data_sha256="0" * 64,
        inputs_hash="x",
    )
    result = render_report(job)
    assert result.status == "failed"
    assert "parameter(s) tset not in the notebook's parameters cell" in result.error
    assert "bayes_tau_prior" in result.error  # the declared ones are listed
    assert not job.html_path.exists()


@pytest.mark.notebook
def test_the_choices_reach_the_rendered_panel(tmp_path):
    base = bcg_base(tmp_path, 4)
    executed = run_notebook(
        str(NOTEBOOK),
        {
            "base": str(base),
            "condition": "tuberculosis",
            "test": "adhoc",
            "pi": "t",
            "bayes_tau_prior": ["halfcauchy", 1],
        },
        kernel_name="evsum",
        cwd=str(tmp_path),
    )
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    page = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert 'class="evsum-few-studies"' in page
    assert "prior for τ half-Cauchy(scale 1)" in page
    # the main result follows test="adhoc", pi="t": metafor rma(test="adhoc") on dat.bcg
    # rows 1:4 (small_k.json: estimate -1.42204, se 0.128466, so exp(-1.42204 -/+
    # qt(0.975, 3) * 0.128466) = RR 0.16 to 0.36, a t test) with the t(k - 2) interval
    # [-1.975, -0.869], i.e. RR 0.14 to 0.42
    assert "(95% CI 0.16 to 0.36) (back-transformed from the log scale), t = " in page
    assert "95% prediction interval (t on k - 2 df) 0.14 to 0.42." in page
