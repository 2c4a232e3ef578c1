"""Rendering reports from a small fixture: content, offline HTML, incremental, safe failures."""

import concurrent.futures
import concurrent.futures.process
import json
import re
import shutil

import nbformat
import pytest

from evsum.exceptions import EvsumError
from evsum.render.batch import LOCK_FILE, plan_reports, render_all

from conftest import ROOT, SMALL, SMALL_PROTOCOL

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A data folder with the fixture table and a notebooks folder with the report template."""
    root = tmp_path_factory.mktemp("render")
    (root / "data").mkdir()
    shutil.copy(SMALL, root / "data" / "studies.csv")
    shutil.copy(SMALL_PROTOCOL, root / "evsum.toml")
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "condition_report.ipynb", root / "notebooks")
    return root


def _render(root, out, **kwargs):
    jobs = plan_reports(
        root / "data" / "studies.csv", root / "notebooks", out, only=kwargs.pop("only", None)
    )
    return render_all(jobs, out, quiet=True, **kwargs)


@pytest.fixture(scope="module")
def rendered(workspace):
    out = workspace / "reports"
    summary = _render(workspace, out)
    return out, summary


def test_one_report_per_condition_and_an_index(rendered):
    out, summary = rendered
    assert [r.status for r in summary.results] == ["rendered", "rendered"]
    assert sorted(p.name for p in out.glob("*.html")) == [
        "alcohol.html",
        "cocaine.html",
        "glossary.html",
        "index.html",
    ]
    index = (out / "index.html").read_text()
    assert 'href="alcohol.html"' in index and 'href="cocaine.html"' in index


def test_report_shows_the_studies_and_a_plot(rendered):
    page = (rendered[0] / "alcohol.html").read_text()
    assert "Alpha 2001" in page and "Beta 2005" in page
    assert "Gamma 2010" not in page  # a cocaine study
    assert re.search(r'<img alt="Forest plot[^"]*" src="data:image/svg\+xml;base64,', page)
    assert re.search(
        r'alt="Forest plot of \d+ stud(y|ies) \(Abstinent at the time point, 3 weeks', page
    )


def test_report_hides_code_and_loads_nothing_from_the_network(rendered):
    page = (rendered[0] / "alcohol.html").read_text()
    assert "evsum.load_evidence" not in page  # no code cells
    assert 'class="jp-InputPrompt' not in page and "In&nbsp;[" not in page
    assert 'class="jp-OutputPrompt' not in page
    assert "<script src" not in page and "require.js" not in page
    assert "mathjax" not in page.lower()
    assert 'src="http' not in page and "<link" not in page


def test_footer_names_data_hash_version_and_parameters(rendered):
    import hashlib

    import evsum

    page = (rendered[0] / "cocaine.html").read_text()
    digest = hashlib.sha256(SMALL.read_bytes()).hexdigest()
    footer = re.search(r'<footer class="evsum-provenance">(.*?)</footer>', page, re.S).group(1)
    assert f"study table SHA-256 {digest}" in footer
    assert page.count(digest) == 1  # the hash once
    assert f"evsum {evsum.__version__}" in footer
    # parameters in words, no JSON
    assert "condition: cocaine" in footer and "pooling method: REML" in footer
    assert "{" not in footer and "&quot;" not in footer


def test_every_report_opens_with_a_contents_list_of_its_sections_and_outcomes(rendered):
    page = (rendered[0] / "alcohol.html").read_text()
    nav = re.search(r'<nav class="evsum-contents" aria-label="Contents">(.*?)</nav>', page, re.S)
    assert nav, "no contents list"
    assert page.index("evsum-contents") < page.index("<h2 id=")  # at the top
    start = page.index('<nav class="evsum-contents"')
    assert page.index("<h1") < start  # under the title (heading order h1, h2)
    assert "<h2" not in page[page.index("<h1") : start]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(1))
    headings = re.findall(r'<h([23]) id="([^"]+)"', page)
    sections = [ident for level, ident in headings if level == "2"]
    outcomes = [ident for level, ident in headings if level == "3"]
    assert [ident for ident, _ in links] == [ident for _, ident in headings]
    assert "Forest-plots" in sections and "References" in sections
    assert any(ident.startswith("analysis-abstinence") for ident in outcomes)
    assert "¶" not in nav.group(1)  # the heading's text, not its anchor link
    texts = dict(links)
    assert texts["Forest-plots"] == "Forest plots"


def test_the_index_says_what_each_report_is_in_plain_words(rendered):
    index = (rendered[0] / "index.html").read_text()
    assert "<h1>Fixture review</h1>" in index
    assert "Does the fixture intervention change abstinence and craving?" in index
    # evsum.description of the notebook, with the condition's label
    assert "The included studies, every outcome&#39;s data" in index
    assert "limitations for alcohol use disorder." in index
    for jargon in ("Status", "up to date", "Details", "<td></td>"):
        assert jargon not in index


def test_unchanged_inputs_are_not_rendered_again(workspace, rendered):
    out, _ = rendered
    before = (out / "alcohol.html").read_bytes()
    summary = _render(workspace, out)
    assert [r.status for r in summary.results] == ["current", "current"]
    assert (out / "alcohol.html").read_bytes() == before


def test_forced_render_is_byte_identical(workspace, rendered):
    out, _ = rendered
    before = {p.name: p.read_bytes() for p in out.glob("*.html")}
    summary = _render(workspace, out, force=True, only="alcohol")
    assert [r.status for r in summary.results] == ["rendered"]
    assert (out / "alcohol.html").read_bytes() == before["alcohol.html"]


def test_changed_rows_rerender_only_their_condition(workspace, tmp_path):
    root = tmp_path
    shutil.copytree(workspace / "data", root / "data")
    shutil.copytree(workspace / "notebooks", root / "notebooks")
    out = root / "reports"
    jobs = plan_reports(root / "data" / "studies.csv", root / "notebooks", out)
    state = {
        j.name: {"inputs_hash": j.inputs_hash, "status": "rendered", "title": j.name} for j in jobs
    }
    text = (root / "data" / "studies.csv").read_text()
    (root / "data" / "studies.csv").write_text(text.replace("10.5 (4.1)", "10.5 (4.1) "))
    new = {
        j.name: j.inputs_hash
        for j in plan_reports(root / "data" / "studies.csv", root / "notebooks", out)
    }
    assert new["alcohol"] != state["alcohol"]["inputs_hash"]
    assert new["cocaine"] == state["cocaine"]["inputs_hash"]


def test_a_change_anywhere_in_evsum_rerenders_every_report(workspace, tmp_path, monkeypatch):
    """A report is stale when any module, template or style sheet of any layer changed (a
    new summary-of-findings layout must reach the next render), not only the renderer's."""
    from pathlib import Path

    import evsum.render.plan as plan

    names = {p.relative_to(Path(plan.__file__).parents[1]).as_posix() for p in plan.code_files()}
    assert {
        "present/sof.py",
        "stats/pooling.py",
        "present/templates/sof.html.j2",
        "present/templates/report.css",
        "review/overview.py",
    } <= names
    out = tmp_path / "reports"
    before = {
        j.name: j.inputs_hash
        for j in plan_reports(workspace / "data" / "studies.csv", workspace / "notebooks", out)
    }
    changed = tmp_path / "sof.html.j2"
    changed.write_text("a changed template")
    monkeypatch.setattr(plan, "code_files", lambda: [changed])
    after = {
        j.name: j.inputs_hash
        for j in plan_reports(workspace / "data" / "studies.csv", workspace / "notebooks", out)
    }
    assert all(after[name] != before[name] for name in before)


def _jobs_with_extra_cell(workspace, tmp_path, source):
    """Jobs of the fixture whose template runs ``source`` after its parameters."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    book = nbformat.read(workspace / "notebooks" / "condition_report.ipynb", as_version=4)
    book.cells.insert(2, nbformat.v4.new_code_cell(source))
    nbformat.write(book, notebooks / "condition_report.ipynb")
    return plan_reports(workspace / "data" / "studies.csv", notebooks, tmp_path / "reports")


def test_failing_notebook_keeps_last_good_report(workspace, rendered, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(rendered[0], out)
    good = (out / "alcohol.html").read_bytes()
    jobs = _jobs_with_extra_cell(
        workspace,
        tmp_path,
        "if condition == 'alcohol':\n    raise RuntimeError('simulated failure')",
    )
    summary = render_all(jobs, out, quiet=True)
    status = {r.job.name: r.status for r in summary.results}
    assert status == {"alcohol": "failed", "cocaine": "rendered"}
    assert (out / "alcohol.html").read_bytes() == good
    assert "simulated failure" in (out / "alcohol.error.txt").read_text()
    index = (out / "index.html").read_text()
    assert "Failed to render: the last good version from " in index
    assert "alcohol.error.txt" in index and "simulated failure" in index
    assert "up to date" not in index and "Status" not in index  # no build jargon
    state = json.loads((out / ".evsum-state.json").read_text())
    assert state["alcohol"]["status"] == "failed"


def test_a_second_render_on_the_same_folder_is_refused(workspace, tmp_path):
    import fcntl

    out = tmp_path / "reports"
    out.mkdir()
    with open(out / LOCK_FILE, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(EvsumError, match="another 'evsum render' is writing"):
            _render(workspace, out)
    assert not (out / "index.html").exists()


def test_unknown_only_is_a_clear_error(workspace, tmp_path):
    with pytest.raises(EvsumError, match="no such report; expected one of alcohol, cocaine"):
        plan_reports(
            workspace / "data" / "studies.csv", workspace / "notebooks", tmp_path, only="gambling"
        )


def test_a_kernel_that_dies_fails_only_its_report(workspace, rendered, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(rendered[0], out)
    good = (out / "alcohol.html").read_bytes()
    jobs = _jobs_with_extra_cell(
        workspace, tmp_path, "import os\nif condition == 'alcohol':\n    os._exit(1)"
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:  # one shared kernel
        summary = render_all(jobs, out, quiet=True, executor=pool)
    assert {r.job.name: r.status for r in summary.results} == {
        "alcohol": "failed",
        "cocaine": "rendered",
    }
    assert (out / "alcohol.html").read_bytes() == good
    assert (out / "alcohol.error.txt").exists()


def test_a_write_that_fails_midway_keeps_the_previous_file(tmp_path, monkeypatch):
    from evsum.render import report

    target = tmp_path / "alcohol.html"
    target.write_text("previous good report")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        report.write_atomic(target, "new report " * 1000)
    assert target.read_text() == "previous good report"
    assert [p.name for p in tmp_path.iterdir()] == ["alcohol.html"]


def test_a_failed_export_is_reported_and_the_batch_goes_on(
    workspace, rendered, tmp_path, monkeypatch
):
    from evsum.render import report

    out = tmp_path / "reports"
    shutil.copytree(rendered[0], out)
    good = (out / "alcohol.html").read_bytes()
    real = report.write_atomic

    def failing_for_alcohol(path, text):
        if path.name == "alcohol.html":
            raise OSError(5, "Input/output error")
        real(path, text)

    monkeypatch.setattr(report, "write_atomic", failing_for_alcohol)
    jobs = plan_reports(workspace / "data" / "studies.csv", workspace / "notebooks", out)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        summary = render_all(jobs, out, quiet=True, force=True, executor=pool)
    assert {r.job.name: r.status for r in summary.results} == {
        "alcohol": "failed",
        "cocaine": "rendered",
    }
    assert "Input/output error" in summary.failed[0].error
    assert (out / "alcohol.html").read_bytes() == good


def test_a_worker_that_crashes_fails_only_its_report(workspace, rendered, tmp_path):
    class CrashingExecutor(concurrent.futures.ThreadPoolExecutor):
        """Runs renders, except that the alcohol worker 'dies'."""

        def submit(self, fn, job):
            if job.name == "alcohol":
                future = concurrent.futures.Future()
                future.set_exception(concurrent.futures.process.BrokenProcessPool("killed"))
                return future
            return super().submit(fn, job)

    out = tmp_path / "reports"
    shutil.copytree(rendered[0], out)
    jobs = plan_reports(workspace / "data" / "studies.csv", workspace / "notebooks", out)
    with CrashingExecutor(max_workers=1) as pool:
        summary = render_all(jobs, out, quiet=True, force=True, executor=pool)
    assert {r.job.name: r.status for r in summary.results} == {
        "alcohol": "failed",
        "cocaine": "rendered",
    }
    assert summary.failed[0].error == "BrokenProcessPool: killed"


def test_links_between_reports_resolve(rendered):
    from evsum.render.links import broken_links

    out, _ = rendered
    assert broken_links(out) == []


def test_executed_notebooks_go_to_the_build_folder(workspace, tmp_path):
    out, build = tmp_path / "reports", tmp_path / "build"
    jobs = plan_reports(
        workspace / "data" / "studies.csv",
        workspace / "notebooks",
        out,
        only="alcohol",
        build_dir=build,
    )
    summary = render_all(jobs, out, quiet=True)
    assert [r.status for r in summary.results] == ["rendered"]
    assert (build / "alcohol.ipynb").exists()
    assert not (out / ".build").exists()
