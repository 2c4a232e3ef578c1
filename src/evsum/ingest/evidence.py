"""The whole evidence base: the study table and the files beside it, each validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evsum.exceptions import StudyDataError
from evsum.ingest.context import (
    CHARACTERISTICS_COLUMNS,
    GRADE_COLUMNS,
    ROB_COLUMNS,
    SEARCH_LOG_COLUMNS,
    validate_characteristics,
    validate_grade,
    validate_risk_of_bias,
    validate_search_log,
)
from evsum.ingest.io import LINE, read_references, read_with_partial
from evsum.ingest.protocol import PROTOCOL_FILE, Protocol, load_protocol
from evsum.ingest.studies import StudyTable, load_studies


@dataclass(frozen=True)
class Evidence:
    """Validated study table plus its context (empty frames for absent optional files)."""

    studies: StudyTable
    characteristics: pd.DataFrame = field(repr=False)
    risk_of_bias: pd.DataFrame = field(repr=False)
    grade: pd.DataFrame = field(repr=False)
    search_log: pd.DataFrame = field(repr=False)
    references: tuple[dict, ...] = field(repr=False)
    data_dir: str = ""
    missing: tuple[str, ...] = ()
    protocol: Protocol | None = field(default=None, repr=False)

    def reference(self, key: str) -> dict | None:
        """The CSL-JSON item with this id, or ``None``."""
        return next((item for item in self.references if item.get("id") == key), None)


def _optional_csv(path: Path, columns: tuple[str, ...], missing: list[str], check):
    """``check(frame, source)`` of the file, or of an empty frame if there is no file."""
    if not path.exists():
        missing.append(path.name)
        return check(pd.DataFrame({c: pd.Series(dtype=object) for c in (*columns, LINE)}),
                     str(path))
    return read_with_partial(path, lambda frame: check(frame, str(path)))


def load_evidence(studies_path: str | Path) -> Evidence:
    """Read and validate ``studies.csv`` and the context files in its folder.

    Every file is checked; problems of all files are raised together.

    Raises
    ------
    StudyDataError
        Listing the problems of every file (each names file, line and column).
    """
    studies_path = Path(studies_path)
    folder = studies_path.parent
    problems = []
    studies = None
    try:
        studies = load_studies(studies_path)
    except StudyDataError as err:
        problems += err.problems
    # Without a valid study table, cross-file checks would only repeat its problems.
    study_ids = None if studies is None else set(studies.data["study_id"])
    missing: list[str] = []
    loaded = {}
    checks = {
        "study_characteristics.csv": (CHARACTERISTICS_COLUMNS,
                                      lambda f, s: validate_characteristics(f, s, study_ids)),
        "risk_of_bias.csv": (ROB_COLUMNS, lambda f, s: validate_risk_of_bias(f, s, study_ids)),
        "grade.csv": (GRADE_COLUMNS, validate_grade),
        "search_log.csv": (SEARCH_LOG_COLUMNS, validate_search_log),
    }
    for name, (columns, check) in checks.items():
        path = folder / name
        try:
            loaded[name] = _optional_csv(path, columns, missing, check)
        except StudyDataError as err:
            problems += err.problems
    references: list[dict] = []
    ref_path = folder / "references.json"
    if ref_path.exists():
        try:
            references = read_references(ref_path)
        except StudyDataError as err:
            problems += err.problems
    else:
        missing.append(ref_path.name)
    if problems:
        sources = {p.source for p in problems}
        raise StudyDataError(sources.pop() if len(sources) == 1 else str(folder), problems)
    protocol_path = folder.parent / PROTOCOL_FILE
    protocol = load_protocol(protocol_path) if protocol_path.exists() else None
    return Evidence(
        protocol=protocol,
        studies=studies,
        characteristics=loaded["study_characteristics.csv"],
        risk_of_bias=loaded["risk_of_bias.csv"],
        grade=loaded["grade.csv"],
        search_log=loaded["search_log.csv"],
        references=tuple(references),
        data_dir=str(folder),
        missing=tuple(missing),
    )
