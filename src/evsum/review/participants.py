"""One participant count per study, and per comparison, for every page.

A study's count comes from ``study_characteristics.csv`` (randomised, analysed, number of arms)
and the per-arm sizes of its rows in ``studies.csv``; a comparison's count (a summary-of-findings
or headline row resting on that study) is the arm sizes of the rows it analyses, else the number
analysed, else the number randomised. A crossover trial's participants are counted once.
:func:`evsum.present.text.study_participants` words a :class:`StudyParticipants`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evsum.ingest.evidence import Evidence

__all__ = ["StudyParticipants", "comparison_participants", "participants_of", "study_participants"]


@dataclass(frozen=True)
class StudyParticipants:
    """The participants of one study.

    Attributes
    ----------
    study_id, label, design : str
        The study, its ``First author year`` and its design (``studies.csv`` vocabulary).
    randomised, analysed : int or None
        ``n_randomised`` and ``n_analysed`` of ``study_characteristics.csv`` (None: not recorded).
    arms : int
        Groups participants were allocated to (``n_arms``; 2 when empty, 1 for a crossover).
    comparisons : tuple of (int or None, int or None)
        The distinct per-arm sizes (intervention, comparator) of the study's rows, in file order;
        the comparator size is None for a crossover trial.
    """

    study_id: str
    label: str
    design: str
    randomised: int | None
    analysed: int | None
    arms: int
    comparisons: tuple[tuple[int | None, int | None], ...]

    @property
    def crossover(self) -> bool:
        """Whether every participant received both conditions."""
        return self.design == "crossover_rct"

    @property
    def total(self) -> int | None:
        """The study's one number: randomised, else analysed, else its largest comparison."""
        if self.randomised is not None:
            return self.randomised
        if self.analysed is not None:
            return self.analysed
        sizes = [_size(pair, self.crossover) for pair in self.comparisons]
        sizes = [s for s in sizes if s is not None]
        return max(sizes) if sizes else None


def _whole(value) -> int | None:
    """A count cell as an int: typed (Int64, float) or as read (digits); None when empty."""
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return None if value is None or pd.isna(value) else int(value)


def _size(pair: tuple[int | None, int | None], crossover: bool) -> int | None:
    first, second = pair
    if crossover:
        return first
    if first is None or second is None:
        return None
    return first + second


def _characteristics(characteristics: pd.DataFrame | None) -> dict[str, dict]:
    if characteristics is None or characteristics.empty:
        return {}
    return {str(row["study_id"]): row for row in characteristics.to_dict("records")}


def study_participants(
    evidence: Evidence,
    condition: str | None = None,
) -> dict[str, StudyParticipants]:
    """Every study's participants (of one ``condition``, or all), keyed by ``study_id``.

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> counts = study_participants(example_evidence())
    >>> sorted(counts)[:2]
    ['aalto2001', 'aalto2017']
    """
    rows = (
        evidence.studies.for_condition(condition)
        if condition is not None
        else evidence.studies.data
    )
    return participants_of(rows, evidence.characteristics)


def participants_of(
    rows: pd.DataFrame,
    characteristics: pd.DataFrame | None = None,
) -> dict[str, StudyParticipants]:
    """:func:`study_participants` of the studies of some ``rows`` of a study table, with the
    counts of ``characteristics`` (``study_characteristics.csv``) where given."""
    known = _characteristics(characteristics)
    out = {}
    for study, group in rows.groupby("study_id", sort=False):
        first = group.iloc[0]
        info = known.get(str(study), {})
        crossover = first["design"] == "crossover_rct"
        pairs = []
        for _, row in group.iterrows():
            pair = (
                _whole(row["n_intervention"]),
                None if crossover else _whole(row["n_comparator"]),
            )
            if pair != (None, None) and pair not in pairs:
                pairs.append(pair)
        arms = _whole(info.get("n_arms"))
        out[str(study)] = StudyParticipants(
            study_id=str(study),
            label=f"{first['first_author']} {first['year']}",
            design=str(first["design"]),
            randomised=_whole(info.get("n_randomised")),
            analysed=_whole(info.get("n_analysed")),
            arms=1 if crossover else (arms or 2),
            comparisons=tuple(pairs),
        )
    return out


def comparison_participants(
    rows: pd.DataFrame, characteristics: pd.DataFrame | None = None
) -> int | None:
    """Participants of the studies of ``rows`` in the comparison the rows analyse.

    Per study: the arm sizes of its first row with both (a crossover trial's N once), else the
    study's ``n_analysed``, else its ``n_randomised`` (``characteristics``); None when no study
    has any count.
    """
    known = _characteristics(characteristics)
    total, found = 0, False
    for study, group in rows.groupby("study_id", sort=False):
        crossover = group.iloc[0]["design"] == "crossover_rct"
        value = None
        for _, row in group.iterrows():
            value = _size((_whole(row["n_intervention"]), _whole(row["n_comparator"])), crossover)
            if value is not None:
                break
        if value is None:
            info = known.get(str(study), {})
            value = _whole(info.get("n_analysed"))
            value = _whole(info.get("n_randomised")) if value is None else value
        if value is not None:
            total, found = total + value, True
    return total if found else None
