"""Report sections on the fictional example (k up to 30): every section builds, and the
numbers shown are the pooled results'."""

import re
import warnings

import pytest

import evsum
from evsum.review.analysis import OutcomeAnalysis


@pytest.fixture(scope="module")
def example():
    evidence = evsum.examples.example_evidence()
    return evidence, {c: evsum.analyse_condition(evidence, c) for c in evidence.studies.conditions}


def test_every_condition_section_builds(example):
    evidence, analyses = example
    for condition, found in analyses.items():
        for block in (
            evsum.blocks.condition.pico(evidence, condition),
            evsum.blocks.condition.studies(evidence, condition),
            evsum.blocks.condition.outcome_rows(evidence, condition),
            evsum.blocks.condition.analyses(found),
            evsum.blocks.condition.heterogeneity(found),
            evsum.blocks.condition.risk_of_bias(evidence, condition),
            evsum.blocks.condition.summary_of_findings(evidence, found),
            evsum.blocks.condition.limitations(evidence, condition, found),
            evsum.blocks.condition.references(evidence, condition),
        ):
            assert str(block).strip()


def test_large_analyses_get_a_funnel_plot(example):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)  # fictional effects: only the section's structure is tested
    yi, vi = rng.normal(0.3, 0.2, 12), rng.uniform(0.02, 0.2, 12)
    result = evsum.pool(yi, vi, measure="MD", labels=[f"Study {i}" for i in range(12)])
    analysis = OutcomeAnalysis(
        "condition_a", "craving", "placebo", "4 weeks", "MD", pd.DataFrame(), result, None
    )
    html = str(evsum.blocks.condition.heterogeneity((analysis,)))
    assert html.count("<h4>Contour-enhanced funnel plot:") == 1
    assert "data:image/svg+xml;base64," in html
    # contour-enhanced at 90, 95 and 99% (Cochrane Handbook 13.3.5.3): three shaded bands,
    # each drawn on both sides of the null effect, and the caption and alt text say so
    from evsum.present.heterogeneity import funnel_alt, funnel_figure

    figure = funnel_figure(analysis)
    bands = [a for a in figure.axes[0].collections if a.get_gid() == "funnel_contour"]
    assert len(bands) == 6
    assert not [a for a in figure.axes[0].collections if a.get_gid() == "funnel_region"]
    assert "significant at the 90, 95 and 99% levels" in html
    alt = funnel_alt(analysis)
    assert alt.startswith("Contour-enhanced funnel plot of 12 studies")
    assert "below 0.10, 0.05 and 0.01" in alt and "null effect (0)" in alt
    assert alt in html.replace("&#39;", "'")
    _, analyses = example
    small = str(evsum.blocks.condition.heterogeneity(analyses["condition_a"]))
    assert "not assessed: no analysis has 10 or more studies" in small
    assert "<h4>Leave one out:" in small  # the placebo abstinence analysis pools 7


def test_pooled_sentence_reports_the_result(example):
    _, analyses = example
    analysis = next(
        a for found in analyses.values() for a in found if a.result is not None and a.result.k >= 2
    )
    html = str(evsum.blocks.condition.analyses((analysis,)))
    shown = analysis.result.back_transform()
    assert f"{shown.estimate:.2f}" in html
    assert re.search(r"Data and quotes: (<a href=\"#row-[^\"]+\">[^<]+</a>(, )?)+\.", html)


def test_headline_links_reach_the_analysis_and_the_data_rows(example):
    # Every link of the overview's headline table names an id its condition report has.
    evidence, analyses = example
    everything = tuple(a for found in analyses.values() for a in found)
    headline = str(evsum.blocks.overview.headline(everything))
    targets = re.findall(r'href="([a-z0-9_]+)\.html#([^"]+)"', headline)
    assert targets
    ids = {}
    for condition, found in analyses.items():
        page = str(evsum.blocks.condition.analyses(found)) + str(
            evsum.blocks.condition.outcome_rows(evidence, condition)
        )
        ids[condition] = set(re.findall(r'id="([^"]+)"', page))
    for condition, anchor in targets:
        assert anchor in ids[condition], (condition, anchor)
    assert any(a.startswith("analysis-") for _, a in targets)
    assert any(a.startswith("row-") for _, a in targets)


def test_summary_of_findings_effects_link_to_their_analysis(example):
    evidence, analyses = example
    for found in analyses.values():
        sof = str(evsum.blocks.condition.summary_of_findings(evidence, found))
        ids = set(re.findall(r'id="([^"]+)"', str(evsum.blocks.condition.analyses(found))))
        links = re.findall(r'href="#([^"]+)"', sof)
        assert links and set(links) <= ids


def test_summary_of_findings_has_one_row_per_outcome_and_time_point():
    # Dakwar 2019 abstinence at 5 weeks has arm counts (primary) and a press-only odds ratio
    # (a second, narrative analysis group): the summary of findings rates the outcome once.
    from conftest import ROOT

    evidence = evsum.load_evidence(ROOT / "data" / "studies.csv")
    found = evsum.analyse_condition(evidence, "cocaine")
    assert sum(a.outcome == "abstinence" and a.timepoint == "5 weeks" for a in found) == 2
    sof = str(evsum.blocks.condition.summary_of_findings(evidence, found))
    tables = "".join(re.findall(r'<table class="evsum-sof">.*?</table>', sof, flags=re.S))
    assert tables.count("Abstinence (5 weeks)") == 1
    assert "RR 4.49" in tables
    # the press-only odds ratio is shown in that row, footnoted as secondary, not pooled
    assert "Dakwar 2019: OR 5.7 (1.3 to 25.1)" in tables


def test_blocks_take_the_reviews_words_from_its_protocol():
    evidence = evsum.examples.example_evidence()
    protocol = evidence.protocol  # fictional wording built in code (review/examples.py)
    title = str(evsum.blocks.condition.title("condition_a", "REML", protocol=protocol))
    assert "<h1>Drug X for condition a (fictional)</h1>" in title
    assert "<h1>Evidence summary: condition_a</h1>" in str(
        evsum.blocks.condition.title("condition_a", "REML")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, "condition_a")
    sof = str(evsum.blocks.condition.summary_of_findings(evidence, analyses))
    assert "Drug X compared with placebo" in sof
    assert "Risk with drug X" in sof and "Abstinent at the time point (fictional)" in sof
    assert "Participants (drug X / placebo)" in str(
        evsum.blocks.condition.studies(evidence, "condition_a")
    )
    assert "ketamine" not in (sof + title).lower()


def test_a_condition_with_its_own_question_shows_it_in_its_pico():
    from conftest import ROOT

    evidence = evsum.load_evidence(base=ROOT)
    # evsum.toml [conditions.depression] question; alcohol has none and shows the review's
    depression = str(evsum.blocks.condition.pico(evidence, "depression"))
    assert evidence.protocol.conditions["depression"].question in depression
    assert evidence.protocol.question not in depression
    assert evidence.protocol.question in str(evsum.blocks.condition.pico(evidence, "alcohol"))
