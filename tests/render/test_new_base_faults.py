"""Issue 27 (9): `evsum new` on a full disk, a read-only file system or /proc fails in one line
naming the path, exit 2, and leaves nothing behind, so a second `evsum new` works."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import evsum.render.scaffold as scaffold
from evsum.cli import main


def _new(directory: Path):
    return CliRunner().invoke(main, ["new", str(directory)])


def _one_error_line(result, path: Path) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith(f"error: {path}") and "nothing was left behind" in line, line
    return line


def test_a_full_disk_leaves_no_half_made_base_and_a_retry_works(tmp_path, monkeypatch):
    real_copy = shutil.copyfile
    calls = []

    def copy_until_the_disk_fills(src, dst, *args, **kwargs):
        calls.append(dst)
        if len(calls) == 4:  # a notebook: half of it written, then ENOSPC
            Path(dst).write_bytes(Path(src).read_bytes()[:100])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(scaffold.shutil, "copyfile", copy_until_the_disk_fills)
    base = tmp_path / "base"
    line = _one_error_line(_new(base), Path(calls[3]))
    assert "No space left on device" in line
    assert not base.exists()
    monkeypatch.setattr(scaffold.shutil, "copyfile", real_copy)
    assert _new(base).exit_code == 0
    assert (base / "evsum.toml").is_file() and (base / "data" / "studies.csv").is_file()


def test_a_full_disk_in_an_empty_folder_keeps_the_folder_and_empties_it(tmp_path, monkeypatch):
    base = tmp_path / "base"
    base.mkdir()

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", no_space)
    _one_error_line(_new(base), base / "data" / "studies.csv")
    assert base.is_dir() and list(base.iterdir()) == []


def test_a_read_only_file_system_says_so_in_one_line(tmp_path, monkeypatch):
    # root ignores permission bits: refuse the first folder as a read-only mount would
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    base = tmp_path / "base"
    line = _one_error_line(_new(base), base / "notebooks")
    assert "Read-only file system" in line
    assert not base.exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_base_in_proc_is_refused_in_one_line():
    target = Path("/proc/self/evsum-base")
    _one_error_line(_new(target), target)
    assert not target.exists()
