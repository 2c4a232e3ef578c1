"""Grouping rows into analyses: one comparison per study, nothing dropped silently."""

import shutil

import evsum

from conftest import SMALL


def _evidence(tmp_path, edit):
    path = tmp_path / "studies.csv"
    shutil.copy(SMALL, path)
    path.write_text(edit(path.read_text()))
    return evsum.load_evidence(path)


def test_a_usable_row_is_pooled_even_after_a_narrative_row_of_its_study(tmp_path):
    # Add, before alpha2001's arm row, a secondary narrative row of the same comparison.
    def edit(text):
        lines = text.splitlines()
        narrative = (
            lines[1].replace(",12,6,", ",,,").replace(",arm,primary,", ",narrative,secondary,")
        )
        return "\n".join([lines[0], narrative, *lines[1:]]) + "\n"

    evidence = _evidence(tmp_path, edit)
    [analysis] = [
        a
        for a in evsum.analyse_condition(evidence, "alcohol")
        if a.outcome == "abstinence" and a.comparator_type == "active placebo"
    ]
    assert analysis.result is not None and analysis.result.k == 1
    assert list(analysis.rows["excluded_reason"] == "") == [False, True]
    assert len(analysis.rows) == 2  # the narrative row is kept and shown


def test_a_second_comparison_of_one_study_is_shown_not_pooled(tmp_path):
    def edit(text):
        lines = text.splitlines()
        second = lines[2].replace("ketamine 0.5 mg/kg IV", "ketamine 1.0 mg/kg IV")
        return "\n".join([*lines, second]) + "\n"

    evidence = _evidence(tmp_path, edit)
    [analysis] = [
        a
        for a in evsum.analyse_condition(evidence, "alcohol")
        if a.outcome == "abstinence" and a.comparator_type == "placebo"
    ]
    assert analysis.result.k == 1
    assert "one comparison per study is pooled" in analysis.rows["excluded_reason"].iloc[1]
