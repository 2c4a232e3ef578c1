"""The methods-page blocks for the PRISMA 2020 items no other block states (13e, 13f, 14,
23a to 23d, 24a to 27), and the checklist statuses they support (issue 25, finding 12)."""

import dataclasses
import warnings

import evsum
from evsum.ingest.review_kind import Reporting
from evsum.present.prisma_checklist import NOT_APPLICABLE, REPORTED, prisma_checklist
from evsum.present.reporting import (
    NOT_REPORTED_TEXT,
    OTHER_INFORMATION,
    analysis_methods,
    analysis_methods_html,
    discussion,
    other_information,
    other_information_html,
    pooled_count,
)

from conftest import ROOT

BCG = ROOT / "examples" / "bcg-vaccine"


def _analyses(evidence):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evsum.analyse_all(evidence)


def _with_reporting(evidence, **values):
    kind = dataclasses.replace(evidence.protocol.kind, reporting=Reporting(**values))
    protocol = dataclasses.replace(evidence.protocol, kind=kind)
    return dataclasses.replace(evidence, protocol=protocol)


def test_nothing_pooled_nothing_to_explore():
    # the ketamine base: every analysis holds one study (tests/test_reporting_protocol.py)
    evidence = evsum.load_evidence(base=ROOT)
    analyses = _analyses(evidence)
    assert pooled_count(analyses, 2) == 0
    methods = {s.id: s for s in analysis_methods(evidence, analyses)}
    heterogeneity = methods["reporting-heterogeneity-methods"].sentences
    assert heterogeneity[0].startswith("No subgroup analysis or meta-regression is declared")
    assert heterogeneity[-1] == (
        "No analysis pools two or more studies, so there is no heterogeneity to explore."
    )
    assert methods["reporting-sensitivity-methods"].sentences[-1] == (
        "No analysis pools three or more studies, so no sensitivity analysis could be run."
    )
    bias = " ".join(methods["reporting-bias-methods"].sentences)
    assert "GRADE's publication-bias domain" in bias and "not comprehensive" in bias
    assert "6 ongoing studies" in bias  # data/search_log.csv: 6 rows with decision ongoing
    page = str(analysis_methods_html(evidence, analyses))
    for anchor in methods:
        assert f'id="{anchor}"' in page


def test_a_declared_plan_is_explored_and_its_results_reported():
    # the BCG example declares subgroups by design, a meta-regression on latitude and two
    # sensitivity analyses, and pools its 13 trials
    evidence = evsum.load_evidence(base=BCG)
    analyses = _analyses(evidence)
    assert pooled_count(analyses, 10) >= 1
    methods = {s.id: s for s in analysis_methods(evidence, analyses)}
    heterogeneity = " ".join(methods["reporting-heterogeneity-methods"].sentences)
    assert (
        "subgroups by" in heterogeneity and "meta-regression on absolute latitude" in heterogeneity
    )
    items = {i.item: i for i in prisma_checklist(evidence, analyses)}
    assert items["20c"].status == items["20d"].status == REPORTED
    assert items["20d"].links == (
        ("tuberculosis.html#Heterogeneity-and-sensitivity", "Tuberculosis"),
    )


def test_the_ketamine_checklist_says_why_20c_and_20d_do_not_apply():
    items = {i.item: i for i in prisma_checklist(evsum.load_evidence(base=ROOT))}
    assert items["20c"].status == items["20d"].status == NOT_APPLICABLE
    assert "No analysis pools two or more studies" in items["20c"].where
    assert items["20c"].links == (
        ("methods.html#reporting-heterogeneity-methods", "Methods page"),
    )


def test_what_the_protocol_does_not_say_reads_not_reported():
    evidence = _with_reporting(evsum.load_evidence(base=BCG))
    for statement in other_information(evidence):
        assert statement.sentences == (NOT_REPORTED_TEXT,) and not statement.stated
    interpretation, *_, implications = discussion(evidence)
    assert interpretation.sentences == implications.sentences == (NOT_REPORTED_TEXT,)
    items = {i.item: i for i in prisma_checklist(evidence)}
    for item in ("23a", "23d", "24a", "24b", "24c", "25", "26", "27"):
        assert items[item].status == "not reported" and items[item].links == (), item


def test_what_the_protocol_says_is_shown_and_linked():
    evidence = _with_reporting(
        evsum.load_evidence(base=BCG), funding="Funder X; no role in the analysis."
    )
    page = str(other_information_html(evidence))
    anchor, heading = OTHER_INFORMATION["funding"]
    assert f'<dt id="{anchor}">{heading}</dt><dd>Funder X; no role in the analysis.</dd>' in page
    items = {i.item: i for i in prisma_checklist(evidence)}
    assert items["25"].status == REPORTED
    assert items["25"].links == ((f"methods.html#{anchor}", "Methods page"),)
