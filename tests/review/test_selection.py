"""PRISMA 2020 counts from the search log (prisma_flow).

Every expected number is counted by hand from the rows written here or from
data/search_log.csv (the counts per row are listed in the comments).
"""

import pandas as pd
import pytest

import evsum
from evsum.review.selection import prisma_flow, reason_clause, selection_flow, source_kind

from conftest import ROOT

COLUMNS = [
    "candidate_id",
    "first_author",
    "year",
    "title",
    "doi",
    "found_via",
    "decision",
    "reason",
]

# A small log: two sources (a review and a registry), five candidates.
SMALL_LOG = [
    [
        "SRC:smith2020",
        "Smith",
        "2020",
        "A review",
        "",
        "source",
        "source",
        "Source of records: Table 1 read",
    ],
    [
        "SRC:registries",
        "",
        "",
        "ClinicalTrials.gov records",
        "",
        "source",
        "source",
        "Source of records: 3 NCT records",
    ],
    ["a2001", "A", "2001", "", "", "smith2020 Table 1; registries (NCT1)", "included", "RCT"],
    ["b2005", "B", "2005", "", "", "smith2020", "included", "RCT"],
    [
        "nct2",
        "",
        "",
        "",
        "",
        "registries (mirror)",
        "excluded",
        "No control group (single arm); terminated",
    ],
    ["nct3", "", "", "", "", "registries", "ongoing", "Recruiting"],
    [
        "c2010",
        "C",
        "2010",
        "",
        "",
        "search hit (a web page)",
        "excluded",
        "No control group ('open label', n=8)",
    ],
    ["d2012", "", "", "", "", "search hit", "awaiting classification", "Citation unknown"],
]


def _flow(rows):
    return selection_flow(pd.DataFrame(rows, columns=COLUMNS))


def test_small_log_counts_by_hand():
    flow = _flow(SMALL_LOG)
    # records: smith2020 = a2001, b2005 (2); registries = a2001, nct2, nct3 (3);
    # no listed source = c2010, d2012 (2): 7 records, 6 distinct candidates, 1 duplicate
    by_id = {s.source_id: s for s in flow.sources}
    assert by_id["smith2020"].records == 2 and by_id["smith2020"].kind == "other"
    assert by_id["smith2020"].label == "Smith 2020"
    assert by_id["smith2020"].note == "Table 1 read"
    assert by_id["registries"].records == 3 and by_id["registries"].kind == "register"
    assert by_id[""].records == 2 and by_id[""].kind == "other"
    assert flow.records("register") == 3
    assert flow.records("other") == 4
    assert flow.records("database") is None  # no database is listed: not recorded, not 0
    assert flow.records_identified == 7
    assert flow.duplicates_removed == 1
    assert flow.records_screened == 6
    assert flow.reports_assessed == 6
    # the log does not record these stages
    assert flow.records_excluded is None
    assert flow.reports_sought is None
    assert flow.reports_not_retrieved is None
    assert flow.reports_of_included is None
    assert flow.reports_excluded == (("No control group", 2),)
    assert flow.reports_excluded_total == 2
    assert flow.studies_included == 2
    assert flow.ongoing == 1
    assert flow.awaiting_classification == 1


def test_a_candidate_listed_twice_counts_once():
    flow = _flow(SMALL_LOG + [SMALL_LOG[3]])
    assert flow.records_screened == 6 and flow.studies_included == 2


def test_no_search_log_means_nothing_recorded():
    flow = prisma_flow(evsum.examples.example_evidence())  # the BCG example has no search log
    assert not flow.recorded
    assert flow.sources == () and flow.reports_excluded == ()
    for value in (
        flow.records_identified,
        flow.duplicates_removed,
        flow.records_screened,
        flow.reports_assessed,
        flow.studies_included,
        flow.ongoing,
        flow.awaiting_classification,
        flow.reports_excluded_total,
    ):
        assert value is None
    with pytest.raises(ValueError, match="kind must be one of"):
        flow.records("websites")


def test_sources_only_is_not_a_flow():
    assert not _flow(SMALL_LOG[:2]).recorded


@pytest.mark.parametrize(
    "reason, clause",
    [
        ("No control group (single-group assignment); terminated", "No control group"),
        (
            "Retrospective cohort with a historical (pre-guideline) control, 29 vs 34",
            "Retrospective cohort with a historical control",
        ),
        (
            "Withdrawn before enrolment ('Actual Enrollment : 0 participants')",
            "Withdrawn before enrolment",
        ),
        ("Editorial/commentary, not a study", "Editorial/commentary"),
        ("(only a remark)", "(only a remark)"),
    ],
)
def test_reason_clause(reason, clause):
    assert reason_clause(reason) == clause


@pytest.mark.parametrize(
    "source_id, title, kind",
    [
        ("registries", "ClinicalTrials.gov records", "register"),
        ("ictrp", "WHO trials portal", "register"),
        ("medline", "MEDLINE via Ovid", "database"),
        ("jones2018", "Efficacy of ketamine: a systematic review", "other"),
    ],
)
def test_source_kind(source_id, title, kind):
    assert source_kind(source_id, title) == kind


def test_project_search_log_counts_by_hand():
    flow = prisma_flow(evsum.load_evidence(ROOT / "data" / "studies.csv"))
    records = {s.source_id: s.records for s in flow.sources}
    # Counted by hand in data/search_log.csv, column found_via:
    # known_set: krupitsky1997, krupitsky2002, krupitsky2007, jovaisa2006, dakwar2014,
    #   dakwar2017, dakwar2019, dakwar2020, grabski2022, das2019, yoon2019, gent2024, yoon2025
    #   (13: the set's 12 studies, its 'Yoon et al.' matching two reports); jones2018:
    #   dakwar2014, dakwar2017 (2); review_PMC11527458: dakwar2014, dakwar2017, dakwar2019 (3);
    #   walsh2022, martinotti2021: none; worrell2021: azhari2021 (1); scoping2023_aud_aws:
    #   aws_retro_upmc, aws_jmedtox2018 (2); registries: dakwar2014 (NCT01790490), dakwar2019
    #   (NCT01535937) and 13 nct* candidates (15, the NCT numbers its row lists);
    #   source_text: dakwar2019, dakwar2020, krupitsky2002, krupitsky2007, zarate2006 (5);
    #   no listed source: dakwar2014b, pizon2018, wong2015, tobacco_pilot, almog2025,
    #   ajp_editorial2019 (6).
    assert records == {
        "known_set": 13,
        "jones2018": 2,
        "review_PMC11527458": 3,
        "walsh2022": 0,
        "martinotti2021": 0,
        "worrell2021": 1,
        "scoping2023_aud_aws": 2,
        "registries": 15,
        "source_text": 5,
        "": 6,
    }
    assert flow.records("register") == 15 and flow.records("database") is None
    assert flow.records_identified == 47
    # 36 candidates; found via more than one source: dakwar2014 (4), dakwar2019 (4),
    # dakwar2017 (3), dakwar2020 (2), krupitsky2002 (2), krupitsky2007 (2): 3+3+2+1+1+1 = 11
    assert flow.duplicates_removed == 11
    assert flow.records_screened == flow.reports_assessed == 36
    # decisions: 14 included, 15 excluded (yoon2019 among them), 6 ongoing, 1 awaiting
    # classification (36)
    assert flow.studies_included == 14
    assert flow.ongoing == 6
    assert flow.awaiting_classification == 1
    assert flow.reports_excluded_total == 15
    # one reason, one wording (the reason's first clause): "No control group" for azhari2021,
    # nct05796791, nct02437344, nct05051449, nct05193318, yoon2019, aws_retro_upmc,
    # aws_jmedtox2018, wong2015, almog2025 (10); "No results" for nct06111339 and
    # nct03788889 (2); one each for dakwar2014b, ajp_editorial2019, pizon2018
    assert flow.reports_excluded == (
        ("No control group", 10),
        ("No results", 2),
        ("Not a study", 1),
        ("Not treatment of a substance use disorder", 1),
        ("Secondary report of an included trial", 1),
    )
