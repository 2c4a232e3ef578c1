"""What no rendered report may show a reader: Python warnings, tracebacks, data frames printed
raw, machine paths (issue 14 item 7; issue 15)."""

import re

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
