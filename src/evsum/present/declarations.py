"""A study's funding, conflicts of interest, registration and early stopping, as Cochrane's
"Characteristics of included studies" shows them (Cochrane Handbook 5.3), from
``study_characteristics.csv`` (``funding``, ``conflicts``, ``registration``, ``notes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evsum.review.grade_checks import STOPPED_EARLY

__all__ = ["study_declarations"]

#: What a study's line says when the file is silent.
NOT_RECORDED = "not recorded"


def _value(info: Mapping[str, Any], key: str) -> str:
    value = info.get(key, "")
    text = "" if value is None or value != value else str(value).strip()
    return text or NOT_RECORDED


def study_declarations(info: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, words)`` lines for one study's row of ``study_characteristics.csv``:
    funding, conflicts of interest, registration and whether it stopped early (the words of
    its registration or notes that say so, else "not reported")."""
    early = ""
    for key in ("registration", "notes"):
        value = str(info.get(key, "") or "")
        found = STOPPED_EARLY.search(value)
        if found:
            start = max(value.rfind(";", 0, found.start()), value.rfind("(", 0, found.start()))
            end = min(
                (i for i in (value.find(";", found.end()), value.find(")", found.end())) if i > 0),
                default=len(value),
            )
            early = "yes: " + value[start + 1 : end].strip()
            break
    return [
        ("Funding", _value(info, "funding")),
        ("Conflicts of interest", _value(info, "conflicts")),
        ("Registration", _value(info, "registration")),
        ("Stopped early", early or "not reported"),
    ]
