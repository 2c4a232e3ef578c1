"""Render every report: plan jobs, skip the current ones, run the rest in parallel, index them.

Imports stay light (no pandas, matplotlib or papermill at module level) so that a run with
nothing to do finishes quickly.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import csv
import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from evsum.exceptions import EvsumError
from evsum.render.index import index_html
from evsum.render.report import (
    ReportJob,
    ReportResult,
    notebook_parameters,
    render_report,
    write_atomic,
)
from evsum.version import __version__
from evsum.vocab import CONDITIONS

STATE_FILE = ".evsum-state.json"
LOCK_FILE = ".evsum-render.lock"
#: Data files beside studies.csv that reports read.
CONTEXT_FILES = ("study_characteristics.csv", "risk_of_bias.csv", "grade.csv",
                 "references.json", "claims.csv", "source_references.txt", "search_log.csv")
#: Reports other than the per-condition ones: (name, notebook, title).
EXTRA_REPORTS = (
    ("overview", "overview.ipynb", "Overview of all conditions"),
    ("methods", "methods.ipynb", "Methods"),
    ("claims-audit", "claims_audit.ipynb", "Claims and citation audit"),
    ("gallery", "gallery.ipynb", "Figure gallery"),
)


@dataclass(frozen=True)
class RenderSummary:
    """What a render run did: one result per planned report."""

    results: tuple[ReportResult, ...]

    @property
    def failed(self) -> tuple[ReportResult, ...]:
        """Results of the reports that failed."""
        return tuple(r for r in self.results if r.status == "failed")


def _hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _code_hash() -> bytes:
    package = Path(__file__).parent
    files = sorted(package.rglob("*.py")) + sorted((package / "present" / "templates").rglob("*"))
    return b"".join(hashlib.sha256(p.read_bytes()).digest() for p in files if p.is_file())


def _condition_rows(data: bytes) -> dict[str, bytes]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    column = header.index("condition")
    rows: dict[str, list[str]] = {}
    for record in reader:
        if record:
            rows.setdefault(record[column], []).append("\x1f".join(record))
    return {c: "\n".join(["\x1f".join(header), *r]).encode() for c, r in rows.items()}


def plan_reports(data_path: str | Path, notebooks_dir: str | Path, out_dir: str | Path, *,
                 method: str = "REML", only: str | None = None,
                 kernel_name: str | None = None,
                 build_dir: str | Path | None = None) -> list[ReportJob]:
    """List the reports to render: one per condition in the data, then the extra reports.

    Parameters
    ----------
    data_path : path
        The study table; the context files (``risk_of_bias.csv``, ...) sit beside it.
    notebooks_dir : path
        Folder with ``condition_report.ipynb`` and the extra notebooks.
    out_dir : path
        Folder for the HTML.
    method : str
        Pooling method passed to the condition reports.
    only : str, optional
        Render only this condition's report (or this extra report's name).
    kernel_name : str, optional
        Jupyter kernel to run the notebooks in (default: the notebook's own).
    build_dir : path, optional
        Folder for the executed notebooks (default: ``.build`` inside ``out_dir``).
    """
    data_path = Path(data_path).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    data = data_path.read_bytes()
    data_sha = hashlib.sha256(data).hexdigest()
    context = b"".join(
        _hash((data_path.parent / name).read_bytes()).encode()
        for name in CONTEXT_FILES if (data_path.parent / name).exists())
    code = _code_hash() + __version__.encode()
    by_condition = _condition_rows(data)
    jobs: list[ReportJob] = []
    # every report links to the methods page when there is one
    nav = (("methods.html", "Methods"),) if (notebooks_dir / "methods.ipynb").exists() else ()

    def add(name: str, title: str, notebook: Path, parameters: dict, data_part: bytes) -> None:
        if only is not None and only != name and only != parameters.get("condition"):
            return
        declared = notebook_parameters(notebook)
        unknown = sorted(set(parameters) - set(declared))
        if unknown:  # papermill would only warn
            raise EvsumError(f"{notebook}: parameter(s) {', '.join(unknown)} not in the "
                             f"notebook's parameters cell (it declares {', '.join(declared)})")
        hashed = _hash(notebook.read_bytes(), code, data_part, context,
                       json.dumps(parameters, sort_keys=True).encode(),
                       json.dumps(nav).encode())
        jobs.append(ReportJob(
            name=name, title=title, notebook=str(notebook), parameters=parameters,
            out_dir=str(out_dir), data_sha256=data_sha, inputs_hash=hashed,
            kernel_name=kernel_name, cwd=str(notebooks_dir),
            build_dir=None if build_dir is None else str(Path(build_dir).resolve()),
            nav=nav))

    template = notebooks_dir / "condition_report.ipynb"
    for condition in sorted(by_condition):
        params = {"condition": condition, "method": method, "data_path": str(data_path)}
        add(condition, CONDITIONS.get(condition, condition), template, params,
            by_condition[condition])
    for name, notebook, title in EXTRA_REPORTS:
        path = notebooks_dir / notebook
        if path.exists():
            wanted = {"data_path": str(data_path), "method": method}
            declared = notebook_parameters(path)
            add(name, title, path, {k: v for k, v in wanted.items() if k in declared}, data)
    if only is not None and not jobs:
        known = sorted(by_condition) + [name for name, _, _ in EXTRA_REPORTS]
        raise EvsumError(f"--only {only!r}: no such report; expected one of {', '.join(known)}")
    return jobs


def _read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _render_lock(out_dir: Path):
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_FILE
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise EvsumError(
                f"another 'evsum render' is writing to {out_dir} (lock {path} is held); "
                "wait for it to finish and run again") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress(total: int, quiet: bool):
    if quiet or total == 0:
        return None
    if sys.stderr.isatty() and not os.environ.get("CI"):
        from tqdm import tqdm

        return tqdm(total=total, unit="report", file=sys.stderr)
    return None


def _report_line(result: ReportResult, quiet: bool) -> None:
    if quiet:
        return
    tail = f": {result.error}" if result.error else ""
    print(f"{result.status:>8}  {result.job.name}  ({result.seconds:.1f} s){tail}",
          file=sys.stderr)


def render_all(jobs: list[ReportJob], out_dir: str | Path, *, force: bool = False,
               executor: cf.Executor | None = None, workers: int | None = None,
               quiet: bool = False) -> RenderSummary:
    """Render the jobs whose inputs changed (all with ``force``) and rewrite the index.

    Parameters
    ----------
    executor : concurrent.futures.Executor, optional
        Where to run the renders (e.g. a dask ``Client.get_executor()``); by default a process
        pool with ``workers`` processes (default: one per core).

    Returns
    -------
    RenderSummary
        One result per job, in job order. Failed reports keep their previous HTML.
    """
    out_dir = Path(out_dir)
    with _render_lock(out_dir):
        state = _read_state(out_dir)
        todo, results = [], {}
        for job in jobs:
            previous = state.get(job.name, {})
            if (not force and previous.get("inputs_hash") == job.inputs_hash
                    and previous.get("status") != "failed" and job.html_path.exists()):
                results[job.name] = ReportResult(job, "current")
            else:
                todo.append(job)
        bar = _progress(len(todo), quiet)
        if todo:
            own = executor is None
            pool = executor or cf.ProcessPoolExecutor(
                max_workers=min(len(todo), workers or os.cpu_count() or 1))
            try:
                futures = {pool.submit(render_report, job): job for job in todo}
                for future in cf.as_completed(futures):
                    try:
                        result = future.result()
                    except Exception as err:  # the worker itself died, e.g. out of memory
                        result = ReportResult(futures[future], "failed",
                                              error=f"{type(err).__name__}: {err}")
                    results[result.job.name] = result
                    if bar is not None:
                        bar.update()
                    else:
                        _report_line(result, quiet)
            finally:
                if own:
                    pool.shutdown()
                if bar is not None:
                    bar.close()
        ordered = tuple(results[job.name] for job in jobs)
        for result in ordered:
            entry = {"title": result.job.title, "status": result.status,
                     "error": result.error}
            if result.status != "failed":  # a failed report is retried on the next run
                entry["inputs_hash"] = result.job.inputs_hash
            state[result.job.name] = entry
        write_atomic(out_dir / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
        write_atomic(out_dir / "index.html", index_html(state, out_dir))
    return RenderSummary(ordered)
