"""Render every report: plan jobs, skip the current ones, run the rest in parallel, index them.

Imports stay light (no pandas, matplotlib or papermill at module level) so that a run with
nothing to do finishes quickly.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import csv
import datetime
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evsum.exceptions import EvsumError, RenderError
from evsum.present.glossary import glossary_page
from evsum.present.text import reanalysis_note
from evsum.render.index import index_html
from evsum.render.report import (
    ReportJob,
    ReportResult,
    notebook_parameters,
    render_report,
    write_atomic,
)
from evsum.version import __version__

STATE_FILE = ".evsum-state.json"
LOCK_FILE = ".evsum-render.lock"
#: Data files beside studies.csv that reports read.
CONTEXT_FILES = (
    "study_characteristics.csv",
    "risk_of_bias.csv",
    "grade.csv",
    "references.json",
    "claims.csv",
    "source_references.txt",
    "search_log.csv",
)
#: The notebook rendered once per condition; every other notebook of the base is one report.
CONDITION_NOTEBOOK = "condition_report.ipynb"
#: The pages every report links to, in this order, when their notebook is rendered; the
#: condition reports come after the first three, the curation log last.
NAV_PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview.html", "Overview", "overview.ipynb"),
    ("methods.html", "Methods", "methods.ipynb"),
    ("claims-audit.html", "Claims audit", "claims_audit.ipynb"),
    ("curation-log.html", "Curation log", "curation_log.ipynb"),
)
#: The glossary page, written beside the index (present/glossary.py).
GLOSSARY = ("glossary.html", "Glossary")


def site_nav(
    notebooks: Iterable[str], conditions: Iterable[tuple[str, str]] = ()
) -> tuple[tuple[str, str], ...]:
    """The (href, text) links of every report's navigation: the overview, methods and claims
    audit pages whose notebooks are among ``notebooks`` (file names), then each condition's
    report (``conditions``: (href, label) pairs), the glossary, then the curation log.

    Examples
    --------
    >>> [href for href, _ in site_nav(["methods.ipynb", "curation_log.ipynb"], [("a.html", "A")])]
    ['methods.html', 'a.html', 'glossary.html', 'curation-log.html']
    """
    names = set(notebooks)
    pages = [(href, text) for href, text, notebook in NAV_PAGES if notebook in names]
    last = pages[-1:] if pages and pages[-1][0] == "curation-log.html" else []
    first = pages[: len(pages) - len(last)]
    return (*first, *conditions, GLOSSARY, *last)


def _notebook_meta(path: Path) -> dict:
    """The ``evsum`` block of a notebook's metadata: ``title``, ``requires`` (data files
    without which the report is not rendered, e.g. ``claims.csv``), ``report`` (``false``: a
    notebook for the analyst, such as ``explore.ipynb``, rendered only when asked for)."""
    book = json.loads(path.read_text(encoding="utf-8"))
    meta = book.get("metadata", {}).get("evsum", {})
    return meta if isinstance(meta, dict) else {}


def report_notebooks(notebooks_dir: str | Path, wanted: tuple[str, ...] = ()) -> list[Path]:
    """The report notebooks of an evidence base: ``wanted`` (file stems, the protocol's
    ``reports``) in that order, or else every ``*.ipynb`` in ``notebooks_dir`` whose metadata
    does not say ``"evsum": {"report": false}`` (``explore.ipynb``), the condition report
    first.

    Raises
    ------
    EvsumError
        A wanted notebook is not in the folder.
    """
    folder = Path(notebooks_dir)
    if wanted:
        missing = [w for w in wanted if not (folder / f"{w}.ipynb").is_file()]
        if missing:
            raise EvsumError(
                f"reports {', '.join(missing)} of the protocol have no notebook "
                f"in {folder} (expected {', '.join(m + '.ipynb' for m in missing)})"
            )
        return [folder / f"{w}.ipynb" for w in wanted]
    found = [
        p
        for p in sorted(folder.glob("*.ipynb"))
        if _notebook_meta(p).get("report", True) is not False
    ]
    return sorted(found, key=lambda p: p.name != CONDITION_NOTEBOOK)


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


def code_files() -> list[Path]:
    """The files of evsum whose change re-renders every report: its modules, templates and
    style sheets (every layer, not only the renderer's)."""
    package = Path(__file__).resolve().parents[1]
    templates = package / "present" / "templates"
    return sorted(package.rglob("*.py")) + sorted(p for p in templates.rglob("*") if p.is_file())


def _code_hash() -> bytes:
    return b"".join(hashlib.sha256(p.read_bytes()).digest() for p in code_files())


def _condition_rows(data: bytes) -> dict[str, bytes]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    column = header.index("condition")
    rows: dict[str, list[str]] = {}
    for record in reader:
        if record:
            rows.setdefault(record[column], []).append("\x1f".join(record))
    return {c: "\n".join(["\x1f".join(header), *r]).encode() for c, r in rows.items()}


def plan_reports(
    data_path: str | Path,
    notebooks_dir: str | Path,
    out_dir: str | Path,
    *,
    method: str = "REML",
    only: str | None = None,
    kernel_name: str | None = None,
    build_dir: str | Path | None = None,
    base: str | Path | None = None,
) -> list[ReportJob]:
    """List the reports of an evidence base: one per condition in the data (with
    ``condition_report.ipynb``), then one per other notebook of ``notebooks_dir``.

    The report set is the base's: the protocol's ``reports`` if it lists them, else every
    notebook in the folder; a notebook whose metadata ``evsum.requires`` names a data file
    that is absent (``claims.csv`` for the claims audit) is left out. Titles come from the
    protocol (conditions) and from the notebooks' metadata ``evsum.title``.

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
    base : path, optional
        The evidence base (with ``evsum.toml``); default the one holding ``data_path``, or
        else the current directory's.
    """
    from evsum.ingest.protocol import load_protocol, resolve_base

    base_dir = resolve_base(base, near=data_path).resolve()
    protocol = load_protocol(base_dir)
    data_path = Path(data_path).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    data = data_path.read_bytes()
    data_sha = hashlib.sha256(data).hexdigest()
    context = b"".join(
        _hash((data_path.parent / name).read_bytes()).encode()
        for name in CONTEXT_FILES
        if (data_path.parent / name).exists()
    )
    code = _code_hash() + __version__.encode()
    by_condition = _condition_rows(data)
    jobs: list[ReportJob] = []
    # every report links to the overview, the methods, the claims audit and each condition's
    # report, when there are those, and last to the curation log
    usable = [
        path.name
        for path in report_notebooks(notebooks_dir, protocol.reports)
        if all((data_path.parent / f).exists() for f in _notebook_meta(path).get("requires", []))
    ]
    order = {key: i for i, key in enumerate(protocol.conditions)}
    conditions = sorted(by_condition, key=lambda c: (order.get(c, len(order)), c))
    siblings = [(f"{c}.html", protocol.condition_label(c)) for c in conditions]
    nav = site_nav(usable, siblings if CONDITION_NOTEBOOK in usable else [])

    def add(
        name: str,
        title: str,
        notebook: Path,
        parameters: dict,
        data_part: bytes,
        description: str = "",
    ) -> None:
        if only is not None and only != name and only != parameters.get("condition"):
            return
        declared = notebook_parameters(notebook)
        unknown = sorted(set(parameters) - set(declared))
        if unknown:  # papermill would only warn
            raise EvsumError(
                f"{notebook}: parameter(s) {', '.join(unknown)} not in the "
                f"notebook's parameters cell (it declares {', '.join(declared)})"
            )
        hashed = _hash(
            notebook.read_bytes(),
            code,
            data_part,
            context,
            json.dumps(parameters, sort_keys=True).encode(),
            json.dumps(
                [nav, protocol.title, protocol.data_date, reanalysis_note(protocol)]
            ).encode(),
        )
        jobs.append(
            ReportJob(
                name=name,
                title=title,
                notebook=str(notebook),
                parameters=parameters,
                out_dir=str(out_dir),
                data_sha256=data_sha,
                inputs_hash=hashed,
                kernel_name=kernel_name,
                cwd=str(notebooks_dir),
                build_dir=None if build_dir is None else str(Path(build_dir).resolve()),
                nav=nav,
                review_title=protocol.title,
                review_question=protocol.question,
                reanalysis=reanalysis_note(protocol),
                review_kind=protocol.kind.label,
                data_date=protocol.data_date,
                description=description,
            )
        )

    known: list[str] = []
    for path in report_notebooks(notebooks_dir, protocol.reports):
        meta = _notebook_meta(path)
        if any(not (data_path.parent / f).exists() for f in meta.get("requires", [])):
            continue
        declared = notebook_parameters(path)
        wanted = {"base": str(base_dir), "data": str(data_path), "method": method}
        _check_reads_data(path, declared, data_path, base_dir)
        if path.name == CONDITION_NOTEBOOK:
            for condition in conditions:
                known.append(condition)
                params = {
                    "condition": condition,
                    **{k: v for k, v in wanted.items() if k in declared},
                }
                label = protocol.condition_label(condition)
                add(
                    condition,
                    label,
                    path,
                    params,
                    by_condition[condition],
                    str(meta.get("description", "")).replace("{condition}", label.lower()),
                )
            continue
        name = path.stem.replace("_", "-")
        known.append(name)
        add(
            name,
            str(meta.get("title") or path.stem.replace("_", " ").capitalize()),
            path,
            {k: v for k, v in wanted.items() if k in declared},
            data,
            str(meta.get("description", "")),
        )
    if only is not None and not jobs:
        raise EvsumError(f"--only {only!r}: no such report; expected one of {', '.join(known)}")
    return jobs


def _check_reads_data(notebook: Path, declared: tuple, data_path: Path, base_dir: Path) -> None:
    """Refuse another study table for a notebook that cannot be given it: its footer would
    stamp the SHA-256 of a file it never read (it loads the base's ``data/studies.csv``)."""
    if "base" not in declared or "data" in declared:
        return
    if data_path != (base_dir / "data" / "studies.csv").resolve():
        raise EvsumError(
            f"{notebook}: has no 'data' parameter, so it would read "
            f"{base_dir / 'data' / 'studies.csv'}, not {data_path}; add "
            "'data: str = \"\"' to its parameters cell and pass it to "
            "evsum.load_evidence(data, base=base) (as evsum new's notebooks do), "
            "or leave out --data"
        )


def _read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (not Linux): alive as far as we can tell
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _lock_holder(path: Path) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


@contextlib.contextmanager
def _render_lock(out_dir: Path):
    """Hold ``out_dir``'s render lock: an exclusive ``flock`` on a file that records our PID.

    A lock held by a process that no longer runs (its PID is recorded in the file) is taken
    over: the file is replaced, so whatever still holds the old one holds nothing. The
    descriptor is not inherited by the pool's workers (see :func:`_worker_init`).
    """
    import fcntl

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / LOCK_FILE
        handle = open(path, "a+")
    except OSError as err:
        raise RenderError(_unwritable(out_dir, err)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(path)
            if not holder or _process_alive(holder):  # no PID recorded: cannot tell
                who = f" (process {holder})" if holder else ""
                raise EvsumError(
                    f"another 'evsum render'{who} is writing to {out_dir} "
                    f"(lock {path} is held); wait for it to finish and run again"
                ) from None
            # the holder died and left something holding the file: start a new lock file
            handle.close()
            fresh = path.with_name(f"{LOCK_FILE}.{os.getpid()}")
            handle = open(fresh, "a+")
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(fresh, path)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        global _LOCK_FD
        _LOCK_FD = handle.fileno()
        try:
            yield
        finally:
            _LOCK_FD = -1
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


#: Descriptor of the lock file while this process holds it (closed in forked workers).
_LOCK_FD = -1
#: Seconds between a worker's checks that the process that started it still runs.
PARENT_POLL_SECONDS = 0.5


def _worker_init(lock: tuple[int, int, int], parent: int) -> None:
    """Set up a pool worker so that it never outlives the render that started it.

    Closes the inherited descriptor of the render lock (the lock dies with its holder), asks
    Linux to send SIGTERM when the parent dies (``prctl(PR_SET_PDEATHSIG)``) and, on every
    system, watches the parent: when it is gone, the worker shuts down its kernels and exits.
    Kernels inherited from the parent by ``fork`` are forgotten, never used or killed.
    """
    import signal
    import threading

    from evsum.render.kernels import forget_inherited_kernels

    forget_inherited_kernels()  # a forked worker starts its own kernels
    fd, device, inode = lock
    with contextlib.suppress(OSError):
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) == (device, inode):  # inherited (fork), not reused
            os.close(fd)

    def leave(*_args) -> None:
        from evsum.render.kernels import kill_kernels

        with contextlib.suppress(Exception):
            kill_kernels()
        os._exit(1)

    signal.signal(signal.SIGTERM, leave)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    watched = os.getppid()  # the render itself, or the fork server it started

    def watch() -> None:
        import time

        while os.getppid() == watched and _process_alive(parent):
            time.sleep(PARENT_POLL_SECONDS)
        leave()

    if not _process_alive(parent):  # died before we got here
        leave()
    threading.Thread(target=watch, name="evsum-parent-watch", daemon=True).start()


def _lock_identity() -> tuple[int, int, int]:
    """(descriptor, device, inode) of the held lock file, for :func:`_worker_init`."""
    if _LOCK_FD < 0:
        return -1, 0, 0
    info = os.fstat(_LOCK_FD)
    return _LOCK_FD, info.st_dev, info.st_ino


def _unwritable(folder: Path, err: OSError) -> str:
    where = err.filename or folder
    return (
        f"cannot write to {where}: {err.strerror or err}; the reports there were left as they were"
    )


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
    print(
        f"{result.status:>8}  {result.job.name}  ({result.seconds:.1f} s){tail}", file=sys.stderr
    )


def render_all(
    jobs: list[ReportJob],
    out_dir: str | Path,
    *,
    force: bool = False,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    quiet: bool = False,
    complete: bool = True,
    title: str | None = None,
) -> RenderSummary:
    """Render the jobs whose inputs changed (all with ``force``) and rewrite the index.

    Parameters
    ----------
    complete : bool
        ``jobs`` are the whole report set (not ``--only`` one): reports of earlier runs that
        are no longer planned leave the index (their files stay).
    title : str, optional
        Heading of the index page; default the protocol's title (the jobs').
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
            if (
                not force
                and previous.get("inputs_hash") == job.inputs_hash
                and previous.get("status") != "failed"
                and job.html_path.exists()
            ):
                results[job.name] = ReportResult(job, "current")
            else:
                todo.append(job)
        bar = _progress(len(todo), quiet)
        if todo:
            own = executor is None
            pool = executor or cf.ProcessPoolExecutor(
                max_workers=min(len(todo), workers or os.cpu_count() or 1),
                initializer=_worker_init,
                initargs=(_lock_identity(), os.getpid()),
            )
            try:
                futures = {pool.submit(render_report, job): job for job in todo}
                for future in cf.as_completed(futures):
                    try:
                        result = future.result()
                    except Exception as err:  # the worker itself died, e.g. out of memory
                        result = ReportResult(
                            futures[future], "failed", error=f"{type(err).__name__}: {err}"
                        )
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
        if complete:
            state = {name: entry for name, entry in state.items() if name in results}
        for position, result in enumerate(ordered):
            previous = state.get(result.job.name, {})
            entry = {
                "title": result.job.title,
                "status": result.status,
                "error": result.error,
                "order": position,
                "description": result.job.description,
            }
            # the day the HTML shown was made: what the index says of a failed report's page
            good = (
                datetime.date.today().isoformat()
                if result.status == "rendered"
                else previous.get("good_date", "")
            )
            if good:
                entry["good_date"] = good
            if result.status != "failed":  # a failed report is retried on the next run
                entry["inputs_hash"] = result.job.inputs_hash
            state[result.job.name] = entry
        try:
            write_atomic(out_dir / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
            write_atomic(
                out_dir / "index.html",
                index_html(state, out_dir, title=title, about=jobs[0] if jobs else None),
            )
            about = getattr(jobs[0], "review_title", "") if jobs else ""
            write_atomic(out_dir / "glossary.html", glossary_page(about or title or "the reports"))
        except OSError as err:
            raise RenderError(_unwritable(out_dir, err)) from None
    return RenderSummary(ordered)
