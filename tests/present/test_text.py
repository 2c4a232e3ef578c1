"""The one formatter (evsum.present.text): numbers, p-values, intervals, counts and results.

Numeric expectations are metafor's published dat.bcg results (rma(yi, vi) with REML on the
log risk ratio: estimate -0.7145, SE 0.1798, tau^2 0.3132, I^2 92.22%, RR 0.49 with 95% CI 0.34
to 0.70; Viechtbauer 2010, J Stat Softw 36(3), and tests/reference/grid.json) or hand-made.
"""

import html
import math
import warnings

import pandas as pd
import pytest
from refdata import load

import evsum
from evsum import vocab
from evsum.present import display, text
from evsum.present.html import environment

BCG = next(
    c for c in load("grid.json")["cases"] if c["dataset"] == "dat.bcg" and c["measure"] == "RR"
)
BCG_REML = next(f for f in BCG["fits"] if f["method"] == "REML" and f["test"] == "z")


def test_numbers_use_a_minus_sign_and_a_dash_when_missing():
    assert text.number(-0.7145, 4) == "\u22120.7145"
    assert text.number(0.3132, 4) == "0.3132"
    assert text.number(float("nan")) == text.number(None) == text.number(pd.NA) == "\u2014"


def test_one_p_value_rule():
    assert text.p_value(0.0004) == "p < 0.001"
    assert text.p_value(0.001) == "p = 0.001"
    assert text.p_value(0.04567) == "p = 0.046"
    assert text.p_value(0.5) == "p = 0.500"
    assert "3 decimals" in text.P_VALUE_RULE and "p < 0.001" in text.P_VALUE_RULE


def test_interval_and_effect_of_the_bcg_meta_analysis():
    # RR = exp(-0.7145) with 95% CI exp(-0.7145 -/+ 1.96 x 0.1798): 0.49 (0.34 to 0.70)
    low, high = (math.exp(-0.7145 + s * 1.959964 * 0.1798) for s in (-1, 1))
    assert text.estimate_ci("RR", math.exp(-0.7145), low, high) == "RR 0.49 (0.34 to 0.70)"
    assert text.estimate_ci("RR", 0.49, 0.36, 0.66, level=90) == "RR 0.49 (90% CI 0.36 to 0.66)"
    assert text.percentage(92.22) == "92.2%"


def test_counts_arms_and_plurals():
    assert text.plural(1, "study", "studies") == "1 study"
    assert text.plural(2, "study", "studies") == "2 studies"
    assert text.plural(0, "claim") == "0 claims"
    assert text.events_n(13, 27.0) == "13/27"
    assert text.mean_sd("10.1", "2.3", 12) == "10.1 (2.3), n=12"
    assert text.study_label("Krupitsky", 2002) == "Krupitsky 2002"
    assert text.certainty_symbols("low") == "\u2295\u2295\u25ef\u25ef"
    with pytest.raises(ValueError, match="certainty must be one of"):
        text.certainty_symbols("medium")


def test_a_reported_result_keeps_the_papers_digits():
    row = pd.Series(
        {
            "effect_measure": "MD",
            "effect": 10.1,
            "effect_printed": "10.1",
            "ci_low": 1.1,
            "ci_low_printed": "1.1",
            "ci_high": 19.0,
            "ci_high_printed": "19.0",
        }
    )
    assert text.reported_effect(row) == "MD 10.1 (1.1 to 19.0)"


def test_describe_a_pooled_result_with_metafors_bcg_numbers():
    res = evsum.pool(BCG["yi"], BCG["vi"], method="REML", measure="RR")
    words = text.describe(res)
    assert words.startswith(
        "REML meta-analysis of 13 studies: pooled RR 0.49 (95% CI 0.34 to "
        "0.70) (back-transformed from the log scale)"
    )
    assert f"τ² = {BCG_REML['tau2']:.4f}" in words and "I² = 92.2%" in words
    assert "p < 0.001" in words and "\\tau" not in words and "$" not in words


def test_results_display_as_escaped_html_in_notebooks():
    res = evsum.pool(
        [0.1, 0.3, 0.2],
        [0.01, 0.02, 0.03],
        method="REML",
        measure="SMD",
        labels=["<script>alert(1)</script>", "b & c", "d"],
    )
    html = display.result_html(res)
    assert "<script>" not in html and "&lt;script&gt;" in html and "b &amp; c" in html
    assert not hasattr(res, "summary") and not hasattr(res, "_repr_html_")


def test_the_p_value_rule_is_stated_where_the_report_describes_its_numbers():
    evidence = evsum.examples.example_evidence()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, "condition_a")
    page = str(evsum.blocks.condition.limitations(evidence, "condition_a", analyses))
    assert html.escape(text.P_VALUE_RULE, quote=False) in page


def test_results_display_as_html_in_an_ipython_shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        display.register(shell)
        res = evsum.pool(BCG["yi"], BCG["vi"], method="REML", measure="RR")
        shown, _ = shell.display_formatter.format(res)
    finally:
        InteractiveShell.clear_instance()
    assert "pooled RR 0.49 (95% CI 0.34 to 0.70)" in shown["text/html"]


def test_joined_values_close_each_override_before_the_next_value():
    joined = text.join_values(["Evil\u202eName", "Next"])
    assert joined == "Evil\u202eName\u202c, Next"
    page = environment().from_string("{{ names | join('; ') }}").render(names=["A\u202eB", "<C>"])
    assert page == "A\u202eB\u202c; &lt;C&gt;"


def test_source_kinds_in_a_readers_words():
    # the words of the brief for issue 14: full paper, abstract only, registry results,
    # review, press report; an empty cell (or no column) reads "not recorded"
    assert [text.source_kind(k) for k in vocab.SOURCE_KINDS] == [
        "full paper",
        "abstract only",
        "registry results",
        "review",
        "press report",
    ]
    for missing in ("", " ", None, float("nan"), pd.NA):
        assert text.source_kind(missing) == "not recorded"
    assert text.source_kinds(["abstract", "press", "abstract"]) == "abstract only, press report"
    assert text.source_kinds(["abstract", ""]) == "abstract only, not recorded"
    assert text.source_kinds(["", None]) == "not recorded"
    assert text.source_kinds([]) == "not recorded"


def test_a_rows_result_names_its_source_kind():
    row = pd.Series(
        {
            "events_intervention": 13,
            "events_comparator": 6,
            "n_intervention": 26,
            "n_comparator": 27,
            "effect_measure": "RR",
            "data_level": "arm",
            "source_type": "primary",
            "source_kind": "abstract",
        }
    )
    assert text.row_result(row) == "13/26 vs 6/27 [arm, abstract only]"
    assert text.row_result(row.drop("source_kind")) == "13/26 vs 6/27 [arm]"
    press = row.copy()
    press["source_type"], press["source_kind"] = "secondary", "press"
    assert text.row_result(press) == "13/26 vs 6/27 [arm, press report, secondary source]"
    registry = row.copy()
    registry["source_type"], registry["source_kind"] = "registry", ""
    assert text.row_result(registry) == "13/26 vs 6/27 [arm, registry source]"


def test_a_source_cell_opens_with_what_the_row_was_read_in():
    assert text.source_words("abstract", "primary") == "abstract only"
    assert text.source_words("full text", "primary") == "full paper"
    assert text.source_words("press", "secondary") == "press report, secondary source"
    assert text.source_words("registry results", "registry") == "registry results"
    assert text.source_words("", "primary") == "source kind not recorded"
    assert text.source_words(float("nan"), "secondary") == (
        "source kind not recorded, secondary source"
    )


def test_the_secondary_footnote_names_one_kind_or_both():
    assert text.secondary_note(["review"]).startswith("Secondary source (a review of")
    assert text.secondary_note(["press", "press"]).startswith("Secondary source (a press report")
    assert text.secondary_note(["review", "press"]).startswith(
        "Secondary source (a review or press report"
    )
    assert text.secondary_note([""]) == text.secondary_note(["review", "press"])
