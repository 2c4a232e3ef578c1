"""The kind of review is protocol data: every page's title line and the methods page say it,
the limitations of the review process follow from it, and an evidence check draws the flow
of the studies it checked instead of a PRISMA 2020 diagram."""

import dataclasses

import pandas as pd
import pytest

import evsum
from evsum import StudyDataError
from evsum.ingest.protocol import load_protocol, parse_protocol
from evsum.present.curation import curation_log_html
from evsum.present.review_kind import review_kind_html, source_text_html

from conftest import ROOT, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")
CHECK = GOOD.replace(
    'comparator = "comparator"\n',
    'comparator = "comparator"\ntype = "evidence check"\n'
    'type_detail = "It checks the studies a text cites."\n'
    "[search]\n"
    'sources = ["the text\'s reference list"]\n'
    "people = 1\n"
    'not_done = ["no database was searched."]\n',
    1,
)
LOG = [
    ["SRC:list", "", "", "The text's reference list", "", "source", "source", "5 entries"],
    ["a2001", "A", "2001", "", "", "list", "included", "RCT"],
    ["b2002", "B", "2002", "", "", "list", "excluded", "No control group (case series)"],
]
LOG_COLUMNS = [
    "candidate_id",
    "first_author",
    "year",
    "title",
    "doi",
    "found_via",
    "decision",
    "reason",
]


def _evidence(protocol_text):
    evidence = evsum.examples.example_evidence()
    return dataclasses.replace(
        evidence,
        protocol=parse_protocol(protocol_text),
        search_log=pd.DataFrame(LOG, columns=LOG_COLUMNS),
    )


def test_the_kind_and_the_search_facts_are_read():
    kind = parse_protocol(CHECK).kind
    assert kind.type == "evidence check"
    assert kind.search.people == 1
    assert not kind.comprehensive and not kind.prisma
    assert "One person selected the studies" in " ".join(kind.limitations())
    assert "Not done: no database was searched." in kind.limitations()


def test_a_protocol_without_a_kind_says_it_is_not_stated():
    kind = parse_protocol(GOOD).kind
    assert kind.label == "Kind of review not stated in the protocol"
    assert not kind.comprehensive  # never assumed comprehensive


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('type = "meta-review"', "review.type"),
        ("people = 0", "search.people"),
        ("peoplez = 2", "search.peoplez"),
    ],
)
def test_bad_kind_keys_name_line_and_key(line, key):
    text = CHECK.replace("people = 1\n", "").replace('type = "evidence check"\n', "")
    if key == "review.type":
        text = text.replace('comparator = "comparator"\n', f'comparator = "comparator"\n{line}\n')
    else:
        text = text.replace("[search]\n", f"[search]\n{line}\n")
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    (problem,) = [p for p in info.value.problems if p.column == key]
    assert problem.line == text.splitlines().index(line) + 1


def test_every_title_line_says_the_kind():
    evidence = _evidence(CHECK)
    label = "Evidence check of the studies a source text cites (not a systematic review)."
    pages = [
        evsum.blocks.condition.title("condition_a", "REML", protocol=evidence.protocol),
        evsum.blocks.overview.title(evidence),
        evsum.blocks.methods.title(evidence),
        curation_log_html(evidence),
    ]
    for page in pages:
        assert label in str(page)


def test_the_methods_page_says_the_kind_the_search_and_the_limitations():
    page = str(review_kind_html(_evidence(CHECK)))
    assert "It checks the studies a text cites." in page
    assert "Limitations of the review process" in page
    assert "Not done: no database was searched." in page
    assert "<td>No (as the kind of review implies)</td>" in page


def test_an_evidence_check_draws_its_own_flow_not_a_prisma_diagram():
    evidence = _evidence(CHECK)
    page = str(evsum.blocks.methods.prisma(evidence))
    assert "This is not a PRISMA 2020 flow diagram" in page
    assert "<img" not in page
    # 2 candidates from the one source; 1 excluded (No control group), 1 included
    assert "<td>Distinct candidate studies checked</td><td>2</td>" in page
    assert "No control group: 1" in page
    assert "<td>Included</td><td>1</td>" in page
    # a systematic review keeps the PRISMA 2020 diagram
    review = _evidence(CHECK.replace('"evidence check"', '"systematic review"'))
    assert "<img" in str(evsum.blocks.methods.prisma(review))


def test_the_limitations_of_a_condition_report_start_with_the_review_process():
    evidence = _evidence(CHECK)
    analyses = evsum.analyse_condition(evidence, "condition_a")
    page = str(evsum.blocks.condition.limitations(evidence, "condition_a", analyses))
    assert "not the result of a systematic search" in page


def test_the_ketamine_base_says_what_it_checks_and_what_was_not_done():
    kind = load_protocol(ROOT).kind
    assert kind.type == "evidence check"
    assert "cites" in kind.detail and "known set" in kind.detail
    assert not kind.comprehensive
    assert any("bibliographic database" in item for item in kind.search.not_done)


def test_the_audited_text_is_identified_or_said_not_to_be():
    text = CHECK + (
        '\n[source_text]\ntitle = "A title"\npublisher = "A clinic"\n'
        'address = "https://example.org/post"\ndate_read = 2026-11-30\n'
    )
    page = str(source_text_html(parse_protocol(text)))
    assert "A title; published by A clinic;" in page
    assert (
        'href="https://example.org/post">https://example.org/post</a>' in page
        and "read on 2026-11-30" in page
    )
    assert "not identified in the protocol" in str(source_text_html(parse_protocol(CHECK)))


def test_thresholds_are_protocol_data_shown_in_methods_and_under_each_sof():
    from evsum.present.sof import SOF_COLUMNS, sof_html

    stated = parse_protocol(CHECK + "\n[grade]\nratio_mid = 1.5\nratio_large = 3\n")
    assert stated.kind.thresholds.ratio_mid == 1.5 and stated.kind.thresholds.stated
    table = str(sof_html(pd.DataFrame(columns=list(SOF_COLUMNS)), protocol=stated))
    # 1/1.5 = 0.67, 1/3 = 0.33
    assert "Thresholds (stated in the protocol): for ratios an important effect from 1.5 " in table
    assert "(or 0.67) and a large one from 3 (or 0.33)" in table
    default = str(review_kind_html(_evidence(CHECK)))
    assert "GRADE&#39;s rules of thumb (none stated)" in default
    assert "from 1.25 (or 0.8) and a large one from 2 (or 0.5)" in default
    with pytest.raises(StudyDataError) as info:
        parse_protocol(CHECK + "\n[grade]\nratio_mid = 0.8\n", "evsum.toml")
    assert [p.column for p in info.value.problems] == ["grade.ratio_mid"]


def test_the_claims_audit_title_names_the_kind_and_the_audited_text():
    evidence = evsum.load_evidence(base=ROOT)
    claims = evsum.load_claims(evidence)
    audit = evsum.audit_source_references(evidence)
    text = CHECK + (
        '\n[source_text]\ntitle = "A title"\npublisher = "A clinic"\n'
        'address = "https://example.org/post"\ndate_read = 2026-11-30\n'
    )
    page = str(evsum.blocks.audit.title(claims, audit, protocol=parse_protocol(text)))
    assert "Evidence check of the studies a source text cites" in page
    assert "<strong>The audited text.</strong> A title; published by A clinic;" in page
    # without the protocol (as before), the heading alone
    assert "The audited text" not in str(evsum.blocks.audit.title(claims, audit))


def test_the_index_page_says_the_kind(tmp_path):
    from types import SimpleNamespace

    from evsum.render.index import index_html

    about = SimpleNamespace(review_title="A review", review_kind=load_protocol(ROOT).kind.label)
    page = index_html({"a": {"title": "A", "status": "rendered"}}, tmp_path, about=about)
    assert "Evidence check of the studies a source text cites (not a systematic review)." in page
