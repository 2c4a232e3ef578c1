"""Declarative schema of a TOML file (the protocol, ``evsum.toml``) and the checker it drives.

A file is a tuple of sections, each one of three kinds:

- :class:`TableSection`, one table of keys (``[review]``);
- :class:`KeyedTables`, one table per KEY of the data (``[conditions.KEY]``), all with the
  same keys;
- :class:`TextMapping`, ``NAME = "text"`` pairs (``[timepoints]``);

and, for a section they do not describe, :class:`CustomSection` (a function of its own that
reads the table with the same :class:`TomlChecker`).

Each :class:`Key` states its type, whether it is required, its vocabulary or rule and the
message for a value that breaks it. Each section turns what it read into keyword arguments of
the object the file describes (``build``), so a new section is one more entry in the file's
tuple of sections and one more field of that object. Problems name the file, the line of the
key (else of its table), the dotted key, the value and what was expected, as for the CSV
files; :func:`evsum.ingest.protocol.parse_protocol` raises them all at once.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from evsum.exceptions import Problem

#: Key types, with the words ``data/README.md`` starts a key's type with.
KEY_TYPES: dict[str, str] = {
    "text": "text",
    "vocabulary": "vocabulary",
    "boolean": "`true`/`false`",
    "text list": "list of text",
    "number": "number",
    "date": "date",
}

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part


def _split_dotted(name: str) -> tuple[str, ...]:
    return tuple(_unquote(p) for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', name))


def _keyed_lines(text: str) -> Iterator[tuple[int, tuple[str, ...], str | None]]:
    """Each table header and key line of a TOML text: its number (1-based), the table it
    is in (a header's own) and its key (``None`` for a header)."""
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TABLE.match(line)
        if match:
            current = _split_dotted(match.group(1))
            yield number, current, None
            continue
        found = _KEY.match(line)
        if found:
            yield number, current, _unquote(found.group(1))


def locate(text: str, table: tuple[str, ...], key: str | None = None) -> int | None:
    """Line (1-based) of ``key`` in ``[table]`` (or of the table's header), else ``None``."""
    header_line = None
    for number, current, name in _keyed_lines(text):
        if current != table:
            continue
        if name is None:
            header_line = number
        elif key is not None and name == key:
            return number
    return header_line


def locate_inline(text: str, table: tuple[str, ...], key: str | None) -> int | None:
    """Line of ``key`` in ``[table]``, else of the key of an inline table ``name = {...}``
    in the parent table, else of the table's header; else ``None``."""
    header = parent = None
    for number, current, name in _keyed_lines(text):
        if name is None:
            if current == table:
                header = number
        elif current == table and key is not None and name == key:
            return number
        elif table and current == table[:-1] and name == table[-1]:
            parent = number
    return header or parent


class TomlChecker:
    """Collects the problems of one TOML file, each at the line of its key."""

    def __init__(self, text: str, source: str):
        self.text = text
        self.source = source
        self.problems: list[Problem] = []

    #: The section of ``data/README.md`` that lists the keys (named in misspelled-key hints).
    readme_section = "The protocol"

    def line_of(self, table: tuple[str, ...], key: str | None) -> int | None:
        """The line a problem with ``key`` of ``[table]`` is shown at."""
        line = locate(self.text, table, key)
        if key and (line is None or line == locate(self.text, table)):
            # a table of its own ([review2]), not a key of this one: the line of its header
            line = locate(self.text, (*table, key)) or line
        return line

    def add(self, table: tuple[str, ...], key: str | None, value: Any, expected: str) -> None:
        """A problem with ``key`` of ``[table]`` (``None``: with the table itself)."""
        name = ".".join((*table, key) if key else table) or None
        shown = None if value is None else (value if isinstance(value, str) else repr(value))
        line = self.line_of(table, key)
        self.problems.append(Problem(self.source, line, name, shown, expected))

    def text_value(
        self, table: tuple[str, ...], data: Mapping[str, Any], key: str, *, required: bool
    ) -> str:
        """A text key (``""`` when absent or not text)."""
        if key not in data:
            if required:
                self.add(table, None, None, f"a key {key!r} (text) in [{'.'.join(table)}]")
            return ""
        value = data[key]
        if not isinstance(value, str):
            self.add(table, key, value, "text in quotes")
            return ""
        if required and not value.strip():
            self.add(table, key, value, "a value (this key may not be empty)")
        return value

    def unknown(
        self, table: tuple[str, ...], data: Mapping[str, Any], allowed: tuple[str, ...]
    ) -> None:
        """Each key of ``data`` not in ``allowed``."""
        for key in data:
            if key not in allowed:
                self.add(
                    table,
                    key,
                    key,
                    "one of the keys "
                    + ", ".join(allowed)
                    + f" (misspelled key? see data/README.md, '{self.readme_section}')",
                )

    def table(
        self, table: tuple[str, ...], data: Mapping[str, Any], key: str
    ) -> Mapping[str, Any]:
        """The table ``key`` of ``data`` (empty when absent or not a table)."""
        return self.table_value((*table, key), data.get(key, {}))

    def table_value(self, table: tuple[str, ...], value: object) -> Mapping[str, Any]:
        """``value`` as the table ``[table]`` (empty when it is not a table)."""
        if not isinstance(value, Mapping):
            self.add(table[:-1], table[-1], value, f"a table [{'.'.join(table)}]")
            return {}
        return value

    def text_list(
        self, table: tuple[str, ...], data: Mapping[str, Any], key: str
    ) -> tuple[str, ...]:
        """A list of texts (empty when absent or not one)."""
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(table, key, value, 'a list of texts such as ["...", "..."]')
            return ()
        return tuple(value)


# --- keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One key of a table.

    Attributes
    ----------
    name : str
        As written in the file.
    type : str
        One of :data:`KEY_TYPES`.
    required : bool
        The key must be there (and, for text, hold a value).
    vocabulary : tuple of str
        For ``vocabulary`` keys: the allowed values.
    rule : callable, optional
        For ``number`` keys: a test the number must pass; for ``text list`` keys: a test each
        item must pass.
    unique : bool
        For ``text list`` keys: each item at most once.
    expected : str
        The message for a value outside the vocabulary or failing the rule.
    """

    name: str
    type: str = "text"
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    rule: Callable[[Any], bool] | None = None
    expected: str = ""
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in KEY_TYPES:
            raise ValueError(f"type must be one of {sorted(KEY_TYPES)}; got {self.type!r}")

    def read(self, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]) -> Any:
        """The key's value in ``data`` (a neutral value when absent or wrong: every problem
        is added to ``check``)."""
        return _READERS[self.type](self, check, table, data)


def _read_text(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> str:
    return check.text_value(table, data, key.name, required=key.required)


def _read_vocabulary(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> str:
    value = check.text_value(table, data, key.name, required=key.required)
    if value and value not in key.vocabulary:
        check.add(table, key.name, value, key.expected)
    return value


def _read_boolean(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> bool:
    if key.name not in data:
        if key.required:
            where = ".".join(table)
            check.add(table, None, None, f"a key {key.name!r} (true or false) in [{where}]")
        return False
    value = data[key.name]
    if not isinstance(value, bool):
        check.add(table, key.name, value, "true or false (without quotes)")
    return value is True


def _read_text_list(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> tuple[str, ...]:
    items = check.text_list(table, data, key.name)
    seen: set[str] = set()
    for item in items:
        if key.rule is not None and not key.rule(item):
            check.add(table, key.name, item, key.expected)
        elif key.unique and item in seen:
            check.add(table, key.name, item, f"each entry of {key.name} once")
        seen.add(item)
    return tuple(dict.fromkeys(items)) if key.unique else items


def _read_number(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> float | None:
    value = data.get(key.name)
    if value is None:
        return None
    number = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (key.rule is None or key.rule(value))
    )
    if not number:
        check.add(table, key.name, value, key.expected)
        return None
    return float(value)


def _read_date(
    key: Key, check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any]
) -> str:
    """``YYYY-MM-DD`` (a TOML date or that text), ``""`` if absent."""
    value = data.get(key.name)
    if value is None:
        return ""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    check.add(table, key.name, value, key.expected)
    return ""


_READERS: dict[str, Callable[[Key, TomlChecker, tuple[str, ...], Mapping[str, Any]], Any]] = {
    "text": _read_text,
    "vocabulary": _read_vocabulary,
    "boolean": _read_boolean,
    "text list": _read_text_list,
    "number": _read_number,
    "date": _read_date,
}


def _read_keys(
    check: TomlChecker, table: tuple[str, ...], data: Mapping[str, Any], keys: tuple[Key, ...]
) -> dict[str, Any]:
    """Unknown keys, then each key in order."""
    check.unknown(table, data, tuple(k.name for k in keys))
    return {k.name: k.read(check, table, data) for k in keys}


# --- sections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableSection:
    """``[name]``: one table of keys.

    ``build(values)`` turns the values read (key name -> value) into keyword arguments of the
    object the file describes; by default the key names are those arguments. A required
    key is required only when the table is there: a missing table is reported once, with
    ``missing`` (no message: the table is optional).
    """

    name: str
    keys: tuple[Key, ...]
    missing: str = ""
    build: Callable[[dict[str, Any]], dict[str, Any]] = dict

    def parse(
        self, check: TomlChecker, data: Mapping[str, Any], built: Mapping[str, Any]
    ) -> dict[str, Any]:
        values = check.table((), data, self.name)
        present = self.name in data
        if not present and self.missing:
            check.add((), None, None, self.missing)
        keys = self.keys if present else tuple(_optional(k) for k in self.keys)
        return self.build(_read_keys(check, (self.name,), values, keys))


def _optional(key: Key) -> Key:
    return Key(key.name, key.type, False, key.vocabulary, key.rule, key.expected, key.unique)


@dataclass(frozen=True)
class KeyedTables:
    """``[name.KEY]``: one table per KEY, each with the same keys.

    ``key_pattern`` is the form of a KEY (``key_expected`` the message otherwise); ``missing``
    the message when there is no table at all (no message: none is needed). ``build(KEY,
    values)`` makes the object of one table; the section gives ``{name: {KEY: object}}``.
    """

    name: str
    keys: tuple[Key, ...]
    build: Callable[[str, dict[str, Any]], Any]
    key_pattern: re.Pattern[str] | None = None
    key_expected: str = ""
    missing: str = ""

    def parse(
        self, check: TomlChecker, data: Mapping[str, Any], built: Mapping[str, Any]
    ) -> dict[str, Any]:
        raw = check.table((), data, self.name)
        if not raw and self.missing:
            check.add((), None, None, self.missing)
        built = {}
        for key, spec in raw.items():
            table = (self.name, key)
            if self.key_pattern is not None and not self.key_pattern.match(key):
                check.add(table, None, key, self.key_expected)
            if not isinstance(spec, Mapping):
                check.add((self.name,), key, spec, f"a table [{self.name}.{key}]")
                continue
            built[key] = self.build(key, _read_keys(check, table, spec, self.keys))
        return {self.name: built}


@dataclass(frozen=True)
class TextMapping:
    """``[name]``: ``NAME = "text"`` pairs.

    ``key_rule`` tests a NAME (``key_expected`` the message otherwise); ``value_expected`` is
    the message for a value that is not a text with a value. ``default`` stands in for an
    empty table; ``builtin`` pairs are always there (the file's pairs added to them).
    """

    name: str
    value_expected: str
    key_rule: Callable[[str], bool] | None = None
    key_expected: str = ""
    default: Mapping[str, str] = field(default_factory=dict)
    builtin: Mapping[str, str] = field(default_factory=dict)

    def parse(
        self, check: TomlChecker, data: Mapping[str, Any], built: Mapping[str, Any]
    ) -> dict[str, Any]:
        pairs = dict(check.table((), data, self.name)) or dict(self.default)
        for key, value in pairs.items():
            if self.key_rule is not None and not self.key_rule(key):
                check.add((self.name,), key, key, self.key_expected)
            if not isinstance(value, str) or not value.strip():
                check.add((self.name,), key, value, self.value_expected)
        return {self.name: {**self.builtin, **{k: str(v) for k, v in pairs.items()}}}


@dataclass(frozen=True)
class CustomSection:
    """``[name]`` read by a function of its own, for a section the three kinds above do not
    describe (keys that depend on each other, references to another section).

    ``read(check, table, built)`` gets the checker, the section's table (empty when absent;
    a value that is not a table is reported) and the keyword arguments built by the sections
    before it (e.g. ``built["outcomes"]``); it adds its problems to ``check`` and returns its
    own keyword arguments. ``keys`` declares the keys it reads, for the documentation (the
    dictionary's table lists them with their type and requiredness); without them the
    dictionary documents the section as a whole.
    """

    name: str
    read: Callable[[TomlChecker, Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    keys: tuple[Key, ...] = ()

    def parse(
        self, check: TomlChecker, data: Mapping[str, Any], built: Mapping[str, Any]
    ) -> dict[str, Any]:
        return self.read(check, check.table((), data, self.name), built)


#: A section of a TOML schema.
Section = TableSection | KeyedTables | TextMapping | CustomSection


def key_names(section: Section) -> tuple[str, ...]:
    """The keys of a section's table(s) (none for a mapping)."""
    return tuple(k.name for k in getattr(section, "keys", ()))


def check_sections(
    check: TomlChecker, data: Mapping[str, Any], sections: Collection[Section]
) -> dict[str, Any]:
    """Unknown top-level keys, then every section in order; the keyword arguments they
    build, merged (each section sees those of the sections before it)."""
    check.unknown((), data, tuple(s.name for s in sections))
    _control_characters(check, (), data)
    built: dict[str, Any] = {}
    for section in sections:
        built.update(section.parse(check, data, built))
    return built


#: Control characters (C0 but tab and line breaks, DEL, C1), refused in every text as in the
#: CSV files: written raw into a page or a terminal they hide or rewrite what follows.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _control_characters(check: TomlChecker, table: tuple[str, ...], data: Any) -> None:
    """Each text (value, list item or key) holding a control character, at its key's line."""
    if not isinstance(data, Mapping):
        return
    for key, value in data.items():
        if CONTROL_CHARACTERS.search(key):
            check.add(table, key, key, "a key without control characters")
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and CONTROL_CHARACTERS.search(item):
                check.add(table, key, item, "text without control characters")
            elif isinstance(item, Mapping):
                _control_characters(check, (*table, key), item)
