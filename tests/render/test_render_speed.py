"""What makes a render fast, held as behaviour (no test here asserts a wall time):

- a render with nothing changed answers from file hashes and the state file, without
  importing the scientific stack or Jupyter (evsum.render.unchanged);
- what a render remembers (one HTML exporter per process, the few-studies Bayesian fits, the
  prior check) and how it encodes figures change no byte of a page.
"""

from __future__ import annotations

import copy
import fcntl
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from few_bases import bcg_base
from scipy import stats

from evsum.ingest.protocol import resolve_base
from evsum.render import unchanged
from evsum.render.report import _exporter, export_html
from evsum.render.state import LOCK_FILE, STATE_FILE

#: Modules a render with nothing to do must not import (each costs a no-op its time).
HEAVY = ("pandas", "scipy", "matplotlib", "numpy", "nbformat", "nbconvert", "jupyter_client")

#: Runs the command line in this interpreter and prints the heavy modules it imported.
_PROBE = """
import json, sys
from evsum.cli import main
sys.argv = ["evsum", *sys.argv[1:]]
try:
    main()
except SystemExit as stop:
    code = stop.code or 0
else:
    code = 0
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"code": code, "heavy": heavy}}), file=sys.stderr)
"""


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evsum", *args], cwd=cwd, capture_output=True, text=True
    )


def _probe(*args: str, cwd: Path) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stderr.strip().splitlines()[-1]), done.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """A base of four BCG trials with its condition report rendered once."""
    base = bcg_base(tmp_path_factory.mktemp("speed"), 4)
    done = _cli("render", "--quiet", "--only", "tuberculosis", cwd=base)
    assert done.returncode == 0, done.stderr
    return base


def test_no_op_render_imports_nothing_heavy(rendered):
    result, out = _probe("render", "--only", "tuberculosis", cwd=rendered)
    assert result == {"code": 0, "heavy": []}
    assert out.strip() == f"{rendered / 'reports' / 'index.html'}: 1 reports, 0 failed"


def test_changed_data_renders_as_before(rendered, tmp_path):
    # a copy of the base with one more byte in a data file: validated and planned again
    base = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(rendered), str(base)], check=True)
    with open(base / "data" / "studies.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    result, out = _probe("render", "--only", "tuberculosis", cwd=base)
    assert result["code"] == 0
    assert "pandas" in result["heavy"]
    assert out.strip().endswith("1 reports, 0 failed")


def test_render_twice_gives_the_same_bytes(rendered):
    page = rendered / "reports" / "tuberculosis.html"
    first = page.read_bytes()
    done = _cli("render", "--quiet", "--force", "--only", "tuberculosis", cwd=rendered)
    assert done.returncode == 0, done.stderr
    assert page.read_bytes() == first
    # the forced render recorded its fingerprint: the next one has nothing to do
    result, _ = _probe("render", "--quiet", "--only", "tuberculosis", cwd=rendered)
    assert result == {"code": 0, "heavy": []}


# --- the fingerprint and the checks of evsum.render.unchanged, file by file ---------------


def _site(tmp_path: Path) -> tuple[dict[str, Path], str]:
    """A base of two BCG trials whose "render" left one page, with its stamp recorded."""
    base = bcg_base(tmp_path / "base", 2)
    folders = unchanged.find_folders(str(base), None, None, None, None)
    assert folders is not None
    out = folders["out_dir"]
    out.mkdir()
    for name in ("tuberculosis.html", "index.html", "glossary.html"):
        (out / name).write_text("<p>page</p>", encoding="utf-8")
    (out / STATE_FILE).write_text(json.dumps({"tuberculosis": {"status": "rendered"}}))
    stamp = unchanged.fingerprint(**folders, options={"only": None})
    unchanged.record(out, stamp, ["tuberculosis"])
    return folders, stamp


def test_nothing_changed_names_the_reports(tmp_path):
    folders, stamp = _site(tmp_path)
    assert unchanged.nothing_changed(folders["out_dir"], stamp) == ("tuberculosis",)


@pytest.mark.parametrize(
    ("edit", "changed"),
    [
        (lambda f: (f["base"] / "evsum.toml").write_text("# edited\n"), True),
        (lambda f: (f["base"] / "data" / "grade.csv").write_text("x\n"), True),
        (lambda f: (f["base"] / "data" / "curation").mkdir(), False),  # no file in it
    ],
    ids=["protocol", "new data file", "empty folder"],
)
def test_fingerprint_follows_the_files(tmp_path, edit, changed):
    folders, stamp = _site(tmp_path)
    edit(folders)
    again = unchanged.fingerprint(**folders, options={"only": None})
    assert (again != stamp) is changed


def test_fingerprint_follows_options_and_folders(tmp_path):
    folders, stamp = _site(tmp_path)
    assert unchanged.fingerprint(**folders, options={"only": "x"}) != stamp
    moved = {**folders, "build_dir": folders["base"] / "elsewhere"}
    assert unchanged.fingerprint(**moved, options={"only": None}) != stamp


@pytest.mark.parametrize(
    "edit",
    [
        lambda out: (out / "tuberculosis.html").unlink(),
        lambda out: (out / "index.html").unlink(),
        lambda out: (out / "tuberculosis.error.txt").write_text("Traceback"),
        lambda out: (out / STATE_FILE).write_text("{}"),
        lambda out: (out / unchanged.STAMP_FILE).unlink(),
    ],
    ids=["page gone", "index gone", "traceback left", "state rewritten", "no stamp"],
)
def test_anything_amiss_renders_as_usual(tmp_path, edit):
    folders, stamp = _site(tmp_path)
    edit(folders["out_dir"])
    assert unchanged.nothing_changed(folders["out_dir"], stamp) is None


def test_a_render_holding_the_lock_renders_as_usual(tmp_path):
    folders, stamp = _site(tmp_path)
    with open(folders["out_dir"] / LOCK_FILE, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert unchanged.nothing_changed(folders["out_dir"], stamp) is None
    assert unchanged.nothing_changed(folders["out_dir"], stamp) == ("tuberculosis",)


def test_folders_are_found_as_the_command_line_finds_them(tmp_path, monkeypatch):
    base = bcg_base(tmp_path / "base", 2)
    (base / "sub").mkdir()
    monkeypatch.chdir(base / "sub")
    found = unchanged.find_folders(None, None, None, None, None)
    assert found is not None
    assert found["base"] == resolve_base(None)
    assert found["data_path"] == resolve_base(None) / "data" / "studies.csv"
    # no notebooks/ in the base: evsum's own templates
    assert (found["notebooks_dir"] / "condition_report.ipynb").is_file()
    monkeypatch.chdir(tmp_path)
    assert unchanged.find_folders(None, None, None, None, None) is None
    assert unchanged.find_folders(str(base), None, None, None, None)["base"] == base


# --- what a render remembers changes no byte ----------------------------------------------


def _executed_notebook() -> nbformat.NotebookNode:
    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": "<h2 id='a'>A</h2><p>one &amp; two</p>"}
        ),
        nbformat.v4.new_output("display_data", data={"text/html": "<h2 id='b'>B</h2>"}),
    ]
    book.cells = [nbformat.v4.new_markdown_cell("# Title\n\nsubtitle"), cell]
    return book


def test_a_reused_exporter_gives_the_same_page():
    book = _executed_notebook()
    _exporter.cache_clear()
    fresh = export_html(copy.deepcopy(book), footer="f", title="t", nav=(("m.html", "M"),))
    reused = export_html(copy.deepcopy(book), footer="f", title="t", nav=(("m.html", "M"),))
    assert reused == fresh
    assert _exporter.cache_info().hits >= 1


def test_halfnormal_density_has_scipys_bits():
    from evsum.stats.bayes import _halfnormal_logpdf

    tau = np.concatenate([np.linspace(0, 5, 2001), [1e-300, 1e150]])
    for scale in (0.5, 1.0, 0.1, 2.5):
        with np.errstate(over="ignore"):
            ours = _halfnormal_logpdf(tau, scale)
            theirs = np.log(2) + stats.norm.logpdf(tau, scale=scale)
        assert np.array_equal(ours, theirs)


def test_a_remembered_bayesian_fit_is_the_fit():
    from evsum.review.few_studies import _bayes, few_studies
    from evsum.stats.bayes import pool_bayes

    # four BCG trials' log risk ratios and variances (metafor dat.bcg, rounded)
    rows = pd.DataFrame(
        {
            "yi": [-0.889, -1.585, -1.348, -1.442],
            "vi": [0.326, 0.195, 0.415, 0.020],
            "label": list("ABCD"),
        }
    )
    _bayes.cache_clear()
    first = few_studies(rows, "RR").bayes
    second = few_studies(rows, "RR").bayes
    assert second is first  # remembered
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = pool_bayes(
            rows["yi"], rows["vi"], tau_prior=("halfnormal", 0.5), measure="RR", labels="ABCD"
        )
    for name in ("mu_median", "mu_low", "mu_high", "tau_median", "pred_low", "pred_high"):
        assert getattr(first, name) == getattr(direct, name)


def test_page_png_is_the_png_of_the_compressed_figure():
    """The page PNG is made from an uncompressed intermediate: the same pixels as from
    matplotlib's default (compressed) PNG, so the same palette PNG."""
    from matplotlib.figure import Figure
    from PIL import Image

    from evsum.present.figures.style import PAGE_COLOURS, PAGE_DPI, figure_style, page_png

    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [1, 0, 2], label="a line")
    ax.set_title("Title")
    ax.legend()
    buffer = io.BytesIO()
    with figure_style():
        fig.savefig(
            buffer, format="png", dpi=PAGE_DPI, bbox_inches="tight", metadata={"Software": None}
        )
    small = io.BytesIO()
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    image.quantize(colors=PAGE_COLOURS, method=Image.Quantize.MEDIANCUT).save(
        small, format="png", optimize=True
    )
    assert page_png(fig) == small.getvalue()


def test_no_stamp_without_writable_state(tmp_path):
    unchanged.record(tmp_path, "x", [])  # no state file: nothing recorded
    assert not (tmp_path / unchanged.STAMP_FILE).exists()
    assert os.listdir(tmp_path) == []
