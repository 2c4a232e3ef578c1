"""A protocol section is a table entry: declared keys are read, checked and located.

``evsum.ingest.protocol.SECTIONS`` lists the sections of ``evsum.toml``; a new one (say a
``[synthesis]`` table) is one more entry there, built from ``evsum.ingest.toml_schema``.
These tests declare such a section beside the real ones and check what it reads and what it
reports (lines counted in the text here).
"""

import sys

from evsum.ingest.protocol import SECTIONS
from evsum.ingest.toml_schema import (
    CustomSection,
    Key,
    KeyedTables,
    TableSection,
    TextMapping,
    TomlChecker,
    check_sections,
)

from conftest import SMALL_PROTOCOL

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")
SYNTHESIS = TableSection(
    "synthesis",
    (
        Key(
            "method", "vocabulary", required=True, vocabulary=("REML", "DL"), expected="REML or DL"
        ),
        Key("alpha", "number", rule=lambda a: 0 < a < 1, expected="a number between 0 and 1"),
        Key("prediction", "boolean"),
    ),
    build=lambda values: {"synthesis": values},
)


def _check(text: str, sections=(*SECTIONS, SYNTHESIS)):
    check = TomlChecker(text, "evsum.toml")
    return check_sections(check, tomllib.loads(text), sections), check.problems


def test_a_new_section_reads_its_keys_beside_the_others():
    built, problems = _check(GOOD + '\n[synthesis]\nmethod = "DL"\nalpha = 0.1\n')
    assert problems == []
    assert built["synthesis"] == {"method": "DL", "alpha": 0.1, "prediction": False}
    assert built["title"] == "Fixture review" and "alcohol" in built["conditions"]


def test_a_new_section_reports_at_the_line_of_each_key():
    text = GOOD + '\n[synthesis]\nmethod = "PM"\nalpha = 5\nprediction = "yes"\nextra = 1\n'
    _, problems = _check(text)
    lines = text.splitlines()
    found = {p.column: p for p in problems}
    assert set(found) == {
        "synthesis.method",
        "synthesis.alpha",
        "synthesis.prediction",
        "synthesis.extra",
    }
    assert lines[found["synthesis.method"].line - 1] == 'method = "PM"'
    assert found["synthesis.method"].expected == "REML or DL"
    assert lines[found["synthesis.alpha"].line - 1] == "alpha = 5"
    assert found["synthesis.prediction"].expected == "true or false (without quotes)"
    assert "one of the keys method, alpha, prediction" in found["synthesis.extra"].expected


def test_without_the_section_its_table_is_an_unknown_key():
    _, problems = _check(GOOD + '\n[extras]\nmethod = "DL"\n', sections=SECTIONS)
    [problem] = problems
    assert problem.column == "extras" and "misspelled key" in problem.expected


def test_an_optional_section_left_out_requires_nothing():
    built, problems = _check(GOOD)
    assert problems == []
    assert built["synthesis"] == {"method": "", "alpha": None, "prediction": False}


def _analyses(check, table, built):
    """A custom section: each analysis names an outcome of the [outcomes] section."""
    for name, outcome in table.items():
        if outcome not in built["outcomes"]:
            check.add(("analyses",), name, outcome, "an outcome of [outcomes]")
    return {"analyses": dict(table)}


def test_a_custom_section_reads_with_what_the_sections_before_it_built():
    section = CustomSection("analyses", _analyses)
    text = GOOD + '\n[analyses]\nmain = "abstinence"\nother = "mood"\n'
    built, problems = _check(text, sections=(*SECTIONS, section))
    assert built["analyses"] == {"main": "abstinence", "other": "mood"}
    [problem] = problems
    assert (problem.column, problem.value) == ("analyses.other", "mood")
    assert text.splitlines()[problem.line - 1] == 'other = "mood"'


def test_the_protocol_sections_are_the_three_kinds():
    # and custom sections for tables the three kinds do not describe (the kind of review's
    # [search], [reporting], [source_text], [grade], [outcome_measures] refine one field)
    kinds = {type(s) for s in SECTIONS}
    assert {TableSection, KeyedTables, TextMapping} <= kinds
    assert kinds <= {TableSection, KeyedTables, TextMapping, CustomSection}
