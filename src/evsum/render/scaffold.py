"""``evsum new``: a ready evidence base from the templates shipped with evsum.

The report notebooks have one master copy, in the package (``render/skeleton/notebooks``);
``evsum new`` copies them byte for byte, so the analyst owns and may edit the copies.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from evsum.exceptions import UsageError
from evsum.ingest.context import (
    CHARACTERISTICS_COLUMNS,
    GRADE_COLUMNS,
    ROB_COLUMNS,
    SEARCH_LOG_COLUMNS,
)
from evsum.vocab import STUDY_COLUMNS

#: The CSV files of a new base, header only: the study table and its optional companions.
HEADERS: dict[str, tuple[str, ...]] = {
    "data/studies.csv": STUDY_COLUMNS,
    "data/study_characteristics.csv": CHARACTERISTICS_COLUMNS,
    "data/risk_of_bias.csv": ROB_COLUMNS,
    "data/grade.csv": GRADE_COLUMNS,
    "data/search_log.csv": SEARCH_LOG_COLUMNS,
}


def skeleton() -> Path:
    """The folder of the templates (``evsum.toml``, README, notebooks) in the package."""
    return Path(str(resources.files("evsum") / "render" / "skeleton"))


def template_notebooks() -> list[Path]:
    """The master copy of each report notebook template."""
    return sorted((skeleton() / "notebooks").glob("*.ipynb"))


def new_base(directory: str | Path) -> list[Path]:
    """Create an evidence base in ``directory``.

    Writes ``evsum.toml`` (commented placeholders), ``README.md``, ``.gitignore``
    (``reports/``, ``build/``), ``data/studies.csv`` and the companion files with their
    header only, and ``notebooks/`` with a copy of each report template. Right after, ``evsum
    validate`` lists what is still to fill in.

    Parameters
    ----------
    directory : str or Path
        A folder that does not exist yet or is empty.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    UsageError
        ``directory`` is a file or a folder that is not empty.
    """
    target = Path(directory)
    try:
        occupied = target.exists() and (not target.is_dir() or any(target.iterdir()))
    except OSError as err:
        raise UsageError(f"{target}: cannot be read ({err.strerror or err})") from None
    if target.is_symlink() and not target.exists():
        occupied = True  # a dangling link: where it points is not ours to create
    if occupied:
        raise UsageError(
            f"{target}: exists and is not an empty folder; expected a new folder "
            "for the evidence base"
        )
    created = not target.exists()
    try:
        return _write_base(target)
    except OSError as err:
        # a half-made base (a full disk) would refuse the next `evsum new`: remove it
        if created:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for child in list(target.iterdir()) if target.is_dir() else []:
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        where = err.filename or target
        raise UsageError(
            f"{where}: cannot write the new evidence base ({err.strerror or err}); "
            "nothing was left behind"
        ) from None


def _write_base(target: Path) -> list[Path]:
    source = skeleton()
    written: list[Path] = []
    (target / "notebooks").mkdir(parents=True, exist_ok=True)
    (target / "data").mkdir(exist_ok=True)
    (target / "reports").mkdir(exist_ok=True)
    for name, as_name in (
        ("evsum.toml", "evsum.toml"),
        ("README.md", "README.md"),
        ("gitignore", ".gitignore"),
    ):
        shutil.copyfile(source / name, target / as_name)
        written.append(target / as_name)
    for notebook in template_notebooks():
        shutil.copyfile(notebook, target / "notebooks" / notebook.name)
        written.append(target / "notebooks" / notebook.name)
    for name, columns in HEADERS.items():
        path = target / name
        path.write_text(",".join(columns) + "\n", encoding="utf-8", newline="\n")
        written.append(path)
    return written
