"""The render's worker processes: none outlives the render that started it, and a render that is
stopped (Ctrl-C, SIGTERM) ends them before it writes what it keeps.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import sys

from evsum.render.state import process_alive

#: Seconds between a worker's checks that the process that started it still runs.
PARENT_POLL_SECONDS = 0.5


def worker_init(lock: tuple[int, int, int], parent: int) -> None:
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
    # Ctrl-C reaches the whole process group: the render itself stops the workers cleanly
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    watched = os.getppid()  # the render itself, or the fork server it started

    def watch() -> None:
        import time

        while os.getppid() == watched and process_alive(parent):
            time.sleep(PARENT_POLL_SECONDS)
        leave()

    if not process_alive(parent):  # died before we got here
        leave()
    threading.Thread(target=watch, name="evsum-parent-watch", daemon=True).start()


@contextlib.contextmanager
def stop_on_sigterm():
    """While the renders run, SIGTERM stops the run as Ctrl-C does (cleanly: finished
    reports kept, the index rewritten), with exit status 143."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        err = KeyboardInterrupt()
        err.signal_number = signum
        raise err

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def ignoring_interrupts():
    """Ctrl-C and SIGTERM wait while a stopped run writes what it keeps."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def stop_pool(pool: cf.Executor, futures: dict, own: bool) -> None:
    """Cancel what has not started; end our own pool's workers (each kills its kernels on
    SIGTERM, see :func:`worker_init`) and wait for them, so that none writes after us."""
    for future in futures:
        future.cancel()
    if not own:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=30)
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
