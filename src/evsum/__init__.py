"""evsum: evidence summaries from curated trial data."""

from __future__ import annotations

from evsum.exceptions import EvsumError, EvsumWarning, StudyDataError
from evsum.results import Problem, StudyTable

__version__ = "0.1.0"

__all__ = [
    "EvsumError",
    "EvsumWarning",
    "Problem",
    "StudyDataError",
    "StudyTable",
    "__version__",
]
