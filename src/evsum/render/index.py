"""The reports' index page: the review's title and question, the data version, and a link and
one line per report; a report that failed says so in plain words
(``templates/index.html.j2``, every text escaped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evsum.present.html import environment, page_link


def index_html(state: dict, out_dir: Path, *, title: str | None = None, about: Any = None) -> str:
    """Build the index from the render state (report name → title, status, error, order,
    description, ``good_date``): the reports rendered, in the order of the last run
    (overview and methods first).

    ``about`` is a :class:`~evsum.render.report.ReportJob` of the run: its review question,
    data date and study-table SHA-256 head the page. Nothing on the page depends on the time
    of the run unless a report failed (then the date of the page still shown is given).
    ``title`` defaults to the review's title (``about``'s), else "Evidence reports".
    """
    title = title or getattr(about, "review_title", "") or "Evidence reports"

    def position(name: str) -> tuple:
        first = {"overview": 0, "methods": 1}.get(name, 2)
        return (first, state[name].get("order", len(state)), name)

    reports = []
    for name in sorted(state, key=position):
        entry = state[name]
        reports.append(
            {
                "title": entry.get("title") or name,
                "description": entry.get("description", ""),
                "page": page_link(name),
                "traceback": page_link(name, suffix=".error.txt"),
                "has_html": (Path(out_dir) / f"{name}.html").exists(),
                "failed": entry.get("status") == "failed",
                "error": entry.get("error", ""),
                "good_date": entry.get("good_date", ""),
            }
        )
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            reports=reports,
            title=title,
            question=getattr(about, "review_question", ""),
            reanalysis=getattr(about, "reanalysis", ""),
            kind=getattr(about, "review_kind", ""),
            data_date=getattr(about, "data_date", ""),
            data_sha256=getattr(about, "data_sha256", ""),
        )
        + "\n"
    )
