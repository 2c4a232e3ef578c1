"""Exceptions and warnings raised by evsum."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    ``line`` is the line number a user sees in a text editor or spreadsheet (the header is
    line 1), or ``None`` for problems of the whole file.
    """

    source: str
    line: int | None
    column: str | None
    value: str | None
    expected: str
    study_id: str | None = None

    #: What ``study_id`` names: ``claim_id`` for a row of ``claims.csv``.
    id_name: str = "study_id"

    def __str__(self) -> str:
        source = printable(self.source)
        where = source if self.line is None else f"{source}:{self.line}"
        if self.study_id:  # quoted if it holds a line break or control character
            shown = self.study_id if self.study_id.isprintable() else repr(self.study_id)
            where += f" ({self.id_name}={shown})"
        what = f" {printable(self.column)}:" if self.column else ""
        got = "" if self.value is None else f" got {self.value!r};"
        return f"{where}{what}{got} expected {printable(self.expected)}."


def printable(text: object) -> str:
    r"""``text`` safe to print to a terminal: each character that is not printable (escape
    codes, other control characters, bidi overrides, line breaks) written as its Python
    escape (``\x1b``), every other character as it is.

    Examples
    --------
    >>> printable("a\x1b]0;title\x07b")
    'a\\x1b]0;title\\x07b'
    """
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class EvsumError(Exception):
    """Base class of every error evsum raises on purpose."""


class StudyDataError(EvsumError, ValueError):
    """Input data failed validation; ``problems`` lists every problem found.

    Parameters
    ----------
    source : str
        File the problems were found in, as the user named it.
    problems : list of Problem
        Every problem, in file order.
    """

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = list(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"{len(self.problems)} {noun} in {source}:"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class RenderError(EvsumError):
    """Reports could not be written (e.g. the output folder is not writable): exit code 3."""


class RenderInterrupted(RenderError):
    """A render was stopped (Ctrl-C, SIGTERM) and stopped cleanly: the reports finished
    before the stop are written, every other keeps its last good HTML, the index is
    rewritten. ``exit_status`` is 128 + the signal's number (130 for Ctrl-C)."""

    def __init__(self, message: str, signal_number: int = 2):
        super().__init__(message)
        self.exit_status = 128 + signal_number


class UsageError(EvsumError, ValueError):
    """An argument names something that is not there (``--only`` a report the base does not
    have, a new base over a folder that is not empty): exit code 2."""


class EvsumWarning(UserWarning):
    """Base class of evsum's statistical and data caveats."""


class SmallKWarning(EvsumWarning):
    """Too few studies for the requested analysis to be reliable."""


class ZeroCellWarning(EvsumWarning):
    """A continuity correction was applied to a 2x2 table with zero cells."""
