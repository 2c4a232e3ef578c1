"""Command line: ``evsum new | validate | list | params | render | check-links | audit-citations``.

Thin: parse arguments, call one library function, map errors to exit codes
(0 ok, 1 invalid data or a failed check, 2 usage, 3 a report failed to render). The mapping is
in one place, :data:`EXIT_CODES`, applied by the command group: commands and their helpers
raise, they do not exit.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from evsum.exceptions import (
    EvsumError,
    RenderError,
    RenderInterrupted,
    StudyDataError,
    UsageError,
    printable,
)
from evsum.version import __version__

DEFAULT_DATA = "data/studies.csv"

#: ``--base`` of every command.
_BASE_HELP = (
    "Evidence base folder (with evsum.toml). Default: the first of the current "
    "directory and its parents that holds an evsum.toml."
)


#: Characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` with a ``'`` before it if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: Exit code of each error a command lets through, the first matching class wins (README
#: "Exit codes"): invalid data, and any other error in the evidence base (a protocol naming a
#: report without a notebook), are 1; an argument naming what is not there is 2; reports that
#: could not be written (or printed to PDF) are 3.
EXIT_CODES: tuple[tuple[type[EvsumError], int], ...] = (
    (StudyDataError, 1),
    (UsageError, 2),
    (RenderError, 3),
    (EvsumError, 1),
)


def exit_code(err: EvsumError) -> int:
    """The exit code of ``err`` (see :data:`EXIT_CODES`)."""
    if isinstance(err, RenderInterrupted):  # 128 + the signal, as a shell reports it
        return err.exit_status
    return next(code for kind, code in EXIT_CODES if isinstance(err, kind))


class _Commands(click.Group):
    """The command group: an :class:`EvsumError` a command raises becomes its message on
    stderr and the exit code of :data:`EXIT_CODES` (never a traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EvsumError as err:
            # a StudyDataError lists its problems itself, one per line
            message = str(err) if isinstance(err, StudyDataError) else f"error: {err}"
            click.echo(_printable_lines(message), err=True)
            ctx.exit(exit_code(err))
        except KeyboardInterrupt:  # Ctrl-C outside a render: nothing was written
            click.echo("interrupted: nothing was changed", err=True)
            ctx.exit(130)


def _printable_lines(text: str) -> str:
    """``text`` with every character a terminal would act on escaped, line by line (a value
    from a file can hold escape codes that retitle the window or hide the line)."""
    return "\n".join(printable(line) for line in str(text).split("\n"))


def _exit(code: int) -> NoReturn:
    """End the command with ``code`` (its output already written)."""
    sys.exit(code)


F = TypeVar("F", bound=Callable[..., Any])


def _base_option(function: F) -> F:
    return click.option(
        "--base", "base", default=None, type=click.Path(file_okay=False), help=_BASE_HELP
    )(function)


def _base(base: str | None, near: str | None = None) -> Path:
    """The evidence base of a command (a StudyDataError with the reason when there is none)."""
    from evsum.ingest.protocol import resolve_base

    return resolve_base(base, near=near)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evsum")
def main() -> None:
    """Evidence summaries from a curated study table.

    Every command works on an evidence base: a folder with evsum.toml (the protocol),
    data/studies.csv and notebooks/. It is found from the current directory upward, or given
    with --base DIR; relative paths of the data, notebooks, reports and build folders are
    taken inside it. Typical use: `evsum new my-review`, fill evsum.toml and data/studies.csv,
    `evsum validate`, `evsum render`, then open reports/index.html.
    """


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
def new(directory: str) -> None:
    """Create a new evidence base in DIRECTORY: evsum.toml with commented placeholders,
    data/ with the CSV headers, notebooks/ with the report templates, a README and a
    .gitignore. DIRECTORY must not exist or be empty."""
    from evsum.render.scaffold import new_base

    written = new_base(directory)
    click.echo(
        f"{directory}: new evidence base ({len(written)} files). Next: fill "
        f"{Path(directory) / 'evsum.toml'} and {Path(directory) / DEFAULT_DATA}, "
        "then `evsum validate` there."
    )


@main.command()
@click.argument("csv_path", required=False, type=click.Path(dir_okay=False))
@_base_option
def validate(csv_path: str | None, base: str | None) -> None:
    """Check the evidence base: evsum.toml, CSV_PATH (default data/studies.csv of the base)
    and the data files beside it.

    Prints every problem, one per line, as FILE:LINE (study_id=...) COLUMN: got VALUE;
    expected WHAT, and exits 1 if there is any. Says which optional files were found.
    """
    from evsum.ingest.claims import validate_data
    from evsum.ingest.evidence import OPTIONAL_FILES

    folder = _base(base, near=csv_path)
    csv_path = csv_path or str(folder / DEFAULT_DATA)
    evidence, claims = validate_data(csv_path, base=folder)
    _check_report_names(evidence.protocol, folder, None)
    rows = len(evidence.studies.data)
    studies = evidence.studies.data["study_id"].nunique()
    extra = "" if claims is None else f", {len(claims.data)} claims"
    click.echo(
        f"{csv_path}: OK ({rows} rows, {studies} studies, "
        f"{len(evidence.studies.conditions)} conditions{extra})"
    )
    from evsum.review.grade_checks import grade_warnings

    warnings = grade_warnings(evidence)
    if warnings:  # warnings, not problems: the curator decides; the exit code stays 0
        click.echo(f"{len(warnings)} GRADE consistency warnings:")
        for warning in warnings:
            click.echo(f"warning: {warning}")
    found = evidence.found
    empty = [name for name in OPTIONAL_FILES if name in evidence.empty]
    absent = [name for name in OPTIONAL_FILES if name not in found and name not in empty]
    click.echo("optional files found: " + (", ".join(found) or "none"))
    if empty:
        click.echo(
            "optional files with no rows, header only (the reports say what was not "
            "recorded): " + ", ".join(empty)
        )
    if absent:
        click.echo(
            "optional files not found (the reports say what was not recorded): "
            + ", ".join(absent)
        )
    if evidence.protocol is None:  # load_evidence reads the study table only with a protocol
        raise RuntimeError("validated evidence without its protocol")
    plan = evidence.protocol.plan
    click.echo(
        "analysis plan"
        + ("" if plan.declared else " (none declared in evsum.toml: the defaults)")
        + ":\n  "
        + "\n  ".join(plan.describe())
    )


@main.command(name="list")
@click.argument("csv_path", required=False, type=click.Path(dir_okay=False))
@_base_option
def list_(csv_path: str | None, base: str | None) -> None:
    """List the conditions and outcomes in CSV_PATH (default data/studies.csv of the base)
    with their numbers of studies."""
    from evsum.ingest.protocol import load_protocol
    from evsum.ingest.studies import load_studies

    folder = _base(base, near=csv_path)
    table = load_studies(csv_path or folder / DEFAULT_DATA, protocol=load_protocol(folder))
    data = table.data
    for condition in table.conditions:
        rows = data[data["condition"] == condition]
        click.echo(f"{condition} ({rows['study_id'].nunique()} studies)")
        for outcome, group in rows.groupby("outcome", sort=True):
            click.echo(f"  {outcome}: {group['study_id'].nunique()} studies, {len(group)} rows")


class _EchoHandler(logging.Handler):
    """Log records on stderr through click (the stream of the moment), escaped."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(printable(self.format(record)), err=True)


def _log_progress() -> None:
    """Print the render's progress (the ``evsum.render`` logger) on stderr."""
    logger = logging.getLogger("evsum.render")
    if not any(isinstance(h, _EchoHandler) for h in logger.handlers):
        logger.addHandler(_EchoHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _notebooks(folder: Path, notebooks_dir: str | None) -> str:
    """The report notebooks: ``notebooks_dir``, else the base's notebooks/, else evsum's own
    (a base without notebooks/)."""
    if notebooks_dir is None and not (folder / "notebooks").is_dir():
        from evsum.render.scaffold import skeleton

        return str(skeleton() / "notebooks")
    return _inside(folder, notebooks_dir, "notebooks")


def _check_report_names(protocol: Any, folder: Path, notebooks_dir: str | None) -> None:
    """Refuse a report set in which two reports (or a report and the index) share a name,
    or a ``reports`` entry without its notebook (a StudyDataError naming each)."""
    from evsum.render.names import report_problems

    if protocol is None:
        return
    problems = report_problems(protocol, _notebooks(folder, notebooks_dir))
    if problems:
        raise StudyDataError(protocol.source or str(folder), problems)


def _inside(folder: Path, path: str | None, default: str) -> str:
    """``path`` as given (relative to the current directory), or ``default`` in the base."""
    return path if path is not None else str(folder / default)


@main.command()
@_base_option
@click.option(
    "--data",
    "data_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Study table (context files beside it). [default: BASE/data/studies.csv]",
)
@click.option(
    "--notebooks",
    "notebooks_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of the report notebooks. [default: BASE/notebooks]",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder for the HTML reports. [default: BASE/reports]",
)
@click.option(
    "--build",
    "build_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder for the executed notebooks (open them in JupyterLab to debug). "
    "[default: BASE/build]",
)
@click.option("--only", default=None, help="Render only this condition (or report name).")
@click.option(
    "--method",
    default="",
    type=click.Choice(["", "FE", "DL", "REML", "PM", "ML", "MH", "Peto"]),
    help="Pooling method of the condition reports. [default: the protocol's [synthesis], "
    "REML when it names none]",
)
@click.option(
    "--force", is_flag=True, help="Re-render even the reports whose inputs are unchanged."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel renders (default: one per core).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Address of a dask.distributed scheduler to render on (needs evsum[dask]).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also print every report to OUT/NAME.pdf with headless Chromium "
    "(/usr/bin/chromium), offline.",
)
@click.option(
    "--cell-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds one notebook cell may run before its report fails. "
    "[default: the protocol's [render] cell_timeout, else 1800]",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def render(
    base: str | None,
    data_path: str | None,
    notebooks_dir: str | None,
    out_dir: str | None,
    build_dir: str | None,
    only: str | None,
    method: str,
    force: bool,
    workers: int | None,
    scheduler: str | None,
    pdf: bool,
    cell_timeout: float | None,
    quiet: bool,
) -> None:
    """Render the reports of the evidence base: one HTML report per condition, one per other
    notebook of notebooks/ (or the protocol's `reports`), and reports/index.html. A base
    without a notebooks/ folder is rendered with evsum's own templates.

    Only reports whose inputs changed (notebook, data, evsum, parameters) are re-rendered.
    The data are validated first: invalid data render nothing and leave reports untouched.
    A failed report keeps its last good HTML; its traceback goes to NAME.error.txt and the
    command exits 3, as it does, with one line, when the output folder cannot be written
    (or another render is writing to it). --only a report the base does not have is a usage
    error (exit 2). With --pdf every report's HTML is also printed to NAME.pdf.
    """
    from evsum.render import unchanged

    # nothing changed since a render that ended well: say so before importing anything heavy
    quick = unchanged.find_folders(base, data_path, notebooks_dir, out_dir, build_dir)
    stamp = _fingerprint(quick, method=method, only=only, cell_timeout=cell_timeout)
    if not (force or pdf) and _nothing_changed(quick, stamp, quiet):
        return
    from evsum.ingest.claims import validate_data
    from evsum.render.batch import plan_reports, render_all

    if not quiet:
        _log_progress()
    folder = _base(base, near=data_path)
    data_path = _inside(folder, data_path, DEFAULT_DATA)
    notebooks_dir = _notebooks(folder, notebooks_dir)
    out_dir = _inside(folder, out_dir, "reports")
    build_dir = _inside(folder, build_dir, "build")
    evidence, _ = validate_data(data_path, base=folder)
    jobs = plan_reports(
        data_path,
        notebooks_dir,
        out_dir,
        method=method,
        only=only,
        build_dir=build_dir,
        base=folder,
        cell_timeout=cell_timeout,
    )
    title = evidence.protocol.title if evidence.protocol is not None else None
    unchanged.forget(Path(out_dir))
    with contextlib.ExitStack() as stack:
        executor = None  # a process pool of `workers`
        if scheduler:
            from distributed import Client

            executor = stack.enter_context(Client(scheduler)).get_executor()
        summary = render_all(
            jobs,
            out_dir,
            executor=executor,
            workers=workers,
            force=force,
            quiet=quiet,
            complete=only is None,
            title=title,
        )
    used = {"base": folder, "data_path": data_path, "notebooks_dir": notebooks_dir}
    used |= {"out_dir": out_dir, "build_dir": build_dir}
    if stamp and not summary.failed and _same_folders(quick, used):
        unchanged.record(Path(out_dir), stamp, [r.job.name for r in summary.results])
    if pdf:
        _print_pdfs(summary, quiet)
    if not quiet:
        click.echo(
            f"{Path(out_dir) / 'index.html'}: {len(summary.results)} reports, "
            f"{len(summary.failed)} failed"
        )
    if summary.failed:
        for result in summary.failed:
            click.echo(
                printable(
                    f"failed: {result.job.name}: {result.error} "
                    f"(traceback in {result.job.error_path})"
                ),
                err=True,
            )
        _exit(3)


def _nothing_changed(quick: dict[str, Path] | None, stamp: str, quiet: bool) -> bool:
    """Whether nothing changed since a render that ended well (said, unless ``quiet``),
    found before anything heavy is imported."""
    from evsum.render import unchanged

    if quick is None or not stamp:
        return False
    names = unchanged.nothing_changed(quick["out_dir"], stamp)
    if names is None:
        return False
    if not quiet:
        click.echo(f"{quick['out_dir'] / 'index.html'}: {len(names)} reports, 0 failed")
    return True


def _print_pdfs(summary: Any, quiet: bool) -> None:
    """Print every rendered report to NAME.pdf, each named as it is written."""
    from evsum.render.pdf import write_pdfs

    pages = [r.job.html_path for r in summary.results if r.job.html_path.exists()]
    for path in write_pdfs(pages):
        if not quiet:
            click.echo(f"     pdf  {path}", err=True)


def _fingerprint(folders: dict[str, Path] | None, **options: object) -> str:
    """The fingerprint of a render (:func:`evsum.render.unchanged.fingerprint`), '' when a
    file cannot be read or the folders are not known."""
    from evsum.render import unchanged

    if folders is None:
        return ""
    try:
        return unchanged.fingerprint(**folders, options=options)
    except OSError:
        return ""


def _same_folders(quick: dict[str, Path] | None, used: dict[str, Any]) -> bool:
    """Whether the folders a render used are those the fingerprint was taken of."""
    if quick is None or set(quick) != set(used):
        return False
    return all(Path(quick[k]).resolve() == Path(used[k]).resolve() for k in quick)


@main.command()
@click.argument("notebooks", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@_base_option
def params(notebooks: tuple[str, ...], base: str | None) -> None:
    """Show the parameters of report notebooks (default: every notebook in the base's
    notebooks/), with their types, defaults and help, as papermill reads them from the
    `parameters` cell.

    Paths: `base` empty means the evidence base is found from the kernel's working directory
    upward (the first folder with evsum.toml), so `papermill notebooks/X.ipynb out.ipynb -p
    condition KEY` works from the base's root and from notebooks/; `evsum render` passes the
    base explicitly. `data` empty means the base's data/studies.csv; `evsum render --data`
    passes the table it validated and hashed.
    """
    import papermill

    from evsum.ingest.protocol import find_base

    if not notebooks:
        folder = Path(base) if base else (find_base() or Path.cwd())
        notebooks = tuple(sorted(str(p) for p in (folder / "notebooks").glob("*.ipynb")))
    paths = notebooks
    if not paths:
        raise UsageError("no notebooks given and none in notebooks/")
    from evsum.render.report import read_notebook_json

    unreadable = []
    for path in paths:
        click.echo(f"{path}:")
        try:
            read_notebook_json(path)  # one line naming it, not papermill's traceback
        except EvsumError as err:
            click.echo(f"  error: {printable(err)}", err=True)
            unreadable.append(path)
            continue
        found = papermill.inspect_notebook(path)
        if not found:
            click.echo("  (no parameters cell)")
        for p in found.values():
            click.echo(
                f"  {p['name']}: {p['inferred_type_name']} = {p['default']}"
                + (f"  # {p['help']}" if p["help"] else "")
            )
    click.echo(
        "Paths: an empty `base` means the evidence base is the first of the kernel's "
        "working directory and its parents with an evsum.toml (so papermill works from "
        "the base's root and from notebooks/); an empty `data` means BASE/data/studies.csv. "
        "`evsum render` passes `base` and `data` explicitly."
    )
    if unreadable:
        _exit(1)


@main.command(name="check-links")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@_base_option
def check_links(folder: str | None, base: str | None) -> None:
    """Check that every link between the reports in FOLDER (default the base's reports/)
    reaches its page and anchor; prints each broken one and exits 1 if there is any."""
    from evsum.render.links import broken_links

    if folder is None:
        folder = str(_base(base) / "reports")
    if not Path(folder).is_dir():
        raise UsageError(f"{folder}: no such folder (render the reports first)")
    broken = broken_links(folder)
    for line in broken:
        click.echo(printable(f"{folder}/{line}"), err=True)
    if broken:
        _exit(1)
    click.echo(f"{folder}: all links between reports resolve")


@main.command(name="audit-citations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@_base_option
@click.option(
    "--references",
    "references_path",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="Curated CSL-JSON references to check against. [default: BASE/data/references.json]",
)
@click.option(
    "--csv",
    "csv_out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write one row per entry and finding to this CSV.",
)
@click.option(
    "--html",
    "html_out",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write the audit table as an HTML fragment to this file.",
)
def audit_citations_command(
    file: str,
    base: str | None,
    references_path: str | None,
    csv_out: str | None,
    html_out: str | None,
) -> None:
    """Check the reference list in FILE (APA or Vancouver) against curated references.

    Prints one line per entry and exits 0 if every entry matches its record cleanly, 1 if any
    entry has a discrepancy (or cannot be parsed or matched).
    """
    from evsum.present.audit_sections import citation_audit_html
    from evsum.render.report import write_atomic
    from evsum.review.citations import audit_citations

    if references_path is None:
        references_path = str(_base(base, near=file) / "data" / "references.json")
    audit = audit_citations(file, references_path)
    for check in audit.checks:
        click.echo(
            printable(
                f"{check.entry.index}. {check.entry.key or check.entry.text[:60]} -> "
                f"{check.reference_id or 'no match'}: "
                f"{'ok' if check.ok else 'DISCREPANCIES'}"
            )
        )
        for item in check.discrepancies + check.notes:
            click.echo(f"   - {printable(item)}")
    click.echo(printable(audit.summary()))
    for out, text in (
        # cells such as "=HYPERLINK(...)" from an audited text must stay text in a spreadsheet
        (
            csv_out,
            lambda: (
                audit.to_frame().map(spreadsheet_safe).to_csv(index=False, lineterminator="\n")
            ),
        ),
        (html_out, lambda: citation_audit_html(audit).html),
    ):
        if out:
            try:
                write_atomic(Path(out), text())
            except OSError as err:
                raise UsageError(
                    f"{err.filename or out}: cannot be written ({err.strerror or err})"
                ) from None
    _exit(0 if audit.ok else 1)
