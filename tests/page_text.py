"""What no rendered report may show a reader: Python warnings, tracebacks, data frames printed
raw, machine paths (issue 14 item 7; issue 15)."""

import ast
import html
import re

import nbformat

#: Traces of the machine on a page: a warning or a traceback printed by the kernel, a path of
#: the machine that rendered it, a pandas frame printed raw.
FORBIDDEN = (
    "Warning",
    "Traceback",
    "/tmp/",
    "/home/",
    "/work/",
    "/Users/",
    "site-packages",
    ".py:",
    'border="1" class="dataframe"',
)
_URL = re.compile(r"""https?://[^\s"'<>]+""")


def machine_traces(page: str) -> list[str]:
    """Each forbidden trace found in a page's text and attributes (embedded images, style
    sheets and web addresses, whose paths are a site's own, left out), with its context."""
    page = re.sub(r'src="data:[^"]*"', 'src=""', page)
    page = re.sub(r"<style.*?</style>", "", page, flags=re.S)
    page = _URL.sub("URL", page)
    return [
        f"{trace!r} in {page[max(m.start() - 80, 0) : m.end() + 40]!r}"
        for trace in FORBIDDEN
        for m in re.finditer(re.escape(trace), page)
    ]


def run_cells(path, parameters):
    """The displayed value of each code cell of the notebook at ``path`` (its last
    expression), run in this process with ``parameters`` over the parameters cell."""
    book = nbformat.read(path, as_version=4)
    space: dict = {}
    shown = []
    for cell in book.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(cell.source, space)
            space.update(parameters)
            continue
        tree = ast.parse(cell.source)
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last else tree.body
        exec(compile(ast.Module(body=body, type_ignores=[]), "cell", "exec"), space)
        if last is not None:
            shown.append(eval(compile(ast.Expression(last.value), "cell", "eval"), space))
    return shown


def reader_text_of(value) -> str:
    if hasattr(value, "_repr_html_"):
        markup = value._repr_html_() or ""
        markup = re.sub(r'src="data:[^"]*"', "", markup)
        markup = re.sub(r"<style.*?</style>", "", markup, flags=re.S)
        # text and the attributes a reader meets (alt, title, aria-label), not ids or hrefs
        attrs = " ".join(re.findall(r'(?:alt|title|aria-label)="([^"]*)"', markup))
        return html.unescape(re.sub(r"<[^>]+>", " ", markup) + " " + attrs)
    return ""
