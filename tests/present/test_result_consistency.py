"""One rule for a single study's reported result: it reads identically in every block.

Builds the HTML blocks of every report (condition reports, overview, claims audit) for the
project's own data, in-process, through the public functions the notebooks call, and checks
that each contrast row's reported effect and CI (the paper's numbers, e.g. Dakwar 2019 HR 0.47
(0.24 to 0.92), Grabski 2022 MD 10.1 (1.1 to 19.0) as data/studies.csv records them) appears
with the same digits wherever it is shown, and never in a recomputed form.
"""

import html
import re
import warnings
from pathlib import Path

import pytest

import evsum
from evsum.present import text

DATA = Path(__file__).resolve().parents[2] / "data" / "studies.csv"


@pytest.fixture(scope="module")
def pages():
    evidence = evsum.load_evidence(DATA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = {}
        for condition in evidence.studies.conditions:
            analyses = evsum.analyse_condition(evidence, condition)
            built[condition] = [
                evsum.blocks.condition.outcome_rows(evidence, condition),
                evsum.blocks.condition.analyses(analyses),
                evsum.blocks.condition.summary_of_findings(evidence, analyses),
            ]
        overview = evsum.analyse_all(evidence)
        built["overview"] = [evsum.blocks.overview.headline(overview)]
        claims = evsum.load_claims(evidence)
        built["claims-audit"] = [evsum.blocks.audit.claims(claims, evidence)]
    return evidence, {
        name: html.unescape(re.sub(r"<[^>]+>", " ", "".join(map(str, blocks))))
        for name, blocks in built.items()
    }


def test_each_reported_result_reads_the_same_everywhere(pages):
    evidence, text_of = pages
    rows = evidence.studies.data
    contrast = rows[(rows["data_level"] == "contrast") & rows["effect"].notna()]
    assert len(contrast) >= 3
    for _, row in contrast.iterrows():
        shown = text.reported_effect(row)  # e.g. "HR 0.47 (0.24 to 0.92)"
        numbers = shown.split(" ", 1)[1]
        estimate = numbers.split(" (")[0]
        where = [name for name, page in text_of.items() if numbers in page]
        assert row["condition"] in where, (shown, where)
        for name, page in text_of.items():
            # wherever this estimate is shown for this measure, it carries the paper's CI
            for match in re.finditer(re.escape(f"{row['effect_measure']} {estimate} ("), page):
                after = page[match.end() - 1 : match.end() + len(numbers) - len(estimate)]
                assert after.startswith(numbers[len(estimate) + 1 :]) or "95% CI" in after, (
                    name,
                    shown,
                    page[match.start() : match.start() + 60],
                )


def test_single_study_analyses_show_the_papers_numbers(pages):
    evidence, text_of = pages
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_all(evidence)
    singles = [a for a in analyses if a.result is not None and a.result.k == 1]
    checked = 0
    for analysis in singles:
        row = analysis.rows[analysis.rows["excluded_reason"] == ""].iloc[0]
        if row["data_level"] != "contrast":
            continue
        shown = text.reported_effect(row)
        assert shown in text_of["overview"], shown
        assert shown in text_of[analysis.condition], shown
        checked += 1
    assert checked


def test_every_single_study_result_reads_the_same_in_its_report_and_the_overview(pages):
    """Also effects evsum computes from arm data: one text in the condition report (analysis
    and summary of findings) and in the overview's headline table."""
    from evsum.present.effect_words import analysis_effect

    evidence, text_of = pages
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_all(evidence)
    singles = [a for a in analyses if a.result is not None and a.result.k == 1]
    assert singles
    for analysis in singles:
        shown = analysis_effect(analysis)
        assert shown in text_of["overview"], shown
        assert text_of[analysis.condition].count(shown) >= 1, shown
