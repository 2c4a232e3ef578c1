"""Check the links between rendered reports: every ``page.html#id`` must name an id of that page.

Reviewers follow links from a headline number to its analysis and from an analysis to the data
row with its quote; a broken one would leave a number without its source.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

_HREF = re.compile(r'href="([^"]*)"')
_ID = re.compile(r'\bid="([^"]*)"')
_FILE = re.compile(r"[A-Za-z0-9%._-]+\.(txt|csv|json)")
_LOCAL = re.compile(r"(?P<page>[A-Za-z0-9%._-]+\.html)?(?:#(?P<fragment>.*))?")


def _page_text(path: Path) -> str:
    """A page's text, or a UsageError naming it in one line (not a file, not UTF-8)."""
    from evsum.exceptions import StudyDataError, UsageError
    from evsum.ingest.io import regular_file_bytes

    try:
        return regular_file_bytes(path).decode("utf-8")
    except StudyDataError as err:
        reason = f"it is {err.problems[0].value}" if err.problems else "not a file"
    except UnicodeDecodeError as err:
        reason = f"not UTF-8 text, byte {err.start}"
    except OSError as err:
        reason = err.strerror or str(err)
    raise UsageError(f"{path}: cannot be read as a page ({reason})")


def broken_links(folder: str | Path) -> list[str]:
    """Links in the ``*.html`` files of ``folder`` that point to a missing page or id.

    External links (``https://``) are not checked; a link to another file of the folder (the
    index's link to a failed report's ``NAME.error.txt``) must reach that file. Returns
    ``FILE: href`` strings, sorted.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = '<p id="x"></p><a href="#x"></a><a href="b.html#y"></a>'
    ...     _ = (Path(d) / "a.html").write_text(page)
    ...     _ = (Path(d) / "b.html").write_text('<p id="z"></p>')
    ...     broken_links(d)
    ['a.html: b.html#y']
    """
    folder = Path(folder)
    pages = {p.name: _page_text(p) for p in sorted(folder.glob("*.html"))}
    ids = {name: {html.unescape(i) for i in _ID.findall(text)} for name, text in pages.items()}
    broken = []
    for name, text in pages.items():
        for raw in _HREF.findall(text):
            href = html.unescape(raw)
            if href.startswith(("https://", "http://", "mailto:", "data:")) or href == "":
                continue
            match = _LOCAL.fullmatch(href)
            if match is None and _FILE.fullmatch(href) and (folder / href).is_file():
                continue
            if match is None:
                broken.append(f"{name}: {href}")
                continue
            page = match.group("page") or name
            fragment = match.group("fragment")
            if page not in pages or (fragment and fragment not in ids[page]):
                broken.append(f"{name}: {href}")
    return sorted(broken)
