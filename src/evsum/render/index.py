"""The reports' index page: a link per report with its status (``templates/index.html.j2``,
every text escaped)."""

from __future__ import annotations

from pathlib import Path

from evsum.present.html import environment, page_link

_STATUS = {"rendered": "up to date", "current": "up to date", "failed": "failed"}


def index_html(state: dict, out_dir: Path, *, title: str = "Evidence reports") -> str:
    """Build the index from the render state (report name → title, status, error, order):
    the reports rendered, in the order of the last run (overview and methods first)."""

    def position(name: str) -> tuple:
        first = {"overview": 0, "methods": 1}.get(name, 2)
        return (first, state[name].get("order", len(state)), name)

    reports = []
    for name in sorted(state, key=position):
        entry = state[name]
        status = entry.get("status", "")
        reports.append({
            "title": entry.get("title") or name,
            "page": page_link(name), "traceback": page_link(name, suffix=".error.txt"),
            "has_html": (Path(out_dir) / f"{name}.html").exists(),
            "status": _STATUS.get(status, status), "failed": status == "failed",
            "error": entry.get("error", ""),
        })
    return environment().get_template("index.html.j2").render(reports=reports,
                                                               title=title) + "\n"
