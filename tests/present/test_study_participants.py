"""One participant count per study, in the same words on every page (issue 14, item 4):
per-arm n for a parallel trial, "N (crossover)" for a crossover trial, randomised and analysed
where they differ, and the n a paper gives moved into the columns so that no page says "not
reported" for a number the data hold. Counts below are the papers' own (studies.csv and
study_characteristics.csv quote them)."""

import re

import pytest

import evsum
from evsum.present.audit_sections import claims_frame
from evsum.present.text import study_participants as words
from evsum.review.participants import (
    StudyParticipants,
    comparison_participants,
    study_participants,
)

from conftest import ROOT


def _study(design="parallel_rct", randomised=None, analysed=None, arms=2, comparisons=()):
    return StudyParticipants("s", "S 2000", design, randomised, analysed, arms, tuple(comparisons))


@pytest.mark.parametrize(
    ("study", "expected"),
    [
        # Dakwar 2019: 55 randomised, 27 ketamine / 28 midazolam
        (_study(randomised=55, comparisons=[(27, 28)]), "55 (27 / 28)"),
        # Krupitsky 2007: 59 randomised, 53 analysed (26 / 27)
        (
            _study(randomised=59, analysed=53, comparisons=[(26, 27)]),
            "59 randomised, 53 analysed (26 / 27)",
        ),
        # Das 2019: 90 in three arms, per-arm n not in the sources read
        (_study(randomised=90, arms=3), "90 randomised in 3 arms (per-arm n not reported)"),
        # Gent 2024: 28 randomised, per-arm n not read
        (_study(randomised=28), "28 randomised (per-arm n not reported)"),
        # Yoon 2025: 65 randomised in three arms, 58 infused; 19 ketamine-saline / 19 midazolam
        (
            _study(randomised=65, analysed=58, arms=3, comparisons=[(19, 19)]),
            "65 randomised in 3 arms, 58 analysed; 19 / 19 in the comparison analysed",
        ),
        # Dakwar 2017: 20 participants, each had both infusions
        (_study("crossover_rct", arms=1, comparisons=[(20, None)]), "20 (crossover)"),
        # Zarate 2006: 18 randomised, 17 analysed, crossover
        (
            _study("crossover_rct", randomised=18, analysed=17, arms=1, comparisons=[(17, None)]),
            "18 randomised, 17 analysed (crossover)",
        ),
        # Krupitsky 1997: not randomised, 111 / 100
        (_study("nonrandomised_controlled", comparisons=[(111, 100)]), "211 (111 / 100)"),
        (_study(), "not reported"),
    ],
)
def test_a_study_count_in_words(study, expected):
    assert words(study) == expected


def test_a_comparison_counts_its_arms_else_the_study(tmp_path):
    evidence = evsum.load_evidence(base=ROOT)
    rows = evidence.studies.data
    chars = evidence.characteristics
    # Yoon 2025's comparison is 19 + 19 = 38, not the 65 randomised into three arms
    assert comparison_participants(rows[rows.study_id == "yoon2025"], chars) == 38
    # Das 2019 has no per-arm n: its 90 randomised
    assert comparison_participants(rows[rows.study_id == "das2019"], chars) == 90
    # a crossover trial's participants count once
    assert comparison_participants(rows[rows.study_id == "dakwar2017"], chars) == 20
    assert comparison_participants(rows[rows.study_id == "das2019"]) is None


def test_the_claims_frame_words_each_study_s_count_as_every_page_does():
    evidence = evsum.load_evidence(base=ROOT)
    frame = claims_frame(evsum.load_claims(evidence), evidence)
    counts = {c.label: words(c) for c in study_participants(evidence).values()}
    found = {
        (label, n)
        for summary in frame["data_summary"]
        for label, n in re.findall(
            r"(\w+ \d{4}) \([^;]*;[^;]*;[^;]*; participants (.*?)\): ", summary
        )
    }
    assert found and all(counts[label] == n for label, n in found), found
    # Grabski 2022: its count names both comparisons even where a claim maps one outcome
    assert (
        "Grabski 2022",
        "96 randomised in 4 arms; 48 / 48 and 24 / 25 in the comparisons analysed",
    ) in found
