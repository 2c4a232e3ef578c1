"""Validation of the participant counts in study_characteristics.csv."""

import pandas as pd
import pytest

from evsum.exceptions import StudyDataError
from evsum.ingest.context import CHARACTERISTICS_COLUMNS, validate_characteristics
from evsum.ingest.io import LINE

SOURCE = "data/study_characteristics.csv"


def _frame(**cells):
    row = {c: "" for c in CHARACTERISTICS_COLUMNS}
    row.update(study_id="alpha2001", title="A trial", source_locator="10.1000/x", **cells)
    frame = pd.DataFrame([row])
    frame[LINE] = [2]
    return frame


def test_counts_with_their_source_pass():
    frame = _frame(
        n_randomised="65",
        n_analysed="58",
        n_source="'Of 65 participants, 58 received at least 1 infusion'",
    )
    assert len(validate_characteristics(frame, SOURCE, None)) == 1


def test_files_without_the_count_columns_still_read():
    frame = _frame(n_randomised="40").drop(columns=["n_analysed", "n_arms", "n_source"])
    assert len(validate_characteristics(frame, SOURCE, None)) == 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"n_randomised": "about 90"},
            "n_randomised: got 'about 90'; expected a whole number > 0 (digits only), or empty when not reported",
        ),
        (
            {"n_randomised": "0"},
            "n_randomised: got '0'; expected a whole number > 0 (digits only), or empty when not reported",
        ),
        (
            {"n_randomised": "50", "n_analysed": "58", "n_source": "x"},
            "n_analysed: got '58'; expected at most n_randomised (50)",
        ),
        (
            {"n_randomised": "65", "n_analysed": "58"},
            "n_source: got ''; expected the source's words stating the number analysed",
        ),
        (
            {"n_arms": "1"},
            "n_arms: got '1'; expected the number of allocated groups, a whole "
            "number of at least 2 (digits only), or empty for two",
        ),
        (
            {"n_arms": "three"},
            "n_arms: got 'three'; expected the number of allocated groups, a "
            "whole number of at least 2 (digits only), or empty for two",
        ),
    ],
)
def test_bad_counts_are_reported_with_line_and_column(cells, message):
    with pytest.raises(StudyDataError) as err:
        validate_characteristics(_frame(**cells), SOURCE, None)
    assert [str(p) for p in err.value.problems] == [
        f"data/study_characteristics.csv:2 (study_id=alpha2001) {message}."
    ]
