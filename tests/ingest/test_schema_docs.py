"""data/README.md documents exactly the columns and keys the validators check.

Every column of each file's schema (``evsum.ingest.schema.FileSchema``) and every key of the
protocol's sections (``evsum.ingest.protocol.SECTIONS``) has a row in the dictionary's table
for its file, with its type and whether it is required; every row names columns or keys that
exist. So documentation and validator cannot drift apart.
"""

import re

import pytest

from evsum import vocab
from evsum.ingest import context
from evsum.ingest.claims import CLAIMS
from evsum.ingest.protocol import SECTIONS
from evsum.ingest.schema import TYPES
from evsum.ingest.studies import studies_schema
from evsum.ingest.toml_schema import KEY_TYPES, KeyedTables, TableSection

from conftest import ROOT

README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
SCHEMAS = [
    studies_schema(),
    context.CHARACTERISTICS,
    context.RISK_OF_BIAS,
    context.GRADE,
    context.SEARCH_LOG,
    CLAIMS,
]


def _section(title_word: str) -> str:
    """The text of the ``## `` section whose heading names ``title_word``."""
    sections = re.split(r"^## ", README, flags=re.MULTILINE)
    [found] = [s for s in sections if s.split("\n", 1)[0].count(f"`{title_word}`")]
    return found


def _rows(text: str, header: str) -> list[list[str]]:
    """Cells of the rows of the table that starts with ``header``."""
    start = text.index(header)
    lines = text[start:].split("\n")
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
    return rows


def _documented_columns(schema) -> dict[str, tuple[str, str]]:
    """Column -> (type cell, required cell) of the file's table."""
    rows = _rows(_section(schema.name), "| column | type | required | meaning |")
    return {name: (row[1], row[2]) for row in rows for name in re.findall(r"`([^`]+)`", row[0])}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_every_column_is_documented_and_every_documented_column_exists(schema):
    documented = _documented_columns(schema)
    assert sorted(documented) == sorted(schema.names)


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_the_dictionary_gives_each_column_its_type_and_requiredness(schema):
    documented = _documented_columns(schema)
    wrong = []
    for column in schema.columns:
        kind, required = documented[column.name]
        if not kind.startswith(TYPES[column.type]):
            wrong.append((column.name, kind, f"type starting {TYPES[column.type]!r}"))
        if required.startswith("yes") != column.refuses_empty():
            wrong.append((column.name, required, f"required {column.refuses_empty()}"))
        if ("optional column" in required) != column.optional:
            wrong.append((column.name, required, f"optional column {column.optional}"))
    assert wrong == []


def test_the_vocabulary_module_lists_the_study_columns_as_the_schema_declares_them():
    studies = studies_schema()
    assert vocab.STUDY_COLUMNS == studies.names
    assert vocab.REQUIRED_VALUE_COLUMNS == studies.required
    assert vocab.OPTIONAL_STUDY_COLUMNS == studies.optional
    assert vocab.INTEGER_COLUMNS == studies.of_type("integer")
    assert vocab.FLOAT_COLUMNS == studies.of_type("number")


# --- the protocol --------------------------------------------------------------------------


def _documented_keys() -> dict[tuple[str, str | None], tuple[str, str]]:
    """(section, key or None for the section itself) -> (type cell, required cell)."""
    rows = _rows(_section("evsum.toml"), "| key | type | required | meaning |")
    documented, current = {}, None
    for row in rows:
        names = re.findall(r"`([^`]+)`", row[0])
        table = re.fullmatch(r"\[([a-z_]+)(\.KEY)?\]", names[0])
        if table:
            current = table.group(1)
            names = names[1:]
            if not names:  # the row of a [section.KEY] table itself
                documented[(current, None)] = (row[1], row[2])
                continue
            if "=" in names[0]:  # NAME = "…" pairs
                documented[(current, None)] = (row[1], row[2])
                continue
        for name in names:
            documented[(current, name)] = (row[1], row[2])
    return documented


def test_every_protocol_section_and_key_is_documented_and_exists():
    documented = _documented_keys()
    declared = set()
    for section in SECTIONS:
        if isinstance(section, KeyedTables) or not getattr(section, "keys", ()):
            declared.add((section.name, None))
        declared |= {(section.name, k.name) for k in getattr(section, "keys", ())}
    assert sorted(documented, key=str) == sorted(declared, key=str)


def test_the_dictionary_gives_each_protocol_key_its_type_and_requiredness():
    documented = _documented_keys()
    wrong = []
    for section in SECTIONS:
        if not getattr(section, "keys", ()):
            continue
        if isinstance(section, KeyedTables):
            kind, required = documented[(section.name, None)]
            assert kind == "table" and required == "at least one", section.name
        for key in section.keys:
            kind, required = documented[(section.name, key.name)]
            if not kind.startswith(KEY_TYPES[key.type]):
                wrong.append((section.name, key.name, kind))
            if required.startswith("yes") != key.required:
                wrong.append((section.name, key.name, required))
    assert isinstance(SECTIONS[0], TableSection)
    assert wrong == []
