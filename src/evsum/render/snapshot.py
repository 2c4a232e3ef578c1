"""The data of one render run, read once.

A render reads the protocol, the study table and the files beside it once, hashes those bytes
and writes them to a folder of the build directory; every report of the run reads that copy
(its ``base`` and ``data`` parameters point there). An edit to the base during the run is
therefore in no report of the run, and no report shows rows other than those its footer's
SHA-256 names; the next run sees the edit.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from evsum.ingest.io import regular_file_bytes

#: The protocol's file name in a base.
PROTOCOL = "evsum.toml"
#: The study table's name in a base's data folder (what a notebook without a ``data``
#: parameter reads).
STUDIES = "studies.csv"


@dataclass(frozen=True)
class DataSnapshot:
    """The bytes of a base's protocol (``evsum.toml``) and data files (``data/NAME``), as
    read at the start of a run."""

    files: tuple[tuple[str, bytes], ...]
    #: The study table's name inside the snapshot (``data/studies.csv`` or as given).
    table: str

    @property
    def digest(self) -> str:
        """SHA-256 over every file's name and bytes (names the snapshot's folder)."""
        digest = hashlib.sha256()
        for name, data in self.files:
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

    def read(self, name: str) -> bytes | None:
        """The bytes of ``name`` (e.g. ``data/grade.csv``), ``None`` if it was not there."""
        return dict(self.files).get(name)

    def folder(self, build_dir: Path) -> Path:
        """Where the snapshot is written: ``build_dir/.data-<digest>``."""
        return build_dir / f".data-{self.digest[:16]}"

    def write(self, build_dir: Path) -> Path:
        """Write the snapshot to :meth:`folder` (once: an existing folder has the same bytes,
        its name being their hash) and return that folder, an evidence base."""
        folder = self.folder(build_dir)
        if folder.is_dir():
            return folder
        build_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".data-", dir=build_dir))
        try:
            for name, data in self.files:
                path = staging / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            os.replace(staging, folder)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not folder.is_dir():
                raise
        return folder


def take_snapshot(base_dir: Path, data_path: Path, names: tuple[str, ...]) -> DataSnapshot:
    """Read ``base_dir/evsum.toml``, the study table ``data_path`` and the files ``names``
    beside it that exist, once each.

    The table is kept under its own name in ``data/``, and as ``data/studies.csv`` too when
    its name is another, so a notebook that reads the base's ``data/studies.csv`` reads it.
    """
    files: list[tuple[str, bytes]] = []
    protocol = regular_file_bytes(base_dir / PROTOCOL)
    files.append((PROTOCOL, protocol))
    table = regular_file_bytes(data_path)
    files.append((f"data/{data_path.name}", table))
    if data_path.name != STUDIES:
        files.append((f"data/{STUDIES}", table))
    for name in names:
        path = data_path.parent / name
        if path.exists() and name not in (data_path.name, STUDIES):
            files.append((f"data/{name}", regular_file_bytes(path)))
    return DataSnapshot(tuple(files), f"data/{data_path.name}")
