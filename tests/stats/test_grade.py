"""GRADE certainty arithmetic (GRADE handbook section 5: one level per 'serious')."""

import pytest

import evsum
from evsum.present.text import certainty_symbols
from evsum.stats.grade import downgrade_reasons, grade_certainty


@pytest.mark.parametrize(
    ("start", "domains", "expected"),
    [
        ("high", {}, "high"),
        ("high", {"risk_of_bias": "serious"}, "moderate"),
        ("high", {"risk_of_bias": "serious", "imprecision": "serious"}, "low"),
        ("high", {"imprecision": "very serious"}, "low"),
        ("high", {"risk_of_bias": "very serious", "imprecision": "very serious"}, "very low"),
        ("low", {}, "low"),
        ("low", {"indirectness": "serious"}, "very low"),
        ("low", {"indirectness": "", "inconsistency": None}, "low"),
    ],
)
def test_start_less_downgrades(start, domains, expected):
    assert grade_certainty({"start": start, **domains}) == expected


def test_bad_values_raise():
    with pytest.raises(ValueError, match="start must be one of"):
        grade_certainty({"start": "medium"})
    with pytest.raises(ValueError, match="imprecision must be one of"):
        grade_certainty({"start": "high", "imprecision": "somewhat"})


def test_symbols_and_reasons():
    assert certainty_symbols("low") == "\u2295\u2295\u25ef\u25ef"
    reasons = downgrade_reasons(
        {
            "start": "high",
            "imprecision": "serious",
            "imprecision_reason": "One trial.",
            "risk_of_bias": "not serious",
        }
    )
    assert reasons == ["Imprecision (serious): One trial."]


def test_example_grade_rows_are_consistent():
    for row in evsum.examples.example_grade().to_dict("records"):
        assert grade_certainty(row) == row["certainty"]


def test_grade_file_time_points_are_checked(tmp_path):
    import csv
    import shutil

    from evsum.exceptions import StudyDataError
    from evsum.ingest.context import validate_grade
    from evsum.ingest.io import read_csv_records

    from conftest import ROOT

    shutil.copy(ROOT / "data" / "grade.csv", tmp_path / "grade.csv")
    with open(tmp_path / "grade.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    rows[0]["timepoint"] = "six months"
    rows.append(dict(rows[1]))  # the same condition × outcome × comparator × time point
    rows.append({**rows[1], "timepoint": ""})  # the same, for every other time point: fine
    # the same key for non-randomised evidence (start low, one step less): fine, rated apart
    # (Grabski 2022's row: imprecision serious, so low less one step is very low)
    rows.append(
        {**rows[1], "start": "low", "risk_of_bias": "not serious", "certainty": "very low"}
    )
    with open(tmp_path / "grade.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    path = str(tmp_path / "grade.csv")
    with pytest.raises(StudyDataError) as err:
        validate_grade(read_csv_records(path, source=path), path)
    found = [(p.line, p.column) for p in err.value.problems]
    assert found == [(2, "timepoint"), (len(rows) - 1, "outcome")]
