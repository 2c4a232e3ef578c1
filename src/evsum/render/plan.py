"""Planning a render: the reports of an evidence base, each a :class:`ReportJob` with the hash of
everything it depends on and the run's copy of the data it reads.

Imports stay light (no pandas, matplotlib or papermill at module level) so that a run with
nothing to do finishes quickly.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evsum.exceptions import EvsumError, StudyDataError, UsageError
from evsum.present.text import reanalysis_note
from evsum.render.names import notebook_report_name, report_problems
from evsum.render.report import ReportJob, notebook_parameters
from evsum.render.snapshot import take_snapshot
from evsum.version import __version__

#: Data files beside studies.csv that reports read.
CONTEXT_FILES = (
    "study_characteristics.csv",
    "risk_of_bias.csv",
    "grade.csv",
    "references.json",
    "claims.csv",
    "source_references.txt",
    "search_log.csv",
    "covariates.csv",
    "source_sentences.csv",
    "source_text.txt",
)


#: The notebook rendered once per condition; every other notebook of the base is one report.
CONDITION_NOTEBOOK = "condition_report.ipynb"
#: The pages every report links to, in this order, when their notebook is rendered; the
#: condition reports come after the first three, the curation log last.
NAV_PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview.html", "Overview", "overview.ipynb"),
    ("methods.html", "Methods", "methods.ipynb"),
    ("claims-audit.html", "Claims audit", "claims_audit.ipynb"),
    ("curation-log.html", "Curation log", "curation_log.ipynb"),
)
#: The glossary page, written beside the index (present/glossary.py).
GLOSSARY = ("glossary.html", "Glossary")


def site_nav(
    notebooks: Iterable[str], conditions: Iterable[tuple[str, str]] = ()
) -> tuple[tuple[str, str], ...]:
    """The (href, text) links of every report's navigation: the overview, methods and claims
    audit pages whose notebooks are among ``notebooks`` (file names), then each condition's
    report (``conditions``: (href, label) pairs), the glossary, then the curation log.

    Examples
    --------
    >>> [href for href, _ in site_nav(["methods.ipynb", "curation_log.ipynb"], [("a.html", "A")])]
    ['methods.html', 'a.html', 'glossary.html', 'curation-log.html']
    """
    names = set(notebooks)
    pages = [(href, text) for href, text, notebook in NAV_PAGES if notebook in names]
    last = pages[-1:] if pages and pages[-1][0] == "curation-log.html" else []
    first = pages[: len(pages) - len(last)]
    return (*first, *conditions, GLOSSARY, *last)


def _notebook_meta(path: Path) -> dict:
    """The ``evsum`` block of a notebook's metadata: ``title``, ``requires`` (data files
    without which the report is not rendered, e.g. ``claims.csv``), ``report`` (``false``: a
    notebook for the analyst, such as ``explore.ipynb``, rendered only when asked for)."""
    try:
        book = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # the report fails alone when it is rendered
        return {}
    meta = book.get("metadata", {}).get("evsum", {}) if isinstance(book, dict) else {}
    return meta if isinstance(meta, dict) else {}


def report_notebooks(notebooks_dir: str | Path, wanted: tuple[str, ...] = ()) -> list[Path]:
    """The report notebooks of an evidence base: ``wanted`` (file stems, the protocol's
    ``reports``) in that order, or else every ``*.ipynb`` in ``notebooks_dir`` whose metadata
    does not say ``"evsum": {"report": false}`` (``explore.ipynb``), the condition report
    first.

    Raises
    ------
    EvsumError
        A wanted notebook is not in the folder.
    """
    folder = Path(notebooks_dir)
    if wanted:
        missing = [w for w in wanted if not (folder / f"{w}.ipynb").is_file()]
        if missing:
            raise EvsumError(
                f"reports {', '.join(missing)} of the protocol have no notebook "
                f"in {folder} (expected {', '.join(m + '.ipynb' for m in missing)})"
            )
        return [folder / f"{w}.ipynb" for w in wanted]
    found = [
        p
        for p in sorted(folder.glob("*.ipynb"))
        if _notebook_meta(p).get("report", True) is not False
    ]
    return sorted(found, key=lambda p: p.name != CONDITION_NOTEBOOK)


def _hash(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def code_files() -> list[Path]:
    """The files of evsum whose change re-renders every report: its modules, templates and
    style sheets (every layer, not only the renderer's)."""
    package = Path(__file__).resolve().parents[1]
    templates = package / "present" / "templates"
    return sorted(package.rglob("*.py")) + sorted(p for p in templates.rglob("*") if p.is_file())


def _code_hash() -> bytes:
    return b"".join(hashlib.sha256(p.read_bytes()).digest() for p in code_files())


def _condition_rows(data: bytes) -> dict[str, bytes]:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    column = header.index("condition")
    rows: dict[str, list[str]] = {}
    for record in reader:
        if record:
            rows.setdefault(record[column], []).append("\x1f".join(record))
    return {c: "\n".join(["\x1f".join(header), *r]).encode() for c, r in rows.items()}


def _context_hash(snapshot: Any) -> bytes:
    """The hashes of the context files the snapshot holds, in :data:`CONTEXT_FILES` order."""
    return b"".join(
        _hash(snapshot.read(f"data/{name}") or b"").encode()
        for name in CONTEXT_FILES
        if snapshot.read(f"data/{name}") is not None
    )


@dataclass
class _Planner:
    """What every report job of a run shares, and the jobs planned so far."""

    protocol: Any
    only: str | None
    code: bytes
    context: bytes
    nav: Any
    data_sha: str
    reads: dict[str, str]
    kernel_name: str | None
    notebooks_dir: Path
    out_dir: str
    build_dir: str | None
    timeout: float
    snapshot: tuple[Any, str]
    jobs: list[ReportJob] = field(default_factory=list)

    def add(
        self,
        name: str,
        title: str,
        notebook: Path,
        parameters: dict,
        data_part: bytes,
        description: str = "",
    ) -> None:
        """Plan the report ``name`` (unless ``--only`` names another), its inputs hashed."""
        if self.only is not None and self.only not in (name, parameters.get("condition")):
            return
        declared = _declared(notebook)
        unknown = [] if declared is None else sorted(set(parameters) - set(declared))
        if unknown:  # papermill would only warn
            raise EvsumError(
                f"{notebook}: parameter(s) {', '.join(unknown)} not in the "
                f"notebook's parameters cell (it declares {', '.join(declared or ())})"
            )
        protocol = self.protocol
        hashed = _hash(
            notebook.read_bytes(),
            self.code,
            data_part,
            self.context,
            json.dumps(parameters, sort_keys=True).encode(),
            json.dumps(
                [
                    self.nav,
                    protocol.title,
                    protocol.data_date,
                    reanalysis_note(protocol),
                    sorted(protocol.glossary.items()),
                ]
            ).encode(),
        )
        self.jobs.append(
            ReportJob(
                name=name,
                title=title,
                notebook=str(notebook),
                parameters=parameters,
                out_dir=self.out_dir,
                data_sha256=self.data_sha,
                inputs_hash=hashed,
                kernel_name=self.kernel_name,
                cwd=str(self.notebooks_dir),
                build_dir=self.build_dir,
                nav=self.nav,
                review_title=protocol.title,
                review_question=protocol.question,
                reanalysis=reanalysis_note(protocol),
                review_kind=protocol.kind.label,
                data_date=protocol.data_date,
                glossary=tuple(protocol.glossary.items()),
                description=description,
                reads={k: v for k, v in self.reads.items() if k in parameters},
                cell_timeout=self.timeout,
                snapshot=self.snapshot,
            )
        )


def plan_reports(
    data_path: str | Path,
    notebooks_dir: str | Path,
    out_dir: str | Path,
    *,
    method: str = "",
    only: str | None = None,
    kernel_name: str | None = None,
    build_dir: str | Path | None = None,
    base: str | Path | None = None,
    cell_timeout: float | None = None,
) -> list[ReportJob]:
    """List the reports of an evidence base: one per condition in the data (with
    ``condition_report.ipynb``), then one per other notebook of ``notebooks_dir``.

    The report set is the base's: the protocol's ``reports`` if it lists them, else every
    notebook in the folder; a notebook whose metadata ``evsum.requires`` names a data file
    that is absent (``claims.csv`` for the claims audit) is left out. Titles come from the
    protocol (conditions) and from the notebooks' metadata ``evsum.title``.

    Parameters
    ----------
    data_path : path
        The study table; the context files (``risk_of_bias.csv``, ...) sit beside it.
    notebooks_dir : path
        Folder with ``condition_report.ipynb`` and the extra notebooks.
    out_dir : path
        Folder for the HTML.
    method : str
        Pooling method passed to the condition reports.
    only : str, optional
        Render only this condition's report (or this extra report's name).
    kernel_name : str, optional
        Jupyter kernel to run the notebooks in (default: the notebook's own).
    build_dir : path, optional
        Folder for the executed notebooks (default: ``.build`` inside ``out_dir``).
    base : path, optional
        The evidence base (with ``evsum.toml``); default the one holding ``data_path``, or
        else the current directory's.
    cell_timeout : float, optional
        Seconds one cell may run before its report fails; default the protocol's ``[render]
        cell_timeout``, else :data:`evsum.render.kernels.CELL_TIMEOUT`.

    Raises
    ------
    StudyDataError
        Two reports would have one name (a condition key and a notebook, a report called
        ``index``), or a ``reports`` entry of the protocol has no notebook.
    """
    from evsum.ingest.protocol import load_protocol, resolve_base
    from evsum.render.kernels import CELL_TIMEOUT

    base_dir = resolve_base(base, near=data_path).resolve()
    protocol = load_protocol(base_dir)
    timeout = cell_timeout or protocol.cell_timeout or CELL_TIMEOUT
    data_path = Path(data_path).resolve()
    notebooks_dir = Path(notebooks_dir).resolve()
    clashes = report_problems(protocol, notebooks_dir)
    if clashes:
        raise StudyDataError(protocol.source or str(base_dir), clashes)
    # read once: every report of the run reads this copy, so each shows the rows it is
    # stamped with even when the base is edited during the run
    snapshot = take_snapshot(base_dir, data_path, CONTEXT_FILES)
    data = snapshot.read(snapshot.table) or b""
    build = Path(build_dir).resolve() if build_dir is not None else Path(out_dir) / ".build"
    snapshot_base = snapshot.folder(build)  # written by render_all, under the lock
    by_condition = _condition_rows(data)
    # every report links to the overview, the methods, the claims audit and each condition's
    # report, when there are those, and last to the curation log
    available = _available_notebooks(notebooks_dir, protocol, data_path)
    order = {key: i for i, key in enumerate(protocol.conditions)}
    conditions = sorted(by_condition, key=lambda c: (order.get(c, len(order)), c))
    planner = _Planner(
        protocol=protocol,
        only=only,
        code=_code_hash() + __version__.encode(),
        context=_context_hash(snapshot),
        nav=_nav(protocol, [path.name for path, _ in available], conditions),
        data_sha=hashlib.sha256(data).hexdigest(),
        reads={
            "base": str(snapshot_base),
            "data": str(snapshot_base / snapshot.table),
            "data_path": str(snapshot_base / snapshot.table),
        },
        kernel_name=kernel_name,
        notebooks_dir=notebooks_dir,
        out_dir=str(out_dir),
        build_dir=None if build_dir is None else str(Path(build_dir).resolve()),
        timeout=timeout,
        snapshot=(snapshot, str(build)),
    )
    # an empty method is the protocol's [synthesis] (REML without one), named in each
    # report's parameters and footer
    wanted = {
        "base": str(base_dir),
        "data": str(data_path),
        "data_path": str(data_path),
        "method": method or protocol.plan.synthesis.pooling_method,
    }
    known: list[str] = []
    for path, meta in available:
        declared = _declared(path) or ("condition",)  # unreadable: fails when rendered
        _check_reads_data(path, declared, data_path, base_dir)
        given = {k: v for k, v in wanted.items() if k in declared}
        if path.name == CONDITION_NOTEBOOK:
            known += conditions
            _plan_conditions(planner, path, meta, given, conditions, by_condition)
            continue
        name = notebook_report_name(path)
        known.append(name)
        planner.add(
            name,
            str(meta.get("title") or path.stem.replace("_", " ").capitalize()),
            path,
            given,
            data,
            str(meta.get("description", "")),
        )
    jobs = planner.jobs
    if only is not None and not jobs:
        raise UsageError(f"--only {only!r}: no such report; expected one of {', '.join(known)}")
    return jobs


def _nav(protocol: Any, usable: list[str], conditions: list[str]) -> Any:
    """The site navigation every report carries: the extra reports and, with the condition
    notebook, each condition's report."""
    siblings = [(f"{c}.html", protocol.condition_label(c)) for c in conditions]
    return site_nav(usable, siblings if CONDITION_NOTEBOOK in usable else [])


def _available_notebooks(
    notebooks_dir: Path, protocol: Any, data_path: Path
) -> list[tuple[Path, dict]]:
    """The base's report notebooks and their metadata, but those requiring a data file that
    is absent (``claims.csv`` for the claims audit)."""
    available = []
    for path in report_notebooks(notebooks_dir, protocol.reports):
        meta = _notebook_meta(path)
        if all((data_path.parent / f).exists() for f in meta.get("requires", [])):
            available.append((path, meta))
    return available


def _plan_conditions(
    planner: _Planner,
    path: Path,
    meta: dict,
    given: dict[str, str],
    conditions: list[str],
    by_condition: dict[str, bytes],
) -> None:
    """One condition report per condition, each hashed with its own rows."""
    for condition in conditions:
        label = planner.protocol.condition_label(condition)
        planner.add(
            condition,
            label,
            path,
            {"condition": condition, **given},
            by_condition[condition],
            str(meta.get("description", "")).replace("{condition}", label.lower()),
        )


def _check_reads_data(
    notebook: Path, declared: tuple[str, ...], data_path: Path, base_dir: Path
) -> None:
    """Refuse another study table for a notebook that cannot be given it: its footer would
    stamp the SHA-256 of a file it was never told to read."""
    if "base" not in declared or "data" in declared or "data_path" in declared:
        return
    if data_path != (base_dir / "data" / "studies.csv").resolve():
        raise EvsumError(
            f"{notebook}: has no 'data' parameter, so it would read "
            f"{base_dir / 'data' / 'studies.csv'}, not {data_path}; add "
            "'data: str = \"\"' to its parameters cell and pass it to "
            "evsum.load_evidence(data, base=base) (as evsum new's notebooks do), "
            "or leave out --data"
        )


def _declared(notebook: Path) -> tuple[str, ...] | None:
    """The notebook's parameters, or ``None`` for a notebook that cannot be read (its report
    is planned and fails alone, with one line naming the notebook)."""
    try:
        return notebook_parameters(notebook)
    except EvsumError:
        return None
