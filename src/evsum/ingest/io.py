"""Reading input files. Parsing only: no checks beyond what parsing needs.

Every reader keeps, for each record, the line a user sees in a text editor or spreadsheet
(``line``; the header is line 1), so that validation can point at it.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from evsum.exceptions import Problem, StudyDataError

LINE = "line"


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _decode(raw: bytes, source: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise StudyDataError(source, [Problem(
            source, 1, None, "UTF-8 byte-order mark",
            "UTF-8 without a byte-order mark (save as 'CSV UTF-8' without BOM)")])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StudyDataError(source, [Problem(
            source, 1, None, "UTF-16 byte-order mark", "a UTF-8 text file")])
    if b"\x00" in raw[:2]:  # a text file starts with a character; UTF-16 puts a NUL beside it
        raise StudyDataError(source, [Problem(
            source, 1, None, "NUL bytes (UTF-16 without a byte-order mark?)",
            "a UTF-8 text file")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        column, cell = _undecodable_cell(raw, err.start)
        raise StudyDataError(source, [Problem(
            source, line, column, cell,
            f"UTF-8 text (byte 0x{raw[err.start]:02x} is not UTF-8: the file looks like "
            "another encoding, e.g. Latin-1 or Windows-1252; save it as UTF-8)",
        )]) from None


def _undecodable_cell(raw: bytes, position: int) -> tuple[str | None, str]:
    """The column and the text (bad bytes shown as U+FFFD) of the cell holding ``position``."""
    start = raw.rfind(b"\n", 0, position) + 1
    end = raw.find(b"\n", position)
    line = raw[start : len(raw) if end < 0 else end].decode("utf-8", "replace")
    before = raw[start:position].decode("utf-8", "replace")
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
    try:
        index = len(next(csv.reader([before]))) - 1 if before else 0
        cell = next(csv.reader([line]))[index]
    except (csv.Error, IndexError, StopIteration):
        return None, line
    return (header[index] if index < len(header) else None), cell


def read_csv_records(path: str | Path, *, source: str | None = None) -> pd.DataFrame:
    """Read a CSV file into a frame of strings, one column ``line`` added.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8, comma separated, header row).
    source : str, optional
        How to name the file in messages; defaults to ``str(path)``.

    Returns
    -------
    pandas.DataFrame
        All header columns as ``str`` (empty cells are ``""``) plus ``line`` (int): the line on
        which the record starts.

    Raises
    ------
    StudyDataError
        The file is missing, empty, not UTF-8, has Windows line endings, a BOM, duplicate header
        names, or records with a different number of fields than the header.
    """
    source = str(path) if source is None else source
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise StudyDataError(source, [Problem(source, None, None, None,
                                              f"a readable file ({err.strerror})")]) from None
    text = _decode(raw, source)
    if not text.strip():
        raise StudyDataError(source, [Problem(source, None, None, "an empty file",
                                              "a header row and at least one record")])
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        raise StudyDataError(source, [Problem(
            source, line, None, "a carriage return (Windows or old Mac line ending)",
            "Unix line endings (\\n only); convert the file, e.g. with dos2unix")])
    reader = csv.reader(_lines(text), strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except csv.Error as err:
        raise StudyDataError(source, [Problem(source, 1, None, str(err),
                                              "a valid CSV header")]) from None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(Problem(source, 1, name, name, "each column name once in the header"))
        seen.add(name)
    records: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    # Millions of new lists would trigger the cyclic garbage collector over and over (a
    # 100 MB file parsed 4x slower); records hold only strings, so no cycles are created.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _read_records(reader, header, records, lines, problems, source, start)
    finally:
        if collecting:
            gc.enable()
    if problems:
        raise StudyDataError(source, problems)
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame[LINE] = lines
    return frame


def _read_records(reader, header: list[str], records: list[list[str]], lines: list[int],
                  problems: list[Problem], source: str, start: int) -> None:
    key = header.index("study_id") if "study_id" in header else None
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(Problem(source, start, None, str(err),
                                    "a well-formed CSV record (check quotes)"))
            break
        if record:
            if len(record) != len(header):
                study = record[key] if key is not None and key < len(record) else None
                problems.append(Problem(
                    source, start, None, f"{len(record)} fields",
                    f"{len(header)} fields as in the header (a half-written or shifted row?)",
                    study or None))
            else:
                records.append(record)
                lines.append(start)
        start = reader.line_num + 1


def _lines(text: str) -> io.StringIO:
    """A file object over ``text`` that splits records on ``\n`` only (not on U+2028)."""
    return io.StringIO(text, newline="")


def read_references(path: str | Path) -> list[dict]:
    """Read a CSL-JSON reference list (a JSON array of items with an ``id``)."""
    source = str(path)
    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StudyDataError(source, [Problem(source, None, None, str(err),
                                              "a CSL-JSON array of reference items")]) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise StudyDataError(source, [Problem(source, None, None, type(items).__name__,
                                              "a CSL-JSON array of objects, each with an 'id'")])
    return items


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file (e.g. a reference list to audit)."""
    source = str(path)
    return _decode(Path(path).read_bytes(), source)
