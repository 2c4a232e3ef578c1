"""A small fictional data set in the shape of ``data/``, for the gallery, docs and tests.

Every number here is invented (drawn from a seeded random generator) and says nothing about
any treatment: the conditions are ``condition_a`` to ``condition_c`` and the intervention is a
fictional "drug X". The frames have the columns of ``studies.csv``, ``risk_of_bias.csv`` and
``grade.csv`` as ``data/README.md`` defines them, typed as ``validate`` types them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evsum.ingest.evidence import Evidence
from evsum.ingest.protocol import ConditionSpec, OutcomeSpec, Protocol
from evsum.ingest.studies import StudyTable
from evsum.vocab import (
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    ROB_JUDGEMENTS,
    ROB_TOOLS,
    STUDY_COLUMNS,
)

_SURNAMES = (
    "Aalto",
    "Berg",
    "Castillo",
    "Dubois",
    "Eze",
    "Fischer",
    "Gupta",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
)
_NOTE = "Fictional example row (evsum.examples.example_rows); not evidence."


def _base_row(i: int, condition: str, outcome: str, outcome_type: str) -> dict[str, object]:
    author = _SURNAMES[i % len(_SURNAMES)]
    year = 2001 + i
    return {
        "study_id": f"{author.lower()}{year}",
        "first_author": author,
        "year": year,
        "doi": f"10.5555/evsum.example.{i}",
        "pmid": None,
        "condition": condition,
        "design": "parallel_rct",
        "randomised": True,
        "blinding": "double-blind",
        "intervention": "drug X 0.5 mg/kg IV, single infusion",
        "comparator": "saline infusion",
        "comparator_type": "placebo",
        "outcome": outcome,
        "outcome_type": outcome_type,
        "timepoint": "4 weeks",
        "data_level": "arm",
        "source_type": "primary",
        "source_kind": "full text",
        "source_locator": f"10.5555/evsum.example.{i}, Table 2",
        "source_quote": "fictional",
        "derivation": None,
        "notes": _NOTE,
    }


def _binary_rows(
    rng: np.random.Generator,
    start: int,
    k: int,
    condition: str,
    outcome: str,
    risk_ctl: float,
    rr: float,
) -> list[dict[str, object]]:
    rows = []
    for j in range(k):
        row = _base_row(start + j, condition, outcome, "binary")
        n_trt, n_ctl = (int(v) for v in rng.integers(12, 60, size=2))
        study_rr = rr * float(np.exp(rng.normal(0.0, 0.25)))
        row.update(
            n_intervention=n_trt,
            n_comparator=n_ctl,
            events_intervention=int(rng.binomial(n_trt, min(risk_ctl * study_rr, 0.95))),
            events_comparator=int(rng.binomial(n_ctl, risk_ctl)),
            effect_measure="RR",
        )
        if j % 3 == 1:
            row.update(comparator="midazolam 0.025 mg/kg IV", comparator_type="active placebo")
        rows.append(row)
    return rows


def _continuous_rows(
    rng: np.random.Generator, start: int, k: int, condition: str, outcome: str
) -> list[dict[str, object]]:
    rows = []
    for j in range(k):
        row = _base_row(start + j, condition, outcome, "continuous")
        n_trt, n_ctl = (int(v) for v in rng.integers(12, 40, size=2))
        row.update(
            n_intervention=n_trt,
            n_comparator=n_ctl,
            mean_intervention=round(float(rng.normal(18.0, 2.0)), 1),
            sd_intervention=round(float(rng.uniform(5.0, 9.0)), 1),
            mean_comparator=round(float(rng.normal(22.0, 2.0)), 1),
            sd_comparator=round(float(rng.uniform(5.0, 9.0)), 1),
            effect_measure="MD",
        )
        rows.append(row)
    return rows


def example_rows(seed: int = 2024) -> pd.DataFrame:
    """Fictional study rows with the columns and dtypes of a validated ``studies.csv``.

    Contents: ``condition_a``/``abstinence`` with 12 rows (10 arm-level, one with zero events in
    the comparator arm, one ``contrast`` row, one ``narrative`` row, one non-randomised
    study; comparators ``placebo`` and ``active placebo``), ``condition_a``/``relapse`` (3),
    ``condition_a``/``craving`` (3, continuous), ``condition_b``/``abstinence`` (2) and
    ``condition_c``/``abstinence`` (1).

    Parameters
    ----------
    seed : int
        Seed of the generator; the default gives the gallery's data.

    Returns
    -------
    pandas.DataFrame
        One row per study × outcome; columns :data:`evsum.vocab.STUDY_COLUMNS` plus ``line``.

    Examples
    --------
    >>> rows = example_rows()
    >>> rows.groupby(["condition", "outcome"]).size().to_dict()[("condition_a", "abstinence")]
    12
    """
    rng = np.random.default_rng(seed)
    rows = _binary_rows(rng, 0, 10, "condition_a", "abstinence", 0.30, 1.6)
    rows[0]["events_comparator"] = 0
    rows[0]["n_comparator"] = 14
    rows[3].update(
        design="nonrandomised_controlled",
        randomised=False,
        blinding="open",
        comparator="treatment as usual",
        comparator_type="treatment as usual",
    )
    contrast = _base_row(10, "condition_a", "abstinence", "binary")
    contrast.update(
        n_intervention=40,
        n_comparator=41,
        effect_measure="RR",
        effect=1.45,
        ci_low=0.92,
        ci_high=2.28,
        data_level="contrast",
    )
    narrative = _base_row(11, "condition_a", "abstinence", "binary")
    narrative.update(
        n_intervention=20,
        n_comparator=20,
        data_level="narrative",
        effect_measure="RR",
        source_quote="fictional: 'more abstinent days'",
    )
    rows += [contrast, narrative]
    rows += _binary_rows(rng, 12, 3, "condition_a", "relapse", 0.55, 0.7)
    rows += _continuous_rows(rng, 15, 3, "condition_a", "craving")
    rows += _binary_rows(rng, 18, 2, "condition_b", "abstinence", 0.2, 1.5)
    rows += _binary_rows(rng, 20, 1, "condition_c", "abstinence", 0.25, 1.8)
    frame = pd.DataFrame(rows).reindex(columns=list(STUDY_COLUMNS))
    for col in INTEGER_COLUMNS:
        frame[col] = pd.array(frame[col], dtype="Int64")
    for col in FLOAT_COLUMNS:
        frame[col] = frame[col].astype(float)
    frame["randomised"] = frame["randomised"].astype("boolean")
    frame["line"] = np.arange(2, len(frame) + 2)
    return frame


def example_risk_of_bias(seed: int = 2024) -> pd.DataFrame:
    """Fictional risk-of-bias judgements for :func:`example_rows`, shaped as ``risk_of_bias.csv``.

    Randomised studies get ``RoB 2`` judgements, the non-randomised one ``ROBINS-I``; the
    ``overall`` judgement is the worst domain judgement, as RoB 2 prescribes.

    Returns
    -------
    pandas.DataFrame
        Columns ``study_id, tool, domain, judgement, support, source_locator``.

    Examples
    --------
    >>> rob = example_risk_of_bias()
    >>> sorted(rob["tool"].unique())
    ['ROBINS-I', 'RoB 2']
    """
    rng = np.random.default_rng(seed)
    studies = example_rows(seed).drop_duplicates("study_id")
    records = []
    for study in studies.itertuples():
        tool = "RoB 2" if study.randomised else "ROBINS-I"
        levels = ROB_JUDGEMENTS[tool][:3]
        picks = rng.choice(len(levels), size=len(ROB_TOOLS[tool]) - 1, p=[0.6, 0.3, 0.1])
        for domain, pick in zip(ROB_TOOLS[tool][:-1], picks, strict=True):
            records.append((study.study_id, tool, domain, levels[pick]))
        records.append((study.study_id, tool, "overall", levels[int(picks.max())]))
    frame = pd.DataFrame(records, columns=["study_id", "tool", "domain", "judgement"])
    frame["support"] = "fictional"
    frame["source_locator"] = "fictional"
    return frame


def example_grade() -> pd.DataFrame:
    """Fictional GRADE rows for :func:`example_rows`, shaped as ``grade.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per condition × outcome × comparator type (non-randomised evidence starts
        low).

    Examples
    --------
    >>> example_grade()[["outcome", "certainty"]].iloc[0].tolist()
    ['abstinence', 'low']
    """
    serious_rob = "Fictional: most weight from trials with some concerns."
    few = "Fictional: fewer than 300 participants."
    rows = [
        (
            "condition_a",
            "abstinence",
            "placebo",
            "high",
            "serious",
            serious_rob,
            "not serious",
            "",
            "not serious",
            "",
            "serious",
            few,
            "not serious",
            "",
            "low",
            300.0,
            "fictional comparator-arm risk",
        ),
        (
            "condition_a",
            "relapse",
            "placebo",
            "high",
            "serious",
            serious_rob,
            "not serious",
            "",
            "not serious",
            "",
            "very serious",
            "Fictional: three small trials, wide CI.",
            "not serious",
            "",
            "very low",
            550.0,
            "fictional comparator-arm risk",
        ),
        (
            "condition_a",
            "craving",
            "placebo",
            "high",
            "not serious",
            "",
            "not serious",
            "",
            "serious",
            "Fictional: craving scales differ from the target outcome.",
            "serious",
            few,
            "not serious",
            "",
            "low",
            None,
            "",
        ),
        (
            "condition_b",
            "abstinence",
            "placebo",
            "high",
            "serious",
            serious_rob,
            "not serious",
            "",
            "not serious",
            "",
            "very serious",
            "Fictional: two small trials.",
            "not serious",
            "",
            "very low",
            200.0,
            "fictional comparator-arm risk",
        ),
        (
            "condition_a",
            "abstinence",
            "active placebo",
            "high",
            "serious",
            serious_rob,
            "not serious",
            "",
            "not serious",
            "",
            "serious",
            few,
            "not serious",
            "",
            "low",
            300.0,
            "fictional comparator-arm risk",
        ),
        (
            "condition_a",
            "abstinence",
            "treatment as usual",
            "low",
            "serious",
            "Fictional: one non-randomised comparison, confounding not controlled.",
            "not serious",
            "",
            "not serious",
            "",
            "not serious",
            "",
            "not serious",
            "",
            "very low",
            250.0,
            "fictional comparator-arm risk",
        ),
        (
            "condition_a",
            "relapse",
            "active placebo",
            "high",
            "not serious",
            "",
            "not serious",
            "",
            "not serious",
            "",
            "very serious",
            "Fictional: one small trial, wide CI.",
            "not serious",
            "",
            "low",
            500.0,
            "fictional comparator-arm risk",
        ),
    ]
    columns = [
        "condition",
        "outcome",
        "comparator_type",
        "start",
        "risk_of_bias",
        "risk_of_bias_reason",
        "inconsistency",
        "inconsistency_reason",
        "indirectness",
        "indirectness_reason",
        "imprecision",
        "imprecision_reason",
        "publication_bias",
        "publication_bias_reason",
        "certainty",
        "baseline_risk_per_1000",
        "baseline_risk_source",
    ]
    return pd.DataFrame(rows, columns=columns)


def example_evidence(seed: int = 2024) -> Evidence:
    """The fictional example as an :class:`~evsum.Evidence`, for whole-pipeline demos.

    Studies from :func:`example_rows`, risk of bias from :func:`example_risk_of_bias`, GRADE
    rows from :func:`example_grade`, the protocol from :func:`example_protocol`; no
    characteristics, search log or references.

    Examples
    --------
    >>> example_evidence().studies.conditions
    ['condition_a', 'condition_b', 'condition_c']
    """
    empty = pd.DataFrame()
    return Evidence(
        studies=StudyTable(example_rows(seed), source="evsum.examples.example_rows()", sha256=""),
        characteristics=empty,
        risk_of_bias=example_risk_of_bias(seed),
        grade=example_grade(),
        search_log=empty,
        references=(),
        data_dir="",
        missing=(
            "study_characteristics.csv",
            "search_log.csv",
            "references.json",
            "claims.csv",
            "source_references.txt",
        ),
        protocol=example_protocol(),
    )


def example_protocol() -> Protocol:
    """The protocol of the fictional example (conditions, outcomes and words of
    :func:`example_rows`).

    Examples
    --------
    >>> example_protocol().outcome_label("craving")
    'Craving (fictional)'
    """
    outcomes = {
        "abstinence": ("Abstinent at the time point (fictional)", "binary", True, "critical"),
        "relapse": ("Relapsed (fictional)", "binary", False, "critical"),
        "craving": ("Craving (fictional)", "continuous", False, "important"),
    }
    return Protocol(
        title="Drug X for conditions A to C (fictional example)",
        question="Fictional: does drug X, compared with placebo, change the outcomes of "
        "conditions A to C?",
        intervention="drug X",
        comparator="placebo",
        conditions={
            key: ConditionSpec(key, f"Condition {key[-1].upper()} (fictional)")
            for key in ("condition_a", "condition_b", "condition_c")
        },
        outcomes={key: OutcomeSpec(key, *spec) for key, spec in outcomes.items()},
        source="evsum.examples.example_protocol()",
    )
