"""Running a render: skip the current reports, render the others in parallel, record the results
and rewrite the index. Progress is logged to the ``evsum.render`` logger (the command line
prints it), one line per report.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from evsum.exceptions import RenderError, RenderInterrupted
from evsum.render.report import ReportJob, ReportResult, render_report
from evsum.render.state import lock_identity, read_state, render_lock, unwritable, write_state
from evsum.render.workers import ignoring_interrupts, stop_on_sigterm, stop_pool, worker_init

#: Where a render reports its progress (``evsum render`` prints it unless ``--quiet``).
log = logging.getLogger("evsum.render")


@dataclass(frozen=True)
class RenderSummary:
    """What a render run did: one result per planned report."""

    results: tuple[ReportResult, ...]

    @property
    def failed(self) -> tuple[ReportResult, ...]:
        """Results of the reports that failed."""
        return tuple(r for r in self.results if r.status == "failed")


def _progress(total: int, quiet: bool):
    if quiet or total == 0:
        return None
    if sys.stderr.isatty() and not os.environ.get("CI"):
        from tqdm import tqdm

        return tqdm(total=total, unit="report", file=sys.stderr)
    return None


def _report_line(result: ReportResult, done: int, total: int) -> None:
    """One line per finished report: its status, name, time, and how far the run is."""
    tail = f": {result.error}" if result.error else ""
    log.info(
        "%8s  %s  (%.1f s, %d of %d)%s",
        result.status,
        result.job.name,
        result.seconds,
        done,
        total,
        tail,
    )


def expected_cost(job: ReportJob) -> int:
    """How long ``job`` is expected to take, in code cells of its notebook: the pool starts
    the longest first, so that no long report starts last while the other workers idle
    (the order of the pages and of the index is the jobs', whatever the order of work)."""
    try:
        cells = json.loads(Path(job.notebook).read_bytes()).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return 0
    return sum(isinstance(c, dict) and c.get("cell_type") == "code" for c in cells)


def write_snapshots(jobs: list[ReportJob]) -> tuple[list[ReportJob], list[Path]]:
    """Write the data each job reads (:mod:`evsum.render.snapshot`, once per snapshot) and
    return the jobs without the bytes (a worker needs only the folder), and the folders."""
    folders: dict[Path, None] = {}
    bare = []
    for job in jobs:
        if job.snapshot is not None:
            snapshot, build = job.snapshot
            folder = snapshot.folder(Path(build))
            if folder not in folders:
                snapshot.write(Path(build))
                folders[folder] = None
            job = dataclasses.replace(job, snapshot=None)
        bare.append(job)
    return bare, list(folders)


def _split_current(
    jobs: list[ReportJob], state: dict, force: bool
) -> tuple[list[ReportJob], dict[str, ReportResult]]:
    """The jobs to render, and a "current" result for each job whose inputs have not
    changed since its last good render (all are rendered with ``force``)."""
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
            # a traceback left by a render that was stopped is not about this page
            job.error_path.unlink(missing_ok=True)
        else:
            todo.append(job)
    return todo, results


def _finished(futures: dict[cf.Future, ReportJob]) -> Iterator[ReportResult]:
    """Each job's result as it finishes; a failed one when the worker itself died (e.g. out
    of memory)."""
    for future in cf.as_completed(futures):
        try:
            yield future.result()
        except Exception as err:
            yield ReportResult(futures[future], "failed", error=f"{type(err).__name__}: {err}")


def _forget_unfinished(
    todo: list[ReportJob], results: dict[str, ReportResult], state: dict
) -> None:
    """After a stop: the unfinished jobs keep their last good page and state, without a
    traceback of the stopped render."""
    for job in todo:
        if job.name not in results and state.get(job.name, {}).get("status") != "failed":
            job.error_path.unlink(missing_ok=True)


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
    with render_lock(out_dir):
        state = read_state(out_dir)
        todo, results = _split_current(jobs, state, force)
        current = len(results)
        if todo and not quiet:
            log.info(
                "rendering %d of %d reports (%d current), %s",
                len(todo),
                len(jobs),
                current,
                "each line as one finishes",
            )
        bar = _progress(len(todo), quiet)
        stopped = 0
        try:
            todo, snapshots = write_snapshots(todo)
        except OSError as err:
            raise RenderError(unwritable(out_dir, err)) from None
        if todo:
            own = executor is None
            pool = executor or cf.ProcessPoolExecutor(
                max_workers=min(len(todo), workers or os.cpu_count() or 1),
                initializer=worker_init,
                initargs=(lock_identity(), os.getpid()),
            )
            futures: dict[cf.Future, ReportJob] = {}
            try:
                with stop_on_sigterm():
                    for job in sorted(todo, key=expected_cost, reverse=True):
                        futures[pool.submit(render_report, job)] = job
                    for result in _finished(futures):
                        results[result.job.name] = result
                        if bar is not None:
                            bar.update()
                        elif not quiet:
                            _report_line(result, len(results) - current, len(todo))
            except KeyboardInterrupt as err:
                stopped = getattr(err, "signal_number", 2)
                with ignoring_interrupts():
                    stop_pool(pool, futures, own)
                    own = False
                    _forget_unfinished(todo, results, state)
            finally:
                if own:
                    pool.shutdown()
                if bar is not None:
                    bar.close()
        for folder in snapshots:  # the run is over: nothing reads its copy any more
            shutil.rmtree(folder, ignore_errors=True)
        if stopped:
            with ignoring_interrupts():
                write_state(out_dir, state, results, jobs, complete=False, title=title)
            done = sum(r.status == "rendered" for r in results.values())
            raise RenderInterrupted(
                f"stopped: {done} report(s) rendered before the stop, the others keep their "
                f"last good page; {out_dir / 'index.html'} lists them",
                stopped,
            )
        ordered = write_state(out_dir, state, results, jobs, complete=complete, title=title)
    return RenderSummary(ordered)
