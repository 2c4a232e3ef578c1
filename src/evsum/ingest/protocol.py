"""The review protocol (``evsum.toml`` at the root of an evidence base): question and wording.

An evidence base is data: its question, the words used for the intervention and comparator,
its conditions and outcomes (with their direction and GRADE importance) come from this file,
never from the library.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Name of the protocol file at the root of an evidence base.
PROTOCOL_FILE = "evsum.toml"


@dataclass(frozen=True)
class ConditionSpec:
    """One condition of the review (one report, one table per condition)."""

    key: str
    label: str
    population: str = ""
    setting: str = ""


@dataclass(frozen=True)
class OutcomeSpec:
    """One outcome of the review: its label, data type, direction and GRADE importance."""

    key: str
    label: str
    type: str = "binary"
    higher_is_better: bool = True
    importance: str = "important"


@dataclass(frozen=True)
class Protocol:
    """The review protocol of one evidence base.

    Attributes
    ----------
    title, question : str
        The review's title (report titles, index, page ``<title>``) and its question.
    intervention, comparator : str
        The words used for the intervention and the default comparator everywhere.
    conditions, outcomes : mapping
        Keys as ``studies.csv`` uses them, in the protocol's order.
    comparisons : mapping
        ``comparator_type`` -> wording of that comparison (``"dose comparison"`` ->
        ``"3 sessions vs 1 session"``); types without an entry use the comparator wording.
    source : str
        The protocol file as named to the user (empty for a protocol built in code).
    """

    title: str
    question: str
    intervention: str
    comparator: str
    conditions: Mapping[str, ConditionSpec] = field(default_factory=dict)
    outcomes: Mapping[str, OutcomeSpec] = field(default_factory=dict)
    comparisons: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def condition_label(self, key: str) -> str:
        """The condition's label, or the key itself when the protocol does not name it."""
        spec = self.conditions.get(key)
        return spec.label if spec else key

    def outcome_label(self, key: str) -> str:
        """The outcome's label, or the key with spaces when the protocol does not name it."""
        spec = self.outcomes.get(key)
        return spec.label if spec else key.replace("_", " ")

    def higher_is_better(self, key: str) -> bool:
        """Whether more events (or a larger value) of an outcome favour the intervention."""
        spec = self.outcomes.get(key)
        return bool(spec.higher_is_better) if spec else False

    def comparison_label(self, comparator_type: str) -> str:
        """The words for a comparison of this ``comparator_type``."""
        return self.comparisons.get(comparator_type, comparator_type or self.comparator)


def load_protocol(path: str | Path) -> Protocol:
    """Read ``evsum.toml``.

    Parameters
    ----------
    path : str or Path
        The protocol file.
    """
    path = Path(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    review = data.get("review", {})
    conditions = {key: ConditionSpec(key=key, **spec)
                  for key, spec in data.get("conditions", {}).items()}
    outcomes = {key: OutcomeSpec(key=key, **spec)
                for key, spec in data.get("outcomes", {}).items()}
    return Protocol(
        title=review.get("title", ""),
        question=review.get("question", ""),
        intervention=review.get("intervention", ""),
        comparator=review.get("comparator", ""),
        conditions=conditions,
        outcomes=outcomes,
        comparisons=dict(data.get("comparisons", {})),
        source=str(path),
    )
