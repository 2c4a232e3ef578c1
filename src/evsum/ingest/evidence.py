"""The whole evidence base: the study table and the files beside it, each validated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evsum.exceptions import Problem, StudyDataError
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
from evsum.ingest.io import (
    LINE,
    not_a_regular_file,
    read_references,
    read_text,
    read_with_partial,
)
from evsum.ingest.plan import covariate_values, validate_plan_data
from evsum.ingest.protocol import Protocol, load_protocol, resolve_base
from evsum.ingest.studies import StudyTable, load_studies, validate_studies

#: The companion files of ``studies.csv``: all optional. Without them a report says plainly
#: that what they hold (characteristics, risk of bias, certainty, selection, a claims audit)
#: was not recorded.
OPTIONAL_FILES: tuple[str, ...] = (
    "study_characteristics.csv",
    "risk_of_bias.csv",
    "grade.csv",
    "search_log.csv",
    "references.json",
    "claims.csv",
    "source_references.txt",
)


@dataclass(frozen=True)
class Evidence:
    """Validated study table plus its context (empty frames for absent optional files).

    ``covariates`` holds the values of the protocol's ``[covariates.KEY]`` (one row per
    study, :func:`evsum.ingest.plan.covariate_values`). ``missing`` names the optional files
    that are absent from the data folder (or hold only their header); use :meth:`recorded`
    to ask whether one was recorded (an empty frame of an absent file is not "no risk of
    bias": it is "risk of bias not assessed"). ``base`` is the evidence base folder and
    ``protocol`` its ``evsum.toml``.
    """

    studies: StudyTable
    characteristics: pd.DataFrame = field(repr=False)
    risk_of_bias: pd.DataFrame = field(repr=False)
    grade: pd.DataFrame = field(repr=False)
    search_log: pd.DataFrame = field(repr=False)
    references: tuple[dict[str, Any], ...] = field(repr=False)
    data_dir: str = ""
    missing: tuple[str, ...] = ()
    protocol: Protocol | None = field(default=None, repr=False)
    base: str = ""
    covariates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"study_id": pd.Series(dtype=object)}), repr=False
    )
    #: The optional files of ``missing`` that are there with their header only.
    empty: tuple[str, ...] = ()

    def absence(self, name: str) -> str:
        """Why an optional file recorded nothing, in words: ``grade.csv has no rows`` (its
        header only, as ``evsum new`` writes it) or ``grade.csv is missing``; '' if it
        holds rows.

        Examples
        --------
        >>> from evsum.review.examples import example_evidence
        >>> example_evidence().absence("grade.csv")
        ''
        """
        if name in self.empty:
            return f"{name} has no rows"
        return f"{name} is missing" if name in self.missing else ""

    def recorded(self, name: str) -> bool:
        """Whether the optional file ``name`` (e.g. ``"risk_of_bias.csv"``) is present.

        Examples
        --------
        >>> from evsum.review.examples import example_evidence
        >>> example_evidence().recorded("grade.csv")
        True
        """
        return name not in self.missing

    @property
    def found(self) -> tuple[str, ...]:
        """The optional files present, in the order of :data:`OPTIONAL_FILES`."""
        return tuple(name for name in OPTIONAL_FILES if name not in self.missing)

    def reference(self, key: str) -> dict[str, Any] | None:
        """The CSL-JSON item with this id, or ``None``."""
        return next((item for item in self.references if item.get("id") == key), None)


def _optional_csv(
    path: Path,
    columns: tuple[str, ...],
    missing: list[str],
    check: Callable[[pd.DataFrame, str], pd.DataFrame],
    empty: list[str],
) -> pd.DataFrame:
    """``check(frame, source)`` of the file's records; an absent file, or one with its header
    only (as ``evsum new`` writes them), records nothing and is listed in ``missing`` (a
    header-only one in ``empty`` too)."""
    if not path.exists():
        missing.append(path.name)
        return check(
            pd.DataFrame({c: pd.Series(dtype=object) for c in (*columns, LINE)}), str(path)
        )

    def checked(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            missing.append(path.name)
            empty.append(path.name)
        return check(frame, str(path))

    return read_with_partial(path, checked)


def load_evidence(
    studies_path: str | Path | None = None, *, base: str | Path | None = None
) -> Evidence:
    """Read and validate an evidence base: its protocol, ``studies.csv`` and the files beside it.

    Every file is checked; problems of all files are raised together.

    Parameters
    ----------
    studies_path : str or Path, optional
        The study table; default ``data/studies.csv`` of the evidence base.
    base : str or Path, optional
        The evidence base folder (holding ``evsum.toml``). By default the base holding
        ``studies_path``, or else the first of the current directory and its parents with an
        ``evsum.toml`` (so a notebook finds it from ``notebooks/``, papermill from the root).

    Raises
    ------
    StudyDataError
        Listing the problems of every file (each names file, line and column), or saying that
        no evidence base was found.
    """
    base_dir = resolve_base(
        base if base not in (None, "") else None,
        near=None if studies_path in (None, "") else studies_path,
    )
    studies_path = (
        base_dir / "data" / "studies.csv" if studies_path in (None, "") else Path(studies_path)
    )
    folder = studies_path.parent
    problems = []
    studies = None
    protocol = None
    try:
        protocol = load_protocol(base_dir)
    except StudyDataError as err:
        problems += err.problems
    try:
        if protocol is not None:
            studies = load_studies(studies_path, protocol=protocol)
        else:  # still check the table (all but the protocol's vocabularies): all problems
            read_with_partial(studies_path, lambda f: validate_studies(f, str(studies_path)))
    except StudyDataError as err:
        problems += err.problems
    # Without a valid study table, cross-file checks would only repeat its problems.
    study_ids = None if studies is None else set(studies.data["study_id"])
    missing: list[str] = []
    empty: list[str] = []
    loaded = {}
    checks = {
        "study_characteristics.csv": (
            CHARACTERISTICS_COLUMNS,
            lambda f, s: validate_characteristics(f, s, study_ids),
        ),
        "risk_of_bias.csv": (
            ROB_COLUMNS,
            lambda f, s: validate_risk_of_bias(f, s, study_ids, protocol),
        ),
        "grade.csv": (GRADE_COLUMNS, lambda f, s: validate_grade(f, s, protocol)),
        "search_log.csv": (SEARCH_LOG_COLUMNS, validate_search_log),
    }
    for name, (columns, check) in checks.items():
        path = folder / name
        try:
            loaded[name] = _optional_csv(path, columns, missing, check, empty)
        except StudyDataError as err:
            problems += err.problems
    references: list[dict[str, Any]] = []
    ref_path = folder / "references.json"
    if ref_path.exists():
        try:
            references = read_references(ref_path)
        except StudyDataError as err:
            problems += err.problems
    else:
        missing.append(ref_path.name)
    covariates = _plan_data(protocol, studies, folder, loaded, problems)
    for name in ("claims.csv", "source_references.txt"):  # read later, by the claims audit
        special = not_a_regular_file(folder / name)
        if special is not None:
            problems.append(special)
    if problems:
        sources = {p.source for p in problems}
        raise StudyDataError(sources.pop() if len(sources) == 1 else str(folder), problems)
    for name in ("claims.csv", "source_references.txt"):
        if not (folder / name).exists():
            missing.append(name)
    assert studies is not None  # no problem: the protocol and the study table loaded
    return Evidence(
        base=str(base_dir),
        protocol=protocol,
        studies=studies,
        characteristics=loaded["study_characteristics.csv"],
        risk_of_bias=loaded["risk_of_bias.csv"],
        grade=loaded["grade.csv"],
        search_log=loaded["search_log.csv"],
        references=tuple(references),
        data_dir=str(folder),
        missing=tuple(missing),
        covariates=covariates,
        empty=tuple(empty),
    )


def _plan_data(
    protocol: Protocol | None,
    studies: StudyTable | None,
    folder: Path,
    loaded: dict[str, pd.DataFrame],
    problems: list[Problem],
) -> pd.DataFrame:
    """The covariate values of the plan; the plan's problems with the data are added to
    ``problems`` (only checked when the protocol and the files are valid)."""
    empty = pd.DataFrame({"study_id": pd.Series(dtype=object)})
    if problems or protocol is None or studies is None or not protocol.plan.declared:
        return empty
    plan = protocol.plan
    frames = {"study_characteristics.csv": loaded["study_characteristics.csv"]}
    path = folder / "covariates.csv"
    if path.exists():
        try:
            frames["covariates.csv"] = read_with_partial(path, lambda f: f)
        except StudyDataError as err:
            problems += err.problems
            return empty
    ids = set(studies.data["study_id"])
    covariates, found = covariate_values(plan, frames, str(folder), ids)
    text = read_text(protocol.source) if protocol.source else ""
    found += validate_plan_data(plan, text, protocol.source, studies.data, covariates)
    problems += found
    return covariates
