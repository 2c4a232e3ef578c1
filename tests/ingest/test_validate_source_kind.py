"""`source_kind`: what a row's numbers were read from, an optional column tied to `source_type`.

The vocabulary and its pairing are data/README.md's (`primary` ↔ `full text`/`abstract`,
`registry` ↔ `registry results`, `secondary` ↔ `review`/`press`).
"""

import pytest

from evsum import StudyDataError
from evsum import vocab as schema
from evsum.ingest.studies import load_studies

#: Every kind with the source type it belongs to, as data/README.md documents them.
PAIRS = [
    ("primary", "full text"),
    ("primary", "abstract"),
    ("registry", "registry results"),
    ("secondary", "review"),
    ("secondary", "press"),
]


def _problems(path):
    with pytest.raises(StudyDataError) as info:
        load_studies(path)
    return info.value.problems


def _narrative(row: dict) -> dict:
    """A row of the fixture emptied of numbers, so any source type may carry it."""
    numbers = {c: "" for c in schema.SOURCED_NUMBER_COLUMNS}
    return {**row, **numbers, "effect_measure": "", "data_level": "narrative"}


def test_a_table_without_the_column_validates_as_not_recorded(small_rows, write_csv):
    # tests/data/studies_small.csv has no source_kind column, as bases curated before it
    assert "source_kind" not in small_rows[0]
    table = load_studies(write_csv(small_rows))
    assert list(table.data["source_kind"]) == [""] * len(small_rows)


def test_the_column_is_documented_as_optional():
    assert "source_kind" in schema.STUDY_COLUMNS
    assert "source_kind" in schema.OPTIONAL_STUDY_COLUMNS
    assert "source_kind" not in schema.REQUIRED_VALUE_COLUMNS


@pytest.mark.parametrize(("source_type", "kind"), PAIRS)
def test_each_kind_validates_with_its_source_type(small_rows, write_csv, source_type, kind):
    rows = [dict(r, source_kind="") for r in small_rows]
    rows[4] = dict(_narrative(rows[4]), source_type=source_type, source_kind=kind)
    table = load_studies(write_csv(rows))
    assert table.data.loc[4, "source_kind"] == kind
    assert table.data.loc[4, "source_type"] == source_type


def test_empty_cells_are_allowed_beside_filled_ones(small_rows, write_csv):
    rows = [dict(r, source_kind="abstract" if i else "") for i, r in enumerate(small_rows)]
    table = load_studies(write_csv(rows))
    assert list(table.data["source_kind"]) == ["", "abstract", "abstract", "abstract", "abstract"]


@pytest.mark.parametrize(
    ("source_type", "kind"),
    [(t, k) for t, _ in PAIRS for _, k in PAIRS if schema.SOURCE_KINDS[k] != t],
)
def test_a_kind_of_another_source_type_is_refused(small_rows, write_csv, source_type, kind):
    rows = [dict(r, source_kind="") for r in small_rows]
    rows[4] = dict(_narrative(rows[4]), source_type=source_type, source_kind=kind)
    [problem] = _problems(write_csv(rows))
    assert (problem.line, problem.column, problem.value) == (6, "source_kind", kind)
    assert problem.study_id == "delta2015"
    assert f"a source kind of source_type {source_type!r}" in problem.expected


def test_an_unknown_kind_names_the_vocabulary(small_rows, write_csv):
    rows = [dict(r, source_kind="abstract") for r in small_rows]
    rows[1]["source_kind"] = "Abstract"
    [problem] = _problems(write_csv(rows))
    assert (problem.line, problem.column, problem.value) == (3, "source_kind", "Abstract")
    assert problem.expected == (
        "one of 'full text', 'abstract', 'registry results', 'review', 'press'"
    )


def test_an_unknown_source_type_is_reported_once_not_as_a_mismatch(small_rows, write_csv):
    rows = [dict(r, source_kind="abstract") for r in small_rows]
    rows[0]["source_type"] = "blog"
    [problem] = _problems(write_csv(rows))
    assert (problem.line, problem.column) == (2, "source_type")


def test_every_source_kind_problem_is_reported_at_once(small_rows, write_csv):
    rows = [dict(r, source_kind="abstract") for r in small_rows]
    rows[0]["source_kind"] = "paper"
    rows[2]["source_kind"] = "press"
    rows[4] = dict(_narrative(rows[4]), source_type="registry", source_kind="review")
    problems = _problems(write_csv(rows))
    assert [(p.line, p.column, p.value) for p in problems] == [
        (2, "source_kind", "paper"),
        (4, "source_kind", "press"),
        (6, "source_kind", "review"),
    ]
    assert "'registry results'" in problems[2].expected
