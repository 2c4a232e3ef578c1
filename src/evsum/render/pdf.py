"""PDF copies of the rendered reports, printed by headless Chromium (Playwright's ``page.pdf``).

Chromium is Debian's (``/usr/bin/chromium``; ``make test`` installs it), driven offline: every
request other than ``file:`` and ``data:`` is refused, so a PDF shows exactly the offline page.
The report's print stylesheet (``present/templates/print.css``) decides page breaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from evsum.exceptions import RenderError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: The browser that prints the PDFs.
CHROMIUM = Path("/usr/bin/chromium")
#: Arguments Chromium is started with (no sandbox inside containers, no background traffic).
CHROMIUM_ARGS: tuple[str, ...] = ("--no-sandbox", "--disable-background-networking")
#: The running title at the top of every printed page, and its number of the total at the foot.
_HEADER = (
    '<div style="font-size: 8px; width: 100%; padding: 0 1.4cm; color: #444;">'
    '<span class="title"></span></div>'
)
_FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #444;">'
    'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


def _print(browser: Browser, pages: list[Path]) -> list[Path]:
    written = []
    context = browser.new_context(offline=True, java_script_enabled=False)
    try:
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else route.abort()
            ),
        )
        for html in pages:
            page = context.new_page()
            page.goto(html.as_uri(), wait_until="load")
            page.emulate_media(media="print")
            target = html.with_suffix(".pdf")
            tmp = target.with_name(f".{target.name}.tmp")
            page.pdf(
                path=str(tmp),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=_HEADER,
                footer_template=_FOOTER,
                margin={"top": "1.6cm", "bottom": "1.6cm", "left": "1.4cm", "right": "1.4cm"},
            )
            tmp.replace(target)
            page.close()
            written.append(target)
    finally:
        context.close()
    return written


def write_pdfs(
    pages: Iterable[str | Path],
    *,
    executable: str | Path = CHROMIUM,
    browser: Browser | None = None,
) -> list[Path]:
    """Print each HTML page to a PDF beside it (``reports/NAME.html`` → ``reports/NAME.pdf``).

    Parameters
    ----------
    pages : iterable of path
        The HTML reports to print.
    executable : path
        The Chromium binary (default Debian's ``/usr/bin/chromium``).
    browser : playwright.sync_api.Browser, optional
        A Chromium already launched (then ``executable`` is not used).

    Returns
    -------
    list of Path
        The PDFs written, in the order of ``pages``.

    Raises
    ------
    RenderError
        If Playwright or Chromium is missing.
    """
    paths = [Path(p).resolve() for p in pages]
    if browser is not None:
        return _print(browser, paths)
    executable = Path(executable)
    if not executable.exists():
        raise RenderError(
            f"--pdf needs Chromium at {executable}, which is missing; install it "
            "with: sudo apt-get install chromium (make test does it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RenderError(
            "--pdf needs Playwright: pip install 'evsum[pdf]' (or pip install -e '.[pdf]')"
        ) from None
    with sync_playwright() as play:
        launched = play.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
        try:
            return _print(launched, paths)
        finally:
            launched.close()
