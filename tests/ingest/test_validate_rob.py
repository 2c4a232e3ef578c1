"""Validation of risk_of_bias.csv: one assessment per result, overall by the tool's algorithm.

The algorithm is RoB 2's (Sterne et al. 2019, BMJ 366:l4898, Table 2; see
tests/test_rules.py): a file may not record an overall judgement the algorithm does not
give, nor give the same domain pattern two overall judgements.
"""

import pandas as pd
import pytest

from evsum.exceptions import StudyDataError
from evsum.ingest.context import ROB_COLUMNS, validate_risk_of_bias
from evsum.ingest.io import LINE
from evsum.review.examples import example_protocol

SOURCE = "data/risk_of_bias.csv"
RCT = ("D1", "D2", "D3", "D4", "D5")


def _assessment(study, judgements, overall, *, outcome="", tool="RoB 2", reason="", domains=RCT):
    rows = [
        {
            "study_id": study,
            "outcome": outcome,
            "tool": tool,
            "domain": d,
            "judgement": j,
            "support": "quoted support",
            "escalation_reason": "",
            "source_locator": "Table 1",
        }
        for d, j in zip(domains, judgements, strict=True)
    ]
    rows.append(
        {**rows[0], "domain": "overall", "judgement": overall, "escalation_reason": reason}
    )
    return rows


def _frame(*assessments):
    rows = [row for rows in assessments for row in rows]
    frame = pd.DataFrame(rows, columns=list(ROB_COLUMNS))
    frame[LINE] = range(2, len(frame) + 2)
    return frame


SC2 = ("low", "some concerns", "low", "some concerns", "low")


def test_a_valid_file_with_per_outcome_assessments_and_an_escalation_passes():
    frame = _frame(
        _assessment("alpha2001", ("low",) * 5, "low"),
        _assessment("alpha2001", SC2, "some concerns", outcome="craving"),
        _assessment("beta2002", ("low", "high", "low", "low", "low"), "high"),
        _assessment(
            "gamma2003",
            ("some concerns",) * 5,
            "high",
            reason="unblinded, self-reported outcome and 20% missing data together",
        ),
        _assessment(
            "delta2004",
            ("low",) * 6,
            "low",
            tool="RoB 2 crossover",
            domains=("D1", "DS", "D2", "D3", "D4", "D5"),
        ),
    )
    assert len(validate_risk_of_bias(frame, SOURCE, None)) == len(frame)


def test_old_files_without_the_new_columns_still_read():
    frame = _frame(_assessment("alpha2001", ("low",) * 5, "low")).drop(
        columns=["outcome", "escalation_reason"]
    )
    assert len(validate_risk_of_bias(frame, SOURCE, None)) == 6


def _problems(frame):
    with pytest.raises(StudyDataError) as err:
        validate_risk_of_bias(frame, SOURCE, {"alpha2001", "beta2002"}, example_protocol())
    return [str(p) for p in err.value.problems]


def test_overall_must_be_what_the_algorithm_gives():
    problems = _problems(_frame(_assessment("alpha2001", SC2, "low")))
    assert problems == [
        "data/risk_of_bias.csv:7 (study_id=alpha2001) judgement: got 'low'; expected "
        "'some concerns', the RoB 2 overall judgement for D1 low, D2 some concerns, D3 low, "
        "D4 some concerns, D5 low."
    ]


def test_high_for_several_some_concerns_needs_its_reason():
    problems = _problems(_frame(_assessment("alpha2001", SC2, "high")))
    assert len(problems) == 1
    assert "expected 'some concerns'" in problems[0]
    assert "give the escalation_reason" in problems[0]


def test_escalation_only_where_rob2_allows_it():
    one_concern = ("low", "some concerns", "low", "low", "low")
    problems = _problems(_frame(_assessment("alpha2001", one_concern, "high", reason="felt so")))
    assert len(problems) == 1
    assert (
        "escalation_reason: got 'felt so'; expected empty: escalation to high applies "
        "only when two or more domains have some concerns and none is high" in problems[0]
    )


def test_the_same_pattern_never_gets_two_overall_judgements():
    frame = _frame(
        _assessment("alpha2001", ("some concerns",) * 5, "some concerns"),
        _assessment("beta2002", ("some concerns",) * 5, "high", reason="many"),
    )
    problems = _problems(frame)
    assert len(problems) == 1
    assert problems[0].startswith("data/risk_of_bias.csv:13 (study_id=beta2002) judgement: ")
    assert (
        "'some concerns' as for alpha2001 (default for every outcome), which has the same "
        "domain judgements" in problems[0]
    )


def test_incomplete_assessments_unknown_outcomes_and_duplicates():
    complete = _assessment("alpha2001", ("low",) * 5, "low")
    missing = [r for r in _assessment("beta2002", ("low",) * 5, "low") if r["domain"] != "D3"]
    crossover_without_s = _assessment(
        "alpha2001", ("low",) * 5, "low", outcome="craving", tool="RoB 2 crossover"
    )
    unknown = _assessment("beta2002", ("low",) * 5, "low", outcome="happiness")
    frame = _frame(complete, [complete[0]], missing, crossover_without_s, unknown)
    problems = "\n".join(_problems(frame))
    assert "judgement per study, outcome and domain (duplicate)" in problems
    assert (
        "a row for each RoB 2 domain of beta2002 (default for every outcome); missing D3"
        in problems
    )
    assert "a row for each RoB 2 crossover domain of alpha2001 (craving); missing DS" in problems
    assert (
        "outcome: got 'happiness'; expected an outcome of evsum.examples.example_protocol()"
        in problems
    )


def test_escalation_reason_belongs_on_the_overall_row_and_one_tool_per_result():
    rows = _assessment("alpha2001", ("low",) * 5, "low")
    rows[0]["escalation_reason"] = "misplaced"
    mixed = _assessment("beta2002", ("low",) * 5, "low")
    mixed[1]["tool"] = "ROBINS-I"
    problems = "\n".join(_problems(_frame(rows, mixed)))
    assert (
        "escalation_reason: got 'misplaced'; expected empty (a reason for escalating "
        "belongs on the overall row)" in problems
    )
    assert (
        "tool: got 'ROBINS-I'; expected one tool per assessment (beta2002 (default for "
        "every outcome) also uses RoB 2)" in problems
    )


def test_all_problems_at_once():
    frame = _frame(
        _assessment("alpha2001", SC2, "low"),
        _assessment("beta2002", ("low",) * 5, "some concerns", outcome="happiness"),
        _assessment("zeta2009", ("low",) * 5, "low"),
    )
    problems = _problems(frame)
    # two wrong overalls; the unknown outcome and the unknown study on each of their 6 rows
    assert len(problems) == 2 + 6 + 6
    assert sum("expected 'low', the RoB 2 overall" in p for p in problems) == 1
    assert sum("expected 'some concerns', the RoB 2 overall" in p for p in problems) == 1
