"""Parsing: encodings, line endings, malformed records, with the line a user sees."""

import pytest

from evsum import StudyDataError
from evsum.ingest.io import read_csv_records

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


def test_byte_order_mark(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER.encode())
    assert "byte-order mark" in _one_problem(path).value


def test_latin1_file_names_the_line(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes((HEADER + "a,ok\nb,caf\xe9\n").encode("latin-1"))
    problem = _one_problem(path)
    assert problem.line == 3 and "UTF-8" in problem.expected


def test_windows_line_endings(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(HEADER.replace("\n", "\r\n").encode() + b"a,b\r\n")
    problem = _one_problem(path)
    assert problem.line == 1 and "Unix line endings" in problem.expected


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
