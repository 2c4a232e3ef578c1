"""Exceptions and warnings raised by evsum."""

from __future__ import annotations

from evsum.results import Problem


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
    """One or more reports failed to render."""


class EvsumWarning(UserWarning):
    """Base class of evsum's statistical and data caveats."""


class SmallKWarning(EvsumWarning):
    """Too few studies for the requested analysis to be reliable."""


class ZeroCellWarning(EvsumWarning):
    """A continuity correction was applied to a 2x2 table with zero cells."""
