"""Parsing: encodings, line endings, malformed records, with the line a user sees."""

import hashlib

import pytest

from evsum import StudyDataError
from evsum.ingest.io import file_sha256, read_csv_records

HEADER = "study_id,notes\n"


def _one_problem(path):
    with pytest.raises(StudyDataError) as info:
        read_csv_records(path)
    [problem] = info.value.problems
    return problem


def test_lines_follow_multiline_quoted_fields(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + 'a,"two\nlines"\nb,x\n', encoding="utf-8")
    frame = read_csv_records(path)
    assert list(frame["line"]) == [2, 4]
    assert frame.loc[0, "notes"] == "two\nlines"


def test_unicode_line_separator_is_text_not_a_new_record(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "a,left\u2028right \u202eRTL\n", encoding="utf-8")
    frame = read_csv_records(path)
    assert frame.loc[0, "notes"] == "left\u2028right \u202eRTL"


def test_empty_file(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("", encoding="utf-8")
    assert "an empty file" in str(_one_problem(path))


def test_latin1_file_names_the_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes((HEADER + "a,ok\nb,caf\xe9\n").encode("latin-1"))
    problem = _one_problem(path)
    assert problem.line == 3 and "UTF-8" in problem.expected


def test_windows_line_endings_and_a_byte_order_mark_are_read_as_saved(tmp_path):
    # Excel's "CSV UTF-8": BOM + CRLF; an in-cell line break is a bare LF inside quotes
    path = tmp_path / "s.csv"
    data = b"\xef\xbb\xbf" + b'study_id,notes\r\na,"two\nlines"\r\nb,"x\r\ny"\r\nc,z\r\n'
    path.write_bytes(data)
    frame = read_csv_records(path)
    assert list(frame.columns) == ["study_id", "notes", "line"]
    assert list(frame["line"]) == [2, 4, 6]  # lines 1..7 as an editor numbers them
    assert list(frame["notes"]) == ["two\nlines", "x\ny", "z"]
    # provenance is of the bytes as saved (the BOM and CRs included)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_a_lone_carriage_return_is_named(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"study_id,notes\ra,b\r")
    problem = _one_problem(path)
    assert problem.line == 1 and "old Mac" in problem.value


@pytest.mark.parametrize(("delimiter", "shown"), [(";", "';'"), ("\t", "tab")])
def test_another_delimiter_is_said_once(tmp_path, delimiter, shown):
    path = tmp_path / "s.csv"
    path.write_text(f"study_id{delimiter}notes\na{delimiter}b\nc{delimiter}d\n", encoding="utf-8")
    problem = _one_problem(path)
    assert problem.line == 1 and problem.value == f"{shown} as delimiter"
    assert f"{path} uses {shown} as delimiter; evsum reads comma-separated" in problem.expected


def test_a_field_of_200k_characters_is_accepted(tmp_path):
    path = tmp_path / "s.csv"
    big = "x" * 200_000
    path.write_text(f'{HEADER}a,"{big}"\nb,y\n', encoding="utf-8")
    frame = read_csv_records(path)
    assert frame.loc[0, "notes"] == big and list(frame["line"]) == [2, 3]


def test_every_line_that_is_not_utf8_is_named_with_other_problems(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes((HEADER + "a,caf\xe9\nb,ok\nc,na\xefve\nd\n").encode("latin-1"))
    with pytest.raises(StudyDataError) as info:
        read_csv_records(path)
    found = [(p.line, p.column, p.value) for p in info.value.problems]
    assert found == [(2, "notes", "caf\ufffd"), (4, "notes", "na\ufffdve"), (5, None, "1 fields")]


def test_half_written_row(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "a,b\nc", encoding="utf-8")
    problem = _one_problem(path)
    assert problem.line == 3 and problem.value == "1 fields"


def test_unterminated_quote(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + 'a,"never closed\n', encoding="utf-8")
    assert _one_problem(path).line == 2


def test_duplicate_header(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("study_id,study_id\na,b\n", encoding="utf-8")
    assert _one_problem(path).column == "study_id"


def test_missing_file(tmp_path):
    assert "readable file" in str(_one_problem(tmp_path / "nope.csv"))
