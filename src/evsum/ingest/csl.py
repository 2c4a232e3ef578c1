"""The types of the CSL-JSON fields evsum reads from ``references.json``, and text without
control characters in every field, checked when the list is read (so ``validate`` finds what a
report would otherwise fail on)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evsum.exceptions import Problem
from evsum.ingest.schema import CONTROL_PATTERN

#: Name fields: a list of names, each an object of texts (``family``, ``given``, ``literal``).
NAME_FIELDS = ("author", "editor", "translator", "container-author", "collection-editor")
#: Date fields: an object with ``date-parts`` (a list of [year, month, day] lists) or texts.
DATE_FIELDS = ("issued", "accessed", "original-date", "event-date", "submitted")
#: Text fields evsum reads (links, matching, the reference list).
TEXT_FIELDS = ("type", "title", "container-title", "DOI", "URL", "ISSN", "publisher", "language")
#: Fields CSL allows as a text or a number.
NUMBER_FIELDS = ("volume", "issue", "page", "number", "PMID", "PMCID", "edition")


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text inside ``value``, with where it is (``author[2].family``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _texts(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for position, inner in enumerate(value, start=1):
            yield from _texts(inner, f"{path}[{position}]")


def _name_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(name, dict) and all(isinstance(v, (str, int)) for v in name.values())
        for name in value
    )


def _date(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    parts = value.get("date-parts")
    if parts is not None and not (
        isinstance(parts, list)
        and all(
            isinstance(p, list)
            and all(isinstance(x, (int, str)) and not isinstance(x, bool) for x in p)
            for p in parts
        )
    ):
        return False
    return all(isinstance(v, (str, int)) for k, v in value.items() if k != "date-parts")


def _number_or_text(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _field_problem(field: str, value: Any) -> str | None:
    """What ``field`` should be, when ``value`` is not of its CSL type."""
    if field in NAME_FIELDS and not _name_list(value):
        return 'a list of names such as [{"family": "Smith", "given": "A"}]'
    if field in DATE_FIELDS and not _date(value):
        return 'a date such as {"date-parts": [[2021, 3]]}'
    if field in TEXT_FIELDS and not isinstance(value, str):
        return "text in quotes"
    if field in NUMBER_FIELDS and not _number_or_text(value):
        return "a text or a number"
    return None


def csl_problems(items: list[dict[str, Any]], source: str) -> list[Problem]:
    """Each field of the reference items that is not of its CSL-JSON type, and each text
    holding a control character; each problem names the item (position and id)."""
    problems: list[Problem] = []
    for position, item in enumerate(items, start=1):
        ident = item.get("id")
        label = ident if isinstance(ident, str) else None
        where = f" (item {position} of the array)"
        for field, value in item.items():
            expected = _field_problem(field, value)
            if expected is not None:
                problems.append(
                    Problem(source, None, field, repr(value)[:80], expected + where, label, "id")
                )
                continue
            for path, text in _texts(value, field):
                if CONTROL_PATTERN.search(text):
                    problems.append(
                        Problem(
                            source,
                            None,
                            path,
                            text,
                            "text without control characters" + where,
                            label,
                            "id",
                        )
                    )
    return problems
