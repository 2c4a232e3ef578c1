"""The protocol's keys for a review that is not a primary review of interventions.

``[review]`` keys (data/README.md, "The protocol"):

- ``reanalysis_of``: the published review (or data set) whose data this base re-analyses,
  e.g. ``"Colditz et al. 1994 (JAMA 271:698) as tabulated in metafor's dat.bcg"``. Rows read
  from it are ``secondary`` (a review's numbers), and they are pooled, which a primary review
  never does with secondary rows; every page says so.
- ``medians``: ``"wan2014"`` lets a continuous outcome given as medians with quartiles or
  range (``median_*``, ``spread``, ``spread_low_*``, ``spread_high_*``) be pooled as means
  and SDs estimated by Wan et al. 2014; without it such rows are refused. Each converted row
  says so in the report.
- ``title_template``: the condition reports' title, with ``{intervention}`` and
  ``{condition}`` (the condition's label), when "<intervention> for <condition>" does not fit
  (an exposure: ``"{intervention} and lung cancer in {condition}"``).
- ``favours_intervention``, ``favours_comparator``: the forest plots' two "favours" labels
  when "Favours <arm>" does not fit (``"Favours spouse who smokes"``).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from evsum.ingest.toml_schema import CustomSection, Key

__all__ = [
    "WORDING",
    "WORDING_KEYS",
    "WORDING_KEY_DECLARATIONS",
    "ReviewWording",
    "parse_wording",
    "without_wording",
]

#: The ``[review]`` keys this module reads.
WORDING_KEYS: tuple[str, ...] = (
    "reanalysis_of",
    "medians",
    "title_template",
    "favours_intervention",
    "favours_comparator",
)
#: How a median with its quartiles or range may be turned into a mean and SD (``medians``):
#: Wan et al. 2014 (evsum.stats.reported).
MEDIAN_METHODS: tuple[str, ...] = ("wan2014",)
#: The placeholders a ``title_template`` may use.
TITLE_FIELDS: frozenset[str] = frozenset({"intervention", "condition"})


@dataclass(frozen=True)
class ReviewWording:
    """What ``[review]`` says about the kind of review and its words (empty: the defaults)."""

    reanalysis_of: str = ""
    medians: str = ""
    title_template: str = ""
    favours_intervention: str = ""
    favours_comparator: str = ""

    @property
    def reanalysis(self) -> bool:
        """Whether the base re-analyses a published review's data (its secondary rows pool)."""
        return bool(self.reanalysis_of.strip())

    def title(self, intervention: str, condition: str) -> str | None:
        """The report title from the template, or None when there is none."""
        if not self.title_template:
            return None
        return self.title_template.format(intervention=intervention, condition=condition)


#: The keys as the ``[review]`` table declares them (read as text there; a value that is not
#: text is reported there, once).
WORDING_KEY_DECLARATIONS: tuple[Key, ...] = tuple(Key(k) for k in WORDING_KEYS)


def without_wording(values: dict) -> dict:
    """The ``[review]`` values without the wording keys (the build of its table section):
    they reach the protocol as one :class:`ReviewWording`, from :data:`WORDING`."""
    return {k: v for k, v in values.items() if k not in WORDING_KEYS}


def parse_wording(check, review: Mapping) -> ReviewWording:
    """The wording keys of ``review`` (the ``[review]`` table), checked together, each problem
    added to ``check`` (the protocol's checker)."""
    values = {key: review[key] if isinstance(review.get(key), str) else "" for key in WORDING_KEYS}
    if values["medians"] and values["medians"] not in MEDIAN_METHODS:
        check.add(
            ("review",),
            "medians",
            values["medians"],
            "one of " + ", ".join(repr(m) for m in MEDIAN_METHODS) + " (or leave the key out: "
            "medians are then not converted to means)",
        )
        values["medians"] = ""
    template = values["title_template"]
    if template:
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError:
            fields = {"?"}
        if not fields <= TITLE_FIELDS or not fields:
            check.add(
                ("review",),
                "title_template",
                template,
                "a title with {intervention} and/or {condition} and no other {…} "
                "(e.g. '{intervention} and lung cancer in {condition}')",
            )
            values["title_template"] = ""
    if "reanalysis_of" in review and not values["reanalysis_of"].strip():
        check.add(
            ("review",),
            "reanalysis_of",
            values["reanalysis_of"],
            "the published review or data set re-analysed (leave the key out otherwise)",
        )
    return ReviewWording(**values)


#: ``[review]``'s wording keys as a protocol section: read after the table itself, they build
#: the protocol's ``wording``.
WORDING = CustomSection(
    "review",
    lambda check, table, built: {"wording": parse_wording(check, table)},
    keys=WORDING_KEY_DECLARATIONS,
)
