"""The protocol's minimal important differences and per-study comparison wording."""

import pytest

from evsum import StudyDataError
from evsum.ingest.protocol import load_protocol, parse_protocol

from conftest import ROOT, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")


def test_mid_and_study_comparisons_are_read():
    text = GOOD.replace('label = "Craving"', 'label = "Craving"\nmid = 10') + (
        '\n[study_comparisons]\n"trial1" = "3 sessions vs 1 session"\n'
    )
    protocol = parse_protocol(text)
    assert protocol.outcome_mid("craving") == 10.0
    assert protocol.outcome_mid("abstinence") is None  # the documented default applies
    assert protocol.study_comparison("trial1", "dose comparison") == "3 sessions vs 1 session"
    assert protocol.study_comparison("other", "placebo") == protocol.comparison_label("placebo")


@pytest.mark.parametrize("value", ['"10"', "0", "-1.5", "true"])
def test_a_bad_mid_names_line_key_value_and_expectation(value):
    text = GOOD.replace('label = "Craving"', f'label = "Craving"\nmid = {value}')
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    (problem,) = [p for p in info.value.problems if str(p.column).endswith(".mid")]
    line = text.splitlines().index(f"mid = {value}") + 1
    assert problem.line == line
    assert "minimal important difference" in problem.expected


def test_the_repository_words_krupitsky_2007_as_its_own_comparison():
    # data/studies.csv: krupitsky2007 intervention "KPT, 3 sessions ...", comparator "KPT, 1
    # session ...": a dose comparison in which both arms had ketamine.
    protocol = load_protocol(ROOT)
    assert protocol.study_comparison("krupitsky2007", "dose comparison") == (
        "3 sessions vs 1 session of ketamine-assisted psychotherapy"
    )
