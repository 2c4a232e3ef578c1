"""The generated PRISMA 2020 checklist and structured abstract (issue 25, finding 12)."""

import dataclasses
import warnings

import evsum
from evsum.ingest.review_kind import Reporting, ReviewKind, SearchFacts
from evsum.present.prisma_checklist import (
    CHECKLIST,
    prisma_checklist,
    prisma_checklist_html,
    prisma_checklist_title_html,
    structured_abstract,
)

from conftest import ROOT


def _with(evidence, **kind):
    protocol = dataclasses.replace(evidence.protocol, kind=ReviewKind(**kind))
    return dataclasses.replace(evidence, protocol=protocol)


def test_27_items_42_with_sub_items():
    # PRISMA 2020 (Page et al. 2021, BMJ 372:n71, Table 1): items 1 to 27, of which 10, 13,
    # 16, 20, 23 and 24 have sub-items (2 + 6 + 2 + 4 + 4 + 3)
    assert len(CHECKLIST) == 42
    assert len({item.rstrip("abcdef") for item, *_ in CHECKLIST}) == 27


def test_the_protocol_feeds_the_items_it_holds():
    evidence = evsum.examples.example_evidence()
    silent = {i.item: i for i in prisma_checklist(_with(evidence))}
    for item in ("1", "3", "7", "24a", "25", "26", "27"):
        assert silent[item].status == "not reported", item
    stated = {
        i.item: i
        for i in prisma_checklist(
            _with(
                evidence,
                type="rapid review",
                search=SearchFacts(strategies=("search/medline.txt",), people=2),
                reporting=Reporting(
                    rationale="Why.",
                    registration="PROSPERO CRD0000",
                    funding="None.",
                    competing_interests="None declared.",
                    data_availability="All data in the repository.",
                ),
            )
        )
    }
    for item in ("1", "3", "7", "24a", "25", "26", "27"):
        assert stated[item].status == "reported", item
    assert "Rapid review" in stated["1"].where
    assert stated["25"].where.endswith("None.")


def test_the_ketamine_checklist_says_what_it_does_not_report():
    evidence = evsum.load_evidence(base=ROOT)
    items = {i.item: i for i in prisma_checklist(evidence)}
    assert "Evidence check" in items["1"].where
    assert items["7"].status == "not reported"  # evsum.toml records no search strategy
    assert items["23c"].status == "reported"  # limitations of the review process
    page = str(prisma_checklist_html(evidence))
    assert page.count("<tr class=") == 42
    title = str(prisma_checklist_title_html(evidence))
    assert "PRISMA 2020 checklist" in title and "Evidence check" in title


def test_the_structured_abstract():
    evidence = _with(evsum.examples.example_evidence(), type="systematic review")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_all(evidence)
    rows = dict(structured_abstract(evidence, analyses))
    assert rows["Objectives"] == evidence.protocol.question
    assert rows["Kind of review"].startswith("Systematic review.")
    studies = evidence.studies.data["study_id"].nunique()
    assert rows["Included studies"].startswith(f"{studies} studies")
    assert rows["Funding"] == "Not reported."
    assert "Condition A (fictional), abstinent at the time point" in rows["Synthesis of results"]
