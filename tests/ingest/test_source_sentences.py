"""source_sentences.csv: every rule of its validation, on small inline texts."""

import pandas as pd
import pytest

from evsum import StudyDataError
from evsum.ingest.source_sentences import SENTENCE_COLUMNS, validate_source_sentences

TEXT = "A title\n\nDrug X cures Y. Buy it here! It is safe, and it is cheap."
CLAIMS = pd.DataFrame(
    {"claim_id": ["C1", "C2", "C3"], "quote": ["Drug X cures Y.", "It is safe", "it is cheap"]}
)


def _frame(rows):
    frame = pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS)).fillna("")
    return frame.assign(line=range(2, len(frame) + 2))


def _good():
    return [
        ["S1", "(introduction)", "A title", "heading", "", "The title."],
        ["S2", "(introduction)", "Drug X cures Y.", "claim", "C1", ""],
        ["S3", "(introduction)", "Buy it here!", "promotional", "", "An advertisement."],
        ["S4", "(introduction)", "It is safe, and it is cheap.", "claim", "C2;C3", ""],
    ]


def _check(rows, text=TEXT, claims=CLAIMS):
    return validate_source_sentences(_frame(rows), "s.csv", claims=claims, text=text)


def test_a_covered_text_validates():
    table = _check(_good())
    assert table.disposition_counts() == {
        "claim": 2,
        "background": 0,
        "promotional": 1,
        "heading": 1,
        "reference": 0,
    }


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda r: r[2].__setitem__(3, "advert"), r"s.csv:4 \(study_id=S3\) disposition"),
        (lambda r: r[2].__setitem__(5, ""), r"reason: got ''; expected why the sentence is"),
        (lambda r: r[2].__setitem__(4, "C1"), r"claim_ids: got 'C1'; expected empty unless"),
        (lambda r: r[1].__setitem__(4, ""), r"claim_ids: got ''; expected the claim_ids"),
        (lambda r: r[1].__setitem__(4, "C9"), r"claim_ids: got 'C9'; expected claim_ids of"),
        (lambda r: r[1].__setitem__(0, "S 1"), r"sentence_id: got 'S 1'"),
        (lambda r: r[1].__setitem__(0, "S1"), r"sentence_id: got 'S1'; expected each"),
        (lambda r: r[1].__setitem__(2, "Drug X cures Z."), r"verbatim and in the order"),
        (lambda r: r[1].__setitem__(2, "Drug X cures Y.\x07"), r"without control characters"),
        (lambda r: r.pop(2), r"these words have none"),
        (lambda r: r[3].__setitem__(4, "C2"), r"claim_ids: got 'C3'; expected each claim"),
    ],
)
def test_each_rule_names_line_column_and_expectation(change, match):
    rows = _good()
    change(rows)
    with pytest.raises(StudyDataError, match=match):
        _check(rows)


def test_a_claim_quoted_in_another_sentence_is_refused():
    rows = _good()
    rows[1][4] = "C1;C2"
    with pytest.raises(StudyDataError, match=r"got 'C2'; expected a claim whose quote is in"):
        _check(rows)


def test_overlapping_quotes_in_one_sentence_are_refused():
    claims = pd.DataFrame({"claim_id": ["C1", "C2", "C3"], "quote": CLAIMS["quote"]})
    claims.loc[1, "quote"] = "It is safe, and it is cheap."
    with pytest.raises(StudyDataError, match=r"got 'C2;C3'; expected claims quoting separate"):
        _check(_good(), claims=claims)


def test_missing_columns_are_named():
    frame = _frame(_good()).drop(columns=["reason"])
    with pytest.raises(StudyDataError, match="reason"):
        validate_source_sentences(frame, "s.csv")


def test_several_problems_are_reported_together():
    rows = _good()
    rows[2][3] = "advert"
    rows[1][4] = "C9"
    with pytest.raises(StudyDataError) as err:
        _check(rows, text=TEXT + " One more sentence.")
    text = str(err.value)
    assert "disposition: got 'advert'" in text
    assert "claim_ids: got 'C9'" in text
    assert "One more sentence." in text
