"""Rendering on a dask.distributed cluster through the generic Executor interface."""

import shutil

import pytest

from evsum.render.batch import plan_reports, render_all

from conftest import ROOT, SMALL, SMALL_PROTOCOL

distributed = pytest.importorskip("distributed", reason="install evsum[dask]")
pytestmark = pytest.mark.notebook


def test_render_on_a_local_dask_cluster(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(SMALL, tmp_path / "data" / "studies.csv")
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "condition_report.ipynb", tmp_path / "notebooks")
    out = tmp_path / "reports"
    jobs = plan_reports(tmp_path / "data" / "studies.csv", tmp_path / "notebooks", out)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = render_all(jobs, out, executor=client.get_executor(), quiet=True)
    assert [r.status for r in summary.results] == ["rendered", "rendered"]
    assert "Alpha 2001" in (out / "alcohol.html").read_text()
    assert "Gamma 2010" in (out / "cocaine.html").read_text()
