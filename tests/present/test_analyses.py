"""Analysis objects (evsum.analyse_condition), their display with scoped styles, and the
explorer (evsum.explore), on the BCG example: metafor's dat.bcg.

Expected numbers are metafor 3.8-1's, read from tests/reference/grid.json (case RR of the seven
randomised trials of dat.bcg, ``rma(yi, vi, method=, test=)``; tests/reference/make_reference.R):
the report analyses them apart from the six with alternate or systematic allocation.
"""

import re
import warnings

import matplotlib.figure
import pytest
from refdata import load

import evsum
from evsum.present import text
from evsum.present.analyses import Analysis, ConditionAnalyses
from evsum.present.html import HtmlBlock, styled
from evsum.review.analysis import OutcomeAnalysis

from conftest import ROOT

BCG_BASE = ROOT / "examples" / "bcg-vaccine"
BCG_RR = next(
    c
    for c in load("grid.json")["cases"]
    if c["dataset"] == "dat.bcg, random allocation" and c["measure"] == "RR"
)


def metafor(method, test):
    return next(f for f in BCG_RR["fits"] if f["method"] == method and f["test"] == test)


@pytest.fixture(scope="module")
def evidence():
    return evsum.load_evidence(base=BCG_BASE)


@pytest.fixture(scope="module")
def analyses(evidence):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evsum.analyse_condition(evidence, "tuberculosis")


def test_analyses_are_objects_of_both_layers(analyses):
    randomised, other, together = analyses  # the protocol's [analyses.all_trials] comes last
    assert isinstance(analyses, tuple) and isinstance(randomised, OutcomeAnalysis)
    assert isinstance(randomised, Analysis) and isinstance(together, Analysis)
    assert (randomised.design_class, other.design_class) == ("randomised", "non-randomised")
    assert (together.plan_key, together.design_class, together.result.k) == (
        "all_trials",
        "all designs",
        13,
    )
    assert randomised.result.k == 7 and other.result.k == 6 and randomised.method == "REML"
    assert len(randomised.rows) == 7
    assert randomised.rows["source_quote"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("method", "test"), [("DL", "knha"), ("FE", "z"), ("PM", "adhoc"), ("ML", "z")]
)
def test_with_method_pools_the_same_rows_again_as_metafor(analyses, method, test):
    again = analyses[0].with_method(method, test=test)
    expected = metafor(method, test)
    assert isinstance(again, Analysis) and (again.method, again.test) == (method, test)
    for name in ("estimate", "se", "ci_low", "ci_high", "tau2"):
        assert getattr(again.result, name) == pytest.approx(expected[name], rel=1e-5, abs=1e-8), (
            name
        )
    assert again.leave_one_out is not None and len(again.leave_one_out) == 7
    assert analyses[0].result.method == "REML"  # the original is unchanged (frozen)


def test_the_condition_is_re_pooled_as_a_whole(analyses):
    again = analyses.with_method("DL")
    assert isinstance(again, ConditionAnalyses) and again.condition == "tuberculosis"
    assert again[0].result.estimate == pytest.approx(metafor("DL", "z")["estimate"], rel=1e-6)


def test_forest_plot_is_a_figure_to_restyle(analyses):
    fig = analyses[0].forest_plot(title="Restyled", intervention="BCG")
    assert isinstance(fig, matplotlib.figure.Figure)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "Restyled" in texts and any("BCG" in t for t in texts)


def test_display_is_the_report_section_with_scoped_styles(analyses):
    shown = analyses[0]._repr_html_()
    assert shown.startswith('<div class="evsum-block"><style>')
    assert str(evsum.blocks.condition.analyses((analyses[0],))) in shown
    css = (ROOT / "src/evsum/present/templates/block.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = re.findall(r"([^{}@]+)\{", re.sub(r"@media[^{]*\{", "", css))
    selectors = [s.strip() for r in rules for s in r.split(",") if s.strip()]
    assert selectors and all(s.startswith("div.evsum-block") for s in selectors), selectors
    assert analyses._repr_html_().startswith('<div class="evsum-block">')
    report = evsum.blocks.condition
    assert "τ²" in report.heterogeneity(analyses)
    assert "<table" in report.summary_of_findings(analyses.evidence, analyses)
    limits = report.limitations(analyses.evidence, analyses.condition, analyses)
    assert "summary-of-findings rows pool two or more studies" in limits


def test_every_block_displays_with_its_styles_but_embeds_bare():
    block = HtmlBlock("<p>x</p>")
    assert block._repr_html_() == styled(block)
    assert "div.evsum-block table" in block._repr_html_()
    assert str(block) == "<p>x</p>"


def test_explorer_offers_only_what_the_evidence_base_holds(evidence):
    explorer = evsum.explore(evidence)
    assert [v for _, v in explorer.options("condition")] == ["tuberculosis"]
    assert [v for _, v in explorer.options("outcome")] == ["tb_cases"]
    assert explorer.choices["method"] == "REML"
    with pytest.raises(ValueError, match="outcome must be one of 'tb_cases'; got 'deaths'"):
        evsum.explore(evidence, outcome="deaths")


def test_explorer_view_follows_the_method(evidence):
    explorer = evsum.explore(evidence)
    box = explorer.widget()
    assert box is not None  # ipywidgets is a dependency
    shown = re.findall(r'class="evsum-estimate">([^<]*)<', explorer.output.value)
    # metafor REML on the seven randomised trials: exp(-0.9710) = 0.38 (0.22 to 0.65)
    assert shown == ["RR 0.38 (0.22 to 0.65)"]
    explorer.dropdowns["method"].value = "FE"
    fe = metafor("FE", "z")
    expected = evsum.pool(BCG_RR["yi"], BCG_RR["vi"], method="FE", measure="RR")
    assert expected.estimate == pytest.approx(fe["estimate"], rel=1e-9)
    shown = re.findall(r'class="evsum-estimate">([^<]*)<', explorer.output.value)
    # metafor FE: exp(-0.2945) = 0.745, CI 0.669 to 0.829
    assert shown == [text.pooled_effect(expected)] == ["RR 0.74 (0.67 to 0.83)"]
    # the six trials with alternate or systematic allocation are offered apart, never pooled
    # with the randomised ones: metafor FE exp(-0.5961) = 0.55 (0.49 to 0.62); the protocol's
    # declared analysis of all 13 trials is offered as "all designs"
    assert [v for _, v in explorer.options("studies")] == [
        "randomised",
        "non-randomised",
        "all designs",
    ]
    explorer.dropdowns["studies"].value = "non-randomised"
    shown = re.findall(r'class="evsum-estimate">([^<]*)<', explorer.output.value)
    assert shown == ["RR 0.55 (0.49 to 0.62)"]
    assert "Leave one out" in explorer.output.value and "evsum-sof" in explorer.output.value


def test_explorer_choices_follow_the_condition():
    evidence = evsum.load_evidence(base=ROOT)
    explorer = evsum.explore(evidence)
    conditions = [v for _, v in explorer.options("condition")]
    assert sorted(conditions) == sorted(evidence.studies.conditions)
    for condition in conditions:
        explorer.choose(condition=condition)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pooled = [
                a for a in evsum.analyse_condition(evidence, condition) if a.result is not None
            ]
        assert [v for _, v in explorer.options("outcome")] == sorted({a.outcome for a in pooled})
        chosen = explorer.analysis
        if not pooled:  # a condition reported only in words: nothing to plot, and it says so
            assert chosen is None and "No analysis with numbers" in explorer.view()
            continue
        assert chosen.condition == condition
        assert (chosen.outcome, chosen.timepoint, chosen.comparator_type) == (
            explorer.choices["outcome"],
            explorer.choices["timepoint"],
            explorer.choices["comparator"],
        )
