"""Warm Jupyter kernels: one per worker process, kernel and working folder, reused across
notebooks so that each report does not pay for a kernel start and the imports again.

Before each notebook the kernel's namespace is cleared (``%reset -f``); imported modules stay
loaded, which is the point. A kernel that died or failed to clear is replaced. Kernels exit
with their worker process (ipykernel watches its parent) and are shut down at exit; a worker
whose render died kills them (:func:`kill_kernels`, see ``evsum.render.workers``).
"""

from __future__ import annotations

import atexit
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager as KernelManager

KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
#: Seconds one cell may run before the report fails, unless the render says otherwise
#: (``evsum render --cell-timeout``, the protocol's ``[render] cell_timeout``).
CELL_TIMEOUT = 1800
_RESET_TAG = "evsum-reset"
_KERNELS: dict[tuple[str, str], KernelManager] = {}


def _kernel(kernel_name: str, cwd: str) -> KernelManager:
    # The asynchronous manager lets nbclient notice a kernel that dies while a cell runs.
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    key = (kernel_name, cwd)
    km = _KERNELS.get(key)
    if km is not None and not run_sync(km.is_alive)():
        _discard(key)
        km = None
    if km is None:
        km = AsyncKernelManager(kernel_name=kernel_name)
        # the kernel's own stderr is not the reader's: a cell's errors come back as messages,
        # and a kernel ended with its stopped render would print socket errors on the terminal
        run_sync(km.start_kernel)(
            extra_arguments=KERNEL_ARGUMENTS,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _KERNELS[key] = km
    return km


def _discard(key: tuple[str, str]) -> None:
    from jupyter_core.utils import run_sync

    km = _KERNELS.pop(key, None)
    if km is not None:
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # it is being thrown away anyway
            pass


def forget_inherited_kernels() -> None:
    """In a forked worker: drop the kernel managers inherited from the parent, untouched.

    Their sockets and kernel processes belong to the parent; shutting them down (or killing
    them) from the child would hang on the parent's sockets or kill the parent's kernels.
    """
    _KERNELS.clear()


def kill_kernels() -> None:
    """Kill every warm kernel of this process at once, without the shutdown handshake.

    For a worker whose render has died: nothing will read the kernels' results.
    """
    for km in list(_KERNELS.values()):
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None:
            try:
                process.kill()
            except Exception:  # already gone
                pass
    _KERNELS.clear()


@atexit.register
def shutdown_kernels() -> None:
    """Shut down every warm kernel of this process."""
    for key in list(_KERNELS):
        _discard(key)


def run_notebook(
    path: str,
    parameters: dict,
    *,
    kernel_name: str,
    cwd: str,
    timeout: float | None = CELL_TIMEOUT,
):
    """Parameterise a notebook as papermill does and execute it in a warm kernel.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook (the namespace-clearing cell removed).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        A cell raised; the kernel is kept.
    Exception
        Any other failure (e.g. the kernel died); the kernel is discarded.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    book = parameterize_notebook(load_notebook_node(path), parameters, report_mode=True)
    reset = nbformat.v4.new_code_cell("%reset -f", metadata={"tags": [_RESET_TAG]})
    reset["id"] = _RESET_TAG
    book.cells.insert(0, reset)
    key = (kernel_name, cwd)
    client = NotebookClient(
        book,
        km=_kernel(kernel_name, cwd),
        timeout=timeout,
        resources={"metadata": {"path": cwd}},
    )
    try:
        client.execute(reset_kc=False)
    except CellExecutionError:
        raise
    except BaseException:
        _discard(key)
        raise
    finally:
        book.cells = [
            c for c in book.cells if _RESET_TAG not in c.get("metadata", {}).get("tags", [])
        ]
    return book
