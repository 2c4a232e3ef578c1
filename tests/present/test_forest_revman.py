"""RevMan's furniture on the forest plot: method label, Total row with events and
participants per arm, Mantel-Haenszel and Peto results drawn with their study rows, a
double-zero table "Not estimable", the tests for subgroup differences labelled."""

import warnings

import pandas as pd
import pytest

from evsum.ingest.evidence import load_evidence
from evsum.present.analyses import analyse_condition
from evsum.present.figures.forest import forest_plot, method_label
from evsum.review.plan import pool_tables
from evsum.stats.effects import compute_effects

from conftest import ROOT


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


@pytest.fixture(scope="module")
def main():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evidence = load_evidence(base=ROOT / "examples" / "bcg-vaccine")
        return analyse_condition(evidence, "tuberculosis")[-1]


def test_inverse_variance_plot_has_method_label_and_total_row(main):
    texts = _texts(forest_plot(main.rows, main.result))
    assert "RR\nIV, Random, 95% CI" in texts
    assert "Total (95% CI) (k = 13)" in texts
    # R: with(dat.bcg, c(sum(tpos), sum(tpos + tneg), sum(cpos), sum(cpos + cneg)))
    # = 1065 191064 1510 166283
    assert {"Total events", "1065", "191064", "1510", "166283"} <= set(texts)
    assert any(t.startswith("Heterogeneity: τ² = ") for t in texts)
    assert any(t.startswith("Test for overall effect: z = ") for t in texts)


def test_mantel_haenszel_result_draws_with_the_rows(main):
    mh = main.with_method("MH")
    fig = mh.forest_plot()
    texts = _texts(fig)
    assert "RR\nM-H, Fixed, 95% CI" in texts and "Aronson 1948" in texts
    assert "4/123" in texts  # Aronson: tpos 4 of tpos + tneg = 123


def test_peto_draws_its_own_study_effects(main):
    peto = main.with_measure("OR").with_method("Peto")
    assert "OR\nPeto, Fixed, 95% CI" in _texts(peto.forest_plot())
    assert method_label(peto.result) == "Peto, Fixed, 95% CI"


def test_a_double_zero_table_is_not_estimable_and_out_of_the_totals():
    rows = pd.DataFrame(
        {
            "study_id": ["a2001", "b2002", "c2003"],
            "first_author": ["A", "B", "C"],
            "year": [2001, 2002, 2003],
            "label": ["A 2001", "B 2002", "C 2003"],
            "data_level": "arm",
            "source_type": "primary",
            "outcome_type": "binary",
            "effect_measure": "RR",
            "events_intervention": [1, 0, 2],
            "n_intervention": [10, 10, 20],
            "events_comparator": [3, 0, 6],
            "n_comparator": [10, 10, 20],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects = compute_effects(rows)
    effects["excluded_reason"] = effects["excluded_reason"].fillna("")
    result = pool_tables(effects, "RR", "MH")
    texts = _texts(forest_plot(effects, result))
    assert "Not estimable" in texts
    # totals of the two estimable tables (hand-summed): 10 + 20 = 30 per arm, events 1 + 2
    # and 3 + 6
    assert {"30", "3", "9"} <= set(texts)
    assert "40" not in texts  # the double-zero table's 10 + 10 + 20 is not a total


def test_subgroup_plot_labels_both_tests(main):
    fig = forest_plot(
        main.rows[main.rows["excluded_reason"] == ""], main.result, subgroups=main.subgroup_result
    )
    texts = _texts(fig)
    assert any(
        t.startswith("Test for subgroup differences (separate τ² per subgroup)") for t in texts
    )
    # metafor rma(yi, vi, mods = ~ alloc == "random"): QM 1.83, p 0.176 (plan.json)
    assert (
        "Test for subgroup differences (common τ², mixed-effects model): Q = 1.83, df = 1 "
        "(p = 0.176)"
    ) in texts
    assert texts.count("Subtotal (95% CI) (k = 7)") == 1
