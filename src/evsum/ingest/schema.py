"""Declarative schemas of the CSV input files and the one checker they drive.

Each input file is described once, as a :class:`FileSchema`: its columns in file order, each a
:class:`Column` with a type, whether every row needs a value, whether the column may be left
out, the values it accepts (a vocabulary, a pattern or a test, with the message for the
others) and its rules (:class:`Rule`: a vectorised test and the message); then the checks
that span columns or rows. :func:`check_file` runs them all and raises every problem at once,
each naming the file, the line, the row's id, the column, the value and what was expected.
``data/README.md`` documents the same columns, types and requiredness, and
``tests/ingest/test_schema_docs.py`` holds the two to each other.

The checker is vectorised: a check costs one operation per column, or one call per distinct
value (:class:`Distinct`), and only the flagged rows are visited one by one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evsum.exceptions import Problem, StudyDataError
from evsum.ingest.io import LINE

#: Control characters, C0, DEL and C1 (e.g. U+0085 next line, U+009B CSI); tab, line feed and
#: carriage return excepted: the CSV reader handles them.
CONTROL_PATTERN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Integers from 2**53 on are not all representable as floats (and overflow Int64 casts).
INTEGER_LIMIT = 2**53

#: Column types, with the words ``data/README.md`` starts a column's type with.
TYPES: dict[str, str] = {
    "text": "text",
    "integer": "integer",
    "number": "number",
    "count": "whole number",
    "vocabulary": "vocabulary",
    "boolean": "`true`/`false`",
    "slug": "slug",
    "doi": "DOI",
    "key": "key of `evsum.toml`",
    "timepoint": "time point",
    "list": "list",
    "id": "id",
    # a number checked by its file's own rule, not by the generic number checks
    "decimal": "number",
}
#: Types read as numbers (and checked as such: a number, finite, whole for integers).
NUMERIC_TYPES = ("integer", "number")


def one_of(values: Collection[str]) -> str:
    """``one of a, b, c`` (the words of an expectation)."""
    return "one of " + ", ".join(values)


def one_of_quoted(values: Collection[str]) -> str:
    """``one of 'a', 'b', 'c'``."""
    return "one of " + ", ".join(repr(v) for v in values)


@dataclass(frozen=True)
class Context:
    """What a file is checked against besides itself: the protocol and the other files.

    Any of them may be ``None`` (not known): the checks that need it are left out.
    """

    protocol: Any = None
    study_ids: Collection[str] | None = None
    reference_ids: Collection[str] | None = None
    reference_keys: Collection[str] | None = None


@dataclass(frozen=True)
class Values:
    """The values a column accepts and the message for any other.

    ``allowed`` is a vocabulary (a collection of values), a compiled pattern (which must match
    the whole cell: write it with ``\\Z``) or a test of one value. ``when`` says which cells
    are checked: ``"filled"`` (not blank), ``"nonempty"`` (not the empty string) or
    ``"always"`` (an empty cell is then reported too, besides any required-value problem).
    With ``strip`` the cell is checked and shown without its surrounding spaces.
    """

    allowed: Collection[str] | re.Pattern[str] | Callable[[str], Any]
    expected: str
    when: str = "filled"
    strip: bool = False


@dataclass(frozen=True)
class Rule:
    """A rule of one column: rows where ``flags(values, table)`` holds are reported.

    ``values`` are the column's numbers (numeric types) or its text; the rule reports in
    ``column`` (default: the column it is declared on) with ``expected``, showing ``value``
    (default: the cell).
    """

    flags: Callable[[pd.Series, Table], Any]
    expected: str
    column: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Column:
    """One column of an input file.

    Attributes
    ----------
    name : str
        As in the header.
    type : str
        One of :data:`TYPES`.
    required : bool
        Every row holds a value.
    optional : bool
        The column may be left out of the header (it then reads as empty cells).
    values : Values or callable, optional
        The values it accepts, or a function of the :class:`Context` giving them (``None``
        when the context cannot say, e.g. without a protocol).
    rules : tuple of Rule
        Further rules, in order.
    """

    name: str
    type: str = "text"
    required: bool = False
    optional: bool = False
    values: Values | Callable[[Context], Values | None] | None = None
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"type must be one of {sorted(TYPES)}; got {self.type!r}")

    def refuses_empty(self, context: Context | None = None) -> bool:
        """Whether an empty cell is a problem: the column is required, or its accepted
        values (as ``context`` gives them) are checked on every cell."""
        values = self.values(context or Context()) if callable(self.values) else self.values
        return self.required or (values is not None and values.when == "always")


def check_header(
    frame: pd.DataFrame, source: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[Problem]:
    """Problems with the header: each missing column (other than the ``optional`` ones),
    each column not in ``columns``."""
    header = [c for c in frame.columns if c != LINE]
    problems = [
        Problem(source, 1, c, None, "this column in the header (see data/README.md)")
        for c in columns
        if c not in header and c not in optional
    ]
    problems += [
        Problem(
            source, 1, c, c, "only the columns of data/README.md (misspelled or renamed column?)"
        )
        for c in header
        if c not in columns
    ]
    return problems


def _header(frame: pd.DataFrame, source: str, schema: FileSchema) -> tuple[list[Problem], bool]:
    """The default header check: every problem stops the file."""
    problems = check_header(frame, source, schema.names, schema.optional)
    return problems, bool(problems)


@dataclass(frozen=True)
class FileSchema:
    """One input file: its columns and the checks that span columns or rows.

    Attributes
    ----------
    name : str
        The file's name in an evidence base (``studies.csv``).
    columns : tuple of Column
        In file order.
    checks : tuple of callable
        ``check(table)`` for each rule across columns or rows, in order; each adds its
        problems with :meth:`Table.add`.
    id_column : str or None
        The column naming a row's study (or claim) in messages.
    required_expected : str
        The message for an empty required cell.
    show_blank : bool
        Show an empty required cell as it is (spaces and all) rather than as ``''``.
    needs_rows : str
        What a file without a record lacks (empty: such a file is valid).
    header : callable
        ``header(frame, source, schema)`` -> (problems, whether they stop the file).
    """

    name: str
    columns: tuple[Column, ...]
    checks: tuple[Callable[[Table], None], ...] = ()
    id_column: str | None = "study_id"
    required_expected: str = "a value (this column may not be empty)"
    show_blank: bool = False
    needs_rows: str = ""
    header: Callable[[pd.DataFrame, str, FileSchema], tuple[list[Problem], bool]] = field(
        default=_header
    )

    @property
    def names(self) -> tuple[str, ...]:
        """Column names, in file order."""
        return tuple(c.name for c in self.columns)

    @property
    def optional(self) -> tuple[str, ...]:
        """Columns that may be left out of the header."""
        return tuple(c.name for c in self.columns if c.optional)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns that must hold a value in every row."""
        return tuple(c.name for c in self.columns if c.required)

    def of_type(self, *types: str) -> tuple[str, ...]:
        """Columns of these types, in file order."""
        return tuple(c.name for c in self.columns if c.type in types)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return next(c for c in self.columns if c.name == name)


class Distinct:
    """A column factorised once, so that each check runs once per distinct value.

    Columns repeat few values many times (vocabularies, empty cells), so a check costs one
    call per distinct value rather than one per row.
    """

    def __init__(self, values: pd.Series):
        self.values = values.to_numpy(dtype=object)
        self.codes, self.uniques = pd.factorize(self.values, use_na_sentinel=False)

    def map(self, func: Callable[[Any], Any]) -> np.ndarray:
        """``func`` of every row's value (object array)."""
        results = np.empty(len(self.uniques), dtype=object)
        results[:] = [func(u) for u in self.uniques]
        return np.asarray(results[self.codes])

    def flags(self, func: Callable[[Any], Any]) -> np.ndarray:
        """Where ``func`` of the row's value is true (bool array)."""
        found = np.fromiter(
            (bool(func(u)) for u in self.uniques), dtype=bool, count=len(self.uniques)
        )
        return np.asarray(found[self.codes], dtype=bool)

    def has_control(self) -> np.ndarray:
        """Where the value holds a control character."""
        # one scan of the whole column ("\n" is allowed, so it may join the cells); value by
        # value only when that scan finds something
        if not CONTROL_PATTERN.search("\n".join(map(str, self.uniques))):
            return np.zeros(len(self.values), dtype=bool)
        return self.flags(lambda v: CONTROL_PATTERN.search(str(v)))

    def numbers(self, index: pd.Index) -> pd.Series:
        """The values as floats (NaN where empty or not a number)."""
        parsed = pd.to_numeric(
            pd.Series([u.strip() or np.nan for u in self.uniques], dtype=object), errors="coerce"
        )
        return pd.Series(parsed.to_numpy(dtype=float)[self.codes], index=index)


class Table:
    """One file being checked: its cells, views of them, and the problems found so far.

    Rows are addressed by their position in the frame; only flagged rows are visited one by
    one, so a large file of valid rows costs only the vectorised checks.
    """

    def __init__(self, schema: FileSchema, frame: pd.DataFrame, source: str, context: Context):
        self.schema = schema
        self.frame = frame
        self.source = source
        self.context = context
        self.problems: list[Problem] = []
        self.text = frame[list(schema.names)].astype(object)
        #: Column -> rows whose value it does not accept (see :class:`Values`).
        self.unaccepted: dict[str, np.ndarray] = {}
        self._lines: np.ndarray = frame[LINE].to_numpy()
        self._ids = (
            frame[schema.id_column].to_numpy(dtype=object)
            if schema.id_column in frame
            else np.full(len(frame), None, dtype=object)
        )
        self._distinct: dict[str, Distinct] = {}
        self._blank: dict[str, np.ndarray] = {}
        self.numbers: dict[str, pd.Series] = {}

    def distinct(self, column: str) -> Distinct:
        """The column factorised (computed once)."""
        if column not in self._distinct:
            self._distinct[column] = Distinct(self.text[column])
        return self._distinct[column]

    def blank(self, column: str) -> np.ndarray:
        """Where the cell is empty or spaces only."""
        if column not in self._blank:
            self._blank[column] = self.distinct(column).flags(lambda v: not v.strip())
        return self._blank[column]

    def number(self, column: str) -> pd.Series:
        """The column as floats (NaN where empty or not a number; computed once)."""
        if column not in self.numbers:
            self.numbers[column] = self.distinct(column).numbers(self.text.index)
        return self.numbers[column]

    def add(
        self,
        mask: pd.Series | np.ndarray,
        column: str | None,
        expected: str | np.ndarray,
        *,
        value: str | np.ndarray | None = None,
        value_column: str | None = None,
    ) -> None:
        """A problem for each row where ``mask`` holds.

        The value shown is ``value`` (one for all rows, or one per row), else the cell of
        ``value_column``, else that of ``column``. ``expected`` is one text or one per row.
        """
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return
        if value is None:
            shown = value_column or column
            values = None if shown is None else self.frame[shown].to_numpy(dtype=object)
        else:
            values = value if isinstance(value, np.ndarray) else np.full(len(self.frame), value)
        for position in positions:
            cell = None if values is None else str(values[position])
            what = expected if isinstance(expected, str) else str(expected[position])
            self.problems.append(
                Problem(
                    self.source,
                    int(self._lines[position]),
                    column,
                    cell,
                    what,
                    self._ids[position] or None,
                )
            )

    def any_unaccepted(self, columns: Collection[str]) -> np.ndarray:
        """Rows with a value one of ``columns`` does not accept."""
        flags = [self.unaccepted[c] for c in columns if c in self.unaccepted]
        return np.logical_or.reduce(flags) if flags else np.zeros(len(self.frame), dtype=bool)

    def add_item(self, position: int | np.integer, column: str, value: str, expected: str) -> None:
        """One problem about one item of a cell (e.g. of a ``;``-separated list)."""
        self.problems.append(
            Problem(
                self.source,
                int(self._lines[position]),
                column,
                value,
                expected,
                self._ids[position] or None,
            )
        )


# --- the checker ---------------------------------------------------------------------------


def _check_numbers(table: Table, column: Column) -> None:
    name = column.name
    value, blank = table.number(name), table.blank(name)
    table.add(~blank & value.isna(), name, "a number")
    table.add(~blank & value.notna() & ~np.isfinite(value), name, "a finite number")
    if column.type != "integer":
        return
    finite = value.notna() & np.isfinite(value)
    table.add(finite & (value != value.round()), name, "a whole number")
    table.add(
        finite & (value.abs() >= INTEGER_LIMIT),
        name,
        f"a whole number below {INTEGER_LIMIT:,} (larger ones lose digits)",
    )


def split_list(value: str) -> list[str]:
    """The ``;``-separated items of a cell, stripped, empty ones left out."""
    return [part.strip() for part in value.split(";") if part.strip()]


def _test(
    allowed: Collection[str] | re.Pattern[str] | Callable[[str], Any],
) -> Callable[[str], Any]:
    if isinstance(allowed, re.Pattern):
        return allowed.match
    if callable(allowed):
        return allowed
    return set(allowed).__contains__


def _accepts(table: Table, column: str, values: Values) -> np.ndarray:
    """Where the cell is accepted (or not checked)."""
    text = table.text[column]
    distinct = Distinct(text.str.strip()) if values.strip else table.distinct(column)
    ok = distinct.flags(_test(values.allowed))
    if values.when == "filled":
        return np.asarray(ok | table.blank(column), dtype=bool)
    if values.when == "nonempty":
        return np.asarray(ok | (text == "").to_numpy(), dtype=bool)
    return ok


def _check_items(table: Table, column: str, values: Values) -> None:
    """A ``list`` column: one problem per item not accepted, showing the item."""
    test = _test(values.allowed)
    distinct = table.distinct(column)
    unknown = distinct.map(lambda v: [i for i in split_list(v) if not test(i)])
    for position in np.flatnonzero(
        distinct.flags(lambda v: any(not test(i) for i in split_list(v)))
    ):
        for item in unknown[position]:
            table.add_item(position, column, item, values.expected)


def _check_values(table: Table, column: Column) -> None:
    values = column.values
    if callable(values):
        values = values(table.context)
    if values is None:
        return
    if column.type == "list":
        _check_items(table, column.name, values)
        return
    bad = ~_accepts(table, column.name, values)
    table.unaccepted[column.name] = bad
    shown = table.text[column.name].str.strip().to_numpy(dtype=object) if values.strip else None
    table.add(bad, column.name, values.expected, value=shown)


def check_rows(schema: FileSchema, frame: pd.DataFrame, source: str, context: Context) -> Table:
    """Run every check of ``schema`` on a frame whose header is known to be right.

    The phases, in order: control characters in every column, required values, number
    formats, each column's rules, accepted values, then the schema's checks across columns
    and rows. The problems are left in :attr:`Table.problems`, in the order found.
    """
    table = Table(schema, frame, source, context)
    for column in schema.columns:
        control = table.distinct(column.name).has_control()
        table.add(control, column.name, "text without control characters")
    for column in schema.columns:
        if column.required:
            table.add(
                table.blank(column.name),
                column.name,
                schema.required_expected,
                value=None if schema.show_blank else "",
            )
    for column in schema.columns:
        if column.type in NUMERIC_TYPES:
            _check_numbers(table, column)
    for column in schema.columns:
        values = table.number(column.name) if column.type in NUMERIC_TYPES else None
        for rule in column.rules:
            shown = values if values is not None else table.text[column.name]
            table.add(
                rule.flags(shown, table),
                rule.column or column.name,
                rule.expected,
                value=rule.value,
            )
    for column in schema.columns:
        _check_values(table, column)
    for check in schema.checks:
        check(table)
    return table


def in_line_order(problems: list[Problem]) -> list[Problem]:
    """Problems by line (stable: in the order found within a line); whole-file ones last."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def check_file(
    schema: FileSchema, frame: pd.DataFrame, source: str, context: Context | None = None
) -> tuple[pd.DataFrame, Table]:
    """Check a file read by :func:`evsum.ingest.io.read_csv_records` against its schema.

    Returns
    -------
    (frame, table)
        The frame with every optional column it left out added as empty cells, and the
        checked :class:`Table` (its parsed numbers, for typing).

    Raises
    ------
    StudyDataError
        Every problem, in line order: a header problem that stops the file alone, else every
        problem of the rows.
    """
    problems, stop = schema.header(frame, source, schema)
    if stop:
        raise StudyDataError(source, problems)
    # an optional column left out reads as empty cells ("not recorded")
    frame = frame.assign(**{c: "" for c in schema.optional if c not in frame.columns})
    frame = frame.reset_index(drop=True)
    if schema.needs_rows and frame.empty:
        raise StudyDataError(
            source, [Problem(source, None, None, "no records", schema.needs_rows)]
        )
    table = check_rows(schema, frame, source, context or Context())
    problems += table.problems
    if problems:
        raise StudyDataError(source, in_line_order(problems))
    return frame, table
