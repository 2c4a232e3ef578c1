"""The reports' index page: a link per report with its status. Every text is escaped."""

from __future__ import annotations

import html
import urllib.parse
from pathlib import Path

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto;
       padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; }}
.failed {{ color: #b00020; font-weight: bold; }}
</style>
</head>
<body>
<h1>{title}</h1>
<table>
<thead><tr><th>Report</th><th>Status</th><th>Details</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""

_STATUS = {"rendered": "up to date", "current": "up to date", "failed": "failed"}


def index_html(state: dict, out_dir: Path, *, title: str = "Evidence reports") -> str:
    """Build the index from the render state (report name → title, status, error, order):
    the reports rendered, in the order of the last run (overview first)."""
    rows = []

    def position(name: str) -> tuple:
        first = {"overview": 0, "methods": 1}.get(name, 2)
        return (first, state[name].get("order", len(state)), name)

    for name in sorted(state, key=position):
        entry = state[name]
        status = entry.get("status", "")
        has_html = (Path(out_dir) / f"{name}.html").exists()
        label = html.escape(entry.get("title") or name)
        # percent-encoded, the name can only be a file beside the index, never a scheme
        # (javascript:) or a path elsewhere
        page = html.escape(urllib.parse.quote(name, safe=""))
        link = f'<a href="{page}.html">{label}</a>' if has_html else label
        details = ""
        if status == "failed":
            details = (f'{html.escape(entry.get("error", ""))} — '
                       f'<a href="{page}.error.txt">traceback</a>')
            if has_html:
                details += " (the report shown is the last good one)"
        css = ' class="failed"' if status == "failed" else ""
        rows.append(f"<tr><td>{link}</td><td{css}>{html.escape(_STATUS.get(status, status))}"
                    f"</td><td>{details}</td></tr>")
    return _PAGE.format(rows="\n".join(rows), title=html.escape(title))
