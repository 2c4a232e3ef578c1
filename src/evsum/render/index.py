"""The reports' index page: a link per report with its status (``templates/index.html.j2``,
every text escaped)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

from evsum.present.html import environment

_STATUS = {"rendered": "up to date", "current": "up to date", "failed": "failed"}


def index_html(state: dict, out_dir: Path) -> str:
    """Build the index from the render state (report name → title, status, error)."""
    order = {"overview": 0, "claims-audit": 2, "gallery": 3}  # condition reports are 1
    reports = []
    for name in sorted(state, key=lambda n: (order.get(n, 1), n)):
        entry = state[name]
        status = entry.get("status", "")
        reports.append({
            "title": entry.get("title") or name,
            # percent-encoded, the name can only be a file beside the index, never a scheme
            # (javascript:) or a path elsewhere
            "page": urllib.parse.quote(name, safe=""),
            "has_html": (Path(out_dir) / f"{name}.html").exists(),
            "status": _STATUS.get(status, status), "failed": status == "failed",
            "error": entry.get("error", ""),
        })
    return environment().get_template("index.html.j2").render(reports=reports) + "\n"
