"""The notebooks in a real JupyterLab, driven through its UI in Debian's chromium.

A JupyterLab server is started on localhost (a free port, a token, ``--no-browser``, its own
settings, workspaces and runtime folders) on copies of the two evidence bases of this
repository, the ketamine review and the BCG example (so nothing is saved into the master
notebooks). Each notebook is opened and run with Run > Run All Cells; then: no cell has an
error output, its kernel is "evsum", every table fits the notebook's width at 1366 px and the
report styles are applied (computed styles of a report table are those of block.css). The
exploration notebook's method control is changed and the estimate shown must be
``evsum.pool``'s for that method. A screenshot of a failing page is kept in the test's
tmp folder; the server is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import evsum
from evsum.present import text
from evsum.render.pdf import CHROMIUM

from browser import need_browser
from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

BCG = ROOT / "examples" / "bcg-vaccine"
NOTEBOOKS = (
    "condition_report.ipynb",
    "overview.ipynb",
    "methods.ipynb",
    "claims_audit.ipynb",
    "gallery.ipynb",
    "explore.ipynb",
)
BLOCK_CSS = ROOT / "src" / "evsum" / "present" / "templates" / "block.css"
WIDTH = 1366


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _copy_base(source: Path, target: Path, notebooks: tuple[str, ...]) -> None:
    target.mkdir(parents=True)
    shutil.copy(source / "evsum.toml", target / "evsum.toml")
    shutil.copytree(source / "data", target / "data")
    (target / "notebooks").mkdir()
    for name in notebooks:  # the symlinks' targets, as files
        shutil.copyfile(source / "notebooks" / name, target / "notebooks" / name)


class Lab:
    """A running JupyterLab server: its address, token and REST calls."""

    def __init__(self, url: str, token: str, root: Path) -> None:
        self.url, self.token, self.root = url, token, root

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    need_browser()
    root = tmp_path_factory.mktemp("lab")
    _copy_base(ROOT, root / "ketamine", NOTEBOOKS)
    _copy_base(BCG, root / "bcg", ("condition_report.ipynb", "explore.ipynb"))
    settings = root.parent / f"{root.name}-settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))  # every cell laid out
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(settings / "config"),
        "JUPYTER_RUNTIME_DIR": str(settings / "runtime"),
        "JUPYTER_NO_CONFIG": "1",
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={settings / 'workspaces'}",
        "--LabApp.news_url=",
        "--LabApp.extension_manager=readonly",
        "--ServerApp.terminals_enabled=False",
    ]
    if os.geteuid() == 0:  # containers and CI runners
        command.append("--allow-root")
    log = (root.parent / f"{root.name}-server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        running = Lab(f"http://127.0.0.1:{port}", token, root)
        deadline = time.monotonic() + 60
        while True:
            try:
                running.api("status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; see {log.name}") from None
                time.sleep(0.3)
        yield running
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _block_css_cell_rule() -> dict[str, str]:
    """The declarations block.css gives every cell of a block's tables."""
    css = BLOCK_CSS.read_text(encoding="utf-8")
    body = re.search(r"^div\.evsum-block th, div\.evsum-block td \{([^}]*)\}", css, re.M)[1]
    pairs = (d.split(":", 1) for d in body.split(";") if d.strip())
    return {k.strip(): v.replace("!important", "").strip() for k, v in pairs}


def _run_notebook(page, lab: Lab, path: str) -> None:
    """Open ``path`` in JupyterLab, run every cell from the Run menu, wait until done and
    save it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"{lab.url}/lab/tree/{path}?reset&token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    select = page.locator(".jp-Dialog button:has-text('Select')")

    def kernel_asked(wait: int) -> bool:
        """JupyterLab asks which kernel to start when none is connected yet: the notebook's
        own ("Python (evsum)"); then the kernel is awaited (cells asked to run were not)."""
        try:
            select.wait_for(timeout=wait)
        except PlaywrightTimeout:
            return False
        assert "Python (evsum)" in page.inner_text(".jp-Dialog")
        select.click()
        page.wait_for_function(
            "() => /Python \\(evsum\\) \\| Idle/.test(document.body.innerText)", timeout=60_000
        )
        return True

    def started(wait: int) -> bool:
        """Some cell is running or has run (a Run All sent while the kernel was still
        connecting can be dropped: then nothing starts and it is sent again)."""
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                      .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""",
                timeout=wait,
            )
        except PlaywrightTimeout:
            return False
        return True

    for _ in range(4):
        kernel_asked(1_000)  # the question may come late, over the menu
        page.click(".lm-MenuBar-item:has-text('Run')")
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        if not kernel_asked(3_000) and started(30_000):
            break
    page.wait_for_function(
        """() => {
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
          return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=120_000,
    )
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.click(".lm-MenuBar-item:has-text('File')")
    page.click(".lm-Menu-itemLabel:text-is('Save Notebook')")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=20_000)


def _check_page(page, lab: Lab, path: str) -> int:
    """Check the run notebook; the number of evsum tables it shows."""
    saved = lab.api(f"contents/{path}?content=1")["content"]
    errors = [
        o
        for c in saved["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
        if o["output_type"] == "error"
    ]
    assert errors == [], [(e["ename"], e["evalue"]) for e in errors]
    sessions = [s for s in lab.api("sessions") if s["path"] == path]
    assert [s["kernel"]["name"] for s in sessions] == ["evsum"]
    assert "Python (evsum)" in page.inner_text(".jp-KernelName")
    # evsum's tables (a pandas DataFrame the gallery shows scrolls sideways, as pandas does)
    tables = page.evaluate("""() => [...document.querySelectorAll(
        '.jp-OutputArea-output .evsum-block table')].map(t => {
          const out = t.closest('.jp-OutputArea-output').getBoundingClientRect();
          const box = t.getBoundingClientRect();
          return [t.className, Math.round(box.width), Math.round(out.width),
                  t.scrollWidth <= t.getBoundingClientRect().width + 1,
                  [...(t.rows[1] || t.rows[0]).cells].map(c => Math.round(c.offsetWidth))];
        })""")
    too_wide = [t for t in tables if t[1] > t[2] + 1 or not t[3]]
    assert too_wide == [], too_wide
    return len(tables)


def _shut_down(lab: Lab, path: str) -> None:
    for session in lab.api("sessions"):
        if session["path"] == path:
            lab.api(f"sessions/{session['id']}", method="DELETE")


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@contextlib.contextmanager
def _kept_on_failure(page, lab: Lab, path: str, folder: Path):
    """On failure, a full-page screenshot in ``folder`` (the test's tmp dir); always, the
    notebook's kernel shut down."""
    try:
        yield
    except BaseException:
        shot = folder / (Path(path).stem + "-failure.png")
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the failing page: {shot}")
        raise
    finally:
        _shut_down(lab, path)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_runs_in_jupyterlab_and_looks_like_the_report(lab, page, name, tmp_path):
    path = f"ketamine/notebooks/{name}"
    with _kept_on_failure(page, lab, path, tmp_path):
        _run_notebook(page, lab, path)
        tables = _check_page(page, lab, path)
        if name in ("condition_report.ipynb", "overview.ipynb", "claims_audit.ipynb"):
            assert tables > 0
        if name == "condition_report.ipynb":
            cell = page.query_selector("div.evsum-block table.evsum-rows td")
            assert cell is not None
            shown = cell.evaluate("""td => { const s = getComputedStyle(td);
                return {"text-align": s.textAlign, "vertical-align": s.verticalAlign}; }""")
            expected = _block_css_cell_rule()
            assert shown == {k: expected[k] for k in shown}


def test_explore_controls_re_pool_with_the_chosen_method(lab, page, tmp_path):
    path = "bcg/notebooks/explore.ipynb"
    evidence = evsum.load_evidence(base=BCG)
    # the explorer opens on the first analysis: the seven randomised trials
    analysis = evsum.analyse_condition(evidence, "tuberculosis")[0]
    assert analysis.design_class == "randomised"
    used = analysis.rows[analysis.rows["excluded_reason"] == ""]
    expected = {
        m: text.pooled_effect(evsum.pool(used["yi"], used["vi"], method=m, measure="RR"))
        for m in ("REML", "FE")
    }
    assert expected["REML"] != expected["FE"]
    with _kept_on_failure(page, lab, path, tmp_path):
        _run_notebook(page, lab, path)
        _check_page(page, lab, path)
        estimate = page.locator(".evsum-explore .evsum-estimate")
        assert estimate.inner_text() == expected["REML"]
        page.select_option(
            ".evsum-control-method select", label="Common effect (inverse variance)"
        )
        page.wait_for_function(
            "want => document.querySelector('.evsum-explore .evsum-estimate')"
            ".textContent === want",
            arg=expected["FE"],
            timeout=20_000,
        )
        assert estimate.inner_text() == expected["FE"]
