"""Every validation rule: the problem names file, line, study, column, value and expectation."""

import pytest

from evsum import StudyDataError
from evsum.ingest.studies import load_studies


def _problems(path):
    with pytest.raises(StudyDataError) as info:
        load_studies(path)
    return info.value.problems


def test_valid_fixture_loads_with_types(small_rows, write_csv):
    table = load_studies(write_csv(small_rows))
    assert len(table.data) == 5
    assert str(table.data["n_intervention"].dtype) == "Int64"
    assert table.data["randomised"].dtype == bool
    assert list(table.data["line"]) == [2, 3, 4, 5, 6]
    assert table.conditions == ["alcohol", "cocaine"]
    assert len(table.sha256) == 64


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("events_intervention", "25", "events ≤ n_intervention"),
        ("events_intervention", "-1", "a number of events ≥ 0"),
        ("n_intervention", "0", "participants > 0"),
        ("n_comparator", "-3", "participants > 0"),
        ("n_intervention", "12.5", "a whole number"),
        ("n_intervention", "twenty", "a number"),
        ("year", "1890", "a year from 1900"),
        ("condition", "gambling", "one of 'alcohol'"),
        ("design", "rct", "one of 'parallel_rct'"),
        ("comparator_type", "nothing", "one of 'placebo'"),
        ("outcome", "happiness", "one of 'abstinence'"),
        ("randomised", "yes", "one of 'true', 'false'"),
        ("blinding", "blind", "one of 'open'"),
        ("data_level", "table", "one of 'arm'"),
        ("source_type", "blog", "one of 'primary'"),
        ("doi", "https://doi.org/10.1/x", "a DOI such as"),
        ("timepoint", "three weeks", "'<number> <unit>'"),
        ("source_locator", "", "a value"),
        ("source_quote", "", "the words of the paper"),
        ("effect_measure", "XYZ", "one of RR, OR"),
        ("study_id", "", "a value"),
    ],
)
def test_each_rule_names_line_column_value(small_rows, write_csv, column, value, expected):
    small_rows[0][column] = value
    problems = _problems(write_csv(small_rows))
    hits = [p for p in problems if p.column == column and expected in p.expected]
    assert hits, [str(p) for p in problems]
    assert hits[0].line == 2
    assert hits[0].value == value
    assert str(hits[0]).startswith(f"{write_csv(small_rows)}:2")


def test_negative_sd(small_rows, write_csv):
    small_rows[2]["sd_comparator"] = "-4.6"
    [problem] = _problems(write_csv(small_rows))
    assert (problem.line, problem.column, problem.value) == (4, "sd_comparator", "-4.6")
    assert problem.study_id == "beta2005"
    assert "standard deviation > 0" in problem.expected


def test_ci_must_contain_the_estimate(small_rows, write_csv):
    small_rows[3]["effect"] = "-3.0"
    [problem] = _problems(write_csv(small_rows))
    assert problem.column == "effect" and "inside its confidence interval" in problem.expected


def test_ratio_effects_are_positive(small_rows, write_csv):
    small_rows[3].update(effect_measure="OR", effect="-1.2", ci_low="-2.0", ci_high="-0.4")
    problems = _problems(write_csv(small_rows))
    assert {p.column for p in problems} == {"effect", "ci_low", "ci_high"}


def test_narrative_rows_hold_no_numbers(small_rows, write_csv):
    small_rows[4]["events_intervention"] = "10"
    [problem] = _problems(write_csv(small_rows))
    assert problem.column == "events_intervention" and "narrative" in problem.expected


def test_arm_rows_need_both_arms(small_rows, write_csv):
    small_rows[0]["events_comparator"] = ""
    [problem] = _problems(write_csv(small_rows))
    assert problem.column == "events_comparator" and "both arms" in problem.expected


def test_contrast_rows_need_effect_and_ci(small_rows, write_csv):
    small_rows[3]["ci_high"] = ""
    [problem] = _problems(write_csv(small_rows))
    assert problem.column == "ci_high" and "contrast" in problem.expected


def test_study_level_facts_agree_across_rows(small_rows, write_csv):
    small_rows[2]["year"] = "2006"
    [problem] = _problems(write_csv(small_rows))
    assert (
        problem.column == "year"
        and "one year per study_id" in problem.expected
        and problem.line == 4
    )


def test_duplicate_rows(small_rows, write_csv):
    small_rows.append(dict(small_rows[0]))
    [problem] = _problems(write_csv(small_rows))
    assert problem.line == 7 and "duplicate" in problem.expected


def test_several_problems_reported_together(small_rows, write_csv):
    small_rows[0]["events_intervention"] = "99"
    small_rows[1]["year"] = "3000"
    small_rows[2]["condition"] = "unknown"
    path = write_csv(small_rows)
    with pytest.raises(StudyDataError) as info:
        load_studies(path)
    message = str(info.value)
    # row 3 starts study beta2005 with year 3000, so row 4 (year 2005) also differs from it
    assert message.startswith(f"4 problems in {path}:")
    assert [p.line for p in info.value.problems] == [2, 3, 4, 4]


def test_missing_and_renamed_columns(small_rows, write_csv):
    for row in small_rows:
        row["n_trt"] = row.pop("n_intervention")
    problems = _problems(write_csv(small_rows))
    assert {(p.column, p.expected.split(" (")[0]) for p in problems} == {
        ("n_intervention", "this column in the header"),
        ("n_trt", "only the columns of data/README.md"),
    }
    assert all(p.line == 1 for p in problems)


def test_control_characters_rejected(small_rows, write_csv):
    small_rows[0]["notes"] = "bell\x07"
    [problem] = _problems(write_csv(small_rows))
    assert problem.column == "notes" and "control characters" in problem.expected


def test_validator_and_effect_sizes_refuse_the_same_zero_width_interval(small_rows, write_csv):
    from evsum.stats.effects import CI_RULE, compute_effects

    small_rows[3].update(effect="-1.2", ci_low="-1.2", ci_high="-1.2")  # gamma2010, contrast
    [problem] = _problems(write_csv(small_rows))
    assert (problem.line, problem.column) == (5, "ci_high") and CI_RULE in problem.expected
    typed = load_studies(write_csv([r for i, r in enumerate(small_rows) if i != 3])).data
    row = typed.iloc[[0]].assign(
        data_level="contrast", effect_measure="MD", effect=-1.2, ci_low=-1.2, ci_high=-1.2
    )
    with pytest.raises(ValueError, match=CI_RULE):
        compute_effects(row)


def test_keys_are_compared_as_analyses_compare_them(small_rows, write_csv):
    # an exact copy is a duplicate; one that differs only by spaces in a key and in a number
    # is a conflicting copy (which one an analysis pooled would depend on row order)
    small_rows.append(
        dict(small_rows[0], comparator="  midazolam   0.025 mg/kg IV ", events_intervention="11")
    )
    [problem] = _problems(write_csv(small_rows))
    assert (problem.line, problem.column) == (7, "study_id")
    assert "conflicting copy of line 2" in problem.expected
