"""Command line: ``evsum validate | list | params | render | check-links | audit-citations``.

Thin: parse arguments, call one library function, map errors to exit codes
(0 ok, 1 invalid data or a failed check, 2 usage, 3 a report failed to render).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from evsum.exceptions import EvsumError, StudyDataError
from evsum.version import __version__

DEFAULT_DATA = "data/studies.csv"


def _fail_on_data(err: StudyDataError) -> None:
    click.echo(str(err), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evsum")
def main() -> None:
    """Evidence summaries from a curated study table.

    Typical use, from the repository root: `evsum validate`, then `evsum render`, then open
    reports/index.html.
    """


@main.command()
@click.argument("csv_path", default=DEFAULT_DATA, type=click.Path(dir_okay=False))
def validate(csv_path: str) -> None:
    """Check CSV_PATH (default data/studies.csv) and the data files beside it.

    Prints every problem, one per line, as FILE:LINE (study_id=...) COLUMN: got VALUE;
    expected WHAT, and exits 1 if there is any.
    """
    from evsum.ingest.claims import validate_data

    try:
        evidence, claims = validate_data(csv_path)
    except StudyDataError as err:
        _fail_on_data(err)
    rows = len(evidence.studies.data)
    studies = evidence.studies.data["study_id"].nunique()
    extra = "" if claims is None else f", {len(claims.data)} claims"
    click.echo(f"{csv_path}: OK ({rows} rows, {studies} studies, "
               f"{len(evidence.studies.conditions)} conditions{extra})")


@main.command(name="list")
@click.argument("csv_path", default=DEFAULT_DATA, type=click.Path(dir_okay=False))
def list_(csv_path: str) -> None:
    """List the conditions and outcomes in CSV_PATH with their numbers of studies."""
    from evsum.ingest.studies import load_studies

    try:
        table = load_studies(csv_path)
    except StudyDataError as err:
        _fail_on_data(err)
    data = table.data
    for condition in table.conditions:
        rows = data[data["condition"] == condition]
        click.echo(f"{condition} ({rows['study_id'].nunique()} studies)")
        for outcome, group in rows.groupby("outcome", sort=True):
            click.echo(f"  {outcome}: {group['study_id'].nunique()} studies, {len(group)} rows")


@main.command()
@click.option("--data", "data_path", default=DEFAULT_DATA, show_default=True,
              type=click.Path(dir_okay=False), help="Study table (context files beside it).")
@click.option("--notebooks", "notebooks_dir", default="notebooks", show_default=True,
              type=click.Path(file_okay=False), help="Folder of the report notebooks.")
@click.option("--out", "out_dir", default="reports", show_default=True,
              type=click.Path(file_okay=False), help="Folder for the HTML reports.")
@click.option("--build", "build_dir", default="build", show_default=True,
              type=click.Path(file_okay=False),
              help="Folder for the executed notebooks (open them in JupyterLab to debug).")
@click.option("--only", default=None, help="Render only this condition (or report name).")
@click.option("--method", default="REML", show_default=True,
              type=click.Choice(["FE", "DL", "REML", "PM", "ML"]),
              help="Pooling method of the condition reports.")
@click.option("--force", is_flag=True,
              help="Re-render even the reports whose inputs are unchanged.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Parallel renders (default: one per core).")
@click.option("--scheduler", default=None,
              help="Address of a dask.distributed scheduler to render on (needs evsum[dask]).")
@click.option("--pdf", is_flag=True,
              help="Also print every report to OUT/NAME.pdf with headless Chromium "
                   "(/usr/bin/chromium), offline.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def render(data_path: str, notebooks_dir: str, out_dir: str, build_dir: str, only: str | None,
           method: str, force: bool, workers: int | None, scheduler: str | None,
           pdf: bool, quiet: bool) -> None:
    """Render one HTML report per condition, the extra reports, and reports/index.html.

    Only reports whose inputs changed (notebook, data, evsum, parameters) are re-rendered.
    The data are validated first: invalid data render nothing and leave reports untouched.
    A failed report keeps its last good HTML; its traceback goes to NAME.error.txt and the
    command exits 3. With --pdf every report's HTML is also printed to NAME.pdf.
    """
    from evsum.ingest.claims import validate_data
    from evsum.render.batch import plan_reports, render_all

    try:
        validate_data(data_path)
        jobs = plan_reports(data_path, notebooks_dir, out_dir, method=method, only=only,
                            build_dir=build_dir)
        if scheduler:
            from distributed import Client

            with Client(scheduler) as client:
                summary = render_all(jobs, out_dir, force=force,
                                     executor=client.get_executor(), quiet=quiet)
        else:
            summary = render_all(jobs, out_dir, force=force, workers=workers, quiet=quiet)
        if pdf:
            from evsum.render.pdf import write_pdfs

            pages = [r.job.html_path for r in summary.results if r.job.html_path.exists()]
            for path in write_pdfs(pages):
                if not quiet:
                    click.echo(f"     pdf  {path}", err=True)
    except StudyDataError as err:
        _fail_on_data(err)
    except EvsumError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(f"{Path(out_dir) / 'index.html'}: {len(summary.results)} reports, "
                   f"{len(summary.failed)} failed")
    if summary.failed:
        for result in summary.failed:
            click.echo(f"failed: {result.job.name}: {result.error} "
                       f"(traceback in {result.job.error_path})", err=True)
        sys.exit(3)


@main.command()
@click.argument("notebooks", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def params(notebooks: tuple[str, ...]) -> None:
    """Show the parameters of report notebooks (default: every notebook in notebooks/), with
    their types, defaults and help, as papermill reads them from the `parameters` cell."""
    import papermill

    paths = notebooks or tuple(sorted(str(p) for p in Path("notebooks").glob("*.ipynb")))
    if not paths:
        click.echo("no notebooks given and none in notebooks/", err=True)
        sys.exit(2)
    for path in paths:
        click.echo(f"{path}:")
        found = papermill.inspect_notebook(path)
        if not found:
            click.echo("  (no parameters cell)")
        for p in found.values():
            click.echo(f"  {p['name']}: {p['inferred_type_name']} = {p['default']}"
                       + (f"  # {p['help']}" if p["help"] else ""))


@main.command(name="check-links")
@click.argument("folder", default="reports", type=click.Path(exists=True, file_okay=False))
def check_links(folder: str) -> None:
    """Check that every link between the reports in FOLDER (default reports) reaches its page
    and anchor; prints each broken one and exits 1 if there is any."""
    from evsum.render.links import broken_links

    broken = broken_links(folder)
    for line in broken:
        click.echo(f"{folder}/{line}", err=True)
    if broken:
        sys.exit(1)
    click.echo(f"{folder}: all links between reports resolve")


@main.command(name="audit-citations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--references", "references_path", default="data/references.json",
              show_default=True, type=click.Path(exists=True, dir_okay=False),
              help="Curated CSL-JSON references to check against.")
@click.option("--csv", "csv_out", default=None, type=click.Path(dir_okay=False),
              help="Write one row per entry and finding to this CSV.")
@click.option("--html", "html_out", default=None, type=click.Path(dir_okay=False),
              help="Write the audit table as an HTML fragment to this file.")
def audit_citations_command(file: str, references_path: str, csv_out: str | None,
                            html_out: str | None) -> None:
    """Check the reference list in FILE (APA or Vancouver) against curated references.

    Prints one line per entry and exits 0 if every entry matches its record cleanly, 1 if any
    entry has a discrepancy (or cannot be parsed or matched).
    """
    from evsum.present.audit_sections import citation_audit_html
    from evsum.render.report import write_atomic
    from evsum.review.citations import audit_citations

    try:
        audit = audit_citations(file, references_path)
    except StudyDataError as err:
        _fail_on_data(err)
    for check in audit.checks:
        click.echo(f"{check.entry.index}. {check.entry.key or check.entry.text[:60]} -> "
                   f"{check.reference_id or 'no match'}: "
                   f"{'ok' if check.ok else 'DISCREPANCIES'}")
        for item in check.discrepancies + check.notes:
            click.echo(f"   - {item}")
    click.echo(audit.summary())
    if csv_out:
        write_atomic(Path(csv_out), audit.to_frame().to_csv(index=False, lineterminator="\n"))
    if html_out:
        write_atomic(Path(html_out), citation_audit_html(audit).html)
    sys.exit(0 if audit.ok else 1)
