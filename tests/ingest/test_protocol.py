"""The protocol file (evsum.toml): validated like the CSV files, and the review's vocabularies."""

import shutil

import pytest

from evsum import StudyDataError
from evsum.ingest.protocol import (
    BUILTIN_TIMEPOINTS,
    find_base,
    load_protocol,
    parse_protocol,
    resolve_base,
)
from evsum.ingest.studies import load_studies

from conftest import ROOT, SMALL, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")


def _problems(text: str) -> list:
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    return info.value.problems


def test_the_fixture_and_the_repository_protocols_are_valid():
    protocol = load_protocol(SMALL_PROTOCOL)
    assert list(protocol.conditions) == ["alcohol", "cocaine"]
    assert protocol.higher_is_better("abstinence") and not protocol.higher_is_better("craving")
    assert protocol.outcome_importance("abstinence") == "critical"
    assert load_protocol(ROOT).title
    assert load_protocol(ROOT / "examples" / "bcg-vaccine").intervention == "BCG vaccine"


def test_every_problem_at_once_with_line_key_value_and_expectation():
    text = (
        GOOD.replace('type = "binary"', 'type = "dichotomous"')
        .replace('importance = "important"', 'importance = "high"')
        .replace("higher_is_better = true", 'higher_is_better = "yes"')
        .replace('label = "Craving"', 'label = "Craving"\ndirection = "down"')
    )
    problems = _problems(text)
    lines = text.splitlines()
    found = {p.column: p for p in problems}
    assert set(found) == {
        "outcomes.abstinence.type",
        "outcomes.craving.importance",
        "outcomes.abstinence.higher_is_better",
        "outcomes.craving.direction",
    }
    kind = found["outcomes.abstinence.type"]
    assert (kind.value, kind.source) == ("dichotomous", "evsum.toml")
    assert "binary, continuous, time_to_event, count" in kind.expected
    # the line is the key's line in the file, as an editor shows it
    assert lines[kind.line - 1].startswith('type = "dichotomous"')
    assert lines[found["outcomes.craving.importance"].line - 1] == 'importance = "high"'
    assert "critical, important, not important" in found["outcomes.craving.importance"].expected
    assert "true or false" in found["outcomes.abstinence.higher_is_better"].expected
    assert "misspelled key" in found["outcomes.craving.direction"].expected
    assert str(kind).startswith(
        f"evsum.toml:{kind.line} outcomes.abstinence.type: got 'dichotomous'; expected one of"
    )


def test_required_keys_and_tables():
    problems = _problems('[review]\ntitle = "T"\n')
    text = "\n".join(str(p) for p in problems)
    for key in ("question", "intervention", "comparator"):
        assert f"a key '{key}' (text) in [review]" in text
    assert "at least one [conditions.KEY] table" in text
    assert "at least one [outcomes.KEY] table" in text


def test_missing_label_and_direction_name_their_table():
    text = GOOD.replace('label = "Craving"\n', "").replace("higher_is_better = false\n", "")
    problems = _problems(text)
    messages = [str(p) for p in problems]
    header = text.splitlines().index("[outcomes.craving]") + 1
    assert all(p.line == header for p in problems), messages
    assert any("a key 'label' (text) in [outcomes.craving]" in m for m in messages)
    assert any("a key 'higher_is_better' (true or false)" in m for m in messages)


def test_toml_syntax_error_names_its_line():
    [problem] = _problems(GOOD.replace('title = "Fixture review"', 'title = "Fixture review'))
    assert problem.line == 4 and "valid TOML" in problem.expected


def test_comparison_keys_and_named_time_points_are_checked():
    text = GOOD + '\n[comparisons]\n"sham" = "sham procedure"\n\n[timepoints]\n"6 weeks" = "x"\n'
    found = {p.column: p for p in _problems(text)}
    assert "a comparator_type" in found["comparisons.sham"].expected
    assert "not '<number> <unit>'" in found["timepoints.6 weeks"].expected


def test_named_time_points_built_in_and_declared():
    protocol = parse_protocol(GOOD + '\n[timepoints]\n"end of season" = "end of the season"\n')
    assert set(BUILTIN_TIMEPOINTS) == {"end of treatment", "end of follow-up", "discharge"}
    for value in ("3 weeks", "24 h", "end of follow-up", "discharge", "end of season"):
        assert protocol.is_timepoint(value), value
    assert not protocol.is_timepoint("three weeks")


def test_conditions_and_outcomes_of_the_data_come_from_the_protocol(
    small_rows, write_csv, tmp_path
):
    small_rows[0]["condition"] = "gambling"
    small_rows[1]["timepoint"] = "end of treatment"
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    with pytest.raises(StudyDataError) as info:
        load_studies(write_csv(small_rows))
    [problem] = info.value.problems
    assert (problem.line, problem.column, problem.value) == (2, "condition", "gambling")
    assert problem.expected.startswith("one of 'alcohol', 'cocaine' (the conditions of ")
    # a condition the protocol declares is accepted: the library holds no list of conditions
    (tmp_path / "evsum.toml").write_text(
        GOOD + '\n[conditions.gambling]\nlabel = "Gambling disorder"\n', encoding="utf-8"
    )
    assert "gambling" in load_studies(write_csv(small_rows)).conditions


def test_a_trial_from_1900_is_plausible(small_rows, write_csv, tmp_path):
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    small_rows[0]["year"] = "1900"  # alpha2001 has one row
    assert load_studies(write_csv(small_rows)).data["year"].iloc[0] == 1900


def test_the_base_is_found_from_any_folder_inside_it(tmp_path, monkeypatch):
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    (tmp_path / "notebooks" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "deeper")
    assert find_base() == tmp_path.resolve()
    assert find_base(SMALL) == SMALL.parent
    assert resolve_base(tmp_path) == tmp_path


def test_no_base_is_a_clear_problem(tmp_path):
    with pytest.raises(StudyDataError, match="create a base with `evsum new DIR`"):
        resolve_base(tmp_path)


def test_the_data_date_is_a_calendar_date():
    with_date = GOOD.replace(
        'comparator = "comparator"\n', 'comparator = "comparator"\ndata_date = 2026-12-01\n', 1
    )
    assert parse_protocol(with_date).data_date == "2026-12-01"
    quoted = with_date.replace("data_date = 2026-12-01", 'data_date = "2026-12-01"')
    assert parse_protocol(quoted).data_date == "2026-12-01"
    assert parse_protocol(GOOD).data_date == ""
    bad = with_date.replace("data_date = 2026-12-01", 'data_date = "1 Dec 2026"')
    (problem,) = _problems(bad)
    assert problem.column == "review.data_date" and problem.value == "1 Dec 2026"
    assert "YYYY-MM-DD" in problem.expected
    assert bad.splitlines()[problem.line - 1] == 'data_date = "1 Dec 2026"'
    (impossible,) = _problems(with_date.replace("2026-12-01", '"2026-02-30"'))
    assert impossible.value == "2026-02-30"
    # both evidence bases of the repository record theirs
    assert load_protocol(ROOT).data_date
    assert load_protocol(ROOT / "examples" / "bcg-vaccine").data_date
