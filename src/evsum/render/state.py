"""The output folder's state and lock: which report was rendered from which inputs (the state
file, from which the index is written) and the lock that lets one render at a time write there,
taken over when its holder died.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
from pathlib import Path

from evsum.exceptions import RenderError
from evsum.present.glossary import glossary_page
from evsum.render.index import index_html
from evsum.render.report import ReportJob, ReportResult, write_atomic
from evsum.render.unchanged import LOCK_FILE, STATE_FILE


def read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(
    out_dir: Path,
    state: dict,
    results: dict[str, ReportResult],
    jobs: list[ReportJob],
    *,
    complete: bool,
    title: str | None,
) -> tuple[ReportResult, ...]:
    """Record the results in the state file and rewrite the index; the results in job order
    (a job without a result, stopped before it finished, keeps its previous entry)."""
    ordered = tuple(results[job.name] for job in jobs if job.name in results)
    if complete:
        state = {name: entry for name, entry in state.items() if name in results}
    position = {job.name: i for i, job in enumerate(jobs)}
    for result in ordered:
        previous = state.get(result.job.name, {})
        entry = {
            "title": result.job.title,
            "status": result.status,
            "error": result.error,
            "order": position[result.job.name],
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
        own = dict(getattr(jobs[0], "glossary", ())) if jobs else {}
        write_atomic(
            out_dir / "glossary.html", glossary_page(about or title or "the reports", own)
        )
    except OSError as err:
        raise RenderError(unwritable(out_dir, err)) from None
    return ordered


def unwritable(folder: Path, err: OSError) -> str:
    where = err.filename or folder
    return (
        f"cannot write to {where}: {err.strerror or err}; the reports there were left as they were"
    )


def process_alive(pid: int) -> bool:
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


#: Descriptor of the lock file while this process holds it (closed in forked workers).
_LOCK_FD = -1


@contextlib.contextmanager
def render_lock(out_dir: Path):
    """Hold ``out_dir``'s render lock: an exclusive ``flock`` on a file that records our PID.

    A lock held by a process that no longer runs (its PID is recorded in the file) is taken
    over: the file is replaced, so whatever still holds the old one holds nothing. The
    descriptor is not inherited by the pool's workers (see :func:`worker_init`).
    """
    import fcntl

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / LOCK_FILE
        handle = open(path, "a+")
    except OSError as err:
        raise RenderError(unwritable(out_dir, err)) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _lock_holder(path)
            if not holder or process_alive(holder):  # no PID recorded: cannot tell
                who = f" (process {holder})" if holder else ""
                raise RenderError(
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


def lock_identity() -> tuple[int, int, int]:
    """(descriptor, device, inode) of the held lock file, for :func:`worker_init`."""
    if _LOCK_FD < 0:
        return -1, 0, 0
    info = os.fstat(_LOCK_FD)
    return _LOCK_FD, info.st_dev, info.st_ino
