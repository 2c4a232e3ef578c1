"""Reading input files. Parsing only: no checks beyond what parsing needs.

Every reader keeps, for each record, the line a user sees in a text editor or spreadsheet
(``line``; the header is line 1), so that validation can point at it.

Files are read as people save them: a UTF-8 byte-order mark (Excel's "CSV UTF-8" always
writes one) is dropped and Windows line endings (``\\r\\n``, what Excel and Python's ``csv``
write) are read as ``\\n``; line numbers are those of the file as saved, and
:func:`file_sha256` digests the bytes as saved. Fields may be of any size.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from evsum.exceptions import Problem, StudyDataError

T = TypeVar("T")

if TYPE_CHECKING:
    import _csv

LINE = "line"
_BOM = b"\xef\xbb\xbf"
#: Delimiters a spreadsheet may use instead of the comma (European Excel: ';', "Text": tab).
OTHER_DELIMITERS = {";": "';'", "\t": "tab"}
#: Bytes that are not UTF-8, as ``surrogateescape`` decodes them.
_ESCAPED = re.compile("[\udc80-\udcff]")


class RecordsError(StudyDataError):
    """Some records of a CSV file could not be read; ``frame`` holds the others.

    Raised by :func:`read_csv_records` when the only problems are records with the wrong
    number of fields (or a broken quote), so that the readable records can still be
    validated and every problem of the file reported in one run.
    """

    def __init__(self, source: str, problems: list[Problem], frame: pd.DataFrame):
        super().__init__(source, problems)
        self.frame = frame


def read_with_partial(
    path: str | Path, validate: Callable[[pd.DataFrame], T], *, source: str | None = None
) -> T:
    """``validate(frame)`` of the CSV at ``path``, every problem of the file raised at once.

    When some records cannot be read (:class:`RecordsError`), the others are validated too
    and both kinds of problem are raised together, in line order.
    """
    source = str(path) if source is None else source
    try:
        frame = read_csv_records(path, source=source)
    except RecordsError as err:
        problems = list(err.problems)
        if not err.frame.empty:
            try:
                validate(err.frame)
            except StudyDataError as more:
                problems += more.problems
        raise StudyDataError(source, sorted(problems, key=lambda p: p.line or 0)) from None
    return validate(frame)


#: What a file that is not a regular file is, by its ``stat`` mode.
_FILE_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_a_regular_file(path: str | Path) -> Problem | None:
    """The problem of a path that exists but is not a regular file (a link to one counts)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    what = next((words for test, words in _FILE_KINDS if test(mode)), "not a file")
    return Problem(str(path), None, None, what, "a regular file")


def regular_file_bytes(path: str | Path, source: str | None = None) -> bytes:
    """The bytes of ``path`` if it is a regular file (a link to one counts).

    A FIFO would block the read forever and a device such as ``/dev/zero`` never end, so
    the file is opened without blocking and checked before it is read.

    Raises
    ------
    StudyDataError
        ``path`` is a folder, a FIFO, a device or a socket (naming it and what it is).
    OSError
        It cannot be opened or read.
    """
    source = str(path) if source is None else source
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except IsADirectoryError:
        handle = -1
    try:
        mode = os.stat(path).st_mode if handle < 0 else os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            what = next((words for test, words in _FILE_KINDS if test(mode)), "not a file")
            raise StudyDataError(source, [Problem(source, None, None, what, "a regular file")])
        with os.fdopen(handle, "rb", closefd=True) as stream:
            handle = -1
            return stream.read()
    finally:
        if handle >= 0:
            os.close(handle)


def file_sha256(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes (as saved: BOM and line endings included)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _decode(
    raw: bytes, source: str, problems: list[Problem] | None = None, *, csv_file: bool = True
) -> str:
    """The text of ``raw`` without a UTF-8 BOM.

    Undecodable bytes are reported, one problem per line holding them, into ``problems``
    (and decoded as U+FFFD so that parsing can go on) or, without ``problems``, raised.
    """
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise StudyDataError(
            source, [Problem(source, 1, None, "UTF-32 byte-order mark", "a UTF-8 text file")]
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StudyDataError(
            source, [Problem(source, 1, None, "UTF-16 byte-order mark", "a UTF-8 text file")]
        )
    if b"\x00" in raw[:2]:  # a text file starts with a character; UTF-16 puts a NUL beside it
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    1,
                    None,
                    "NUL bytes (UTF-16 without a byte-order mark?)",
                    "a UTF-8 text file",
                )
            ],
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # one pass: each byte that is not UTF-8 becomes a lone surrogate U+DC80..U+DCFF
    text = raw.decode("utf-8", "surrogateescape")
    found: list[Problem] = []
    end = text.find("\n")
    first = (text if end < 0 else text[:end]).rstrip("\r")
    # a CSV file's cells are named by its header; another file's first line names nothing
    header = next(csv.reader([_ESCAPED.sub("\ufffd", first)]), []) if csv_file else []
    line, counted, last_line = 1, 0, 0
    for match in _ESCAPED.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if line == last_line:
            continue
        last_line = line
        column, cell = _undecodable_cell(text, match.start(), header)
        if not csv_file:  # the whole line, not a comma-separated part of it
            column, cell = None, _line_at(text, match.start())
        found.append(
            Problem(
                source,
                line,
                column,
                cell,
                f"UTF-8 text (byte 0x{ord(match.group()) - 0xDC00:02x} is not UTF-8: the file "
                "looks like another encoding, e.g. Latin-1 or Windows-1252; save it as UTF-8)",
            )
        )
    if problems is None:
        raise StudyDataError(source, found)
    problems.extend(found)
    return _ESCAPED.sub("\ufffd", text)


def _undecodable_cell(text: str, position: int, header: list[str]) -> tuple[str | None, str]:
    """The column and the text (bad bytes shown as U+FFFD) of the cell holding ``position``."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    shown = _ESCAPED.sub("\ufffd", text[start : len(text) if end < 0 else end].rstrip("\r"))
    before = text[start:position]
    try:
        index = len(next(csv.reader([before]))) - 1 if before else 0
        cell = next(csv.reader([shown]))[index]
    except (csv.Error, IndexError, StopIteration):
        return None, shown
    return (header[index] if index < len(header) else None), cell


def _line_at(text: str, position: int) -> str:
    """The line holding ``position`` (bytes that are not UTF-8 shown as U+FFFD)."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return _ESCAPED.sub("\ufffd", text[start : len(text) if end < 0 else end].rstrip("\r"))


def _other_delimiter(header_line: str) -> str | None:
    """The delimiter a one-column header is evidently split by (``;`` or tab), if any."""
    if "," in header_line:
        return None
    counts = {d: header_line.count(d) for d in OTHER_DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def read_csv_records(path: str | Path, *, source: str | None = None) -> pd.DataFrame:
    """Read a CSV file into a frame of strings, one column ``line`` added.

    Parameters
    ----------
    path : str or Path
        The CSV file: UTF-8 (a byte-order mark is allowed), comma separated, a header row,
        ``\\n`` or ``\\r\\n`` line endings.
    source : str, optional
        How to name the file in messages; defaults to ``str(path)``.

    Returns
    -------
    pandas.DataFrame
        All header columns as ``str`` (empty cells are ``""``, ``\\r\\n`` inside quoted cells
        read as ``\\n``) plus ``line`` (int): the line on which the record starts.

    Raises
    ------
    StudyDataError
        With every problem found at once: the file is missing, empty, not UTF-8 (each line
        with bytes that are not), uses ';' or tab as delimiter, has a carriage return without
        a line feed, duplicate header names, or records with a different number of fields
        than the header. When only records are at fault it is a :class:`RecordsError`
        carrying the readable ones.
    """
    source = str(path) if source is None else source
    try:
        raw = regular_file_bytes(path, source)
    except OSError as err:
        raise StudyDataError(
            source, [Problem(source, None, None, None, f"a readable file ({err.strerror})")]
        ) from None
    problems: list[Problem] = []
    text = _decode(raw, source, problems)
    if not text.strip():
        raise StudyDataError(
            source,
            [Problem(source, None, None, "an empty file", "a header row and at least one record")],
        )
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(
            Problem(
                source,
                line,
                None,
                "a carriage return without a line feed (old Mac line ending)",
                "lines ending in \\n or \\r\\n; convert the file, e.g. with mac2unix",
            )
        )
        text = text.replace("\r", "\n")
    delimiter = _other_delimiter(text.split("\n", 1)[0])
    if delimiter is not None:
        shown = OTHER_DELIMITERS[delimiter]
        problems.append(
            Problem(
                source,
                1,
                None,
                f"{shown} as delimiter",
                f"comma-separated fields: {source} uses {shown} as delimiter; evsum reads "
                "comma-separated files (in Excel save as 'CSV UTF-8 (Comma delimited)', in "
                "LibreOffice choose ',' as field delimiter)",
            )
        )
        raise StudyDataError(source, problems)
    # A field is never longer than the file; the limit exists only to catch runaway quotes,
    # which the record check reports anyway.
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(min(len(text) + 1, sys.maxsize))
    reader = csv.reader(_lines(text), strict=True)
    try:
        header = next(reader)
    except csv.Error as err:
        raise StudyDataError(
            source, [*problems, Problem(source, 1, None, str(err), "a valid CSV header")]
        ) from None
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
        record_problems: list[Problem] = []
        _read_records(reader, header, records, lines, record_problems, source, start)
        problems += record_problems
    finally:
        if collecting:
            gc.enable()
    frame = pd.DataFrame(records, columns=header, dtype=object)
    frame[LINE] = lines
    if problems:
        if len(problems) != len(record_problems):  # decoding, line endings, header
            raise StudyDataError(source, sorted(problems, key=lambda p: p.line or 0))
        raise RecordsError(source, problems, frame)
    return frame


def _read_records(
    reader: _csv.Reader,
    header: list[str],
    records: list[list[str]],
    lines: list[int],
    problems: list[Problem],
    source: str,
    start: int,
) -> None:
    key = header.index("study_id") if "study_id" in header else None
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(
                Problem(source, start, None, str(err), "a well-formed CSV record (check quotes)")
            )
            break
        if record:
            if len(record) != len(header):
                study = record[key] if key is not None and key < len(record) else None
                problems.append(
                    Problem(
                        source,
                        start,
                        None,
                        f"{len(record)} fields",
                        f"{len(header)} fields as in the header (a half-written or shifted row?)",
                        study or None,
                    )
                )
            else:
                records.append(record)
                lines.append(start)
        start = reader.line_num + 1


def _lines(text: str) -> io.StringIO:
    """A file object over ``text`` that splits records on ``\n`` only (not on U+2028)."""
    return io.StringIO(text, newline="")


def _not_json_constant(name: str) -> float:
    raise ValueError(f"{name} (not JSON: RFC 8259 has no NaN or Infinity)")


def read_references(path: str | Path) -> list[dict[str, Any]]:
    """Read a CSL-JSON reference list (a JSON array of items with an ``id``).

    Raises
    ------
    StudyDataError
        The file is unreadable, not JSON (``NaN`` and ``Infinity`` are not JSON), nested too
        deeply to read, not an array of objects with an ``id``, or holds an id twice.
    """
    source = str(path)
    try:
        text = _decode(regular_file_bytes(path, source), source, csv_file=False)
    except OSError as err:
        raise StudyDataError(
            source, [Problem(source, None, None, None, f"a readable file ({err.strerror})")]
        ) from None
    try:
        items = json.loads(text, parse_constant=_not_json_constant)
    except json.JSONDecodeError as err:
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    err.lineno,
                    None,
                    err.msg,
                    f"a CSL-JSON array of reference items (column {err.colno})",
                )
            ],
        ) from None
    except ValueError as err:
        raise StudyDataError(
            source, [Problem(source, None, None, str(err), "a CSL-JSON array of reference items")]
        ) from None
    except RecursionError:
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    None,
                    None,
                    "JSON nested too deeply to read",
                    "a CSL-JSON array of reference items (CSL-JSON nests a few levels)",
                )
            ],
        ) from None
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise StudyDataError(
            source,
            [
                Problem(
                    source,
                    None,
                    None,
                    type(items).__name__,
                    "a CSL-JSON array of objects, each with an 'id'",
                )
            ],
        )
    seen: set[str] = set()
    problems = []
    for position, item in enumerate(items, start=1):
        key = item["id"]
        if not isinstance(key, str):
            problems.append(
                Problem(source, None, "id", repr(key), f"a text id (item {position} of the array)")
            )
        elif key in seen:
            problems.append(
                Problem(source, None, "id", key, f"each id once (item {position} repeats it)")
            )
        seen.add(key if isinstance(key, str) else repr(key))
    from evsum.ingest.csl import csl_problems  # field types and control characters

    problems += csl_problems(items, source)
    if problems:
        raise StudyDataError(source, problems)
    return items


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file (e.g. a reference list to audit); a BOM is dropped."""
    source = str(path)
    return _decode(regular_file_bytes(path, source), source, csv_file=False)
