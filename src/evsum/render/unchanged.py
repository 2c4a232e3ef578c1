"""Knowing that a render has nothing to do before anything heavy is imported.

A render that finished without a failure records a fingerprint of everything it read
(:func:`fingerprint`: evsum's own files, the protocol, every data file, the notebooks, the
options and the folders) beside the SHA-256 of the state file it left (``STAMP_FILE`` in the
output folder). When the next render with the same options finds the same fingerprint, the
same state file and every page in place, each of its reports would be found current and the
index rewritten with the same bytes: :func:`nothing_changed` says so from file hashes alone,
so the command answers without importing pandas, scipy, matplotlib or Jupyter.

This module imports only the standard library; any doubt (a missing or unreadable file, a
render holding the lock, a failed report) means "changed", and the full render decides.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from evsum.version import __version__

#: The state file of an output folder (which report was rendered from which inputs).
STATE_FILE = ".evsum-state.json"
#: The lock file an output folder's render holds.
LOCK_FILE = ".evsum-render.lock"
#: Where a render that ended without a failure records its fingerprint.
STAMP_FILE = ".evsum-unchanged.json"
#: The pages a render writes besides the reports.
SITE_PAGES = ("index.html", "glossary.html")

#: The protocol's file name in a base.
PROTOCOL = "evsum.toml"

_PACKAGE = Path(__file__).resolve().parents[1]


def find_folders(
    base: str | None,
    data_path: str | None,
    notebooks_dir: str | None,
    out_dir: str | None,
    build_dir: str | None,
) -> dict[str, Path] | None:
    """The folders ``evsum render`` works with, given its options, as the command line
    resolves them (:func:`evsum.ingest.protocol.resolve_base`, then the defaults inside the
    base), or ``None`` where the command would stop with an error.

    Examples
    --------
    >>> find_folders("/nowhere", None, None, None, None) is None
    True
    """
    folder = _base(base, data_path)
    if folder is None:
        return None
    notebooks = folder / "notebooks"
    if notebooks_dir is None and not notebooks.is_dir():
        notebooks = _PACKAGE / "render" / "skeleton" / "notebooks"
    elif notebooks_dir is not None:
        notebooks = Path(notebooks_dir)
    return {
        "base": folder,
        "data_path": Path(data_path) if data_path is not None else folder / "data" / "studies.csv",
        "notebooks_dir": notebooks,
        "out_dir": Path(out_dir) if out_dir is not None else folder / "reports",
        "build_dir": Path(build_dir) if build_dir is not None else folder / "build",
    }


def _base(base: str | None, near: str | None) -> Path | None:
    """:func:`evsum.ingest.protocol.resolve_base` without its imports: ``None`` where it
    raises."""
    if base not in (None, ""):
        folder = Path(str(base))
        return folder if (folder / PROTOCOL).exists() else None
    for start in (near, None) if near is not None else (None,):
        here = Path.cwd() if start is None else Path(start).resolve()
        if here.is_file():
            here = here.parent
        for folder in (here, *here.parents):
            if (folder / PROTOCOL).exists():
                return folder
    return None


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _files(folder: Path, pattern: str) -> list[Path]:
    """The regular files of ``folder`` matching ``pattern`` (``**/*``: at any depth), sorted,
    without Python's byte-code caches."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def fingerprint(
    *,
    base: Path,
    data_path: Path,
    notebooks_dir: Path,
    out_dir: Path,
    build_dir: Path,
    options: Mapping[str, object],
) -> str:
    """SHA-256 over what a render reads and how it was asked: evsum's version and every file
    of the package (modules, templates, notebook skeleton), the base's ``evsum.toml``, every
    file in the data folders (the study table's and the base's ``data/``, at any depth),
    every notebook of ``notebooks_dir``, the folders themselves and ``options`` (the command
    line's method, ``--only``, cell timeout).

    Raises
    ------
    OSError
        A file cannot be read (the caller treats the render as changed).
    """
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode("utf-8", "surrogateescape") + b"\0" + data + b"\n")

    add("version", __version__.encode())
    folders = {
        "base": base,
        "data": data_path,
        "notebooks": notebooks_dir,
        "out": out_dir,
        "build": build_dir,
    }
    for name, folder in folders.items():
        add(name, str(folder.resolve()).encode("utf-8", "surrogateescape"))
    add("options", json.dumps(dict(options), sort_keys=True, default=str).encode())
    for path in _files(_PACKAGE, "**/*"):
        add(f"code:{path.relative_to(_PACKAGE)}", _digest(path))
    add("protocol", _digest(base / PROTOCOL))
    add("table", _digest(data_path))
    for folder in dict.fromkeys((data_path.parent.resolve(), (base / "data").resolve())):
        for path in _files(folder, "**/*"):
            add(f"data:{path}", _digest(path))
    for path in _files(notebooks_dir, "*.ipynb"):
        add(f"notebook:{path.name}", _digest(path))
    return digest.hexdigest()


@contextlib.contextmanager
def _lock_free(out_dir: Path) -> Iterator[bool]:
    """Whether no render holds ``out_dir``'s lock; while the block runs, none can take it."""
    import fcntl

    path = out_dir / LOCK_FILE
    if not path.exists():
        yield True
        return
    try:
        handle = open(path, "rb")
    except OSError:
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stamp(out_dir: Path) -> dict:
    try:
        stamp = json.loads((out_dir / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def nothing_changed(out_dir: Path, current: str) -> tuple[str, ...] | None:
    """The reports of the last render when it ended without a failure, with the fingerprint
    ``current``, and the output folder is as it left it (state file, every page, no
    traceback); else ``None`` (render as usual)."""
    stamp = _stamp(out_dir)
    reports = stamp.get("reports")
    if stamp.get("fingerprint") != current or not isinstance(reports, list):
        return None
    with _lock_free(out_dir) as free:
        if not free:
            return None
        try:
            state = (out_dir / STATE_FILE).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(state).hexdigest() != stamp.get("state_sha256"):
            return None
        names = tuple(str(name) for name in reports)
        pages = [*(f"{name}.html" for name in names), *SITE_PAGES]
        if not all((out_dir / page).is_file() for page in pages):
            return None
        if any((out_dir / f"{name}.error.txt").exists() for name in names):
            return None
    return names


def forget(out_dir: Path) -> None:
    """Remove the record of the last render (a render is starting that may change things)."""
    with contextlib.suppress(OSError):
        (out_dir / STAMP_FILE).unlink()


def record(out_dir: Path, current: str, reports: list[str]) -> None:
    """Record that a render with fingerprint ``current`` ended without a failure, leaving
    ``reports`` and the state file as they are now."""
    try:
        state = (out_dir / STATE_FILE).read_bytes()
    except OSError:
        return
    stamp = {
        "fingerprint": current,
        "state_sha256": hashlib.sha256(state).hexdigest(),
        "reports": reports,
    }
    tmp = out_dir / f".{STAMP_FILE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(stamp, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, out_dir / STAMP_FILE)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
