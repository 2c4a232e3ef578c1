"""Render one notebook into one offline HTML report: papermill, then nbconvert in-process.

The HTML has no code cells or prompts, loads nothing from the network, and ends with a
provenance footer. It is written atomically: a failed render never touches the last good file.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import tempfile
import traceback
from dataclasses import dataclass, field
from importlib import resources as _resources
from pathlib import Path
from typing import TYPE_CHECKING

from evsum.version import __version__

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

TEMPLATE_NAME = "evsum_report"


@dataclass(frozen=True)
class ReportJob:
    """What to render: a notebook, its parameters, and where the HTML goes.

    ``inputs_hash`` identifies everything the report depends on (notebook, data rows,
    evsum version, parameters); equal hashes mean the existing HTML is current.
    """

    name: str
    title: str
    notebook: str
    parameters: dict
    out_dir: str
    data_sha256: str
    inputs_hash: str
    kernel_name: str | None = None
    cwd: str | None = None
    build_dir: str | None = None
    #: (href, text) of the pages every report links to besides the index (the methods page).
    nav: tuple[tuple[str, str], ...] = ()
    #: The review's title (the protocol's), shown in every page's ``<title>``.
    review_title: str = ""
    #: The review's question (the protocol's), shown on the index.
    review_question: str = ""
    #: The re-analysis sentence of a base that re-analyses a published review (the index
    #: shows it, as every report does); '' otherwise.
    reanalysis: str = ""
    #: The kind of review (the protocol's ``[review] type`` in words), shown on the index.
    review_kind: str = ""
    #: When the data were last curated (the protocol's ``data_date``), shown in the footer.
    data_date: str = ""
    #: The review's own terms (the protocol's ``[glossary]``: (term, meaning) pairs), linked
    #: from their first use on the page and explained on the glossary page.
    glossary: tuple[tuple[str, str], ...] = ()
    #: One line about the report for the index (notebook metadata ``evsum.description``).
    description: str = ""
    #: Parameters as the notebook is run with them, over ``parameters``: the run's copy of
    #: the data (``base``, ``data``; see :mod:`evsum.render.snapshot`). Not hashed, not shown.
    reads: dict = field(default_factory=dict)
    #: Seconds a cell may run before the report fails.
    cell_timeout: float = 1800
    #: The run's data (:class:`~evsum.render.snapshot.DataSnapshot`, build folder) until
    #: :func:`evsum.render.run.render_all` writes it where ``reads`` points.
    snapshot: tuple | None = field(default=None, compare=False, repr=False)

    @property
    def html_path(self) -> Path:
        """Where the report's HTML is written."""
        return Path(self.out_dir) / f"{self.name}.html"

    @property
    def error_path(self) -> Path:
        """Where the traceback of a failed render is written."""
        return Path(self.out_dir) / f"{self.name}.error.txt"


@dataclass(frozen=True)
class ReportResult:
    """Outcome of one render: ``status`` is ``rendered``, ``current`` or ``failed``."""

    job: ReportJob
    status: str
    seconds: float = 0.0
    error: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


_PARAMETER = re.compile(r"^([A-Za-z_]\w*)\s*(?::[^=]*)?=", re.MULTILINE)


def notebook_parameters(path: str | Path) -> tuple[str, ...]:
    """Names assigned in the notebook's cell tagged ``parameters``, in order.

    Reads the JSON directly: importing nbformat would cost a no-op render most of its time.
    """
    book = read_notebook_json(path)
    for cell in book.get("cells", []):
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return tuple(
                _PARAMETER.findall("".join(source) if isinstance(source, list) else source)
            )
    return ()


def read_notebook_json(path: str | Path) -> dict:
    """The JSON of a notebook file.

    Raises
    ------
    EvsumError
        In one line naming the notebook: it cannot be read, or is not a notebook's JSON (an
        empty file, merge-conflict markers).
    """
    from evsum.exceptions import EvsumError

    try:
        book = json.loads(Path(path).read_bytes().decode("utf-8"))
    except OSError as err:
        raise EvsumError(f"{path}: cannot read the notebook ({err.strerror or err})") from None
    except UnicodeDecodeError as err:
        raise EvsumError(f"{path}: not a notebook (not UTF-8 text: {err.reason})") from None
    except json.JSONDecodeError as err:
        raise EvsumError(
            f"{path}: not a notebook (invalid JSON at line {err.lineno}, column {err.colno}: "
            f"{err.msg})"
        ) from None
    if not isinstance(book, dict) or not isinstance(book.get("cells", []), list):
        raise EvsumError(f"{path}: not a notebook (no list of cells)")
    return book


def check_parameters(notebook: str | Path, parameters: dict) -> None:
    """Refuse parameters the notebook's ``parameters`` cell does not declare (papermill would
    only warn, and the value would be ignored).

    Raises
    ------
    EvsumError
        Naming the notebook, the unknown parameters and the declared ones.
    """
    from evsum.exceptions import EvsumError

    declared = notebook_parameters(notebook)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise EvsumError(
            f"{notebook}: parameter(s) {', '.join(unknown)} not in the notebook's "
            f"parameters cell (it declares {', '.join(declared)})"
        )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: How the footer words a notebook parameter; other names lose their underscores.
PARAMETER_WORDS: dict[str, str] = {
    "method": "pooling method",
    "outcomes": "outcomes",
    "condition": "condition",
}


def provenance_footer(job: ReportJob) -> str:
    """The footer text (plain; the report template escapes it): evsum's version, the data
    version (date and SHA-256 of the study table, once) and the parameters in words.

    Never the time of rendering: re-rendering unchanged inputs gives the same bytes.
    """
    shown = {k: v for k, v in job.parameters.items() if k not in ("data", "base")}
    data = f"data of {job.data_date}, " if job.data_date else "data: "
    words = "; ".join(
        f"{PARAMETER_WORDS.get(k, k.replace('_', ' '))}: {v}" for k, v in sorted(shown.items())
    )
    table = _table_name(job.parameters)
    return f"evsum {__version__} · {data}study table {table}SHA-256 {job.data_sha256}" + (
        f" · {words}" if words else ""
    )


def _table_name(parameters: dict) -> str:
    """The study table's path inside the base, with a space, when it is not the base's own
    ``data/studies.csv`` (``evsum render --data``); else nothing."""
    data, base = parameters.get("data"), parameters.get("base")
    if not data or not base:
        return ""
    path, folder = Path(data), Path(base)
    if path == folder / "data" / "studies.csv":
        return ""
    try:
        return f"{path.relative_to(folder).as_posix()} "
    except ValueError:
        return f"{path.as_posix()} "


def page_title(job: ReportJob) -> str:
    """The page's ``<title>``: the report's title and the review's (from its protocol)."""
    from evsum.present.text import close_bidi

    # each part's bidi overrides closed: the title is also the PDF's running footer
    title, review = close_bidi(job.title), close_bidi(job.review_title)
    return f"{title} · {review}" if review and review != title else title


#: Where the report template puts the contents list (replaced by :func:`contents_html`).
CONTENTS_MARK = "<!-- evsum-contents -->"
_HEADING = re.compile(r'<h([23])\b[^>]*?\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")


def page_headings(body: str) -> list[tuple[int, str, str]]:
    """The page's section (h2) and outcome (h3) headings that have an id, in page order:
    ``(level, id, text)`` with the text unescaped (the template escapes it again)."""
    out = []
    for level, ident, inner in _HEADING.findall(body):
        words = html.unescape(_TAG.sub("", _ANCHOR_LINK.sub("", inner))).strip()
        if words:
            out.append((int(level), html.unescape(ident), " ".join(words.split())))
    return out


def contents_html(body: str) -> str:
    """The contents list of a page (``templates/contents.html.j2``): each section, with its
    outcomes (h3) nested under it; '' for a page with fewer than two headings."""
    from evsum.present.html import render

    sections: list[dict] = []
    for level, ident, words in page_headings(body):
        if level == 2 or not sections:
            sections.append({"id": ident, "text": words, "children": []})
        else:
            sections[-1]["children"].append({"id": ident, "text": words})
    if sum(1 + len(s["children"]) for s in sections) < 2:
        return ""
    return str(render("contents.html.j2", sections=sections))


@functools.cache
def _exporter(template_dir: str) -> HTMLExporter:
    """The HTML exporter of a process, made once: it compiles its Jinja2 templates on first
    use, which would otherwise cost every report of a worker that time again."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[template_dir],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # no syntax-highlighting styles: a report shows no code (4.5 KB a page)
        config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
    )


def export_html(
    notebook: NotebookNode,
    *,
    footer: str,
    title: str = "",
    nav: tuple[tuple[str, str], ...] = (),
    glossary: tuple[tuple[str, str], ...] = (),
) -> str:
    """Convert an executed notebook to offline HTML without inputs or prompts; ``title``
    becomes the page's ``<title>``. Every page links back to ``index.html`` and to the
    ``nav`` pages ((href, text) pairs); the first use of each glossary term, evsum's and the
    review's own (``glossary``: (term, meaning) pairs), links to the glossary page."""
    for cell in notebook.cells:  # papermill gives its injected cell a random id
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    # a cell tagged "hide-if-empty" (a block only some bases have) leaves no trace without output
    notebook.cells = [
        c
        for c in notebook.cells
        if c.get("outputs") or "hide-if-empty" not in c.get("metadata", {}).get("tags", [])
    ]
    template_dir = _resources.files("evsum") / "present" / "templates"
    exporter = _exporter(str(template_dir))
    if title:
        notebook.metadata["title"] = title
    css = (template_dir / "report.css").read_text(encoding="utf-8")
    print_css = (template_dir / "print.css").read_text(encoding="utf-8")
    body, _ = exporter.from_notebook_node(
        notebook,
        resources={
            "evsum_css": css,
            "evsum_print_css": print_css,
            "evsum_footer": footer,
            "evsum_nav": list(nav),
        },
    )
    from evsum.present.glossary import glossary_terms, link_first_uses
    from evsum.render.styles import drop_repeated_styles

    terms = glossary_terms(dict(glossary))
    page = link_first_uses(place_contents(body, contents_html(body)), terms=terms)
    return inert_page(drop_repeated_styles(page))


#: Markup a notebook's output may carry that would take the reader elsewhere: a refresh to
#: another address, a form (submitted off the page), a base URL for every relative link.
_NAVIGATION = re.compile(
    r"<meta\b[^>]*\bhttp-equiv\s*=\s*[\"']?\s*refresh\b[^>]*>|</?form\b[^>]*>|<base\b[^>]*>",
    re.I,
)


def inert_page(page: str) -> str:
    """``page`` without refreshes, forms and base URLs (their text stays); the page's
    Content-Security-Policy also says ``form-action 'none'; base-uri 'none'``.

    Examples
    --------
    >>> inert_page('<meta http-equiv="refresh" content="0;url=x"><form action=y>a</form>')
    'a'
    """
    return _NAVIGATION.sub("", page)


_TITLE = re.compile(r"<h1\b.*?</h1>(\s*<p>.*?</p>)?", re.S)


def place_contents(body: str, contents: str) -> str:
    """``body`` with ``contents`` after the page's title: its first ``<h1>`` and the
    paragraph right under it (a report's subtitle), so the headings run h1, then the
    contents' h2, in order (axe-core ``heading-order``); at :data:`CONTENTS_MARK` on a page
    without an h1. The mark is removed.

    Examples
    --------
    >>> place_contents("<!-- evsum-contents --><h1>T</h1> <p>s</p><h2>A</h2>", "<nav/>")
    '<h1>T</h1> <p>s</p><nav/><h2>A</h2>'
    """
    title = _TITLE.search(body, body.find(CONTENTS_MARK) + 1 if CONTENTS_MARK in body else 0)
    if title is None:
        return body.replace(CONTENTS_MARK, contents, 1)
    end = title.end()
    body = body[:end] + contents + body[end:]
    return body.replace(CONTENTS_MARK, "", 1)


def execute(job: ReportJob) -> NotebookNode:
    """Run the job's notebook (papermill's parameters) in a warm kernel; keep a copy of the
    executed notebook in the build folder."""
    import nbformat

    from evsum.render.kernels import run_notebook

    check_parameters(job.notebook, job.parameters)
    executed = run_notebook(
        job.notebook,
        {**job.parameters, **job.reads},
        kernel_name=job.kernel_name or _default_kernel(),
        cwd=job.cwd or str(Path(job.notebook).parent),
        timeout=job.cell_timeout,
    )
    build = Path(job.build_dir or Path(job.out_dir) / ".build")
    # atomically, like the HTML: a full disk leaves the previous notebook, not half a new one
    text = nbformat.writes(executed)
    write_atomic(build / f"{job.name}.ipynb", text if text.endswith("\n") else text + "\n")
    return executed


def _default_kernel() -> str:
    """``evsum`` if that kernel is registered (``make`` does it), else ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "evsum" if "evsum" in KernelSpecManager().find_kernel_specs() else "python3"


#: Terminal escape sequences (IPython colours its tracebacks) and other control characters.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: A line that only rules off a block (nbclient frames a timed-out cell with dashes).
_RULE = re.compile(r"^[\s\-=_~^*#]*$")


def plain_text(text: str) -> str:
    r"""``text`` without terminal escape sequences or other control characters (tabs and line
    breaks kept): what a traceback file and the index may hold.

    Examples
    --------
    >>> plain_text("\x1b[0;31mValueError\x1b[0m: bad")
    'ValueError: bad'
    """
    return _CONTROL.sub("", _ESCAPES.sub("", text))


def failure_summary(err: BaseException) -> str:
    r"""One line saying why a render failed: the error's type and the line that says what
    happened (the first of a timeout, the last of a traceback), without escape codes or
    rule lines.

    Examples
    --------
    >>> failure_summary(ValueError("bad value\n-----"))
    'ValueError: bad value'
    """
    lines = [
        line.strip()
        for line in plain_text(str(err)).splitlines()
        if line.strip() and not _RULE.match(line)
    ]
    name = type(err).__name__
    if not lines:
        return name
    said = lines[0] if "Timeout" in name else lines[-1]
    return f"{name}: {said}"


def render_report(job: ReportJob) -> ReportResult:
    """Execute and export one report; never raises for a failing notebook.

    Returns
    -------
    ReportResult
        ``rendered`` with the HTML written, or ``failed`` with the traceback saved beside the
        previous (untouched) HTML in ``<name>.error.txt``.
    """
    import time

    start = time.perf_counter()
    try:
        executed = execute(job)
        page = export_html(
            executed,
            footer=provenance_footer(job),
            title=page_title(job),
            nav=tuple(link for link in job.nav if link[0] != job.html_path.name),
            glossary=job.glossary,
        )
        write_atomic(job.html_path, page)
    except BaseException as err:
        if isinstance(err, KeyboardInterrupt):
            raise
        message = plain_text("".join(traceback.format_exception(err)))
        try:
            write_atomic(job.error_path, message)
        except OSError:
            pass
        return ReportResult(job, "failed", time.perf_counter() - start, failure_summary(err))
    job.error_path.unlink(missing_ok=True)
    return ReportResult(job, "rendered", time.perf_counter() - start)
