"""Report names: each report is written to ``OUT/NAME.html`` beside ``index.html``, so two
reports with one name (a condition key and a notebook, two notebooks, a report called
``index``) would overwrite each other. :func:`name_problems` finds every such clash; ``evsum
validate`` prints them and planning refuses them, before anything is rendered.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from evsum.exceptions import Problem
from evsum.ingest.toml_schema import locate

if TYPE_CHECKING:
    from evsum.ingest.protocol import Protocol

#: Names no report may have: the pages the renderer writes itself.
RESERVED_NAMES: dict[str, str] = {"index": "the index page (index.html)"}


def notebook_report_name(notebook: Path) -> str:
    """The report name of a notebook other than the condition report (its stem, ``_`` as
    ``-``): ``curation_log.ipynb`` -> ``curation-log``."""
    return notebook.stem.replace("_", "-")


def name_problems(
    protocol_source: str,
    conditions: list[str] | tuple[str, ...],
    notebooks: list[Path],
    condition_notebook: str,
) -> list[Problem]:
    """Every report name that another report, or a page of the renderer, already has.

    ``conditions`` are the condition keys (one report each when ``condition_notebook`` is
    among ``notebooks``), ``notebooks`` the other report notebooks. Names are compared
    case-insensitively, as a case-insensitive file system would. Each problem names the
    protocol's line of the condition (or the notebook file).
    """
    try:
        text = Path(protocol_source).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    owners: dict[str, str] = dict(RESERVED_NAMES)
    problems: list[Problem] = []
    for notebook in notebooks:
        if notebook.name == condition_notebook:
            continue
        name = notebook_report_name(notebook)
        taken = owners.get(name.casefold())
        if taken is not None:
            problems.append(
                Problem(
                    str(notebook),
                    None,
                    None,
                    notebook.name,
                    f"a notebook whose report name is not already taken by {taken} (both "
                    f"would be written to {name}.html; rename one)",
                )
            )
        elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", notebook.stem):
            problems.append(
                Problem(
                    str(notebook),
                    None,
                    None,
                    notebook.name,
                    "a notebook file name of letters, digits, - and _ (it names a report page)",
                )
            )
        else:
            owners[name.casefold()] = f"the notebook {notebook.name}"
    if not any(p.name == condition_notebook for p in notebooks):
        return problems  # no condition reports
    for key in conditions:
        taken = owners.get(key.casefold())
        if taken is not None:
            problems.append(
                Problem(
                    protocol_source,
                    locate(text, ("conditions", key)),
                    f"conditions.{key}",
                    key,
                    f"a condition key that is not a report name already taken by {taken} "
                    f"(its report would be written over {key}.html, or the other over it)",
                )
            )
        else:
            owners[key.casefold()] = f"the condition {key}"
    return problems


def report_problems(protocol: Protocol, notebooks_dir: str | Path) -> list[Problem]:
    """The problems of a base's report set: a ``[review] reports`` entry without its notebook
    in ``notebooks_dir``, and every clash of report names (:func:`name_problems`)."""
    from evsum.render.plan import CONDITION_NOTEBOOK, report_notebooks

    source = protocol.source or "evsum.toml"
    wanted = protocol.reports
    folder = Path(notebooks_dir)
    missing = [w for w in wanted if not (folder / f"{w}.ipynb").is_file()]
    if missing:
        try:
            text = Path(source).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        line = locate(text, ("review",), "reports")
        return [
            Problem(
                source,
                line,
                "review.reports",
                w,
                f"the file stem of a notebook in {folder} (there is no {w}.ipynb)",
            )
            for w in missing
        ]
    conditions = tuple(protocol.conditions)
    return name_problems(source, conditions, report_notebooks(folder, wanted), CONDITION_NOTEBOOK)
